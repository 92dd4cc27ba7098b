// Calls that survive (issue 10), end to end: the built SDK in Chromium
// against Kamailio stopped with SIGSTOP (a socket that stays open and answers
// nothing: the CRLF keep-alive finds it and the device comes back once
// Kamailio does) and against a rogue WebSocket server of our own (silent,
// closing the socket on every REGISTER, malformed responses, garbage frames).
//
// Run: npx tsup --silent && bash e2e/scripts/in-netns.sh npx vitest run --project e2e test/e2e/survive.e2e.test.ts
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  startSdkRig,
  CleanupStack,
  USERS,
  sipUri,
  waitFor,
  type E2EBrowser,
  type Kamailio,
} from '../../e2e/harness/index.js';
import { GARBAGE_FRAMES, startRogueSipServer, type RogueSipServer } from '../../e2e/harness/rogue-sip.js';

interface SurviveEvent {
  type: string;
  at: number;
  code?: string;
  attempt?: number;
}
interface Outcome {
  ok: boolean;
  code?: string;
  ms: number;
}
interface SurviveApi {
  start(options: Record<string, unknown>): void;
  register(): Promise<Outcome>;
  events(): SurviveEvent[];
  state(): string | undefined;
  now(): number;
  wire(): { pings: number; pongs: number };
  /** The browser's `online` event. */
  online(): void;
  destroy(): Promise<void>;
}

/** Installed in the page once the SDK is loaded: a device, its events with page times, and the CRLFs on the wire. */
function installSurvive(): void {
  type Sdk = typeof import('../../src/index.js');
  const sdk = (window as unknown as { callchart: Sdk }).callchart;
  let device: InstanceType<Sdk['Device']> | undefined;
  let events: SurviveEvent[] = [];
  const wire = { pings: 0, pongs: 0 };
  const NativeWebSocket = window.WebSocket;
  window.WebSocket = class extends NativeWebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      this.addEventListener('message', (event: MessageEvent<unknown>) => {
        if (typeof event.data === 'string' && /^(\r\n)+$/.test(event.data)) wire.pongs += 1;
      });
    }
    override send(data: string | ArrayBufferLike | Blob | ArrayBufferView): void {
      if (data === '\r\n\r\n') wire.pings += 1;
      super.send(data);
    }
  };
  const api: SurviveApi = {
    start(options) {
      device = new sdk.Device(options as unknown as ConstructorParameters<Sdk['Device']>[0]);
      const record = (type: string, extra: Partial<SurviveEvent> = {}) => events.push({ type, at: performance.now(), ...extra });
      for (const name of ['registering', 'registered', 'unregistered', 'connected', 'disconnected'] as const) device.on(name, () => record(name));
      device.on('reconnecting', ({ attempt }) => record('reconnecting', { attempt }));
      device.on('error', (error) => record('error', { code: error.code }));
    },
    async register() {
      const started = performance.now();
      try {
        await device!.register();
        return { ok: true, ms: performance.now() - started };
      } catch (error) {
        return { ok: false, code: (error as { code?: string }).code, ms: performance.now() - started };
      }
    },
    events: () => events,
    state: () => device?.state,
    now: () => performance.now(),
    wire: () => ({ ...wire }),
    online: () => void window.dispatchEvent(new Event('online')),
    async destroy() {
      await device?.destroy();
      device = undefined;
      events = [];
    },
  };
  (window as unknown as { survive: SurviveApi }).survive = api;
}

const survive = <M extends keyof SurviveApi>(page: Page, method: M, ...args: Parameters<SurviveApi[M]>): Promise<Awaited<ReturnType<SurviveApi[M]>>> =>
  page.evaluate(
    ([name, list]) => {
      const api = (window as unknown as { survive: Record<string, (...a: unknown[]) => unknown> }).survive;
      return api[name as string]!(...(list as unknown[]));
    },
    [method, args] as const,
  ) as Promise<Awaited<ReturnType<SurviveApi[M]>>>;

/** The SDK's "dropped a message" log lines so far. */
const droppedLines = (browser: E2EBrowser): string[] =>
  browser.consoleMessages().map((entry) => entry.text).filter((text) => text.includes('[callchart sip] dropped'));

describe('calls that survive: dead sockets and hostile servers', () => {
  const cleanup = new CleanupStack();
  let kamailio: Kamailio;
  let browser: E2EBrowser;
  let page: Page;
  let rogue: RogueSipServer | undefined;

  beforeAll(async () => {
    const rig = await startSdkRig(cleanup);
    ({ kamailio, browser } = rig);
    const server = rig.server;
    page = await browser.openPage('alice', `${server.url}/e2e/pages/sdk/index.html`, { readyExpression: 'window.callchartReady === true' });
    await page.evaluate(installSurvive);
  });

  afterEach(async () => {
    await survive(page, 'destroy');
    await rogue?.stop();
    rogue = undefined;
    const pageErrors = browser.consoleMessages().filter((entry) => entry.type === 'pageerror');
    expect(pageErrors, 'uncaught errors in the page').toEqual([]);
  });

  afterAll(async () => {
    await cleanup.runAll();
  });

  it('Kamailio answers the CRLF keep-alive; stopped (SIGSTOP) the socket is found dead, and once it runs again (SIGCONT) the device re-registers', async () => {
    const keepAlive = { keepAliveIntervalMs: 1000, keepAliveTimeoutMs: 1000 };
    await survive(page, 'start', {
      server: kamailio.wsUrl,
      uri: sipUri(USERS.alice.user),
      password: USERS.alice.password,
      ...keepAlive,
      reconnect: { baseDelayMs: 250, maxDelayMs: 1000 },
    });
    expect(await survive(page, 'register')).toMatchObject({ ok: true });
    // Three pings answered, nothing lost: Kamailio's websocket module answers CRLFCRLF with CRLF.
    await waitFor(async () => (await survive(page, 'wire')).pongs >= 3, { timeoutMs: 10_000, description: 'three pongs from Kamailio' });
    expect((await survive(page, 'events')).map((e) => e.type)).not.toContain('reconnecting');

    await kamailio.pause();
    const stoppedAt = await survive(page, 'now');
    const lost = await waitFor(
      async () => (await survive(page, 'events')).find((e) => e.type === 'reconnecting' && e.at > stoppedAt),
      { timeoutMs: 10_000, description: 'the device to find the dead socket' },
    );
    const detectedMs = lost.at - stoppedAt;
    expect(detectedMs).toBeLessThanOrEqual(keepAlive.keepAliveIntervalMs + keepAlive.keepAliveTimeoutMs + 500);

    await kamailio.resume();
    const resumedAt = await survive(page, 'now');
    const back = await waitFor(
      async () => (await survive(page, 'events')).find((e) => e.type === 'registered' && e.at > resumedAt),
      { timeoutMs: 20_000, description: 're-registered once Kamailio runs again' },
    );
    expect(await survive(page, 'state')).toBe('registered');
    console.log(
      `[survive e2e] Kamailio SIGSTOP: dead socket found after ${Math.round(detectedMs)} ms (interval ${keepAlive.keepAliveIntervalMs} + timeout ${keepAlive.keepAliveTimeoutMs}); SIGCONT → registered in ${Math.round(back.at - resumedAt)} ms`,
    );
  });

  it('a silent server: register() rejects timeout after registerTimeoutMs, and the keep-alive gives up the socket', async () => {
    rogue = await startRogueSipServer('silent');
    await survive(page, 'start', {
      server: rogue.url,
      uri: sipUri(USERS.alice.user),
      password: USERS.alice.password,
      registerTimeoutMs: 2000,
      keepAliveIntervalMs: 1000,
      keepAliveTimeoutMs: 1000,
    });
    const outcome = await survive(page, 'register');
    expect(outcome).toMatchObject({ ok: false, code: 'timeout' });
    expect(outcome.ms).toBeGreaterThanOrEqual(2000);
    expect(outcome.ms).toBeLessThan(2500);
    await waitFor(async () => (await survive(page, 'events')).some((e) => e.type === 'reconnecting'), {
      timeoutMs: 5000,
      description: 'the silent socket given up',
    });
    await waitFor(() => rogue!.connections.length >= 2, { timeoutMs: 5000, description: 'a new connection' });
    expect(rogue.pings).toBeGreaterThanOrEqual(1);
  });

  it('a server that closes the socket on every REGISTER: the reconnects back off exponentially, not a storm', async () => {
    rogue = await startRogueSipServer('close-after-register');
    const reconnect = { baseDelayMs: 200, maxDelayMs: 3200 };
    await survive(page, 'start', {
      server: rogue.url,
      uri: sipUri(USERS.alice.user),
      password: USERS.alice.password,
      registerTimeoutMs: 60_000,
      reconnect,
    });
    void survive(page, 'register');
    await waitFor(() => rogue!.connections.length >= 7, { timeoutMs: 30_000, description: 'seven connections' });
    const at = rogue.connections;
    const gaps = at.slice(1).map((t, i) => t - at[i]!);
    // The n-th wait is base·2^(n−1) (capped) × 0.5–1, plus the connect and the REGISTER.
    gaps.forEach((gap, i) => expect(gap, `gap ${i + 1}`).toBeGreaterThanOrEqual(Math.min(reconnect.maxDelayMs, reconnect.baseDelayMs * 2 ** i) / 2));
    const attempts = (await survive(page, 'events')).filter((e) => e.type === 'reconnecting').map((e) => e.attempt);
    expect(attempts.slice(0, 6)).toEqual([1, 2, 3, 4, 5, 6]);
    console.log(`[survive e2e] close-after-REGISTER: gaps between connections ${gaps.map((g) => Math.round(g)).join(', ')} ms`);
  });

  it("the browser's online event ends a reconnect backoff at once", async () => {
    rogue = await startRogueSipServer('close-after-register');
    const reconnect = { baseDelayMs: 4000, maxDelayMs: 30_000 };
    await survive(page, 'start', { server: rogue.url, uri: sipUri(USERS.alice.user), password: USERS.alice.password, reconnect });
    void survive(page, 'register');
    await waitFor(async () => (await survive(page, 'events')).some((e) => e.type === 'reconnecting'), {
      timeoutMs: 5000,
      description: 'the first backoff',
    });
    expect(rogue.connections).toHaveLength(1);
    await survive(page, 'online');
    const onlineAt = performance.now();
    await waitFor(() => rogue!.connections.length >= 2, { timeoutMs: reconnect.baseDelayMs, description: 'a new connection after online' });
    const tookMs = rogue.connections[1]! - onlineAt;
    // The backoff planned at least base/2 = 2000 ms.
    expect(tookMs).toBeLessThan(reconnect.baseDelayMs / 2 - 1000);
    console.log(`[survive e2e] online during a 2–4 s backoff: reconnected after ${Math.round(tookMs)} ms`);
  });

  it('malformed responses never throw out of the SDK: register() still settles with an SDK error', async () => {
    rogue = await startRogueSipServer('malformed');
    const before = droppedLines(browser).length;
    await survive(page, 'start', {
      server: rogue.url,
      uri: sipUri(USERS.alice.user),
      password: USERS.alice.password,
      registerTimeoutMs: 2000,
    });
    const outcome = await survive(page, 'register');
    expect(outcome.ok).toBe(false);
    expect(['timeout', 'sip-error', 'auth-failed']).toContain(outcome.code);
    expect(rogue.registers).toBeGreaterThanOrEqual(1);
    // The CSeq without a method makes SIP.js throw a TypeError: caught, and logged once per interval.
    const lines = droppedLines(browser).slice(before);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('could not be handled (TypeError)');
  });

  it('garbage frames: the registrar still works, the garbage is logged once, truncated and without raw binary', async () => {
    rogue = await startRogueSipServer('garbage');
    const before = droppedLines(browser).length;
    await survive(page, 'start', { server: rogue.url, uri: sipUri(USERS.alice.user), password: USERS.alice.password });
    expect(await survive(page, 'register')).toMatchObject({ ok: true });
    expect(await survive(page, 'state')).toBe('registered');
    const lines = droppedLines(browser).slice(before);
    expect(lines.length, `${GARBAGE_FRAMES} garbage frames, one line`).toBe(1);
    for (const line of lines) {
      expect(line.length).toBeLessThan(400);
      expect(line).toMatch(/^[\x20-\x7e]*$/);
    }
    console.log(`[survive e2e] garbage: ${GARBAGE_FRAMES} frames → ${lines.length} log line: ${lines[0]}`);
  });
});
