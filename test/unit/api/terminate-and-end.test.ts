/**
 * terminate() in every state, what `disconnect` tells about the end (status,
 * Reason header as `cause`), and `confirmed`.
 */
import { describe, expect, it } from 'vitest';
import type { Call, DisconnectInfo } from '../../../src/index';
import {
  answeredCall,
  callRemote,
  deviceToDevice,
  flushUntil,
  incomingCall,
  newNetwork,
  registeredDevice,
  settle,
  settled,
  useFakeTime,
} from './harness';

useFakeTime();

function ends(call: Call): DisconnectInfo[] {
  const seen: DisconnectInfo[] = [];
  call.on('disconnect', (info) => seen.push(info));
  return seen;
}

const without = ({ report: _report, ...rest }: DisconnectInfo) => rest;

describe('terminate()', () => {
  it('an unanswered outbound call is cancelled: the far end sees CANCEL, the end has status 487', async () => {
    const network = newNetwork();
    const device = await registeredDevice(network);
    const { call, far } = await callRemote(device, network.remote('bob'));
    far.ring();
    const seen = ends(call);
    await settle(call.terminate(), 'terminate()');
    expect(far.endedBy).toBe('cancel');
    expect(seen.map(without)).toEqual([{ reason: 'canceled', status: 487 }]);
  });

  it('a ringing inbound call is rejected 486', async () => {
    const network = newNetwork();
    const alice = await registeredDevice(network, 'alice');
    const bob = await registeredDevice(network, 'bob');
    const { outbound, inbound } = await deviceToDevice(alice, bob, { to: 'bob' });
    const callerEnds = ends(outbound);
    const calleeEnds = ends(inbound);
    await settle(inbound.terminate(), 'terminate()');
    await flushUntil(() => callerEnds.length > 0, "the caller's end");
    expect(calleeEnds.map(without)).toEqual([{ reason: 'rejected', status: 486 }]);
    expect(callerEnds.map(without)).toEqual([{ reason: 'busy', status: 486 }]);
  });

  it('an answered call is hung up with BYE', async () => {
    const network = newNetwork();
    const device = await registeredDevice(network);
    const { call, far } = await answeredCall(device, network.remote('bob'));
    const seen = ends(call);
    await settle(call.terminate(), 'terminate()');
    expect(far.endedBy).toBe('remote-bye');
    expect(seen.map(without)).toEqual([{ reason: 'local-hangup' }]);
  });

  it('while the answer is being set up: accept() rejects, the call is hung up once it is up', async () => {
    const network = newNetwork();
    const device = await registeredDevice(network);
    const { call, far } = await incomingCall(device, network.remote('carol'));
    const seen = ends(call);
    // Nothing to hold: the answer starts at once.
    const accepting = settled(call.accept({ holdOthers: false }));
    await settle(call.terminate(), 'terminate()');
    await flushUntil(() => accepting.outcome() !== 'pending', 'accept()');
    expect(accepting.outcome()).toBe('rejected');
    expect(far.endedBy).toBe('remote-bye');
    expect(seen.map(without)).toEqual([{ reason: 'local-hangup' }]);
  });

  it('twice, or on a call already ending or ended, waits for (or is) the same end', async () => {
    const network = newNetwork();
    const device = await registeredDevice(network);
    const { call } = await answeredCall(device, network.remote('bob'));
    const seen = ends(call);
    const first = settled(call.terminate());
    const second = settled(call.terminate());
    const hangup = settled(call.disconnect().catch(() => 'refused'));
    await flushUntil(() => first.outcome() !== 'pending' && second.outcome() !== 'pending', 'both terminate()s');
    expect([first.outcome(), second.outcome()]).toEqual(['resolved', 'resolved']);
    await settle(call.terminate(), 'terminate() after the end');
    await flushUntil(() => hangup.outcome() !== 'pending', 'disconnect()');
    expect(seen).toHaveLength(1);
  });
});

describe('disconnect: status and cause', () => {
  it('a busy far end with a Reason header: status 486 and the cause, cleaned and bounded', async () => {
    const network = newNetwork();
    const device = await registeredDevice(network);
    const { call, far } = await callRemote(device, network.remote('bob'));
    const seen = ends(call);
    far.reject(486, 'Q.850;cause=17;\r\ntext="User busy"' + ' x'.repeat(500));
    await flushUntil(() => seen.length > 0, 'the end');
    expect(seen[0]!.reason).toBe('busy');
    expect(seen[0]!.status).toBe(486);
    expect(seen[0]!.cause).toMatch(/^Q\.850;cause=17; text="User busy" x x/);
    expect(seen[0]!.cause!.length).toBe(256);
    expect(seen[0]!.cause).not.toMatch(/[\r\n]/);
  });

  it('a failure (404) tells its status on the failed end', async () => {
    const network = newNetwork();
    const device = await registeredDevice(network);
    const { call, far } = await callRemote(device, network.remote('bob'));
    const seen = ends(call);
    call.on('error', () => undefined);
    far.reject(404);
    await flushUntil(() => seen.length > 0, 'the end');
    expect(seen.map(without)).toEqual([{ reason: 'failed', status: 404 }]);
  });

  it('a BYE with Reason: Q.850;cause=16 is the remote hang-up cause', async () => {
    const network = newNetwork();
    const device = await registeredDevice(network);
    const { call, far } = await answeredCall(device, network.remote('bob'));
    const seen = ends(call);
    far.hangup('Q.850;cause=16;text="Normal call clearing"');
    await flushUntil(() => seen.length > 0, 'the end');
    expect(seen.map(without)).toEqual([{ reason: 'remote-hangup', cause: 'Q.850;cause=16;text="Normal call clearing"' }]);
  });

  it('a BYE without one, and our own hang-up, have neither status nor cause', async () => {
    const network = newNetwork();
    const device = await registeredDevice(network);
    const first = await answeredCall(device, network.remote('bob'));
    const firstEnds = ends(first.call);
    first.far.hangup();
    const second = await answeredCall(device, network.remote('carol'));
    const secondEnds = ends(second.call);
    await settle(second.call.disconnect(), 'disconnect()');
    await flushUntil(() => firstEnds.length > 0, 'the end');
    expect(firstEnds.map(without)).toEqual([{ reason: 'remote-hangup' }]);
    expect(secondEnds.map(without)).toEqual([{ reason: 'local-hangup' }]);
  });
});

describe('confirmed', () => {
  it('outbound: with accepted (our ACK goes out with it); inbound: when the caller ACKs our 200', async () => {
    const network = newNetwork();
    const alice = await registeredDevice(network, 'alice');
    const bob = await registeredDevice(network, 'bob');
    const { outbound, inbound } = await deviceToDevice(alice, bob, { to: 'bob' });
    const order: string[] = [];
    outbound.on('accepted', () => order.push('alice:accepted'));
    outbound.on('confirmed', () => order.push('alice:confirmed'));
    inbound.on('accepted', () => order.push('bob:accepted'));
    inbound.on('confirmed', () => order.push('bob:confirmed'));
    await settle(inbound.accept(), 'accept()');
    await flushUntil(() => order.includes('bob:confirmed'), "bob's confirmed");
    expect(order).toEqual(['bob:accepted', 'alice:accepted', 'alice:confirmed', 'bob:confirmed']);
  });
});
