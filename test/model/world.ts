/**
 * A test world on the fake network: devices driven through the public API,
 * fake timers, and a record of every public event the facades emitted. The
 * model tests, their scenario files and (through test/unit/api/harness.ts) the
 * public-API tests set up their networks, devices and calls with these
 * helpers; each lets fake time run with `flushUntil` unless given `runUntil`.
 */
import { afterEach, beforeEach, expect, vi } from 'vitest';
import type { InspectionEvent } from 'xstate';
import { Device, type ConnectOptions, type DeviceOptions } from '../../src/index';
import type { Call } from '../../src/call';
import { createFakeNetwork, type FakeNetwork, type FakeNetworkOptions, type RemoteCall, type ScriptedRemote } from '../../src/testing';

export const DOMAIN = 'example.com';
export const SERVER = 'wss://sip.example.com/ws';
export const uriOf = (user: string): string => `sip:${user}@${DOMAIN}`;
/** Fake-time latency of every delivery: long, so a 1 s stats tick can happen while a request is in flight. */
export const LATENCY_MS = 5000;
/**
 * The device's own timeouts, scaled to that latency (a REGISTER takes two
 * deliveries, a pong one); keep-alive pings only an hour apart, so they show
 * only in the tests about them.
 */
export const SLOW_NETWORK_TIMING = { registerTimeoutMs: 20 * LATENCY_MS, keepAliveIntervalMs: 3_600_000, keepAliveTimeoutMs: 4 * LATENCY_MS } as const;

/** Lets fake time run until `done()` holds, one network latency at a time. */
export async function flushUntil(done: () => boolean, what: string, turns = 20): Promise<void> {
  for (let i = 0; i < turns && !done(); i++) await vi.advanceTimersByTimeAsync(LATENCY_MS);
  if (!done()) throw new Error(`Timed out (in fake time) waiting for ${what}`);
}

/** Runs pending promise callbacks without moving fake time. */
export async function drainMicrotasks(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

/** The scenario files' network: a realistic 20 ms per delivery. */
export const REALISTIC_LATENCY_MS = 20;

export type Inspect = (event: InspectionEvent) => void;

/**
 * How a helper lets fake time run until something holds: {@link flushUntil}
 * (one network latency a step, the default) or {@link runUntil} (10 ms a step,
 * for the realistic latency of the scenario files).
 */
export type RunTime = (done: () => boolean, what: string) => Promise<unknown>;

/** Fake timers for every test of the describe block (or file) it is called in: the fake network delivers with setTimeout. */
export function useFakeTime(): void {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });
}

export function createDevice(network: FakeNetwork, user: string, inspect: Inspect, options: Partial<DeviceOptions> = {}): Device {
  return new Device({
    server: SERVER,
    uri: uriOf(user),
    password: `${user}-pw`,
    adapter: network.adapter,
    inspect,
    ...SLOW_NETWORK_TIMING,
    ...options,
  });
}

/** alice, bob and carol (passwords `<user>-pw`) on {@link DOMAIN}, {@link LATENCY_MS} per delivery unless `options` say otherwise. */
export function newNetwork(options: FakeNetworkOptions = {}): FakeNetwork {
  return createFakeNetwork({ domain: DOMAIN, latencyMs: LATENCY_MS, users: { alice: 'alice-pw', bob: 'bob-pw', carol: 'carol-pw' }, ...options });
}

/** Records a call's public events as short strings: 'ringing', 'mute:true', 'disconnect:busy'. */
export function recordCallEvents(call: Call, into: string[]): void {
  call.on('ringing', () => into.push('ringing'));
  call.on('accepted', () => into.push('accepted'));
  call.on('confirmed', () => into.push('confirmed'));
  call.on('mute', (muted) => into.push(`mute:${muted}`));
  call.on('hold', (onHold) => into.push(`hold:${onHold}`));
  call.on('remote-hold', (onHold) => into.push(`remote-hold:${onHold}`));
  call.on('dtmf', ({ digit, durationMs }) => into.push(`dtmf:${digit}:${durationMs}`));
  call.on('transfer', ({ state, status }) => into.push(status === undefined ? `transfer:${state}` : `transfer:${state}:${status}`));
  call.on('referred', ({ target }) => into.push(`referred:${target}`));
  call.on('error', (error) => into.push(`error:${error.code}`));
  call.on('disconnect', ({ reason }) => into.push(`disconnect:${reason}`));
  call.on('quality', () => into.push('quality'));
  call.on('report', () => into.push('report'));
  call.on('warning', ({ name }) => into.push(`warning:${name}`));
  call.on('warning-cleared', ({ name }) => into.push(`warning-cleared:${name}`));
  call.on('info', () => into.push('info'));
  call.on('timer', () => into.push('timer'));
  call.on('video', (on) => into.push(`video:${on}`));
  call.on('remote-video', (on) => into.push(`remote-video:${on}`));
}

/** Records a call's recovery as short strings too: 'reconnecting:signalling', 'reconnecting:media', 'reconnected'. */
export function recordRecoveryEvents(call: Call, into: string[]): void {
  call.on('reconnecting', ({ cause }) => into.push(`reconnecting:${cause}`));
  call.on('reconnected', () => into.push('reconnected'));
}

/** Keeps a promise's rejection from being unhandled; the test inspects it later. */
export function settled<T>(promise: Promise<T>): { promise: Promise<T>; outcome: () => 'pending' | 'resolved' | 'rejected'; value?: T; error?: unknown } {
  const record: { promise: Promise<T>; outcome: () => 'pending' | 'resolved' | 'rejected'; value?: T; error?: unknown } = {
    promise,
    outcome: () => state,
  };
  let state: 'pending' | 'resolved' | 'rejected' = 'pending';
  promise.then(
    (value) => {
      state = 'resolved';
      record.value = value;
    },
    (error: unknown) => {
      state = 'rejected';
      record.error = error;
    },
  );
  return record;
}

/** Runs fake time in 10 ms steps until `done()` holds (at most `limitMs`); returns the fake time it took. */
export async function runUntil(done: () => boolean, what: string, limitMs = 120_000): Promise<number> {
  const start = Date.now();
  while (!done()) {
    if (Date.now() - start > limitMs) throw new Error(`Not within ${limitMs} ms of fake time: ${what}`);
    await vi.advanceTimersByTimeAsync(10);
  }
  return Date.now() - start;
}

/** Lets fake time run until the promise settles; returns its value or throws its error. */
export async function settle<T>(promise: Promise<T>, what: string, run: RunTime = flushUntil): Promise<T> {
  const record = settled(promise);
  await run(() => record.outcome() !== 'pending', what);
  if (record.outcome() === 'rejected') throw record.error;
  return record.value as T;
}

/** `user`'s device (made by {@link createDevice}) once it has registered. */
export async function registered(
  network: FakeNetwork,
  user: string,
  inspect: Inspect,
  options: Partial<DeviceOptions> = {},
  run: RunTime = flushUntil,
): Promise<Device> {
  const device = createDevice(network, user, inspect, options);
  await settle(device.register(), `${user} registered`, run);
  return device;
}

/** Places a call to a scripted remote; returns both ends once the INVITE reached it. */
export async function callRemote(
  device: Device,
  remote: ScriptedRemote,
  options: Partial<ConnectOptions> = {},
  run: RunTime = flushUntil,
): Promise<{ call: Call; far: RemoteCall }> {
  const before = remote.calls.length;
  const call = await settle(device.connect({ to: remote.user, ...options }), 'connect()', run);
  await run(() => remote.calls.length > before, `the INVITE to reach ${remote.user}`);
  return { call, far: remote.lastCall! };
}

/** A call to a scripted remote that the remote answered. */
export async function answeredCall(
  device: Device,
  remote: ScriptedRemote,
  options: Partial<ConnectOptions> = {},
  run: RunTime = flushUntil,
): Promise<{ call: Call; far: RemoteCall }> {
  const ends = await callRemote(device, remote, options, run);
  ends.far.answer();
  await run(() => ends.call.getStatus() === 'accepted', 'the call accepted');
  return ends;
}

/** A scripted remote calls `user`'s device; returns both ends once the call came in. */
export async function incomingCall(
  device: Device,
  remote: ScriptedRemote,
  user = 'alice',
  headers: Record<string, string> = {},
  run: RunTime = flushUntil,
): Promise<{ call: Call; far: RemoteCall }> {
  let call: Call | undefined;
  const off = device.on('incoming', (incoming) => (call = incoming));
  const far = remote.call(uriOf(user), { headers });
  await run(() => call !== undefined, 'the incoming call');
  off();
  return { call: call!, far };
}

/** One device calls another; returns the caller's call and the callee's incoming call. */
export async function deviceToDevice(
  caller: Device,
  callee: Device,
  options: ConnectOptions,
  run: RunTime = flushUntil,
): Promise<{ outbound: Call; inbound: Call }> {
  let inbound: Call | undefined;
  const off = callee.on('incoming', (incoming) => (inbound = incoming));
  const outbound = await settle(caller.connect(options), 'connect()', run);
  await run(() => inbound !== undefined, 'the call to come in');
  off();
  return { outbound, inbound: inbound! };
}

/** Destroys the devices, then checks nothing is left behind: no open media, no timers. */
export async function destroyAll(network: FakeNetwork, devices: readonly Device[], run: RunTime = flushUntil): Promise<void> {
  for (const device of devices) {
    const destroying = settled(device.destroy());
    await run(() => destroying.outcome() !== 'pending', 'destroy');
  }
  expect(network.openMediaCount, 'open media').toBe(0);
  await drainMicrotasks();
  expect(vi.getTimerCount(), 'timers left').toBe(0);
}

/** A scenario's line: alice's device in an answered call with the scripted bob, the call's events recorded from then on. */
export interface Line {
  network: FakeNetwork;
  device: Device;
  call: Call;
  bob: RemoteCall;
  events: string[];
}

export interface LineOptions {
  /** alice's device options, over {@link createDevice}'s. */
  device?: Partial<DeviceOptions>;
  /** `false`: the device only connects its transport, it does not register. @default true */
  register?: boolean;
  /** Record the call's `reconnecting` and `reconnected` too ({@link recordRecoveryEvents}). @default false */
  recovery?: boolean;
  /** Fake time to let pass once the call is accepted, before its events are recorded (2000: two stats samples). @default 0 */
  settleMs?: number;
}

/** alice calls the scripted bob on a new network of {@link REALISTIC_LATENCY_MS}, bob answers; fake time runs in 10 ms steps. */
export async function answeredLine(inspect: Inspect, options: LineOptions = {}): Promise<Line> {
  const network = newNetwork({ latencyMs: REALISTIC_LATENCY_MS });
  const device = createDevice(network, 'alice', inspect, options.device);
  const register = options.register ?? true;
  await settle(register ? device.register() : device.connectTransport(), register ? 'registered' : 'connected', runUntil);
  const { call, far: bob } = await answeredCall(device, network.remote('bob'), {}, runUntil);
  if (options.settleMs) await vi.advanceTimersByTimeAsync(options.settleMs);
  const events: string[] = [];
  recordCallEvents(call, events);
  if (options.recovery) recordRecoveryEvents(call, events);
  return { network, device, call, bob, events };
}
