/**
 * The world of the public-API tests: devices made with `new Device()` on the
 * in-memory network of `callchart/testing`, fake timers, and views of what a
 * refused call must leave unchanged.
 */
import { afterEach, beforeEach, expect, vi } from 'vitest';
import { Device, VoiceSDKError, type Call, type ConnectOptions, type DeviceOptions, type VoiceSDKErrorCode } from '../../../src/index';
import { createFakeNetwork, type FakeNetwork, type RemoteCall, type ScriptedRemote } from '../../../src/testing';
import { flushUntil, LATENCY_MS, settled, SLOW_NETWORK_TIMING } from '../../model/world';

export { flushUntil, settled, LATENCY_MS, SLOW_NETWORK_TIMING };

export const DOMAIN = 'example.com';
export const SERVER = 'wss://sip.example.com/ws';
export const PASSWORDS = { alice: 'alice-Secret-9f3k', bob: 'bob-Secret-2m7q' } as const;
export type User = keyof typeof PASSWORDS;

export const uriOf = (user: string): string => `sip:${user}@${DOMAIN}`;

export function newNetwork(): FakeNetwork {
  return createFakeNetwork({ domain: DOMAIN, latencyMs: LATENCY_MS, users: { ...PASSWORDS } });
}

export function deviceOptions(network: FakeNetwork, user: User = 'alice', options: Partial<DeviceOptions> = {}): DeviceOptions {
  return { server: SERVER, uri: uriOf(user), password: PASSWORDS[user], adapter: network.adapter, ...SLOW_NETWORK_TIMING, ...options };
}

export function newDevice(network: FakeNetwork, user: User = 'alice', options: Partial<DeviceOptions> = {}): Device {
  return new Device(deviceOptions(network, user, options));
}

/** Lets fake time run until the promise settles; returns its value or throws its error. */
export async function settle<T>(promise: Promise<T>, what: string): Promise<T> {
  const record = settled(promise);
  await flushUntil(() => record.outcome() !== 'pending', what);
  if (record.outcome() === 'rejected') throw record.error;
  return record.value as T;
}

/** Lets fake time run until the promise settles and returns what it rejected with. */
export async function rejection(promise: Promise<unknown>, what = 'the promise to reject'): Promise<unknown> {
  const record = settled(promise);
  await flushUntil(() => record.outcome() !== 'pending', what);
  if (record.outcome() !== 'rejected') throw new Error(`Expected ${what}, but it resolved`);
  return record.error;
}

/** The error a synchronous call threw. */
export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('Expected the call to throw');
}

export function expectSDKError(error: unknown, code: VoiceSDKErrorCode, message?: RegExp): void {
  expect(error).toBeInstanceOf(VoiceSDKError);
  const sdkError = error as VoiceSDKError;
  expect(sdkError.code, sdkError.message).toBe(code);
  expect(sdkError.name).toBe('VoiceSDKError');
  expect(sdkError.message.length).toBeGreaterThan(10);
  if (message) expect(sdkError.message).toMatch(message);
}

/** Lets fake time pass, long enough for anything a refused call might have started to show. */
export async function letTimePass(ms = LATENCY_MS * 4): Promise<void> {
  await vi.advanceTimersByTimeAsync(ms);
}

export async function registeredDevice(network: FakeNetwork, user: User = 'alice', options: Partial<DeviceOptions> = {}): Promise<Device> {
  const device = newDevice(network, user, options);
  await settle(device.register(), `${user}'s registration`);
  return device;
}

/** Places a call to a scripted remote; returns both ends once the INVITE reached it. */
export async function callRemote(
  device: Device,
  remote: ScriptedRemote,
  options: Partial<ConnectOptions> = {},
): Promise<{ call: Call; far: RemoteCall }> {
  const before = remote.calls.length;
  const call = await settle(device.connect({ to: remote.user, ...options }), 'connect()');
  await flushUntil(() => remote.calls.length > before, 'the INVITE to reach the far end');
  return { call, far: remote.lastCall! };
}

/** A call to a scripted remote that the remote answered. */
export async function answeredCall(device: Device, remote: ScriptedRemote, options: Partial<ConnectOptions> = {}): Promise<{ call: Call; far: RemoteCall }> {
  const ends = await callRemote(device, remote, options);
  ends.far.answer();
  expect(ends.call.getStatus()).toBe('accepted');
  return ends;
}

/** A scripted remote calls the device registered as `user`; returns both ends once the call came in. */
export async function incomingCall(
  device: Device,
  remote: ScriptedRemote,
  user: User = 'alice',
  headers: Record<string, string> = {},
): Promise<{ call: Call; far: RemoteCall }> {
  let call: Call | undefined;
  const off = device.on('incoming', (incoming) => (call = incoming));
  const far = remote.call(uriOf(user), { headers });
  await flushUntil(() => call !== undefined, 'the incoming call');
  off();
  return { call: call!, far };
}

/** An inbound call on `device` that it answered. */
export async function acceptedIncomingCall(device: Device, remote: ScriptedRemote, user: User = 'alice'): Promise<{ call: Call; far: RemoteCall }> {
  const ends = await incomingCall(device, remote, user);
  await settle(ends.call.accept(), 'accept()');
  return ends;
}

/** One device calls another; returns the caller's call and the callee's incoming call. */
export async function deviceToDevice(
  caller: Device,
  callee: Device,
  options: ConnectOptions,
): Promise<{ outbound: Call; inbound: Call }> {
  let inbound: Call | undefined;
  const off = callee.on('incoming', (incoming) => (inbound = incoming));
  const outbound = await settle(caller.connect(options), 'connect()');
  await flushUntil(() => inbound !== undefined, 'the call to come in');
  off();
  return { outbound, inbound: inbound! };
}

/** Records a call's public events as short strings: 'ringing', 'mute:true', 'disconnect:busy'. */
export function callEvents(call: Call): string[] {
  const events: string[] = [];
  call.on('ringing', () => events.push('ringing'));
  call.on('accepted', () => events.push('accepted'));
  call.on('mute', (muted) => events.push(`mute:${muted}`));
  call.on('hold', (onHold) => events.push(`hold:${onHold}`));
  call.on('error', (error) => events.push(`error:${error.code}`));
  call.on('disconnect', ({ reason }) => events.push(`disconnect:${reason}`));
  return events;
}

/** Records a device's public events as short strings: 'registered', 'error:auth-failed', 'reconnecting:1'. */
export function deviceEvents(device: Device): string[] {
  const events: string[] = [];
  device.on('registering', () => events.push('registering'));
  device.on('registered', () => events.push('registered'));
  device.on('unregistered', () => events.push('unregistered'));
  device.on('connected', () => events.push('connected'));
  device.on('reconnecting', ({ attempt }) => events.push(`reconnecting:${attempt}`));
  device.on('disconnected', () => events.push('disconnected'));
  device.on('error', (error) => events.push(`error:${error.code}`));
  device.on('incoming', () => events.push('incoming'));
  device.on('destroyed', () => events.push('destroyed'));
  return events;
}

/** Everything about a device that a refused call must leave as it was. */
export function deviceView(device: Device, network: FakeNetwork, user: User = 'alice') {
  return {
    state: device.state,
    transportState: device.transportState,
    calls: device.calls.map((call) => `${call.id}:${call.getStatus()}`),
    registerCount: network.registerCount(uriOf(user)),
    registeredAtServer: network.isRegistered(uriOf(user)),
    userAgents: network.userAgents.length,
    openMedia: network.openMediaCount,
    timers: vi.getTimerCount(),
  };
}

/** Everything about a call, and what its far end saw, that a refused call must leave as it was. */
export function callView(call: Call, far?: RemoteCall) {
  return {
    status: call.getStatus(),
    muted: call.isMuted(),
    onHold: call.isOnHold(),
    recording: call.isRecording(),
    far: far && {
      state: far.state,
      heldByDevice: far.heldByDevice,
      digits: far.digits.length,
      endedBy: far.endedBy,
    },
  };
}

/** Fake timers for every test of the file: the fake network delivers with setTimeout. */
export function useFakeTime(): void {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });
}
