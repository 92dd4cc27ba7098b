/**
 * How calls end, seen from both ends, and the device's list of calls.
 */
import { describe, expect, it, vi } from 'vitest';
import type { Call, DisconnectInfo, VoiceSDKError } from '../../../src/index';
import {
  answeredCall,
  callEvents,
  callRemote,
  deviceToDevice,
  expectSDKError,
  flushUntil,
  incomingCall,
  letTimePass,
  newNetwork,
  registeredDevice,
  rejection,
  settle,
  useFakeTime,
} from './harness';

useFakeTime();

/** Runs fake time until the recorded events show that the call ended. */
async function ended(events: string[]): Promise<void> {
  await flushUntil(() => events.some((e) => e.startsWith('disconnect:')), 'the call to end');
}

async function twoDevices() {
  const network = newNetwork();
  const alice = await registeredDevice(network, 'alice');
  const bob = await registeredDevice(network, 'bob');
  return { network, alice, bob };
}

describe('the callee rejects', () => {
  it("reject(603) ends the caller's call with reason 'declined'", async () => {
    const { alice, bob } = await twoDevices();
    const { outbound, inbound } = await deviceToDevice(alice, bob, { to: 'bob' });
    const caller = callEvents(outbound);
    const callee = callEvents(inbound);

    await settle(inbound.reject(603), 'reject(603)');
    await ended(caller);

    expect(caller).toEqual(['ringing', 'disconnect:declined']);
    expect(callee).toEqual(['disconnect:rejected']);
    expect(outbound.getStatus()).toBe('disconnected');
    expect(inbound.getStatus()).toBe('disconnected');
  });

  it("reject() without a status answers 486, which ends the caller's call with reason 'busy'", async () => {
    const { alice, bob } = await twoDevices();
    const { outbound, inbound } = await deviceToDevice(alice, bob, { to: 'bob' });
    const caller = callEvents(outbound);

    await settle(inbound.reject(), 'reject()');
    await ended(caller);

    expect(caller.at(-1)).toBe('disconnect:busy');
    expect(caller).not.toContain('accepted');
  });

  it("a scripted far end answering 486 ends the call with reason 'busy', without an error", async () => {
    const network = newNetwork();
    const device = await registeredDevice(network);
    const { call, far } = await callRemote(device, network.remote('bob'));
    const events = callEvents(call);

    far.reject(486);

    expect(events).toEqual(['disconnect:busy']);
    expect(call.getStatus()).toBe('disconnected');
    expect(device.calls).toEqual([]);
  });

  it('a far end answering 404 fails the call with not-found', async () => {
    const network = newNetwork();
    const device = await registeredDevice(network);
    const { call, far } = await callRemote(device, network.remote('bob'));
    const events = callEvents(call);
    let error: VoiceSDKError | undefined;
    call.on('error', (e) => (error = e));

    far.reject(404);

    expect(events).toEqual(['error:not-found', 'disconnect:failed']);
    expectSDKError(error, 'not-found');
    expect(error!.status).toBe(404);
    expect(call.getStatus()).toBe('failed');
  });
});

describe('the caller cancels', () => {
  it("the callee's call ends with reason 'canceled' and is never accepted", async () => {
    const { network, alice, bob } = await twoDevices();
    const { outbound, inbound } = await deviceToDevice(alice, bob, { to: 'bob' });
    const caller = callEvents(outbound);
    const callee = callEvents(inbound);

    await settle(outbound.disconnect(), 'disconnect()');
    await ended(callee);

    expect(caller.at(-1)).toBe('disconnect:canceled');
    expect(callee).toEqual(['disconnect:canceled']);
    expect(callee).not.toContain('accepted');
    expect(inbound.getStatus()).toBe('disconnected');
    expect(alice.calls).toEqual([]);
    expect(bob.calls).toEqual([]);
    expect(network.openMediaCount).toBe(0);
  });

  it('accept() racing the CANCEL does not answer a call that is gone', async () => {
    const { alice, bob } = await twoDevices();
    const { outbound, inbound } = await deviceToDevice(alice, bob, { to: 'bob' });
    const callee = callEvents(inbound);

    await settle(outbound.disconnect(), 'disconnect()');
    await ended(callee);

    expectSDKError(await rejection(inbound.accept()), 'invalid-state');
    expect(callee).not.toContain('accepted');
  });

  it("a scripted caller's CANCEL ends the incoming call with reason 'canceled'", async () => {
    const network = newNetwork();
    const device = await registeredDevice(network);
    const { call, far } = await incomingCall(device, network.remote('carol'));
    const events = callEvents(call);

    far.cancel();

    expect(events).toEqual(['disconnect:canceled']);
    expect(device.calls).toEqual([]);
  });

  it('disconnect() on an unanswered outbound call sends CANCEL to the far end', async () => {
    const network = newNetwork();
    const device = await registeredDevice(network);
    const { call, far } = await callRemote(device, network.remote('bob'));
    far.ring();

    await settle(call.disconnect(), 'disconnect()');

    expect(far.endedBy).toBe('cancel');
    expect(far.state).toBe('ended');
  });
});

describe('calling someone who does not exist', () => {
  it("an unknown user fails the call with 'not-found'", async () => {
    const network = newNetwork();
    const device = await registeredDevice(network);
    const call = await settle(device.connect({ to: 'nobody' }), 'connect()');
    const events = callEvents(call);
    let error: VoiceSDKError | undefined;
    call.on('error', (e) => (error = e));

    await ended(events);

    expect(call.getStatus()).toBe('failed');
    expect(events).toEqual(['error:not-found', 'disconnect:failed']);
    expectSDKError(error, 'not-found');
    expect(error!.status).toBe(404);
    expect(device.calls).toEqual([]);
    expect(network.openMediaCount).toBe(0);
  });
});

describe('a scripted fault on the INVITE', () => {
  it.each([
    [503, 'sip-error'],
    [408, 'timeout'],
    [604, 'not-found'],
    [403, 'auth-failed'],
  ] as const)('an INVITE answered %i fails the call with %s', async (status, code) => {
    const network = newNetwork();
    const device = await registeredDevice(network);
    network.failNextInvite(status);
    const call = await settle(device.connect({ to: 'bob' }), 'connect()');
    const events = callEvents(call);

    await ended(events);

    expect(events).toEqual([`error:${code}`, 'disconnect:failed']);
    expect(call.getStatus()).toBe('failed');
  });

  it('an INVITE that gets no answer fails the call with timeout', async () => {
    const network = newNetwork();
    const device = await registeredDevice(network);
    network.failNextInvite('timeout');
    const call = await settle(device.connect({ to: 'bob' }), 'connect()');
    const events = callEvents(call);

    await ended(events);

    expect(events).toEqual(['error:timeout', 'disconnect:failed']);
  });

  it('a refused microphone fails the call with media-denied before anything is sent', async () => {
    const network = newNetwork();
    const remote = network.remote('bob');
    const device = await registeredDevice(network);
    network.failNextMedia();
    // The socket is open, so connect() resolves without fake time passing: no event is missed.
    const call = await device.connect({ to: 'bob' });
    const events = callEvents(call);

    await ended(events);

    expect(events).toEqual(['error:media-denied', 'disconnect:failed']);
    expect(remote.calls).toHaveLength(0);
  });
});

describe('answered calls that end', () => {
  it("a call that the far end answers goes ringing → accepted, and its BYE ends it with 'remote-hangup'", async () => {
    const network = newNetwork();
    const device = await registeredDevice(network);
    const { call, far } = await callRemote(device, network.remote('bob'));
    const events = callEvents(call);

    far.ring();
    expect(call.getStatus()).toBe('ringing');
    far.answer();
    expect(call.getStatus()).toBe('accepted');
    far.hangup();

    expect(events).toEqual(['ringing', 'accepted', 'disconnect:remote-hangup']);
    expect(call.getStatus()).toBe('disconnected');
  });

  it("disconnect() hangs up with BYE and ends the call with 'local-hangup'", async () => {
    const network = newNetwork();
    const device = await registeredDevice(network);
    const { call, far } = await answeredCall(device, network.remote('bob'));
    let info: DisconnectInfo | undefined;
    call.on('disconnect', (i) => (info = i));

    await settle(call.disconnect(), 'disconnect()');

    expect(info?.reason).toBe('local-hangup');
    expect(far.endedBy).toBe('remote-bye');
    expect(network.openMediaCount).toBe(0);
  });

  it('an answered incoming call ends with remote-hangup when the caller hangs up', async () => {
    const network = newNetwork();
    const device = await registeredDevice(network);
    const { call, far } = await incomingCall(device, network.remote('carol'));
    const events = callEvents(call);

    await settle(call.accept(), 'accept()');
    expect(far.state).toBe('answered');
    far.hangup();

    expect(events).toEqual(['accepted', 'disconnect:remote-hangup']);
  });

  it('a media failure mid-call does not end it: the call restarts ICE (call.media.scenarios.ts follows it through)', async () => {
    const network = newNetwork();
    const device = await registeredDevice(network);
    const { call, far } = await answeredCall(device, network.remote('bob'));
    const events = callEvents(call);
    call.on('reconnecting', ({ cause }) => events.push(`reconnecting:${cause}`));

    far.fail();
    await flushUntil(() => far.iceRestarts === 1, 'the ICE restart');

    expect(events).toEqual(['reconnecting:media']);
    expect([call.getStatus(), call.isReconnecting()]).toEqual(['accepted', true]);
    expect(network.openMediaCount).toBe(1);
  });

  it('a pending promise of the call is rejected when the call ends under it', async () => {
    const network = newNetwork();
    const device = await registeredDevice(network);
    const { call, far } = await answeredCall(device, network.remote('bob'));
    const digits = call.sendDigits('123');
    far.hangup();
    expectSDKError(await rejection(digits), 'invalid-state', /ended/);
  });
});

describe('device.calls', () => {
  it('lists an outbound call from connect() on and drops it after disconnect', async () => {
    const network = newNetwork();
    const device = await registeredDevice(network);
    expect(device.calls).toEqual([]);

    const { call } = await answeredCall(device, network.remote('bob'));
    expect(device.calls).toEqual([call]);

    await settle(call.disconnect(), 'disconnect()');
    expect(device.calls).toEqual([]);
  });

  it('lists an incoming call from the incoming event on and drops it after reject', async () => {
    const network = newNetwork();
    const device = await registeredDevice(network);
    let listed: Call[] | undefined;
    device.on('incoming', () => (listed = device.calls));

    const { call } = await incomingCall(device, network.remote('carol'));
    expect(listed).toEqual([call]);
    expect(device.calls).toEqual([call]);

    await settle(call.reject(), 'reject()');
    expect(device.calls).toEqual([]);
  });

  it('lists calls inbound and outbound, oldest first', async () => {
    const network = newNetwork();
    const device = await registeredDevice(network);
    const { call: first } = await answeredCall(device, network.remote('bob'));
    const { call: second } = await incomingCall(device, network.remote('carol'));
    const { call: third } = await callRemote(device, network.remote('dave'));

    expect(device.calls).toEqual([first, second, third]);
    expect(device.calls.map((c) => c.direction)).toEqual(['outbound', 'inbound', 'outbound']);
    expect(new Set(device.calls.map((c) => c.id)).size).toBe(3);

    await settle(second.reject(), 'reject()');
    expect(device.calls).toEqual([first, third]);
  });

  it('drops a call that failed', async () => {
    const network = newNetwork();
    const device = await registeredDevice(network);
    network.failNextInvite(500);
    const call = await settle(device.connect({ to: 'bob' }), 'connect()');
    expect(device.calls).toEqual([call]);
    await letTimePass();
    expect(call.getStatus()).toBe('failed');
    expect(device.calls).toEqual([]);
  });
});
