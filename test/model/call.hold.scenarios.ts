/**
 * hold() while a resume is under way (another call's holdOthers, or the app
 * changing its mind): a resume cannot be called back, so the call is held
 * again once it is done — or stays held when it fails. Run for real on the
 * fake network with the model's coverage inspector (the generic paths never
 * send HOLD during `resuming`: it changes no state, only what comes next).
 */
import { describe, expect, it } from 'vitest';
import { answeredLine, runUntil, settle, settled, useFakeTime, type Inspect } from './world';

/** alice's answered call with bob, on hold; only its events from then on. */
async function heldCall(inspect: Inspect) {
  const { network: net, device: alice, call, bob, events } = await answeredLine(inspect);
  await settle(call.hold(true), 'held', runUntil);
  events.length = 0;
  return { net, alice, call, bob, events };
}

export function describeHoldDuringResume(inspect: Inspect): void {
  describe('hold() while a resume is under way', () => {
    useFakeTime();

    it('the resume completes, then the call is held again (one more re-INVITE)', async () => {
      const { alice, call, bob, events } = await heldCall(inspect);
      const resuming = settled(call.hold(false, { holdOthers: false }));
      const holding = settled(call.hold(true));
      await runUntil(() => resuming.outcome() !== 'pending' && holding.outcome() !== 'pending', 'both settled');
      expect([resuming.outcome(), holding.outcome()]).toEqual(['resolved', 'resolved']);
      expect(call.isOnHold()).toBe(true);
      expect(bob.reinvites).toEqual([true, false, true]);
      expect(events.filter((event) => event.startsWith('hold'))).toEqual(['hold:false', 'hold:true']);
      const destroying = settled(alice.destroy());
      await runUntil(() => destroying.outcome() !== 'pending', 'destroyed');
    });

    it('the resume fails: resume() rejects, hold() resolves, the call stays held', async () => {
      const { net, alice, call, bob } = await heldCall(inspect);
      net.failNextReinvite(488);
      const resuming = settled(call.hold(false, { holdOthers: false }));
      const holding = settled(call.hold(true));
      await runUntil(() => resuming.outcome() !== 'pending' && holding.outcome() !== 'pending', 'both settled');
      expect([resuming.outcome(), holding.outcome()]).toEqual(['rejected', 'resolved']);
      expect(call.isOnHold()).toBe(true);
      // No hold re-INVITE after the refused resume (the fake lists only the re-INVITEs it took).
      expect(bob.reinvites).toEqual([true]);
      const destroying = settled(alice.destroy());
      await runUntil(() => destroying.outcome() !== 'pending', 'destroyed');
    });
  });
}
