/**
 * `new Device(options)`: the options, their defaults (`DEFAULTS`, the one
 * copy — README and the `@default` tags below are checked against it by a
 * unit test) and the parser that turns them into what the device machine
 * and the adapter get. Bad options throw `VoiceSDKError('invalid-argument')`
 * naming the option, before anything is built.
 */
import type { InspectionEvent, Observer } from 'xstate';
import type { AdapterFactory, DtmfMethod, UserAgentConfig } from './adapters/adapter';
import { createDefaultAdapter } from './adapters/default';
import type { CallPolicy, DeviceMachineInput, KeepAlivePolicy, ReconnectPolicy } from './machines/device.types';
import type { QualityThresholds, QualityWarningOptions } from './quality/quality.types';
import { DEFAULT_GRACE_PERIOD_MS, DEFAULT_QUALITY_THRESHOLDS, resolveGracePeriod, resolveWarningInputs } from './quality/warnings';
import { hasControlCharacters, invalidArgument, isDisplayName, parseSipUri, shown } from './sip/grammar';
import { parseHeaderPrefix } from './sip/headers';
import type { TransferRequestPolicy } from './call.api';
import { parseSoundOptions, SOUND_DEFAULTS, type SoundOptions, type SoundSettings } from './sounds/sounds';


/**
 * The type of the Device's `inspect` option (`callchart`): where XState
 * inspection events go, a function called with each event, or an observer
 * whose `next` is (what `@statelyai/inspect`'s `inspector.inspect` is). Not
 * to be confused with the one of the same name in `callchart/devtools`,
 * {@link devtools!Inspector}: what its `createInspector()` returns, one such
 * function (with `close()`).
 */
export type Inspector = Observer<InspectionEvent> | ((event: InspectionEvent) => void);

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
  /** Prefix of custom headers made from `params` and read into `customHeaders` (`'X-2Chat-'` works too). @default 'X-Callchart-' */
  headerPrefix?: string;
  /** STUN/TURN servers; no public STUN server is ever used unless you name it. @default [] */
  iceServers?: RTCIceServer[];
  /**
   * Which ICE candidates the peer connection may use: `'all'`, or `'relay'`
   * to send media only through the TURN servers in `iceServers` (hides the
   * user's IP addresses from the far end; needs a `turn:`/`turns:` server).
   * @default 'all'
   */
  iceTransportPolicy?: 'all' | 'relay';
  /** Receives XState inspection events of the device actor and every call actor: a function, or an observer such as `@statelyai/inspect`'s `inspector.inspect`; `undefined` (`viewer?.inspect` of a blocked popup) is none. */
  inspect?: Inspector | undefined;
  /** The adapter: SIP.js + WebRTC by default (fetched with `import()` when the Device is made: a chunk of its own in your bundle); `network.adapter` of `createFakeNetwork()` from `callchart/testing` in tests; your own from `callchart/adapter`. @default the SIP.js adapter */
  adapter?: AdapterFactory;
  /**
   * Reconnection backoff; by default the device never gives up. The count of
   * failures resets only once a connection proved itself (registered, or
   * answered a keep-alive).
   * @default { baseDelayMs: 500, maxDelayMs: 30000, maxAttempts: Infinity }
   */
  reconnect?: Partial<ReconnectPolicy>;
  /** How long `register()` waits before it rejects `timeout`, in ms (the device keeps trying). @default 10000 */
  registerTimeoutMs?: number;
  /** Quiet time on an open socket before a CRLF keep-alive ping, in ms. @default 15000 */
  keepAliveIntervalMs?: number;
  /** How long the server may take to answer a keep-alive before the socket counts as dead and the device reconnects, in ms. @default 5000 */
  keepAliveTimeoutMs?: number;
  /**
   * Restoring a call's lost media path: ICE restarts (re-INVITEs with new ICE
   * credentials, with backoff) after ICE failed, stayed `disconnected` for 2 s
   * with no audio coming in, or the network changed (`online`). `timeoutMs`:
   * how long that may take before the call fails `media-lost` (and hangs up).
   * @default { timeoutMs: 30000 }
   */
  recovery?: { timeoutMs?: number };
  /** How often `quality` fires while a call is accepted, in ms. @default 1000 */
  qualityIntervalMs?: number;
  /** Thresholds and rules of the quality warnings; `false` for one turns it off. @default { gracePeriodMs: 5000, thresholds: DEFAULT_QUALITY_THRESHOLDS } */
  qualityWarnings?: QualityWarningOptions;
  /** How often `report` fires while a call is accepted, in ms. @default 3000 */
  reportIntervalMs?: number;
  /**
   * How `sendDigits` sends tones. `method` is the preferred way: the other one
   * is used on a call where the preferred one would not arrive, and
   * `sendDigits` rejects `dtmf-unavailable` where neither would.
   * @default { method: 'rfc2833', durationMs: 100, gapMs: 70 }
   */
  dtmf?: { method?: DtmfMethod; durationMs?: number; gapMs?: number };
  /** With STUN/TURN configured, the most time ICE gathering may take before the offer/answer goes out, in ms. @default 500 */
  iceGatheringTimeoutMs?: number;
  /** Registration expiry in seconds. @default 600 */
  registerExpires?: number;
  /** User-Agent header. @default 'callchart' */
  userAgentString?: string;
  /**
   * Whether a call may come in while another is accepted (call waiting). With
   * `false`, such an INVITE is answered 486 Busy Here and never surfaced.
   * @default true
   */
  callWaiting?: boolean;
  /**
   * The most calls (inbound and outbound, not ended, those waiting for the transport included) at once, no limit by
   * default: an INVITE beyond it is answered 486 and never surfaced, a `connect()` beyond it rejects `invalid-state`
   * and sends nothing. @default Infinity
   */
  maxCalls?: number;
  /**
   * What to do when the far end of an accepted call transfers it to us
   * (REFER): `'follow'` answers 202 and calls the Refer-To target (the old
   * call emits `referred` with the new Call and ends `'transferred'` once the
   * new one is answered); `'refuse'` answers 603 and changes nothing; a
   * function decides per request (true follows; false, a throw, a rejection
   * or no answer within 10 s refuses). A hostile Refer-To is answered 400.
   * @default 'follow'
   */
  onTransferRequest?: TransferRequestPolicy;
  /**
   * Ringtone, ringback (no early media), disconnect tone and keypad tones,
   * generated with WebAudio; each can be a URL or `false`, or `false` for
   * all. Changeable later through `device.audio`.
   * @default { ringtone: true, callWaiting: true, ringback: true, disconnect: true, dtmf: true, ringtoneDevice: 'default' }
   */
  sounds?: SoundOptions | false;
}

/** Every default of `DeviceOptions` that does not depend on the server or the user. */
export interface DeviceDefaults {
  readonly headerPrefix: string;
  readonly iceServers: readonly RTCIceServer[];
  readonly iceTransportPolicy: 'all' | 'relay';
  readonly reconnect: Readonly<ReconnectPolicy>;
  readonly registerTimeoutMs: number;
  readonly keepAliveIntervalMs: number;
  readonly keepAliveTimeoutMs: number;
  readonly recovery: { readonly timeoutMs: number };
  readonly qualityIntervalMs: number;
  readonly qualityWarnings: { readonly gracePeriodMs: number; readonly thresholds: QualityThresholds };
  readonly reportIntervalMs: number;
  readonly dtmf: { readonly method: DtmfMethod; readonly durationMs: number; readonly gapMs: number };
  readonly iceGatheringTimeoutMs: number;
  readonly registerExpires: number;
  readonly userAgentString: string;
  readonly callWaiting: boolean;
  readonly maxCalls: number;
  readonly onTransferRequest: 'follow' | 'refuse';
  readonly sounds: typeof SOUND_DEFAULTS;
}

/**
 * The defaults, frozen. The quality warnings' values live with their
 * reasons in the warning catalogue (`src/quality/warnings.ts`).
 */
export const DEFAULTS: DeviceDefaults = /* @__PURE__ */ Object.freeze({
  headerPrefix: 'X-Callchart-',
  iceServers: /* @__PURE__ */ Object.freeze([]),
  iceTransportPolicy: 'all',
  reconnect: /* @__PURE__ */ Object.freeze({ baseDelayMs: 500, maxDelayMs: 30_000, maxAttempts: Infinity }),
  registerTimeoutMs: 10_000,
  keepAliveIntervalMs: 15_000,
  keepAliveTimeoutMs: 5_000,
  recovery: /* @__PURE__ */ Object.freeze({ timeoutMs: 30_000 }),
  qualityIntervalMs: 1000,
  qualityWarnings: /* @__PURE__ */ Object.freeze({ gracePeriodMs: DEFAULT_GRACE_PERIOD_MS, thresholds: DEFAULT_QUALITY_THRESHOLDS }),
  reportIntervalMs: 3000,
  dtmf: /* @__PURE__ */ Object.freeze({ method: 'rfc2833', durationMs: 100, gapMs: 70 }),
  iceGatheringTimeoutMs: 500,
  registerExpires: 600,
  userAgentString: 'callchart',
  callWaiting: true,
  maxCalls: Number.POSITIVE_INFINITY,
  onTransferRequest: 'follow',
  sounds: SOUND_DEFAULTS,
} as const);

/** What the options mean, checked and with every default filled in. */
export interface DeviceSettings {
  servers: string[];
  /** `host[:port]` of `uri`: the domain that numbers and users in `connect({ to })` get. */
  domain: string;
  headerPrefix: string;
  createAdapter: AdapterFactory;
  /** What the adapter gets. */
  userAgent: UserAgentConfig;
  reconnect: ReconnectPolicy;
  keepAlive: KeepAlivePolicy;
  registerTimeoutMs: number;
  /** The device's call-waiting policy. */
  policy: CallPolicy;
  /** What every call actor gets besides its port. */
  call: Omit<DeviceMachineInput['call'], 'now' | 'transferPolicy'>;
  /** `onTransferRequest`, checked (the Device turns a function into the calls' transfer policy). */
  onTransferRequest: TransferRequestPolicy;
  inspect?: Inspector;
  sounds: SoundSettings;
}

/**
 * Checks `options` and fills in the defaults.
 * @throws VoiceSDKError `invalid-argument`, naming the option, for any bad one.
 */
export function parseDeviceOptions(options: DeviceOptions): DeviceSettings {
  if (typeof options !== 'object' || options === null) throw invalidArgument('new Device() needs options');
  const servers = parseServers(options.server);
  const aor = parseSipUri(options.uri, '`uri`');
  const headerPrefix = parseHeaderPrefix(options.headerPrefix ?? DEFAULTS.headerPrefix);
  if (options.password !== undefined && typeof options.password !== 'string') throw invalidArgument('`password` must be a string');
  if (options.iceServers !== undefined && !Array.isArray(options.iceServers)) {
    throw invalidArgument('`iceServers` must be an array of RTCIceServer');
  }
  const iceTransportPolicy = options.iceTransportPolicy ?? DEFAULTS.iceTransportPolicy;
  if (iceTransportPolicy !== 'all' && iceTransportPolicy !== 'relay') {
    throw invalidArgument("`iceTransportPolicy` must be 'all' or 'relay'");
  }
  const dtmfMethod = options.dtmf?.method ?? DEFAULTS.dtmf.method;
  if (dtmfMethod !== 'rfc2833' && dtmfMethod !== 'info') throw invalidArgument("`dtmf.method` must be 'rfc2833' or 'info'");
  const identity = {
    authorizationUsername: identityText(options.authorizationUsername ?? aor.user, '`authorizationUsername`'),
    ...(options.displayName === undefined ? {} : { displayName: displayName(options.displayName) }),
    userAgentString: identityText(options.userAgentString ?? DEFAULTS.userAgentString, '`userAgentString`'),
  };
  const reconnect = {
    baseDelayMs: positive(options.reconnect?.baseDelayMs, '`reconnect.baseDelayMs`', DEFAULTS.reconnect.baseDelayMs),
    maxDelayMs: positive(options.reconnect?.maxDelayMs, '`reconnect.maxDelayMs`', DEFAULTS.reconnect.maxDelayMs),
    maxAttempts: attempts(options.reconnect?.maxAttempts, DEFAULTS.reconnect.maxAttempts),
  };
  const keepAlive = {
    intervalMs: positive(options.keepAliveIntervalMs, '`keepAliveIntervalMs`', DEFAULTS.keepAliveIntervalMs),
    timeoutMs: positive(options.keepAliveTimeoutMs, '`keepAliveTimeoutMs`', DEFAULTS.keepAliveTimeoutMs),
  };
  const registerTimeoutMs = positive(options.registerTimeoutMs, '`registerTimeoutMs`', DEFAULTS.registerTimeoutMs);
  const call = {
    qualityIntervalMs: positive(options.qualityIntervalMs, '`qualityIntervalMs`', DEFAULTS.qualityIntervalMs),
    dtmf: {
      method: dtmfMethod,
      durationMs: positive(options.dtmf?.durationMs, '`dtmf.durationMs`', DEFAULTS.dtmf.durationMs),
      gapMs: positive(options.dtmf?.gapMs, '`dtmf.gapMs`', DEFAULTS.dtmf.gapMs),
    },
    warnings: resolveWarningInputs(options.qualityWarnings),
    gracePeriodMs: resolveGracePeriod(options.qualityWarnings),
    reportIntervalMs: positive(options.reportIntervalMs, '`reportIntervalMs`', DEFAULTS.reportIntervalMs),
    recoveryTimeoutMs: positive(options.recovery?.timeoutMs, '`recovery.timeoutMs`', DEFAULTS.recovery.timeoutMs),
  };
  const callWaiting = options.callWaiting ?? DEFAULTS.callWaiting;
  if (typeof callWaiting !== 'boolean') throw invalidArgument('`callWaiting` must be a boolean');
  const maxCalls = options.maxCalls ?? DEFAULTS.maxCalls;
  if (maxCalls !== Number.POSITIVE_INFINITY && (!Number.isInteger(maxCalls) || maxCalls < 1)) {
    throw invalidArgument('`maxCalls` must be a whole number of at least 1');
  }
  const onTransferRequest = options.onTransferRequest ?? DEFAULTS.onTransferRequest;
  if (onTransferRequest !== 'follow' && onTransferRequest !== 'refuse' && typeof onTransferRequest !== 'function') {
    throw invalidArgument("`onTransferRequest` must be 'follow', 'refuse' or a function");
  }
  const iceGatheringTimeoutMs = positive(options.iceGatheringTimeoutMs, '`iceGatheringTimeoutMs`', DEFAULTS.iceGatheringTimeoutMs);
  const registerExpires = positive(options.registerExpires, '`registerExpires`', DEFAULTS.registerExpires);
  const createAdapter = options.adapter ?? createDefaultAdapter;
  if (typeof createAdapter !== 'function') throw invalidArgument('`adapter` must be an adapter factory');
  if (options.inspect !== undefined && !isInspector(options.inspect)) {
    throw invalidArgument('`inspect` must be a function or an observer with a `next` function');
  }
  return {
    servers,
    domain: aor.port === undefined ? aor.host : `${aor.host}:${aor.port}`,
    headerPrefix,
    createAdapter,
    userAgent: {
      uri: options.uri,
      ...(options.password === undefined ? {} : { password: options.password }),
      ...identity,
      headerPrefix,
      iceServers: options.iceServers ?? [...DEFAULTS.iceServers],
      iceTransportPolicy,
      iceGatheringTimeoutMs,
      registerExpires,
    },
    reconnect,
    keepAlive,
    registerTimeoutMs,
    policy: { callWaiting, maxCalls },
    call,
    onTransferRequest,
    ...(options.inspect ? { inspect: options.inspect } : {}),
    sounds: parseSoundOptions(options.sounds),
  };
}

function parseServers(server: unknown): string[] {
  const servers = Array.isArray(server) ? server : [server];
  if (servers.length === 0) throw invalidArgument('`server` must name at least one ws:// or wss:// URL');
  return servers.map((value) => {
    if (typeof value !== 'string' || !/^wss?:\/\/[^\s/]+(\/\S*)?$/i.test(value)) {
      throw invalidArgument(`\`server\` ${shown(value)} is not a ws:// or wss:// URL`);
    }
    return value;
  });
}

function positive(value: unknown, what: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw invalidArgument(`${what} must be a positive number`);
  return value;
}

/** `reconnect.maxAttempts`: a positive whole number, or `Infinity` (never give up). */
function attempts(value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (value === Infinity) return value;
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw invalidArgument('`reconnect.maxAttempts` must be a positive whole number or Infinity');
  }
  return value;
}

/** Text that goes into a header as it is (user names, User-Agent): non-empty, no control characters, at most 256. */
function identityText(value: unknown, what: string): string {
  if (typeof value !== 'string' || value === '' || hasControlCharacters(value) || value.length > 256) {
    throw invalidArgument(`${what} must be a non-empty string without CR, LF or other control characters`);
  }
  return value;
}

function displayName(value: unknown): string {
  if (!isDisplayName(value)) throw invalidArgument('`displayName` must be a string without quotes, backslashes or control characters');
  return value;
}

function isInspector(value: unknown): value is Inspector {
  if (typeof value === 'function') return true;
  return typeof value === 'object' && value !== null && typeof (value as { next?: unknown }).next === 'function';
}
