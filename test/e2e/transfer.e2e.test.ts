// Transfers (issue 9) end to end: the built SDK in Chromium through the e2e
// Kamailio, media on loopback. Blind (alice → bob → carol), refused, attended
// (bob holds alice, consults carol, transfers: carol's device answers the
// Replaces INVITE by itself), and the other stacks in each role: a plain
// SIP.js phone as the transferee (REFER followed with makeInviter) and as the
// transfer target (Replaces supported), JsSIP as the transferor.
//
// Build first (npx tsup --silent), then:
//   bash e2e/scripts/in-netns.sh npx vitest run --project e2e test/e2e/transfer.e2e.test.ts
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  CleanupStack,
  bundleJsSip,
  kamailioErrors,
  pageApi,
  sipUri,
  startSdkRig,
  waitFor,
  type E2EBrowser,
  type Kamailio,
} from '../../e2e/harness/index.js';
import { lab, openLabPages, tearDownLabPages, type InboundAudio, type LabDeviceOptions } from './sdk/calls-helpers.js';
import { labDriver, untilAudioGrows } from './sdk/lab-driver.js';

const SDK_PAGE = '/e2e/pages/sdk/index.html';
const NAMES = ['alice', 'bob', 'carol'] as const;
type Name = (typeof NAMES)[number];
/** The other stacks register as the extra users of e2e/kamailio/kamailio.cfg. */
const PLAIN = { user: '1002', password: '1002pw' };
const JSSIP = { user: '+15550001002', password: 'e164pw' };
/** Generous: other e2e runs share these two cores. */
const WAIT = { timeoutMs: 15_000, intervalMs: 20 };

/** window.phone in e2e/pages/plain-sipjs/phone.js (the part used here). */
interface PlainPhone {
  register(options: { server: string; user: string; password: string; sipDomain: string }): Promise<{ ms: number }>;
  call(user: string): Promise<{ established: boolean; statusCode?: number; ms: number }>;
  sessionState(index?: number): string;
  sessionCount(): number;
  inboundAudio(): Promise<InboundAudio>;
  hangup(): Promise<void>;
  stop(): Promise<void>;
}
/** window.jssipPhone in e2e/pages/jssip/phone.js */
interface JsSipPhone {
  register(options: { server: string; user: string; password: string; sipDomain: string }): Promise<void>;
  call(target: string): Promise<{ established: boolean; cause?: string }>;
  transfer(target: string): Promise<string>;
  referEvents(): Array<{ name: string; status?: number }>;
  inboundAudio(): Promise<InboundAudio>;
  hangup(): void;
  ended(): boolean;
  stop(): Promise<void>;
}
const plain = pageApi<PlainPhone>('phone');
const jssip = pageApi<JsSipPhone>('jssipPhone');

describe('transfers through Kamailio in Chromium: SDK, plain SIP.js, JsSIP', () => {
  const cleanup = new CleanupStack();
  let kamailio: Kamailio;
  let browser: E2EBrowser;
  let pages: Record<Name, Page>;
  let plainPage: Page;
  let jssipPage: Page;
  const figures: string[] = [];
  /** Stacks registered by the running test, stopped after it. */
  const stopAfter: Array<() => Promise<unknown>> = [];

  const driver = labDriver({ pages: () => pages, server: () => kamailio.wsUrl, wait: WAIT });
  const { registered, nextIncoming } = driver;
  const account = (who: { user: string; password: string }) => ({ server: kamailio.wsUrl, ...who, sipDomain: kamailio.domain });
  const callEvent = (name: Name, label: string, type: string, detail?: string) => driver.callEvent(name, label, type, { detail });
  const ended = async (name: Name, label: string): Promise<string> => String((await callEvent(name, label, 'disconnect')).detail);

  /** Polls `read` until 25 more packets and some energy came in (audio, not silence). */
  const audioGrows = (read: () => Promise<InboundAudio>, what: string) => untilAudioGrows(read, `inbound audio ${what}`, { ...WAIT, intervalMs: 50 });
  const sdkAudio = (name: Name, label: string) => () => lab(pages[name], 'inboundAudio', label);
  /** Packets that came in on each of `reads` during `ms`. */
  const packetsOver = async (ms: number, ...reads: Array<() => Promise<InboundAudio>>): Promise<number[]> => {
    const start = await Promise.all(reads.map((read) => read()));
    await new Promise((resolve) => setTimeout(resolve, ms));
    const end = await Promise.all(reads.map((read) => read()));
    return end.map((now, i) => now.packetsReceived - start[i]!.packetsReceived);
  };
  /** ms from `since` (Date.now()) until every read shows packets coming in. */
  const mediaFlowingAfter = async (since: number, ...reads: Array<() => Promise<InboundAudio>>): Promise<number> => {
    await waitFor(
      async () => {
        for (const read of reads) {
          try {
            if ((await read()).packetsReceived === 0) return false;
          } catch {
            return false; // no peer connection yet
          }
        }
        return true;
      },
      { ...WAIT, intervalMs: 10, description: 'media on the new leg' },
    );
    return Date.now() - since;
  };

  /** alice calls bob (bob answers at once); both accepted. Returns bob's label of the call. */
  const aliceCallsBob = async (alice: Partial<LabDeviceOptions> = {}): Promise<string> => {
    await registered('bob');
    await registered('alice', alice);
    return (await driver.callAnswered('alice', 'bob')).incoming;
  };

  beforeAll(async () => {
    const rig = await startSdkRig(cleanup, await bundleJsSip(cleanup));
    ({ kamailio, browser } = rig);
    pages = await openLabPages(browser, NAMES, `${rig.server.url}${SDK_PAGE}`);
    plainPage = (await browser.openPages(['plain'], `${rig.server.url}/e2e/pages/plain-sipjs/`, { readyExpression: 'window.phone !== undefined' }))
      .plain;
    jssipPage = (await browser.openPages(['jssip'], `${rig.server.url}/e2e/pages/jssip/`, { readyExpression: 'window.jssipPhone !== undefined' }))
      .jssip;
  });

  afterEach(async () => {
    for (const stop of stopAfter.splice(0)) await stop();
    const { failures, leftovers } = await tearDownLabPages(pages, NAMES);
    expect(failures, 'tearing down the pages').toEqual([]);
    expect(leftovers, 'left open in the pages').toEqual([]);
  });

  afterAll(async () => {
    if (figures.length > 0) console.info(`measured:\n  ${figures.join('\n  ')}`);
    await cleanup.runAll();
  });

  it('blind: alice calls bob, bob transfers her to carol; alice ↔ carol media both ways; both old legs end transferred', async () => {
    const bobIn = await aliceCallsBob();
    await registered('carol');
    await lab(pages.carol, 'setAutoAnswer', true);
    const carolBefore = await lab(pages.carol, 'incomingLabels');
    const started = Date.now();
    const transferring = lab(pages.bob, 'transfer', bobIn, 'carol');
    const carolIn = await nextIncoming('carol', carolBefore);
    const outcome = await transferring;
    expect(outcome).toMatchObject({ ok: true });
    await callEvent('alice', 'out', 'referred', sipUri('carol'));
    const flowingMs = await mediaFlowingAfter(started, sdkAudio('alice', 'referred1'), sdkAudio('carol', carolIn));
    expect([await ended('bob', bobIn), await ended('alice', 'out')]).toEqual(['transferred', 'transferred']);
    const steps = (await lab(pages.bob, 'callEvents', bobIn)).filter((event) => event.type === 'transfer').map((event) => event.detail);
    expect(steps[0]).toBe('requested');
    expect(steps.at(-1)).toBe('succeeded');
    expect(steps).toContain('accepted');
    await audioGrows(sdkAudio('alice', 'referred1'), "on alice's new call");
    await audioGrows(sdkAudio('carol', carolIn), "on carol's call");
    const [toAlice, toCarol] = await packetsOver(1000, sdkAudio('alice', 'referred1'), sdkAudio('carol', carolIn));
    expect(toAlice).toBeGreaterThan(20);
    expect(toCarol).toBeGreaterThan(20);
    expect(await lab(pages.alice, 'callInfo', 'referred1')).toMatchObject({ direction: 'outbound', status: 'accepted', remoteIdentity: sipUri('carol') });
    figures.push(
      `blind SDK → SDK → SDK: transfer() resolved in ${outcome.ms.toFixed(0)} ms (steps ${steps.join(' → ')}), media on the new leg both ways ${flowingMs} ms after transfer(); packets in 1 s: alice ${toAlice}, carol ${toCarol}`,
    );
  });

  it('refused: alice refuses transfers (603); transfer() rejects transfer-failed 603 and the call keeps its media', async () => {
    const bobIn = await aliceCallsBob({ onTransferRequest: 'refuse' });
    await registered('carol');
    const carolBefore = await lab(pages.carol, 'incomingLabels');
    const outcome = await lab(pages.bob, 'transfer', bobIn, 'carol');
    expect(outcome).toMatchObject({ ok: false, error: { code: 'transfer-failed', status: 603 } });
    expect(await lab(pages.bob, 'callInfo', bobIn)).toMatchObject({ status: 'accepted' });
    expect(await lab(pages.alice, 'callInfo', 'out')).toMatchObject({ status: 'accepted' });
    const [toAlice, toBob] = await packetsOver(1000, sdkAudio('alice', 'out'), sdkAudio('bob', bobIn));
    expect(toAlice).toBeGreaterThan(20);
    expect(toBob).toBeGreaterThan(20);
    expect(await lab(pages.carol, 'incomingLabels')).toEqual(carolBefore);
    figures.push(`refused transfer: rejected in ${outcome.ms.toFixed(0)} ms (603); then in 1 s alice got ${toAlice} packets, bob ${toBob}`);
  });

  it('attended: bob holds alice, calls carol, transfers; carol’s device answers the Replaces INVITE by itself; alice ↔ carol media; bob’s calls end', async () => {
    const bobIn = await aliceCallsBob();
    expect(await lab(pages.bob, 'hold', bobIn, true)).toMatchObject({ ok: true });
    await registered('carol');
    await lab(pages.carol, 'setAutoAnswer', true);
    const carolBefore = await lab(pages.carol, 'incomingLabels');
    expect(await lab(pages.bob, 'connect', 'consult', { to: 'carol' })).toMatchObject({ ok: true });
    const carolConsult = await nextIncoming('carol', carolBefore);
    await callEvent('bob', 'consult', 'accepted');
    // From now on carol's page accepts nothing: the Replaces INVITE is answered by the SDK.
    await lab(pages.carol, 'setAutoAnswer', false);
    const started = Date.now();
    const transferring = lab(pages.bob, 'transfer', bobIn, { call: 'consult' });
    const carolNew = await nextIncoming('carol', [...carolBefore, carolConsult]);
    const outcome = await transferring;
    expect(outcome).toMatchObject({ ok: true });
    await callEvent('carol', carolNew, 'accepted');
    expect(await lab(pages.carol, 'callInfo', carolNew)).toMatchObject({ replaces: carolConsult, status: 'accepted', remoteIdentity: sipUri('alice') });
    const flowingMs = await mediaFlowingAfter(started, sdkAudio('alice', 'referred1'), sdkAudio('carol', carolNew));
    expect(await ended('carol', carolConsult)).toBe('replaced');
    expect(await ended('bob', bobIn)).toBe('transferred');
    expect(await ended('bob', 'consult')).toBe('remote-hangup');
    expect(await ended('alice', 'out')).toBe('transferred');
    await audioGrows(sdkAudio('alice', 'referred1'), "on alice's new call");
    await audioGrows(sdkAudio('carol', carolNew), "on carol's new call");
    const [toAlice, toCarol] = await packetsOver(1000, sdkAudio('alice', 'referred1'), sdkAudio('carol', carolNew));
    expect(toAlice).toBeGreaterThan(20);
    expect(toCarol).toBeGreaterThan(20);
    expect(await lab(pages.bob, 'device')).toMatchObject({ calls: 0 });
    figures.push(
      `attended SDK: transfer() resolved in ${outcome.ms.toFixed(0)} ms, media alice ↔ carol ${flowingMs} ms after transfer(); packets in 1 s: alice ${toAlice}, carol ${toCarol}`,
    );
  });

  it('a plain SIP.js phone as the transferee: it follows the REFER with makeInviter, NOTIFYs bob; bob’s call ends transferred; phone ↔ carol media', async () => {
    await plain(plainPage, 'register', account(PLAIN));
    stopAfter.push(() => plain(plainPage, 'stop'));
    await registered('bob');
    await registered('carol');
    await lab(pages.carol, 'setAutoAnswer', true);
    expect(await lab(pages.bob, 'connect', 'out', { to: PLAIN.user })).toMatchObject({ ok: true });
    await callEvent('bob', 'out', 'accepted');
    const carolBefore = await lab(pages.carol, 'incomingLabels');
    const started = Date.now();
    const outcome = await lab(pages.bob, 'transfer', 'out', 'carol');
    expect(outcome).toMatchObject({ ok: true });
    const carolIn = await nextIncoming('carol', carolBefore);
    const flowingMs = await mediaFlowingAfter(started, () => plain(plainPage, 'inboundAudio'), sdkAudio('carol', carolIn));
    expect(await ended('bob', 'out')).toBe('transferred');
    expect(await lab(pages.carol, 'callInfo', carolIn)).toMatchObject({ status: 'accepted', remoteIdentity: sipUri(PLAIN.user) });
    const [toPhone, toCarol] = await packetsOver(1000, () => plain(plainPage, 'inboundAudio'), sdkAudio('carol', carolIn));
    expect(toPhone).toBeGreaterThan(20);
    expect(toCarol).toBeGreaterThan(20);
    // The phone's call with bob is over: bob hung up after the NOTIFY 200.
    const oldSession = (await plain(plainPage, 'sessionCount')) - 2;
    await waitFor(async () => (await plain(plainPage, 'sessionState', oldSession)) === 'Terminated', {
      ...WAIT,
      description: 'the phone’s old call ended',
    });
    figures.push(`SDK → plain SIP.js transferee → SDK: transfer() resolved in ${outcome.ms.toFixed(0)} ms, media ${flowingMs} ms after; packets in 1 s: phone ${toPhone}, carol ${toCarol}`);
  });

  it('a plain SIP.js phone as the transfer target: alice’s INVITE with Replaces reaches it through Kamailio by its alias; it takes over bob’s call', async () => {
    await plain(plainPage, 'register', account(PLAIN));
    stopAfter.push(() => plain(plainPage, 'stop'));
    const bobIn = await aliceCallsBob();
    expect(await lab(pages.bob, 'hold', bobIn, true)).toMatchObject({ ok: true });
    expect(await lab(pages.bob, 'connect', 'consult', { to: PLAIN.user })).toMatchObject({ ok: true });
    await callEvent('bob', 'consult', 'accepted');
    const sessionsBefore = await plain(plainPage, 'sessionCount');
    const started = Date.now();
    const outcome = await lab(pages.bob, 'transfer', bobIn, { call: 'consult' });
    expect(outcome).toMatchObject({ ok: true });
    await waitFor(async () => (await plain(plainPage, 'sessionCount')) === sessionsBefore + 1, {
      ...WAIT,
      description: 'the Replaces INVITE at the phone',
    });
    const flowingMs = await mediaFlowingAfter(started, sdkAudio('alice', 'referred1'), () => plain(plainPage, 'inboundAudio'));
    expect(await ended('bob', bobIn)).toBe('transferred');
    // SIP.js BYEs the call it replaced.
    expect(await ended('bob', 'consult')).toBe('remote-hangup');
    expect(await ended('alice', 'out')).toBe('transferred');
    const [toAlice, toPhone] = await packetsOver(1000, sdkAudio('alice', 'referred1'), () => plain(plainPage, 'inboundAudio'));
    expect(toAlice).toBeGreaterThan(20);
    expect(toPhone).toBeGreaterThan(20);
    figures.push(`attended to a plain SIP.js target: transfer() resolved in ${outcome.ms.toFixed(0)} ms, media ${flowingMs} ms after; packets in 1 s: alice ${toAlice}, phone ${toPhone}`);
  });

  it('JsSIP as the transferor: it REFERs alice to carol, hears the NOTIFY 200 and hangs up; alice’s old call ends transferred; alice ↔ carol media', async () => {
    await jssip(jssipPage, 'register', account(JSSIP));
    stopAfter.push(() => jssip(jssipPage, 'stop'));
    await registered('alice');
    await registered('carol');
    await lab(pages.alice, 'setAutoAnswer', true);
    await lab(pages.carol, 'setAutoAnswer', true);
    const aliceBefore = await lab(pages.alice, 'incomingLabels');
    expect(await jssip(jssipPage, 'call', sipUri('alice'))).toMatchObject({ established: true });
    const aliceIn = await nextIncoming('alice', aliceBefore);
    await callEvent('alice', aliceIn, 'accepted');
    const carolBefore = await lab(pages.carol, 'incomingLabels');
    const started = Date.now();
    expect(await jssip(jssipPage, 'transfer', sipUri('carol'))).toBe('requestSucceeded');
    const carolIn = await nextIncoming('carol', carolBefore);
    await waitFor(async () => (await jssip(jssipPage, 'referEvents')).some((event) => event.name === 'accepted'), {
      ...WAIT,
      description: 'JsSIP hears the NOTIFY 200',
    });
    const notifiedMs = Date.now() - started;
    await jssip(jssipPage, 'hangup');
    expect(await ended('alice', aliceIn)).toBe('transferred');
    const flowingMs = await mediaFlowingAfter(started, sdkAudio('alice', 'referred1'), sdkAudio('carol', carolIn));
    const [toAlice, toCarol] = await packetsOver(1000, sdkAudio('alice', 'referred1'), sdkAudio('carol', carolIn));
    expect(toAlice).toBeGreaterThan(20);
    expect(toCarol).toBeGreaterThan(20);
    const heard = (await jssip(jssipPage, 'referEvents')).map((event) => event.name);
    expect(heard[0]).toBe('requestSucceeded');
    expect(heard.at(-1)).toBe('accepted');
    figures.push(`JsSIP transferor: NOTIFY 200 heard ${notifiedMs} ms after its REFER (events ${heard.join(' → ')}), media ${flowingMs} ms after; packets in 1 s: alice ${toAlice}, carol ${toCarol}`);
  });

  it('Kamailio logged no errors', async () => {
    expect(await kamailioErrors(kamailio)).toEqual([]);
  });
});
