/**
 * The Call facade's public types (event payloads, options) and its argument
 * checks: bad input is refused with `invalid-argument` before anything is sent.
 */
import { VoiceSDKError } from './errors';
import type { Call, CallHost } from './call';
import type { CallPort } from './adapters/adapter';
import type { DisconnectDetail, DisconnectReason, ReconnectCause, TransferState } from './machines/call.types';
import type { QualitySample, WarningName } from './quality/quality.types';
import type { CallReport } from './quality/report';
import type { CallInfo } from './sip/identity';
import type { CallTimer } from './machines/call.timing';

/** What `disconnect` tells: why the call ended. */
export interface DisconnectInfo {
  /** 'local-hangup', 'remote-hangup', 'canceled', 'busy', 'declined', 'rejected', 'answered-elsewhere', 'device-destroyed', 'transferred', 'replaced' or 'failed'. */
  reason: DisconnectReason;
  /** More about the end: `'answered-after-cancel'` when the far end's 2xx crossed our CANCEL and we hung up with BYE. */
  detail?: DisconnectDetail;
  /** The final SIP status the end came with, when it came with one: 486 / 603 (busy, declined, or ours when we rejected), 487 (our CANCEL), 404 … */
  status?: number;
  /** The Reason header the end came with (RFC 3326), e.g. `Q.850;cause=16` on a BYE or `SIP;cause=200;text="Call completed elsewhere"` on a CANCEL; control characters dropped, at most 256 characters. */
  cause?: string;
  /** The final call report. */
  report: CallReport;
}

/** A quality warning was raised. */
export interface QualityWarning {
  /** Which warning (`high-rtt`, `low-mos`, …). */
  name: WarningName;
  /** The sample value that raised it, in the metric's unit (ms, 0..1 loss, MOS…). */
  value: number;
  /** The threshold it crossed, same unit. */
  threshold: number;
}

/** A DTMF digit the far end sent. */
export interface ReceivedDtmf {
  /** One of 0-9 * # A-D. */
  digit: string;
  /** How it came: SIP INFO (browsers cannot see received RFC 4733 telephone-events). */
  method: 'info';
  /** The tone's duration from the INFO body (`Duration=`), in ms, when it said so. */
  durationMs?: number;
}

/** A step of our transfer (`transfer()`), as the `transfer` event tells it. */
export interface TransferProgress {
  /** `requested` (REFER sent), `accepted` (202), `trying` / `ringing` (the far end's NOTIFYs), `succeeded` or `failed`. */
  state: TransferState;
  /** The SIP status behind the step, when there is one: the REFER's refusal, or the referred call's sipfrag (100, 180, 200, 486 …). */
  status?: number;
}

/** We followed the far end's REFER (`onTransferRequest`): where to, and the new call. */
export interface ReferredInfo {
  /** The Refer-To URI (without its headers). */
  target: string;
  /** The new outbound call to `target` (also in `device.calls`). */
  call: Call;
}

/** What `onTransferRequest` is asked: the far end of `call` transfers it (REFER). */
export interface TransferRequest {
  /** The call the REFER came on. */
  call: Call;
  /** The Refer-To URI, without its headers. */
  target: string;
  /** An attended transfer: the Refer-To carries Replaces (the new call takes the place of a call at the target). */
  replaces: boolean;
}

/** `DeviceOptions.onTransferRequest`: follow, refuse (603), or decide per request (true follows). */
export type TransferRequestPolicy = 'follow' | 'refuse' | ((request: TransferRequest) => boolean | Promise<boolean>);

/** Events of a call: name → handler arguments. */
export type CallEvents = {
  /** Outbound: the far end is ringing (180/183). */
  ringing: [];
  /** The call is answered and media flows. */
  accepted: [];
  /** The dialog is confirmed: our ACK went out (outbound, with `accepted`) or the far end's ACK to our 200 arrived (inbound, a round trip after `accepted`). */
  confirmed: [];
  /**
   * A path of the call was lost. `cause: 'signalling'`: the device's WebSocket
   * dropped; the SDK refreshes the dialog once the device is connected and
   * registered again. `cause: 'media'`: ICE failed, stayed disconnected for
   * 2 s with no audio coming in, or the network changed; the SDK restarts ICE
   * (for at most `recovery.timeoutMs`, then `error` `media-lost`). Once per cause.
   */
  reconnecting: [info: { cause: ReconnectCause }];
  /** Every lost path is back: the target-refresh re-INVITE was answered (hold state kept) and media flows again. */
  reconnected: [];
  /** The call ended, for any reason (after `error` when it failed). */
  disconnect: [info: DisconnectInfo];
  /** Something went wrong: the call failed, or an operation (hold, recording…) did. */
  error: [error: VoiceSDKError];
  /** Mute changed. */
  mute: [muted: boolean];
  /** Hold changed (after the far end answered the re-INVITE). */
  hold: [onHold: boolean];
  /** The far end put us on hold (true: its offer is sendonly, inactive or c=0.0.0.0) or took us off it (false). */
  'remote-hold': [onHold: boolean];
  /** Our transfer (`transfer()`) went a step further. */
  transfer: [progress: TransferProgress];
  /** We followed the far end's REFER: `call` is the new call; this one ends `'transferred'` once that one is answered. */
  referred: [info: ReferredInfo];
  /** The far end sent a DTMF digit by SIP INFO (application/dtmf-relay or application/dtmf). */
  dtmf: [dtmf: ReceivedDtmf];
  /** A quality sample, every `qualityIntervalMs` (a Device option, default 1000 ms) while accepted. */
  quality: [sample: QualitySample];
  /** A quality warning was raised (high-rtt, high-jitter, low-mos, silent-microphone…). */
  warning: [warning: QualityWarning];
  /** A raised warning cleared (or was suppressed by mute/hold). */
  'warning-cleared': [info: { name: WarningName }];
  /** The call report so far, every `reportIntervalMs` (a Device option, default 3000 ms) while accepted. */
  report: [report: CallReport];
  /** `call.info` changed: the far end's identity (its P-Asserted-Identity, a new display name in the dialog), or the app's `setInfo`. */
  info: [change: InfoChange];
  /** The call timer, once a second (1000 ms, fixed) while accepted (until `stopTimer()`). */
  timer: [timer: CallTimer];
  /** Our video started (true) or stopped (false) going out: after `setVideo`, or as the far end's answer settled it. */
  video: [on: boolean];
  /** The far end's video started (true) or stopped (false) coming in. */
  'remote-video': [on: boolean];
  /** `localStream` or `remoteStream` was added or replaced (a camera added, the far end's video arriving). */
  stream: [info: { direction: 'local' | 'remote'; stream: MediaStream }];
};

/** What `accept()` takes. */
export interface AcceptOptions extends HoldOthersOptions {
  /** Answer an offered video stream with our camera too; without it an offered video stream is declined. @default false */
  video?: boolean;
}

export function acceptVideoOption(options: unknown): boolean {
  const { video = false } = options as AcceptOptions;
  return booleanArgument(video, "accept()'s video");
}

/** What the `info` event tells. */
export interface InfoChange {
  /** `call.info` now. */
  info: Readonly<CallInfo>;
  /** `call.info` before the change. */
  previous: Readonly<CallInfo>;
}

/**
 * The fields `call.setInfo()` sets: those of `call.info` ({@link CallInfo})
 * but `uri` (the far end's address, which the app cannot change), as
 * strings; `undefined` removes one.
 */
export type CallInfoUpdate = { [Field in keyof CallInfo as Field extends 'uri' ? never : Field]?: CallInfo[Field] | undefined } & {
  /** Not settable: `call.info.uri` is the far end's. */
  uri?: never;
};

/** What `setInfo` takes besides the fields. */
export interface SetInfoOptions {
  /**
   * `true`: manual mode for these fields — later updates of the far end's
   * identity leave them as set. `false` (default): the far end's next update
   * may overwrite them (and fields locked before are unlocked).
   * @default false
   */
  lock?: boolean;
}

export function setInfoLock(options: unknown): boolean {
  if (typeof options !== 'object' || options === null) throw new VoiceSDKError('invalid-argument', 'setInfo() takes { lock?: boolean }');
  const { lock = false } = options as SetInfoOptions;
  return booleanArgument(lock, "setInfo()'s lock");
}

/** What `accept()` and `hold(false)` take. */
export interface HoldOthersOptions {
  /** Put the device's other accepted calls on hold first, so that two calls never talk at once. @default true */
  holdOthers?: boolean;
}

export function holdOthersOption(options: unknown, what: string): boolean {
  if (typeof options !== 'object' || options === null) throw new VoiceSDKError('invalid-argument', `${what} takes { holdOthers?: boolean }`);
  const { holdOthers = true } = options as HoldOthersOptions;
  return booleanArgument(holdOthers, `${what}'s holdOthers`);
}

export function booleanArgument(value: unknown, what: string): boolean {
  if (typeof value !== 'boolean') throw new VoiceSDKError('invalid-argument', `${what} takes a boolean`);
  return value;
}

export function deviceIdArgument(id: unknown): string {
  if (typeof id !== 'string' || id === '') throw new VoiceSDKError('invalid-argument', 'A media device id must be a non-empty string');
  return id;
}

/** `run(args)` with the arguments `parse` checked; a `parse` that throws rejects instead, and nothing is sent. */
export function withArguments<A, T>(parse: () => A, run: (args: A) => Promise<T>): Promise<T> {
  let args: A;
  try {
    args = parse();
  } catch (error) {
    return Promise.reject(error);
  }
  return run(args);
}

/**
 * Where `call.transfer(target)` sends the REFER: the port of `other` (`target`
 * when it is a Call), another accepted call of the same device; else `target`
 * normalised by the call's device (`host`).
 * @throws VoiceSDKError `invalid-argument`, `invalid-state`
 */
export function transferTarget(call: Call, target: unknown, other: Call | undefined, host: CallHost | undefined): string | CallPort {
  if (other !== undefined) {
    if (other === call) throw new VoiceSDKError('invalid-argument', 'A call cannot be transferred to itself');
    const device = call.actor.getSnapshot().context.device;
    const context = other.actor.getSnapshot().context;
    if (device === undefined || context.device !== device) {
      throw new VoiceSDKError('invalid-argument', 'transfer(call) takes another call of the same device');
    }
    if (other.getStatus() !== 'accepted') {
      throw new VoiceSDKError('invalid-state', `transfer(call) needs the other call accepted (it is ${other.getStatus()})`);
    }
    return context.port;
  }
  if (host === undefined) throw new VoiceSDKError('invalid-state', 'transfer() needs a call of a Device');
  return host.normalizeTarget(target);
}
