// Harness smoke test: plain SIP.js 0.21.2 (no callchart code) in Chromium,
// through the e2e Kamailio, media over loopback. If this fails, SDK e2e
// failures mean nothing.
//
// Run: bash e2e/scripts/in-netns.sh npx vitest run --project e2e test/e2e/plain-sipjs.e2e.test.ts
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CleanupStack,
  REPO_ROOT,
  USERS,
  assertIsolatedNetwork,
  countTelephoneEvents,
  launchBrowser,
  pageApi,
  payloadTypeHistogram,
  readRtpPackets,
  startCapture,
  startKamailio,
  startStaticServer,
  telephoneEventPayloadTypes,
  waitFor,
  kamailioErrors,
  type E2EBrowser,
  type Kamailio,
  type UserName,
} from '../../e2e/harness/index.js';

/** window.phone in e2e/pages/plain-sipjs/phone.js */
interface PhoneApi {
  register(options: { server: string; user: string; password: string; sipDomain: string }): Promise<{ ms: number }>;
  setAnswerMode(mode: 'auto' | 'ring'): void;
  call(user: string): Promise<{ established: boolean; statusCode?: number; ms: number }>;
  sessionState(index?: number): string;
  sessionCount(): number;
  inboundAudio(): Promise<{ packetsReceived: number; bytesReceived: number; totalAudioEnergy: number }>;
  selectedCandidatePair(): Promise<{ local?: string; remote?: string; protocol?: string } | undefined>;
  sendDtmf(tones: string, durationMs?: number, gapMs?: number): Promise<void>;
  sendInfo(body: string): Promise<number>;
  infos(): string[];
  hold(onHold: boolean): Promise<{ statusCode: number; ms: number }>;
  transfer(user: string): Promise<number>;
  localSdp(): string;
  hangup(): Promise<void>;
  stop(): Promise<void>;
}

/** Calls window.phone[method](...args) in the page. */
const phone = pageApi<PhoneApi>('phone');

const PAGE_PATH = '/e2e/pages/plain-sipjs/';
const NAMES = ['alice', 'bob', 'carol'] as const satisfies readonly UserName[];

describe('plain SIP.js through Kamailio in Chromium', () => {
  const cleanup = new CleanupStack();
  let kamailio: Kamailio;
  let browser: E2EBrowser;
  let pages: Record<(typeof NAMES)[number], Page>;

  const register = (name: UserName, server: string) =>
    phone(pages[name], 'register', {
      server,
      user: USERS[name].user,
      password: USERS[name].password,
      sipDomain: kamailio.domain,
    });

  beforeAll(async () => {
    assertIsolatedNetwork();
    kamailio = await startKamailio();
    cleanup.add('kamailio', () => kamailio.stop());
    console.info(`kamailio ready in ${kamailio.startupMs.toFixed(0)} ms (${kamailio.wsUrl}, ${kamailio.wssUrl})`);

    const server = await startStaticServer({ root: REPO_ROOT });
    cleanup.add('static server', () => server.stop());

    browser = await launchBrowser();
    cleanup.add('chromium', () => browser.close());
    pages = await browser.openPages(NAMES, `${server.url}${PAGE_PATH}`, {
      readyExpression: 'window.phone !== undefined',
    });
    // Run first (the stack unwinds in reverse): unregister and stop each user
    // agent while Kamailio and Chromium are still up.
    for (const name of NAMES) cleanup.add(`${name}'s user agent`, () => phone(pages[name], 'stop'));
  });

  afterAll(async () => {
    await cleanup.runAll();
  });

  it('registers alice and bob over ws with digest auth', async () => {
    const alice = await register('alice', kamailio.wsUrl);
    const bob = await register('bob', kamailio.wsUrl);
    console.info(`REGISTER (with 401 challenge): alice ${alice.ms.toFixed(0)} ms, bob ${bob.ms.toFixed(0)} ms`);
  });

  it('answers 404 for an unknown user and for a known but unregistered one', async () => {
    expect(await phone(pages.alice, 'call', 'nobody')).toMatchObject({ established: false, statusCode: 404 });
    expect(await phone(pages.alice, 'call', 'carol')).toMatchObject({ established: false, statusCode: 404 });
  });

  it('registers over wss (self-signed certificate)', async () => {
    const carol = await register('carol', kamailio.wssUrl);
    console.info(`REGISTER over wss: ${carol.ms.toFixed(0)} ms`);
  });

  it('calls a registered user and carries audio both ways over 127.0.0.1', async () => {
    const result = await phone(pages.alice, 'call', 'bob');
    expect(result).toMatchObject({ established: true });
    console.info(`call setup invite() -> Established: ${result.ms.toFixed(0)} ms`);

    await waitForSessionState(pages.bob, 'Established');
    await expectAudioGrowing(pages.alice);
    await expectAudioGrowing(pages.bob);

    const pair = await phone(pages.alice, 'selectedCandidatePair');
    expect(pair).toEqual({ local: '127.0.0.1', remote: '127.0.0.1', protocol: 'udp' });
  });

  it('sends RFC 4733 DTMF that a loopback capture counts', async () => {
    const eventTypes = telephoneEventPayloadTypes(await phone(pages.alice, 'localSdp'));
    expect(eventTypes.length).toBeGreaterThan(0);
    const capture = await startCapture();
    try {
      await phone(pages.alice, 'sendDtmf', '123');
      await capture.waitForRtp((packets) => countTelephoneEvents(packets, eventTypes) >= 3, {
        timeoutMs: 5000,
        description: '3 telephone-events on the wire',
      });
      await capture.stop();
      const packets = await readRtpPackets(capture.file);
      const summary = `payload types seen: ${JSON.stringify(payloadTypeHistogram(packets))}`;
      expect(countTelephoneEvents(packets, eventTypes), summary).toBe(3);
    } finally {
      await capture.dispose();
    }
  });

  it('routes in-dialog INFO from the callee back to the caller (contact alias)', async () => {
    expect(await phone(pages.bob, 'sendInfo', 'Signal=5\r\nDuration=160\r\n')).toBe(200);
    expect(await phone(pages.alice, 'infos')).toEqual(['Signal=5\r\nDuration=160\r\n']);
  });

  it('holds and resumes by re-INVITE', async () => {
    const held = await phone(pages.alice, 'hold', true);
    const resumed = await phone(pages.alice, 'hold', false);
    expect([held.statusCode, resumed.statusCode]).toEqual([200, 200]);
    console.info(`re-INVITE hold ${held.ms.toFixed(0)} ms, resume ${resumed.ms.toFixed(0)} ms`);
    await expectAudioGrowing(pages.alice);
  });

  it('blind-transfers by REFER from a ws user to a wss user', async () => {
    expect(await phone(pages.alice, 'transfer', 'carol')).toBe(202);
    await waitForSessionState(pages.carol, 'Established');
    await waitForSessionState(pages.bob, 'Established'); // bob's newest session: the call to carol
    await expectAudioGrowing(pages.carol);
    await expectAudioGrowing(pages.bob);

    // SIP.js keeps the transferor's dialog up: alice ends it with BYE.
    await phone(pages.alice, 'hangup');
    await waitForSessionState(pages.alice, 'Terminated');
    await waitFor(async () => (await phone(pages.bob, 'sessionState', 0)) === 'Terminated', {
      timeoutMs: 5000,
      description: "bob's first call to end after alice's BYE",
    });
  });

  it('ends a call with BYE through the proxy', async () => {
    await phone(pages.carol, 'hangup');
    await waitForSessionState(pages.carol, 'Terminated');
    await waitForSessionState(pages.bob, 'Terminated');
  });

  it('cancels a ringing call (487 to the caller)', async () => {
    await phone(pages.bob, 'setAnswerMode', 'ring');
    const countBefore = await phone(pages.bob, 'sessionCount');
    const outcome = phone(pages.alice, 'call', 'bob');
    await waitFor(async () => (await phone(pages.bob, 'sessionCount')) > countBefore, {
      timeoutMs: 5000,
      description: 'the INVITE to ring at bob',
    });
    await phone(pages.alice, 'hangup');
    expect(await outcome).toMatchObject({ established: false, statusCode: 487 });
    await waitForSessionState(pages.bob, 'Terminated');
  });

  it('logged no console errors in any page', () => {
    expect(browser.consoleErrors()).toEqual([]);
  });

  it('logged no errors in Kamailio', () => {
    expect(kamailioErrors(kamailio)).toEqual([]);
  });
});

async function waitForSessionState(page: Page, state: string): Promise<void> {
  await waitFor(async () => (await phone(page, 'sessionState')) === state, {
    timeoutMs: 5000,
    description: `session state ${state}`,
  });
}

/** Inbound audio must keep arriving (packets) and carry sound (energy). */
async function expectAudioGrowing(page: Page): Promise<void> {
  const before = await phone(page, 'inboundAudio');
  await waitFor(
    async () => {
      const now = await phone(page, 'inboundAudio');
      return now.packetsReceived >= before.packetsReceived + 25 && now.totalAudioEnergy > before.totalAudioEnergy;
    },
    { timeoutMs: 5000, intervalMs: 50, description: 'inbound audio packets and energy to grow' },
  );
}
