// A call's media path lost and restored (issue 10, "ICE restart"), end to
// end: two SDK pages in a call through Kamailio, media peer to peer over
// loopback. UDP is cut inside this test's own network namespace (iptables,
// e2e/harness/udp-cut.ts) — the WebSocket (TCP) stays up. Both ends see ICE
// go `disconnected`, restart ICE by re-INVITE, and media comes back once the
// path is restored; cut for good, both calls end `media-lost` within
// `recovery.timeoutMs`.
//
// Build first (npx tsup --silent), then:
//   bash e2e/scripts/in-netns.sh npx vitest run --project e2e test/e2e/survive-media.e2e.test.ts
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CleanupStack, startSdkRig, udpCut, waitFor, type Kamailio, type UdpCut } from '../../e2e/harness/index.js';
import { DEFAULTS } from '../../src/options.js';
import { lab, openLabPages, requestsOf, expectLabPagesTornDown, type LabDeviceOptions, type RecordedEvent } from './sdk/calls-helpers.js';
import { labDriver } from './sdk/lab-driver.js';

const NAMES = ['alice', 'bob'] as const;
type Name = (typeof NAMES)[number];
/** Chromium's ICE goes `disconnected` 5–7 s after the cut; then 2 s of stall. Generous: other runs share the cores. */
const DETECT = { timeoutMs: 25_000, intervalMs: 50 };
const WAIT = { timeoutMs: 15_000, intervalMs: 25 };
/** The lower bound the cut-for-good test sets. */
const SHORT_RECOVERY_MS = 8000;

describe('calls across a lost media path (UDP cut), two SDK pages through Kamailio', () => {
  const cleanup = new CleanupStack();
  let kamailio: Kamailio;
  let pages: Record<Name, Page>;
  let udp: UdpCut;
  const figures: string[] = [];

  const driver = labDriver({ pages: () => pages, server: () => kamailio.wsUrl, wait: WAIT });
  const { registered } = driver;

  const events = (name: Name, label: string): Promise<RecordedEvent[]> => lab(pages[name], 'callEvents', label);

  const callEvent = (name: Name, label: string, type: string, wait = WAIT) => driver.callEvent(name, label, type, { wait });

  /** alice calls bob, bob answers; the labels of both ends once audio flows both ways. */
  const establishCall = async (options: Partial<LabDeviceOptions> = {}): Promise<Record<Name, string>> => {
    await registered('bob', options);
    await registered('alice', options);
    const { incoming } = await driver.callAnswered('alice', 'bob');
    const labels = { alice: 'out', bob: incoming };
    for (const name of NAMES) await audioGrows(name, labels[name]);
    return labels;
  };

  /** Waits until `name`'s inbound packets grow (by 10, ~0.2 s of Opus); returns when, on the test's clock. */
  const audioGrows = (name: Name, label: string): Promise<number> =>
    driver.audioGrows(name, label, { packets: 10, energy: false, wait: { ...WAIT, intervalMs: 10 } });

  const reinvitesSeenBy = async (name: Name): Promise<number> =>
    requestsOf(await lab(pages[name], 'receivedFrames'), 'INVITE').length;

  beforeAll(async () => {
    const rig = await startSdkRig(cleanup);
    kamailio = rig.kamailio;
    udp = udpCut();
    // Registered last: stopped first, whatever a test left behind.
    cleanup.add('the UDP cut', () => udp.restore());
    pages = await openLabPages(rig.browser, NAMES, `${rig.server.url}/e2e/pages/sdk/index.html`);
  });

  afterEach(async () => {
    await udp.restore();
    expect(await udp.isCut()).toBe(false);
    await expectLabPagesTornDown(pages, NAMES);
  });

  afterAll(async () => {
    if (figures.length > 0) console.info(`measured:\n  ${figures.join('\n  ')}`);
    await cleanup.runAll();
  });

  it('UDP cut, then restored: both ends restart ICE, audio comes back both ways and the call stays up (default recovery timeout)', async () => {
    expect(DEFAULTS.recovery.timeoutMs).toBe(30_000);
    const labels = await establishCall();
    const invitesBefore = { alice: await reinvitesSeenBy('alice'), bob: await reinvitesSeenBy('bob') };
    const cutAt = Date.now();
    await udp.cut();
    for (const name of NAMES) {
      expect(await callEvent(name, labels[name], 'reconnecting', DETECT), `${name} restores its media`).toMatchObject({
        detail: 'media',
        state: 'accepted',
      });
    }
    const detectedMs = Date.now() - cutAt;
    // At least one ICE-restart re-INVITE went out while the path was cut (signalling was not).
    await waitFor(async () => (await reinvitesSeenBy('alice')) + (await reinvitesSeenBy('bob')) > invitesBefore.alice + invitesBefore.bob, {
      ...WAIT,
      description: 'an ICE-restart re-INVITE',
    });
    for (const name of NAMES) {
      expect((await lab(pages[name], 'callInfo', labels[name])).status, JSON.stringify(await events(name, labels[name]))).toBe('accepted');
    }

    const restoredAt = Date.now();
    await udp.restore();
    const audioBack = { alice: await audioGrows('alice', labels.alice), bob: await audioGrows('bob', labels.bob) };
    for (const name of NAMES) await callEvent(name, labels[name], 'reconnected', DETECT);
    const reconnectedMs = Date.now() - restoredAt;
    for (const name of NAMES) {
      const seen = await events(name, labels[name]);
      expect(seen.filter((e) => e.type === 'error' || e.type === 'disconnect'), `${name}: no error, no end`).toEqual([]);
      expect((await lab(pages[name], 'callInfo', labels[name])).status).toBe('accepted');
    }
    // What each end saw of the other's restarts: re-INVITEs in, and 491s to its own (both restart at once: glare).
    const seenBy = async (name: Name): Promise<string> => {
      const frames = await lab(pages[name], 'receivedFrames');
      const glare = frames.filter((frame) => frame.startsWith('SIP/2.0 491')).length;
      return `${name} got ${(await reinvitesSeenBy(name)) - invitesBefore[name]} re-INVITE(s) and ${glare} 491(s)`;
    };
    figures.push(
      `UDP cut → reconnecting (media) on both: ${detectedMs} ms; path restored → inbound audio growing: alice ${audioBack.alice - restoredAt} ms, bob ${audioBack.bob - restoredAt} ms; → reconnected on both: ${reconnectedMs} ms; ${await seenBy('alice')}, ${await seenBy('bob')}`,
    );
    // Still a working call: a hangup ends both ends.
    expect(await lab(pages.alice, 'disconnect', labels.alice)).toMatchObject({ ok: true });
    expect(await callEvent('bob', labels.bob, 'disconnect')).toMatchObject({ detail: 'remote-hangup' });
  });

  it('UDP cut for good: both calls end failed media-lost within recovery.timeoutMs of restarting, with a BYE', async () => {
    const labels = await establishCall({ recovery: { timeoutMs: SHORT_RECOVERY_MS } });
    await udp.cut();
    const restarting: Record<Name, RecordedEvent> = {
      alice: await callEvent('alice', labels.alice, 'reconnecting', DETECT),
      bob: await callEvent('bob', labels.bob, 'reconnecting', DETECT),
    };
    const ended: Partial<Record<Name, RecordedEvent>> = {};
    for (const name of NAMES) {
      ended[name] = await callEvent(name, labels[name], 'disconnect', { timeoutMs: SHORT_RECOVERY_MS + 10_000, intervalMs: 50 });
      const seen = await events(name, labels[name]);
      expect(seen.filter((e) => e.type === 'error').map((e) => e.detail), `${name}'s error`).toEqual(['media-lost']);
      expect(ended[name]).toMatchObject({ detail: 'failed', state: 'failed' });
      // Page clocks: restarting and the end are both on this page's clock.
      // (+1 s: the timer's and the page's lateness on a busy machine; measured 6–27 ms late.)
      expect(ended[name]!.at - restarting[name].at, `${name} gave up within recovery.timeoutMs`).toBeLessThanOrEqual(SHORT_RECOVERY_MS + 1000);
    }
    // …and not before it: the end that gave up by its own timer waited recovery.timeoutMs (the other may end sooner, by the BYE).
    const waited = NAMES.map((name) => ended[name]!.at - restarting[name].at);
    expect(Math.max(...waited), 'the first to give up waited recovery.timeoutMs').toBeGreaterThanOrEqual(SHORT_RECOVERY_MS - 50);
    // The first to give up sent BYE (over TCP, which still works): the other ended before its own timer, or with it.
    const gaveUp = NAMES.map((name) => `${name} ${Math.round(ended[name]!.at - restarting[name].at)} ms`);
    figures.push(`UDP cut for good (recovery.timeoutMs ${SHORT_RECOVERY_MS}): reconnecting → failed media-lost: ${gaveUp.join(', ')}`);
    expect(requestsOf(await lab(pages.alice, 'receivedFrames'), 'BYE').length + requestsOf(await lab(pages.bob, 'receivedFrames'), 'BYE').length).toBeGreaterThanOrEqual(1);
  });
});
