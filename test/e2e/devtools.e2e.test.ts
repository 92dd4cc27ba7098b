// callchart/devtools in Chromium with a real call through Kamailio: alice's
// device is inspected by a viewer panel in her page and, through
// createInspector() and a BroadcastChannel, by a viewer in another window (an
// iframe), and by a viewer drawn into a blank popup (openViewerWindow). From the DOM: the highlighted states are what the actors'
// snapshots say at every step of the call (registered → ringing → accepted →
// hold on → disconnected), the timeline is in order, no password anywhere.
// Screenshots: test-results/devtools-*.png.
//
// Build first (npx tsup --silent), then:
//   bash e2e/scripts/in-netns.sh npx vitest run --project e2e test/e2e/devtools.e2e.test.ts
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startSdkRig,
  CleanupStack,
  REPO_ROOT,
  USERS,
  kamailioErrors,
  pageApi,
  userAccount,
  waitFor,
  type E2EBrowser,
  type Kamailio,
} from '../../e2e/harness/index.js';

interface Highlight {
  drawn: boolean;
  status?: string;
  shown: string[];
  expected: string[];
}
type LabApi = {
  create(name: string, options: { server: string; uri: string; password: string }): Promise<string>;
  call(from: string, to: string): Promise<string>;
  hasIncoming(): boolean;
  accept(name: string): Promise<string>;
  status(name: string): string | undefined;
  hold(name: string, on: boolean): Promise<void>;
  hangup(name: string): Promise<void>;
  highlights(which: 'device' | 'call'): { panel: Highlight; remote: Highlight | undefined; popup: Highlight | undefined };
  timeline(root?: 'panel' | 'remote'): [number, string, string, string][];
  ids(): { device: string; call?: string; callId?: string };
  html(): string;
  destroy(): Promise<void>;
};
const lab = pageApi<LabApi>('lab');
const WAIT = { timeoutMs: 15_000, intervalMs: 25 };
const RESULTS = join(REPO_ROOT, 'test-results');

describe('callchart/devtools follows a real call', () => {
  const cleanup = new CleanupStack();
  let kamailio: Kamailio;
  let browser: E2EBrowser;
  let page: Page;

  beforeAll(async () => {
    const rig = await startSdkRig(cleanup);
    ({ kamailio, browser } = rig);
    const server = rig.server;
    page = await browser.openPage('devtools', `${server.url}/e2e/pages/devtools/index.html`, {
      readyExpression: "window.labReady === true && document.getElementById('remote').contentWindow.viewerReady === true",
    });
    await page.setViewportSize({ width: 1600, height: 1000 });
    await mkdir(RESULTS, { recursive: true });
  });

  afterAll(async () => {
    if (page) await lab(page, 'destroy').catch(() => undefined);
    await cleanup.runAll();
  });

  /**
   * Waits until both viewers highlight what the actor's snapshot says and
   * `accept` holds for the active paths; returns them.
   */
  const settledHighlight = (which: 'device' | 'call', accept: (active: string[]) => boolean, description: string) =>
    waitFor(
      async () => {
        const { panel, remote, popup } = await lab(page, 'highlights', which);
        const agrees = (h: Highlight | undefined): boolean =>
          h !== undefined && h.drawn && h.shown.length > 0 && h.shown.join() === h.expected.join() && h.shown.join() === panel.shown.join();
        return agrees(panel) && agrees(remote) && agrees(popup) && accept(panel.shown) ? panel : undefined;
      },
      { ...WAIT, description: `${which} chart: ${description}` },
    );

  /** A path ending in `...keys` is active (`registered`, `hold.on`): the name, wherever the refactor nests it. */
  const has = (...keys: string[]) => (active: string[]) => active.some((path) => `.${path}`.endsWith(`.${keys.join('.')}`));

  it('registered: the device chart highlights the registered state', async () => {
    for (const name of ['alice', 'bob'] as const) {
      const state = await lab(page, 'create', name, userAccount(name, kamailio.wsUrl));
      expect(state).toBe('registered');
    }
    const device = await settledHighlight('device', has('registered'), 'registered');
    console.info(`device active: ${device.shown.join(' | ')}`);
  });

  it('ringing → accepted: the call chart follows the call', async () => {
    await lab(page, 'call', 'alice', 'bob');
    await waitFor(() => lab(page, 'hasIncoming'), { ...WAIT, description: 'the call reaching bob' });
    await waitFor(async () => (await lab(page, 'status', 'alice')) === 'ringing', { ...WAIT, description: 'alice hearing ringing' });
    const ringing = await settledHighlight('call', has('ringing'), 'ringing');
    console.info(`call active while ringing: ${ringing.shown.join(' | ')}`);
    await page.screenshot({ path: join(RESULTS, 'devtools-ringing.png'), fullPage: true });

    expect(await lab(page, 'accept', 'bob')).toBe('accepted');
    const accepted = await settledHighlight('call', (active) => has('accepted')(active) && !has('ringing')(active), 'accepted');
    expect(accepted.shown.length).toBeGreaterThan(3);
  });

  it('hold on: the hold region of the accepted call shows on', async () => {
    await lab(page, 'hold', 'alice', true);
    const held = await settledHighlight('call', has('hold', 'on'), 'hold on');
    console.info(`call active on hold: ${held.shown.join(' | ')}`);
    await page.screenshot({ path: join(RESULTS, 'devtools-hold.png'), fullPage: true });
    await lab(page, 'hold', 'alice', false);
    await settledHighlight('call', (active) => has('accepted')(active) && !has('hold', 'on')(active), 'hold off');
  });

  it('disconnected: the call chart ends in its final state and stays on screen as done', async () => {
    await lab(page, 'hangup', 'alice');
    const ended = await settledHighlight('call', has('disconnected'), 'disconnected');
    expect(ended.status).toBe('done');
    await page.screenshot({ path: join(RESULTS, 'devtools-ended.png'), fullPage: true });
  });

  it('the timeline lists the events in the order they happened, in both viewers', async () => {
    const { callId } = await lab(page, 'ids');
    for (const root of ['panel', 'remote'] as const) {
      const timeline = await lab(page, 'timeline', root);
      const seqs = timeline.map(([seq]) => seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      const times = timeline.map(([, , , time]) => Number.parseFloat(time.slice(1)));
      expect(times).toEqual([...times].sort((a, b) => a - b));
      const deviceEvents = timeline.filter(([, target]) => target !== callId).map(([, , type]) => type);
      const callEvents = timeline.filter(([, target]) => target === callId).map(([, , type]) => type);
      // What alice did, in order: register, call, hold, resume, hang up.
      expect(deviceEvents.indexOf('REGISTER')).toBeGreaterThan(-1);
      expect(deviceEvents.indexOf('CALL')).toBeGreaterThan(deviceEvents.indexOf('REGISTER'));
      const hold = callEvents.indexOf('HOLD');
      expect(hold).toBeGreaterThan(-1);
      expect(callEvents.indexOf('UNHOLD')).toBeGreaterThan(hold);
      expect(callEvents.indexOf('DISCONNECT')).toBeGreaterThan(callEvents.indexOf('UNHOLD'));
      if (root === 'panel') console.info(`timeline: ${timeline.length} events; call: ${callEvents.filter((t) => t !== 'QUALITY').join(' ')}`);
    }
  });

  it('shows no password anywhere, and nothing went wrong on the page or in Kamailio', async () => {
    const html = await lab(page, 'html');
    expect(html).toContain('cc-entry');
    for (const user of Object.values(USERS)) expect(html).not.toContain(user.password);
    expect(browser.consoleErrors()).toEqual([]);
    expect(kamailioErrors(kamailio)).toEqual([]);
  });
});
