// The SIP.js adapter (the port alone, no machines) in Chromium, through the
// e2e Kamailio, media over loopback: registration, calls both ways with a
// custom header, hold, DTMF, hang-up, teardown, and call setup time.
//
// Run: bash e2e/scripts/in-netns.sh npx vitest run --project e2e test/e2e/adapter-sipjs.e2e.test.ts
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CleanupStack,
  REPO_ROOT,
  USERS,
  assertIsolatedNetwork,
  launchBrowser,
  makeTempDir,
  pageApi,
  removeDir,
  sipUri,
  startKamailio,
  startStaticServer,
  waitFor,
  type E2EBrowser,
  type Kamailio,
} from '../../e2e/harness/index.js';

const execFileAsync = promisify(execFile);

interface ErrorInfo {
  name: string;
  code?: string;
  status?: number;
  message: string;
}
type Outcome<T = unknown> = { ok: true; value: T } | { ok: false; error: ErrorInfo };
type PortEvent = { type: string; reason?: string; status?: number; direction?: string; contentType?: string; body?: string };

/** window.lab in e2e/pages/adapter-sipjs/lab.js */
interface LabApi {
  start(options: { uri: string; password: string; server: string; registerExpires?: number }): Promise<Outcome>;
  register(): Promise<Outcome>;
  disconnect(): Promise<Outcome>;
  connect(server: string): Promise<Outcome>;
  deliverLate(source: string, ms: number): void;
  setAutoAnswer(on: boolean): void;
  setDenyMicrophone(on: boolean): void;
  audioInputs(): Promise<string[]>;
  call(label: string, target: string, headers?: Record<string, string>): Promise<Outcome>;
  setupMs(label: string): number | undefined;
  events(label: string): PortEvent[];
  incoming(label: string): { remoteIdentity: string; customHeaders: Record<string, string>; direction: string };
  incomingLabels(): string[];
  answer(label: string): Promise<Outcome>;
  reject(label: string, status: number): Promise<Outcome>;
  cancel(label: string): Promise<Outcome>;
  bye(label: string): Promise<Outcome>;
  reinvite(label: string, hold: boolean, iceRestart?: boolean): Promise<Outcome>;
  setSending(label: string, enabled: boolean): void;
  sendDtmf(label: string, digits: string, options: { method: 'rfc2833' | 'info'; durationMs: number; gapMs: number }): Promise<Outcome>;
  setInputDevice(label: string, id: string): Promise<Outcome>;
  setOutputDevice(label: string, id: string): Promise<Outcome>;
  record(label: string, ms: number): Promise<Outcome<{ size: number; type: string }>>;
  inboundAudio(label: string): Promise<{ packetsReceived: number; totalAudioEnergy: number }>;
  senderEnabled(label: string): Array<boolean | undefined> | undefined;
  disposeCall(label: string): void;
  dispose(): Promise<Outcome>;
  requestLines(): string[];
  sentMessages(method: string): string[];
  transportLost(): ErrorInfo[];
  registrationLost(): ErrorInfo[];
  leftovers(): { peerConnections: number; openPeerConnections: number; microphoneTracks: number; liveMicrophoneTracks: number };
}

/** Calls `window.lab[method](...args)` in the page. */
const lab = pageApi<LabApi>('lab');

const PAGE_PATH = '/e2e/pages/adapter-sipjs/';
const NAMES = ['alice', 'bob', 'carol', 'mallory'] as const;
const WAIT = { timeoutMs: 5000, intervalMs: 20 };

describe('SIP.js adapter through Kamailio in Chromium', () => {
  const cleanup = new CleanupStack();
  let kamailio: Kamailio;
  let browser: E2EBrowser;
  let pages: Record<(typeof NAMES)[number], Page>;
  let incomingOnBob = 0;

  /** Waits for bob's next incoming call and returns its label. */
  const nextIncomingOnBob = async (): Promise<string> => {
    incomingOnBob += 1;
    const label = `in${incomingOnBob}`;
    await waitFor(async () => (await lab(pages.bob, 'incomingLabels')).includes(label), {
      ...WAIT,
      description: `bob's incoming call ${label}`,
    });
    return label;
  };

  const eventsOf = (page: Page, label: string) => lab(page, 'events', label);

  const waitForEvent = (page: Page, label: string, type: string) =>
    waitFor(async () => (await eventsOf(page, label)).find((event) => event.type === type), {
      ...WAIT,
      description: `a '${type}' event on ${label}`,
    });

  beforeAll(async () => {
    assertIsolatedNetwork();
    kamailio = await startKamailio();
    cleanup.add('kamailio', () => kamailio.stop());

    const bundleDir = await makeTempDir('adapter-bundle');
    cleanup.add('bundle', () => removeDir(bundleDir));
    await execFileAsync(join(REPO_ROOT, 'node_modules/.bin/esbuild'), [
      join(REPO_ROOT, 'src/adapters/sipjs/index.ts'),
      '--bundle',
      '--format=esm',
      '--target=es2022',
      `--outfile=${join(bundleDir, 'adapter.js')}`,
    ]);

    const server = await startStaticServer({ root: REPO_ROOT, mounts: { '/bundle/': bundleDir } });
    cleanup.add('static server', () => server.stop());

    browser = await launchBrowser();
    cleanup.add('chromium', () => browser.close());
    pages = await browser.openPages(NAMES, `${server.url}${PAGE_PATH}`, {
      readyExpression: 'window.lab !== undefined',
    });
  });

  afterAll(async () => {
    await cleanup.runAll();
  });

  it('connects and registers alice and bob', async () => {
    for (const name of ['alice', 'bob'] as const) {
      const user = USERS[name];
      expect(
        await lab(pages[name], 'start', { uri: sipUri(user.user), password: user.password, server: kamailio.wsUrl }),
      ).toEqual({ ok: true });
      expect(await lab(pages[name], 'register')).toEqual({ ok: true });
    }
  });

  it('refuses a wrong password with auth-failed after at most two REGISTERs', async () => {
    expect(
      await lab(pages.mallory, 'start', { uri: sipUri('carol'), password: 'wrong', server: kamailio.wsUrl }),
    ).toEqual({ ok: true });
    const outcome = await lab(pages.mallory, 'register');
    expect(outcome).toMatchObject({ ok: false, error: { code: 'auth-failed', status: 401 } });
    const registers = (await lab(pages.mallory, 'requestLines')).filter((line) => line.startsWith('REGISTER '));
    expect(registers.length).toBeLessThanOrEqual(2);
    expect(await lab(pages.mallory, 'registrationLost')).toEqual([]);
    // A deliberate disconnect is not a transport loss.
    expect(await lab(pages.mallory, 'disconnect')).toEqual({ ok: true });
    expect(await lab(pages.mallory, 'transportLost')).toEqual([]);
    expect(await lab(pages.mallory, 'register')).toMatchObject({ ok: false, error: { code: 'transport-failed' } });
    expect(await lab(pages.mallory, 'dispose')).toEqual({ ok: true });
  });

  it('registers carol with a short expiry (for the lost-registration check at the end)', async () => {
    expect(
      await lab(pages.carol, 'start', {
        uri: sipUri('carol'),
        password: USERS.carol.password,
        server: kamailio.wsUrl,
        registerExpires: 10,
      }),
    ).toEqual({ ok: true });
    expect(await lab(pages.carol, 'register')).toEqual({ ok: true });
  });

  it('calls bob with a custom header; bob sees it, answers, and audio flows both ways', async () => {
    expect(
      await lab(pages.alice, 'call', 'c1', sipUri('bob'), { 'X-Callchart-TicketId': 'INC-4815' }),
    ).toEqual({ ok: true });
    const incoming = await nextIncomingOnBob();
    expect(await lab(pages.bob, 'incoming', incoming)).toEqual({
      direction: 'inbound',
      remoteIdentity: 'sip:alice@callchart.test',
      customHeaders: { TicketId: 'INC-4815' },
    });
    await waitForEvent(pages.alice, 'c1', 'provisional');

    expect(await lab(pages.bob, 'answer', incoming)).toEqual({ ok: true });
    await waitForEvent(pages.alice, 'c1', 'established');
    // After the answer, the facts of the offer/answer (browser to browser:
    // Opus with telephone-event/48000, SIP.js allows INFO).
    const negotiated = await waitForEvent(pages.alice, 'c1', 'negotiated');
    expect(negotiated).toMatchObject({ audioCodec: 'opus', clockRate: 48000, telephoneEvent: true, allowsInfo: true });
    // Outbound, the dialog is confirmed as SIP.js ACKs the 2xx.
    expect((await eventsOf(pages.alice, 'c1')).map((event) => event.type)).toEqual(['provisional', 'final', 'established', 'confirmed', 'negotiated']);
    expect((await eventsOf(pages.alice, 'c1')).slice(0, 3)).toEqual([
      { type: 'provisional', status: 180 },
      { type: 'final', status: 200 },
      { type: 'established' },
    ]);
    await waitForEvent(pages.bob, incoming, 'negotiated');
    // Inbound, by the caller's ACK to our 200, a round trip later.
    await waitForEvent(pages.bob, incoming, 'confirmed');
    expect((await eventsOf(pages.bob, incoming)).map((event) => event.type)).toEqual(['established', 'negotiated', 'confirmed']);

    // The offer went out with a host candidate on loopback (no waiting for gathering to finish).
    const invites = await lab(pages.alice, 'sentMessages', 'INVITE');
    expect(invites.at(-1)).toMatch(/a=candidate:\S+ 1 udp \d+ 127\.0\.0\.1 \d+ typ host/);

    await expectAudioGrowing(pages.alice, 'c1');
    await expectAudioGrowing(pages.bob, incoming);
    console.info(`first call setup invite() -> established: ${(await lab(pages.alice, 'setupMs', 'c1'))?.toFixed(0)} ms`);
  });

  it('puts the call on hold and takes it off with re-INVITEs; bob sees the offered directions', async () => {
    // As the call machine does: stop sending, then re-INVITE.
    await lab(pages.alice, 'setSending', 'c1', false);
    expect(await lab(pages.alice, 'reinvite', 'c1', true)).toEqual({ ok: true });
    expect(await lab(pages.alice, 'senderEnabled', 'c1')).toEqual([false]);
    expect(await waitForEvent(pages.bob, 'in1', 'reinvite')).toEqual({ type: 'reinvite', direction: 'sendonly' });
    // bob stops sending once his answer is applied: wait for a quiet window, then check the next one.
    await waitFor(async () => (await packetsOver(pages.alice, 'c1', 400)) === 0, {
      timeoutMs: 15_000,
      intervalMs: 0,
      description: "alice's inbound packets to stop while on hold",
    });
    // bob answered recvonly: nothing more reaches alice (a packet or two in flight at most).
    expect(await packetsOver(pages.alice, 'c1', 400)).toBeLessThanOrEqual(2);

    expect(await lab(pages.alice, 'reinvite', 'c1', false)).toEqual({ ok: true });
    await lab(pages.alice, 'setSending', 'c1', true);
    expect(await lab(pages.alice, 'senderEnabled', 'c1')).toEqual([true]);
    expect((await eventsOf(pages.bob, 'in1')).filter((event) => event.type === 'reinvite').at(-1)).toEqual({
      type: 'reinvite',
      direction: 'sendrecv',
    });
    await expectAudioGrowing(pages.alice, 'c1');
  });

  it('restarts ICE with new credentials for one re-INVITE only; audio keeps flowing', async () => {
    const ufrags = async (): Promise<string[]> =>
      (await lab(pages.alice, 'sentMessages', 'INVITE')).map((message) => /a=ice-ufrag:(\S+)/.exec(message)?.[1] ?? '');
    const before = (await ufrags()).at(-1);
    expect(await lab(pages.alice, 'reinvite', 'c1', false, true)).toEqual({ ok: true });
    const restarted = (await ufrags()).at(-1);
    expect(restarted, 'new ICE credentials').not.toBe(before);
    // SIP.js keeps a re-INVITE's options for later offers: the next one must not restart again.
    expect(await lab(pages.alice, 'reinvite', 'c1', false)).toEqual({ ok: true });
    expect((await ufrags()).at(-1), 'the same credentials').toBe(restarted);
    await expectAudioGrowing(pages.alice, 'c1');
    await expectAudioGrowing(pages.bob, 'in1');
  });

  it('stops sending by disabling the sending track', async () => {
    await lab(pages.alice, 'setSending', 'c1', false);
    expect(await lab(pages.alice, 'senderEnabled', 'c1')).toEqual([false]);
    await lab(pages.alice, 'setSending', 'c1', true);
    expect(await lab(pages.alice, 'senderEnabled', 'c1')).toEqual([true]);
  });

  it('sends DTMF as RFC 4733 events and as SIP INFO', async () => {
    const started = Date.now();
    expect(
      await lab(pages.alice, 'sendDtmf', 'c1', '123', { method: 'rfc2833', durationMs: 100, gapMs: 70 }),
    ).toEqual({ ok: true });
    // Resolves when the sender reports all tones played: about 3 × 170 ms.
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
    expect(
      await lab(pages.alice, 'sendDtmf', 'c1', '4#', { method: 'info', durationMs: 100, gapMs: 50 }),
    ).toEqual({ ok: true });
    const infos = await lab(pages.alice, 'sentMessages', 'INFO');
    expect(infos).toHaveLength(2);
    expect(infos[0]).toMatch(/Content-Type: application\/dtmf-relay[\s\S]*Signal=4\r\nDuration=100/);
    expect(infos[1]).toMatch(/Signal=#/);
    await waitFor(async () => (await eventsOf(pages.bob, 'in1')).filter((event) => event.type === 'info').length === 2, {
      ...WAIT,
      description: "bob's two INFO facts",
    });
    expect((await eventsOf(pages.bob, 'in1')).filter((event) => event.type === 'info')).toEqual([
      { type: 'info', contentType: 'application/dtmf-relay', body: 'Signal=4\r\nDuration=100' },
      { type: 'info', contentType: 'application/dtmf-relay', body: 'Signal=#\r\nDuration=100' },
    ]);
    expect(
      await lab(pages.alice, 'sendDtmf', 'c1', '12x', { method: 'rfc2833', durationMs: 100, gapMs: 70 }),
    ).toMatchObject({ ok: false, error: { code: 'invalid-argument' } });
  });

  it('switches devices: unknown ids are device-not-found, default works, recording gives a webm blob', async () => {
    expect(await lab(pages.alice, 'setInputDevice', 'c1', 'no-such-microphone')).toMatchObject({
      ok: false,
      error: { code: 'device-not-found' },
    });
    expect(await lab(pages.alice, 'setInputDevice', 'c1', 'default')).toEqual({ ok: true });
    await expectAudioGrowing(pages.bob, 'in1');
    const other = (await lab(pages.alice, 'audioInputs')).find((id) => id !== 'default' && id !== '');
    expect(other).toBeDefined();
    expect(await lab(pages.alice, 'setInputDevice', 'c1', other!)).toEqual({ ok: true });
    await expectAudioGrowing(pages.bob, 'in1');
    // Replaced microphones are stopped: only the one on the sender is live.
    expect(await lab(pages.alice, 'leftovers')).toMatchObject({ liveMicrophoneTracks: 1 });
    expect(await lab(pages.alice, 'setOutputDevice', 'c1', 'no-such-speaker')).toMatchObject({
      ok: false,
      error: { code: 'device-not-found' },
    });
    expect(await lab(pages.alice, 'setOutputDevice', 'c1', 'default')).toEqual({ ok: true });
    const recording = await lab(pages.alice, 'record', 'c1', 600);
    expect(recording).toMatchObject({ ok: true, value: { type: expect.stringMatching(/^audio\/webm/) } });
    expect(recording.ok && recording.value.size).toBeGreaterThan(0);
  });

  it('hangs up with BYE: bob sees remote-hangup; disposing leaves no media behind', async () => {
    expect(await lab(pages.alice, 'bye', 'c1')).toEqual({ ok: true });
    expect(await waitForEvent(pages.bob, 'in1', 'bye')).toEqual({ type: 'bye' });
    await waitForEvent(pages.bob, 'in1', 'terminated');
    await waitForEvent(pages.alice, 'c1', 'terminated');
    expect((await eventsOf(pages.alice, 'c1')).map((event) => event.type)).toEqual([
      'provisional',
      'final',
      'established',
      'confirmed',
      // Hold and resume changed nothing the facts say: no second 'negotiated'.
      'negotiated',
      'terminated',
    ]);
    await lab(pages.alice, 'disposeCall', 'c1');
    await lab(pages.bob, 'disposeCall', 'in1');
    for (const page of [pages.alice, pages.bob]) {
      expect(await lab(page, 'leftovers')).toMatchObject({ openPeerConnections: 0, liveMicrophoneTracks: 0 });
    }
  });

  it('reports busy, declined and an unknown user as final responses 486, 603 and 404', async () => {
    await lab(pages.alice, 'call', 'busy', sipUri('bob'));
    const busy = await nextIncomingOnBob();
    expect(await lab(pages.bob, 'reject', busy, 486)).toEqual({ ok: true });
    expect(await waitForEvent(pages.alice, 'busy', 'final')).toEqual({ type: 'final', status: 486 });

    await lab(pages.alice, 'call', 'no', sipUri('bob'));
    const no = await nextIncomingOnBob();
    expect(await lab(pages.bob, 'reject', no, 603)).toEqual({ ok: true });
    expect(await waitForEvent(pages.alice, 'no', 'final')).toEqual({ type: 'final', status: 603 });

    await lab(pages.alice, 'call', 'nobody', sipUri('nobody'));
    expect(await waitForEvent(pages.alice, 'nobody', 'final')).toEqual({ type: 'final', status: 404 });
    for (const label of [busy, no]) {
      await waitForEvent(pages.bob, label, 'terminated');
      expect(await eventsOf(pages.bob, label)).toEqual([{ type: 'terminated' }]);
    }
  });

  it('cancels an unanswered call: bob sees canceled', async () => {
    await lab(pages.alice, 'call', 'cancelled', sipUri('bob'));
    const incoming = await nextIncomingOnBob();
    await waitForEvent(pages.alice, 'cancelled', 'provisional');
    expect(await lab(pages.alice, 'cancel', 'cancelled')).toEqual({ ok: true });
    expect(await waitForEvent(pages.bob, incoming, 'cancel')).toEqual({ type: 'cancel' });
    await waitForEvent(pages.alice, 'cancelled', 'terminated');
    expect(await eventsOf(pages.alice, 'cancelled')).toEqual([
      { type: 'provisional', status: 180 },
      { type: 'final', status: 487 },
      { type: 'terminated' },
    ]);
  });

  it('when a 2xx crosses the CANCEL, reports it (SIP.js ACKs and hangs up with BYE)', async () => {
    await lab(pages.alice, 'call', 'crossed', sipUri('bob'));
    const incoming = await nextIncomingOnBob();
    await waitForEvent(pages.alice, 'crossed', 'provisional');
    // Alice sees bob's 200 only 300 ms late, after she has sent CANCEL.
    await lab(pages.alice, 'deliverLate', '^SIP/2\\.0 200 [^]*CSeq: \\d+ INVITE', 300);
    expect(await lab(pages.bob, 'answer', incoming)).toEqual({ ok: true });
    expect(await lab(pages.alice, 'cancel', 'crossed')).toEqual({ ok: true });
    expect(await waitForEvent(pages.bob, incoming, 'bye')).toEqual({ type: 'bye' });
    await waitForEvent(pages.alice, 'crossed', 'terminated');
    // The machine's answer to the crossed 2xx is bye(): nothing left to do by then.
    expect(await lab(pages.alice, 'bye', 'crossed')).toEqual({ ok: true });
    const lines = await lab(pages.alice, 'requestLines');
    expect(lines.slice(-3).map((line) => line.split(' ')[0])).toEqual(['CANCEL', 'ACK', 'BYE']);
    expect(await eventsOf(pages.alice, 'crossed')).toEqual([
      { type: 'provisional', status: 180 },
      { type: 'final', status: 200 },
      { type: 'terminated' },
    ]);
    await lab(pages.alice, 'disposeCall', 'crossed');
    await lab(pages.bob, 'disposeCall', incoming);
  });

  it('measures call setup (invite() -> established) with an auto-answering callee', async () => {
    await lab(pages.bob, 'setAutoAnswer', true);
    const setups: number[] = [];
    for (let index = 0; index < 12; index += 1) {
      const label = `bench${index}`;
      expect(await lab(pages.alice, 'call', label, sipUri('bob'))).toEqual({ ok: true });
      const incoming = await nextIncomingOnBob();
      await waitForEvent(pages.alice, label, 'established');
      setups.push((await lab(pages.alice, 'setupMs', label))!);
      expect(await lab(pages.alice, 'bye', label)).toEqual({ ok: true });
      await waitForEvent(pages.bob, incoming, 'terminated');
      await lab(pages.alice, 'disposeCall', label);
      await lab(pages.bob, 'disposeCall', incoming);
    }
    await lab(pages.bob, 'setAutoAnswer', false);
    const sorted = [...setups].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)]!;
    console.info(
      `call setup invite() -> answered over ${setups.length} calls: median ${median.toFixed(1)} ms, ` +
        `min ${sorted[0]!.toFixed(1)}, max ${sorted.at(-1)!.toFixed(1)} (all: ${setups.map((ms) => ms.toFixed(0)).join(', ')})`,
    );
  });

  it('logged no errors and never printed a password so far', () => {
    const all = browser.consoleMessages();
    for (const { password } of Object.values(USERS)) {
      expect(all.filter((entry) => entry.text.includes(password))).toEqual([]);
    }
    expect(all.filter((entry) => /Authorization:\s*Digest/i.test(entry.text))).toEqual([]);
    expect(browser.consoleErrors()).toEqual([]);
  });
  it('a refused microphone rejects invite() and accept() with media-denied and leaves nothing open', async () => {
    // (After the console check: SIP.js logs the failed offer/answer as an error.)
    await lab(pages.alice, 'setDenyMicrophone', true);
    expect(await lab(pages.alice, 'call', 'denied', sipUri('bob'))).toMatchObject({
      ok: false,
      error: { code: 'media-denied' },
    });
    // No INVITE went out; the session is over.
    await waitForEvent(pages.alice, 'denied', 'terminated');
    expect(await lab(pages.alice, 'events', 'denied')).toEqual([{ type: 'terminated' }]);
    await lab(pages.alice, 'setDenyMicrophone', false);
    await lab(pages.alice, 'disposeCall', 'denied');

    await lab(pages.bob, 'setDenyMicrophone', true);
    await lab(pages.alice, 'call', 'refused', sipUri('bob'));
    const incoming = await nextIncomingOnBob();
    expect(await lab(pages.bob, 'answer', incoming)).toMatchObject({ ok: false, error: { code: 'media-denied' } });
    await waitForEvent(pages.bob, incoming, 'terminated');
    expect(await lab(pages.bob, 'events', incoming)).toEqual([{ type: 'terminated' }]);
    // SIP.js answers 480 when it cannot answer with media.
    expect(await waitForEvent(pages.alice, 'refused', 'final')).toEqual({ type: 'final', status: 480 });
    await lab(pages.bob, 'setDenyMicrophone', false);
    await lab(pages.alice, 'disposeCall', 'refused');
    await lab(pages.bob, 'disposeCall', incoming);
    for (const page of [pages.alice, pages.bob]) {
      expect(await lab(page, 'leftovers')).toMatchObject({ openPeerConnections: 0, liveMicrophoneTracks: 0 });
    }
  });

  it('dispose ends a live call with BYE, unregisters and leaves nothing running', async () => {
    await lab(pages.bob, 'setAutoAnswer', true);
    await lab(pages.alice, 'call', 'last', sipUri('bob'));
    const incoming = await nextIncomingOnBob();
    await waitForEvent(pages.alice, 'last', 'established');
    expect(await lab(pages.alice, 'dispose')).toEqual({ ok: true });
    expect(await waitForEvent(pages.bob, incoming, 'bye')).toEqual({ type: 'bye' });
    expect(await lab(pages.alice, 'leftovers')).toMatchObject({ openPeerConnections: 0, liveMicrophoneTracks: 0 });
    const lines = await lab(pages.alice, 'sentMessages', 'REGISTER');
    expect(lines.at(-1)).toMatch(/expires=0/i);
    // dispose() is deliberate: no transport loss reported.
    expect(await lab(pages.alice, 'transportLost')).toEqual([]);
  });

  it('reports a dropped connection as transport-failed, and reconnects when asked', async () => {
    await kamailio.stop();
    await waitFor(async () => (await lab(pages.bob, 'transportLost')).length > 0, {
      ...WAIT,
      description: "bob's transport loss",
    });
    expect(await lab(pages.bob, 'transportLost')).toMatchObject([{ code: 'transport-failed' }]);
    expect(await lab(pages.bob, 'register')).toMatchObject({ ok: false, error: { code: 'transport-failed' } });

    // The server is back (same port): the same user agent reconnects and registers again.
    const restarted = await startKamailio({ wsPort: kamailio.wsPort });
    cleanup.add('restarted kamailio', () => restarted.stop());
    expect(await lab(pages.bob, 'connect', restarted.wsUrl)).toEqual({ ok: true });
    expect(await lab(pages.bob, 'register')).toEqual({ ok: true });
    await restarted.stop();
    expect(await lab(pages.bob, 'dispose')).toEqual({ ok: true });
    expect(await lab(pages.bob, 'leftovers')).toMatchObject({ openPeerConnections: 0, liveMicrophoneTracks: 0 });
  });

  it('reports a registration whose refresh fails as lost', async () => {
    // carol registered for 10 s; SIP.js refreshes at 99 % of that, over a dead connection.
    await waitFor(async () => (await lab(pages.carol, 'registrationLost')).length > 0, {
      timeoutMs: 15_000,
      intervalMs: 100,
      description: "carol's registration to be lost",
    });
    expect(await lab(pages.carol, 'registrationLost')).toMatchObject([{ code: 'transport-failed' }]);
    expect(await lab(pages.carol, 'dispose')).toEqual({ ok: true });
  });

  it('printed no password even after the connection dropped', () => {
    const all = browser.consoleMessages();
    for (const { password } of Object.values(USERS)) {
      expect(all.filter((entry) => entry.text.includes(password))).toEqual([]);
    }
  });
});

/** How many inbound packets arrive on `label` within the next `ms`. */
async function packetsOver(page: Page, label: string, ms: number): Promise<number> {
  const start = await lab(page, 'inboundAudio', label);
  await new Promise((resolve) => setTimeout(resolve, ms));
  const end = await lab(page, 'inboundAudio', label);
  return end.packetsReceived - start.packetsReceived;
}

/** Inbound audio must keep arriving (packets) and carry sound (energy). */
async function expectAudioGrowing(page: Page, label: string): Promise<void> {
  const before = await lab(page, 'inboundAudio', label);
  await waitFor(
    async () => {
      const now = await lab(page, 'inboundAudio', label);
      return now.packetsReceived >= before.packetsReceived + 25 && now.totalAudioEnergy > before.totalAudioEnergy;
    },
    { timeoutMs: 5000, intervalMs: 50, description: `inbound audio on ${label} to grow` },
  );
}
