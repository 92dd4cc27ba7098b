/**
 * The Device facade: one SIP user agent with its calls. It turns method calls
 * into events for the device actor and the actor's emitted events into typed
 * events; `state` and `calls` read the actor's snapshot.
 */
import { createActor, type ActorRefFrom, type InspectionEvent } from 'xstate';
import type { AdapterFactory, DtmfMethod } from './adapters/adapter';
import { createSipJsAdapter } from './adapters/sipjs';
import { Call, type CallActorRef } from './call';
import { VoiceSDKError } from './errors';
import { TypedEmitter } from './events';
import { deviceMachine, deviceState, transportState, type DeviceState, type TransportState } from './machines/device.machine';
import type { DeviceEmitted, DeviceEvent, ReconnectPolicy } from './machines/device.types';
import { sendAndSettle, type Outcome } from './settle';
import type { QualityWarningOptions } from './quality/quality.types';
import { resolveGracePeriod, resolveWarningInputs } from './quality/warnings';
import {
  normalizeTarget,
  paramsToHeaders,
  parseSipUri,
  validateCallerId,
  validateDisplayName,
  validateHeaderPrefix,
  validateIdentityText,
} from './validation';

/** Options of `new Device()`. */
export interface DeviceOptions {
  /** WebSocket URL of the SIP server (`wss://pbx.example.com/ws`), or several: tried in order, the next one after a failure. */
  server: string | string[];
  /** Our address of record, `sip:alice@example.com`. */
  uri: string;
  /** Digest password. Never logged. */
  password?: string;
  /** Digest user name. @default the user part of `uri` */
  authorizationUsername?: string;
  /** Display name in From headers. */
  displayName?: string;
  /** Prefix of custom headers made from `params` and read into `customHeaders`. @default 'X-Callchart-' ('X-2Chat-' works too) */
  headerPrefix?: string;
  /** STUN/TURN servers. @default [] — no public STUN server is ever used unless you name it. */
  iceServers?: RTCIceServer[];
  /**
   * Which ICE candidates the peer connection may use: `'all'`, or `'relay'`
   * to send media only through the TURN servers in `iceServers` (hides the
   * user's IP addresses from the far end; needs a `turn:`/`turns:` server).
   * @default 'all'
   */
  iceTransportPolicy?: 'all' | 'relay';
  /** Receives XState inspection events of the device actor and every call actor (e.g. `@statelyai/inspect`'s `inspector.inspect`). */
  inspect?: (event: InspectionEvent) => void;
  /** The adapter: SIP.js + WebRTC by default; `createFakeAdapter` from `callchart/testing` for tests. */
  adapter?: AdapterFactory;
  /** Reconnection backoff. @default { baseDelayMs: 500, maxDelayMs: 30000, maxAttempts: 5 } */
  reconnect?: Partial<ReconnectPolicy>;
  /** How often `quality` fires while a call is accepted, in ms. @default 1000 */
  qualityIntervalMs?: number;
  /** Thresholds and rules of the quality warnings; `false` for one turns it off. @default every warning on, with the documented defaults */
  qualityWarnings?: QualityWarningOptions;
  /** How often `report` fires while a call is accepted, in ms. @default 3000 */
  reportIntervalMs?: number;
  /** How `sendDigits` sends tones. @default { method: 'rfc2833', durationMs: 100, gapMs: 70 } */
  dtmf?: { method?: DtmfMethod; durationMs?: number; gapMs?: number };
  /** With STUN/TURN configured, the most time ICE gathering may take before the offer/answer goes out, in ms. @default 500 */
  iceGatheringTimeoutMs?: number;
  /** Registration expiry in seconds. @default 600 */
  registerExpires?: number;
  /** User-Agent header. @default 'callchart' */
  userAgentString?: string;
}

export interface ConnectOptions {
  /** E.164 number (`+15551234567`), a user (`bob`) or a SIP URI; numbers and users get the domain of `uri`. */
  to: string;
  /** Caller ID: the user part of the From header. */
  from?: string;
  /** Custom headers: each key becomes `<prefix><Key>` (`ticketId` → `X-Callchart-TicketId`). */
  params?: Record<string, string | number | boolean>;
}

export interface ReconnectingInfo {
  /** Failed attempts so far in this outage. */
  attempt: number;
  /** How long until the next attempt, in ms. */
  delayMs: number;
  /** The server the next attempt goes to. */
  server: string;
}

/** Events of a device: name → handler arguments. */
export type DeviceEvents = {
  /** A REGISTER is under way (first registration, or re-registration after a reconnect). */
  registering: [];
  registered: [];
  unregistered: [];
  /** The WebSocket is open. */
  connected: [info: { server: string }];
  /** The WebSocket dropped or failed; the next attempt follows after `delayMs`. */
  reconnecting: [info: ReconnectingInfo];
  /** The WebSocket is closed for good (after `maxAttempts` failures). */
  disconnected: [];
  /** Registration, unregistration or transport failed. */
  error: [error: VoiceSDKError];
  /** A call is coming in. */
  incoming: [call: Call];
  /** destroy() finished. */
  destroyed: [];
};

export type DeviceActorRef = ActorRefFrom<typeof deviceMachine>;

const DEFAULT_PREFIX = 'X-Callchart-';

const DONE = { value: undefined };

function parseServers(server: unknown): string[] {
  const servers = Array.isArray(server) ? server : [server];
  if (servers.length === 0) throw new VoiceSDKError('invalid-argument', '`server` must name at least one ws:// or wss:// URL');
  return servers.map((value) => {
    if (typeof value !== 'string' || !/^wss?:\/\/[^\s/]+(\/\S*)?$/i.test(value)) {
      throw new VoiceSDKError('invalid-argument', `\`server\` "${String(value)}" is not a ws:// or wss:// URL`);
    }
    return value;
  });
}

function positive(value: unknown, what: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new VoiceSDKError('invalid-argument', `${what} must be a positive number`);
  }
  return value;
}

export class Device extends TypedEmitter<DeviceEvents> {
  readonly #actor: DeviceActorRef;
  /** One facade per call actor, so the same Call object is handed out every time. */
  readonly #facades = new WeakMap<CallActorRef, Call>();
  readonly #domain: string;
  readonly #prefix: string;

  constructor(options: DeviceOptions) {
    super();
    if (typeof options !== 'object' || options === null) throw new VoiceSDKError('invalid-argument', 'new Device() needs options');
    const servers = parseServers(options.server);
    const aor = parseSipUri(options.uri, '`uri`');
    this.#domain = aor.host;
    this.#prefix = validateHeaderPrefix(options.headerPrefix ?? DEFAULT_PREFIX);
    if (options.password !== undefined && typeof options.password !== 'string') {
      throw new VoiceSDKError('invalid-argument', '`password` must be a string');
    }
    if (options.iceServers !== undefined && !Array.isArray(options.iceServers)) {
      throw new VoiceSDKError('invalid-argument', '`iceServers` must be an array of RTCIceServer');
    }
    const iceTransportPolicy = options.iceTransportPolicy ?? 'all';
    if (iceTransportPolicy !== 'all' && iceTransportPolicy !== 'relay') {
      throw new VoiceSDKError('invalid-argument', "`iceTransportPolicy` must be 'all' or 'relay'");
    }
    const dtmfMethod = options.dtmf?.method ?? 'rfc2833';
    if (dtmfMethod !== 'rfc2833' && dtmfMethod !== 'info') {
      throw new VoiceSDKError('invalid-argument', "`dtmf.method` must be 'rfc2833' or 'info'");
    }
    // Every option is checked before the adapter exists: a refused Device builds nothing.
    const identity = {
      authorizationUsername: validateIdentityText(options.authorizationUsername ?? aor.user, '`authorizationUsername`'),
      ...(options.displayName === undefined ? {} : { displayName: validateDisplayName(options.displayName) }),
      userAgentString: validateIdentityText(options.userAgentString ?? 'callchart', '`userAgentString`'),
    };
    const reconnect = {
      baseDelayMs: positive(options.reconnect?.baseDelayMs, '`reconnect.baseDelayMs`', 500),
      maxDelayMs: positive(options.reconnect?.maxDelayMs, '`reconnect.maxDelayMs`', 30_000),
      maxAttempts: positive(options.reconnect?.maxAttempts, '`reconnect.maxAttempts`', 5),
    };
    const call = {
      qualityIntervalMs: positive(options.qualityIntervalMs, '`qualityIntervalMs`', 1000),
      dtmf: {
        method: dtmfMethod,
        durationMs: positive(options.dtmf?.durationMs, '`dtmf.durationMs`', 100),
        gapMs: positive(options.dtmf?.gapMs, '`dtmf.gapMs`', 70),
      },
      warnings: resolveWarningInputs(options.qualityWarnings),
      gracePeriodMs: resolveGracePeriod(options.qualityWarnings),
      reportIntervalMs: positive(options.reportIntervalMs, '`reportIntervalMs`', 3000),
    };
    const iceGatheringTimeoutMs = positive(options.iceGatheringTimeoutMs, '`iceGatheringTimeoutMs`', 500);
    const registerExpires = positive(options.registerExpires, '`registerExpires`', 600);
    const createAdapter = options.adapter ?? createSipJsAdapter;
    if (typeof createAdapter !== 'function') throw new VoiceSDKError('invalid-argument', '`adapter` must be an adapter factory');

    const ua = createAdapter({
      uri: options.uri,
      ...(options.password === undefined ? {} : { password: options.password }),
      ...identity,
      headerPrefix: this.#prefix,
      iceServers: options.iceServers ?? [],
      iceTransportPolicy,
      iceGatheringTimeoutMs,
      registerExpires,
    });
    this.#actor = createActor(deviceMachine, {
      input: { ua, servers, reconnect, random: Math.random, call: { ...call, now: () => Date.now() } },
      ...(options.inspect ? { inspect: options.inspect } : {}),
    });
    this.#actor.on('*', (event) => this.#forward(event));
    this.#actor.start();
  }

  /** 'unregistered' | 'registering' | 'registered' | 'unregistering' | 'destroyed'. */
  get state(): DeviceState {
    return deviceState(this.#actor.getSnapshot());
  }

  /** 'disconnected' | 'connecting' | 'connected' | 'reconnecting'. */
  get transportState(): TransportState {
    return transportState(this.#actor.getSnapshot());
  }

  /** Calls that have not ended, inbound and outbound, oldest first. */
  get calls(): Call[] {
    // The call actors are the device actor's children, in the order spawned.
    const calls: Call[] = [];
    for (const [id, child] of Object.entries(this.#actor.getSnapshot().children)) {
      const call = child?.src === 'callMachine' ? this.#adopt(id) : undefined;
      const status = call?.getStatus();
      if (call && status !== 'disconnected' && status !== 'failed') calls.push(call);
    }
    return calls;
  }

  /** The device's statechart actor, for inspection. */
  get actor(): DeviceActorRef {
    return this.#actor;
  }

  /** Opens the socket if needed and registers. Resolves when registered; rejects with `auth-failed`, `transport-failed`, …. */
  register(): Promise<void> {
    return this.#request({ type: 'REGISTER' }, 'register() while unregistering: wait for unregister() first', (e) => {
      if (e.type === 'registered' || (e.type === 'unchanged' && e.operation === 'register')) return DONE;
      if (e.type === 'error' && (e.operation === 'register' || e.operation === 'transport')) return { error: e.error };
      return undefined;
    });
  }

  /** Removes the registration (REGISTER with Expires: 0). The socket stays open for outbound calls. */
  unregister(): Promise<void> {
    // A failed un-REGISTER still ends in `unregistered` (the binding expires on its own).
    return this.#request({ type: 'UNREGISTER' }, 'unregister() while registering: wait for register() first', (e) =>
      e.type === 'unregistered' || (e.type === 'unchanged' && e.operation === 'unregister') ? DONE : undefined,
    );
  }

  /**
   * Opens the WebSocket without registering (register() and connect() do it
   * themselves). Opening it early saves a round trip on the first call.
   */
  connectTransport(): Promise<void> {
    return this.#request({ type: 'CONNECT' }, 'The transport cannot be opened now', (e) => {
      if (e.type === 'connected' || (e.type === 'unchanged' && e.operation === 'transport')) return DONE;
      if (e.type === 'error' && e.operation === 'transport') return { error: e.error };
      return undefined;
    });
  }

  /** Places a call. The socket is opened first if needed; resolves with the Call once the INVITE is under way. */
  async connect(options: ConnectOptions): Promise<Call> {
    if (typeof options !== 'object' || options === null) throw new VoiceSDKError('invalid-argument', 'connect() needs { to }');
    const target = normalizeTarget(options.to, this.#domain);
    const headers = paramsToHeaders(options.params, this.#prefix);
    const fromUser = options.from === undefined ? undefined : validateCallerId(options.from);
    const callId = `call-${globalThis.crypto.randomUUID()}`;
    const request = { target, headers, ...(fromUser ? { fromUser } : {}) };
    await this.#request({ type: 'CALL', callId, request }, 'The device cannot place calls now', (e) => {
      if (e.type === 'call-started' && e.callId === callId) return DONE;
      if (e.type === 'call-failed' && e.callId === callId) return { error: e.error };
      return undefined;
    });
    const call = this.#adopt(callId);
    if (!call) throw new VoiceSDKError('invalid-state', 'The device could not start the call');
    return call;
  }

  /** Ends every call, unregisters, closes the socket and stops the actors. Idempotent. */
  async destroy(): Promise<void> {
    const snapshot = this.#actor.getSnapshot();
    if (snapshot.status !== 'active') return;
    // Already destroying: wait for the same end.
    const send = snapshot.can({ type: 'DESTROY' }) ? () => this.#actor.send({ type: 'DESTROY' }) : () => undefined;
    await sendAndSettle(this.#actor, send, (e) => (e.type === 'destroyed' ? DONE : undefined));
    this.#actor.stop();
  }

  #destroyedError(): VoiceSDKError {
    return new VoiceSDKError('invalid-state', 'The device was destroyed');
  }

  /**
   * Sends `event` if the chart takes it now (else `invalid-state`, changing
   * nothing) and settles on the emitted event `outcome` picks; destroying the
   * device meanwhile rejects.
   */
  #request(event: DeviceEvent, refusal: string, outcome: (e: DeviceEmitted) => Outcome<void>): Promise<void> {
    const snapshot = this.#actor.getSnapshot();
    if (!snapshot.can(event)) {
      const destroyed = snapshot.status !== 'active' || deviceState(snapshot) === 'destroyed';
      return Promise.reject(destroyed ? this.#destroyedError() : new VoiceSDKError('invalid-state', refusal));
    }
    return sendAndSettle(
      this.#actor,
      () => this.#actor.send(event),
      (e) => (e.type === 'destroyed' ? { error: this.#destroyedError() } : outcome(e)),
    );
  }

  /** Wraps a spawned call actor in a Call facade (once). */
  #adopt(callId: string): Call | undefined {
    const ref = this.#actor.getSnapshot().children[callId] as CallActorRef | undefined;
    if (!ref) return undefined;
    let call = this.#facades.get(ref);
    if (!call) this.#facades.set(ref, (call = new Call(ref)));
    return call;
  }

  #forward(event: DeviceEmitted): void {
    switch (event.type) {
      case 'registering':
      case 'registered':
      case 'unregistered':
      case 'disconnected':
      case 'destroyed':
        this.emit(event.type);
        break;
      case 'connected':
        this.emit('connected', { server: event.server });
        break;
      case 'reconnecting':
        this.emit('reconnecting', { attempt: event.attempt, delayMs: event.delayMs, server: event.server });
        break;
      case 'error':
        this.emit('error', event.error);
        break;
      case 'incoming': {
        const call = this.#adopt(event.callId);
        if (call) this.emit('incoming', call);
        break;
      }
    }
  }
}
