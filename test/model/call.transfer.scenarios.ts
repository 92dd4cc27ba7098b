/**
 * Transfers (issue 9), run for real on the fake network with a model's
 * coverage inspector: ours (blind and attended REFER, refused, failed, timed
 * out), the far end's REFER (followed, refused, asked, the referred call
 * failing), and the transfer target's INVITE with Replaces. The generic
 * paths of call.model.test.ts refuse every REFER; these cover the rest, for
 * the call chart and (run again from device.model.test.ts) the device chart.
 */
import { describe, expect, it, vi } from 'vitest';
import type { Call } from '../../src/call';
import type { Device, DeviceOptions } from '../../src/device';
import type { VoiceSDKError } from '../../src/errors';
import { TRANSFER_DECISION_TIMEOUT_MS, TRANSFER_PROGRESS_TIMEOUT_MS } from '../../src/machines/call.transfer.actors';
import type { FakeNetwork, RemoteCall } from '../../src/testing';
import {
  answeredLine,
  destroyAll,
  drainMicrotasks,
  newNetwork,
  REALISTIC_LATENCY_MS as LATENCY_MS,
  recordCallEvents,
  registered as registeredDevice,
  runUntil,
  settle,
  settled,
  uriOf as uri,
  useFakeTime,
  type Inspect,
} from './world';

const network = (): FakeNetwork => newNetwork({ latencyMs: LATENCY_MS });

const registered = (net: FakeNetwork, user: string, inspect: Inspect, options: Partial<DeviceOptions> = {}): Promise<Device> =>
  registeredDevice(net, user, inspect, options, runUntil);

/** alice's device in an answered call with the scripted bob (alice called). */
async function line(inspect: Inspect, options: Partial<DeviceOptions> = {}) {
  const { network: net, device: alice, call, bob, events } = await answeredLine(inspect, { device: options });
  return { net, alice, call, bob, events };
}

const finish = (net: FakeNetwork, ...devices: Device[]): Promise<void> => destroyAll(net, devices, runUntil);

/** The scripted `user`'s next incoming call, running fake time until it arrives. */
async function nextRemoteCall(net: FakeNetwork, user: string): Promise<RemoteCall> {
  const before = net.remote(user).calls.length;
  await runUntil(() => net.remote(user).calls.length > before, `a call to ${user}`);
  return net.remote(user).lastCall!;
}

/** The device's next `incoming` call, running fake time until it arrives. */
function nextIncoming(device: Device): () => Promise<Call> {
  let call: Call | undefined;
  device.once('incoming', (incoming) => (call = incoming));
  return async () => {
    await runUntil(() => call !== undefined, 'an incoming call');
    return call!;
  };
}

const codeOf = (error: unknown): [string, number | undefined] => [(error as VoiceSDKError).code, (error as VoiceSDKError).status];
const quiet = (events: string[]): string[] => events.filter((e) => e !== 'quality' && e !== 'report' && e !== 'confirmed');

export function describeTransfers(inspect: Inspect): void {
  describe('transfers: ours (REFER), the far end’s, and Replaces', () => {
    useFakeTime();

    it('blind transfer: REFER, 202, NOTIFYs 100 / 180 / 200 → transfer() resolves and the call ends transferred (we BYE)', async () => {
      const { net, alice, call, bob, events } = await line(inspect);
      const started = Date.now();
      const transferring = settled(call.transfer('carol'));
      await runUntil(() => bob.referrals.length === 1, 'the REFER');
      expect(bob.referrals).toEqual([`<${uri('carol')}>`]);
      bob.respondToRefer(202);
      await runUntil(() => events.includes('transfer:accepted'), 'accepted');
      bob.notify('SIP/2.0 100 Trying');
      bob.notify('SIP/2.0 180 Ringing');
      // NOTIFYs that tell nothing are ignored: another event package, a body that is no sipfrag.
      bob.notify('SIP/2.0 200 OK', 'presence');
      bob.notify('SIP/2.0 2000 OK\r\nX');
      expect(call.getStatus()).toBe('accepted');
      bob.notify('SIP/2.0 200 OK');
      await runUntil(() => events.includes('disconnect:transferred') && transferring.outcome() !== 'pending', 'transferred');
      expect(transferring.outcome()).toBe('resolved');
      expect(bob.endedBy).toBe('remote-bye');
      expect(quiet(events)).toEqual([
        'transfer:requested',
        'transfer:accepted',
        'transfer:trying:100',
        'transfer:ringing:180',
        'transfer:succeeded:200',
        'disconnect:transferred',
      ]);
      console.log(`[transfer] fake blind transfer completed in ${Date.now() - started} ms of fake time (${LATENCY_MS} ms latency)`);
      await finish(net, alice);
    });

    it('the far end’s BYE crossing ours after a transfer keeps the reason transferred', async () => {
      const { net, alice, call, bob, events } = await line(inspect);
      const transferring = settled(call.transfer('sip:carol@example.com'));
      await runUntil(() => bob.referrals.length === 1, 'the REFER');
      bob.respondToRefer(202);
      await runUntil(() => events.includes('transfer:accepted'), 'accepted');
      bob.notify('SIP/2.0 200 OK');
      bob.hangup();
      await runUntil(() => events.some((e) => e.startsWith('disconnect')), 'ended');
      expect(transferring.outcome()).toBe('resolved');
      expect(events).toContain('disconnect:transferred');
      await finish(net, alice);
    });

    it('a refused REFER, a referred call that fails and no outcome in time reject transfer-failed; the call stays up', async () => {
      const { net, alice, call, bob, events } = await line(inspect);
      const refused = settled(call.transfer('carol'));
      await runUntil(() => bob.referrals.length === 1, 'the REFER');
      bob.respondToRefer(603);
      await runUntil(() => refused.outcome() !== 'pending', 'refused');
      expect(codeOf(refused.error)).toEqual(['transfer-failed', 603]);

      const busy = settled(call.transfer('carol'));
      await runUntil(() => bob.referrals.length === 2, 'the second REFER');
      bob.respondToRefer(202);
      await runUntil(() => events.includes('transfer:accepted'), 'accepted');
      bob.notify('SIP/2.0 486 Busy Here');
      await runUntil(() => busy.outcome() !== 'pending', 'busy');
      expect(codeOf(busy.error)).toEqual(['transfer-failed', 486]);

      const silent = settled(call.transfer('carol'));
      await runUntil(() => bob.referrals.length === 3, 'the third REFER');
      bob.respondToRefer(202);
      await vi.advanceTimersByTimeAsync(TRANSFER_PROGRESS_TIMEOUT_MS + LATENCY_MS);
      expect(codeOf(silent.error)).toEqual(['transfer-failed', undefined]);

      // A REFER nobody answers: the same bound.
      const unanswered = settled(call.transfer('carol'));
      await runUntil(() => bob.referrals.length === 4, 'the fourth REFER');
      await vi.advanceTimersByTimeAsync(TRANSFER_PROGRESS_TIMEOUT_MS + LATENCY_MS);
      expect(codeOf(unanswered.error)).toEqual(['transfer-failed', undefined]);
      expect(quiet(events).filter((e) => e.startsWith('transfer:failed'))).toEqual([
        'transfer:failed:603',
        'transfer:failed:486',
        'transfer:failed',
        'transfer:failed',
      ]);
      expect([call.getStatus(), bob.state]).toEqual(['accepted', 'answered']);
      await finish(net, alice);
    });

    it('bad input sends nothing: an invalid target, itself, a call not accepted, a second transfer under way', async () => {
      const { net, alice, call, bob } = await line(inspect);
      const other = await alice.connect({ to: 'carol' });
      const attempts = [
        settled(call.transfer('not a target')),
        settled(call.transfer(call)),
        settled(call.transfer(other)),
        settled(call.transfer(42 as unknown as string)),
      ];
      await drainMicrotasks();
      expect(attempts.map((a) => codeOf(a.error)[0])).toEqual(['invalid-argument', 'invalid-argument', 'invalid-state', 'invalid-argument']);
      const running = settled(call.transfer('carol'));
      const second = settled(call.transfer('dave'));
      const pending = settled(other.transfer('bob'));
      await drainMicrotasks();
      expect([codeOf(second.error)[0], codeOf(pending.error)[0]]).toEqual(['invalid-state', 'invalid-state']);
      await runUntil(() => bob.referrals.length === 1, 'the one REFER');
      expect(bob.referrals).toEqual([`<${uri('carol')}>`]);
      expect(running.outcome()).toBe('pending');
      await finish(net, alice);
    });

    it('a call of another device is refused invalid-argument', async () => {
      const first = await line(inspect);
      const second = await line(inspect);
      const attempt = settled(first.call.transfer(second.call));
      await drainMicrotasks();
      expect(codeOf(attempt.error)[0]).toBe('invalid-argument');
      expect(first.bob.referrals).toEqual([]);
      const destroying = settled(second.alice.destroy());
      await runUntil(() => destroying.outcome() !== 'pending', 'destroy');
      await finish(first.net, first.alice);
    });

    it('the far end transfers us (default follow): 202, referred with the new call, NOTIFYs to the transferor, the old call ends transferred', async () => {
      const { net, alice, call, bob, events } = await line(inspect);
      let referred: Call | undefined;
      call.on('referred', (info) => (referred = info.call));
      bob.refer(`<${uri('carol')}>`);
      await runUntil(() => referred !== undefined, 'referred');
      expect(bob.referResponses).toEqual([202]);
      expect(alice.calls).toContain(referred);
      expect([referred!.direction, referred!.remoteIdentity]).toEqual(['outbound', uri('carol')]);
      const carol = await nextRemoteCall(net, 'carol');
      carol.ring();
      carol.answer();
      await runUntil(() => events.some((e) => e.startsWith('disconnect')), 'the old call ends');
      expect(bob.notifications).toEqual(['SIP/2.0 100 Trying', 'SIP/2.0 180 Ringing', 'SIP/2.0 200 OK']);
      expect([referred!.getStatus(), bob.endedBy]).toEqual(['accepted', 'remote-bye']);
      expect(quiet(events)).toEqual([`referred:${uri('carol')}`, 'disconnect:transferred']);
      await finish(net, alice);
    });

    it('the transferor hangs up right after 202 (as many PBXs do): the old call ends transferred, the new one goes on', async () => {
      const { net, alice, call, bob, events } = await line(inspect);
      bob.refer(uri('carol'));
      await runUntil(() => bob.referResponses.length === 1 && events.some((e) => e.startsWith('referred')), 'referred');
      bob.hangup();
      await runUntil(() => call.getStatus() === 'disconnected', 'ended');
      expect(events).toContain('disconnect:transferred');
      (await nextRemoteCall(net, 'carol')).answer();
      await runUntil(() => alice.calls.length === 1 && alice.calls[0]!.getStatus() === 'accepted', 'the new call');
      await finish(net, alice);
    });

    it('the referred call fails: the transferor hears 486, our call stays as it was; a REFER whose call cannot be placed leaves it too', async () => {
      const { net, alice, call, bob } = await line(inspect);
      bob.refer(uri('carol'));
      (await nextRemoteCall(net, 'carol')).reject(486);
      await runUntil(() => bob.notifications.includes('SIP/2.0 486 Busy Here'), 'NOTIFY 486');
      await runUntil(() => alice.calls.length === 1, 'the failed call gone');
      expect(call.getStatus()).toBe('accepted');
      net.failNextReferredCall();
      bob.refer(uri('carol'));
      await runUntil(() => bob.referResponses.length === 2, 'the answer');
      await drainMicrotasks();
      expect([bob.referResponses, alice.calls.length, call.getStatus()]).toEqual([[202, 202], 1, 'accepted']);
      // The transfer region is idle again: the next REFER is answered.
      bob.refer(uri('carol'));
      await runUntil(() => bob.referResponses.length === 3, 'answered again');
      await finish(net, alice);
    });

    it('onTransferRequest: refuse answers 603; a function is asked (true follows; false, a throw or no answer in 10 s: 603)', async () => {
      const refusing = await line(inspect, { onTransferRequest: 'refuse' });
      refusing.bob.refer(uri('carol'));
      await runUntil(() => refusing.bob.referResponses.length === 1, 'answered');
      expect(refusing.bob.referResponses).toEqual([603]);
      await finish(refusing.net, refusing.alice);

      const asked: Array<{ call: Call; target: string; replaces: boolean }> = [];
      const answers: Array<() => boolean | Promise<boolean>> = [
        () => false,
        () => {
          throw new Error('app bug');
        },
        () => new Promise<boolean>(() => undefined),
        () => true,
      ];
      const asking = await line(inspect, {
        onTransferRequest: (request) => {
          asked.push(request);
          return answers.shift()!();
        },
      });
      const { bob, call } = asking;
      bob.refer(`"Carol" <${uri('carol')}>`);
      await runUntil(() => bob.referResponses.length === 1, 'false');
      expect(asked[0]).toEqual({ call, target: uri('carol'), replaces: false });
      bob.refer(uri('carol'));
      await runUntil(() => bob.referResponses.length === 2, 'the throw');
      bob.refer(uri('carol'));
      // While the app decides, other REFERs are declined (a hostile one is a bad request).
      await runUntil(() => asked.length === 3, 'asked a third time');
      bob.refer('javascript:alert(1)');
      bob.refer(uri('dave'));
      await runUntil(() => bob.referResponses.length === 4, 'the REFERs while deciding');
      await vi.advanceTimersByTimeAsync(TRANSFER_DECISION_TIMEOUT_MS);
      await runUntil(() => bob.referResponses.length === 5, 'no answer in time');
      expect(bob.referResponses).toEqual([603, 603, 400, 603, 603]);
      bob.refer(uri('carol'));
      await runUntil(() => bob.referResponses.length === 6, 'true');
      expect(bob.referResponses.at(-1)).toBe(202);
      (await nextRemoteCall(asking.net, 'carol')).answer();
      await runUntil(() => call.getStatus() === 'disconnected', 'transferred');
      await finish(asking.net, asking.alice);
    });

    it('attended: bob holds alice, calls carol, transfers; carol’s device answers the Replaces INVITE by itself; everyone’s old calls end', async () => {
      const net = network();
      const [alice, bob, carol] = [
        await registered(net, 'alice', inspect),
        await registered(net, 'bob', inspect),
        await registered(net, 'carol', inspect),
      ];
      const done = <T>(promise: Promise<T>, what: string): Promise<T> => settle(promise, what, runUntil);
      const aliceRings = nextIncoming(alice);
      const bobToAlice = await done(bob.connect({ to: 'alice' }), 'bob calls alice');
      const aliceFromBob = await aliceRings();
      await done(aliceFromBob.accept(), 'alice answers');
      await runUntil(() => bobToAlice.getStatus() === 'accepted', 'bob–alice');
      await done(bobToAlice.hold(true), 'bob holds alice');
      const carolRings = nextIncoming(carol);
      const bobToCarol = await done(bob.connect({ to: 'carol' }), 'bob calls carol');
      const carolFromBob = await carolRings();
      await done(carolFromBob.accept(), 'carol answers');
      await runUntil(() => bobToCarol.getStatus() === 'accepted', 'bob–carol');
      const ends: string[] = [];
      for (const [name, call] of [['bob→alice', bobToAlice], ['bob→carol', bobToCarol], ['alice', aliceFromBob], ['carol', carolFromBob]] as const) {
        call.on('disconnect', ({ reason }) => ends.push(`${name}:${reason}`));
      }
      const replacing = nextIncoming(carol);
      const events: string[] = [];
      recordCallEvents(bobToAlice, events);
      const transferring = settled(bobToAlice.transfer(bobToCarol));
      const newCall = await replacing();
      expect(newCall.replaces).toBe(carolFromBob);
      await runUntil(() => transferring.outcome() !== 'pending' && ends.length === 4, 'every old call ended');
      expect(transferring.outcome()).toBe('resolved');
      expect(newCall.getStatus()).toBe('accepted');
      expect(alice.calls.map((c) => c.remoteIdentity)).toEqual([uri('carol')]);
      expect(carol.calls).toEqual([newCall]);
      expect(bob.calls).toEqual([]);
      expect(ends.sort()).toEqual(['alice:transferred', 'bob→alice:transferred', 'bob→carol:remote-hangup', 'carol:replaced']);
      expect(quiet(events)).toContain('transfer:succeeded:200');
      await finish(net, alice, bob, carol);
    });

    it('an INVITE whose Replaces names a call the stack knows but the device has let go is answered 481 and not surfaced', async () => {
      const net = network();
      // The stack matched the Replaces (the port says so); the device has no such call.
      const adapter: typeof net.adapter = (config) => {
        const ua = net.adapter(config);
        const onIncomingCall = ua.onIncomingCall.bind(ua);
        ua.onIncomingCall = (listener) =>
          onIncomingCall((port) =>
            listener(
              new Proxy(port, {
                get: (target, key) => {
                  if (key === 'replaces') return 'fake-call-gone';
                  const value: unknown = Reflect.get(target, key, target);
                  return typeof value === 'function' ? value.bind(target) : value;
                },
              }),
            ),
          );
        return ua;
      };
      const alice = await registered(net, 'alice', inspect, { adapter });
      let surfaced = false;
      alice.on('incoming', () => (surfaced = true));
      const bob = net.remote('bob').call(uri('alice'));
      await runUntil(() => bob.state === 'ended', 'answered');
      expect([bob.endedBy, surfaced, alice.calls]).toEqual(['reject', false, []]);
      await finish(net, alice);
    });

    it('an INVITE whose Replaces names no call is answered 481: the transfer fails with 481', async () => {
      const { net, alice, call, bob } = await line(inspect);
      bob.refer(`<${uri('carol')}?Replaces=no-such-dialog%3Bto-tag%3D1%3Bfrom-tag%3D2>`);
      await runUntil(() => bob.notifications.includes('SIP/2.0 481 Call/Transaction Does Not Exist'), 'NOTIFY 481');
      expect(call.getStatus()).toBe('accepted');
      await finish(net, alice);
    });
  });
}
