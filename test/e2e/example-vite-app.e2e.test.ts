// examples/vite-app, as built by scripts/examples.sh from the packed tarball
// (Vite bundles callchart; SIP.js lands in a chunk the page fetches when it
// makes its Device), placing a real call in Chromium
// through Kamailio and taking one (Answer, Decline): alice uses the example page, bob the demo softphone.
//
// Run: bash scripts/examples.sh && bash e2e/scripts/in-netns.sh npx vitest run --project e2e test/e2e/example-vite-app.e2e.test.ts
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemo } from '../../scripts/demo.js';
import {
  CleanupStack,
  REPO_ROOT,
  USERS,
  assertIsolatedNetwork,
  kamailioErrors,
  launchBrowser,
  sipUri,
  snapshotBuiltSdk,
  waitFor,
  type E2EBrowser,
} from '../../e2e/harness/index.js';

const EXAMPLE_DIST = join(REPO_ROOT, 'examples', 'vite-app', 'dist');

/** The page's script files fetched so far (Resource Timing), by file name. */
const scriptsLoaded = (page: Page): Promise<string[]> =>
  page.evaluate(() =>
    performance
      .getEntriesByType('resource')
      .map((entry) => entry.name.split('/').pop() ?? '')
      .filter((name) => name.endsWith('.js')),
  );

const statusOf = async (page: Page): Promise<string> => ((await page.locator('#status').textContent()) ?? '').trim();

const waitForStatus = (page: Page, expected: string): Promise<unknown> =>
  waitFor(async () => (await statusOf(page)) === expected || undefined, {
    timeoutMs: 15_000,
    intervalMs: 50,
    description: `the example's status to read "${expected}"`,
  });

describe('examples/vite-app in Chromium', () => {
  const cleanup = new CleanupStack();
  let demo: Awaited<ReturnType<typeof startDemo>>;
  let browser: E2EBrowser;
  let alice: Page;
  let bob: Page;

  beforeAll(async () => {
    assertIsolatedNetwork();
    if (!existsSync(join(EXAMPLE_DIST, 'index.html'))) {
      throw new Error('examples/vite-app/dist is missing: build it with `bash scripts/examples.sh` (npm test does, before this suite)');
    }
    const sdk = await snapshotBuiltSdk();
    cleanup.add('built SDK snapshot', () => sdk.dispose());
    demo = await startDemo({ mounts: { '/dist/': sdk.dir, '/vite-app/': EXAMPLE_DIST } });
    cleanup.add('demo', () => demo.stop());
    browser = await launchBrowser();
    cleanup.add('chromium', () => browser.close());
    const site = demo.url.replace(/\/demo\/index\.html$/, '');
    alice = await browser.openPage('alice (example)', `${site}/vite-app/index.html`);
    bob = await browser.openPage('bob (demo)', `${demo.url}?user=bob`);
    await bob.waitForFunction("document.body.dataset.ready === 'true'", undefined, { timeout: 15_000 });
  });

  afterAll(async () => {
    await cleanup.runAll();
  });

  it('registers, calls bob, is answered and hangs up', async () => {
    await bob.getByTestId('register').click();
    await waitFor(async () => ((await bob.getByTestId('device-state').textContent()) ?? '').trim() === 'registered' || undefined, {
      timeoutMs: 15_000,
      intervalMs: 50,
      description: 'bob registered',
    });

    // Vite split SIP.js (the Device's default adapter, loaded with import()) into a chunk of its own:
    // the page has not fetched it before it makes a Device.
    const atStart = await scriptsLoaded(alice);
    expect(atStart.some((name) => name.startsWith('index-')), atStart.join(', ')).toBe(true);
    expect(atStart.filter((name) => name.startsWith('sipjs-'))).toEqual([]);

    await alice.locator('input[name=server]').fill(demo.kamailio.wsUrl);
    await alice.locator('input[name=uri]').fill(sipUri('alice', demo.kamailio.domain));
    await alice.locator('input[name=password]').fill(USERS.alice.password);
    await alice.locator('#account button').click();
    await waitForStatus(alice, `Registered as ${sipUri('alice', demo.kamailio.domain)}`);
    expect((await scriptsLoaded(alice)).filter((name) => name.startsWith('sipjs-'))).toHaveLength(1);
    const chunk = await alice.evaluate(() => {
      const entry = performance.getEntriesByType('resource').find((e) => /\/sipjs-[^/]*\.js$/.test(e.name)) as PerformanceResourceTiming;
      return { ms: Math.round(entry.duration), bytes: entry.decodedBodySize };
    });
    console.info(`the SIP.js chunk: ${chunk.bytes} bytes, fetched in ${chunk.ms} ms (local server) once the page made its Device`);

    await alice.locator('input[name=to]').fill('bob');
    await alice.locator('#dial button:not([type])').click();
    await bob.getByTestId('incoming').waitFor({ state: 'visible', timeout: 15_000 });
    await waitForStatus(alice, `Ringing ${sipUri('bob', demo.kamailio.domain)}…`);
    await bob.getByTestId('accept').click();
    await waitForStatus(alice, `In call with ${sipUri('bob', demo.kamailio.domain)}`);

    await alice.locator('#hangup').click();
    await waitForStatus(alice, 'Call ended: local-hangup');
    await bob.getByTestId('in-call').waitFor({ state: 'hidden', timeout: 15_000 });
    expect(browser.consoleErrors()).toEqual([]);
    expect(kamailioErrors(demo.kamailio)).toEqual([]);
  });

  it('takes a call from bob with Answer, and declines the next one with Decline (603)', async () => {
    const bobUri = sipUri('bob', demo.kamailio.domain);
    const incoming = alice.locator('#incoming');
    await bob.getByTestId('to').fill('alice');
    await bob.getByTestId('call').click();
    await waitForStatus(alice, `Incoming call from ${bobUri}`);
    await incoming.waitFor({ state: 'visible', timeout: 15_000 });
    await alice.locator('#answer').click();
    await waitForStatus(alice, `In call with ${bobUri}`);
    await incoming.waitFor({ state: 'hidden', timeout: 15_000 });
    await waitFor(async () => ((await bob.getByTestId('call-status').textContent()) ?? '').trim() === 'accepted' || undefined, {
      timeoutMs: 15_000,
      intervalMs: 50,
      description: "bob's call answered by the example page",
    });
    await alice.locator('#hangup').click();
    await waitForStatus(alice, 'Call ended: local-hangup');
    await bob.getByTestId('in-call').waitFor({ state: 'hidden', timeout: 15_000 });

    await bob.getByTestId('call').click();
    await waitForStatus(alice, `Incoming call from ${bobUri}`);
    await alice.locator('#decline').click();
    await waitForStatus(alice, 'Call ended: rejected');
    await incoming.waitFor({ state: 'hidden', timeout: 15_000 });
    await bob.getByTestId('in-call').waitFor({ state: 'hidden', timeout: 15_000 });
    expect(browser.consoleErrors()).toEqual([]);
    expect(kamailioErrors(demo.kamailio)).toEqual([]);
  });
});
