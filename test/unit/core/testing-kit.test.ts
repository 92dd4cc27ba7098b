/**
 * The public testing kit: `network.flush()` under fake timers, `nextCall()`
 * for a call that arrived before it was asked for, `fakeSessionOf()`.
 */
import { afterEach, expect, it, vi } from 'vitest';
import { Device, VoiceSDKError } from '../../../src/index';
import { createFakeNetwork, fakeSessionOf } from '../../../src/testing';

afterEach(() => {
  vi.useRealTimers();
});

function setUp(latencyMs: number) {
  const network = createFakeNetwork({ domain: 'example.com', latencyMs, users: { alice: 'pw' } });
  const bob = network.remote('bob');
  const device = new Device({ server: 'wss://x/ws', uri: 'sip:alice@example.com', password: 'pw', adapter: network.adapter });
  return { network, bob, device };
}

it('flush() delivers what is on its way under fake timers without moving the clock', async () => {
  vi.useFakeTimers();
  const { network, bob, device } = setUp(60_000);
  const registered = device.register();
  const before = Date.now();
  await network.flush();
  await registered;
  expect(device.state).toBe('registered');
  expect(Date.now()).toBe(before);

  const connecting = device.connect({ to: 'bob' });
  await network.flush();
  const call = await connecting;
  const far = await bob.nextCall();
  far.answer();
  await network.flush();
  expect(call.getStatus()).toBe('accepted');

  const destroyed = device.destroy();
  await network.flush();
  await destroyed;
  expect(far.state).toBe('ended');
  expect(network.openMediaCount).toBe(0);
});

it('flush() resolves at once when nothing is on its way', async () => {
  vi.useFakeTimers();
  const { network } = setUp(1000);
  await expect(network.flush()).resolves.toBeUndefined();
});

it('nextCall() hands out a call that arrived before it was asked for, each call once', async () => {
  const { bob, device } = setUp(0);
  await device.register();
  const first = await device.connect({ to: 'bob' });
  const second = await device.connect({ to: 'bob' });
  await new Promise((resolve) => setTimeout(resolve, 0)); // both INVITEs have arrived
  expect(bob.calls).toHaveLength(2);
  const farFirst = await bob.nextCall();
  const farSecond = await bob.nextCall();
  expect([farFirst, farSecond]).toEqual(bob.calls);
  expect(farFirst).not.toBe(farSecond);
  const third = device.connect({ to: 'bob' });
  const farThird = await bob.nextCall(); // asked before it arrives
  expect(farThird).toBe(bob.calls[2]);
  await third;
  void [first, second];
  await device.destroy();
});

it('nextCall() does not hand out the calls the remote places itself', async () => {
  const { bob, device } = setUp(0);
  await device.register();
  const incoming = new Promise((resolve) => device.once('incoming', resolve));
  const placed = bob.call('sip:alice@example.com');
  await incoming;
  let handedOut = false;
  void bob.nextCall().then(() => (handedOut = true));
  await new Promise((resolve) => setTimeout(resolve, 0));
  expect(handedOut).toBe(false);
  expect(bob.calls).toEqual([placed]);
  await device.destroy();
});

it('fakeSessionOf() gives the fake session of a call and refuses anything else', async () => {
  const { device } = setUp(0);
  await device.register();
  const call = await device.connect({ to: 'bob' });
  expect(fakeSessionOf(call).target).toBe('sip:bob@example.com');
  expect(() => fakeSessionOf({ session: {} } as never)).toThrow(VoiceSDKError);
  await device.destroy();
});
