// Calls across a lost socket (issue 10), end to end: two SDK pages in a call
// through Kamailio; one page's WebSocket is closed under it mid-call. Its
// device reconnects and re-registers, the call sends a target-refresh
// re-INVITE (Kamailio's add_contact_alias then routes the dialog through the
// new connection), and a hangup from either side reaches the other at once —
// without the refresh the far end's BYE dies at the proxy (500) and the call
// lingers until ICE fails (~17 s).
//
// Build first (npx tsup --silent), then:
//   bash e2e/scripts/in-netns.sh npx vitest run --project e2e test/e2e/survive-calls.e2e.test.ts
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CleanupStack, startSdkRig, type Kamailio } from '../../e2e/harness/index.js';
import { callPair } from './sdk/call-pair.js';
import { lab, openLabPages, requestsOf, expectLabPagesTornDown } from './sdk/calls-helpers.js';

const PAGE_PATH = '/e2e/pages/sdk/index.html';
const NAMES = ['alice', 'bob'] as const;
type Name = (typeof NAMES)[number];
/** Generous: other e2e runs share these two cores. */
const WAIT = { timeoutMs: 15_000, intervalMs: 25 };
/** A hangup must reach the far end this fast (without the refresh it takes ~17 s). */
const HANGUP_REACHES_MS = 1000;

describe('calls across a lost WebSocket, two SDK pages through Kamailio', () => {
  const cleanup = new CleanupStack();
  let kamailio: Kamailio;
  let pages: Record<Name, Page>;
  const figures: string[] = [];

  const { callEvent, establishCall, hangupReaches } = callPair({ pages: () => pages, server: () => kamailio.wsUrl, waitMs: WAIT.timeoutMs });

  /** `name`'s socket is closed under it: the call says reconnecting, then reconnected once the refresh is answered. */
  const loseSocket = async (name: Name, labels: Record<Name, string>): Promise<number> => {
    const other: Name = name === 'alice' ? 'bob' : 'alice';
    const invitesBefore = requestsOf(await lab(pages[other], 'receivedFrames'), 'INVITE').length;
    const closedAt = await pages[name].evaluate(() => performance.now());
    expect(await lab(pages[name], 'closeSockets')).toBe(1);
    const reconnecting = await callEvent(name, labels[name], 'reconnecting', closedAt);
    expect(reconnecting).toMatchObject({ detail: 'signalling', state: 'accepted' });
    const reconnected = await callEvent(name, labels[name], 'reconnected', closedAt);
    // The far end saw the refresh re-INVITE, and the call stays up on both sides.
    expect(requestsOf(await lab(pages[other], 'receivedFrames'), 'INVITE').length).toBe(invitesBefore + 1);
    expect((await lab(pages[other], 'callInfo', labels[other])).status).toBe('accepted');
    expect((await lab(pages[name], 'callEvents', labels[name])).filter((e) => e.type === 'error')).toEqual([]);
    return Math.round(reconnected.at - closedAt);
  };

  beforeAll(async () => {
    const rig = await startSdkRig(cleanup);
    kamailio = rig.kamailio;
    pages = await openLabPages(rig.browser, NAMES, `${rig.server.url}${PAGE_PATH}`);
  });

  afterEach(async () => {
    await expectLabPagesTornDown(pages, NAMES);
  });

  afterAll(async () => {
    if (figures.length > 0) console.info(`measured:\n  ${figures.join('\n  ')}`);
    await cleanup.runAll();
  });

  it("the caller's socket closed mid-call: the call refreshes, and the callee's hangup reaches the caller at once", async () => {
    const labels = await establishCall();
    const refreshMs = await loseSocket('alice', labels);
    const hangupMs = await hangupReaches('bob', labels);
    figures.push(`caller's socket closed → call reconnected: ${refreshMs} ms; callee's hangup → caller's call ended: ${hangupMs} ms`);
    expect(hangupMs).toBeLessThan(HANGUP_REACHES_MS);
  });

  it("the callee's socket closed mid-call: the call refreshes, and the caller's hangup reaches the callee at once", async () => {
    const labels = await establishCall();
    const refreshMs = await loseSocket('bob', labels);
    const hangupMs = await hangupReaches('alice', labels);
    figures.push(`callee's socket closed → call reconnected: ${refreshMs} ms; caller's hangup → callee's call ended: ${hangupMs} ms`);
    expect(hangupMs).toBeLessThan(HANGUP_REACHES_MS);
  });

  it("after the refresh, the side that lost its socket hangs up: its BYE reaches the far end at once", async () => {
    const labels = await establishCall();
    await loseSocket('alice', labels);
    const hangupMs = await hangupReaches('alice', labels);
    figures.push(`after the refresh, the reconnected side's hangup → far end's call ended: ${hangupMs} ms`);
    expect(hangupMs).toBeLessThan(HANGUP_REACHES_MS);
  });
});
