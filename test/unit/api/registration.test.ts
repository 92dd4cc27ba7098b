/**
 * Registering, wrong credentials, losing the socket and reconnecting, and
 * keeping the password out of everything a developer could see.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { InspectionEvent } from 'xstate';
import type { ReconnectingInfo, VoiceSDKError } from '../../../src/index';
import {
  PASSWORDS,
  callRemote,
  deviceEvents,
  expectSDKError,
  letTimePass,
  newDevice,
  newNetwork,
  registeredDevice,
  rejection,
  settle,
  uriOf,
} from './harness';

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

const ALICE = uriOf('alice');
const SERVER_A = 'wss://a.example.com/ws';
const SERVER_B = 'wss://b.example.com/ws';

describe('register()', () => {
  it('opens the socket, registers, and resolves; events come in order', async () => {
    const network = newNetwork();
    const device = newDevice(network);
    const events = deviceEvents(device);

    await settle(device.register(), 'register()');

    expect(device.state).toBe('registered');
    expect(device.transportState).toBe('connected');
    expect(network.isRegistered(ALICE)).toBe(true);
    expect(network.registerCount(ALICE)).toBe(1);
    expect(events).toEqual(['registering', 'connected', 'registered']);
  });

  it("the connected event names the server", async () => {
    const network = newNetwork();
    const device = newDevice(network, 'alice', { server: [SERVER_A, SERVER_B] });
    const servers: string[] = [];
    device.on('connected', ({ server }) => servers.push(server));
    await settle(device.register(), 'register()');
    expect(servers).toEqual([SERVER_A]);
  });

  it('makes incoming calls reach the device', async () => {
    const network = newNetwork();
    const device = await registeredDevice(network);
    const events = deviceEvents(device);
    network.remote('carol').call(ALICE);
    await letTimePass();
    expect(events).toEqual(['incoming']);
  });

  it('unregister() removes the registration but keeps the socket for outbound calls', async () => {
    const network = newNetwork();
    const remote = network.remote('bob');
    const device = await registeredDevice(network);
    const events = deviceEvents(device);

    await settle(device.unregister(), 'unregister()');

    expect(device.state).toBe('unregistered');
    expect(device.transportState).toBe('connected');
    expect(network.isRegistered(ALICE)).toBe(false);
    expect(events).toEqual(['unregistered']);
    await callRemote(device, remote);
    expect(remote.calls).toHaveLength(1);
  });

  it('a failed un-REGISTER still leaves the device unregistered, with an error event', async () => {
    const network = newNetwork();
    const device = await registeredDevice(network);
    const events = deviceEvents(device);
    network.failNextUnregister(500);

    await settle(device.unregister(), 'unregister()');

    expect(device.state).toBe('unregistered');
    expect(events).toEqual(['error:sip-error', 'unregistered']);
  });

  it('a REGISTER answered 503 rejects register() with sip-error and status 503', async () => {
    const network = newNetwork();
    const device = newDevice(network);
    network.failNextRegister(503);

    const error = await rejection(device.register());

    expectSDKError(error, 'sip-error');
    expect((error as VoiceSDKError).status).toBe(503);
    expect(device.state).toBe('unregistered');
  });
});

// The fake maps statuses with the SIP.js adapter's one rule (codeForSipStatus).
describe('a REGISTER failure status means the same on the fake as over SIP.js', () => {
  it.each([
    [401, 'auth-failed'],
    [403, 'auth-failed'],
    [407, 'auth-failed'],
    [408, 'timeout'],
    [404, 'sip-error'],
  ] as const)('%i → %s', async (status, code) => {
    const network = newNetwork();
    const device = newDevice(network);
    network.failNextRegister(status);
    const error = await rejection(device.register());
    expectSDKError(error, code);
    expect((error as VoiceSDKError).status).toBe(status);
  });
});

describe('wrong password', () => {
  it('register() rejects with auth-failed after at most 2 REGISTERs, and does not retry', async () => {
    const network = newNetwork();
    const device = newDevice(network, 'alice', { password: 'not-the-password' });
    const events = deviceEvents(device);

    const error = await rejection(device.register());

    expectSDKError(error, 'auth-failed');
    expect((error as VoiceSDKError).status).toBe(401);
    expect(network.registerCount(ALICE)).toBeLessThanOrEqual(2);
    expect(network.registerCount(ALICE)).toBeGreaterThanOrEqual(1);
    expect(device.state).toBe('unregistered');
    expect(network.isRegistered(ALICE)).toBe(false);
    expect(events).toEqual(['registering', 'connected', 'error:auth-failed']);

    // No retry loop, however long we wait.
    const count = network.registerCount(ALICE);
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(network.registerCount(ALICE)).toBe(count);
    // The socket stays open: its keep-alive watchdog is the one timer left.
    expect(device.transportState).toBe('connected');
    expect(vi.getTimerCount()).toBe(1);
  });

  it('leaves the device usable: the socket stays open and it can still place a call', async () => {
    const network = newNetwork();
    const remote = network.remote('bob');
    const device = newDevice(network, 'alice', { password: 'not-the-password' });
    await rejection(device.register());

    expect(device.transportState).toBe('connected');
    const { call, far } = await callRemote(device, remote);
    far.answer();
    expect(call.getStatus()).toBe('accepted');
  });

  it('register() can be called again, and again makes at most 2 REGISTERs', async () => {
    const network = newNetwork();
    const device = newDevice(network, 'alice', { password: 'not-the-password' });
    await rejection(device.register());
    const first = network.registerCount(ALICE);

    expectSDKError(await rejection(device.register()), 'auth-failed');

    expect(network.registerCount(ALICE) - first).toBeLessThanOrEqual(2);
    expect(device.state).toBe('unregistered');
  });

  it('the device can still be destroyed cleanly', async () => {
    const network = newNetwork();
    const device = newDevice(network, 'alice', { password: 'not-the-password' });
    await rejection(device.register());
    await settle(device.destroy(), 'destroy()');
    expect(device.state).toBe('destroyed');
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('losing the socket', () => {
  it("a dropped socket emits 'reconnecting' with attempt, delay and next server, then re-registers after the backoff", async () => {
    const network = newNetwork();
    const device = await registeredDevice(network, 'alice', { server: [SERVER_A, SERVER_B], reconnect: { baseDelayMs: 1000 } });
    const events = deviceEvents(device);
    const reconnecting: ReconnectingInfo[] = [];
    const connected: string[] = [];
    device.on('reconnecting', (info) => reconnecting.push(info));
    device.on('connected', ({ server }) => connected.push(server));
    const countBefore = network.registerCount(ALICE);

    network.dropTransport(ALICE);

    expect(reconnecting).toHaveLength(1);
    const [info] = reconnecting;
    expect(info!.attempt).toBe(1);
    expect(info!.server).toBe(SERVER_B);
    // Jitter: the first backoff is baseDelayMs scaled by 0.5–1.
    expect(info!.delayMs).toBeGreaterThanOrEqual(500);
    expect(info!.delayMs).toBeLessThanOrEqual(1000);
    expect(device.transportState).toBe('reconnecting');
    expect(device.state).toBe('registering');
    expect(network.isRegistered(ALICE)).toBe(false);

    // Nothing happens before the backoff is over …
    await vi.advanceTimersByTimeAsync(info!.delayMs - 1);
    expect(device.transportState).toBe('reconnecting');
    // … then the next server is tried and the device registers again.
    await vi.advanceTimersByTimeAsync(1);
    expect(device.transportState).toBe('connecting');
    await settle(new Promise<void>((resolve) => device.once('registered', resolve)), 're-registration');

    expect(device.state).toBe('registered');
    expect(device.transportState).toBe('connected');
    expect(network.isRegistered(ALICE)).toBe(true);
    expect(network.registerCount(ALICE)).toBe(countBefore + 1);
    expect(connected).toEqual([SERVER_B]);
    expect(events.filter((e) => e !== 'registering')).toEqual(['reconnecting:1', 'connected', 'registered']);
    expect(events).toContain('registering');
  });

  it('calls come in again after the device re-registered', async () => {
    const network = newNetwork();
    const device = await registeredDevice(network);
    network.dropTransport(ALICE);
    await settle(new Promise<void>((resolve) => device.once('registered', resolve)), 're-registration');
    const events = deviceEvents(device);
    network.remote('carol').call(ALICE);
    await letTimePass();
    expect(events).toEqual(['incoming']);
  });

  it("with every server down it gives up after reconnect.maxAttempts failures: error transport-failed, then 'disconnected'", async () => {
    const network = newNetwork();
    const device = await registeredDevice(network, 'alice', {
      server: [SERVER_A, SERVER_B],
      reconnect: { baseDelayMs: 1000, maxAttempts: 3 },
    });
    const events = deviceEvents(device);
    const delays: number[] = [];
    const errors: VoiceSDKError[] = [];
    device.on('reconnecting', ({ delayMs }) => delays.push(delayMs));
    device.on('error', (error) => errors.push(error));
    network.setServerDown(SERVER_A).setServerDown(SERVER_B);

    network.dropTransport(ALICE);
    const gaveUp = new Promise<void>((resolve) => device.once('disconnected', resolve));
    await settle(gaveUp, 'the device to give up');

    // The lost socket and two failed attempts: three failures in a row.
    expect(events).toEqual(['reconnecting:1', 'registering', 'reconnecting:2', 'error:transport-failed', 'disconnected', 'unregistered']);
    expect(errors).toHaveLength(1);
    expectSDKError(errors[0], 'transport-failed');
    // The backoff doubles: base·(0.5–1), then 2·base·(0.5–1).
    expect(delays[0]).toBeGreaterThanOrEqual(500);
    expect(delays[0]).toBeLessThanOrEqual(1000);
    expect(delays[1]).toBeGreaterThanOrEqual(1000);
    expect(delays[1]).toBeLessThanOrEqual(2000);
    expect(device.transportState).toBe('disconnected');
    expect(device.state).toBe('unregistered');
    // And no hidden retry is left scheduled.
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(events.at(-1)).toBe('unregistered');
  });

  it('register() with every server down rejects with transport-failed after maxAttempts connection attempts', async () => {
    const network = newNetwork();
    network.setServerDown(SERVER_A).setServerDown(SERVER_B);
    const device = newDevice(network, 'alice', { server: [SERVER_A, SERVER_B], reconnect: { baseDelayMs: 100, maxAttempts: 4 } });
    const attempts: number[] = [];
    device.on('reconnecting', ({ attempt }) => attempts.push(attempt));

    expectSDKError(await rejection(device.register()), 'transport-failed');

    expect(attempts).toEqual([1, 2, 3]);
    expect(device.state).toBe('unregistered');
    expect(device.transportState).toBe('disconnected');
    expect(network.registerCount(ALICE)).toBe(0);
  });

  it('once a server is back, register() works again', async () => {
    const network = newNetwork();
    network.setServerDown(SERVER_A);
    const device = newDevice(network, 'alice', { server: SERVER_A, reconnect: { maxAttempts: 2, baseDelayMs: 100 } });
    await rejection(device.register());

    network.setServerDown(SERVER_A, false);
    await settle(device.register(), 'register()');

    expect(device.state).toBe('registered');
    expect(network.isRegistered(ALICE)).toBe(true);
  });

  it('the reconnect succeeds on the next server when only the first one is down', async () => {
    const network = newNetwork();
    const device = newDevice(network, 'alice', { server: [SERVER_A, SERVER_B], reconnect: { baseDelayMs: 100 } });
    network.setServerDown(SERVER_A);
    const connected: string[] = [];
    device.on('connected', ({ server }) => connected.push(server));

    await settle(device.register(), 'register()');

    expect(connected).toEqual([SERVER_B]);
    expect(device.state).toBe('registered');
  });

  it('a registration the server drops is renewed', async () => {
    const network = newNetwork();
    const device = await registeredDevice(network);
    const events = deviceEvents(device);

    network.dropRegistration(ALICE);
    expect(device.state).toBe('registering');
    await settle(new Promise<void>((resolve) => device.once('registered', resolve)), 're-registration');

    expect(network.isRegistered(ALICE)).toBe(true);
    expect(events).toEqual(['registering', 'registered']);
  });
});

describe('the password stays secret', () => {
  const CONSOLE = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;

  function spyOnConsole(): () => string {
    const spies = CONSOLE.map((method) => vi.spyOn(console, method).mockImplementation(() => undefined));
    return () => spies.flatMap((spy) => spy.mock.calls.map((args) => args.map((arg) => (arg instanceof Error ? `${arg.message} ${arg.stack}` : String(arg))).join(' '))).join('\n');
  }

  it('never appears in console output while registering, calling, reconnecting and destroying', async () => {
    const output = spyOnConsole();
    const network = newNetwork();
    const device = await registeredDevice(network);
    await callRemote(device, network.remote('bob'));
    network.dropTransport(ALICE);
    await settle(new Promise<void>((resolve) => device.once('registered', resolve)), 're-registration');
    await settle(device.destroy(), 'destroy()');

    expect(output()).not.toContain(PASSWORDS.alice);
  });

  it('never appears in console output or in the error when the password is wrong', async () => {
    const output = spyOnConsole();
    const network = newNetwork();
    const wrong = 'wrong-Secret-5x8z';
    const device = newDevice(network, 'alice', { password: wrong });

    const error = (await rejection(device.register())) as VoiceSDKError;

    expect(output()).not.toContain(wrong);
    expect(`${error.message} ${error.stack} ${JSON.stringify(error)} ${String(error.cause)}`).not.toContain(wrong);
  });

  // The user agent sits in the device machine's context, and inspectors
  // (@statelyai/inspect) serialize context: the password must not be reachable.
  it('never appears in what the `inspect` option receives (as @statelyai/inspect would serialize it)', async () => {
    const inspected: InspectionEvent[] = [];
    const network = newNetwork();
    const device = newDevice(network, 'alice', { inspect: (event) => inspected.push(event) });
    await settle(device.register(), 'register()');

    const serialized = inspected.map((event) => safeStringify(event, 10)).join('\n');

    expect(serialized.length).toBeGreaterThan(0);
    expect(serialized.includes(PASSWORDS.alice), 'the password is in a serialized inspection event').toBe(false);
  });
});

/** JSON with cycles cut and a depth limit, like the inspector's serializer. */
function safeStringify(value: unknown, maxDepth: number): string {
  const seen = new WeakSet<object>();
  const walk = (v: unknown, depth: number): unknown => {
    if (typeof v === 'function') return '[function]';
    if (v === null || typeof v !== 'object') return v;
    if (seen.has(v) || depth > maxDepth) return '[…]';
    seen.add(v);
    if (Array.isArray(v)) return v.map((item) => walk(item, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(v)) out[key] = walk(item, depth + 1);
    return out;
  };
  return JSON.stringify(walk(value, 0));
}
