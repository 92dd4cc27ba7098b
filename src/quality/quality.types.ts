/**
 * Plain data shared by the quality modules: the per-interval sample the stats
 * actor sends, the warning catalogue's names and rules, and the events a
 * warning emits. No runtime code lives here.
 */

/** ICE candidate types as reported by WebRTC stats (`candidateType`). */
export type CandidateType = 'host' | 'srflx' | 'prflx' | 'relay';

/** `RTCIceTransportState` values, as the transport stats report them. */
export type IceTransportState =
  | 'new'
  | 'checking'
  | 'connected'
  | 'completed'
  | 'disconnected'
  | 'failed'
  | 'closed';

/** `RTCStatsIceCandidatePairState` values of the selected candidate pair. */
export type CandidatePairState = 'frozen' | 'waiting' | 'in-progress' | 'failed' | 'succeeded';

/**
 * One quality sample: what the call's media did during the last stats
 * interval (about one second). Every field but `timestamp` is optional: a
 * field is `undefined` when the browser did not report what it is computed
 * from. A field is never `NaN` and a loss is never negative.
 *
 * "Inbound" is the audio we receive (what the local user hears); "outbound"
 * is the audio we send (what the remote party hears).
 */
export interface QualitySample {
  /** When the stats were taken, in epoch milliseconds. */
  timestamp: number;
  /**
   * Round-trip time in milliseconds: remote-inbound-rtp `roundTripTime` × 1000
   * (measured with RTCP sender/receiver reports). Until the first RTCP report
   * carries one, about 2.5 s into a call, it is the selected candidate pair's
   * `currentRoundTripTime` × 1000 (measured with STUN consent checks).
   */
  rttMs?: number;
  /** Inbound interarrival jitter in milliseconds: inbound-rtp `jitter` × 1000. */
  jitterMs?: number;
  /**
   * Jitter the remote side measures on our outbound stream, in milliseconds:
   * remote-inbound-rtp `jitter` × 1000.
   */
  remoteJitterMs?: number;
  /**
   * Average time a received audio sample waited in the jitter buffer during
   * the interval, in milliseconds: Δ`jitterBufferDelay` / Δ`jitterBufferEmittedCount` × 1000.
   */
  jitterBufferDelayMs?: number;
  /**
   * Fraction of inbound packets lost during the interval, 0..1:
   * Δ`packetsLost` / (Δ`packetsLost` + Δ`packetsReceived`) of inbound-rtp.
   * Undefined when no packet was expected (on hold).
   */
  inboundLoss?: number;
  /**
   * Fraction of outbound packets the remote side lost, 0..1: Δ`packetsLost` of
   * remote-inbound-rtp over Δ`packetsSent` of outbound-rtp between two RTCP
   * receiver reports, falling back to the report's `fractionLost`. RTCP
   * reports arrive every few seconds, so the value holds until the next one.
   */
  outboundLoss?: number;
  /**
   * Estimated mean opinion score, 1..4.5 (ITU-T G.107 E-model, see `mos.ts`), of
   * the worse of the two directions.
   */
  mosEstimate?: number;
  /** Codec in use, upper case, from the codec's `mimeType`: 'OPUS', 'PCMU', 'PCMA', 'G722'… */
  selectedCodec?: string;
  /** Candidate type of the local end of the selected candidate pair. */
  localCandidateType?: CandidateType;
  /** Candidate type of the remote end of the selected candidate pair. */
  remoteCandidateType?: CandidateType;
  /** ICE transport state, from the transport stats' `iceState`. */
  iceState?: IceTransportState;
  /** State of the selected candidate pair. */
  selectedPairState?: CandidatePairState;
  /** Microphone level, 0..1: media-source `audioLevel`. */
  inputLevel?: number;
  /** Received audio level, 0..1: inbound-rtp `audioLevel`. */
  outputLevel?: number;
  /**
   * Growth of the microphone's `totalAudioEnergy` (media-source) during the
   * interval. Energy is Σ audioLevel² × seconds, so one second of a steady
   * level L adds L²; digital silence adds 0.
   */
  inputAudioEnergyDelta?: number;
  /** Growth of the received audio's `totalAudioEnergy` (inbound-rtp) during the interval; see `inputAudioEnergyDelta`. */
  inboundAudioEnergyDelta?: number;
  /** RTP payload bytes sent since the stream started (outbound-rtp `bytesSent`), cumulative. */
  bytesSent?: number;
  /** RTP payload bytes received since the stream started (inbound-rtp `bytesReceived`), cumulative. */
  bytesReceived?: number;
  /** RTP packets sent since the stream started (outbound-rtp `packetsSent`), cumulative. */
  packetsSent?: number;
  /** RTP packets received since the stream started (inbound-rtp `packetsReceived`), cumulative. */
  packetsReceived?: number;
  /** Inbound RTP payload bitrate over the interval, in kilobits per second. */
  inboundBitrateKbps?: number;
  /** Outbound RTP payload bitrate over the interval, in kilobits per second. */
  outboundBitrateKbps?: number;
  /** The video streams, while video flows (either way). */
  video?: VideoQuality;
}

/** The video part of a `QualitySample` (inbound-rtp / outbound-rtp of kind video). */
export interface VideoQuality {
  /** Frames per second: of the received video (inbound-rtp `framesPerSecond`), else of the sent one. */
  framesPerSecond?: number;
  /** Width of the received (else sent) frames, in pixels. */
  frameWidth?: number;
  /** Height of the received (else sent) frames, in pixels. */
  frameHeight?: number;
  /** Frames decoded since the video stream started (inbound-rtp `framesDecoded`), cumulative. */
  framesDecoded?: number;
  /** Received video RTP payload bitrate over the interval, in kilobits per second. */
  inboundBitrate?: number;
  /** Sent video RTP payload bitrate over the interval, in kilobits per second. */
  outboundBitrate?: number;
  /** Fraction of inbound video packets lost during the interval, 0..1. */
  inboundLoss?: number;
}

/**
 * The warning catalogue (see `warnings.ts`). Packet loss is two warnings so
 * that the direction is in the name an app switches on: inbound loss is the
 * local user's problem to hear, outbound loss the remote party's.
 */
export type WarningName =
  | 'high-rtt'
  | 'high-jitter'
  | 'high-inbound-packet-loss'
  | 'high-outbound-packet-loss'
  | 'low-mos'
  | 'silent-microphone'
  | 'no-inbound-audio'
  | 'ice-disconnected';

/** Whether a value is bad when it is above or below the threshold. */
export type WarningComparison = 'above' | 'below';

/** A warning is raised when `samples` of the last `window` samples are bad. */
export interface RaiseRule {
  /** How many bad samples raise the warning (k). Must be between 1 and `window`. */
  samples: number;
  /** How many recent samples are looked at (n). Must be at least 1. */
  window: number;
}

/** A raised warning clears after `samples` consecutive good samples. */
export interface ClearRule {
  /** Consecutive good samples that clear the warning (m). Must be at least 1. */
  samples: number;
}

/** When one warning is raised and cleared. */
export interface WarningThreshold {
  /** A sample is bad when its value is beyond this (in the metric's unit). */
  threshold: number;
  /**
   * A raised warning counts a sample as good only when its value is back
   * within this, which is at or inside `threshold` (hysteresis).
   * @default the `threshold`
   */
  clearThreshold?: number;
  /** When the warning is raised. */
  raise: RaiseRule;
  /** When the warning clears. */
  clear: ClearRule;
}

/** One rule per warning. */
export type QualityThresholds = { readonly [K in WarningName]: WarningThreshold };

/** How an app tunes the quality warnings. */
export interface QualityWarningOptions {
  /**
   * No warning but `ice-disconnected` is judged this long after the call is
   * accepted: the jitter buffer, the bandwidth estimate and the first RTCP
   * report all settle during the first seconds. In milliseconds.
   * @default 5000
   */
  gracePeriodMs?: number;
  /**
   * Per-warning overrides, merged over the defaults (`DEFAULT_QUALITY_THRESHOLDS`);
   * `false` turns a warning off.
   * @default {} (every warning on, with its default rule)
   */
  thresholds?: { readonly [K in WarningName]?: Partial<WarningThreshold> | false };
}

/** What the call machine knows that the stats do not. */
export interface CallFacts {
  /** The local microphone is muted. */
  muted: boolean;
  /** The call is on hold (either side put it there). */
  onHold: boolean;
  /** Time since the call was accepted, in milliseconds. */
  elapsedMs: number;
  /**
   * The peer connection's ICE state where the adapter knows it; fresher than
   * the sample's `iceState`, which it overrides.
   */
  iceState?: IceTransportState;
}
