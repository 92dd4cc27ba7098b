/**
 * Mean opinion score estimate with the ITU-T G.107 E-model (06/2015),
 * narrowband scale, all parameters at their G.107 §7.7 defaults except the
 * ones measured from the call: delay, packet loss and codec.
 *
 *   R = Ro − Is − Id − Ie,eff + A                                   (G.107 eq. 7-1)
 *
 * - Ro − Is: signal-to-noise and simultaneous impairments. With the default
 *   loudness ratings and noise levels, Ro = 94.769 and Is = 1.414. They do not
 *   depend on anything a browser can measure, so they are constants here.
 * - Id = Idte + Idle + Idd, the delay impairments (eq. 7-19). Idte (talker
 *   echo) and Idle (listener echo) use the default echo parameters,
 *   TELR = 65 dB and WEPL = 110 dB, with the echo path delay T equal to the
 *   one-way delay Ta and the round trip Tr = 2·Ta, as for a symmetric path.
 *   They are not negligible: Idte alone is 2.0 at Ta = 100 ms and 2.8 at
 *   150 ms, where the "too much delay" term Idd is still 0 or 0.16. At zero
 *   delay Idle is 0.149, which is why the default R is 93.2 (= 94.769 − 1.414
 *   − 0.149), the familiar G.711 best case.
 * - Ie,eff = Ie + (95 − Ie) · Ppl / (Ppl/BurstR + Bpl)              (eq. 7-29)
 *   with the codec's Ie and Bpl from the table below, Ppl in percent, and
 *   BurstR = 1 (random loss: WebRTC stats do not tell us burst lengths).
 * - A = 0 (no advantage of access: a desk or laptop user).
 *
 * MOS from R is G.107 Annex B (eq. B-4). A full G.107 implementation with all
 * defaults gives R = 93.206 (e.g. the Go port at github.com/manucorporat/e-model);
 * the tests check this module against it.
 */

/** Ro with G.107 default loudness ratings and noise (§7.2); equal to Roe (§7.4) for SLR 8, RLR 2. */
const BASIC_SIGNAL_TO_NOISE = 94.7688;
/** Is with G.107 defaults (§7.3): Iolr + Ist + Iq. */
const SIMULTANEOUS_IMPAIRMENT = 1.4136;
/** Default talker echo loudness rating, dB (G.107 Table 3). */
const TALKER_ECHO_LOUDNESS = 65;
/** Default weighted echo path loss, dB (G.107 Table 3). */
const WEIGHTED_ECHO_PATH_LOSS = 110;
/** Below this one-way delay (ms), Idd is 0: the default minimum perceivable delay mT. */
const MINIMUM_PERCEIVABLE_DELAY_MS = 100;

/** How a codec behaves in the E-model. */
export interface CodecImpairment {
  /** Equipment impairment factor Ie of the codec without loss (R points). */
  ie: number;
  /** Packet-loss robustness factor Bpl; higher is more robust. */
  bpl: number;
  /** Delay the codec adds at the sender: one packet of audio plus look-ahead, in ms. */
  codingDelayMs: number;
}

/**
 * E-model values per codec (keys are upper-case codec names as in
 * `QualitySample.selectedCodec`).
 *
 * - PCMU/PCMA: G.711 with packet-loss concealment (WebRTC's NetEq always
 *   conceals), random loss: Ie = 0, Bpl = 25.1 (ITU-T G.113 Appendix I,
 *   Table I.3). 20 ms packets, no look-ahead.
 * - G722: no narrowband-scale value exists; on this scale it is at least as
 *   good as G.711, so the G.711 with PLC values are used. An estimate.
 * - OPUS: ITU-T publishes no Ie/Bpl for Opus. Ie = 0 because Opus at WebRTC's
 *   bitrates is transparent on the narrowband scale; Bpl = 20 is an estimate,
 *   slightly less robust than G.711 with 10 ms packets (Opus sends 20 ms
 *   frames, so one loss removes twice the audio) and ignoring in-band FEC,
 *   which makes it pessimistic when FEC is on. Coding delay 26.5 ms: a 20 ms
 *   frame plus 6.5 ms look-ahead (Opus default, RFC 6716).
 */
export const CODEC_IMPAIRMENTS: Readonly<Record<string, CodecImpairment>> = {
  PCMU: { ie: 0, bpl: 25.1, codingDelayMs: 20 },
  PCMA: { ie: 0, bpl: 25.1, codingDelayMs: 20 },
  G722: { ie: 0, bpl: 25.1, codingDelayMs: 20 },
  OPUS: { ie: 0, bpl: 20, codingDelayMs: 26.5 },
};

/** Unknown codecs are rated like Opus, WebRTC's default. */
const FALLBACK_CODEC = CODEC_IMPAIRMENTS['OPUS']!;

/** The E-model values for a codec name (any case); Opus's for unknown codecs. */
export function codecImpairment(codec: string | undefined): CodecImpairment {
  return (codec === undefined ? undefined : CODEC_IMPAIRMENTS[codec.toUpperCase()]) ?? FALLBACK_CODEC;
}

/** The three delay impairments of G.107 §7.4, in R points. */
export interface DelayImpairment {
  /** Talker echo impairment Idte. */
  idte: number;
  /** Listener echo impairment Idle. */
  idle: number;
  /** Impairment of too-long absolute delay Idd (0 up to 100 ms). */
  idd: number;
  /** Id = Idte + Idle + Idd. */
  total: number;
}

/**
 * Delay impairment Id for a mouth-to-ear one-way delay Ta (ms), with the echo
 * path delay T = Ta and round trip Tr = 2·Ta (G.107 eqs. 7-19 to 7-28).
 */
export function delayImpairment(oneWayDelayMs: number): DelayImpairment {
  const ta = Math.max(0, oneWayDelayMs);
  const idte = talkerEchoImpairment(ta);
  const idle = listenerEchoImpairment(2 * ta);
  const idd = absoluteDelayImpairment(ta);
  return { idte, idle, idd, total: idte + idle + idd };
}

/**
 * Idte (eqs. 7-20 to 7-23) for echo path delay T in ms; STMR = 15 dB, so no
 * sidetone correction. The formula dips a hair below zero for T under about
 * 2 ms; an impairment is never a bonus, so it is floored at 0.
 */
function talkerEchoImpairment(t: number): number {
  const terv =
    TALKER_ECHO_LOUDNESS - 40 * Math.log10((1 + t / 10) / (1 + t / 150)) + 6 * Math.exp(-0.3 * t * t);
  const re = 80 + 2.5 * (terv - 14);
  const roeMinusRe = BASIC_SIGNAL_TO_NOISE - re;
  return Math.max(0, (roeMinusRe / 2 + Math.sqrt((roeMinusRe * roeMinusRe) / 4 + 100) - 1) * (1 - Math.exp(-t)));
}

/** Idle (eqs. 7-25, 7-26) for round-trip delay Tr in ms. */
function listenerEchoImpairment(tr: number): number {
  const rle = 10.5 * (WEIGHTED_ECHO_PATH_LOSS + 7) * Math.pow(tr + 1, -0.25);
  const roMinusRle = BASIC_SIGNAL_TO_NOISE - rle;
  return roMinusRle / 2 + Math.sqrt((roMinusRle * roMinusRle) / 4 + 169);
}

/** Idd (eqs. 7-27, 7-28) with the default mT = 100 ms and sT = 1. */
function absoluteDelayImpairment(ta: number): number {
  if (ta <= MINIMUM_PERCEIVABLE_DELAY_MS) return 0;
  const x = Math.log2(ta / MINIMUM_PERCEIVABLE_DELAY_MS);
  return 25 * (Math.pow(1 + x ** 6, 1 / 6) - 3 * Math.pow(1 + (x / 3) ** 6, 1 / 6) + 2);
}

/**
 * Effective equipment impairment Ie,eff (G.107 eq. 7-29).
 * @param packetLoss - fraction of packets lost, 0..1 (Ppl is this × 100)
 * @param burstR - burst ratio; 1 for random loss
 */
export function effectiveEquipmentImpairment(
  ie: number,
  bpl: number,
  packetLoss: number,
  burstR = 1,
): number {
  const ppl = clamp(packetLoss, 0, 1) * 100;
  return ie + ((95 - ie) * ppl) / (ppl / burstR + bpl);
}

/** What the E-model needs. */
export interface RFactorInput {
  /** Mouth-to-ear one-way delay Ta, in ms. */
  oneWayDelayMs: number;
  /** Fraction of packets lost, 0..1. */
  packetLoss: number;
  /** Codec equipment impairment Ie. @default 0 (G.711) */
  ie?: number;
  /** Codec packet-loss robustness Bpl. @default 25.1 (G.711 with PLC) */
  bpl?: number;
  /** Burst ratio BurstR: 1 for random loss, above 1 for bursty loss. @default 1 */
  burstR?: number;
  /** Advantage factor A, in R points. @default 0 */
  advantage?: number;
}

/** Transmission rating R (G.107 eq. 7-1); 93.2 with no delay and no loss. */
export function rFactor(input: RFactorInput): number {
  const { oneWayDelayMs, packetLoss, ie = 0, bpl = 25.1, burstR = 1, advantage = 0 } = input;
  return (
    BASIC_SIGNAL_TO_NOISE -
    SIMULTANEOUS_IMPAIRMENT -
    delayImpairment(oneWayDelayMs).total -
    effectiveEquipmentImpairment(ie, bpl, packetLoss, burstR) +
    advantage
  );
}

/**
 * MOS (1..4.5) from R, G.107 Annex B eq. B-4. The cubic dips to 0.99 for R
 * between 0 and 6.5; it is floored at 1, the bottom of the MOS scale.
 */
export function mosFromR(r: number): number {
  if (r < 0) return 1;
  if (r > 100) return 4.5;
  return Math.max(1, 1 + 0.035 * r + r * (r - 60) * (100 - r) * 7e-6);
}

/** What a call's stats tell us about one direction of audio. */
export interface MosEstimateInput {
  /** Round-trip time, in ms. */
  rttMs: number;
  /** Interarrival jitter, in ms. */
  jitterMs: number;
  /** Fraction of packets lost, 0..1. */
  loss: number;
  /** Codec name ('OPUS', 'PCMU'…). @default Opus */
  codec?: string;
  /**
   * Measured jitter-buffer delay, in ms, when the receiver reports it.
   * @default 2 × `jitterMs` (a jitter buffer holds about two jitters of audio)
   */
  jitterBufferMs?: number;
}

/**
 * One-way mouth-to-ear delay Ta estimated from stats, in ms: half the round
 * trip (network), plus the jitter buffer, plus the codec's coding delay.
 * Capture and playout device latency are not in the stats and are left out,
 * so this is a lower bound.
 */
export function mouthToEarDelayMs(input: MosEstimateInput): number {
  const jitterBuffer = input.jitterBufferMs ?? 2 * input.jitterMs;
  return Math.max(0, input.rttMs) / 2 + Math.max(0, jitterBuffer) + codecImpairment(input.codec).codingDelayMs;
}

/** Estimated MOS (1..4.5) of one direction of audio. */
export function estimateMos(input: MosEstimateInput): number {
  const codec = codecImpairment(input.codec);
  return mosFromR(
    rFactor({
      oneWayDelayMs: mouthToEarDelayMs(input),
      packetLoss: input.loss,
      ie: codec.ie,
      bpl: codec.bpl,
    }),
  );
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
