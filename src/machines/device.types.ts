import type { DoneActorEvent } from 'xstate';
import type { CallPort, InviteRequest, UserAgentPort } from '../adapters/adapter';
import type { VoiceSDKError } from '../errors';
import type { CallMachineInput, CallToDevice } from './call.types';

/** How many calls at once, decided by the device chart. */
export interface CallPolicy {
  /** An INVITE while a call is accepted is surfaced (true) or answered 486 (false). */
  callWaiting: boolean;
  /** Calls not ended, inbound and outbound, beyond which an INVITE is answered 486. */
  maxCalls: number;
}

/** Reconnection policy of the transport region. */
export interface ReconnectPolicy {
  /** First backoff delay in ms; doubles per attempt. @default 500 */
  baseDelayMs: number;
  /** Upper bound of a backoff delay in ms. @default 30000 */
  maxDelayMs: number;
  /**
   * Failed connection attempts in a row before giving up with
   * `transport-failed`; `Infinity` never gives up. A connection counts as a
   * success (and resets the count) only once it proved itself: registered, or
   * answered a keep-alive.
   * @default Infinity
   */
  maxAttempts: number;
}

/** The CRLF keep-alive watchdog of an open transport. */
export interface KeepAlivePolicy {
  /** Quiet time on an open socket before a CRLF ping, in ms. */
  intervalMs: number;
  /** How long the server may take to answer the ping before the socket counts as dead, in ms. */
  timeoutMs: number;
}

export interface DeviceMachineInput {
  ua: UserAgentPort;
  /** WebSocket servers, tried in order; the next one after each failure. */
  servers: string[];
  reconnect: ReconnectPolicy;
  keepAlive: KeepAlivePolicy;
  /** How long `register()` waits for the device to become registered before it rejects `timeout`, in ms. */
  registerTimeoutMs: number;
  /** Call waiting and the most calls at once. */
  policy: CallPolicy;
  /** Jitter source in [0, 1); `Math.random` unless a test needs determinism. */
  random: () => number;
  /** What every call actor gets besides its port (and the device). */
  call: Omit<CallMachineInput, 'port' | 'device'>;
}

/** A call asked for before the transport was up. */
export interface QueuedCall {
  callId: string;
  request: InviteRequest;
}

export interface DeviceContext extends DeviceMachineInput {
  /** Index into `servers` of the server to use next. */
  serverIndex: number;
  /** Failed connection attempts since the last success. */
  failedAttempts: number;
  /** The backoff before the next connection attempt, in ms. */
  nextDelayMs: number;
  /** Calls waiting for the transport. */
  queuedCalls: QueuedCall[];
  /** Calls not ended (spawned, not yet told `ended`), by id: whether each is accepted. */
  liveCalls: Record<string, 'pending' | 'accepted'>;
  /** Hold-others requests so far (each gets its own actor id). */
  holdRequests: number;
  /** Calls placed to follow a REFER, by id: the id of the call the REFER came on (told how its referred call goes). */
  referrals: Record<string, string>;
}

export type DeviceOperation = 'register' | 'unregister' | 'transport';

export type DeviceEvent =
  // from the user, through the Device facade
  | { type: 'CONNECT' }
  | { type: 'REGISTER' }
  | { type: 'UNREGISTER' }
  | { type: 'CALL'; callId: string; request: InviteRequest }
  /** The microphone calls made from now on open (`device.audio.setInputDevice`, or its fallback to the default). */
  | { type: 'SET_INPUT_DEVICE'; deviceId: string }
  /** The output calls play on from now on (`device.audio.setOutputDevice`, or its fallback to the default). */
  | { type: 'SET_OUTPUT_DEVICE'; deviceId: string }
  | { type: 'DESTROY' }
  // from the user agent listener
  | { type: 'TRANSPORT_LOST'; error: VoiceSDKError }
  | { type: 'REGISTRATION_LOST'; error: VoiceSDKError }
  | { type: 'INCOMING_CALL'; port: CallPort }
  /** The server answered our keep-alive ping. */
  | { type: 'PONG' }
  /** The browser reports the network is back (`online`). */
  | { type: 'NETWORK_ONLINE' }
  // a call actor reached its final state (its id is the call id)
  | DoneActorEvent<unknown, string>
  // from the call actors
  | CallToDevice
  // raised by the transport region for the registration region
  | { type: 'TRANSPORT_FAILED'; error: VoiceSDKError };

export type DeviceEmitted =
  | { type: 'registering' }
  | { type: 'registered' }
  | { type: 'unregistered' }
  | { type: 'connected'; server: string }
  | { type: 'reconnecting'; attempt: number; delayMs: number; server: string }
  | { type: 'disconnected' }
  | { type: 'error'; error: VoiceSDKError; operation: DeviceOperation }
  | { type: 'incoming'; callId: string }
  /** The call actor `callId` exists (its INVITE is being prepared). */
  | { type: 'call-started'; callId: string }
  /** A queued call could not start: the transport failed. */
  | { type: 'call-failed'; callId: string; error: VoiceSDKError }
  /** A request asked for what already is (register when registered …): settled, nothing changed. */
  | { type: 'unchanged'; operation: DeviceOperation }
  /** A request joined the same one under way: its outcome answers both. */
  | { type: 'joined'; operation: DeviceOperation }
  | { type: 'destroyed' };
