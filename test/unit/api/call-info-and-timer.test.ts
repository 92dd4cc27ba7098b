/**
 * `call.info` (the far end's identity, the app's fields, locks) and the call
 * timer (`getTimer()` from the chart's entry times, `timer` once a second,
 * `stopTimer()`), on the fake network with fake time.
 */
import { describe, expect, it, vi } from 'vitest';
import type { InfoChange } from '../../../src/index';
import {
  answeredCall,
  deviceToDevice,
  expectSDKError,
  flushUntil,
  letTimePass,
  newNetwork,
  registeredDevice,
  settle,
  thrown,
  uriOf,
  useFakeTime,
} from './harness';

useFakeTime();

describe('call.info', () => {
  it('an incoming call shows the caller device\'s display name, and the callee the URI it called', async () => {
    const network = newNetwork();
    const alice = await registeredDevice(network, 'alice', { displayName: 'Alice Liddell' });
    const bob = await registeredDevice(network, 'bob');
    const { outbound, inbound } = await deviceToDevice(alice, bob, { to: 'bob' });
    expect(inbound.info).toEqual({ uri: uriOf('alice'), displayName: 'Alice Liddell' });
    expect(outbound.info).toEqual({ uri: uriOf('bob') });
  });

  it('a caller\'s P-Asserted-Identity gives the number and name; hostile values are cleaned and cut', async () => {
    const network = newNetwork();
    const device = await registeredDevice(network);
    let call: import('../../../src/index').Call | undefined;
    device.on('incoming', (incoming) => (call = incoming));
    network.remote('pbx').call(uriOf('alice'), {
      party: { displayName: `Evil\r\nX-Injected: yes\u0000${'E'.repeat(10_240)}`, assertedIdentity: '"Front Desk" <sip:+15550001234@pbx>' },
    });
    await flushUntil(() => call !== undefined, 'the incoming call');
    expect(call!.info).toEqual({ uri: 'sip:pbx@example.com', displayName: 'Front Desk', number: '+15550001234' });

    const other = newNetwork();
    const device2 = await registeredDevice(other);
    let call2: import('../../../src/index').Call | undefined;
    device2.on('incoming', (incoming) => (call2 = incoming));
    other.remote('pbx').call(uriOf('alice'), { party: { displayName: `Evil\r\nX-Injected: yes\u0000${'E'.repeat(10_240)}` } });
    await flushUntil(() => call2 !== undefined, 'the incoming call');
    const name = call2!.info.displayName!;
    expect(name).toHaveLength(128);
    expect(name).not.toMatch(/[\r\n\u0000]/);
    expect(name.startsWith('EvilX-Injected: yes')).toBe(true);
  });

  it('an outbound call takes the identity the 2xx asserts, and follows an in-dialog update with `info`', async () => {
    const network = newNetwork();
    const device = await registeredDevice(network);
    const { call: placed, far } = await (async () => {
      const remote = network.remote('queue');
      const call = await settle(device.connect({ to: 'queue' }), 'connect()');
      await flushUntil(() => remote.lastCall !== undefined, 'the INVITE');
      return { call, far: remote.lastCall! };
    })();
    const changes: InfoChange[] = [];
    placed.on('info', (change) => changes.push(change));
    far.answer({ assertedIdentity: '"Agent 7" <sip:2007@example.com>' });
    await letTimePass();
    expect(placed.info).toEqual({ uri: uriOf('queue'), displayName: 'Agent 7', number: '2007' });
    expect(changes).toEqual([{ info: placed.info, previous: { uri: uriOf('queue') } }]);

    far.updateIdentity({ remotePartyId: '"Supervisor" <sip:2001@example.com>;party=called', assertedIdentity: '"Supervisor" <sip:2001@example.com>' });
    await letTimePass();
    expect(placed.info).toMatchObject({ displayName: 'Supervisor', number: '2001' });
    expect(changes).toHaveLength(2);
    expect(changes[1]!.previous).toMatchObject({ displayName: 'Agent 7' });

    // The same identity again changes nothing and says nothing.
    far.updateIdentity({ assertedIdentity: '"Supervisor" <sip:2001@example.com>' });
    await letTimePass();
    expect(changes).toHaveLength(2);
  });

  it('setInfo adds the app\'s fields; locked fields survive the far end\'s updates, unlocked ones do not', async () => {
    const network = newNetwork();
    const device = await registeredDevice(network);
    const { call, far } = await answeredCall(device, network.remote('bob'));
    const changes: InfoChange[] = [];
    call.on('info', (change) => changes.push(change));

    call.setInfo({ company: 'Acme', avatar: 'https://example.com/bob.png' });
    expect(call.info).toEqual({ uri: uriOf('bob'), company: 'Acme', avatar: 'https://example.com/bob.png' });
    call.setInfo({ displayName: 'Bob (CRM)' }, { lock: true });
    call.setInfo({ number: '555' });
    expect(changes).toHaveLength(3);

    far.updateIdentity({ assertedIdentity: '"Robert" <sip:+15550009999@example.com>' });
    await letTimePass();
    // displayName locked: kept; number unlocked: the far end's.
    expect(call.info).toEqual({
      uri: uriOf('bob'),
      company: 'Acme',
      avatar: 'https://example.com/bob.png',
      displayName: 'Bob (CRM)',
      number: '+15550009999',
    });

    // Unlocked again: the next update overwrites it.
    call.setInfo({ displayName: 'Bob (CRM)' }, { lock: false });
    far.updateIdentity({ assertedIdentity: '"Robert R." <sip:+15550009999@example.com>' });
    await letTimePass();
    expect(call.info.displayName).toBe('Robert R.');

    // Setting what is there already says nothing.
    const before = changes.length;
    call.setInfo({ company: 'Acme' });
    expect(changes).toHaveLength(before);
    // Removing a field.
    call.setInfo({ avatar: undefined });
    expect(call.info.avatar).toBeUndefined();
  });

  it('setInfo refuses bad fields with invalid-argument and changes nothing', async () => {
    const network = newNetwork();
    const device = await registeredDevice(network);
    const { call } = await answeredCall(device, network.remote('bob'));
    const before = call.info;
    for (const bad of [{ company: 42 }, { company: 'x'.repeat(1025) }, { uri: 'sip:x@y' }, 'Acme', null, { note: 'a\r\nb' }]) {
      expectSDKError(thrown(() => call.setInfo(bad as never)), 'invalid-argument');
    }
    expectSDKError(thrown(() => call.setInfo({ company: 'A' }, { lock: 'yes' as never })), 'invalid-argument');
    expect(call.info).toBe(before);
  });

  it('setInfo on an ended call is invalid-state', async () => {
    const network = newNetwork();
    const device = await registeredDevice(network);
    const { call } = await answeredCall(device, network.remote('bob'));
    await settle(call.disconnect(), 'disconnect()');
    expectSDKError(thrown(() => call.setInfo({ company: 'Acme' })), 'invalid-state');
  });
});

describe('call timer', () => {
  it('ringing, talking and on-hold times follow the call, from the injected clock', async () => {
    const network = newNetwork();
    const device = await registeredDevice(network);
    const t0 = Date.now();
    const remote = network.remote('bob');
    const call = await settle(device.connect({ to: 'bob' }), 'connect()');
    await flushUntil(() => remote.lastCall !== undefined, 'the INVITE');
    const startedAt = call.getTimer().startedAt;
    expect(startedAt).toBeGreaterThanOrEqual(t0);
    remote.lastCall!.ring();
    await vi.advanceTimersByTimeAsync(3000);
    expect(call.getTimer()).toMatchObject({ talkingMs: 0, onHoldMs: 0 });
    expect(call.getTimer().answeredAt).toBeUndefined();
    remote.lastCall!.answer();
    const { answeredAt, ringingMs } = call.getTimer();
    expect(ringingMs).toBe(answeredAt! - startedAt);
    expect(ringingMs).toBeGreaterThanOrEqual(3000);

    await vi.advanceTimersByTimeAsync(5000);
    expect(call.getTimer().talkingMs).toBe(5000);
    const askedHold = Date.now();
    const holding = call.hold(true);
    await vi.advanceTimersByTimeAsync(4000);
    await settle(holding, 'hold()');
    const askedResume = Date.now();
    const resuming = call.hold(false);
    await settle(resuming, 'resume');
    const resumed = Date.now();
    await vi.advanceTimersByTimeAsync(2000);
    const timer = call.getTimer();
    // On hold from asking for it until the resume was answered.
    expect(timer.onHoldMs).toBeGreaterThan(askedResume - askedHold);
    expect(timer.onHoldMs).toBeLessThanOrEqual(resumed - askedHold);
    expect(timer.talkingMs + timer.onHoldMs).toBe(Date.now() - answeredAt!);
    expect(timer.talkingMs).toBeGreaterThanOrEqual(7000);
    await settle(call.disconnect(), 'disconnect()');
    const ended = call.getTimer();
    expect(ended.endedAt).toBeDefined();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(call.getTimer()).toEqual(ended);
  });

  it('`timer` fires once a second while accepted; stopTimer stops the event, not getTimer', async () => {
    const network = newNetwork();
    const device = await registeredDevice(network);
    const { call } = await answeredCall(device, network.remote('bob'));
    const ticks: number[] = [];
    call.on('timer', (timer) => ticks.push(timer.talkingMs));
    await vi.advanceTimersByTimeAsync(3000);
    expect(ticks).toEqual([1000, 2000, 3000]);
    call.stopTimer();
    call.stopTimer(); // idempotent
    await vi.advanceTimersByTimeAsync(3000);
    expect(ticks).toHaveLength(3);
    expect(call.getTimer().talkingMs).toBe(6000);
  });

  it('stopTimer before the answer is invalid-state; an unanswered call counts ringing only', async () => {
    const network = newNetwork();
    const device = await registeredDevice(network);
    const call = await settle(device.connect({ to: 'bob' }), 'connect()');
    expectSDKError(thrown(() => call.stopTimer()), 'invalid-state');
    await vi.advanceTimersByTimeAsync(2000);
    await settle(call.disconnect(), 'cancel');
    const timer = call.getTimer();
    expect(timer.answeredAt).toBeUndefined();
    expect(timer.ringingMs).toBe(timer.endedAt! - timer.startedAt);
    expect(timer.talkingMs).toBe(0);
  });
});

describe('call.info is the app\'s to read, not to change', () => {
  it('is frozen: the chart\'s copy cannot be mutated from outside', async () => {
    const network = newNetwork();
    const device = await registeredDevice(network);
    const { call } = await answeredCall(device, network.remote('bob'));
    expect(Object.isFrozen(call.info)).toBe(true);
    call.setInfo({ company: 'Acme' });
    expect(Object.isFrozen(call.info)).toBe(true);
    expect(() => {
      (call.info as Record<string, string>)['company'] = 'Evil';
    }).toThrow(TypeError);
    expect(call.info.company).toBe('Acme');
  });
});
