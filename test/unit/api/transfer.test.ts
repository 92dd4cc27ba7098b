/**
 * Transfers through the public API on the fake network: the payloads of
 * `transfer` and `referred`, the Call a `transfer(call)` names, and bad
 * `onTransferRequest` options. (Every transition of the transfer region runs
 * in test/model/call.transfer.scenarios.ts.)
 */
import { describe, expect, it } from 'vitest';
import { Call, type TransferProgress } from '../../../src/index';
import { answeredCall, expectSDKError, flushUntil, newDevice, newNetwork, registeredDevice, settle, thrown, uriOf, useFakeTime } from './harness';

useFakeTime();

describe('transfer()', () => {
  it('tells each step with its status and resolves once the far end says the referred call is answered', async () => {
    const network = newNetwork();
    const device = await registeredDevice(network);
    const { call, far } = await answeredCall(device, network.remote('bob'));
    const steps: TransferProgress[] = [];
    call.on('transfer', (progress) => steps.push(progress));
    const ends: string[] = [];
    call.on('disconnect', ({ reason }) => ends.push(reason));
    const transferring = call.transfer('+15551234567');
    await flushUntil(() => far.referrals.length === 1, 'the REFER');
    expect(far.referrals).toEqual([`<sip:+15551234567@example.com>`]);
    far.respondToRefer(202);
    await flushUntil(() => steps.length === 2, 'accepted');
    far.notify('SIP/2.0 183 Session Progress');
    far.notify('SIP/2.0 200 OK');
    await settle(transferring, 'transfer()');
    await flushUntil(() => ends.length === 1, 'the end');
    expect(steps).toEqual([{ state: 'requested' }, { state: 'accepted' }, { state: 'ringing', status: 183 }, { state: 'succeeded', status: 200 }]);
    expect(ends).toEqual(['transferred']);
    await settle(device.destroy(), 'destroy()');
  });

  it('a Call made without a Device cannot transfer to a string (invalid-state)', async () => {
    const network = newNetwork();
    const device = await registeredDevice(network);
    const { call } = await answeredCall(device, network.remote('bob'));
    const bare = new Call(call.actor);
    expectSDKError(await bare.transfer('carol').catch((error: unknown) => error), 'invalid-state');
    expect(network.remote('bob').lastCall!.referrals).toEqual([]);
    await settle(device.destroy(), 'destroy()');
  });

  it('following a REFER: referred gives the new Call, which device.calls lists', async () => {
    const network = newNetwork();
    const device = await registeredDevice(network);
    const { call, far } = await answeredCall(device, network.remote('bob'));
    const referred: Array<{ target: string; call: Call }> = [];
    call.on('referred', (info) => referred.push(info));
    far.refer(`<${uriOf('carol')}>`);
    await flushUntil(() => referred.length === 1, 'referred');
    expect(referred[0]!.target).toBe(uriOf('carol'));
    expect(device.calls).toEqual([call, referred[0]!.call]);
    await settle(device.destroy(), 'destroy()');
  });
});

describe('onTransferRequest', () => {
  it('anything but follow, refuse or a function is invalid-argument', () => {
    const network = newNetwork();
    for (const onTransferRequest of ['ask', true, 0, {}]) {
      expectSDKError(thrown(() => newDevice(network, 'alice', { onTransferRequest } as never)), 'invalid-argument');
    }
    expect(network.userAgents).toHaveLength(0);
  });
});
