/**
 * The world of the public-API tests: devices made with `new Device()` on the
 * in-memory network of `callchart/testing`, fake timers, and views of what a
 * refused call must leave unchanged.
 */
import { expect, vi } from 'vitest';
import { Device, VoiceSDKError, type Call, type DeviceOptions, type VoiceSDKErrorCode } from '../../../src/index';
import type { FakeNetwork, FakeNetworkOptions, RemoteCall, ScriptedRemote } from '../../../src/testing';
import { flushUntil, incomingCall, LATENCY_MS, newNetwork as newWorldNetwork, SERVER, settle, settled, SLOW_NETWORK_TIMING, uriOf } from '../../model/world';

export {
  answeredCall,
  callRemote,
  deviceToDevice,
  DOMAIN,
  flushUntil,
  incomingCall,
  LATENCY_MS,
  REALISTIC_LATENCY_MS,
  runUntil,
  SERVER,
  settle,
  settled,
  SLOW_NETWORK_TIMING,
  uriOf,
  useFakeTime,
} from '../../model/world';

/** Passwords that look like secrets, so the tests can tell none reaches a log. */
export const PASSWORDS = { alice: 'alice-Secret-9f3k', bob: 'bob-Secret-2m7q' } as const;
export type User = keyof typeof PASSWORDS;

/** alice and bob with {@link PASSWORDS}, {@link LATENCY_MS} per delivery unless `options` say otherwise. */
export function newNetwork(options: FakeNetworkOptions = {}): FakeNetwork {
  return newWorldNetwork({ users: { ...PASSWORDS }, ...options });
}

export function deviceOptions(network: FakeNetwork, user: User = 'alice', options: Partial<DeviceOptions> = {}): DeviceOptions {
  return { server: SERVER, uri: uriOf(user), password: PASSWORDS[user], adapter: network.adapter, ...SLOW_NETWORK_TIMING, ...options };
}

export function newDevice(network: FakeNetwork, user: User = 'alice', options: Partial<DeviceOptions> = {}): Device {
  return new Device(deviceOptions(network, user, options));
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

/** An inbound call on `device` that it answered. */
export async function acceptedIncomingCall(device: Device, remote: ScriptedRemote, user: User = 'alice'): Promise<{ call: Call; far: RemoteCall }> {
  const ends = await incomingCall(device, remote, user);
  await settle(ends.call.accept(), 'accept()');
  return ends;
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
