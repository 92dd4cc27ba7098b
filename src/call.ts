/**
 * The Call facade: promises and typed events over one call actor. It holds no
 * call state of its own; every getter reads the actor's snapshot.
 */
import type { Invitation, Inviter } from 'sip.js';
import type { ActorRefFrom } from 'xstate';
import { VoiceSDKError } from './errors';
import { TypedEmitter } from './events';
import { callMachine, callStatus, isMuted, isOnHold, isRecording, isReconnecting, isRemoteOnHold, reportOf, type CallSnapshot } from './machines/call.machine';
import type { CallDirection, CallEmitted, CallEvent, CallOperation, CallStatus } from './machines/call.types';
import type { QualitySample } from './quality/quality.types';
import type { CallReport } from './quality/report';
import {
  acceptVideoOption,
  booleanArgument,
  deviceIdArgument,
  holdOthersOption,
  setInfoLock,
  type AcceptOptions,
  type CallEvents,
  type HoldOthersOptions,
  type SetInfoOptions,
} from './call.api';
import type { CallPort } from './adapters/adapter';
import { parseInfoPartial, type CallInfo } from './sip/identity';
import { timerOf, type CallTimer } from './machines/call.timing';

export type {
  AcceptOptions,
  CallEvents,
  DisconnectInfo,
  HoldOthersOptions,
  InfoChange,
  QualityWarning,
  ReceivedDtmf,
  ReferredInfo,
  SetInfoOptions,
  TransferProgress,
  TransferRequest,
  TransferRequestPolicy,
} from './call.api';
import { parseDtmfDigits } from './sip/dtmf-digits';
import { paramForKey } from './sip/headers';
import { BUSY_STATUS, parseRejectStatus } from './sip/responses';
import { sendAndSettle, type Outcome } from './settle';

/** The actor of one call (`call.actor`): `callMachine` running. */
export type CallActorRef = ActorRefFrom<typeof callMachine>;

/**
 * What {@link Call.session} gives with the SIP.js adapter (the default): the
 * SIP.js `Inviter` of an outbound call or `Invitation` of an inbound one.
 * A type-only import: it costs nothing in a bundle.
 */
export type SipJsSession = Inviter | Invitation;

let requestSequence = 0;

/** What a Call asks of its Device: the facade of another call, and a transfer target normalised like `connect({ to })`. */
export interface CallHost {
  /** The Call of the device's call `callId`, while the device holds it. */
  callOf(callId: string): Call | undefined;
  /** `to` as the device's `connect({ to })` would call it. @throws VoiceSDKError `invalid-argument` */
  normalizeTarget(to: unknown): string;
}

const DONE = { value: undefined };

/**
 * One call, inbound or outbound: promises and typed events over its
 * statechart actor. Get one from `device.connect()` or the device's
 * `incoming` event.
 */
export class Call extends TypedEmitter<CallEvents> {
  readonly #actor: CallActorRef;
  readonly #unsubscribe: () => void;
  readonly #host: CallHost | undefined;
  readonly #replaces: Call | undefined;

  /** Created by the Device (`device.connect()`, the `incoming` event); apps do not construct calls. */
  constructor(actor: CallActorRef, host?: CallHost) {
    super();
    this.#actor = actor;
    this.#host = host;
    // Looked up now: the replaced call is let go by the device once it has ended.
    const replaces = actor.getSnapshot().context.replaces;
    this.#replaces = replaces === undefined ? undefined : host?.callOf(replaces);
    this.#unsubscribe = actor.on('*', (event) => this.#forward(event)).unsubscribe;
  }

  /**
   * Inbound, an attended transfer's new call: the call of this device that it
   * replaces (its INVITE carried Replaces). Such a call is answered without
   * `accept()`, and the replaced call ends `'replaced'` once it is.
   */
  get replaces(): Call | undefined {
    return this.#replaces;
  }

  /** The call id, unique on this device. */
  get id(): string {
    return this.#actor.id;
  }

  /** `'outbound'` when we placed the call, `'inbound'` when it came in. */
  get direction(): CallDirection {
    return this.#snapshot.context.direction;
  }

  /** The far end: the E.164 number when the user part is one, else the SIP URI without parameters (`sip:1002@pbx.example.com`). */
  get remoteIdentity(): string {
    return this.#snapshot.context.port.remoteIdentity;
  }

  /** Inbound: the `<prefix>*` headers of the INVITE, prefix stripped (`X-Callchart-TicketId` → `ticketId`). Outbound: the params sent. */
  get customHeaders(): Readonly<Record<string, string>> {
    const headers: Record<string, string> = {};
    for (const [key, value] of Object.entries(this.#snapshot.context.port.customHeaders)) headers[paramForKey(key)] = value;
    return headers;
  }

  /**
   * Who the far end is: `uri`, and from its headers `displayName` and
   * `number` (P-Asserted-Identity, else Remote-Party-ID, else From/To),
   * cleaned and bounded; plus the fields the app set with `setInfo`.
   * Updated when the far end's identity changes in the dialog (`info` event).
   */
  get info(): Readonly<CallInfo> {
    return this.#snapshot.context.info;
  }

  /**
   * Sets fields of `call.info` (`avatar`, `company`, your own; `undefined`
   * removes one). With `{ lock: true }` the far end's later identity updates
   * leave these fields as set. Emits `info` when something changed.
   * @throws VoiceSDKError `invalid-argument` for non-string or over-long (> 1 KB) values, `invalid-state` once the call is over.
   */
  setInfo(fields: Partial<CallInfo>, options: SetInfoOptions = {}): void {
    const lock = setInfoLock(options);
    const valid = parseInfoPartial(fields, (message) => new VoiceSDKError('invalid-argument', message));
    // The chart takes SET_INFO in every state; an ended call's actor is done.
    if (this.#snapshot.status !== 'active') throw this.#wrongState('setInfo() needs a call that is not over');
    this.#sendOrThrow({ type: 'SET_INFO', fields: valid, lock }, 'setInfo() needs a call that is not over');
  }

  /**
   * The call's times and durations (ms) from its chart: started, answered,
   * ended, ringing, talking (answered and not on hold) and on hold. Goes on
   * after `stopTimer()`; frozen once the call has ended.
   */
  getTimer(): CallTimer {
    return timerOf(this.#snapshot.context);
  }

  /** Stops the `timer` events (not the timer: `getTimer()` goes on). Idempotent on an accepted call. */
  stopTimer(): void {
    this.#sendOrThrow({ type: 'STOP_TIMER' }, 'stopTimer() works on an accepted call');
  }

  /**
   * Escape hatch: the raw SIP.js `Inviter` (outbound) or `Invitation`
   * (inbound). Not covered by semver. Typed for the SIP.js adapter that apps
   * ship with; another adapter's call gives its own object here (the fake
   * network of `callchart/testing` a `FakeSession`), so check before use
   * (`call.session instanceof Inviter`) when the adapter can vary.
   */
  get session(): SipJsSession {
    return this.#snapshot.context.port.session as SipJsSession;
  }

  /** The call's statechart actor, for inspection. */
  get actor(): CallActorRef {
    return this.#actor;
  }

  /** `'pending'`, `'ringing'`, `'accepted'`, `'disconnected'` or `'failed'`, read from the chart. */
  getStatus(): CallStatus {
    return callStatus(this.#snapshot);
  }

  /** Whether our microphone is muted (`mute()`). */
  isMuted(): boolean {
    return isMuted(this.#snapshot);
  }

  /** Whether we put the call on hold (from the answered re-INVITE until the resume is answered). */
  isOnHold(): boolean {
    return isOnHold(this.#snapshot);
  }

  /** Whether the far end put us on hold (its last re-INVITE offered sendonly, inactive or c=0.0.0.0). */
  isRemoteOnHold(): boolean {
    return isRemoteOnHold(this.#snapshot);
  }

  /**
   * Whether the call is restoring a lost path: the device's socket was lost
   * and the target-refresh re-INVITE has not been answered yet, or its media
   * path is being restored by ICE restarts — from `reconnecting` until
   * `reconnected`. `getStatus()` stays `'accepted'` meanwhile.
   */
  isReconnecting(): boolean {
    return isReconnecting(this.#snapshot);
  }

  /** Whether a recording is running (started and not stopped; paused counts). */
  isRecording(): boolean {
    return isRecording(this.#snapshot);
  }

  /** The last quality sample, if any. */
  getLastQualitySample(): QualitySample | undefined {
    return this.#snapshot.context.lastSample;
  }

  /** The call report so far: duration, setup time, min/avg/max of rtt, jitter, loss, MOS, codec, candidates, warnings. */
  getReport(): CallReport {
    return reportOf(this.#snapshot.context);
  }

  /** The call's peer connection, when media is set up (for your own stats). */
  getPeerConnection(): RTCPeerConnection | undefined {
    return this.#snapshot.context.port.getPeerConnection();
  }

  /**
   * Inbound: answers the call. Resolves once media is set up. With
   * `video: true` an offered video stream is answered with our camera (else
   * it is declined). With
   * `holdOthers` (default true) the device's other accepted calls are put on
   * hold first, so answering a waiting call never leaves two calls talking;
   * if one of those holds fails, accept() rejects with its error and the call
   * keeps ringing.
   */
  accept(options: AcceptOptions = {}): Promise<void> {
    let holdOthers: boolean;
    let video: boolean;
    try {
      holdOthers = holdOthersOption(options, 'accept()');
      video = acceptVideoOption(options);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#run({ type: 'ACCEPT', holdOthers, video }, 'accept', 'accept() is for inbound calls that are ringing', (e) =>
      e.type === 'accepted' ? DONE : undefined,
    );
  }

  /** Inbound: rejects the call; 486 (busy, default) or 603 (decline / do-not-disturb). */
  reject(statusCode = BUSY_STATUS): Promise<void> {
    try {
      parseRejectStatus(statusCode);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#run({ type: 'REJECT', statusCode }, 'reject', 'reject() is for inbound calls that are ringing', (e) =>
      e.type === 'disconnect' ? DONE : undefined,
    );
  }

  /** Hangs up an answered call, or cancels an unanswered outbound one. Resolves when the call has ended. */
  disconnect(): Promise<void> {
    return this.#run({ type: 'DISCONNECT' }, 'hangup', 'The call is ending or has ended', (e) =>
      e.type === 'disconnect' ? DONE : undefined,
    );
  }

  /**
   * Ends the call whatever its state: CANCEL (outbound, not answered yet),
   * reject 486 (inbound, ringing), or BYE (answered; an answer being set up is
   * hung up once it is). Resolves when the call has ended, at once when it has
   * already; a call already ending is waited for.
   */
  terminate(): Promise<void> {
    const status = this.getStatus();
    if ((status === 'disconnected' || status === 'failed') && this.#snapshot.status !== 'active') return Promise.resolve();
    return this.#run({ type: 'TERMINATE' }, 'terminate', 'The call cannot be terminated now', (e) =>
      e.type === 'disconnect' ? DONE : undefined,
    );
  }

  /** Mutes or unmutes the microphone (no signalling). Idempotent. */
  mute(shouldMute = true): void {
    booleanArgument(shouldMute, 'mute()');
    this.#sendOrThrow({ type: shouldMute ? 'MUTE' : 'UNMUTE' }, 'mute() works on an accepted call');
  }

  /**
   * Holds (re-INVITE with a=sendonly) or resumes; resolves when the far end
   * answered. Idempotent. Resuming with `holdOthers` (default true) puts the
   * device's other accepted calls on hold first.
   */
  hold(shouldHold = true, options: HoldOthersOptions = {}): Promise<void> {
    let holdOthers: boolean;
    try {
      booleanArgument(shouldHold, 'hold()');
      holdOthers = holdOthersOption(options, 'hold()');
    } catch (error) {
      return Promise.reject(error);
    }
    const operation = shouldHold ? 'hold' : 'resume';
    const event: CallEvent = shouldHold ? { type: 'HOLD' } : { type: 'UNHOLD', holdOthers };
    return this.#run(event, operation, `${operation} is not possible now`, (e) =>
      (e.type === 'hold' && e.onHold === shouldHold) || (e.type === 'unchanged' && e.operation === operation) ? DONE : undefined,
    );
  }

  /**
   * Transfers the call (REFER). A string (E.164 number, user or SIP URI,
   * normalised like `connect({ to })`) is a blind transfer; another accepted
   * Call of this device is an attended one (REFER with Replaces: its far end
   * takes that call's place). Emits `transfer` at each step; resolves when
   * the far end reports the referred call answered (NOTIFY with a 2xx
   * sipfrag): this call then ends `'transferred'`. Rejects `transfer-failed`
   * (`status`: the REFER's refusal or the referred call's failure) and the
   * call stays as it was; `invalid-argument` / `invalid-state` send nothing.
   */
  transfer(target: string | Call): Promise<void> {
    let to: string | CallPort;
    try {
      to = this.#transferTarget(target);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#run({ type: 'TRANSFER', to }, 'transfer', 'transfer() needs an accepted call with no transfer under way', (e) => {
      if (e.type !== 'transfer') return undefined;
      if (e.state === 'succeeded') return DONE;
      return e.state === 'failed' ? { error: e.error ?? new VoiceSDKError('transfer-failed', 'The transfer did not complete') } : undefined;
    });
  }

  /** Sends DTMF digits (0-9 * # A-D, `,` a 2 s pause). Resolves once the tones were handed over. */
  sendDigits(digits: string): Promise<void> {
    let valid: string;
    try {
      valid = parseDtmfDigits(digits);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#request((requestId) => ({ type: 'SEND_DIGITS', digits: valid, requestId }), 'digits');
  }

  /** Replaces the microphone (sending track) with another input device. */
  setInputDevice(deviceId: string): Promise<void> {
    try {
      deviceIdArgument(deviceId);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#request((requestId) => ({ type: 'SET_INPUT_DEVICE', deviceId, requestId }), 'input-device');
  }

  /** Plays the far end's audio on another output device (setSinkId). */
  setOutputDevice(deviceId: string): Promise<void> {
    try {
      deviceIdArgument(deviceId);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#request((requestId) => ({ type: 'SET_OUTPUT_DEVICE', deviceId, requestId }), 'output-device');
  }

  /** Whether our camera goes out (as the last offer/answer settled it). */
  hasVideo(): boolean {
    return this.#snapshot.context.videoSending;
  }

  /** Whether the far end's video comes in. */
  hasRemoteVideo(): boolean {
    return this.#snapshot.context.videoReceiving;
  }

  /** Our media: the microphone (and camera) tracks, once the call has them. */
  get localStream(): MediaStream | undefined {
    return this.#snapshot.context.localStream;
  }

  /** The far end's media: its audio (and video) tracks, once they arrive. */
  get remoteStream(): MediaStream | undefined {
    return this.#snapshot.context.remoteStream;
  }

  /**
   * Adds (true) or removes (false) our camera by re-INVITE on an accepted
   * call; the hold state is kept. Resolves on the far end's answer
   * (`video` fires when what flows changed). Camera refused or missing →
   * rejects `media-denied` / `device-not-found`, nothing is sent and the
   * call stays as it was. Idempotent.
   */
  setVideo(on: boolean): Promise<void> {
    try {
      booleanArgument(on, 'setVideo()');
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#run({ type: 'SET_VIDEO', on }, 'video', 'setVideo() works on an accepted call that is not changing its video', (e) =>
      (e.type === 'video.switched' && e.on === on) || (e.type === 'unchanged' && e.operation === 'video') ? DONE : undefined,
    );
  }

  /** Switches the camera (sending track) to another video input device; `invalid-state` when no video is sent. */
  setVideoInputDevice(deviceId: string): Promise<void> {
    try {
      deviceIdArgument(deviceId);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#request((requestId) => ({ type: 'SET_VIDEO_INPUT_DEVICE', deviceId, requestId }), 'video-input-device');
  }

  /** Starts recording a mix of local and remote audio. */
  startRecording(): void {
    this.#sendOrThrow({ type: 'START_RECORDING' }, 'startRecording() needs an accepted call that is not recording');
  }

  /** Pauses the recording; the paused span is left out of the result. */
  pauseRecording(): void {
    this.#sendOrThrow({ type: 'PAUSE_RECORDING' }, 'pauseRecording() needs a running recording');
  }

  /** Resumes a paused recording. */
  resumeRecording(): void {
    this.#sendOrThrow({ type: 'RESUME_RECORDING' }, 'resumeRecording() needs a paused recording');
  }

  /** Stops recording; resolves with the recording (audio/webm, Opus). Paused spans are left out. */
  stopRecording(): Promise<Blob> {
    return this.#run({ type: 'STOP_RECORDING' }, 'recording', 'stopRecording() needs a recording in progress', (e) =>
      e.type === 'recording.stopped' ? { value: e.blob } : undefined,
    );
  }

  get #snapshot(): CallSnapshot {
    return this.#actor.getSnapshot();
  }

  /** Where `transfer(target)` sends the REFER: a normalised URI, or the port of another accepted call of this device. */
  #transferTarget(target: unknown): string | CallPort {
    if (target instanceof Call) {
      if (target === this) throw new VoiceSDKError('invalid-argument', 'A call cannot be transferred to itself');
      const device = this.#snapshot.context.device;
      const other = target.actor.getSnapshot().context;
      if (device === undefined || other.device !== device) {
        throw new VoiceSDKError('invalid-argument', 'transfer(call) takes another call of the same device');
      }
      if (target.getStatus() !== 'accepted') {
        throw new VoiceSDKError('invalid-state', `transfer(call) needs the other call accepted (it is ${target.getStatus()})`);
      }
      return other.port;
    }
    if (this.#host === undefined) throw new VoiceSDKError('invalid-state', 'transfer() needs a call of a Device');
    return this.#host.normalizeTarget(target);
  }

  #forward(event: CallEmitted): void {
    switch (event.type) {
      case 'ringing':
      case 'accepted':
      case 'confirmed':
      case 'reconnected':
        this.emit(event.type);
        break;
      case 'disconnect':
        this.emit('disconnect', {
          reason: event.reason,
          ...(event.detail === undefined ? {} : { detail: event.detail }),
          ...(event.status === undefined ? {} : { status: event.status }),
          ...(event.cause === undefined ? {} : { cause: event.cause }),
          report: event.report,
        });
        this.#unsubscribe();
        break;
      case 'error':
        this.emit('error', event.error);
        break;
      case 'mute':
        this.emit('mute', event.muted);
        break;
      case 'hold':
        this.emit('hold', event.onHold);
        break;
      case 'remote-hold':
        this.emit('remote-hold', event.onHold);
        break;
      case 'reconnecting':
        this.emit('reconnecting', { cause: event.cause });
        break;
      case 'transfer':
        this.emit('transfer', { state: event.state, ...(event.status === undefined ? {} : { status: event.status }) });
        break;
      case 'referred': {
        const call = this.#host?.callOf(event.callId);
        if (call) this.emit('referred', { target: event.target, call });
        break;
      }
      case 'dtmf':
        this.emit('dtmf', {
          digit: event.digit,
          method: event.method,
          ...(event.durationMs === undefined ? {} : { durationMs: event.durationMs }),
        });
        break;
      case 'quality':
        this.emit('quality', event.sample);
        break;
      case 'warning':
        this.emit('warning', { name: event.name, value: event.value, threshold: event.threshold });
        break;
      case 'warning-cleared':
        this.emit('warning-cleared', { name: event.name });
        break;
      case 'report':
        this.emit('report', event.report);
        break;
      case 'info':
        this.emit('info', { info: event.info, previous: event.previous });
        break;
      case 'timer':
        this.emit('timer', event.timer);
        break;
      case 'video':
      case 'remote-video':
        this.emit(event.type, event.on);
        break;
      case 'stream':
        this.emit('stream', { direction: event.direction, stream: event.stream });
        break;
    }
  }

  #wrongState(message: string): VoiceSDKError {
    return new VoiceSDKError('invalid-state', `${message} (call is ${this.getStatus()})`);
  }

  #sendOrThrow(event: CallEvent, message: string): void {
    if (!this.#snapshot.can(event)) throw this.#wrongState(message);
    this.#actor.send(event);
  }

  /**
   * Sends `event` if the chart takes it now (else `invalid-state`, changing
   * nothing) and settles on the emitted event `done` picks. An `error` for
   * this operation rejects, and so does the call ending first (with the
   * call's own error when it failed), unless ending is what `done` waits for.
   */
  #run<T = void>(event: CallEvent, operation: CallOperation, refusal: string, done: (e: CallEmitted) => Outcome<T>): Promise<T> {
    if (!this.#snapshot.can(event)) return Promise.reject(this.#wrongState(refusal));
    let failure: VoiceSDKError | undefined;
    return sendAndSettle(
      this.#actor,
      () => this.#actor.send(event),
      (e): Outcome<T> => {
        const outcome = done(e);
        if (outcome !== undefined) return outcome;
        if (e.type === 'error' && e.operation === operation) return { error: e.error };
        // The call itself failed: remember why, `disconnect` follows.
        if (e.type === 'error' && e.operation === undefined) failure = e.error;
        if (e.type !== 'disconnect') return undefined;
        return { error: failure ?? new VoiceSDKError('invalid-state', `The call ended (${e.reason}) before ${operation} completed`) };
      },
    );
  }

  /** A request the chart answers with `request.settled` for its id (DTMF, devices). */
  #request(make: (requestId: string) => CallEvent, operation: CallOperation): Promise<void> {
    const requestId = `${operation}-${++requestSequence}`;
    return this.#run(make(requestId), operation, `${operation} needs an accepted call`, (e) => {
      if (e.type !== 'request.settled' || e.requestId !== requestId) return undefined;
      return e.error ? { error: e.error } : DONE;
    });
  }
}
