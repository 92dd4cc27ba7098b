/**
 * An in-memory SIP network: fake devices register on it and call each other
 * or scripted remotes, with faults you can script (the next INVITE answered
 * 486, a transport drop, a failing re-INVITE, degrading stats…). With the
 * default `latencyMs: 0` every delivery is a microtask, so the network works
 * the same with real and with fake timers; with `latencyMs > 0` it goes
 * through `setTimeout(latencyMs)`, which fake timers (or `flush()`) drive.
 */
import type { AdapterFactory, UserAgentConfig } from '../adapter';
import { VoiceSDKError } from '../../errors';
import { codeForSipStatus } from '../../sip/status';
import type { FakeCallPort } from './call';
import { ScriptedRemote } from './remote';
import { userOf } from './routing';
import { FakeUserAgent } from './user-agent';
import { DEFAULT_CONDITIONS, UNANSWERED, type FakeConditions } from './wire';

/** What `createFakeNetwork()` takes. */
export interface FakeNetworkOptions {
  /** SIP domain of the network. @default 'example.com' */
  domain?: string;
  /** user → password. When given, REGISTER checks it; otherwise any password works. */
  users?: Record<string, string>;
  /**
   * Delay of every delivery, in ms. `0` delivers on a microtask (no timers
   * involved); more goes through `setTimeout`, for tests of timing with fake
   * timers (`vi.advanceTimersByTimeAsync(latencyMs)`) or {@link FakeNetwork.flush}.
   * @default 0
   */
  latencyMs?: number;
  /** How long an incoming call may ring before the device's stack answers 480 itself, in ms (SIP.js: 60 s). @default 60000 */
  noAnswerTimeoutMs?: number;
  /** Microphone ids that `setInputDevice` accepts. @default ['default', 'fake-mic-2'] */
  inputDevices?: string[];
  /** Output ids that `setOutputDevice` accepts. @default ['default', 'fake-speaker-2'] */
  outputDevices?: string[];
  /** Camera ids that `setVideoInputDevice` accepts. @default ['fake-camera-1', 'fake-camera-2'] */
  videoInputDevices?: string[];
}

type FaultKind =
  | 'connect'
  | 'register'
  | 'unregister'
  | 'inviteSend'
  | 'accept'
  | 'reject'
  | 'cancel'
  | 'bye'
  | 'reinvite'
  | 'recording'
  | 'recordingStop'
  | 'referredCall'
  | 'camera'
  | 'dispose';

/**
 * The in-memory SIP network of `callchart/testing`: pass `network.adapter` to
 * `new Device()`, script far ends with `remote(user)`, inject faults with the
 * `failNext…` methods, observe with `registerCount`, `isRegistered`,
 * `openMediaCount`. Made by `createFakeNetwork()`.
 */
export class FakeNetwork {
  /** The SIP domain of every user on this network. */
  readonly domain: string;
  /** Microphone ids that `call.setInputDevice()` accepts. */
  readonly inputDevices: string[];
  /** Output ids that `call.setOutputDevice()` accepts. */
  readonly outputDevices: string[];
  /** Camera ids that `setVideoInputDevice` accepts. */
  readonly videoInputDevices: string[];
  /** How long an incoming call rings before the device's stack answers 480 itself, in ms. */
  readonly noAnswerTimeoutMs: number;
  #conditions: FakeConditions = { ...DEFAULT_CONDITIONS };
  /** @internal */
  readonly recorders = new Set<{ fail(error: VoiceSDKError): void }>();
  /** @internal Every user agent a Device created on this network, oldest first. */
  readonly userAgents: FakeUserAgent[] = [];
  /** @internal user → password, when REGISTER checks them. */
  readonly users: Record<string, string> | undefined;
  readonly #latencyMs: number;
  /** @internal The fake device registered as each user. */
  readonly bindings = new Map<string, FakeUserAgent>();
  /** @internal The scripted remotes, by user. */
  readonly remotes = new Map<string, ScriptedRemote>();
  /** @internal The responses scripted for the next INVITEs. */
  readonly inviteResponses: Array<number | 'timeout'> = [];
  readonly #faults = new Map<FaultKind, VoiceSDKError[]>();
  /** @internal Servers that refuse connections (`setServerDown`). */
  readonly downServers = new Set<string>();
  /** @internal REGISTERs and pings sent, by `register <uri>` / `ping <uri>`. */
  readonly counts = new Map<string, number>();
  /** @internal Servers that close the connection on REGISTER (`dropEachRegister`). */
  readonly droppingRegister = new Set<string>();
  /** @internal Calls whose media is open. */
  readonly openMedia = new Set<FakeCallPort>();
  #callSequence = 0;
  /** @internal Whether the media path is cut (`cutMedia()`). */
  mediaCut = false;
  /** Deliveries on their way: the timer (latency > 0) and what arrives. */
  readonly #inFlight = new Set<{ timer: ReturnType<typeof setTimeout> | undefined; arrive: () => void }>();

  constructor(options: FakeNetworkOptions = {}) {
    this.domain = options.domain ?? 'example.com';
    this.users = options.users;
    this.#latencyMs = options.latencyMs ?? 0;
    this.inputDevices = options.inputDevices ?? ['default', 'fake-mic-2'];
    this.outputDevices = options.outputDevices ?? ['default', 'fake-speaker-2'];
    this.videoInputDevices = options.videoInputDevices ?? ['fake-camera-1', 'fake-camera-2'];
    this.noAnswerTimeoutMs = options.noAnswerTimeoutMs ?? 60_000;
  }

  /** What the fake stats report now (RTT, jitter, loss, codec…); change with `setConditions()`. */
  get conditions(): Readonly<FakeConditions> {
    return this.#conditions;
  }

  /** Recorders not yet stopped or disposed. */
  get activeRecorders(): number {
    return this.recorders.size;
  }

  /** Pass as `new Device({ adapter: network.adapter, … })`. */
  readonly adapter: AdapterFactory = (config: UserAgentConfig) => {
    const ua = new FakeUserAgent(this, config);
    this.userAgents.push(ua);
    return ua;
  };

  // --- scripting ---------------------------------------------------------

  /** A scripted far end reachable as `user` (`sip:user@domain`). */
  remote(user: string): ScriptedRemote {
    let remote = this.remotes.get(user);
    if (!remote) this.remotes.set(user, (remote = new ScriptedRemote(this, user)));
    return remote;
  }

  /** The next transport connection attempt fails. */
  failNextConnect(error = new VoiceSDKError('transport-failed', 'WebSocket connection refused')): this {
    return this.#addFault('connect', error);
  }

  /** Every connection to `server` fails while it is down. */
  setServerDown(server: string, down = true): this {
    if (down) this.downServers.add(server);
    else this.downServers.delete(server);
    return this;
  }

  /** The next REGISTER gets this final response. */
  failNextRegister(status = 503): this {
    return this.#addFault('register', new VoiceSDKError(codeForSipStatus(status, 'REGISTER'), `REGISTER answered ${status}`, { status }));
  }

  /** The next un-REGISTER gets this final response. */
  failNextUnregister(status = 503): this {
    return this.#addFault('unregister', new VoiceSDKError(codeForSipStatus(status, 'REGISTER'), `un-REGISTER answered ${status}`, { status }));
  }

  /** The next INVITE, from any device, gets this final response (486, 603, 404, 503 …) or no answer. */
  failNextInvite(response: number | 'timeout'): this {
    this.inviteResponses.push(response);
    return this;
  }

  /** The next outbound call cannot get a microphone (`media-denied`). */
  failNextMedia(error = new VoiceSDKError('media-denied', 'Permission to use the microphone was denied')): this {
    return this.#addFault('inviteSend', error);
  }

  /** The next camera a call asks for is refused (`media-denied`): `setVideo(true)` rejects, `connect({ video })` goes audio-only. */
  failNextCamera(error = new VoiceSDKError('media-denied', 'Permission to use the camera was denied')): this {
    return this.#addFault('camera', error);
  }

  /** The next accept() fails to set up media (`media-failed`). */
  failNextAccept(error = new VoiceSDKError('media-failed', 'Media could not be set up')): this {
    return this.#addFault('accept', error);
  }

  /** The next re-INVITE (hold, resume, or the refresh after a reconnect) fails with `status`, times out (408), or is never answered (as on a dead socket: it then blocks our next re-INVITE, `invalid-state`, until its Timer B ends it 32 s later with a timeout). */
  failNextReinvite(response: number | 'timeout' | 'unanswered' = 488): this {
    if (response === 'unanswered') return this.#addFault('reinvite', UNANSWERED);
    const error =
      response === 'timeout'
        ? new VoiceSDKError('timeout', 'The re-INVITE got no answer', { status: 408 })
        : new VoiceSDKError(codeForSipStatus(response, 'in-dialog'), `The re-INVITE was answered ${response}`, { status: response });
    return this.#addFault('reinvite', error);
  }

  /** The next startRecording() fails (`not-supported`). */
  failNextRecording(error = new VoiceSDKError('not-supported', 'MediaRecorder is not available')): this {
    return this.#addFault('recording', error);
  }

  /** The next BYE, CANCEL or reject response cannot be sent (the socket closed under it); the call ends locally anyway. */
  failNextSend(kind: 'bye' | 'cancel' | 'reject', error = new VoiceSDKError('transport-failed', `The ${kind} could not be sent`)): this {
    return this.#addFault(kind, error);
  }

  /** The next stopRecording() fails after stopping. */
  failNextRecordingStop(error = new VoiceSDKError('not-supported', 'The recording could not be encoded')): this {
    return this.#addFault('recordingStop', error);
  }

  /** The next call that would follow an accepted REFER cannot be made (the REFER was answered 202 already). */
  failNextReferredCall(error = new VoiceSDKError('media-denied', 'Permission to use the microphone was denied')): this {
    return this.#addFault('referredCall', error);
  }

  /** The next device dispose fails after releasing everything (as a failing un-REGISTER would). */
  failNextDispose(error = new VoiceSDKError('transport-failed', 'The socket closed while shutting down')): this {
    return this.#addFault('dispose', error);
  }

  /** Every running recording breaks (as a MediaRecorder `error` would). */
  breakRecordings(error = new VoiceSDKError('not-supported', 'The recorder stopped with an error')): this {
    for (const recorder of [...this.recorders]) recorder.fail(error);
    return this;
  }

  /** Drops the WebSocket of the device registered (or connected) as `uri`. */
  dropTransport(uri: string): this {
    for (const ua of this.userAgents) if (ua.config.uri === uri) ua.loseTransport();
    return this;
  }

  /**
   * The connection of the device `uri` stays open but answers nothing — no
   * pong, no response to REGISTER — as a server stopped with SIGSTOP;
   * `false` wakes it: it answers what it held. A new connection answers.
   */
  silence(uri: string, silent = true): this {
    for (const ua of this.userAgents) if (ua.config.uri === uri) ua.setSilent(silent);
    return this;
  }

  /** `server` accepts connections and closes each one when a REGISTER arrives on it (a flapping server). */
  dropEachRegister(server: string, drop = true): this {
    if (drop) this.droppingRegister.add(server);
    else this.droppingRegister.delete(server);
    return this;
  }

  /** The browser's `online` event, in every device on this network. */
  comeOnline(): this {
    for (const ua of this.userAgents) ua.comeOnline();
    return this;
  }

  /** The registrar forgets `uri` (as when a refresh is rejected). */
  dropRegistration(uri: string): this {
    this.bindings.get(userOf(uri))?.loseRegistration();
    return this;
  }

  /**
   * The media path of every call breaks: no packets either way, ICE
   * `disconnected` at each end (as a UDP cut does); `false` restores it: ICE
   * `connected` again where it had not failed, and an ICE restart connects.
   * Signalling is not touched.
   */
  cutMedia(cut = true): this {
    this.mediaCut = cut;
    for (const call of [...this.openMedia]) call.setPathCut(cut);
    return this;
  }

  /** Changes what getStats() reports from now on. */
  setConditions(conditions: Partial<FakeConditions>): this {
    this.#conditions = { ...this.#conditions, ...conditions };
    return this;
  }

  // --- observing -----------------------------------------------------------

  /** REGISTER requests sent for `uri` (a digest challenge counts twice). */
  registerCount(uri: string): number {
    return this.counts.get(`register ${uri}`) ?? 0;
  }

  /** Keep-alive pings sent by the device `uri`. */
  pingCount(uri: string): number {
    return this.counts.get(`ping ${uri}`) ?? 0;
  }

  /** Whether `uri` (`sip:alice@example.com`) is registered now. */
  isRegistered(uri: string): boolean {
    return this.bindings.get(userOf(uri))?.config.uri === uri;
  }

  /** Calls whose media (peer connection, microphone) is still open. */
  get openMediaCount(): number {
    return this.openMedia.size;
  }

  // --- used by the fake user agents and calls --------------------------------

  /**
   * Delivers everything on its way now, and what those deliveries cause in
   * turn, without waiting for timers: resolves once nothing is in flight.
   * Works with real and with fake timers (it moves no clock); meant for
   * `latencyMs > 0` under fake timers, where `await network.flush()` stands
   * for "let the network catch up". Throws when the network never goes quiet
   * (after 1000 rounds).
   */
  async flush(): Promise<void> {
    for (let round = 0; round < 1000; round++) {
      await drainMicrotasks();
      if (this.#inFlight.size === 0) return;
      for (const delivery of [...this.#inFlight]) {
        this.#inFlight.delete(delivery);
        clearTimeout(delivery.timer);
        delivery.arrive();
      }
    }
    throw new Error('The fake network did not go quiet after 1000 rounds of deliveries');
  }

  /** @internal */
  tick(): Promise<void> {
    return new Promise((resolve) => this.deliver(resolve));
  }

  /** @internal */
  deliver(fn: () => void): void {
    const delivery = {
      timer: undefined as ReturnType<typeof setTimeout> | undefined,
      arrive: fn,
    };
    const arrive = (): void => {
      if (!this.#inFlight.delete(delivery)) return; // flushed already
      fn();
    };
    this.#inFlight.add(delivery);
    if (this.#latencyMs > 0) delivery.timer = setTimeout(arrive, this.#latencyMs);
    else queueMicrotask(arrive);
  }

  /** @internal */
  now(): number {
    return Date.now();
  }

  /** @internal */
  takeFault(kind: FaultKind): VoiceSDKError | undefined {
    return this.#faults.get(kind)?.shift();
  }





  /** @internal */
  nextCallId(): string {
    return `fake-call-${++this.#callSequence}`;
  }



  /** @internal The user agent holding the answered call `id`, for an INVITE whose Replaces names it. */
  holderOfCall(id: string): FakeUserAgent | undefined {
    return this.userAgents.find((ua) => [...ua.calls].some((call) => call.id === id && call.answered));
  }



  #addFault(kind: FaultKind, error: VoiceSDKError): this {
    const list = this.#faults.get(kind) ?? [];
    list.push(error);
    this.#faults.set(kind, list);
    return this;
  }
}

/** Lets pending promise callbacks run (a few turns of the microtask queue). */
async function drainMicrotasks(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

/** Creates an in-memory SIP network for tests. */
export function createFakeNetwork(options?: FakeNetworkOptions): FakeNetwork {
  return new FakeNetwork(options);
}
