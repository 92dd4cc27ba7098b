/**
 * A call's media path lost and restored (issue 10, "ICE restart"), run for
 * real on the fake network with the call model's coverage inspector: the
 * media region (flowing → stalled → restarting → flowing, or `media-lost`)
 * and how it meets hold, a lost socket, a refused restart and the network's
 * `online`. The paths of call.model.test.ts never break the media once the
 * call is accepted; these cover what they leave out.
 */
import { describe, expect, it, vi } from 'vitest';
import type { Call } from '../../src/call';
import { DEFAULTS } from '../../src/options';
import { ICE_RESTART_WAIT_MS, MEDIA_STALL_MS, restartBackoffMs } from '../../src/machines/call.media.rules';
import {
  answeredLine,
  destroyAll,
  deviceToDevice,
  drainMicrotasks,
  newNetwork,
  REALISTIC_LATENCY_MS as LATENCY_MS,
  recordCallEvents,
  recordRecoveryEvents,
  registered,
  runUntil,
  SERVER,
  settle,
  settled,
  uriOf,
  useFakeTime,
  type Inspect,
  type Line,
} from './world';

const ALICE = uriOf('alice');

const recoveryOptions = (recoveryTimeoutMs?: number) => (recoveryTimeoutMs === undefined ? {} : { recovery: { timeoutMs: recoveryTimeoutMs } });

/** alice registered, in an answered call with bob (two stats samples in: inbound bytes are known and moving); `recoveryTimeoutMs` as given (the default otherwise). */
const answeredCall = (inspect: Inspect, recoveryTimeoutMs?: number): Promise<Line> =>
  answeredLine(inspect, { device: recoveryOptions(recoveryTimeoutMs), recovery: true, settleMs: 2000 });

/** alice (outbound) and bob (inbound), two fake devices in an answered call; their calls' events recorded. */
async function twoDevices(inspect: Inspect, recoveryTimeoutMs?: number) {
  const network = newNetwork({ latencyMs: LATENCY_MS });
  const options = recoveryOptions(recoveryTimeoutMs);
  const devices = {
    alice: await registered(network, 'alice', inspect, options, runUntil),
    bob: await registered(network, 'bob', inspect, options, runUntil),
  };
  const { outbound, inbound } = await deviceToDevice(devices.alice, devices.bob, { to: 'bob' }, runUntil);
  await settle(inbound.accept(), 'answered', runUntil);
  await runUntil(() => outbound.getStatus() === 'accepted', 'answered');
  await vi.advanceTimersByTimeAsync(2000);
  const calls = { alice: outbound, bob: inbound };
  const events = { alice: [] as string[], bob: [] as string[] };
  for (const name of ['alice', 'bob'] as const) {
    recordCallEvents(calls[name], events[name]);
    recordRecoveryEvents(calls[name], events[name]);
  }
  const finishAll = async (): Promise<void> => {
    network.cutMedia(false);
    await destroyAll(network, Object.values(devices), runUntil);
  };
  return { network, calls, events, finishAll };
}

const inMedia = (call: Call, value: unknown): boolean => call.actor.getSnapshot().matches({ accepted: { media: value } } as never);
const recoveryEvents = (line: Line): string[] => line.events.filter((e) => e.startsWith('reconnect') || e.startsWith('error') || e.startsWith('disconnect'));

async function finish(line: Line): Promise<void> {
  line.network.cutMedia(false);
  await destroyAll(line.network, [line.device], runUntil);
}

/** The media scenarios, reporting to the call model's coverage. */
export function describeMediaRecovery(inspect: Inspect): void {
  describe('callMachine media recovery: ICE restarts', () => {
    useFakeTime();

    it('ICE failed mid-call: an ICE restart at once; reconnected when ICE is up and inbound bytes move again', async () => {
      const line = await answeredCall(inspect);
      line.bob.fail();
      await drainMicrotasks();
      expect([line.call.isReconnecting(), line.call.getStatus()]).toEqual([true, 'accepted']);
      const took = await runUntil(() => line.events.includes('reconnected'), 'reconnected');
      expect(line.bob.iceRestarts).toBe(1);
      expect(line.bob.reinvites).toEqual([false]);
      expect(recoveryEvents(line)).toEqual(['reconnecting:media', 'reconnected']);
      expect(line.call.isReconnecting()).toBe(false);
      // At most one stats interval after the restart's answer.
      expect(took).toBeLessThanOrEqual(DEFAULTS.qualityIntervalMs + 10 * LATENCY_MS);
      await finish(line);
    });

    it('the path is cut while on hold: after 2 s of ICE disconnected an ICE restart keeping hold; still cut, restarted again; restored → reconnected', async () => {
      const line = await answeredCall(inspect);
      const holding = settled(line.call.hold(true));
      await runUntil(() => holding.outcome() === 'resolved', 'on hold');
      line.network.cutMedia();
      await drainMicrotasks();
      expect(inMedia(line.call, 'stalled')).toBe(true);
      expect(line.events, 'no restart before the stall is confirmed').not.toContain('reconnecting:media');
      const stalled = await runUntil(() => line.bob.iceRestarts === 1, 'the first restart');
      expect(stalled).toBeGreaterThanOrEqual(MEDIA_STALL_MS);
      expect(stalled).toBeLessThanOrEqual(MEDIA_STALL_MS + 5 * LATENCY_MS);
      // Its 2xx comes, ICE does not connect: after the wait, a backoff, then the next restart.
      const again = await runUntil(() => line.bob.iceRestarts === 2, 'the second restart');
      expect(again).toBeGreaterThanOrEqual(ICE_RESTART_WAIT_MS + restartBackoffMs(1, 'outbound'));
      expect(line.bob.reinvites, 'every restart keeps the hold').toEqual([true, true, true]);
      line.network.cutMedia(false);
      await runUntil(() => line.events.includes('reconnected'), 'reconnected');
      expect(recoveryEvents(line)).toEqual(['reconnecting:media', 'reconnected']);
      expect([line.call.isOnHold(), line.call.getStatus()]).toEqual([true, 'accepted']);
      await finish(line);
    });

    it('ICE disconnected for a moment: no restart when it reconnects within 2 s', async () => {
      const line = await answeredCall(inspect);
      line.network.cutMedia();
      await vi.advanceTimersByTimeAsync(MEDIA_STALL_MS / 2);
      line.network.cutMedia(false);
      await drainMicrotasks();
      expect(inMedia(line.call, 'flowing')).toBe(true);
      await vi.advanceTimersByTimeAsync(3 * MEDIA_STALL_MS);
      expect([line.bob.iceRestarts, recoveryEvents(line)]).toEqual([0, []]);
      await finish(line);
    });

    it('ICE says disconnected while audio still arrives: it keeps watching, and restarts once audio stops', async () => {
      const line = await answeredCall(inspect);
      line.bob.fail('disconnected');
      await vi.advanceTimersByTimeAsync(2 * MEDIA_STALL_MS + 100);
      expect([inMedia(line.call, 'stalled'), line.bob.iceRestarts]).toEqual([true, 0]);
      line.network.cutMedia();
      await runUntil(() => line.bob.iceRestarts === 1, 'the restart');
      line.network.cutMedia(false);
      await runUntil(() => line.events.includes('reconnected'), 'reconnected');
      await finish(line);
    });

    it('ICE fails while stalled: the restart starts at once', async () => {
      const line = await answeredCall(inspect);
      line.network.cutMedia();
      await drainMicrotasks();
      line.bob.fail();
      await drainMicrotasks();
      expect(inMedia(line.call, 'restarting')).toBe(true);
      line.network.cutMedia(false);
      await runUntil(() => line.events.includes('reconnected'), 'reconnected');
      await finish(line);
    });

    it.each([
      ['while media flows', false],
      ['while stalled', true],
    ])('the network changed (online) %s: an ICE restart at once', async (_when, stall) => {
      const line = await answeredCall(inspect);
      if (stall) line.network.cutMedia();
      await drainMicrotasks();
      line.network.comeOnline();
      await drainMicrotasks();
      expect(inMedia(line.call, 'restarting')).toBe(true);
      line.network.cutMedia(false);
      await runUntil(() => line.events.includes('reconnected'), 'reconnected');
      expect(line.bob.iceRestarts).toBe(1);
      expect(recoveryEvents(line)).toEqual(['reconnecting:media', 'reconnected']);
      await finish(line);
    });

    it('a restart refused (491 glare): the caller waits its backoff and restarts again', async () => {
      const line = await answeredCall(inspect);
      line.network.failNextReinvite(491);
      line.bob.fail();
      await runUntil(() => inMedia(line.call, { restarting: 'backoff' }), 'backoff');
      const waited = await runUntil(() => line.bob.iceRestarts === 1, 'the restart after the backoff');
      expect(waited).toBeGreaterThanOrEqual(restartBackoffMs(1, 'outbound') - 10);
      await runUntil(() => line.events.includes('reconnected'), 'reconnected');
      await finish(line);
    });

    it('ICE fails while our hold re-INVITE is out: the restart waits its turn (backoff), then goes out keeping the hold', async () => {
      const line = await answeredCall(inspect);
      const holding = settled(line.call.hold(true));
      line.bob.fail();
      await drainMicrotasks();
      expect(inMedia(line.call, { restarting: 'backoff' })).toBe(true);
      await runUntil(() => line.events.includes('reconnected'), 'reconnected');
      expect(holding.outcome()).toBe('resolved');
      expect([line.bob.reinvites, line.bob.iceRestarts]).toEqual([[true, true], 1]);
      await finish(line);
    });

    it('media comes back during the backoff: reconnected without another restart', async () => {
      const line = await answeredCall(inspect);
      line.network.cutMedia();
      line.network.failNextReinvite(503);
      await runUntil(() => inMedia(line.call, { restarting: 'backoff' }), 'backoff');
      line.network.cutMedia(false);
      await runUntil(() => line.events.includes('reconnected'), 'reconnected');
      expect(line.bob.iceRestarts).toBe(0);
      await finish(line);
    });

    it('ICE fails again after a restart: backoff, then the next restart', async () => {
      const line = await answeredCall(inspect);
      line.network.cutMedia();
      await runUntil(() => inMedia(line.call, { restarting: 'awaitingMedia' }), 'the first restart answered');
      line.bob.fail();
      await drainMicrotasks();
      expect(inMedia(line.call, { restarting: 'backoff' })).toBe(true);
      line.network.cutMedia(false);
      await runUntil(() => line.events.includes('reconnected'), 'reconnected');
      await finish(line);
    });

    it('cut for good: the call fails media-lost after recovery.timeoutMs of restarting, and hangs up (the far end gets our BYE)', async () => {
      const timeoutMs = 8000;
      const line = await answeredCall(inspect, timeoutMs);
      line.network.cutMedia();
      await runUntil(() => line.events.includes('reconnecting:media'), 'restarting');
      const waited = await runUntil(() => line.call.getStatus() === 'failed', 'failed');
      expect(waited).toBeGreaterThanOrEqual(timeoutMs - 10);
      expect(waited).toBeLessThanOrEqual(timeoutMs + 10);
      expect(recoveryEvents(line)).toEqual(['reconnecting:media', 'error:media-lost', 'disconnect:failed']);
      expect(line.bob.endedBy).toBe('remote-bye');
      await finish(line);
    });

    it('the far end hangs up while our media is being restored: failed media-lost (it lost the media too)', async () => {
      const line = await answeredCall(inspect);
      line.bob.fail();
      await drainMicrotasks();
      line.bob.hangup();
      await drainMicrotasks();
      expect(recoveryEvents(line)).toEqual(['reconnecting:media', 'error:media-lost', 'disconnect:failed']);
      await finish(line);
    });

    it("the far end of an ICE restart (another device) answers it and says nothing while its own media flows", async () => {
      const { network, calls, events, finishAll } = await twoDevices(inspect);
      // What the device tells its calls on `online`, to one end only.
      calls.alice.actor.send({ type: 'NETWORK_CHANGED' });
      await runUntil(() => events.alice.includes('reconnected'), "alice's media back");
      expect(events.alice.filter((e) => e.startsWith('reconnect'))).toEqual(['reconnecting:media', 'reconnected']);
      expect(events.bob.filter((e) => e.startsWith('reconnect') || e.startsWith('remote-hold'))).toEqual([]);
      expect([calls.bob.getStatus(), calls.bob.isReconnecting()]).toEqual(['accepted', false]);
      expect(network.openMediaCount).toBe(2);
      await finishAll();
    });

    it('both devices lose the path: both restart, both reconnected once it is back; cut for good, both end media-lost', async () => {
      const { network, calls, events, finishAll } = await twoDevices(inspect, 8000);
      network.cutMedia();
      await runUntil(() => events.alice.includes('reconnecting:media') && events.bob.includes('reconnecting:media'), 'both restarting');
      network.cutMedia(false);
      await runUntil(() => events.alice.includes('reconnected') && events.bob.includes('reconnected'), 'both back');
      network.cutMedia();
      await runUntil(() => calls.alice.getStatus() === 'failed' && calls.bob.getStatus() === 'failed', 'both failed');
      for (const name of ['alice', 'bob'] as const) expect(events[name].filter((e) => e.startsWith('error'))).toEqual(['error:media-lost']);
      await finishAll();
    });

    it.each([
      ['the path is restored while the socket is still down: reconnected once the refresh is answered', true],
      ['the socket comes back first: its refresh, then the ICE restart, then reconnected', false],
    ])('socket and media lost together; %s', async (_name, restoreEarly) => {
      const line = await answeredCall(inspect);
      line.network.setServerDown(SERVER);
      line.network.dropTransport(ALICE);
      line.network.cutMedia();
      await runUntil(() => line.events.includes('reconnecting:media'), 'media restarting');
      expect(inMedia(line.call, { restarting: 'awaitingSignalling' })).toBe(true);
      if (restoreEarly) {
        line.network.cutMedia(false);
        await runUntil(() => inMedia(line.call, 'flowing'), 'media flowing');
        expect(line.events, 'the signalling is still lost').not.toContain('reconnected');
      }
      line.network.setServerDown(SERVER, false);
      if (!restoreEarly) {
        await runUntil(() => line.bob.iceRestarts === 1, 'the restart after the refresh');
        expect(line.bob.reinvites, 'the refresh, then the restart').toEqual([false, false]);
        line.network.cutMedia(false);
      }
      await runUntil(() => line.events.includes('reconnected'), 'reconnected');
      expect(recoveryEvents(line)).toEqual(['reconnecting:signalling', 'reconnecting:media', 'reconnected']);
      expect(line.bob.iceRestarts).toBe(restoreEarly ? 0 : 1);
      await finish(line);
    });
  });
}
