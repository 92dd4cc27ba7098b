/**
 * Property: whatever the app asks and whatever the network does — sockets
 * dropped, a server gone silent or dropping every REGISTER, the browser coming
 * back online, media paths cut and restored or ICE failing, calls placed,
 * held and ended — nothing throws out of the SDK, the
 * device never holds an ended call's actor, and destroy() releases everything.
 */
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { Device, type Call } from '../../../src/index';
import { newNetwork, PASSWORDS, REALISTIC_LATENCY_MS, SERVER, settled, uriOf, useFakeTime } from './harness';

const ALICE = uriOf('alice');

type Step =
  | {
      kind:
        | 'register'
        | 'unregister'
        | 'connectTransport'
        | 'call'
        | 'hangup'
        | 'answer'
        | 'hold'
        | 'drop'
        | 'silence'
        | 'wake'
        | 'online'
        | 'cutMedia'
        | 'restoreMedia'
        | 'iceFail';
    }
  | { kind: 'flap'; on: boolean }
  | { kind: 'time'; ms: number };

const simple = (...kinds: Array<Exclude<Step['kind'], 'flap' | 'time'>>) => fc.constantFrom(...kinds).map((kind) => ({ kind }) as Step);
const step: fc.Arbitrary<Step> = fc.oneof(
  { arbitrary: simple('call', 'answer', 'hangup', 'hold'), weight: 4 },
  { arbitrary: simple('register', 'unregister', 'connectTransport'), weight: 2 },
  { arbitrary: simple('drop', 'silence', 'wake', 'online'), weight: 2 },
  { arbitrary: simple('cutMedia', 'restoreMedia', 'iceFail'), weight: 2 },
  { arbitrary: fc.boolean().map((on) => ({ kind: 'flap', on }) as Step), weight: 1 },
  { arbitrary: fc.integer({ min: 1, max: 40_000 }).map((ms) => ({ kind: 'time', ms }) as Step), weight: 2 },
);

/** Between two steps the network delivers what is on its way (20 ms per hop). */
const BETWEEN_STEPS_MS = 100;

useFakeTime();

describe('calls that survive, as a property', () => {
  it('no uncaught error, no ended call actor held, everything released by destroy()', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 30 }), async (steps) => {
        // A failed run may leave timers behind; each run checks its own at its end.
        vi.clearAllTimers();
        const net = newNetwork({ latencyMs: REALISTIC_LATENCY_MS });
        const bob = net.remote('bob');
        const device = new Device({ server: SERVER, uri: ALICE, password: PASSWORDS.alice, adapter: net.adapter });
        const settledAll: Array<ReturnType<typeof settled<unknown>>> = [];
        const calls: Call[] = [];
        const keep = (promise: Promise<unknown>) => settledAll.push(settled(promise));
        for (const s of steps) {
          switch (s.kind) {
            case 'register':
              keep(device.register());
              break;
            case 'unregister':
              keep(device.unregister());
              break;
            case 'connectTransport':
              keep(device.connectTransport());
              break;
            case 'call':
              keep(device.connect({ to: 'bob' }).then((call) => calls.push(call)));
              break;
            case 'hangup':
              for (const call of calls) if (call.getStatus() !== 'disconnected' && call.getStatus() !== 'failed') keep(call.disconnect());
              break;
            case 'answer':
              for (const far of bob.calls) if (far.state === 'incoming') far.answer();
              break;
            case 'hold':
              for (const call of calls) if (call.getStatus() === 'accepted') keep(call.hold(!call.isOnHold()));
              break;
            case 'cutMedia':
              net.cutMedia();
              break;
            case 'restoreMedia':
              net.cutMedia(false);
              break;
            case 'iceFail':
              for (const far of bob.calls) if (far.state === 'answered') far.fail();
              break;
            case 'drop':
              net.dropTransport(ALICE);
              break;
            case 'silence':
              net.silence(ALICE);
              break;
            case 'wake':
              net.silence(ALICE, false);
              break;
            case 'online':
              net.comeOnline();
              break;
            case 'flap':
              net.dropEachRegister(SERVER, s.on);
              break;
            case 'time':
              await vi.advanceTimersByTimeAsync(s.ms);
              break;
          }
          await vi.advanceTimersByTimeAsync(BETWEEN_STEPS_MS);
          // Statuses only move forward and the device holds only calls that have not ended.
          const held = Object.values(device.actor.getSnapshot().children).filter((child) => child?.src === 'callMachine');
          expect(held.every((child) => child?.getSnapshot().status === 'active')).toBe(true);
        }
        await vi.advanceTimersByTimeAsync(1000);
        const destroying = settled(device.destroy());
        for (let i = 0; i < 100 && destroying.outcome() === 'pending'; i++) await vi.advanceTimersByTimeAsync(20);
        expect(destroying.outcome()).toBe('resolved');
        await vi.advanceTimersByTimeAsync(1000);
        // Every promise settled, and only with SDK errors.
        for (const record of settledAll) {
          expect(record.outcome()).not.toBe('pending');
          if (record.outcome() === 'rejected') expect((record.error as { name?: string }).name).toBe('VoiceSDKError');
        }
        expect(calls.every((call) => call.getStatus() === 'disconnected' || call.getStatus() === 'failed')).toBe(true);
        expect(net.openMediaCount).toBe(0);
        expect(device.actor.getSnapshot().status).toBe('done');
        expect(vi.getTimerCount()).toBe(0);
      }),
      { numRuns: 100 },
    );
  });
});
