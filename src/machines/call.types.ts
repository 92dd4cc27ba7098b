import type { ActorRef, Snapshot } from 'xstate';
import type { CallFact, CallPort, DtmfOptions, EndReason, NegotiatedMedia, RemoteParty } from '../adapters/adapter';
import type { CallInfo } from '../sip/identity';
import type { CallTimer } from './call.timing';
import type { VoiceSDKError } from '../errors';
import type { QualitySample, WarningName } from '../quality/quality.types';
import type { CallReport, ReportState } from '../quality/report';
import type { WarningMachineInput, WarningNotice } from '../quality/warning.machine';
import type { SoundPlayer } from '../sounds/sounds';

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
  | { type: 'HOLD_OTHERS'; callId: string }
  /** The call accepted a REFER (202): place the referred call, then answer `REFER_FOLLOWED` (or `REFER_NOT_FOLLOWED`). */
  | { type: 'FOLLOW_REFER'; callId: string }
  /** The call (an INVITE with Replaces) is accepted: the call it replaces ends `'replaced'`. */
  | { type: 'CALL_REPLACED'; callId: string; replacedId: string };

/** What a REFER asks of the transferee, for its transfer policy. */
export interface TransferRequestFacts {
  /** The id of the call the REFER came on. */
  callId: string;
  /** The Refer-To URI, without its headers. */
  target: string;
  /** The Refer-To carries Replaces (an attended transfer). */
  replaces: boolean;
}

/** What a call does with a REFER: follow it, refuse it (603), or ask (true: follow). */
export type TransferPolicy = 'follow' | 'refuse' | ((request: TransferRequestFacts) => boolean | Promise<boolean>);

/** The transfer event's states, in the order a transfer goes through them. */
export type TransferState = 'requested' | 'accepted' | 'trying' | 'ringing' | 'succeeded' | 'failed';


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
  /** How long restoring a lost media path may take before the call fails `media-lost`, in ms. */
  recoveryTimeoutMs: number;
  /** The clock, epoch ms: the wall clock in the Device; tests pass fake time. */
  now: () => number;
  /** What to do with a REFER from the far end. @default 'refuse' (a machine on its own has nobody to place the referred call) */
  transferPolicy?: TransferPolicy;
  /** Inbound: the id of the call this INVITE replaces (Replaces matched it): answered without accept(). */
  replaces?: string;
  /** Where the call's sounds play (ringtone, ringback, keypad, disconnect); none: silent. */
  sounds?: SoundPlayer;
  /** Outbound: the INVITE offers video (`connect({ video: true })`). */
  video?: boolean;
  /**
   * The microphone the call opens (`deviceId`; the device's choice when the
   * call was made): outbound the port got it with the INVITE request,
   * inbound `answer()` opens it. @default 'default'
   */
  inputDeviceId?: string;
  /** The output the far end's audio plays on from the start, early media included (the device's choice). @default 'default' */
  outputDeviceId?: string;
  /** Inbound: another call of the device is accepted, so it rings with the call-waiting tone. @default false */
  othersTalking?: boolean;
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
  recoveryTimeoutMs: number;
  now: () => number;
  sounds: SoundPlayer | undefined;
  /** The microphone the call's media opens with (see `CallMachineInput.inputDeviceId`). */
  inputDeviceId: string;
  /** The output the call plays on before it is accepted (see `CallMachineInput.outputDeviceId`). */
  outputDeviceId: string;
  /** Output devices asked for before the answer so far (each request actor gets its own id). */
  outputRequests: number;
  /** Another call of the device is accepted (the device says so while this one rings): the call-waiting tone, not the ringtone. */
  othersTalking: boolean;
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
  /** hold() came while a resume was under way: hold again once it is done (a resume cannot be called back). */
  holdAfterResume: boolean;
  /** The far end put us on hold: the remoteHold region is `on` (kept by its entry actions). */
  remoteHeld: boolean;
  /** What the last completed offer/answer settled on (the DTMF method is chosen from it). */
  negotiated: NegotiatedMedia | undefined;
  /** The device's signalling socket is down (kept by the recovery region: `SOCKET_DOWN` until `SOCKET_UP`): a BYE waits for it. */
  socketDown: boolean;
  /** What to do with a REFER from the far end. */
  transferPolicy: TransferPolicy;
  /** Inbound: the id of the call this one replaces (an INVITE with Replaces). */
  replaces: string | undefined;
  /** Our transfer: where the REFER goes (a SIP URI, or the port of the call whose far end takes this one's place). */
  transferTo: string | CallPort | undefined;
  /** The far end's REFER being decided or followed. */
  referral: { target: string; replaces: boolean; id: string } | undefined;
  /** The signalling path is being recovered (the recovery region left `connected` until its refresh settles). */
  signallingLost: boolean;
  /** The media path is being restored (the media region is `restarting`). */
  mediaLost: boolean;
  /** The ICE connection state of the last `media` fact (`new` before any). */
  ice: string;
  /** Inbound bytes when ICE went `disconnected` (the stall is confirmed when they do not grow). */
  stallBytes: number | undefined;
  /** ICE restarts sent in this recovery (the backoff grows with them). */
  restartAttempts: number;
  /** What the far end's headers said about it so far (the port's `remoteParty`, merged with `identity` facts). */
  party: RemoteParty;
  /** `call.info`: the far end's identity (cleaned) with the app's fields. */
  info: CallInfo;
  /** Fields of `info` the app locked (`setInfo(…, { lock: true })`): the far end's updates leave them. */
  infoLocked: string[];
  /** When the current hold was asked for (the hold region entered `holding`), epoch ms; undefined when not on hold. */
  heldSince: number | undefined;
  /** The spans of the holds that ended, in ms. */
  heldMs: number;
  /** We asked for video: `connect({ video })`, `accept({ video })`, then `setVideo()` (set when asked, rolled back on failure). */
  videoWanted: boolean;
  /** Our camera goes out (the last `video` fact). */
  videoSending: boolean;
  /** The far end's video comes in (the last `video` fact). */
  videoReceiving: boolean;
  /** The last local / remote stream the port reported. */
  localStream: MediaStream | undefined;
  remoteStream: MediaStream | undefined;
  /** Refresh re-INVITEs retried since the socket came back (glare 491, or our own re-INVITE still in flight). */
  refreshRetries: number;
}

/** Why a call is reconnecting: its signalling socket was lost, or its media path (ICE). */
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
  | 'output-device'
  | 'transfer'
  | 'timer'
  | 'video'
  | 'video-input-device';

/** Events the call machine accepts. Upper case: things that happen to the call. */
export type CallEvent =
  // from the user, through the Call facade
  /** `holdOthers`: the device's other accepted calls are put on hold first. */
  | { type: 'ACCEPT'; holdOthers: boolean; video?: boolean }
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
  /** transfer(): REFER to a SIP URI (blind) or to the far end of another call (attended: with Replaces). */
  | { type: 'TRANSFER'; to: string | CallPort }
  /** `setInfo`: the app's fields (already checked); `lock` locks or unlocks them against the far end's updates. */
  | { type: 'SET_INFO'; fields: Record<string, string | undefined>; lock: boolean }
  /** `stopTimer()`: no more `timer` events. */
  | { type: 'STOP_TIMER' }
  /** `setVideo(on)`: add or remove our video by re-INVITE. */
  | { type: 'SET_VIDEO'; on: boolean }
  | { type: 'SET_VIDEO_INPUT_DEVICE'; deviceId: string; requestId: string }
  // from the device
  | { type: 'DEVICE_DESTROYED' }
  /** The device's calls open microphone `deviceId` from now on (`device.audio`); a ringing inbound call answers with it. */
  | { type: 'INPUT_DEVICE_CHOSEN'; deviceId: string }
  /** The device's calls play on output `deviceId` from now on; one not yet accepted moves there now. */
  | { type: 'OUTPUT_DEVICE_CHOSEN'; deviceId: string }
  /** Whether another call of the device is accepted now (told on every accepted or ended call). */
  | { type: 'OTHERS_TALKING'; talking: boolean }
  | { type: 'OTHERS_HELD' }
  | { type: 'OTHERS_HOLD_FAILED'; error: VoiceSDKError }
  /** The device lost its signalling socket. */
  | { type: 'SOCKET_DOWN' }
  /** The device's socket is back (and registered again, if it was registering): time to refresh the dialog. */
  | { type: 'SOCKET_UP' }
  /** The referred call `callId` is placed (`FOLLOW_REFER`); the device tells how it goes. */
  | { type: 'REFER_FOLLOWED'; callId: string }
  /** The referred call could not be placed. */
  | { type: 'REFER_NOT_FOLLOWED'; error: VoiceSDKError }
  /** The call that replaces this one (an INVITE with Replaces) is accepted. */
  | { type: 'REPLACED' }
  /** The referred call was accepted, or ended without being accepted. */
  | { type: 'REFERRED_CALL_ACCEPTED' }
  | { type: 'REFERRED_CALL_ENDED' }
  /** The browser says the network changed or came back (`online`): the media path may be gone. */
  | { type: 'NETWORK_CHANGED' }
  // raised by the call itself
  /** The recovery region's refresh settled: the media region may send its ICE restart. */
  | { type: 'SIGNALLING_BACK' }
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
  /** The call's signalling or media path was lost; the SDK is restoring it (once per cause). */
  | { type: 'reconnecting'; cause: ReconnectCause }
  /** Every lost path is back: the target-refresh re-INVITE was answered 2xx; media flows again after an ICE restart. */
  | { type: 'reconnected' }
  | { type: 'error'; error: VoiceSDKError; operation: CallOperation | undefined }
  | { type: 'mute'; muted: boolean }
  | { type: 'hold'; onHold: boolean }
  /** The far end put us on hold (its offer is sendonly / inactive / c=0.0.0.0) or took us off it. */
  | { type: 'remote-hold'; onHold: boolean }
  /** Our transfer went a step further (`status`: the REFER's response or the sipfrag's; `error` when it failed). */
  | { type: 'transfer'; state: TransferState; status: number | undefined; error: VoiceSDKError | undefined }
  /** We followed the far end's REFER: `callId` is the referred call, placed by the device. */
  | { type: 'referred'; target: string; callId: string }
  /** A digit the far end sent by SIP INFO. */
  | { type: 'dtmf'; digit: string; method: 'info'; durationMs: number | undefined }
  | { type: 'quality'; sample: QualitySample }
  /** `call.info` changed (the far end's identity, or the app's `setInfo`). */
  | { type: 'info'; info: CallInfo; previous: CallInfo }
  /** Our video started or stopped going out (from the `video` facts). */
  | { type: 'video'; on: boolean }
  /** The far end's video started or stopped coming in. */
  | { type: 'remote-video'; on: boolean }
  /** A local or remote stream was added or replaced (got a new track). */
  | { type: 'stream'; direction: 'local' | 'remote'; stream: MediaStream }
  /** `setVideo` settled: the re-INVITE was answered. */
  | { type: 'video.switched'; on: boolean }
  /** Once a second while accepted (until `stopTimer()`). */
  | { type: 'timer'; timer: CallTimer }
  | { type: 'warning'; name: WarningName; value: number; threshold: number }
  | { type: 'warning-cleared'; name: WarningName }
  | { type: 'report'; report: CallReport }
  | { type: 'recording.stopped'; blob: Blob }
  | { type: 'request.settled'; requestId: string; error: VoiceSDKError | undefined }
  /** A request that asked for what already is (hold when on hold, mute when muted): settled, nothing changed. */
  | { type: 'unchanged'; operation: CallOperation };

/** The call machine's actor sources (its `setup({ actors })`). */
export type CallActorSource =
  | 'sessionListener'
  | 'inviteActor'
  | 'acceptActor'
  | 'rejectActor'
  | 'cancelActor'
  | 'byeActor'
  | 'reinviteActor'
  | 'recorderActor'
  | 'requestActor'
  | 'statsActor'
  | 'warningMachine'
  | 'referActor'
  | 'transferDecisionActor'
  | 'soundActor';

/**
 * The call machine's children, spelled out so the published .d.ts is valid
 * without skipLibCheck: invoked ids, plus the spawned requests and warnings
 * by dynamic id.
 */
export type CallChildren = {
  [id: string]: CallActorSource;
  sessionListener: 'sessionListener';
  inviteActor: 'inviteActor';
  acceptActor: 'acceptActor';
  rejectActor: 'rejectActor';
  cancelActor: 'cancelActor';
  byeActor: 'byeActor';
  holdReinvite: 'reinviteActor';
  videoReinvite: 'reinviteActor';
  resumeReinvite: 'reinviteActor';
  refreshReinvite: 'reinviteActor';
  iceRestartReinvite: 'reinviteActor';
  recorder: 'recorderActor';
  statsActor: 'statsActor';
  referActor: 'referActor';
  transferDecision: 'transferDecisionActor';
  ringtone: 'soundActor';
  callWaitingTone: 'soundActor';
  ringback: 'soundActor';
  keypadTone: 'soundActor';
};
