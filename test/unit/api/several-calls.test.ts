/**
 * Several calls on one device: incomingCalls, call waiting, maxCalls, and
 * answering or resuming with the others put on hold.
 */
import { describe, expect, it } from 'vitest';
import type { Call } from '../../../src/index';
import {
  answeredCall,
  expectSDKError,
  flushUntil,
  incomingCall,
  letTimePass,
  newDevice,
  newNetwork,
  registeredDevice,
  rejection,
  settle,
  thrown,
  uriOf,
  useFakeTime,
} from './harness';

useFakeTime();

describe('call waiting and maxCalls', () => {
  it('a call waits while another is accepted (the default): incoming, and listed in incomingCalls', async () => {
    const network = newNetwork();
    const device = await registeredDevice(network);
    const { call: talking } = await answeredCall(device, network.remote('bob'));
    const { call: waiting } = await incomingCall(device, network.remote('carol'));
    expect(device.incomingCalls).toEqual([waiting]);
    expect(device.calls).toEqual([talking, waiting]);
    await settle(waiting.reject(), 'reject()');
    expect(device.incomingCalls).toEqual([]);
  });

  it('callWaiting: false answers an INVITE 486 while a call is accepted, and surfaces nothing', async () => {
    const network = newNetwork();
    const device = await registeredDevice(network, 'alice', { callWaiting: false });
    const { call: talking } = await answeredCall(device, network.remote('bob'));
    let surfaced = 0;
    device.on('incoming', () => surfaced++);
    const far = network.remote('carol').call(uriOf('alice'));
    await flushUntil(() => far.state === 'ended', 'the 486');
    expect(far.endedBy).toBe('reject');
    expect(surfaced).toBe(0);
    expect(device.calls).toEqual([talking]);
    expect(network.openMediaCount).toBe(1);
    // Once that call is over, calls come in again.
    await settle(talking.disconnect(), 'disconnect()');
    const { call } = await incomingCall(device, network.remote('carol'));
    expect(call.getStatus()).toBe('pending');
  });

  it('callWaiting: false still lets a second call ring while none is accepted', async () => {
    const network = newNetwork();
    const device = await registeredDevice(network, 'alice', { callWaiting: false });
    await incomingCall(device, network.remote('bob'));
    await incomingCall(device, network.remote('carol'));
    expect(device.incomingCalls).toHaveLength(2);
  });

  it('maxCalls: an INVITE beyond it is answered 486', async () => {
    const network = newNetwork();
    const device = await registeredDevice(network, 'alice', { maxCalls: 2 });
    await answeredCall(device, network.remote('bob'));
    await incomingCall(device, network.remote('carol'));
    const far = network.remote('dave').call(uriOf('alice'));
    await flushUntil(() => far.state === 'ended', 'the 486');
    expect(far.endedBy).toBe('reject');
    expect(device.calls).toHaveLength(2);
    await letTimePass();
    // The answered call's media; the ringing one has none yet, the refused one never had any.
    expect(network.openMediaCount).toBe(1);
  });

  it('maxCalls: connect() beyond it is invalid-state and sends nothing, until a call ends', async () => {
    const network = newNetwork();
    const device = await registeredDevice(network, 'alice', { maxCalls: 2 });
    const { call: first } = await answeredCall(device, network.remote('bob'));
    await incomingCall(device, network.remote('carol'));
    expectSDKError(await rejection(device.connect({ to: 'dave' }), 'connect() beyond maxCalls'), 'invalid-state', /maxCalls/);
    await letTimePass();
    expect(network.remote('dave').calls).toHaveLength(0);
    expect(device.calls).toHaveLength(2);
    // A line is free again once a call ends.
    await settle(first.disconnect(), 'disconnect()');
    const call = await settle(device.connect({ to: 'dave' }), 'connect() with a free line');
    await flushUntil(() => network.remote('dave').calls.length === 1, "dave's INVITE");
    expect(device.calls).toContain(call);
  });

  it('maxCalls: calls placed before the transport is up count too', async () => {
    const network = newNetwork();
    const device = newDevice(network, 'alice', { maxCalls: 1 });
    const first = device.connect({ to: 'bob' });
    expectSDKError(await rejection(device.connect({ to: 'carol' }), 'a second connect() waiting for the transport'), 'invalid-state', /maxCalls/);
    const call = await settle(first, 'the first connect() once the transport is up');
    expect(device.calls).toEqual([call]);
    await letTimePass();
    expect(network.remote('carol').calls).toHaveLength(0);
  });

  it('bad callWaiting / maxCalls are invalid-argument', () => {
    const network = newNetwork();
    for (const options of [{ callWaiting: 'no' }, { maxCalls: 0 }, { maxCalls: 1.5 }, { maxCalls: Number.NaN }, { maxCalls: '2' }]) {
      expectSDKError(thrown(() => newDevice(network, 'alice', options as never)), 'invalid-argument');
    }
    expect(network.userAgents).toHaveLength(0);
  });
});

describe('holdOthers', () => {
  async function talkingAndWaiting() {
    const network = newNetwork();
    const device = await registeredDevice(network);
    const first = await answeredCall(device, network.remote('bob'));
    const second = await incomingCall(device, network.remote('carol'));
    const holds: string[] = [];
    const watch = (name: string, call: Call) => call.on('hold', (onHold) => holds.push(`${name}:${onHold}`));
    watch('first', first.call);
    watch('second', second.call);
    return { network, device, first, second, holds };
  }

  it('accept() holds the talking call first (its re-INVITE answered), then answers', async () => {
    const { first, second, holds } = await talkingAndWaiting();
    const order: string[] = [];
    first.call.on('hold', () => order.push('first held'));
    second.call.on('accepted', () => order.push('second accepted'));
    await settle(second.call.accept(), 'accept()');
    expect(order).toEqual(['first held', 'second accepted']);
    expect(first.far.heldByDevice).toBe(true);
    expect(first.far.sendingAudio).toBe(true); // the far end still sends; we just do not
    expect(holds).toEqual(['first:true']);
  });

  it('accept({ holdOthers: false }) leaves the other call talking', async () => {
    const { first, second } = await talkingAndWaiting();
    await settle(second.call.accept({ holdOthers: false }), 'accept()');
    expect(first.call.isOnHold()).toBe(false);
    expect(second.call.getStatus()).toBe('accepted');
  });

  it('switching back and forth: hold(false) on one holds the other first; hold(false, { holdOthers: false }) does not', async () => {
    const { first, second, holds } = await talkingAndWaiting();
    await settle(second.call.accept(), 'accept()');
    await settle(first.call.hold(false), 'resume the first');
    expect([first.call.isOnHold(), second.call.isOnHold()]).toEqual([false, true]);
    await settle(second.call.hold(false), 'resume the second');
    expect([first.call.isOnHold(), second.call.isOnHold()]).toEqual([true, false]);
    await settle(first.call.hold(false, { holdOthers: false }), 'resume both');
    expect([first.call.isOnHold(), second.call.isOnHold()]).toEqual([false, false]);
    expect(holds).toEqual(['first:true', 'second:true', 'first:false', 'first:true', 'second:false', 'first:false']);
  });

  it('a call still resuming when another is answered is held again once its resume is done: never two talking', async () => {
    const { first, second, holds } = await talkingAndWaiting();
    await settle(first.call.hold(true), 'hold the first');
    // The resume's re-INVITE is on its way when the second call is answered.
    const resumed = first.call.hold(false, { holdOthers: false });
    expect(first.far.heldByDevice).toBe(true);
    const accepted = second.call.accept();
    await settle(resumed, 'resume the first');
    await settle(accepted, 'accept the second');
    expect([first.call.isOnHold(), second.call.isOnHold(), second.call.getStatus()]).toEqual([true, false, 'accepted']);
    expect(first.far.heldByDevice).toBe(true);
    expect(first.far.reinvites).toEqual([true, false, true]);
    expect(holds).toEqual(['first:true', 'first:false', 'first:true']);
  });

  it('hold() while a resume is under way holds again once it is done; a resume that fails then leaves the call held', async () => {
    const { network, first } = await talkingAndWaiting();
    await settle(first.call.hold(true), 'hold');
    const resumed = first.call.hold(false, { holdOthers: false });
    const heldAgain = first.call.hold(true);
    await settle(resumed, 'resume');
    await settle(heldAgain, 'hold again');
    expect(first.call.isOnHold()).toBe(true);
    expect(first.far.reinvites).toEqual([true, false, true]);

    network.failNextReinvite(488);
    const failing = first.call.hold(false, { holdOthers: false });
    const holdMeanwhile = first.call.hold(true);
    const error = await rejection(failing, 'the failing resume');
    await settle(holdMeanwhile, 'hold while the failing resume');
    expect(error).toMatchObject({ name: 'VoiceSDKError', status: 488 });
    expect(first.call.isOnHold()).toBe(true);
    expect(first.call.getStatus()).toBe('accepted');
  });

  it('bad options are invalid-argument and change nothing', async () => {
    const { first, second } = await talkingAndWaiting();
    for (const options of [null, { holdOthers: 'yes' }]) {
      expectSDKError(await second.call.accept(options as never).catch((e: unknown) => e), 'invalid-argument');
      expectSDKError(await first.call.hold(false, options as never).catch((e: unknown) => e), 'invalid-argument');
    }
    expect(second.call.getStatus()).toBe('pending');
    expect(first.call.isOnHold()).toBe(false);
  });
});
