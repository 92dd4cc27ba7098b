/**
 * Calls that survive (issue 10), on the fake network with fake timers and the
 * default options: the device never gives up, backs off exponentially against
 * a server that drops every REGISTER, finds a socket that stays open but
 * answers nothing, stops register() waiting after registerTimeoutMs, and lets
 * go of every ended call.
 */
import { describe, expect, it, vi } from 'vitest';
import { Device, type Call, type DeviceOptions, type ReconnectingInfo } from '../../../src/index';
import { DEFAULTS } from '../../../src/options';
import type { FakeNetwork } from '../../../src/testing';
import { expectSDKError, newNetwork, PASSWORDS, REALISTIC_LATENCY_MS as LATENCY_MS, runUntil, SERVER, settled, uriOf, useFakeTime } from './harness';

const ALICE = uriOf('alice');
const CALLS = Number(process.env['SURVIVE_CALLS'] ?? 200);

/** A realistic network: 20 ms per delivery. */
const network = (): FakeNetwork => newNetwork({ latencyMs: LATENCY_MS });

function device(net: FakeNetwork, options: Partial<DeviceOptions> = {}): Device {
  return new Device({ server: SERVER, uri: ALICE, password: PASSWORDS.alice, adapter: net.adapter, ...options });
}

/** Destroys the device, letting fake time run for the network's deliveries. */
async function destroyed(dev: Device): Promise<void> {
  const destroying = settled(dev.destroy());
  await runUntil(() => destroying.outcome() !== 'pending', 'destroy()');
}

/** The device's call actors still held as its children. */
function callChildren(dev: Device): number {
  return Object.values(dev.actor.getSnapshot().children).filter((child) => child?.src === 'callMachine').length;
}

useFakeTime();

describe('never give up', () => {
  it('a server that accepts the socket and drops it on every REGISTER gets exponential backoff, capped, not a storm', async () => {
    const net = network().dropEachRegister(SERVER);
    const dev = device(net);
    const backoff: ReconnectingInfo[] = [];
    dev.on('reconnecting', (info) => backoff.push(info));
    const registering = settled(dev.register());
    const started = Date.now();

    const waited = await runUntil(() => registering.outcome() !== 'pending', 'register() to settle');
    expectSDKError(registering.error, 'timeout');
    expect(waited).toBeGreaterThanOrEqual(DEFAULTS.registerTimeoutMs);
    expect(waited).toBeLessThan(DEFAULTS.registerTimeoutMs + 20);
    expect(dev.state, 'still trying').toBe('registering');

    await vi.advanceTimersByTimeAsync(10 * 60_000 - (Date.now() - started));
    const { baseDelayMs, maxDelayMs } = DEFAULTS.reconnect;
    // Every loss counts on: a connection that never registered never proved itself.
    expect(backoff.map((info) => info.attempt)).toEqual(backoff.map((_, i) => i + 1));
    for (const { attempt, delayMs } of backoff) {
      const full = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
      expect(delayMs).toBeGreaterThanOrEqual(Math.round(full / 2));
      expect(delayMs).toBeLessThanOrEqual(full);
    }
    // 10 minutes: at most ~ 8 doublings to the cap, then one attempt per 15–30 s (a storm would be > 1000).
    expect(backoff.length).toBeLessThanOrEqual(8 + (10 * 60_000) / (maxDelayMs / 2));
    expect(net.registerCount(ALICE)).toBe(backoff.length);
    console.log(`[survive] backoff against a server dropping every REGISTER, 10 min: ${backoff.length} attempts, delays ${backoff.map((b) => b.delayMs).join(', ')} ms`);

    // The server behaves again: the next attempt registers, and the count starts over.
    net.dropEachRegister(SERVER, false);
    await runUntil(() => dev.state === 'registered', 'registered once the server behaves', maxDelayMs + 1000);
    net.dropTransport(ALICE);
    expect(backoff[backoff.length - 1]?.attempt).toBe(1);
    await destroyed(dev);
  });

  it('a long outage: the device keeps trying past 5 attempts, each wait capped at maxDelayMs, and registers once the server is back', async () => {
    const net = network();
    const dev = device(net);
    const reg = settled(dev.register());
    await runUntil(() => reg.outcome() === 'resolved', 'registered');
    const backoff: ReconnectingInfo[] = [];
    dev.on('reconnecting', (info) => backoff.push(info));
    const errors: string[] = [];
    dev.on('error', (e) => errors.push(e.code));
    net.setServerDown(SERVER);
    net.dropTransport(ALICE);

    await vi.advanceTimersByTimeAsync(30 * 60_000);
    expect(DEFAULTS.reconnect.maxAttempts).toBe(Infinity);
    expect(backoff.length).toBeGreaterThan(50);
    expect(Math.max(...backoff.map((b) => b.delayMs))).toBeLessThanOrEqual(DEFAULTS.reconnect.maxDelayMs);
    expect(dev.transportState).toBe('reconnecting');
    expect(errors, 'no transport-failed: it never gave up').not.toContain('transport-failed');

    net.setServerDown(SERVER, false);
    const back = await runUntil(() => dev.state === 'registered', 'registered after the outage', DEFAULTS.reconnect.maxDelayMs + 1000);
    expect(back).toBeLessThanOrEqual(DEFAULTS.reconnect.maxDelayMs + 4 * LATENCY_MS);
    console.log(`[survive] 30 min outage: ${backoff.length} attempts, server back → registered in ${back} ms (fake time)`);
    await destroyed(dev);
  });

  it('the browser coming back online reconnects at once instead of waiting out the backoff', async () => {
    const net = network();
    const dev = device(net);
    const reg = settled(dev.register());
    await runUntil(() => reg.outcome() === 'resolved', 'registered');
    net.setServerDown(SERVER);
    net.dropTransport(ALICE);
    await runUntil(() => dev.actor.getSnapshot().context.nextDelayMs >= 8000 && dev.transportState === 'reconnecting', 'a long backoff');

    net.setServerDown(SERVER, false);
    net.comeOnline();
    const took = await runUntil(() => dev.state === 'registered', 're-registered after online');
    expect(took).toBeLessThanOrEqual(4 * LATENCY_MS);
    await destroyed(dev);
  });

  it('a device that never registers: a connection resets the count once it answered a keep-alive, not before', async () => {
    const net = network();
    const dev = device(net);
    const attempts: number[] = [];
    dev.on('reconnecting', ({ attempt }) => attempts.push(attempt));
    const open = settled(dev.connectTransport());
    await runUntil(() => open.outcome() === 'resolved', 'connected');

    net.dropTransport(ALICE);
    await runUntil(() => dev.transportState === 'connected', 'reconnected');
    // Dropped again before any keep-alive: the count goes on.
    net.dropTransport(ALICE);
    await runUntil(() => dev.transportState === 'connected', 'reconnected');
    expect(attempts).toEqual([1, 2]);
    // Up for a keep-alive interval, answered: proved itself.
    await runUntil(() => net.pingCount(ALICE) === 1 && dev.actor.getSnapshot().context.failedAttempts === 0, 'a pong', DEFAULTS.keepAliveIntervalMs + 1000);
    net.dropTransport(ALICE);
    expect(attempts).toEqual([1, 2, 1]);
    await destroyed(dev);
  });

  it('a finite maxAttempts is still accepted and still gives up', async () => {
    const net = network().setServerDown(SERVER);
    const dev = device(net, { reconnect: { maxAttempts: 3 } });
    const reg = settled(dev.register());
    await runUntil(() => reg.outcome() !== 'pending', 'register() to settle');
    expectSDKError(reg.error, 'transport-failed');
    expect(dev.transportState).toBe('disconnected');
    await destroyed(dev);
  });
});

describe('dead sockets found', () => {
  it('a socket that stays open but answers nothing is found by the keep-alive, replaced, and the device re-registers; an accepted call stays up', async () => {
    const net = network();
    const bob = net.remote('bob');
    const dev = device(net);
    const reg = settled(dev.register());
    await runUntil(() => reg.outcome() === 'resolved', 'registered');
    const placed = settled(dev.connect({ to: 'bob' }));
    await runUntil(() => bob.calls.length === 1 && placed.outcome() === 'resolved', 'the INVITE');
    bob.lastCall!.answer();
    await runUntil(() => placed.value!.getStatus() === 'accepted', 'accepted');
    const events: string[] = [];
    dev.on('reconnecting', () => events.push('reconnecting'));
    dev.on('registered', () => events.push('registered'));

    net.silence(ALICE);
    const pingsBefore = net.pingCount(ALICE);
    const detected = await runUntil(() => events.includes('reconnecting'), 'the dead socket to be found', 60_000);
    expect(detected).toBeLessThanOrEqual(DEFAULTS.keepAliveIntervalMs + DEFAULTS.keepAliveTimeoutMs + 10);
    expect(net.pingCount(ALICE)).toBe(pingsBefore + 1);
    await runUntil(() => dev.state === 'registered' && events.includes('registered'), 're-registered');
    expect(events).toEqual(['reconnecting', 'registered']);
    expect(placed.value!.getStatus()).toBe('accepted');
    console.log(`[survive] silent socket found in ${detected} ms (keepAliveIntervalMs ${DEFAULTS.keepAliveIntervalMs} + keepAliveTimeoutMs ${DEFAULTS.keepAliveTimeoutMs})`);
    await destroyed(dev);
  });

  it('a silent server: register() rejects timeout after registerTimeoutMs; the keep-alive then replaces the socket and the device registers', async () => {
    const net = network();
    const dev = device(net);
    const open = settled(dev.connectTransport());
    await runUntil(() => open.outcome() === 'resolved', 'connected');
    net.silence(ALICE);
    const reg = settled(dev.register());

    const waited = await runUntil(() => reg.outcome() !== 'pending', 'register() to give up');
    expectSDKError(reg.error, 'timeout');
    expect(waited).toBeGreaterThanOrEqual(DEFAULTS.registerTimeoutMs);
    expect(waited).toBeLessThan(DEFAULTS.registerTimeoutMs + 20);
    expect(dev.state).toBe('registering');
    await runUntil(() => dev.state === 'registered', 'registered on a new connection', 60_000);
    await destroyed(dev);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('long-lived pages', () => {
  it(`${CALLS} calls, both directions: the device lets go of every ended call actor`, { timeout: 60_000 }, async () => {
    const net = network();
    const bob = net.remote('bob');
    const carol = net.remote('carol');
    const dev = device(net);
    const reg = settled(dev.register());
    await runUntil(() => reg.outcome() === 'resolved', 'registered');
    const held: number[] = [];
    const calls: Call[] = [];
    for (let i = 0; i < CALLS; i++) {
      if (i % 2 === 0) {
        const placed = settled(dev.connect({ to: 'bob' }));
        await runUntil(() => placed.outcome() === 'resolved' && bob.calls.length === i / 2 + 1, 'the INVITE');
        bob.lastCall!.answer();
        const call = placed.value!;
        await runUntil(() => call.getStatus() === 'accepted', 'accepted');
        const hangup = settled(call.disconnect());
        await runUntil(() => hangup.outcome() === 'resolved', 'hung up');
        calls.push(call);
      } else {
        let incoming: Call | undefined;
        dev.once('incoming', (call) => (incoming = call));
        const far = carol.call(ALICE);
        await runUntil(() => incoming !== undefined, 'the incoming call');
        const call = incoming!;
        const accepting = settled(call.accept());
        await runUntil(() => accepting.outcome() === 'resolved', 'accepted');
        far.hangup();
        await runUntil(() => call.getStatus() === 'disconnected', 'the far end hung up');
        calls.push(call);
      }
      held.push(callChildren(dev));
    }
    expect(Math.max(...held), 'call actors held at any time after a call ended').toBe(0);
    expect(dev.calls).toEqual([]);
    expect(net.openMediaCount).toBe(0);
    // The facades keep their ended state.
    expect(calls.every((call) => call.getStatus() === 'disconnected')).toBe(true);
    await destroyed(dev);
  });
});
