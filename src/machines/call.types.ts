import type { ActorRef, Snapshot } from 'xstate';
import type { CallFact, CallPort, DtmfOptions, EndReason, NegotiatedMedia } from '../adapters/adapter';
import type { VoiceSDKError } from '../errors';
import type { QualitySample, WarningName } from '../quality/quality.types';
import type { CallReport, ReportState } from '../quality/report';
import type { WarningMachineInput, WarningNotice } from '../quality/warning.machine';

/** `'outbound'`: we placed the call; `'inbound'`: it came in. */
export type CallDirection = 'inbound' | 'outbound';

/** The five public statuses of a call; internal states map onto them. */
export type CallStatus = 'pending' | 'ringing' | 'accepted' | 'disconnected' | 'failed';

/** Why `disconnect` fired: an `EndReason`, or 'failed' after an error. */
export type DisconnectReason = EndReason | 'failed';

/** More about an end: `answered-after-cancel` — the far end's 2xx crossed our CANCEL, so we hung up with BYE. */
export type DisconnectDetail = 'answered-after-cancel';

/** What a call tells its device (the device decides the calls policy: call waiting, holding the others). */
export type CallToDevice =
  /** The call was accepted, or has ended. */
  | { type: 'CALL_STATUS'; callId: string; status: 'accepted' | 'ended' }
  /** Put every other accepted call on hold, then answer `OTHERS_HELD` (or `OTHERS_HOLD_FAILED`). */
  | { type: 'HOLD_OTHERS'; callId: string };

/** The device a call belongs to, as far as the call knows it: an actor that takes `CallToDevice`. */
export type CallDevice = ActorRef<Snapshot<unknown>, CallToDevice>;

export interface CallMachineInput {
  port: CallPort;
  /** The device that spawned the call (absent when the machine runs on its own: nothing to hold, nobody to tell). */
  device?: CallDevice;
  /** How often the stats actor samples, in ms. */
  qualityIntervalMs: number;
  /** How `sendDigits` sends tones. */
  dtmf: DtmfOptions;
  /** One warning actor per entry, while accepted. */
  warnings: WarningMachineInput[];
  /** No warning but ice-disconnected is judged this long after answer, in ms. */
  gracePeriodMs: number;
  /** How often `report` fires while accepted, in ms. */
  reportIntervalMs: number;
  /** The clock, epoch ms: the wall clock in the Device; tests pass fake time. */
  now: () => number;
}

export interface CallContext {
  port: CallPort;
  device: CallDevice | undefined;
  direction: CallDirection;
  qualityIntervalMs: number;
  dtmf: DtmfOptions;
  warnings: WarningMachineInput[];
  gracePeriodMs: number;
  reportIntervalMs: number;
  now: () => number;
  /** When the call was created (INVITE sent or received), epoch ms. */
  startedAt: number;
  /** When the call ended, epoch ms. */
  endedAt: number | undefined;
  /** Everything the call report summarises so far. */
  report: ReportState;
  /** Set when the call ends, as the `disconnect` event's reason. */
  endReason: DisconnectReason | undefined;
  /** Set with `endReason` when there is more to say. */
  endDetail: DisconnectDetail | undefined;
  /** The final SIP status the end came with (486, 603, 487, 404 …), when it came with one. */
  endStatus: number | undefined;
  /** The Reason header (RFC 3326) the end came with, cleaned and bounded. */
  endCause: string | undefined;
  /** terminate() while the answer was being set up: hang up as soon as it is. */
  hangUpWhenAnswered: boolean;
  /** Set when the call failed. */
  error: VoiceSDKError | undefined;
  /** When the call was accepted (epoch ms), for the report. */
  acceptedAt: number | undefined;
  /** Latest quality sample. */
  lastSample: QualitySample | undefined;
  /** The mute region is `on` (kept by its entry actions). */
  muted: boolean;
  /** On hold: the hold region is not `off` — from asking for hold until resuming is confirmed (kept by entry actions). */
  onHold: boolean;
  /** The far end put us on hold: the remoteHold region is `on` (kept by its entry actions). */
  remoteHeld: boolean;
  /** What the last completed offer/answer settled on (the DTMF method is chosen from it). */
  negotiated: NegotiatedMedia | undefined;
  /** The device's signalling socket is down (kept by the recovery region: `SOCKET_DOWN` until `SOCKET_UP`): a BYE waits for it. */
  socketDown: boolean;
  /** Refresh re-INVITEs retried since the socket came back (glare 491, or our own re-INVITE still in flight). */
  refreshRetries: number;
}

/** Why a call is reconnecting: its signalling socket was lost, or (later) its media path. */
export type ReconnectCause = 'signalling' | 'media';

/** Operations whose outcome a facade promise waits for. */
export type CallOperation =
  | 'invite'
  | 'accept'
  | 'reject'
  | 'hold'
  | 'resume'
  | 'mute'
  | 'hangup'
  | 'reconnect'
  | 'terminate'
  | 'cancel'
  | 'recording'
  | 'digits'
  | 'input-device'
  | 'output-device';

/** Events the call machine accepts. Upper case: things that happen to the call. */
export type CallEvent =
  // from the user, through the Call facade
  /** `holdOthers`: the device's other accepted calls are put on hold first. */
  | { type: 'ACCEPT'; holdOthers: boolean }
  | { type: 'REJECT'; statusCode: number }
  | { type: 'DISCONNECT' }
  /** End the call whatever its state: CANCEL, reject 486 or BYE. */
  | { type: 'TERMINATE' }
  | { type: 'HOLD' }
  | { type: 'UNHOLD'; holdOthers: boolean }
  | { type: 'MUTE' }
  | { type: 'UNMUTE' }
  | { type: 'START_RECORDING' }
  | { type: 'PAUSE_RECORDING' }
  | { type: 'RESUME_RECORDING' }
  | { type: 'STOP_RECORDING' }
  | { type: 'SEND_DIGITS'; digits: string; requestId: string }
  | { type: 'SET_INPUT_DEVICE'; deviceId: string; requestId: string }
  | { type: 'SET_OUTPUT_DEVICE'; deviceId: string; requestId: string }
  // from the device
  | { type: 'DEVICE_DESTROYED' }
  | { type: 'OTHERS_HELD' }
  | { type: 'OTHERS_HOLD_FAILED'; error: VoiceSDKError }
  /** The device lost its signalling socket. */
  | { type: 'SOCKET_DOWN' }
  /** The device's socket is back (and registered again, if it was registering): time to refresh the dialog. */
  | { type: 'SOCKET_UP' }
  // facts from the port (CallFact, type prefixed and upper-cased), through the session listener
  | PortEvent
  // from actors
  | { type: 'QUALITY'; sample: QualitySample }
  | { type: 'RECORDING_STOPPED'; blob: Blob }
  | { type: 'RECORDING_FAILED'; error: VoiceSDKError }
  | { type: 'REQUEST_DONE'; requestId: string }
  | { type: 'REQUEST_FAILED'; requestId: string; error: VoiceSDKError }
  // from the warning actors
  | WarningNotice;

/** A `CallFact` as the machine gets it: `{ type: 'final', status }` → `{ type: 'PORT.FINAL', status }`. */
export type PortEvent = {
  [K in CallFact['type']]: Omit<Extract<CallFact, { type: K }>, 'type'> & { type: `PORT.${Uppercase<K>}` };
}[CallFact['type']];

/**
 * Events the call machine emits. The lower-case public ones are re-emitted by
 * the Call facade; `request.settled` and `recording.stopped` let facade
 * promises settle.
 */
export type CallEmitted =
  | { type: 'ringing' }
  | { type: 'accepted' }
  | {
      type: 'disconnect';
      reason: DisconnectReason;
      detail: DisconnectDetail | undefined;
      status: number | undefined;
      cause: string | undefined;
      report: CallReport;
    }
  /** The dialog is confirmed (ACK sent or received). */
  | { type: 'confirmed' }
  /** The call's signalling (or, later, media) path was lost; the SDK is restoring it. */
  | { type: 'reconnecting'; cause: ReconnectCause }
  /** The path is back: the target-refresh re-INVITE was answered 2xx. */
  | { type: 'reconnected' }
  | { type: 'error'; error: VoiceSDKError; operation: CallOperation | undefined }
  | { type: 'mute'; muted: boolean }
  | { type: 'hold'; onHold: boolean }
  /** The far end put us on hold (its offer is sendonly / inactive / c=0.0.0.0) or took us off it. */
  | { type: 'remote-hold'; onHold: boolean }
  /** A digit the far end sent by SIP INFO. */
  | { type: 'dtmf'; digit: string; method: 'info'; durationMs: number | undefined }
  | { type: 'quality'; sample: QualitySample }
  | { type: 'warning'; name: WarningName; value: number; threshold: number }
  | { type: 'warning-cleared'; name: WarningName }
  | { type: 'report'; report: CallReport }
  | { type: 'recording.stopped'; blob: Blob }
  | { type: 'request.settled'; requestId: string; error: VoiceSDKError | undefined }
  /** A request that asked for what already is (hold when on hold, mute when muted): settled, nothing changed. */
  | { type: 'unchanged'; operation: CallOperation };
