import type { CallPort, DtmfOptions, EndReason, NegotiatedMedia } from '../adapters/adapter';
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

export interface CallMachineInput {
  port: CallPort;
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
}

export interface CallContext {
  port: CallPort;
  direction: CallDirection;
  qualityIntervalMs: number;
  dtmf: DtmfOptions;
  warnings: WarningMachineInput[];
  gracePeriodMs: number;
  reportIntervalMs: number;
  /** When the call was created (INVITE sent or received), epoch ms. */
  startedAt: number;
  /** When the call ended, epoch ms. */
  endedAt: number | undefined;
  /** Everything the call report summarises so far. */
  report: ReportState;
  /** Set when the call ends, as the `disconnect` event's reason. */
  endReason: DisconnectReason | undefined;
  /** Set when the call failed. */
  error: VoiceSDKError | undefined;
  /** When the call was accepted (epoch ms), for the report. */
  acceptedAt: number | undefined;
  /** Latest quality sample. */
  lastSample: QualitySample | undefined;
  /** What the last completed offer/answer settled on (the DTMF method is chosen from it). */
  negotiated: NegotiatedMedia | undefined;
}

/** Operations whose outcome a facade promise waits for. */
export type CallOperation =
  | 'invite'
  | 'accept'
  | 'reject'
  | 'hold'
  | 'resume'
  | 'hangup'
  | 'cancel'
  | 'recording'
  | 'digits'
  | 'input-device'
  | 'output-device';

/** Events the call machine accepts. Upper case: things that happen to the call. */
export type CallEvent =
  // from the user, through the Call facade
  | { type: 'ACCEPT' }
  | { type: 'REJECT'; statusCode: number }
  | { type: 'DISCONNECT' }
  | { type: 'HOLD' }
  | { type: 'UNHOLD' }
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
  // from the wire, through the session listener
  | { type: 'REMOTE_RINGING' }
  | { type: 'REMOTE_ANSWERED' }
  | { type: 'REMOTE_DECLINED'; reason: 'busy' | 'declined'; status: number }
  | { type: 'REMOTE_ENDED'; reason: 'remote-hangup' | 'canceled' | 'answered-elsewhere' }
  | { type: 'SESSION_FAILED'; error: VoiceSDKError }
  | ({ type: 'NEGOTIATED' } & NegotiatedMedia)
  // from actors
  | { type: 'QUALITY'; sample: QualitySample }
  | { type: 'RECORDING_STOPPED'; blob: Blob }
  | { type: 'RECORDING_FAILED'; error: VoiceSDKError }
  | { type: 'REQUEST_DONE'; requestId: string }
  | { type: 'REQUEST_FAILED'; requestId: string; error: VoiceSDKError }
  // from the warning actors
  | WarningNotice;

/**
 * Events the call machine emits. The lower-case public ones are re-emitted by
 * the Call facade; `request.settled` and `recording.stopped` let facade
 * promises settle.
 */
export type CallEmitted =
  | { type: 'ringing' }
  | { type: 'accepted' }
  | { type: 'disconnect'; reason: DisconnectReason; report: CallReport }
  | { type: 'error'; error: VoiceSDKError; operation: CallOperation | undefined }
  | { type: 'mute'; muted: boolean }
  | { type: 'hold'; onHold: boolean }
  | { type: 'quality'; sample: QualitySample }
  | { type: 'warning'; name: WarningName; value: number; threshold: number }
  | { type: 'warning-cleared'; name: WarningName }
  | { type: 'report'; report: CallReport }
  | { type: 'recording.stopped'; blob: Blob }
  | { type: 'request.settled'; requestId: string; error: VoiceSDKError | undefined };
