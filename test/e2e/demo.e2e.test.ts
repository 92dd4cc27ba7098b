// The demo softphone (demo/, served by scripts/demo.ts) driven like a person
// would: two pages, alice and bob, register, call with custom headers, answer,
// DTMF (sent by SIP INFO, shown as received on the other phone), mute, hold
// (shown as a remote hold on the other phone), recording with a download,
// the microphone picker (and its fall back when the chosen one goes), the
// ringtone on another output (an AudioContext made for its sinkId), the
// live statechart viewer and the quality sparklines, the sounds (real
// AudioContexts running while they sound and closed after), hang up, a
// second call with sounds off that starts without the first one's quality
// and is refused; then, with carol as a third page, the call list: call
// waiting answered from the list and switched back (the held call's packets
// stop), a blind transfer (Transfer) and an attended one (Consult, Complete
// transfer) ending with alice ↔ carol in both lists; a video call (Video
// checkboxes, both remote <video> elements playing, Video off) in which bob
// sees alice's display name and the talking time moves. Checks the
// Call button is enabled only when calling can work, the event log is in time
// order, and the server serves nothing but what the page needs. Leaves
// screenshots in test-results/demo-alice*.png (alice on hold, in a call) and
// test-results/demo-bob-*.png (bob rung, bob held by alice, call waiting, two
// calls, consulting, in a video call), demo-alice-transferred.png, demo-carol-replaces.png.
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
const SCREENSHOT_REMOTE_HOLD = join(REPO_ROOT, 'test-results', 'demo-bob-remote-hold.png');
const SCREENSHOT_INCOMING = join(REPO_ROOT, 'test-results', 'demo-bob-incoming.png');
const SCREENSHOT_CALL_WAITING = join(REPO_ROOT, 'test-results', 'demo-bob-call-waiting.png');
const SCREENSHOT_TWO_CALLS = join(REPO_ROOT, 'test-results', 'demo-bob-two-calls.png');
const SCREENSHOT_CONSULT = join(REPO_ROOT, 'test-results', 'demo-bob-consult.png');
const SCREENSHOT_TRANSFERRED = join(REPO_ROOT, 'test-results', 'demo-alice-transferred.png');
const SCREENSHOT_REPLACED = join(REPO_ROOT, 'test-results', 'demo-carol-replaces.png');
const SCREENSHOT_VIDEO = join(REPO_ROOT, 'test-results', 'demo-bob-video.png');

/**
 * Runs before the page's scripts: keeps every AudioContext the page makes,
 * with the states it went through, so a test can see sounds really play
 * (running) and stop (closed).
 */
const WATCH_AUDIO_CONTEXTS = `
  window.__audioContexts = [];
  const Original = window.AudioContext;
  window.AudioContext = class extends Original {
    constructor(...args) {
      super(...args);
      const entry = { states: [this.state], sinkId: args[0]?.sinkId };
      window.__audioContexts.push(entry);
      this.addEventListener('statechange', () => entry.states.at(-1) !== this.state && entry.states.push(this.state));
    }
  };
`;

/** The output device each AudioContext of the page was made for (undefined: the default). */
const audioContextSinks = (page: Page): Promise<Array<string | undefined>> =>
  page.evaluate(() => (window as unknown as { __audioContexts: Array<{ sinkId?: string }> }).__audioContexts.map((c) => c.sinkId));

/** The states each AudioContext of the page went through, oldest context first. */
const audioContexts = (page: Page): Promise<string[][]> =>
  page.evaluate(() => (window as unknown as { __audioContexts: Array<{ states: string[] }> }).__audioContexts.map((c) => c.states));

/** Waits until the page has a context running now (a sound plays); returns how many contexts it made. */
const waitForSound = (page: Page, what: string): Promise<number> =>
  waitFor(
    async () => {
      const contexts = await audioContexts(page);
      return contexts.some((states) => states.at(-1) === 'running') ? contexts.length : undefined;
    },
    { timeoutMs: 15_000, intervalMs: 50, description: `${what}: an AudioContext running` },
  );

/** Waits until every AudioContext of the page is closed (nothing sounds) and at least `count` were made. */
const waitForSilence = (page: Page, what: string, count = 1): Promise<string[][]> =>
  waitFor(
    async () => {
      const contexts = await audioContexts(page);
      return contexts.length >= count && contexts.every((states) => states.at(-1) === 'closed') ? contexts : undefined;
    },
    { timeoutMs: 15_000, intervalMs: 50, description: `${what}: every AudioContext closed` },
  );

/** The number of points the sparkline of `metric` draws. */
const sparkPoints = async (page: Page, metric: 'mos' | 'rtt' | 'loss'): Promise<number> =>
  Number(await page.locator(`[data-testid=sparklines] .spark[data-metric=${metric}]`).getAttribute('data-points'));

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

// The call-centre screenshots show the phone column (the viewer beside it grows with every call).

/** The row of the call list whose far end is `user`. */
const row = (page: Page, user: string) => page.locator(`[data-testid=call-row][data-peer="${sipUri(user)}"]`);

/** Waits until the call list shows exactly these calls (far end → state), in any order. */
const waitForList = (page: Page, expected: Record<string, string>): Promise<unknown> =>
  waitFor(
    async () => {
      const rows = await page.locator('[data-testid=call-row]').evaluateAll((nodes) =>
        Object.fromEntries(nodes.map((node) => [(node as HTMLElement).dataset['peer'], (node as HTMLElement).dataset['state']])),
      );
      const want = Object.fromEntries(Object.entries(expected).map(([user, state]) => [sipUri(user), state]));
      const same = JSON.stringify(rows, Object.keys(want).sort()) === JSON.stringify(want, Object.keys(want).sort());
      if (same && Object.keys(rows).length === Object.keys(want).length) return rows;
      // Thrown, so that a timeout tells what the list showed last.
      throw new Error(`the list reads ${JSON.stringify(rows)}`);
    },
    { timeoutMs: 15_000, intervalMs: 50, description: `the call list to read ${JSON.stringify(expected)}` },
  );

/** Waits until the call list shows one call, in `state`; returns its far end. */
const waitForOneCall = (page: Page, state: string): Promise<string> =>
  waitFor(
    async () => {
      const rows = await page.locator('[data-testid=call-row]').evaluateAll((nodes) => nodes.map((node) => ({ ...(node as HTMLElement).dataset })));
      if (rows.length === 1 && rows[0]!['state'] === state) return rows[0]!['peer']!;
      throw new Error(`the list reads ${JSON.stringify(rows)}`);
    },
    { timeoutMs: 15_000, intervalMs: 50, description: `one call, ${state}` },
  );

/** RTP packets received so far on the page's call with `user` (its inbound audio). */
const packetsFrom = (page: Page, user: string): Promise<number> =>
  page.evaluate(async (peer) => {
    const demo = (window as unknown as { callchartDemo: { device: { calls: Array<{ remoteIdentity: string; getPeerConnection(): RTCPeerConnection | undefined }> } } }).callchartDemo;
    const call = demo.device.calls.find((c) => c.remoteIdentity === peer);
    let packets = 0;
    (await call?.getPeerConnection()?.getStats())?.forEach((report) => {
      if (report.type === 'inbound-rtp' && report.kind === 'audio') packets += report.packetsReceived;
    });
    return packets;
  }, sipUri(user));

/** Waits until the inbound packets of the call with `user` stop (`flowing` false) or flow; returns the last count. */
const waitForPackets = (page: Page, user: string, flowing: boolean): Promise<number> => {
  let last = -1;
  return waitFor(
    async () => {
      const now = await packetsFrom(page, user);
      const moved = now > last;
      const before = last;
      last = now;
      return before >= 0 && moved === flowing ? now : undefined;
    },
    { timeoutMs: 15_000, intervalMs: 500, description: `the packets from ${user} to ${flowing ? 'flow' : 'stop'}` },
  );
};

/** The talking time the in-call card shows (from the call's timer), in ms. */
const talkingMs = async (page: Page): Promise<number> => Number(await page.getByTestId('timer').getAttribute('data-talking-ms'));

/** Waits until the card's remote <video> plays: a picture (videoWidth > 0) and its time moving; returns its size. */
const waitForRemoteVideo = (page: Page): Promise<string> => {
  let last = -1;
  return waitFor(
    async () => {
      const { width, height, time } = await page.getByTestId('remote-video').evaluate((node) => {
        const video = node as HTMLVideoElement;
        return { width: video.videoWidth, height: video.videoHeight, time: video.currentTime };
      });
      const moved = last >= 0 && time > last;
      last = time;
      return width > 0 && moved ? `${width}×${height}` : undefined;
    },
    { timeoutMs: 15_000, intervalMs: 200, description: 'the remote video to play' },
  );
};

const waitForHidden = (page: Page, testId: string): Promise<void> =>
  page.getByTestId(testId).waitFor({ state: 'hidden', timeout: 15_000 });

describe('demo softphone', () => {
  const cleanup = new CleanupStack();
  let demo: Demo;
  let browser: E2EBrowser;
  let alice: Page;
  let bob: Page;
  let carol: Page;

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
    [alice, bob, carol] = await Promise.all([openPhone('alice'), openPhone('bob'), openPhone('carol')]);
  });

  /** Opens the demo as `user`. */
  const openPhone = async (user: string): Promise<Page> => {
    const page = await browser.openPage(user, `${demo.url}?user=${user}`);
    await page.addInitScript(WATCH_AUDIO_CONTEXTS);
    await page.reload();
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

  it('registers alice, bob and carol with the Register button; Call is enabled only then', async () => {
    // alice sends her digits by SIP INFO, so that bob's page sees them.
    await alice.getByTestId('dtmf-method').selectOption('info');
    // The name bob's phone shows for her (the From's display name).
    await alice.getByTestId('display-name').fill('Alice Liddell');
    for (const page of [alice, bob, carol]) {
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
    // Caller info: her display name in the banner and in bob's list (call.info).
    expect(await textOf(bob, 'incoming-name')).toBe('Alice Liddell');
    expect(await row(bob, 'alice').getByTestId('call-row-name').textContent()).toContain('Alice Liddell');
    // No second call while one waits for an answer (on both ends).
    expect(await bob.getByTestId('call').isEnabled()).toBe(false);
    expect(await alice.getByTestId('call').isEnabled()).toBe(false);
    // The dialer's default params: ticketId and operator.
    const headers = await textOf(bob, 'incoming-headers');
    expect(headers).toContain('ticketId: INC-4815');
    expect(headers).toContain('operator: ada');
    await waitForText(alice, 'call-status', 'ringing');
    // bob's ringtone and alice's ringback (a 180 without SDP) sound: real AudioContexts running.
    expect(await waitForSound(bob, "bob's ringtone")).toBe(1);
    expect(await waitForSound(alice, "alice's ringback")).toBe(1);
    await mkdir(join(REPO_ROOT, 'test-results'), { recursive: true });
    await bob.screenshot({ path: SCREENSHOT_INCOMING, fullPage: true });

    await bob.getByTestId('accept').click();
    await waitForHidden(bob, 'incoming');
    await waitForText(bob, 'call-status', 'accepted');
    await waitForText(alice, 'call-status', 'accepted');
    // Both stop with the state that played them, and their contexts close.
    expect(await waitForSilence(bob, 'the ringtone after accept')).toEqual([['running', 'closed']]);
    expect(await waitForSilence(alice, 'the ringback after the answer')).toEqual([['running', 'closed']]);
    expect(await textOf(alice, 'peer')).toBe(sipUri('bob'));
    expect(await textOf(bob, 'peer')).toBe(sipUri('alice'));
  });

  it('sends the DTMF digits pressed on the pad, with keypad tones; bob sees them received', async () => {
    const before = (await audioContexts(alice)).length;
    for (const digit of ['1', '2', '3']) {
      await alice.locator('#pad button', { hasText: digit }).click();
    }
    await waitForText(alice, 'digits-sent', '123');
    await waitForText(bob, 'digits-received', '123');
    // Keypad tones played (a context ran) and stopped (all closed).
    const contexts = await waitForSilence(alice, 'the keypad tones', before + 1);
    expect(contexts.slice(before).every((states) => states.includes('running'))).toBe(true);
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
    // bob's phone shows that alice holds him.
    await bob.getByTestId('remote-hold').waitFor({ state: 'visible', timeout: 15_000 });
    await waitForActive(bob, 'call', 'remoteHold.on');
    await mkdir(join(REPO_ROOT, 'test-results'), { recursive: true });
    await alice.screenshot({ path: SCREENSHOT_ON_HOLD, fullPage: true });
    await bob.screenshot({ path: SCREENSHOT_REMOTE_HOLD, fullPage: true });
    await alice.getByTestId('hold').click();
    await waitForPressed(alice, 'hold', false);
    expect(await textOf(alice, 'hold')).toBe('Hold');
    await waitForActive(alice, 'call', 'hold.off');
    // The card's timer counts the time on hold (getTimer() / the timer event).
    await waitFor(async () => (Number(await alice.getByTestId('timer').getAttribute('data-on-hold-ms')) > 0 ? true : undefined), {
      timeoutMs: 15_000,
      intervalMs: 100,
      description: 'an on-hold time',
    });
    expect(await textOf(alice, 'timer')).toMatch(/^ringing 0:\d\d · talking 0:\d\d · on hold 0:0\d$/);
    await waitForHidden(bob, 'remote-hold');
    expect(await textOf(bob, 'log')).toMatch(/remote hold true.*remote hold false/s);
  });

  it('records the call and offers the recording (a Blob) for download', async () => {
    await alice.getByTestId('record').click();
    await waitForPressed(alice, 'record', true);
    // Two more quality samples: two more seconds of audio recorded.
    const points = await sparkPoints(alice, 'mos');
    await waitFor(async () => ((await sparkPoints(alice, 'mos')) >= Math.min(points + 2, 60) ? true : undefined), {
      timeoutMs: 15_000,
      intervalMs: 100,
      description: 'two more quality samples',
    });
    await alice.getByTestId('record').click();
    await waitForPressed(alice, 'record', false);
    const link = alice.getByTestId('recording-link');
    await link.waitFor({ state: 'visible', timeout: 15_000 });
    expect(await link.getAttribute('download')).toMatch(/^call-.*\.webm$/);
    const download = await alice.evaluate(async (href) => {
      const blob = await (await fetch(href)).blob();
      return { size: blob.size, type: blob.type };
    }, (await link.getAttribute('href'))!);
    console.info(`alice's recording: ${download.size} bytes, ${download.type}`);
    expect(download.type).toMatch(/^audio\//);
    expect(download.size).toBeGreaterThan(1000);
    expect(Number(await link.getAttribute('data-size'))).toBe(download.size);
  });

  it('switches the microphone from the picker; when it goes, the call falls back to the default one', async () => {
    const options = await alice.getByTestId('mic').locator('option').evaluateAll((nodes) =>
      nodes.map((node) => ({ value: (node as HTMLOptionElement).value, label: node.textContent ?? '' })),
    );
    console.info(`alice's microphones: ${options.map((o) => o.label).join(', ')}`);
    const other = options.find((o) => o.value !== 'default');
    expect(other, 'a second fake microphone').toBeDefined();
    const defaultLabel = await textOf(alice, 'mic-in-use');
    expect(defaultLabel).toMatch(/fake/i);
    await alice.getByTestId('mic').selectOption(other!.value);
    await waitForText(alice, 'mic-in-use', other!.label);
    // Unplugged: the browser stops listing it and fires devicechange.
    await alice.evaluate((gone) => {
      const media = navigator.mediaDevices;
      const list = media.enumerateDevices.bind(media);
      media.enumerateDevices = async () => (await list()).filter((d) => d.deviceId !== gone);
      media.dispatchEvent(new Event('devicechange'));
    }, other!.value);
    await waitFor(async () => ((await logLines(alice)).some((l) => l.startsWith(`input device ${other!.label} is gone`)) ? true : undefined), {
      timeoutMs: 15_000,
      intervalMs: 50,
      description: 'the device-lost line',
    });
    await waitForText(alice, 'mic-in-use', defaultLabel);
    expect(await alice.getByTestId('mic').inputValue()).toBe('default');
    expect(await textOf(alice, 'call-status')).toBe('accepted');
  });

  it('shows the live statecharts (viewer panel) and the call quality', async () => {
    await waitForActive(alice, 'call', 'accepted');
    await waitForActive(bob, 'call', 'accepted');
    await waitForActive(alice, 'device', 'registered');
    expect(await alice.locator('[data-testid=viewer] .cc-entry[data-event-type="HOLD"]').count()).toBe(1);
    const quality = await waitForText(alice, 'quality', /MOS \d\.\d\d/);
    console.info(`alice's quality line: ${quality}`);
    expect(await alice.locator('#bars i.on').count()).toBeGreaterThan(0);
    // The sparklines plot every sample of this call so far.
    expect(await sparkPoints(alice, 'mos')).toBeGreaterThanOrEqual(3);
    expect(await sparkPoints(alice, 'rtt')).toBeGreaterThanOrEqual(3);
    expect(await alice.locator('[data-testid=sparklines] .spark[data-metric=mos] polyline').getAttribute('points')).toMatch(/^[\d.]+,[\d.]+( [\d.]+,[\d.]+){2,}/);

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

  it('hangs up: both phones go back to no call, with the disconnect tone', async () => {
    const before = await Promise.all([alice, bob].map(async (page) => (await audioContexts(page)).length));
    await alice.getByTestId('hangup').click();
    for (const page of [alice, bob]) {
      await waitForHidden(page, 'in-call');
      const ended = await waitForActive(page, 'call', 'disconnected');
      expect(ended.status).toBe('done');
      expect(await page.getByTestId('call').isEnabled()).toBe(true);
    }
    expect(await textOf(bob, 'log')).toMatch(/disconnect: remote-hangup/);
    expect(await textOf(alice, 'log')).toMatch(/disconnect: local-hangup/);
    // The disconnect tone: one more context on each page, which ran and closed.
    for (const [i, page] of [alice, bob].entries()) {
      const contexts = await waitForSilence(page, 'the disconnect tone', before[i]! + 1);
      expect(contexts.slice(before[i]!)).toEqual([['running', 'closed']]);
    }
  });

  it('keeps the event log in time order, oldest first', async () => {
    const lines = await logLines(alice);
    // A call's lines start with its far end (`sip:bob@…: ringing`).
    const at = (text: string): number => lines.findIndex((line) => line.replace(/^\S+: /, '').startsWith(text));
    const order = ['registering', 'registered', 'ringing', 'accepted', 'mute true', 'mute false', 'hold true', 'hold false', 'disconnect: local-hangup'].map(at);
    expect(order.every((index) => index >= 0), lines.join(' / ')).toBe(true);
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  it('a new call starts without the previous call\'s quality; bob\'s sounds are off; a busy reject ends it', async () => {
    await bob.getByTestId('sounds').uncheck();
    const bobContexts = (await audioContexts(bob)).length;
    await alice.getByTestId('call').click();
    await waitForText(alice, 'call-status', /pending|ringing/);
    expect(await textOf(alice, 'quality')).toBe('waiting for the first sample…');
    expect(await alice.locator('#bars i.on').count()).toBe(0);
    expect(await sparkPoints(alice, 'mos')).toBe(0);
    expect(await alice.getByTestId('recording-link').isHidden()).toBe(true);
    await bob.getByTestId('incoming').waitFor({ state: 'visible', timeout: 15_000 });
    // No ringtone with the sounds off (the ringback on alice's side plays as before).
    await waitForText(alice, 'call-status', 'ringing');
    await waitForSound(alice, "alice's ringback");
    expect((await audioContexts(bob)).length).toBe(bobContexts);
    await bob.getByTestId('reject-busy').click();
    await waitForHidden(alice, 'in-call');
    await waitForHidden(bob, 'incoming');
    expect((await logLines(alice)).at(-1)).toMatch(/: disconnect: busy \(486\)/);
    for (const page of [alice, bob]) expect(await page.getByTestId('call').isEnabled()).toBe(true);
    // The ringback stopped; a call never answered has no disconnect tone.
    await waitForSilence(alice, 'the ringback after the 486');
    await bob.getByTestId('sounds').check();
  });

  it('bob\'s ringtone rings on the output he picked (an AudioContext made for that sinkId)', async () => {
    const outputs = await bob.getByTestId('ringtone-device').locator('option').evaluateAll((nodes) =>
      nodes.map((node) => ({ value: (node as HTMLOptionElement).value, label: node.textContent ?? '' })),
    );
    const speaker = outputs.find((o) => o.value !== 'default');
    expect(speaker, `a second fake output among ${outputs.map((o) => o.label).join(', ')}`).toBeDefined();
    await bob.getByTestId('ringtone-device').selectOption(speaker!.value);
    await waitFor(async () => ((await logLines(bob)).some((l) => l === `ringtone on: ${speaker!.label}`) ? true : undefined), {
      timeoutMs: 15_000,
      intervalMs: 50,
      description: 'the ringtone device chosen',
    });
    const before = (await audioContexts(bob)).length;
    await alice.getByTestId('call').click();
    await bob.getByTestId('incoming').waitFor({ state: 'visible', timeout: 15_000 });
    expect(await waitForSound(bob, 'the ringtone on the picked output')).toBe(before + 1);
    expect((await audioContextSinks(bob)).at(-1)).toBe(speaker!.value);
    await bob.getByTestId('reject-dnd').click();
    await waitForHidden(alice, 'in-call');
    await waitForSilence(bob, 'the ringtone after the 603', before + 1);
    await bob.getByTestId('ringtone-device').selectOption('default');
  });

  it('call waiting: carol calls bob while he talks with alice; he answers from the list (alice held) and switches back', async () => {
    await alice.getByTestId('to').fill('bob');
    await alice.getByTestId('call').click();
    await bob.getByTestId('accept').click();
    await waitForList(bob, { alice: 'talking' });
    await waitForList(alice, { bob: 'talking' });
    // During a call Call stays enabled (a second outbound call would hold this one).
    expect(await alice.getByTestId('call').isEnabled()).toBe(true);

    await carol.getByTestId('to').fill('bob');
    await carol.getByTestId('call').click();
    await waitForList(bob, { alice: 'talking', carol: 'incoming' });
    await waitForText(bob, 'incoming-title', 'Call waiting');
    expect(await textOf(bob, 'incoming-from')).toBe(sipUri('carol'));
    await bob.locator('.phone').screenshot({ path: SCREENSHOT_CALL_WAITING });
    // Both talk: alice's audio reaches bob.
    await waitForPackets(bob, 'alice', true);

    await row(bob, 'carol').getByTestId('row-answer').click();
    await waitForList(bob, { alice: 'on hold', carol: 'talking' });
    await waitForList(alice, { bob: 'held by the far end' });
    await waitForHidden(bob, 'incoming');
    expect(await textOf(bob, 'peer')).toBe(sipUri('carol'));
    // alice answered bob's hold recvonly: her packets stop reaching bob.
    const stopped = await waitForPackets(bob, 'alice', false);
    await waitForPackets(bob, 'carol', true);

    await row(bob, 'alice').getByTestId('row-switch').click();
    await waitForList(bob, { alice: 'talking', carol: 'on hold' });
    await waitForList(carol, { bob: 'held by the far end' });
    expect(await textOf(bob, 'peer')).toBe(sipUri('alice'));
    expect(await waitForPackets(bob, 'alice', true)).toBeGreaterThan(stopped);
    await bob.locator('.phone').screenshot({ path: SCREENSHOT_TWO_CALLS });

    await carol.getByTestId('hangup').click();
    await waitForList(bob, { alice: 'talking' });
    await waitForHidden(carol, 'calls');
  });

  it('a transfer to nobody fails: bob sees transfer-failed with its status; the call stays up', async () => {
    await bob.getByTestId('transfer-to').fill('nobody');
    await bob.getByTestId('transfer').click();
    const shown = await waitForText(bob, 'transfer-status', /^transfer failed: transfer-failed \(\d{3}\)$/);
    console.info(`bob's failed transfer: ${shown}`);
    expect((await logLines(bob)).join('\n')).toMatch(/transfer requested[^]*transfer failed \(\d{3}\)/);
    await waitForList(bob, { alice: 'talking' });
    await waitForList(alice, { bob: 'talking' });
    expect(await bob.getByTestId('transfer').isEnabled()).toBe(true);
  });

  it('blind transfer: bob transfers alice to carol with Transfer; carol answers; alice ↔ carol in both lists', async () => {
    await bob.getByTestId('transfer-to').fill('carol');
    await bob.getByTestId('transfer').click();
    await carol.getByTestId('incoming').waitFor({ state: 'visible', timeout: 15_000 });
    expect(await textOf(carol, 'incoming-from')).toBe(sipUri('alice'));
    await carol.getByTestId('accept').click();
    await waitForList(alice, { carol: 'talking' });
    await waitForList(carol, { alice: 'talking' });
    await waitForHidden(bob, 'in-call');
    await waitForHidden(bob, 'calls');
    const bobLog = (await logLines(bob)).join('\n');
    expect(bobLog).toMatch(/transfer requested[^]*transfer accepted[^]*transfer succeeded[^]*disconnect: transferred/);
    expect((await logLines(alice)).join('\n')).toMatch(/: referred to sip:carol@[^]*disconnect: transferred/);
    expect(await row(alice, 'carol').getByTestId('call-row-state').textContent()).toContain('transferred here from');
    expect(await textOf(alice, 'peer')).toBe(sipUri('carol'));
    await alice.getByTestId('hangup').click();
    for (const page of [alice, carol]) await waitForHidden(page, 'calls');
  });

  it('attended transfer: bob consults carol (alice held), then Complete transfer; alice ↔ carol in both lists', async () => {
    await alice.getByTestId('call').click();
    await bob.getByTestId('accept').click();
    await waitForList(bob, { alice: 'talking' });
    expect(await bob.getByTestId('complete-transfer').isEnabled()).toBe(false);
    await bob.getByTestId('transfer-to').fill('carol');
    await bob.getByTestId('consult').click();
    await waitForList(bob, { alice: 'on hold', carol: 'ringing' });
    await carol.getByTestId('accept').click();
    await waitForList(bob, { alice: 'on hold', carol: 'talking' });
    await waitForList(alice, { bob: 'held by the far end' });
    await waitFor(async () => ((await bob.getByTestId('complete-transfer').isEnabled()) ? true : undefined), {
      timeoutMs: 15_000,
      intervalMs: 50,
      description: 'Complete transfer enabled',
    });
    await bob.locator('.phone').screenshot({ path: SCREENSHOT_CONSULT });

    await bob.getByTestId('complete-transfer').click();
    // alice calls what bob's REFER names: carol's contact as bob's dialog knows it, a
    // WebSocket client's `*.invalid` one (README, "Connecting to your PBX"), not her AOR.
    const peer = await waitForOneCall(alice, 'talking');
    expect(peer === sipUri('carol') || /^sip:[^@\s]+@[^@\s]+\.invalid$/.test(peer), peer).toBe(true);
    expect(await alice.locator('[data-testid=call-row] [data-testid=call-row-state]').textContent()).toContain(`transferred here from ${sipUri('bob')}`);
    await waitForList(carol, { alice: 'talking' });
    await waitForHidden(bob, 'calls');
    expect(await row(carol, 'alice').getByTestId('call-row-state').textContent()).toContain(`replaces ${sipUri('bob')}`);
    expect((await logLines(carol)).join('\n')).toMatch(new RegExp(`${sipUri('alice')} replaces ${sipUri('bob')}[^]*disconnect: replaced`));
    expect((await logLines(bob)).join('\n')).toMatch(/completing the transfer[^]*transfer succeeded/);
    await waitForPackets(carol, 'alice', true);
    await alice.locator('.phone').screenshot({ path: SCREENSHOT_TRANSFERRED });
    await carol.locator('.phone').screenshot({ path: SCREENSHOT_REPLACED });
    await carol.getByTestId('hangup').click();
    for (const page of [alice, carol]) await waitForHidden(page, 'calls');
  });

  it("a video call: bob sees alice's name, the talking time moves, both remote videos play; Video off stops hers", async () => {
    await alice.getByTestId('to').fill('bob');
    await alice.getByTestId('video').check();
    await alice.getByTestId('call').click();
    await bob.getByTestId('incoming').waitFor({ state: 'visible', timeout: 15_000 });
    expect(await textOf(bob, 'incoming-name')).toBe('Alice Liddell');
    expect(await row(bob, 'alice').getByTestId('call-row-timer').textContent()).toBe('ringing…');
    // Not answered yet: no Video on/off.
    expect(await alice.getByTestId('video-toggle').isEnabled()).toBe(false);
    await bob.getByTestId('answer-video').check();
    await bob.getByTestId('accept').click();
    // The card shows the new call (its text stays from the last one while hidden).
    await waitForText(bob, 'peer-name', 'Alice Liddell');
    await waitForText(bob, 'call-status', 'accepted');

    // The card's times come from the call's `timer` event: talking moves by the second.
    const first = await waitFor(async () => ((await talkingMs(bob)) >= 1000 ? talkingMs(bob) : undefined), {
      timeoutMs: 15_000,
      intervalMs: 100,
      description: 'a talking time',
    });
    await waitFor(async () => ((await talkingMs(bob)) >= first + 1000 ? true : undefined), {
      timeoutMs: 15_000,
      intervalMs: 100,
      description: 'the talking time to move',
    });
    expect(await textOf(bob, 'timer')).toMatch(/^ringing 0:\d\d · talking 0:\d\d$/);
    expect(await row(bob, 'alice').getByTestId('call-row-timer').textContent()).toMatch(/talking 0:\d\d/);

    const sizes = [await waitForRemoteVideo(alice), await waitForRemoteVideo(bob)];
    console.info(`remote video: alice sees ${sizes[0]}, bob sees ${sizes[1]}`);
    expect(await alice.getByTestId('camera').locator('option').count()).toBeGreaterThan(0);
    await waitForText(bob, 'quality-video', /^· video \d+×\d+ \d+ fps$/);
    await bob.locator('.phone').screenshot({ path: SCREENSHOT_VIDEO });

    await alice.getByTestId('video-toggle').click();
    await waitForText(alice, 'video-toggle', 'Video on');
    await waitForHidden(alice, 'camera');
    await waitForHidden(bob, 'remote-video');
    await waitForList(bob, { alice: 'talking' });
    await alice.getByTestId('hangup').click();
    for (const page of [alice, bob]) await waitForHidden(page, 'calls');
  });

  it('unregisters with the Unregister button, with no errors on the pages or in Kamailio', async () => {
    for (const page of [alice, bob, carol]) {
      await page.getByTestId('unregister').click();
      await waitForText(page, 'device-state', 'unregistered');
    }
    expect(browser.consoleErrors()).toEqual([]);
    expect(kamailioErrors(demo.kamailio)).toEqual([]);
  });
});
