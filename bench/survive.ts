// `npm run bench`, part 4: calls that survive (issue 10). Figures, no limits:
// - server back → registered, and → the held call reconnected, after Kamailio
//   was killed (SIGTERM) mid-call and started again after 2, 5 and 10 s
//   (the device's default reconnect backoff decides when it tries again);
// - socket loss detected → call reconnected: Kamailio closes the caller's
//   WebSocket (`kamcmd ws.close`), from the call's `reconnecting` event to its
//   `reconnected` (re-connect, re-REGISTER, target-refresh re-INVITE);
// - heap per 100 calls in one page, after a forced GC, once SIP.js has let go
//   of the ended calls (it holds each INVITE transaction for 32 s).
// Its own Kamailio (this part kills it), the benchmark's Chromium and server.
import type { CDPSession, Page } from 'playwright-core';
import {
  USERS,
  kamailioCloseSocketOf,
  startKamailio,
  waitFor,
  type CleanupStack,
  type ConsoleEntry,
  type E2EBrowser,
  type Kamailio,
  type UserName,
} from '../e2e/harness/index.js';
import { heapAfterGc, longLived, longLivedInitScript } from '../e2e/harness/long-lived.js';
import { fmt, table } from './summary.js';

const OUTAGES_MS = [2000, 5000, 10_000];
const SOCKET_CLOSES = 5;
const WARM_UP_CALLS = 20;
const HEAP_CALLS = 100;
const WAIT = { timeoutMs: 30_000, intervalMs: 20 };

interface SurvivePages {
  kamailio: Kamailio;
  alice: Page;
  bob: Page;
  cdp: CDPSession;
}

/** Runs the three measurements and prints them; false when one could not be measured. */
export async function benchSurvive(browser: E2EBrowser, origin: string, cleanup: CleanupStack): Promise<boolean> {
  const kamailio = await startKamailio();
  cleanup.add('survive kamailio', () => kamailio.stop());
  const open = async (name: UserName, answer: boolean): Promise<Page> => {
    const page = await browser.openPage(`survive ${name}`, `${origin}/e2e/pages/sdk/index.html`, { readyExpression: 'window.callchartReady' });
    await page.addInitScript(longLivedInitScript());
    await page.reload();
    await page.waitForFunction('window.callchartReady && window.longLived !== undefined', undefined, { timeout: 15_000 });
    await longLived(page, 'createDevice', { server: kamailio.wsUrl, uri: `sip:${name}@${kamailio.domain}`, password: USERS[name].password }, answer);
    cleanup.add(`survive ${name} device`, () => longLived(page, 'destroy'));
    return page;
  };
  const alice = await open('alice', false);
  const bob = await open('bob', true);
  const cdp = await alice.context().newCDPSession(alice);
  const pages: SurvivePages = { kamailio, alice, bob, cdp };
  // The heap's warm-up first: SIP.js lets go of these calls while the other parts run.
  await longLived(alice, 'callMany', 'bob', WARM_UP_CALLS);
  let ok = true;
  for (const run of [benchRestarts, benchSocketCloses, benchHeap]) {
    try {
      await run(pages);
    } catch (error) {
      console.error(`  not measured: ${error instanceof Error ? error.message : String(error)}`);
      ok = false;
      if (!(await kamailio.rpc('core.uptime').then(() => true, () => false))) await kamailio.restart().catch(() => undefined);
    }
  }
  return ok;
}

/** What a survive page logs while Kamailio is down on purpose (its reconnect attempts refused). */
export function isExpectedOutageError(entry: ConsoleEntry): boolean {
  return entry.page.startsWith('survive ') && /ERR_CONNECTION_REFUSED|WebSocket error occurred|WebSocket is closed before|Close received after close/.test(entry.text);
}

/** The first event of `type` at or after `after` (page time). */
async function eventAfter(page: Page, type: string, after: number): Promise<number> {
  const event = await waitFor(async () => (await longLived(page, 'events')).find((e) => e.type === type && e.at >= after), {
    ...WAIT,
    description: `'${type}'`,
  });
  return event.at;
}

async function benchRestarts({ kamailio, alice, bob }: SurvivePages): Promise<void> {
  console.log('\n## 4a. Kamailio killed mid-call, started again: server back → registered → call reconnected (default backoff)\n');
  const rows: string[][] = [];
  for (const outageMs of OUTAGES_MS) {
    await longLived(alice, 'placeCall', 'bob');
    const before = await longLived(alice, 'now');
    await kamailio.terminate();
    await waitFor(async () => (await longLived(alice, 'now')) - before >= outageMs, { timeoutMs: outageMs + 5000, intervalMs: 50, description: 'the outage' });
    await kamailio.restart();
    const back = await longLived(alice, 'now');
    const registered = await eventAfter(alice, 'registered', before);
    const reconnected = await eventAfter(alice, 'call:reconnected', before);
    await eventAfter(bob, 'registered', before);
    rows.push([`${outageMs / 1000} s`, fmt(registered - back), fmt(reconnected - back)]);
    await longLived(alice, 'hangUp');
  }
  console.log(table([['outage', 'server back → registered (ms)', 'server back → call reconnected (ms)'], ...rows]));
}

async function benchSocketCloses({ kamailio, alice }: SurvivePages): Promise<void> {
  console.log('\n## 4b. Socket closed by the server mid-call: loss detected → call reconnected\n');
  await longLived(alice, 'placeCall', 'bob');
  const took: number[] = [];
  for (let i = 0; i < SOCKET_CLOSES; i += 1) {
    const before = await longLived(alice, 'now');
    await kamailioCloseSocketOf(kamailio, 'alice');
    const lost = await eventAfter(alice, 'call:reconnecting', before);
    const reconnected = await eventAfter(alice, 'call:reconnected', before);
    took.push(reconnected - lost);
  }
  await longLived(alice, 'hangUp');
  const sorted = [...took].sort((a, b) => a - b);
  console.log(`  ${SOCKET_CLOSES} closes: ${took.map((ms) => fmt(ms)).join(', ')} ms (median ${fmt(sorted[Math.floor(sorted.length / 2)])} ms)`);
}

async function benchHeap({ alice, cdp }: SurvivePages): Promise<void> {
  console.log(`\n## 4c. Heap per ${HEAP_CALLS} calls in one page (caller, after a forced GC)\n`);
  const released = async () => {
    // SIP.js holds each ended call for 32 s (Timer M of its INVITE transaction): measure once it let go.
    await waitFor(async () => (await heapAfterGc(cdp), (await longLived(alice, 'holdings')).audioElementsAlive <= 3), {
      timeoutMs: 50_000,
      intervalMs: 2000,
      description: 'the ended calls released',
    });
    return heapAfterGc(cdp);
  };
  const baseline = await released();
  await longLived(alice, 'callMany', 'bob', HEAP_CALLS);
  const within = await heapAfterGc(cdp);
  const after = await released();
  console.log(
    `  ${fmt((after - baseline) / 1024)} KB per ${HEAP_CALLS} calls once released ` +
      `(${fmt((within - baseline) / 1024)} KB right after the calls, while SIP.js still held them)`,
  );
}
