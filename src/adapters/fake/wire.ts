/** What one end of a fake dialog tells the other. */
import { VoiceSDKError } from '../../errors';
import type { DtmfMethod, MediaDirection, NegotiatedMedia, RemoteParty } from '../adapter';

export type WireMessage =
  /** 180 Ringing. */
  | { type: 'ringing'; earlyMedia?: boolean }
  /** 200 OK to the INVITE; `identity`: its P-Asserted-Identity / Remote-Party-ID; `videoDeclined`: the offered video stream is rejected. */
  | { type: 'answer'; identity?: RemoteParty; videoDeclined?: boolean }
  /** A final failure response to the INVITE (486, 603, 404, 487 after a CANCEL, 408 …); `reason`: its Reason header. */
  | { type: 'reject'; status: number; reason?: string }
  /** The ACK to the 200 OK of the INVITE. */
  | { type: 'ack' }
  /** The media path between the two ends broke (ICE failed), or ICE only reports `disconnected` (packets still flow). */
  | { type: 'failure'; ice?: 'failed' | 'disconnected' }
  /** CANCEL (`reason`: its Reason header). */
  | { type: 'cancel'; reason?: string }
  /** BYE (`reason`: its Reason header). */
  | { type: 'bye'; reason?: string }
  /** A re-INVITE offering a=sendonly (`hold`) or a=sendrecv; `direction` when a scripted far end offers another one; `iceRestart`: new ICE credentials. */
  | { type: 'reinvite'; hold: boolean; direction?: MediaDirection; iceRestart?: boolean; identity?: RemoteParty; video?: boolean }
  /** The far end re-INVITEd with a new offer (its `media` changed). */
  | { type: 'renegotiated' }
  /** DTMF: RFC 4733 events (the far end's page cannot see them) or one SIP INFO per digit. */
  | { type: 'digits'; digits: string; method: DtmfMethod; durationMs: number }
  /** One SIP INFO with this body (a scripted far end's digits, or any other INFO). */
  | { type: 'info'; contentType: string; body: string }
  /** REFER. */
  | { type: 'refer'; referTo: string }
  /** The final response to a REFER. */
  | { type: 'refer-response'; status: number }
  /** NOTIFY (the progress of a referred call: Event `refer`, a sipfrag body). */
  | { type: 'notify'; event: string; body: string };

/** One end of a fake dialog: a fake device's call, or a scripted remote's call. */
export interface FakeEnd {
  receive(message: WireMessage): void;
  /** Whether this end sends audio now (not muted, not holding, media up). */
  readonly sendingAudio: boolean;
  /** A scripted end gets messages at once, so a test can act on them step by step. */
  readonly immediate?: boolean;
  /** What an offer/answer with this end settles on. @default FAKE_DEFAULT_MEDIA */
  readonly media?: NegotiatedMedia;
  /** Whether this end sends video (asked for it and a video stream was offered). */
  readonly wantsVideo?: boolean;
}

/** A far end that does everything: Opus with telephone-event/48000, and INFO allowed. */
export const FAKE_DEFAULT_MEDIA: Readonly<NegotiatedMedia> = Object.freeze({
  audioCodec: 'opus',
  clockRate: 48000,
  telephoneEvent: true,
  allowsInfo: true,
});

/** Network conditions the synthetic stats report. */
export interface FakeConditions {
  /** Round-trip time in ms. @default 40 */
  rttMs: number;
  /** Interarrival jitter in ms. @default 2 */
  jitterMs: number;
  /** Fraction of packets lost towards us, 0..1. @default 0 */
  inboundLoss: number;
  /** Fraction of our packets lost on the way out, 0..1. @default 0 */
  outboundLoss: number;
  /** Codec mime subtype. @default 'opus' */
  codec: string;
  /** Candidate types of the selected pair. @default 'host' */
  localCandidateType: 'host' | 'srflx' | 'prflx' | 'relay';
  /** The far end's candidate type of the selected pair. */
  remoteCandidateType: 'host' | 'srflx' | 'prflx' | 'relay';
}

export const DEFAULT_CONDITIONS: FakeConditions = {
  rttMs: 40,
  jitterMs: 2,
  inboundLoss: 0,
  outboundLoss: 0,
  codec: 'opus',
  localCandidateType: 'host',
  remoteCandidateType: 'host',
};

/** The fault that leaves a request unanswered for ever (`failNextReinvite('unanswered')`). */
export const UNANSWERED = new VoiceSDKError('timeout', 'No answer');
/** An unanswered INVITE transaction ends after Timer B, 64 × T1 (as SIP.js's). */
export const FAKE_TIMER_B_MS = 32_000;
