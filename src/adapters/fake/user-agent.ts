/** A fake device's user agent on the in-memory network. */
import type { CallPort, InviteRequest, Unsubscribe, UserAgentConfig, UserAgentPort } from '../adapter';
import { VoiceSDKError } from '../../errors';
import { customHeadersOf } from '../../sip/headers';
import { UNAVAILABLE_STATUS } from '../../sip/responses';
import { remoteIdentity } from '../../sip/target';
import { ListenerSet } from '../listeners';
import { FakeCallPort } from './call';
import type { FakeNetwork } from './network';

export class FakeUserAgent implements UserAgentPort {
  /** The configuration without the password. */
  readonly config: Omit<UserAgentConfig, 'password'>;
  readonly #password: string | undefined;
  readonly #network: FakeNetwork;
  readonly #transportLost = new ListenerSet<VoiceSDKError>();
  readonly #incoming = new ListenerSet<CallPort>();
  readonly #registrationLost = new ListenerSet<VoiceSDKError>();
  readonly #calls = new Set<FakeCallPort>();
  #server: string | undefined;
  #registered = false;
  #disposed = false;

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
    const fault = this.#network.takeFault('connect') ?? this.#network.serverFault(server);
    if (fault) throw fault;
    this.#server = server;
  }

  async disconnect(): Promise<void> {
    this.#server = undefined;
    this.#unbind();
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
    const fault = this.#network.takeFault('register');
    this.#network.countRegister(this.config.uri, 1);
    if (fault) throw fault;
    if (!this.#network.checkPassword(this)) {
      // A digest challenge, the retry with credentials, then the rejection.
      this.#network.countRegister(this.config.uri, 1);
      throw new VoiceSDKError('auth-failed', `Registration of ${this.config.uri} was rejected: wrong credentials`, { status: 401 });
    }
    this.#registered = true;
    this.#network.bind(this.config.uri, this);
  }

  async unregister(): Promise<void> {
    await this.#network.tick();
    if (!this.connected) throw new VoiceSDKError('transport-failed', 'Un-REGISTER needs an open transport');
    const fault = this.#network.takeFault('unregister');
    this.#network.countRegister(this.config.uri, 1);
    if (fault) throw fault;
    this.#unbind();
  }

  createCall(request: InviteRequest): CallPort {
    const call = new FakeCallPort(this.#network, {
      id: this.#network.nextCallId(),
      direction: 'outbound',
      remoteIdentity: remoteIdentity(request.target),
      customHeaders: customHeadersOf(Object.entries(request.headers), this.config.headerPrefix),
      target: request.target,
      from: { aor: this.config.uri, ...(request.fromUser ? { user: request.fromUser } : {}), headers: request.headers },
    });
    this.#calls.add(call);
    return call;
  }

  /** Called by the network: an INVITE for us. */
  deliverIncoming(call: FakeCallPort): boolean {
    if (!this.connected || this.#incoming.size === 0) return false;
    this.#calls.add(call);
    this.#incoming.emit(call);
    return true;
  }

  /** Called by the network: our socket dropped. */
  loseTransport(): void {
    if (!this.connected) return;
    this.#server = undefined;
    this.#unbind();
    const error = new VoiceSDKError('transport-failed', 'The WebSocket to the SIP server was lost');
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
    this.#server = undefined;
    this.#transportLost.clear();
    this.#incoming.clear();
    this.#registrationLost.clear();
    const fault = this.#network.takeFault('dispose');
    if (fault) throw fault;
  }

  #unbind(): void {
    this.#registered = false;
    this.#network.unbind(this.config.uri, this);
  }
}
