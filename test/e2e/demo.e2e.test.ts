// The demo softphone (demo/, served by scripts/demo.ts) driven like a person
// would: two pages, alice and bob, register, call with custom headers, answer,
// DTMF, mute, hold, the live statechart viewer and quality, hang up, a second
// call that starts without the first one's quality and is refused. Checks the
// Call button is enabled only when calling can work, the event log is in time
// order, and the server serves nothing but what the page needs. Leaves
// screenshots of alice's page in test-results/demo-alice*.png.
//
// Run: bash e2e/scripts/in-netns.sh npx vitest run --project e2e test/e2e/demo.e2e.test.ts
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemo } from '../../scripts/demo.js';
import {
  CleanupStack,
  REPO_ROOT,
  assertIsolatedNetwork,
  kamailioErrors,
  launchBrowser,
  sipUri,
  snapshotBuiltSdk,
  waitFor,
  type E2EBrowser,
} from '../../e2e/harness/index.js';

type Demo = Awaited<ReturnType<typeof startDemo>>;

const SCREENSHOT = join(REPO_ROOT, 'test-results', 'demo-alice.png');
const SCREENSHOT_ON_HOLD = join(REPO_ROOT, 'test-results', 'demo-alice-hold.png');

/** The state paths the viewer highlights in the chart of the newest call (or of the device). */
const activeStates = (page: Page, chart: 'device' | 'call'): Promise<{ status: string | undefined; active: string[] }> =>
  page.evaluate((which) => {
    const charts = [...document.querySelectorAll<HTMLElement>('[data-testid=viewer] .cc-chart')].filter((section) =>
      // The machine's id names the chart (`call`, `device`); a call actor's own id differs per call.
      section.dataset['machine'] === which,
    );
    const section = charts.at(-1);
    const active = section ? [...section.querySelectorAll<HTMLElement>('.cc-node.is-active')].map((node) => node.dataset['statePath']!) : [];
    return { status: section?.dataset['status'], active };
  }, chart);

/** Waits until the viewer highlights a state whose path ends with `suffix` (`registered`, `hold.on`). */
const waitForActive = (page: Page, chart: 'device' | 'call', suffix: string, present = true) =>
  waitFor(
    async () => {
      const { active, status } = await activeStates(page, chart);
      const found = active.some((path) => `.${path}`.endsWith(`.${suffix}`));
      return found === present && active.length > 0 ? { active, status } : undefined;
    },
    { timeoutMs: 15_000, intervalMs: 50, description: `the ${chart} chart to ${present ? '' : 'not '}highlight ${suffix}` },
  );

/** The log's lines without their clock time, oldest first as shown. */
const logLines = async (page: Page): Promise<string[]> =>
  (await page.getByTestId('log').locator('li').allTextContents()).map((line) => line.replace(/^[\d:.]+(\s?[AP]M)?\s/, ''));

/** Text of the element with `data-testid=testId`, trimmed. */
const textOf = async (page: Page, testId: string): Promise<string> =>
  ((await page.getByTestId(testId).textContent()) ?? '').trim();

/** Waits until the element's text passes `expected` (exact text or pattern); returns the text. */
const waitForText = (page: Page, testId: string, expected: string | RegExp): Promise<string> =>
  waitFor(
    async () => {
      const text = await textOf(page, testId);
      const matches = typeof expected === 'string' ? text === expected : expected.test(text);
      return matches ? text : undefined;
    },
    { timeoutMs: 15_000, intervalMs: 50, description: `[data-testid=${testId}] to read ${String(expected)}` },
  );

const waitForPressed = (page: Page, testId: string, pressed: boolean): Promise<unknown> =>
  waitFor(async () => (await page.getByTestId(testId).getAttribute('aria-pressed')) === String(pressed), {
    timeoutMs: 15_000,
    intervalMs: 50,
    description: `[data-testid=${testId}] aria-pressed=${pressed}`,
  });

const waitForHidden = (page: Page, testId: string): Promise<void> =>
  page.getByTestId(testId).waitFor({ state: 'hidden', timeout: 15_000 });

describe('demo softphone', () => {
  const cleanup = new CleanupStack();
  let demo: Demo;
  let browser: E2EBrowser;
  let alice: Page;
  let bob: Page;

  beforeAll(async () => {
    assertIsolatedNetwork();
    // The demo would serve dist/ from the working tree, which others may be
    // rebuilding: /dist/ is served from a snapshot instead.
    const sdk = await snapshotBuiltSdk();
    cleanup.add('built SDK snapshot', () => sdk.dispose());
    demo = await startDemo({ mounts: { '/dist/': sdk.dir } });
    cleanup.add('demo', () => demo.stop());
    browser = await launchBrowser();
    cleanup.add('chromium', () => browser.close());
    [alice, bob] = await Promise.all([openPhone('alice'), openPhone('bob')]);
  });

  /** Opens the demo as `user`. */
  const openPhone = async (user: string): Promise<Page> => {
    const page = await browser.openPage(user, `${demo.url}?user=${user}`);
    // softphone.js marks the body once every handler is attached.
    await page.waitForFunction("document.body.dataset.ready === 'true'", undefined, { timeout: 15_000 });
    return page;
  };

  afterAll(async () => {
    await cleanup.runAll();
  });

  it('serves the page, the built SDK and its two libraries, nothing else of the repository', async () => {
    const status = async (path: string): Promise<number> => (await fetch(new URL(path, demo.url))).status;
    expect(await status('/demo/index.html')).toBe(200);
    expect(await status('/dist/index.js')).toBe(200);
    expect(await status('/dist/devtools.js')).toBe(200);
    expect(await status('/node_modules/xstate/dist/xstate.esm.js')).toBe(200);
    for (const path of ['/.git/HEAD', '/.git/config', '/package.json', '/src/index.ts', '/e2e/harness/users.ts', '/node_modules/.package-lock.json', '/demo/../package.json', '/demo/%2e%2e/package.json', '/dist/.hidden']) {
      expect(await status(path), path).toBe(404);
    }
  });

  it('registers alice and bob with the Register button; Call is enabled only then', async () => {
    for (const page of [alice, bob]) {
      expect(await page.getByTestId('call').isEnabled()).toBe(false);
      await page.getByTestId('register').click();
      await waitForText(page, 'device-state', 'registered');
      expect(await textOf(page, 'transport-state')).toBe('connected');
      expect(await page.getByTestId('call').isEnabled()).toBe(true);
    }
  });

  it('alice calls bob; bob sees who calls with the custom headers and answers', async () => {
    await alice.getByTestId('to').fill('bob');
    await alice.getByTestId('call').click();

    await bob.getByTestId('incoming').waitFor({ state: 'visible', timeout: 15_000 });
    expect(await textOf(bob, 'incoming-from')).toBe(sipUri('alice'));
    // No second call while one waits for an answer (on both ends).
    expect(await bob.getByTestId('call').isEnabled()).toBe(false);
    expect(await alice.getByTestId('call').isEnabled()).toBe(false);
    // The dialer's default params: ticketId and operator.
    const headers = await textOf(bob, 'incoming-headers');
    expect(headers).toContain('ticketId: INC-4815');
    expect(headers).toContain('operator: ada');
    await waitForText(alice, 'call-status', 'ringing');

    await bob.getByTestId('accept').click();
    await waitForHidden(bob, 'incoming');
    await waitForText(bob, 'call-status', 'accepted');
    await waitForText(alice, 'call-status', 'accepted');
    expect(await textOf(alice, 'peer')).toBe(sipUri('bob'));
    expect(await textOf(bob, 'peer')).toBe(sipUri('alice'));
  });

  it('sends the DTMF digits pressed on the pad', async () => {
    for (const digit of ['1', '2', '3']) {
      await alice.locator('#pad button', { hasText: digit }).click();
    }
    await waitForText(alice, 'digits-sent', '123');
    // The pad sends tones during a call; it does not dial.
    expect(await alice.getByTestId('to').inputValue()).toBe('bob');
  });

  it('mutes and unmutes with the Mute button', async () => {
    await alice.getByTestId('mute').click();
    await waitForPressed(alice, 'mute', true);
    expect(await textOf(alice, 'mute')).toBe('Unmute');
    expect(await textOf(alice, 'call-status')).toBe('accepted');
    await alice.getByTestId('mute').click();
    await waitForPressed(alice, 'mute', false);
    expect(await textOf(alice, 'mute')).toBe('Mute');
  });

  it('holds and resumes with the Hold button', async () => {
    await alice.getByTestId('hold').click();
    await waitForPressed(alice, 'hold', true);
    expect(await textOf(alice, 'hold')).toBe('Resume');
    expect(await textOf(alice, 'call-status')).toBe('accepted');
    // On hold from the click (the microphone stops at once); the far end's answer to the re-INVITE confirms it.
    await waitForActive(alice, 'call', 'hold.on');
    await mkdir(join(REPO_ROOT, 'test-results'), { recursive: true });
    await alice.screenshot({ path: SCREENSHOT_ON_HOLD, fullPage: true });
    await alice.getByTestId('hold').click();
    await waitForPressed(alice, 'hold', false);
    expect(await textOf(alice, 'hold')).toBe('Hold');
    await waitForActive(alice, 'call', 'hold.off');
  });

  it('shows the live statecharts (viewer panel) and the call quality', async () => {
    await waitForActive(alice, 'call', 'accepted');
    await waitForActive(bob, 'call', 'accepted');
    await waitForActive(alice, 'device', 'registered');
    expect(await alice.locator('[data-testid=viewer] .cc-entry[data-event-type="HOLD"]').count()).toBe(1);
    const quality = await waitForText(alice, 'quality', /MOS \d\.\d\d/);
    console.info(`alice's quality line: ${quality}`);
    expect(await alice.locator('#bars i.on').count()).toBeGreaterThan(0);

    await mkdir(join(REPO_ROOT, 'test-results'), { recursive: true });
    await alice.screenshot({ path: SCREENSHOT, fullPage: true });
  });

  it('opens the viewer in a window of its own, which is sent the live charts', async () => {
    const [popup] = await Promise.all([alice.waitForEvent('popup'), alice.getByTestId('open-viewer').click()]);
    const active = await waitFor(
      () =>
        popup.evaluate(() => {
          const machines = ['device', 'call'].map((machine) => document.querySelector(`.cc-chart[data-machine="${machine}"]`));
          const paths = [...document.querySelectorAll<HTMLElement>('.cc-node.is-active')].map((node) => node.dataset['statePath']!);
          return machines.every(Boolean) ? paths : undefined;
        }),
      { timeoutMs: 15_000, intervalMs: 50, description: 'the popup viewer to draw the device and the call' },
    );
    expect(active.some((path) => `.${path}`.endsWith('.registered'))).toBe(true);
    expect(active).toContain('accepted');
    await popup.close();
  });

  it('hangs up: both phones go back to no call', async () => {
    await alice.getByTestId('hangup').click();
    for (const page of [alice, bob]) {
      await waitForHidden(page, 'in-call');
      const ended = await waitForActive(page, 'call', 'disconnected');
      expect(ended.status).toBe('done');
      expect(await page.getByTestId('call').isEnabled()).toBe(true);
    }
    expect(await textOf(bob, 'log')).toMatch(/disconnect: remote-hangup/);
    expect(await textOf(alice, 'log')).toMatch(/disconnect: local-hangup/);
  });

  it('keeps the event log in time order, oldest first', async () => {
    const lines = await logLines(alice);
    const at = (text: string): number => lines.findIndex((line) => line.startsWith(text));
    const order = ['registering', 'registered', 'ringing', 'accepted', 'mute true', 'mute false', 'hold true', 'hold false', 'disconnect: local-hangup'].map(at);
    expect(order.every((index) => index >= 0), lines.join(' / ')).toBe(true);
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  it('a new call starts without the previous call\'s quality; a busy reject ends it', async () => {
    expect(await alice.locator('#bars i.on').count()).toBeGreaterThan(0);
    await alice.getByTestId('call').click();
    await waitForText(alice, 'call-status', /pending|ringing/);
    expect(await textOf(alice, 'quality')).toBe('waiting for the first sample…');
    expect(await alice.locator('#bars i.on').count()).toBe(0);
    await bob.getByTestId('incoming').waitFor({ state: 'visible', timeout: 15_000 });
    await bob.getByTestId('reject-busy').click();
    await waitForHidden(alice, 'in-call');
    await waitForHidden(bob, 'incoming');
    expect((await logLines(alice)).at(-1)).toMatch(/^disconnect: busy/);
    for (const page of [alice, bob]) expect(await page.getByTestId('call').isEnabled()).toBe(true);
  });

  it('unregisters with the Unregister button, with no errors on the pages or in Kamailio', async () => {
    for (const page of [alice, bob]) {
      await page.getByTestId('unregister').click();
      await waitForText(page, 'device-state', 'unregistered');
    }
    expect(browser.consoleErrors()).toEqual([]);
    expect(kamailioErrors(demo.kamailio)).toEqual([]);
  });
});
