/**
 * Calls across a lost signalling socket (issue 10), run for real on the fake
 * network with the call model's coverage inspector: the recovery region
 * (reconnecting → refreshing → connected, or `connection-lost`) and a hangup
 * that waits for the socket. The paths of call.model.test.ts never drop the
 * socket; these cover what they leave out.
 */
import { describe, expect, it, vi } from 'vitest';
import type { Call } from '../../src/call';
import { VoiceSDKError } from '../../src/errors';
import { HANGUP_SOCKET_WAIT_MS, MAX_REFRESH_488_RETRIES, MAX_REFRESH_RETRIES, REFRESH_RETRY_MS, REFRESH_TIMEOUT_MS } from '../../src/machines/call.setup';
import { FAKE_TIMER_B_MS } from '../../src/adapters/fake/wire';
import {
  answeredCall as answeredCallTo,
  answeredLine,
  destroyAll,
  drainMicrotasks,
  REALISTIC_LATENCY_MS as LATENCY_MS,
  runUntil,
  SERVER,
  settled,
  uriOf,
  useFakeTime,
  type Inspect,
  type Line,
} from './world';

const ALICE = uriOf('alice');

/** alice registered (or only connected), in an answered call with bob. */
const answeredCall = (inspect: Inspect, register = true): Promise<Line> => answeredLine(inspect, { register, recovery: true });

/** The socket drops; the call says so at once and stays accepted. */
async function dropSocket(line: Line): Promise<void> {
  const seen = line.events.filter((e) => e.startsWith('reconnecting')).length;
  line.network.dropTransport(ALICE);
  await drainMicrotasks();
  expect(line.events.filter((e) => e.startsWith('reconnecting')).length, 'reconnecting emitted').toBe(seen + 1);
  expect(line.events.at(-1)).toBe('reconnecting:signalling');
  expect(line.call.isReconnecting()).toBe(true);
  expect(line.call.getStatus()).toBe('accepted');
}

const finish = (line: Line): Promise<void> => destroyAll(line.network, [line.device], runUntil);

const isRefreshing = (call: Call): boolean => call.actor.getSnapshot().matches({ accepted: { recovery: 'refreshing' } });

/** The recovery scenarios, reporting to the call model's coverage. */
export function describeRecovery(inspect: Inspect): void {
  describe('callMachine across a lost socket: recovery and hangups', () => {
    useFakeTime();

    it('the socket drops mid-call: reconnecting, then once registered again a refresh re-INVITE keeping hold, then reconnected; the far end reaches us again', async () => {
      const line = await answeredCall(inspect);
      const { call, bob, device } = line;
      const holding = settled(call.hold(true));
      await runUntil(() => holding.outcome() === 'resolved', 'on hold');
      expect(bob.reinvites).toEqual([true]);
      line.events.length = 0;

      await dropSocket(line);
      const took = await runUntil(() => line.events.includes('reconnected'), 'reconnected');
      expect(device.state).toBe('registered');
      expect(bob.reinvites, 'the refresh keeps the hold state').toEqual([true, true]);
      expect([call.isReconnecting(), call.isOnHold(), call.getStatus()]).toEqual([false, true, 'accepted']);
      expect(line.events.filter((e) => e !== 'quality' && e !== 'report')).toEqual(['reconnecting:signalling', 'reconnected']);
      console.log(`[survive] socket lost → call reconnected in ${took} ms (fake time, ${LATENCY_MS} ms latency, default backoff)`);

      bob.hangup();
      await runUntil(() => call.getStatus() === 'disconnected', 'the far end hangs up');
      expect(line.events).toContain('disconnect:remote-hangup');
      await finish(line);
    });

    it('every accepted call refreshes, each with its own hold state', async () => {
      const line = await answeredCall(inspect);
      const { call: second, far: secondBob } = await answeredCallTo(line.device, line.network.remote('bob'), {}, runUntil);
      const holding = settled(second.hold(true));
      await runUntil(() => holding.outcome() === 'resolved', 'the second call on hold');
      const secondEvents: string[] = [];
      second.on('reconnected', () => secondEvents.push('reconnected'));
      await dropSocket(line);
      expect(second.isReconnecting()).toBe(true);
      await runUntil(() => line.events.includes('reconnected') && secondEvents.includes('reconnected'), 'both reconnected');
      expect([line.bob.reinvites, secondBob.reinvites]).toEqual([[false], [true, true]]);
      await finish(line);
    });

    it('a device that does not register refreshes its calls as soon as the socket is back', async () => {
      const line = await answeredCall(inspect, false);
      await dropSocket(line);
      await runUntil(() => line.events.includes('reconnected'), 'reconnected');
      expect([line.device.state, line.device.transportState]).toEqual(['unregistered', 'connected']);
      expect(line.bob.reinvites).toEqual([false]);
      await finish(line);
    });

    it.each([
      [481, 481],
      ['timeout', 408],
    ] as const)('the refresh answered %s: the call fails with connection-lost', async (answer, status) => {
      const line = await answeredCall(inspect);
      line.network.failNextReinvite(answer);
      await dropSocket(line);
      await runUntil(() => line.call.getStatus() === 'failed', 'failed');
      expect(line.events.slice(-2)).toEqual(['error:connection-lost', 'disconnect:failed']);
      expect(line.call.isReconnecting()).toBe(false);
      expect((line.call.actor.getSnapshot().context.error as VoiceSDKError).status).toBe(status);
      await finish(line);
    });

    it('the refresh never answered: connection-lost after the refresh timeout', async () => {
      const line = await answeredCall(inspect);
      line.network.failNextReinvite('unanswered');
      await dropSocket(line);
      await runUntil(() => isRefreshing(line.call), 'refreshing');
      const waited = await runUntil(() => line.call.getStatus() === 'failed', 'failed');
      expect(waited).toBeGreaterThanOrEqual(REFRESH_TIMEOUT_MS - 10);
      expect(waited).toBeLessThanOrEqual(REFRESH_TIMEOUT_MS + 20);
      expect(line.events.slice(-2)).toEqual(['error:connection-lost', 'disconnect:failed']);
      await finish(line);
    });

    it('the socket drops again while refreshing: reconnecting again, and the next refresh restores the call', async () => {
      const line = await answeredCall(inspect);
      line.network.failNextReinvite('unanswered');
      await dropSocket(line);
      await runUntil(() => isRefreshing(line.call), 'refreshing');
      // The refresh is out (a delivery later), unanswered.
      await vi.advanceTimersByTimeAsync(5 * LATENCY_MS);
      await dropSocket(line);
      await runUntil(() => line.events.includes('reconnected'), 'reconnected');
      expect(line.bob.reinvites, 'the unanswered refresh, then the one answered').toEqual([false]);
      expect(line.call.getStatus()).toBe('accepted');
      await finish(line);
    });

    it('a refresh answered 488 (an offer crossing the far end\'s own refresh): sent again, then reconnected', async () => {
      const line = await answeredCall(inspect);
      line.network.failNextReinvite(488);
      await dropSocket(line);
      await runUntil(() => line.events.includes('reconnected'), 'reconnected', 2 * REFRESH_RETRY_MS.outbound);
      expect(line.events.filter((e) => e.startsWith('error:')), 'no error: the retry worked').toEqual([]);
      expect(line.call.getStatus()).toBe('accepted');
      await finish(line);
    });

    it(`a refresh refused otherwise (488 ${MAX_REFRESH_488_RETRIES + 1} times): reported (operation reconnect), the call goes on`, async () => {
      const line = await answeredCall(inspect);
      for (let i = 0; i <= MAX_REFRESH_488_RETRIES; i += 1) line.network.failNextReinvite(488);
      await dropSocket(line);
      await runUntil(() => line.events.some((e) => e.startsWith('error:')), 'the error');
      await runUntil(() => !line.call.isReconnecting(), 'no longer reconnecting');
      expect(line.call.getStatus()).toBe('accepted');
      expect(line.events).not.toContain('reconnected');
      await finish(line);
    });

    it('the refresh meets glare (491): sent again after the caller\'s wait, then reconnected', async () => {
      const line = await answeredCall(inspect);
      line.network.failNextReinvite(491);
      await dropSocket(line);
      await runUntil(() => line.call.actor.getSnapshot().matches({ accepted: { recovery: 'refreshWait' } }), 'waiting to retry');
      const waited = await runUntil(() => line.events.includes('reconnected'), 'reconnected');
      expect(waited).toBeGreaterThanOrEqual(REFRESH_RETRY_MS.outbound - 10);
      expect(line.bob.reinvites, 'only the retry reached the far end').toEqual([false]);
      expect(line.events.filter((e) => e.startsWith('error:')), 'no error: the retry worked').toEqual([]);
      await finish(line);
    });

    it('the socket drops again while waiting to retry: reconnecting, and the next refresh restores the call', async () => {
      const line = await answeredCall(inspect);
      line.network.failNextReinvite(491);
      await dropSocket(line);
      await runUntil(() => line.call.actor.getSnapshot().matches({ accepted: { recovery: 'refreshWait' } }), 'waiting to retry');
      await dropSocket(line);
      await runUntil(() => line.events.includes('reconnected'), 'reconnected');
      expect(line.call.getStatus()).toBe('accepted');
      await finish(line);
    });

    it.each(['refreshing', 'refreshWait'] as const)(
      'the far end\'s re-INVITE arrives while %s: it repairs the dialog, the call is reconnected',
      async (state) => {
        const line = await answeredCall(inspect);
        line.network.failNextReinvite(state === 'refreshing' ? 'unanswered' : 491);
        await dropSocket(line);
        await runUntil(() => line.call.actor.getSnapshot().matches({ accepted: { recovery: state } }), state);
        line.bob.hold(false);
        await runUntil(() => line.events.includes('reconnected'), 'reconnected');
        expect([line.call.isReconnecting(), line.call.getStatus()]).toEqual([false, 'accepted']);
        expect(line.events.filter((e) => e.startsWith('error:'))).toEqual([]);
        await finish(line);
      },
    );

    it('the far end\'s re-INVITE arrives before we are registered again: reconnected without a refresh of ours', async () => {
      const line = await answeredCall(inspect);
      await dropSocket(line);
      await runUntil(() => line.device.transportState === 'connected', 'connected again');
      line.network.silence(ALICE);
      line.bob.hold(false);
      await runUntil(() => line.events.includes('reconnected'), 'reconnected');
      expect(line.call.actor.getSnapshot().matches({ accepted: { recovery: 'connected' } })).toBe(true);
      line.network.silence(ALICE, false);
      await runUntil(() => line.device.state === 'registered', 'registered');
      await vi.advanceTimersByTimeAsync(500);
      expect(line.bob.reinvites, 'no refresh of ours: the far end\'s did it').toEqual([]);
      await finish(line);
    });

    it('a hold re-INVITE in flight when the socket dies blocks the refresh: it is retried until the pending one ends (Timer B), then the call is reconnected', async () => {
      const line = await answeredCall(inspect);
      line.network.failNextReinvite('unanswered');
      const holding = settled(line.call.hold(true));
      await vi.advanceTimersByTimeAsync(5 * LATENCY_MS);
      await dropSocket(line);
      await runUntil(() => line.call.actor.getSnapshot().matches({ accepted: { recovery: 'refreshWait' } }), 'the refresh blocked');
      const took = await runUntil(() => line.events.includes('reconnected'), 'reconnected', 60_000);
      expect(took, 'not before the pending re-INVITE ended').toBeGreaterThanOrEqual(FAKE_TIMER_B_MS - 5000);
      expect(holding.outcome()).toBe('rejected');
      expect((holding.error as VoiceSDKError).code).toBe('timeout');
      expect(line.call.getStatus()).toBe('accepted');
      expect(line.events.filter((e) => e.startsWith('error:')), 'no connection-lost').not.toContain('error:connection-lost');
      expect(line.bob.reinvites, 'the refresh reached the far end (not on hold: the hold timed out)').toEqual([false]);
      await finish(line);
    });

    it(`a refresh blocked ${MAX_REFRESH_RETRIES + 1} times: reported (operation reconnect), the call goes on`, async () => {
      const line = await answeredCall(inspect);
      for (let i = 0; i <= MAX_REFRESH_RETRIES; i += 1) line.network.failNextReinvite(491);
      await dropSocket(line);
      await runUntil(() => line.events.some((e) => e.startsWith('error:')), 'the error', (MAX_REFRESH_RETRIES + 2) * REFRESH_RETRY_MS.outbound);
      await runUntil(() => !line.call.isReconnecting(), 'no longer reconnecting');
      expect(line.call.getStatus()).toBe('accepted');
      expect(line.events).not.toContain('reconnected');
      await finish(line);
    });

    it('disconnect() while the socket is down: the BYE waits for the socket and then reaches the far end', async () => {
      const line = await answeredCall(inspect);
      expect(line.bob.receivingAudio).toBe(true);
      line.network.setServerDown(SERVER);
      await dropSocket(line);
      const hangingUp = settled(line.call.disconnect());
      await vi.advanceTimersByTimeAsync(1000);
      expect(line.call.getStatus()).toBe('disconnected');
      expect(line.bob.state, 'no BYE yet: it would be lost').toBe('answered');
      // Hung up: our audio stops at once, not when the BYE can go out.
      expect(line.bob.receivingAudio).toBe(false);
      line.network.setServerDown(SERVER, false);
      await runUntil(() => hangingUp.outcome() !== 'pending', 'disconnect()', HANGUP_SOCKET_WAIT_MS);
      expect(hangingUp.outcome()).toBe('resolved');
      expect(line.bob.endedBy).toBe('remote-bye');
      expect(line.events.slice(-1)).toEqual(['disconnect:local-hangup']);
      await finish(line);
    });

    it('disconnect() while the socket stays down: after the wait the call ends locally and the lost BYE is reported', async () => {
      const line = await answeredCall(inspect);
      line.network.setServerDown(SERVER);
      await dropSocket(line);
      const hangingUp = settled(line.call.disconnect());
      const waited = await runUntil(() => hangingUp.outcome() !== 'pending', 'disconnect()');
      expect(waited).toBeGreaterThanOrEqual(HANGUP_SOCKET_WAIT_MS - 10);
      expect(hangingUp.outcome()).toBe('rejected');
      expect((hangingUp.error as VoiceSDKError).code).toBe('transport-failed');
      expect(line.events.slice(-2)).toEqual(['error:transport-failed', 'disconnect:local-hangup']);
      expect(line.bob.state, 'the far end never heard').toBe('answered');
      await finish(line);
    });
  });
}
