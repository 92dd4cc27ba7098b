/**
 * Pure SDP rules: what is wrong with an offer we are asked to answer, and
 * what an offer/answer exchange settled on for audio. No SIP.js, no DOM.
 *
 * The browser can take an audio stream over RTP with DTLS-SRTP (a
 * fingerprint) and rtcp-mux in a codec it decodes (Opus, G.711, G.722).
 * Anything else — no audio, video only, a non-RTP m-line, plain RTP without
 * DTLS, RTCP on its own port — needs a
 * media gateway in front of it (rtpengine, a PBX with WebRTC support), and
 * the caller should hear 488 Not Acceptable Here with a Warning that says
 * why, not 480 (which PBXs treat as "no answer" and forward to voicemail).
 */

/** One `m=` section of an SDP. */
export interface MediaSection {
  /** `audio`, `video`, `application`, … */
  readonly kind: string;
  readonly port: number;
  /** `RTP/AVP`, `UDP/TLS/RTP/SAVPF`, `udp`, `TCP/MSRP`, … */
  readonly proto: string;
  /** Payload types (or format tokens) in the order offered. */
  readonly formats: readonly string[];
  /** The section's `a=` lines, without the `a=`. */
  readonly attributes: readonly string[];
}

export interface ParsedSdp {
  /** Session-level `a=` lines, without the `a=`. */
  readonly attributes: readonly string[];
  readonly media: readonly MediaSection[];
}

/** Bounds for untrusted input: larger SDPs are cut, not parsed whole. */
const MAX_SDP_LENGTH = 64 * 1024;
const MAX_MEDIA_SECTIONS = 32;

/** Splits an SDP into its session part and its media sections. Never throws. */
export function parseSdp(sdp: string): ParsedSdp {
  const session: string[] = [];
  const media: Array<{ kind: string; port: number; proto: string; formats: string[]; attributes: string[] }> = [];
  for (const rawLine of sdp.slice(0, MAX_SDP_LENGTH).split(/\r?\n/)) {
    const line = rawLine.trim();
    if (line.startsWith('m=')) {
      if (media.length >= MAX_MEDIA_SECTIONS) break;
      const [kind = '', port = '', proto = '', ...formats] = line.slice(2).split(/\s+/);
      media.push({ kind: kind.toLowerCase(), port: Number.parseInt(port, 10) || 0, proto, formats, attributes: [] });
    } else if (line.startsWith('a=')) {
      (media.at(-1)?.attributes ?? session).push(line.slice(2));
    }
  }
  return { attributes: session, media };
}

/** A codec from an `a=rtpmap` line or a static payload type. */
export interface RtpCodec {
  readonly payloadType: string;
  /** Lower case: `opus`, `pcmu`, `telephone-event`, … */
  readonly name: string;
  readonly clockRate: number;
}

/** RFC 3551 static payload types the browser can use. */
const STATIC_PAYLOAD_TYPES: Record<string, { name: string; clockRate: number }> = {
  '0': { name: 'pcmu', clockRate: 8000 },
  '8': { name: 'pcma', clockRate: 8000 },
  '9': { name: 'g722', clockRate: 8000 },
  '13': { name: 'cn', clockRate: 8000 },
};

/** Codecs Chromium encodes and decodes for voice. */
const BROWSER_VOICE_CODECS = new Set(['opus', 'pcmu', 'pcma', 'g722']);

/** Formats that carry no voice of their own. */
const NOT_VOICE = new Set(['telephone-event', 'cn', 'red', 'ulpfec', 'flexfec', 'rtx']);

/** The codecs of a media section, in the order of its format list. */
export function codecsOf(section: MediaSection): RtpCodec[] {
  const rtpmaps = new Map<string, { name: string; clockRate: number }>();
  for (const attribute of section.attributes) {
    const match = /^rtpmap:(\d+)\s+([^/\s]+)\/(\d+)/i.exec(attribute);
    if (match) rtpmaps.set(match[1]!, { name: match[2]!.toLowerCase(), clockRate: Number(match[3]) });
  }
  return section.formats.flatMap((payloadType) => {
    const codec = rtpmaps.get(payloadType) ?? STATIC_PAYLOAD_TYPES[payloadType];
    return codec === undefined ? [] : [{ payloadType, ...codec }];
  });
}

const isRtp = (section: MediaSection): boolean => /(^|\/)RTP\//i.test(section.proto);
const hasAttribute = (attributes: readonly string[], name: string): boolean =>
  attributes.some((attribute) => attribute.toLowerCase().startsWith(`${name}:`));

/** RFC 3261 warn-codes used for offers we cannot take. */
export type OfferWarnCode =
  /** 302 Incompatible transport protocol */
  | 302
  /** 304 Media type not available */
  | 304
  /** 305 Incompatible media format */
  | 305;

/** Why an offer cannot be answered: the Warning of a 488 Not Acceptable Here. */
export interface OfferProblem {
  readonly warnCode: OfferWarnCode;
  /** For people: what is wrong, and (where it helps) what to put in front of the browser. */
  readonly text: string;
}

/**
 * What is wrong with an offer for a browser audio call, or undefined when it
 * can be answered. An empty body (an INVITE without an offer) is fine: we
 * make the offer in our 200 OK.
 */
export function offerProblem(sdp: string | undefined): OfferProblem | undefined {
  if (sdp === undefined || sdp.trim() === '') return undefined;
  const parsed = parseSdp(sdp);
  if (parsed.media.length === 0) return { warnCode: 304, text: 'The offer has no media (m=) line' };
  const audio = parsed.media.filter((section) => section.kind === 'audio' && section.port !== 0);
  if (audio.length === 0) {
    const offered = [...new Set(parsed.media.filter((s) => s.port !== 0).map((s) => s.kind))];
    return {
      warnCode: 304,
      text: offered.length === 0 ? 'The offer has no active media stream' : `No audio stream offered (only ${offered.join(', ')})`,
    };
  }
  const rtpAudio = audio.filter(isRtp);
  if (rtpAudio.length === 0) {
    return { warnCode: 302, text: `The audio stream is not RTP (${audio[0]!.proto})` };
  }
  const secured = rtpAudio.filter(
    (section) => hasAttribute(section.attributes, 'fingerprint') || hasAttribute(parsed.attributes, 'fingerprint'),
  );
  if (secured.length === 0) {
    return {
      warnCode: 302,
      text: `Plain ${rtpAudio[0]!.proto} without DTLS-SRTP; a WebRTC gateway (rtpengine) must bridge it`,
    };
  }
  const decodable = secured.filter((section) => codecsOf(section).some((codec) => BROWSER_VOICE_CODECS.has(codec.name)));
  if (decodable.length === 0) {
    const offered = [...new Set(secured.flatMap(codecsOf).map((codec) => codec.name))].filter((name) => !NOT_VOICE.has(name));
    return {
      warnCode: 305,
      text: `No audio codec the browser can use (offered: ${offered.join(', ') || 'none'}; needs Opus, PCMU, PCMA or G722)`,
    };
  }
  // Chromium implements only rtcpMuxPolicy 'require'.
  if (!decodable.some((section) => section.attributes.some((attribute) => attribute.toLowerCase() === 'rtcp-mux'))) {
    return { warnCode: 302, text: 'RTCP is not multiplexed (no a=rtcp-mux); the gateway must mux towards the browser' };
  }
  return undefined;
}

/** The value of a Warning header (RFC 3261 §20.43) for `problem`: `304 callchart "…"`. */
export function warningHeaderValue(problem: OfferProblem, agent = 'callchart'): string {
  const text = problem.text.replace(/[\u0000-\u001f\u007f"\\]/g, ' ').slice(0, 200);
  return `${problem.warnCode} ${agent} "${text}"`;
}

/** What an offer/answer settled on for the audio we send. */
export interface NegotiatedAudio {
  /** The first voice codec of the answer, lower case (`opus`, `pcmu`, `g722`). */
  readonly audioCodec: string;
  /** Its RTP clock rate (G.722 is 8000 by RFC 3551). */
  readonly clockRate: number;
  /** A telephone-event at that clock rate was negotiated (RFC 4733 digits will arrive). */
  readonly telephoneEvent: boolean;
}

/**
 * Reads the answer of a completed offer/answer: the codec the sender uses
 * first and whether a telephone-event at its clock rate is in the set. A
 * telephone-event at another rate does not count: Chromium sending Opus/48000
 * with only telephone-event/8000 sends just the end packets of each digit,
 * which phones drop.
 */
export function negotiatedAudio(answerSdp: string | undefined): NegotiatedAudio | undefined {
  if (answerSdp === undefined) return undefined;
  const section = parseSdp(answerSdp).media.find((s) => s.kind === 'audio' && s.port !== 0);
  if (section === undefined) return undefined;
  const codecs = codecsOf(section);
  const voice = codecs.find((codec) => !NOT_VOICE.has(codec.name));
  if (voice === undefined) return undefined;
  return {
    audioCodec: voice.name,
    clockRate: voice.clockRate,
    telephoneEvent: codecs.some((codec) => codec.name === 'telephone-event' && codec.clockRate === voice.clockRate),
  };
}

/**
 * Whether an offer with this audio direction puts us on hold (RFC 3264 §8.4,
 * RFC 6337 §5): `sendonly` (music on hold) or `inactive` (also what a
 * `c=0.0.0.0` offer, RFC 2543 hold, counts as). `recvonly` is the far end
 * not sending (muted), not a hold of us.
 */
export function isHoldDirection(direction: 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive'): boolean {
  return direction === 'sendonly' || direction === 'inactive';
}
