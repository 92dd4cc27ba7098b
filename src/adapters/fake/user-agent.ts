/** A fake device's user agent on the in-memory network. */
import type { CallPort, InviteRequest, Unsubscribe, UserAgentConfig, UserAgentPort } from '../adapter';
import { VoiceSDKError } from '../../errors';
import { ListenerSet } from '../listeners';
import { referTargetOf } from '../../sip/refer';
import { FakeCallPort } from './call';
import type { FakeCallInit } from './session';
import { replacesOf } from './transfer';
import type { FakeNetwork } from './network';
import { userOf } from './routing';

export class FakeUserAgent implements UserAgentPort {
  /** The configuration without the password. */
  readonly config: Omit<UserAgentConfig, 'password'>;
  readonly #password: string | undefined;
  readonly #network: FakeNetwork;
  readonly #transportLost = new ListenerSet<VoiceSDKError>();
  readonly #incoming = new ListenerSet<CallPort>();
  readonly #registrationLost = new ListenerSet<VoiceSDKError>();
  readonly #pong = new ListenerSet<void>();
  readonly #online = new ListenerSet<void>();
  readonly #calls = new Set<FakeCallPort>();
  #server: string | undefined;
  #registered = false;
  #disposed = false;
  /** Counts connections: an answer meant for an earlier one is dropped. */
  #connection = 0;
  /** The connection is open but answers nothing (a stopped server). */
  #silent = false;
  /** Pings the silent connection has not answered yet. */
  #pongsOwed = 0;
  /** Requests the silent connection holds: answered when it wakes, failed when it drops. */
  readonly #stalled: Array<{ resume: () => void; fail: (error: VoiceSDKError) => void }> = [];

  constructor(network: FakeNetwork, config: UserAgentConfig) {
    this.#network = network;
    const { password, ...rest } = config;
    this.config = rest;
    this.#password = password;
  }

  /** Whether `password` is this user agent's password (the registrar's check). */
  hasPassword(password: string | undefined): boolean {
    return this.#password === password;
  }

  get connected(): boolean {
    return this.#server !== undefined;
  }

  get server(): string | undefined {
    return this.#server;
  }

  get registered(): boolean {
    return this.#registered;
  }

  get disposed(): boolean {
    return this.#disposed;
  }

  /** Calls that this user agent created or received and that still hold media. */
  get calls(): ReadonlySet<FakeCallPort> {
    return this.#calls;
  }

  async connect(server: string): Promise<void> {
    await this.#network.tick();
    const fault =
      this.#network.takeFault('connect') ??
      (this.#network.downServers.has(server) ? new VoiceSDKError('transport-failed', `${server} is down`) : undefined);
    if (fault) throw fault;
    this.#endConnection(new VoiceSDKError('transport-failed', 'The connection was replaced'));
    this.#server = server;
  }

  async disconnect(): Promise<void> {
    this.#endConnection(new VoiceSDKError('transport-failed', 'The connection was closed'));
    this.#server = undefined;
    this.#unbind();
  }

  ping(): void {
    if (!this.connected) return;
    this.#count('ping');
    if (this.#silent) this.#pongsOwed += 1;
    else this.#sendPong();
  }

  onPong(listener: () => void): Unsubscribe {
    return this.#pong.add(listener);
  }

  onNetworkOnline(listener: () => void): Unsubscribe {
    return this.#online.add(listener);
  }

  /** Called by the network: the current connection stops answering (`true`) or answers what it held (`false`). */
  setSilent(silent: boolean): void {
    if (!this.connected) return;
    this.#silent = silent;
    if (silent) return;
    for (; this.#pongsOwed > 0; this.#pongsOwed--) this.#sendPong();
    for (const request of this.#stalled.splice(0)) request.resume();
  }

  /** Called by the network: the browser's `online` event. */
  comeOnline(): void {
    this.#online.emit();
  }

  onTransportLost(listener: (error: VoiceSDKError) => void): Unsubscribe {
    return this.#transportLost.add(listener);
  }

  onIncomingCall(listener: (call: CallPort) => void): Unsubscribe {
    return this.#incoming.add(listener);
  }

  onRegistrationLost(listener: (error: VoiceSDKError) => void): Unsubscribe {
    return this.#registrationLost.add(listener);
  }

  async register(): Promise<void> {
    await this.#network.tick();
    if (!this.connected) throw new VoiceSDKError('transport-failed', 'REGISTER needs an open transport');
    await this.#answered();
    this.#count('register');
    if (this.#network.droppingRegister.has(this.#server ?? '')) {
      this.loseTransport();
      throw new VoiceSDKError('transport-failed', 'The server closed the connection on REGISTER');
    }
    const fault = this.#network.takeFault('register');
    if (fault) throw fault;
    const users = this.#network.users;
    const password = users?.[this.config.authorizationUsername ?? userOf(this.config.uri)];
    if (users !== undefined && (password === undefined || !this.hasPassword(password))) {
      // A digest challenge, the retry with credentials, then the rejection.
      this.#count('register');
      throw new VoiceSDKError('auth-failed', `Registration of ${this.config.uri} was rejected: wrong credentials`, { status: 401 });
    }
    this.#registered = true;
    this.#network.bindings.set(userOf(this.config.uri), this);
  }

  async unregister(): Promise<void> {
    await this.#network.tick();
    if (!this.connected) throw new VoiceSDKError('transport-failed', 'Un-REGISTER needs an open transport');
    const fault = this.#network.takeFault('unregister');
    this.#count('register');
    if (fault) throw fault;
    this.#unbind();
  }

  createCall(request: InviteRequest): CallPort {
    return this.#outbound({
      party: { uri: request.target },
      headers: request.headers,
      video: request.video,
      inputDeviceId: request.inputDeviceId,
      from: { aor: this.config.uri, user: request.fromUser, displayName: this.config.displayName },
    });
  }

  createReferredCall(referred: CallPort, options: Pick<InviteRequest, 'inputDeviceId'> = {}): CallPort {
    const referrer = referred instanceof FakeCallPort && this.#calls.has(referred) ? referred : undefined;
    const referTo = referrer?.acceptedReferTo();
    if (referrer === undefined || referTo === undefined) throw new VoiceSDKError('invalid-state', 'No accepted REFER to follow on this call');
    const fault = this.#network.takeFault('referredCall');
    if (fault) throw fault;
    return this.#outbound({
      party: { uri: referTargetOf(referTo).target },
      headers: {},
      from: { aor: this.config.uri },
      inputDeviceId: options.inputDeviceId,
      referral: { replaces: replacesOf(referTo), referrer },
    });
  }

  #outbound(init: Omit<FakeCallInit, 'direction' | 'prefix'>): FakeCallPort {
    return this.#own(new FakeCallPort(this.#network, { ...init, direction: 'outbound', prefix: this.config.headerPrefix }));
  }

  /** The call is this user agent's: its requests go on our socket, and dispose ends it. */
  #own(call: FakeCallPort): FakeCallPort {
    call.attachTransport(this);
    this.#calls.add(call);
    return call;
  }

  /** Called by the network: an INVITE for us. */
  deliverIncoming(call: FakeCallPort): boolean {
    if (!this.connected || this.#incoming.size === 0) return false;
    this.#incoming.emit(this.#own(call));
    return true;
  }

  /** Called by the network: our socket dropped. */
  loseTransport(): void {
    if (!this.connected) return;
    const error = new VoiceSDKError('transport-failed', 'The WebSocket to the SIP server was lost');
    this.#endConnection(error);
    this.#server = undefined;
    this.#unbind();
    this.#transportLost.emit(error);
  }

  /** Called by the network: the registrar dropped our binding. */
  loseRegistration(): void {
    if (!this.#registered) return;
    this.#unbind();
    const error = new VoiceSDKError('sip-error', 'The registration refresh was rejected', { status: 403 });
    this.#registrationLost.emit(error);
  }

  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    await this.#network.tick();
    // BYE, CANCEL or 480, as each call's state allows.
    for (const call of this.#calls) call.dispose();
    this.#calls.clear();
    this.#unbind();
    this.#endConnection(new VoiceSDKError('invalid-state', 'The user agent was disposed'));
    this.#server = undefined;
    this.#transportLost.clear();
    this.#pong.clear();
    this.#online.clear();
    this.#incoming.clear();
    this.#registrationLost.clear();
    const fault = this.#network.takeFault('dispose');
    if (fault) throw fault;
  }

  /** Waits while the connection is silent; rejects if it drops meanwhile. */
  #answered(): Promise<void> {
    if (!this.#silent) return Promise.resolve();
    return new Promise((resume, fail) => this.#stalled.push({ resume, fail }));
  }

  #sendPong(): void {
    const connection = this.#connection;
    this.#network.deliver(() => {
      if (connection === this.#connection && this.connected) this.#pong.emit();
    });
  }

  /** The current connection is over: what it held fails, a new one starts awake. */
  #endConnection(error: VoiceSDKError): void {
    this.#connection += 1;
    this.#silent = false;
    this.#pongsOwed = 0;
    for (const request of this.#stalled.splice(0)) request.fail(error);
  }

  #unbind(): void {
    this.#registered = false;
    const user = userOf(this.config.uri);
    if (this.#network.bindings.get(user) === this) this.#network.bindings.delete(user);
  }

  #count(kind: 'register' | 'ping'): void {
    const key = `${kind} ${this.config.uri}`;
    this.#network.counts.set(key, (this.#network.counts.get(key) ?? 0) + 1);
  }
}
