/**
 * An in-memory SIP network: fake devices register on it and call each other
 * or scripted remotes, with faults you can script (the next INVITE answered
 * 486, a transport drop, a failing re-INVITE, degrading stats…). Every
 * delivery goes through `setTimeout(latencyMs)`, so fake timers drive it.
 */
import type { AdapterFactory, UserAgentConfig } from '../adapter';
import { VoiceSDKError } from '../../errors';
import { FakeCallPort } from './call';
import { RemoteCall, ScriptedRemote } from './remote';
import { remoteIdentityOf } from '../sipjs/headers';
import { FakeUserAgent, stripPrefix } from './user-agent';
import { DEFAULT_CONDITIONS, type FakeConditions } from './wire';

export interface FakeNetworkOptions {
  /** SIP domain of the network. @default 'example.com' */
  domain?: string;
  /** user → password. When given, REGISTER checks it; otherwise any password works. */
  users?: Record<string, string>;
  /** Delay of every delivery, in ms. @default 0 */
  latencyMs?: number;
  /** How long an incoming call may ring before the device's stack answers 480 itself, in ms (SIP.js: 60 s). @default 60000 */
  noAnswerTimeoutMs?: number;
  /** Microphone ids that `setInputDevice` accepts. @default ['default', 'fake-mic-2'] */
  inputDevices?: string[];
  /** Output ids that `setOutputDevice` accepts. @default ['default', 'fake-speaker-2'] */
  outputDevices?: string[];
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
  | 'dispose';

function userOf(uri: string): string {
  return /^sips?:([^@;]+)@/i.exec(uri)?.[1] ?? uri;
}

export class FakeNetwork {
  readonly domain: string;
  readonly inputDevices: string[];
  readonly outputDevices: string[];
  /** @internal */
  readonly noAnswerTimeoutMs: number;
  conditions: FakeConditions = { ...DEFAULT_CONDITIONS };
  /** Recorders not yet stopped or disposed. */
  activeRecorders = 0;
  /** @internal */
  readonly recorders = new Set<{ fail(error: VoiceSDKError): void }>();
  readonly userAgents: FakeUserAgent[] = [];
  readonly #users: Record<string, string> | undefined;
  readonly #latencyMs: number;
  readonly #bindings = new Map<string, FakeUserAgent>();
  readonly #remotes = new Map<string, ScriptedRemote>();
  readonly #faults = new Map<FaultKind, VoiceSDKError[]>();
  readonly #inviteResponses: Array<number | 'timeout'> = [];
  readonly #downServers = new Set<string>();
  readonly #registerCounts = new Map<string, number>();
  readonly #openMedia = new Set<FakeCallPort>();
  #callSequence = 0;

  constructor(options: FakeNetworkOptions = {}) {
    this.domain = options.domain ?? 'example.com';
    this.#users = options.users;
    this.#latencyMs = options.latencyMs ?? 0;
    this.inputDevices = options.inputDevices ?? ['default', 'fake-mic-2'];
    this.outputDevices = options.outputDevices ?? ['default', 'fake-speaker-2'];
    this.noAnswerTimeoutMs = options.noAnswerTimeoutMs ?? 60_000;
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
    let remote = this.#remotes.get(user);
    if (!remote) this.#remotes.set(user, (remote = new ScriptedRemote(this, user)));
    return remote;
  }

  /** The next transport connection attempt fails. */
  failNextConnect(error = new VoiceSDKError('transport-failed', 'WebSocket connection refused')): this {
    return this.#addFault('connect', error);
  }

  /** Every connection to `server` fails while it is down. */
  setServerDown(server: string, down = true): this {
    if (down) this.#downServers.add(server);
    else this.#downServers.delete(server);
    return this;
  }

  /** The next REGISTER gets this final response. */
  failNextRegister(status = 503): this {
    return this.#addFault('register', new VoiceSDKError(status === 401 || status === 403 ? 'auth-failed' : 'sip-error', `REGISTER answered ${status}`, { status }));
  }

  /** The next un-REGISTER gets this final response. */
  failNextUnregister(status = 503): this {
    return this.#addFault('unregister', new VoiceSDKError('sip-error', `un-REGISTER answered ${status}`, { status }));
  }

  /** The next INVITE, from any device, gets this final response (486, 603, 404, 503 …) or no answer. */
  failNextInvite(response: number | 'timeout'): this {
    this.#inviteResponses.push(response);
    return this;
  }

  /** The next outbound call cannot get a microphone (`media-denied`). */
  failNextMedia(error = new VoiceSDKError('media-denied', 'Permission to use the microphone was denied')): this {
    return this.#addFault('inviteSend', error);
  }

  /** The next accept() fails to set up media (`media-failed`). */
  failNextAccept(error = new VoiceSDKError('media-failed', 'Media could not be set up')): this {
    return this.#addFault('accept', error);
  }

  /** The next hold/resume re-INVITE fails with `status`, or times out. */
  failNextReinvite(response: number | 'timeout' = 488): this {
    const error =
      response === 'timeout'
        ? new VoiceSDKError('timeout', 'The re-INVITE got no answer', { status: 408 })
        : new VoiceSDKError('sip-error', `The re-INVITE was answered ${response}`, { status: response });
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

  /** The registrar forgets `uri` (as when a refresh is rejected). */
  dropRegistration(uri: string): this {
    this.#bindings.get(userOf(uri))?.loseRegistration();
    return this;
  }

  /** Changes what getStats() reports from now on. */
  setConditions(conditions: Partial<FakeConditions>): this {
    this.conditions = { ...this.conditions, ...conditions };
    return this;
  }

  // --- observing -----------------------------------------------------------

  /** REGISTER requests sent for `uri` (a digest challenge counts twice). */
  registerCount(uri: string): number {
    return this.#registerCounts.get(uri) ?? 0;
  }

  isRegistered(uri: string): boolean {
    return this.#bindings.get(userOf(uri))?.config.uri === uri;
  }

  /** Calls whose media (peer connection, microphone) is still open. */
  get openMediaCount(): number {
    return this.#openMedia.size;
  }

  // --- used by the fake user agents and calls --------------------------------

  /** @internal */
  tick(): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, this.#latencyMs));
  }

  /** @internal */
  deliver(fn: () => void): void {
    setTimeout(fn, this.#latencyMs);
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
  serverFault(server: string): VoiceSDKError | undefined {
    return this.#downServers.has(server) ? new VoiceSDKError('transport-failed', `${server} is down`) : undefined;
  }

  /** @internal */
  checkPassword(ua: FakeUserAgent): boolean {
    if (!this.#users) return true;
    const user = ua.config.authorizationUsername ?? userOf(ua.config.uri);
    return this.#users[user] !== undefined && ua.hasPassword(this.#users[user]);
  }

  /** @internal */
  countRegister(uri: string, n: number): void {
    this.#registerCounts.set(uri, this.registerCount(uri) + n);
  }

  /** @internal */
  bind(uri: string, ua: FakeUserAgent): void {
    this.#bindings.set(userOf(uri), ua);
  }

  /** @internal */
  unbind(uri: string, ua: FakeUserAgent): void {
    if (this.#bindings.get(userOf(uri)) === ua) this.#bindings.delete(userOf(uri));
  }

  /** @internal */
  nextCallId(): string {
    return `fake-call-${++this.#callSequence}`;
  }

  /** @internal The far end's identity, by the SIP.js adapter's rule: the number when the user part is one, else the URI. */
  identityOf(uri: string): string {
    const match = /^(sips?):(?:([^@;]+)@)?([^;:]+)(?::(\d+))?/i.exec(uri);
    if (!match) return uri;
    const [, scheme, user, host, port] = match;
    return remoteIdentityOf({ scheme: scheme!.toLowerCase(), host: host!, ...(user ? { user } : {}), ...(port ? { port: Number(port) } : {}) });
  }

  /** @internal */
  trackMedia(call: FakeCallPort): void {
    this.#openMedia.add(call);
  }

  /** @internal */
  releaseMedia(call: FakeCallPort): void {
    this.#openMedia.delete(call);
  }

  /** @internal An outbound INVITE from a fake device. */
  route(call: FakeCallPort, target: string, from: { aor: string; user?: string; headers: Record<string, string> }): void {
    const response = this.#inviteResponses.shift();
    if (response !== undefined) {
      this.deliver(() => {
        if (call.ended) return;
        // No answer at all: the stack's Timer B ends the INVITE with a 408 of its own.
        call.receive({ type: 'reject', status: response === 'timeout' ? 408 : response });
      });
      return;
    }
    // The far end gets the INVITE at once; its answers travel back with latency.
    {
      const user = userOf(target);
      const remote = this.#remotes.get(user);
      if (remote) {
        const remoteCall = new RemoteCall(this, call, {
          direction: 'inbound',
          headers: from.headers,
          from: from.aor,
          ...(from.user ? { fromUser: from.user } : {}),
        });
        call.connectTo(remoteCall);
        remote.accept(remoteCall);
        return;
      }
      const ua = this.#bindings.get(user);
      const callerUri = from.user ? `sip:${from.user}@${this.domain}` : from.aor;
      const inbound =
        ua &&
        new FakeCallPort(this, {
          id: this.nextCallId(),
          direction: 'inbound',
          remoteIdentity: this.identityOf(callerUri),
          customHeaders: stripPrefix(from.headers, ua.config.headerPrefix),
          peer: call,
        });
      if (!ua || !inbound) {
        this.deliver(() => call.receive({ type: 'reject', status: 404 }));
        return;
      }
      call.connectTo(inbound);
      if (ua.deliverIncoming(inbound)) this.deliver(() => call.receive({ type: 'ringing' }));
      else this.deliver(() => call.receive({ type: 'reject', status: 480 }));
    }
  }

  /** @internal A scripted remote calls a fake device. */
  callFromRemote(remote: ScriptedRemote, target: string, options: { headers?: Record<string, string>; fromUser?: string }): RemoteCall {
    const ua = this.#bindings.get(userOf(target));
    if (!ua) throw new Error(`No device is registered as ${target}`);
    const headers = options.headers ?? {};
    const callerUri = `sip:${options.fromUser ?? remote.user}@${this.domain}`;
    let remoteCall: RemoteCall | undefined;
    const inbound = new FakeCallPort(this, {
      id: this.nextCallId(),
      direction: 'inbound',
      remoteIdentity: this.identityOf(callerUri),
      customHeaders: stripPrefix(headers, ua.config.headerPrefix),
      peer: {
        immediate: true,
        receive: (message) => remoteCall?.receive(message),
        get sendingAudio() {
          return remoteCall?.sendingAudio ?? false;
        },
      },
    });
    remoteCall = new RemoteCall(this, inbound, {
      direction: 'outbound',
      headers,
      from: callerUri,
      ...(options.fromUser ? { fromUser: options.fromUser } : {}),
    });
    remote.accept(remoteCall);
    this.deliver(() => ua.deliverIncoming(inbound));
    return remoteCall;
  }

  #addFault(kind: FaultKind, error: VoiceSDKError): this {
    const list = this.#faults.get(kind) ?? [];
    list.push(error);
    this.#faults.set(kind, list);
    return this;
  }
}

/** Creates an in-memory SIP network for tests. */
export function createFakeNetwork(options?: FakeNetworkOptions): FakeNetwork {
  return new FakeNetwork(options);
}
