/**
 * The `UserAgentPort` over one SIP.js `UserAgent`: WebSocket transport,
 * registration, and the calls made and received through it.
 */
import { Invitation, SessionState, SIPExtension, UserAgent, UserAgentState } from 'sip.js';
import type { LogLevel, UserAgentOptions } from 'sip.js';
import type {
  CallPort,
  InviteRequest,
  Unsubscribe,
  UserAgentConfig,
  UserAgentPort,
} from '../adapter';
import { VoiceSDKError } from '../../errors';
import { ListenerSet } from '../listeners';
import { watchOnline } from '../online';
import { settlesWithin } from '../timeouts';
import { scrubLogText, toExtraHeaderLines } from './headers';
import { customHeadersOf, readCustomHeaders } from '../../sip/headers';
import { isSipUser } from '../../sip/grammar';
import { UNAVAILABLE_STATUS } from '../../sip/responses';
import { remoteIdentityOfUri } from '../../sip/target';
import { identityHeadersOf } from './sipjs.identity';
import { createSessionDescriptionHandlerFactory } from './sdh';
import { offerProblem, warningHeaderValue } from '../../sip/sdp';
import { SipJsCall } from './sipjs.call';
import { ReportingInviter } from './sipjs.session';
import { asVoiceSDKError } from './sipjs.errors';
import { Registration } from './sipjs.registration';
import { RetargetableTransport, UNSET_SERVER } from './sipjs.transport';

/** How long dispose() gives each best-effort step (ending calls, unregistering), in ms. */
const DISPOSE_STEP_TIMEOUT_MS = 1000;

export class SipJsUserAgent implements UserAgentPort {
  /** Escape hatch for tests and debugging: the SIP.js user agent. */
  readonly #userAgent: UserAgent;
  readonly #config: UserAgentConfig;
  readonly #transport: RetargetableTransport;
  readonly #registration: Registration;
  readonly #calls = new Set<SipJsCall>();
  readonly #transportLost = new ListenerSet<VoiceSDKError>();
  readonly #incomingCall = new ListenerSet<CallPort>();
  readonly #registrationLost = new ListenerSet<VoiceSDKError>();
  readonly #online = new ListenerSet<void>();
  readonly #stopWatchingOnline: () => void;
  /** A dead socket is being abandoned for a new one: its close is ours, not a loss. */
  #abandoning = false;
  #disposing: Promise<void> | undefined;

  /** The SIP.js UserAgent (escape hatch for tests). */
  get userAgent(): UserAgent {
    return this.#userAgent;
  }

  /** What serializers (inspectors) see: never the configuration or its password. */
  toJSON(): Record<string, unknown> {
    return { uri: this.#config.uri };
  }

  constructor(config: UserAgentConfig) {
    this.#config = config;
    const uri = UserAgent.makeURI(config.uri);
    if (uri === undefined) {
      throw new VoiceSDKError('invalid-argument', `"${config.uri}" is not a SIP URI`);
    }
    const secrets = config.password === undefined ? [] : [config.password];
    const options: UserAgentOptions = {
      uri,
      authorizationUsername: config.authorizationUsername ?? uri.user ?? '',
      authorizationPassword: config.password ?? '',
      displayName: config.displayName ?? '',
      userAgentString: config.userAgentString,
      // SIP.js prints whole SIP messages at debug level: keep it at errors, and scrub anyway.
      logLevel: 'error',
      logBuiltinEnabled: false,
      logConfiguration: false,
      logConnector: (level: LogLevel, category: string, _label: string | undefined, content: string) => {
        const line = `[callchart sip] ${category}: ${scrubLogText(content, secrets)}`;
        if (level === 'error') console.error(line);
        else if (level === 'warn') console.warn(line);
      },
      transportConstructor: RetargetableTransport,
      transportOptions: { server: UNSET_SERVER },
      // Reconnecting is the device machine's decision (backoff, next server);
      // SIP.js 0.21 does not reconnect by default (its reconnectionAttempts is deprecated).
      // We end calls and unregister ourselves in dispose(), with timeouts;
      // SIP.js's graceful stop does the same serially and without any.
      gracefulShutdown: false,
      sessionDescriptionHandlerFactory: createSessionDescriptionHandlerFactory({
        iceServers: config.iceServers,
        iceTransportPolicy: config.iceTransportPolicy ?? 'all',
        iceGatheringTimeoutMs: config.iceGatheringTimeoutMs,
      }),
      // Read by SIP.js's default factory only; ours is configured above. Kept
      // equal so nothing falls back to SIP.js's default public STUN server.
      sessionDescriptionHandlerFactoryOptions: {
        iceGatheringTimeout: config.iceGatheringTimeoutMs,
        peerConnectionConfiguration: { iceServers: config.iceServers, iceTransportPolicy: config.iceTransportPolicy ?? 'all' },
      },
      contactParams: { transport: 'ws' },
      // Kamailio (with nathelper's add_contact_alias for WebSocket clients)
      // routes the default "*.invalid" Contact; no fake IP needed.
      hackIpInContact: false,
      // Attended transfers: an INVITE with Replaces is matched to its dialog
      // (481 when none matches) and reported with the call it replaces.
      sipExtensionReplaces: SIPExtension.Supported,
      delegate: {
        onInvite: (invitation) => this.onInvite(invitation),
        onDisconnect: (error) => this.onDisconnect(error),
      },
    };
    this.#userAgent = new UserAgent(options);
    this.#transport = this.#userAgent.transport as RetargetableTransport;
    this.#registration = new Registration(
      this.#userAgent,
      { expires: config.registerExpires, logConfiguration: false },
      { onLost: (error) => this.#registrationLost.emit(error) },
    );
    this.#stopWatchingOnline = watchOnline(() => this.#online.emit());
  }

  // ---- transport ----------------------------------------------------------

  async connect(server: string): Promise<void> {
    this.assertUsable();
    if (!/^wss?:\/\/\S+$/i.test(server)) {
      throw new VoiceSDKError('invalid-argument', `"${server}" is not a ws:// or wss:// URL`);
    }
    try {
      // The machine connects only when it holds the socket gone or dead: a
      // socket still open is abandoned at once (a dead peer never completes a close).
      this.#abandoning = true;
      try {
        this.#transport.abandon();
      } finally {
        this.#abandoning = false;
      }
      // A deliberate disconnect: onDisconnect gets no error, no loss is reported.
      await this.#transport.disconnect();
      this.#transport.retarget(server);
      if (this.#userAgent.state === UserAgentState.Stopped) await this.#userAgent.start();
      else await this.#transport.connect();
    } catch (error) {
      throw asVoiceSDKError(error, 'transport-failed', `Could not connect to ${server}`);
    }
  }

  async disconnect(): Promise<void> {
    try {
      await this.#transport.disconnect();
    } catch (error) {
      throw asVoiceSDKError(error, 'transport-failed', 'Could not close the connection');
    }
  }

  onTransportLost(listener: (error: VoiceSDKError) => void): Unsubscribe {
    return this.#transportLost.add(listener);
  }

  ping(): void {
    this.#transport.ping();
  }

  onPong(listener: () => void): Unsubscribe {
    return this.#transport.onPong(listener);
  }

  onNetworkOnline(listener: () => void): Unsubscribe {
    return this.#online.add(listener);
  }

  private onDisconnect(error?: Error): void {
    this.#registration.onTransportClosed();
    if (error === undefined || this.#disposing !== undefined || this.#abandoning) return;
    this.#transportLost.emit(new VoiceSDKError('transport-failed', 'The connection to the SIP server was lost', { cause: error }));
  }

  // ---- registration -------------------------------------------------------

  async register(): Promise<void> {
    this.assertUsable();
    if (!this.#transport.isConnected()) {
      throw new VoiceSDKError('transport-failed', 'Cannot register: the connection to the SIP server is down');
    }
    await this.#registration.register();
  }

  async unregister(): Promise<void> {
    this.assertUsable();
    await this.#registration.unregister();
  }

  onRegistrationLost(listener: (error: VoiceSDKError) => void): Unsubscribe {
    return this.#registrationLost.add(listener);
  }

  // ---- calls --------------------------------------------------------------

  createCall(request: InviteRequest): CallPort {
    this.assertUsable();
    const target = UserAgent.makeURI(request.target);
    if (target === undefined) {
      throw new VoiceSDKError('invalid-argument', `"${request.target}" is not a SIP URI`);
    }
    const extraHeaders = toExtraHeaderLines(request.headers);
    const fromUri = this.#userAgent.configuration.uri.clone();
    if (request.fromUser !== undefined && request.fromUser.length > 0) {
      if (!isSipUser(request.fromUser)) {
        throw new VoiceSDKError('invalid-argument', `"${request.fromUser}" cannot be the user part of a SIP URI`);
      }
      fromUri.user = request.fromUser;
    }
    const inviter = new ReportingInviter(this.#userAgent, target, {
      extraHeaders,
      params: { fromUri },
      earlyMedia: true,
    });
    const call = this.track(
      new SipJsCall(this.callContext(), {
        direction: 'outbound',
        session: inviter,
        remoteIdentity: remoteIdentityOfUri(target),
        remoteParty: { uri: target.toString() },
        ...(request.video ? { video: true } : {}),
        inputDeviceId: request.inputDeviceId,
        customHeaders: customHeadersOf(Object.entries(request.headers), this.#config.headerPrefix),
      }),
    );
    return call;
  }

  createReferredCall(referred: CallPort, options: Pick<InviteRequest, 'inputDeviceId'> = {}): CallPort {
    this.assertUsable();
    const call = [...this.#calls].find((candidate) => candidate === referred);
    const inviter = call?.referredInviter();
    if (inviter === undefined) throw new VoiceSDKError('invalid-state', 'No accepted REFER to follow on this call');
    return this.track(
      new SipJsCall(this.callContext(), {
        direction: 'outbound',
        session: inviter,
        remoteIdentity: remoteIdentityOfUri(inviter.request.ruri),
        remoteParty: { uri: inviter.request.ruri.toString() },
        customHeaders: {},
        inputDeviceId: options.inputDeviceId,
      }),
    );
  }

  onIncomingCall(listener: (call: CallPort) => void): Unsubscribe {
    return this.#incomingCall.add(listener);
  }

  private onInvite(invitation: Invitation): void {
    // A CANCEL may have beaten SIP.js's 180 to us: nothing left to offer.
    if (invitation.state !== SessionState.Initial) return;
    if (this.#disposing !== undefined || this.#incomingCall.size === 0) {
      // Nobody can answer: 480 Temporarily Unavailable.
      invitation.reject({ statusCode: UNAVAILABLE_STATUS }).catch(() => undefined);
      return;
    }
    // An offer the browser cannot take is refused before the app sees a call:
    // 488 with a Warning saying why (480 would make a PBX try voicemail).
    const problem = offerProblem(sdpBodyOf(invitation));
    if (problem !== undefined) {
      invitation
        .reject({ statusCode: 488, extraHeaders: [`Warning: ${warningHeaderValue(problem)}`] })
        .catch(() => undefined);
      return;
    }
    // Replaces matched a dialog (SIP.js answered 481 otherwise): the chart
    // ends the replaced call itself, so SIP.js must not BYE it on accept.
    const replacee = invitation.replacee;
    const replaced = replacee === undefined ? undefined : [...this.#calls].find((candidate) => candidate.session === replacee);
    invitation._replacee = undefined;
    if (replacee !== undefined && replaced === undefined) {
      invitation.reject({ statusCode: 481 }).catch(() => undefined);
      return;
    }
    const call = this.track(
      new SipJsCall(this.callContext(), {
        direction: 'inbound',
        session: invitation,
        remoteIdentity: remoteIdentityOfUri(invitation.remoteIdentity.uri),
        remoteParty: identityHeadersOf(invitation.request, invitation.remoteIdentity),
        customHeaders: readCustomHeaders(invitation.request.data, this.#config.headerPrefix),
        ...(replaced === undefined ? {} : { replaces: replaced.id }),
      }),
    );
    this.#incomingCall.emit(call);
  }

  private callContext() {
    return {
      userAgent: this.#userAgent,
      onDisposed: (call: SipJsCall) => {
        this.#calls.delete(call);
      },
    };
  }

  private track(call: SipJsCall): SipJsCall {
    this.#calls.add(call);
    return call;
  }

  // ---- teardown -----------------------------------------------------------

  dispose(): Promise<void> {
    this.#disposing ??= this.shutdown();
    return this.#disposing;
  }

  private async shutdown(): Promise<void> {
    const calls = [...this.#calls];
    // CANCEL / BYE / 480 for every live call, in parallel, each handed to the transport.
    await settlesWithin(Promise.all(calls.map((call) => call.end())), DISPOSE_STEP_TIMEOUT_MS);
    calls.forEach((call) => call.dispose());
    await this.#registration.dispose(DISPOSE_STEP_TIMEOUT_MS);
    this.#transportLost.clear();
    this.#incomingCall.clear();
    this.#registrationLost.clear();
    this.#online.clear();
    this.#stopWatchingOnline();
    try {
      // gracefulShutdown: false → disposes the transport (closing the socket) and the core now.
      await settlesWithin(this.#userAgent.stop(), DISPOSE_STEP_TIMEOUT_MS);
      // stop() starts closing the socket but does not wait for it (SIP.js
      // drops the transport.dispose() promise); wait for the close handshake so
      // that no WebSocket is left CLOSING once destroy() resolves.
      await settlesWithin(this.#transport.disconnect(), DISPOSE_STEP_TIMEOUT_MS);
    } catch {
      // best effort: nothing is left to release if stop() failed half way
    }
  }

  private assertUsable(): void {
    if (this.#disposing !== undefined) {
      throw new VoiceSDKError('invalid-state', 'The user agent was disposed');
    }
  }
}

/** The INVITE's SDP offer, when it has one (no body: we make the offer; other types: SIP.js answers 415). */
function sdpBodyOf(invitation: Invitation): string | undefined {
  const body = invitation.body;
  if (body === undefined || body.trim() === '') return undefined;
  const type = invitation.request.getHeader('content-type');
  return type === undefined || /^\s*application\/sdp\b/i.test(type) ? body : undefined;
}
