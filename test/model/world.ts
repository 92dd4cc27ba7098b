/**
 * A test world on the fake network: devices driven through the public API,
 * fake timers, and a record of every public event the facades emitted.
 */
import { vi } from 'vitest';
import type { InspectionEvent } from 'xstate';
import { Device, type DeviceOptions } from '../../src/index';
import type { Call } from '../../src/call';
import { createFakeNetwork, type FakeNetwork } from '../../src/testing';

export const DOMAIN = 'example.com';
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

export function createDevice(
  network: FakeNetwork,
  user: string,
  inspect: (event: InspectionEvent) => void,
  options: Partial<DeviceOptions> = {},
): Device {
  return new Device({
    server: 'wss://sip.example.com/ws',
    uri: `sip:${user}@${DOMAIN}`,
    password: `${user}-pw`,
    adapter: network.adapter,
    inspect,
    ...SLOW_NETWORK_TIMING,
    ...options,
  });
}

export function newNetwork(): FakeNetwork {
  return createFakeNetwork({ domain: DOMAIN, latencyMs: LATENCY_MS, users: { alice: 'alice-pw', bob: 'bob-pw', carol: 'carol-pw' } });
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
