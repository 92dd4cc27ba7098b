/**
 * What the far end does to an answered call: holds us (remote-hold) and
 * sends DTMF by SIP INFO (dtmf).
 */
import { describe, expect, it, vi } from 'vitest';
import type { ReceivedDtmf } from '../../../src/index';
import { acceptedIncomingCall, answeredCall, newNetwork, registeredDevice, settle, useFakeTime } from './harness';

useFakeTime();

async function answered() {
  const network = newNetwork();
  const device = await registeredDevice(network);
  const { call, far } = await answeredCall(device, network.remote('bob'));
  const events: string[] = [];
  call.on('remote-hold', (onHold) => events.push(`remote-hold:${onHold}`));
  call.on('hold', (onHold) => events.push(`hold:${onHold}`));
  call.on('warning', ({ name }) => events.push(`warning:${name}`));
  return { network, device, call, far, events };
}

describe('remote hold', () => {
  it('a sendonly re-INVITE puts us on remote hold, a sendrecv one takes us off; our own hold is untouched', async () => {
    const { call, far, events } = await answered();
    expect(call.isRemoteOnHold()).toBe(false);
    far.hold(true);
    expect(call.isRemoteOnHold()).toBe(true);
    expect(call.isOnHold()).toBe(false);
    far.hold(false);
    expect(call.isRemoteOnHold()).toBe(false);
    expect(events).toEqual(['remote-hold:true', 'remote-hold:false']);
  });

  it('inactive (also what c=0.0.0.0 counts as) holds; recvonly does not; repeats say nothing', async () => {
    const { call, far, events } = await answered();
    far.hold(true, 'inactive');
    far.hold(true, 'sendonly');
    expect(call.isRemoteOnHold()).toBe(true);
    far.hold(false, 'recvonly');
    far.hold(false, 'sendrecv');
    expect(call.isRemoteOnHold()).toBe(false);
    expect(events).toEqual(['remote-hold:true', 'remote-hold:false']);
  });

  it('we can hold and resume while remote-held, and both holds are told apart', async () => {
    const { call, far, events } = await answered();
    far.hold(true);
    await settle(call.hold(true), 'hold()');
    expect(far.heldByDevice).toBe(true);
    await settle(call.hold(false), 'resume');
    expect(far.heldByDevice).toBe(false);
    expect(call.isRemoteOnHold()).toBe(true);
    expect(events).toEqual(['remote-hold:true', 'hold:true', 'hold:false']);
  });

  it('audio warnings are not judged while remote-held, and are again once resumed', async () => {
    const { network, call, far, events } = await answered();
    await vi.advanceTimersByTimeAsync(6000); // past the grace period
    far.hold(true);
    network.setConditions({ jitterMs: 120 });
    await vi.advanceTimersByTimeAsync(20_000);
    expect(events.filter((e) => e.startsWith('warning:'))).toEqual([]);
    far.hold(false);
    await vi.advanceTimersByTimeAsync(6000);
    expect(events).toContain('warning:high-jitter');
  });

  it('works on an inbound call too', async () => {
    const network = newNetwork();
    const device = await registeredDevice(network);
    const { call, far } = await acceptedIncomingCall(device, network.remote('carol'));
    far.hold(true);
    expect(call.isRemoteOnHold()).toBe(true);
  });
});

describe('DTMF received by SIP INFO', () => {
  it('each INFO digit is a dtmf event, in order, with its duration', async () => {
    const { call, far } = await answered();
    const digits: ReceivedDtmf[] = [];
    call.on('dtmf', (dtmf) => digits.push(dtmf));
    far.sendDigits('1a#', 120);
    expect(digits).toEqual([
      { digit: '1', method: 'info', durationMs: 120 },
      { digit: 'A', method: 'info', durationMs: 120 },
      { digit: '#', method: 'info', durationMs: 120 },
    ]);
  });

  it('application/dtmf bodies count; other and hostile INFO bodies are ignored and never throw', async () => {
    const { call, far } = await answered();
    const digits: ReceivedDtmf[] = [];
    call.on('dtmf', (dtmf) => digits.push(dtmf));
    far.sendInfo('application/dtmf', '7');
    far.sendInfo('application/dtmf-relay', 'Signal=9\r\nDuration=99999999');
    far.sendInfo('application/dtmf-relay', 'Signal=12\r\nDuration=100');
    far.sendInfo('application/dtmf-relay', `Signal=\u0000\r\n${'x'.repeat(100_000)}`);
    far.sendInfo('application/json', '{"Signal":"5"}');
    far.sendInfo('Application/DTMF-Relay; charset=utf-8', 'signal = *\r\nduration=0');
    expect(digits).toEqual([
      { digit: '7', method: 'info' },
      // An implausible duration is left out; the digit still counts.
      { digit: '9', method: 'info' },
      { digit: '*', method: 'info' },
    ]);
    expect(call.getStatus()).toBe('accepted');
  });
});
