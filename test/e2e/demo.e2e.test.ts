// The demo softphone (demo/, served by scripts/demo.ts) driven like a person
// would: two pages, alice and bob, register, call with custom headers, answer,
// DTMF, mute, hold, the live statechart and quality text, hang up. Leaves a
// screenshot of alice's page in test-results/demo-alice.png.
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

  it('registers alice and bob with the Register button', async () => {
    for (const page of [alice, bob]) {
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
    await waitForText(alice, 'call-chart', /"hold": "on"/);
    await alice.getByTestId('hold').click();
    await waitForPressed(alice, 'hold', false);
    expect(await textOf(alice, 'hold')).toBe('Hold');
    expect(await textOf(alice, 'call-chart')).toMatch(/"hold": "off"/);
  });

  it('shows the live call statechart and the call quality', async () => {
    const chart = await waitForText(alice, 'call-chart', /^call: \{/);
    expect(chart).toContain('"accepted"');
    expect(await textOf(alice, 'device-chart')).toMatch(/^device: \{/);
    const quality = await waitForText(alice, 'quality', /MOS \d\.\d\d/);
    console.info(`alice's quality line: ${quality}`);
    expect(await alice.locator('#bars i.on').count()).toBeGreaterThan(0);

    await mkdir(join(REPO_ROOT, 'test-results'), { recursive: true });
    await alice.screenshot({ path: SCREENSHOT, fullPage: true });
  });

  it('hangs up: both phones go back to no call', async () => {
    await alice.getByTestId('hangup').click();
    for (const page of [alice, bob]) {
      await waitForHidden(page, 'in-call');
      await waitForText(page, 'call-chart', 'no call');
      expect(await page.getByTestId('call').isEnabled()).toBe(true);
    }
    expect(await textOf(bob, 'log')).toMatch(/disconnect: remote-hangup/);
    expect(await textOf(alice, 'log')).toMatch(/disconnect: local-hangup/);
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
