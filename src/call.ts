/**
 * The Call facade: promises and typed events over one call actor. It holds no
 * call state of its own; every getter reads the actor's snapshot.
 */
import type { Invitation, Inviter } from 'sip.js';
import type { ActorRefFrom } from 'xstate';
import { VoiceSDKError } from './errors';
import { TypedEmitter } from './events';
// Here, not after the other imports: bundled this way the facade gzips ~80 B smaller.
import { forwardCallEvent, operationOutcome, whenAccepted, whenEnded, whenHeld, type EmitCallEvent } from './call.events';
import { whenRecordingStopped, whenRequestSettled, whenTransferred, whenVideoSwitched } from './call.events';
import { callMachine, callStatus, isMuted, isOnHold, isRecording, isReconnecting, isRemoteOnHold, reportOf, type CallSnapshot } from './machines/call.machine';
import type { CallDirection, CallEmitted, CallEvent, CallOperation, CallStatus } from './machines/call.types';
import type { QualitySample } from './quality/quality.types';
import type { CallReport } from './quality/report';
import { acceptVideoOption, booleanArgument, deviceIdArgument, holdOthersOption, setInfoLock, transferTarget, withArguments } from './call.api';
import type { AcceptOptions, CallEvents, CallInfoUpdate, HoldOthersOptions, SetInfoOptions } from './call.api';
import { parseInfoPartial, type CallInfo } from './sip/identity';
import { timerOf, type CallTimer } from './machines/call.timing';

export type { AcceptOptions, CallEvents, DisconnectInfo, HoldOthersOptions, InfoChange, QualityWarning, ReceivedDtmf, ReferredInfo } from './call.api';
export type { CallInfoUpdate, SetInfoOptions, TransferProgress, TransferRequest, TransferRequestPolicy } from './call.api';
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

/**
 * One call, inbound or outbound: promises and typed events over its
 * statechart actor. Get one from `device.connect()` or the device's
 * `incoming` event; apps do not construct calls.
 * @hideconstructor
 */
export class Call extends TypedEmitter<CallEvents> {
  readonly #actor: CallActorRef;
  readonly #unsubscribe: () => void;
  readonly #host: CallHost | undefined;
  readonly #replaces: Call | undefined;
  readonly #emit: EmitCallEvent = (name, ...args) => this.emit(name, ...args);

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
  setInfo(fields: CallInfoUpdate, options: SetInfoOptions = {}): void {
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
    const parse = () => ({ holdOthers: holdOthersOption(options, 'accept()'), video: acceptVideoOption(options) });
    return withArguments(parse, (args) => this.#run({ type: 'ACCEPT', ...args }, 'accept', 'accept() is for inbound calls that are ringing', whenAccepted));
  }

  /** Inbound: rejects the call; 486 (busy, default) or 603 (decline / do-not-disturb). */
  reject(statusCode = BUSY_STATUS): Promise<void> {
    const reject = () => this.#run({ type: 'REJECT', statusCode }, 'reject', 'reject() is for inbound calls that are ringing', whenEnded);
    return withArguments(() => parseRejectStatus(statusCode), reject);
  }

  /** Hangs up an answered call, or cancels an unanswered outbound one. Resolves when the call has ended. */
  disconnect(): Promise<void> {
    return this.#run({ type: 'DISCONNECT' }, 'hangup', 'The call is ending or has ended', whenEnded);
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
    return this.#run({ type: 'TERMINATE' }, 'terminate', 'The call cannot be terminated now', whenEnded);
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
    const operation = shouldHold ? 'hold' : 'resume';
    return withArguments(
      () => (booleanArgument(shouldHold, 'hold()'), holdOthersOption(options, 'hold()')),
      (holdOthers) => this.#run(shouldHold ? { type: 'HOLD' } : { type: 'UNHOLD', holdOthers }, operation, `${operation} is not possible now`, whenHeld(shouldHold, operation)),
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
    return withArguments(
      () => transferTarget(this, target, target instanceof Call ? target : undefined, this.#host),
      (to) => this.#run({ type: 'TRANSFER', to }, 'transfer', 'transfer() needs an accepted call with no transfer under way', whenTransferred),
    );
  }

  /** Sends DTMF digits (0-9 * # A-D, `,` a 2 s pause). Resolves once the tones were handed over. */
  sendDigits(digits: string): Promise<void> {
    return withArguments(() => parseDtmfDigits(digits), (valid) => this.#request((requestId) => ({ type: 'SEND_DIGITS', digits: valid, requestId }), 'digits'));
  }

  /** Replaces the microphone (sending track) with another input device. */
  setInputDevice(deviceId: string): Promise<void> {
    return withArguments(() => deviceIdArgument(deviceId), () => this.#request((requestId) => ({ type: 'SET_INPUT_DEVICE', deviceId, requestId }), 'input-device'));
  }

  /** Plays the far end's audio on another output device (setSinkId). */
  setOutputDevice(deviceId: string): Promise<void> {
    return withArguments(() => deviceIdArgument(deviceId), () => this.#request((requestId) => ({ type: 'SET_OUTPUT_DEVICE', deviceId, requestId }), 'output-device'));
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
    const switchVideo = () => this.#run({ type: 'SET_VIDEO', on }, 'video', 'setVideo() works on an accepted call that is not changing its video', whenVideoSwitched(on));
    return withArguments(() => booleanArgument(on, 'setVideo()'), switchVideo);
  }

  /** Switches the camera (sending track) to another video input device; `invalid-state` when no video is sent. */
  setVideoInputDevice(deviceId: string): Promise<void> {
    return withArguments(() => deviceIdArgument(deviceId), () => this.#request((requestId) => ({ type: 'SET_VIDEO_INPUT_DEVICE', deviceId, requestId }), 'video-input-device'));
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
    return this.#run({ type: 'STOP_RECORDING' }, 'recording', 'stopRecording() needs a recording in progress', whenRecordingStopped);
  }

  get #snapshot(): CallSnapshot {
    return this.#actor.getSnapshot();
  }

  #forward(event: CallEmitted): void {
    forwardCallEvent(event, this.#emit, (callId) => this.#host?.callOf(callId));
    if (event.type === 'disconnect') this.#unsubscribe();
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
    return sendAndSettle(this.#actor, () => this.#actor.send(event), operationOutcome(operation, done));
  }

  /** A request the chart answers with `request.settled` for its id (DTMF, devices). */
  #request(make: (requestId: string) => CallEvent, operation: CallOperation): Promise<void> {
    const requestId = `${operation}-${++requestSequence}`;
    return this.#run(make(requestId), operation, `${operation} needs an accepted call`, whenRequestSettled(requestId));
  }
}
