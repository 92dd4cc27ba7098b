// The port conformance suite (test/conformance/port-conformance.ts) against
// the SIP.js adapter: one Chromium page per party (e2e/pages/adapter-sipjs/lab.js),
// all through the e2e Kamailio, media over loopback. The same scenarios run
// against the fake adapter in test/unit/port.conformance.test.ts.
//
// Run: bash e2e/scripts/in-netns.sh npx vitest run --project e2e test/e2e/port.conformance.e2e.test.ts
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CleanupStack,
  REPO_ROOT,
  assertIsolatedNetwork,
  launchBrowser,
  makeTempDir,
  pageApi,
  removeDir,
  startKamailio,
  startStaticServer,
  waitFor,
  type E2EBrowser,
  type Kamailio,
} from '../../e2e/harness/index.js';
import type { RemoteParty } from '../../src/adapters/adapter';
import { PARTY_DISPLAY_NAMES, PARTY_USERS, SCENARIOS, uriOf, type Fact, type Outcome, type Party, type PortLab } from '../conformance/port-conformance';

const execFileAsync = promisify(execFile);

/** The part of window.lab (e2e/pages/adapter-sipjs/lab.js) this suite uses. */
interface LabApi {
  start(options: { uri: string; password: string; server: string; displayName?: string }): Promise<Outcome>;
  register(): Promise<Outcome>;
  call(label: string, target: string, headers?: Record<string, string>): Promise<Outcome>;
  incomingLabels(): string[];
  events(label: string): Fact[];
  remoteIdentity(label: string): string;
  customHeaders(label: string): Record<string, string>;
  remoteParty(label: string): RemoteParty;
  callWithVideo(label: string, target: string): Promise<Outcome>;
  answerWithVideo(label: string): Promise<Outcome>;
  setVideo(label: string, on: boolean): Promise<Outcome>;
  streamKinds(label: string): { local: string[]; remote: string[] };
  answer(label: string): Promise<Outcome>;
  reject(label: string, status: number): Promise<Outcome>;
  cancel(label: string): Promise<Outcome>;
  bye(label: string): Promise<Outcome>;
  reinvite(label: string, hold: boolean, iceRestart?: boolean): Promise<Outcome>;
  inboundAudio(label: string): Promise<{ packetsReceived: number; totalAudioEnergy: number }>;
  setSending(label: string, enabled: boolean): void;
  senderEnabled(label: string): Array<boolean | undefined> | undefined;
  sendDtmf(label: string, digits: string, options: { method: 'rfc2833' | 'info'; durationMs: number; gapMs: number }): Promise<Outcome>;
  setInputDevice(label: string, id: string): Promise<Outcome>;
  audioInputs(): Promise<string[]>;
  callWithMicrophone(label: string, target: string, deviceId: string): Promise<Outcome>;
  answerWithMicrophone(label: string, deviceId: string): Promise<Outcome>;
  microphone(label: string): string | undefined;
  setOutputDevice(label: string, id: string): Promise<Outcome>;
  refuseNext(source: string, status: number, phrase: string): void;
  deliverLate(source: string, ms: number): void;
  disposeCall(label: string): void;
  respondToRefer(label: string, status: number): void;
  refer(label: string, target: string | { call: string }): Promise<Outcome>;
  followRefer(label: string, newLabel: string): Promise<Outcome>;
  replacesOf(label: string): string | undefined;
  dispose(): Promise<Outcome>;
  transportLost(): Array<{ code?: string }>;
}

const lab = pageApi<LabApi>('lab');
const PAGE_PATH = '/e2e/pages/adapter-sipjs/';
const PARTIES = Object.keys(PARTY_USERS) as Party[];
const WAIT = { timeoutMs: 5000, intervalMs: 20 };
/** Strips what crosses page.evaluate as noise (an `ok` outcome's undefined value). */
const plain = (outcome: Outcome): Outcome => (outcome.ok ? { ok: true } : { ok: false, error: { code: outcome.error.code, status: outcome.error.status } });

describe('port conformance: the SIP.js adapter through Kamailio in Chromium', () => {
  const cleanup = new CleanupStack();
  let kamailio: Kamailio;
  let browser: E2EBrowser;
  let pages: Record<Party, Page>;
  const taken = new Map<Party, number>();

  const chromiumLab: PortLab = {
    start: async (party) =>
      plain(
        await lab(pages[party], 'start', {
          uri: uriOf(PARTY_USERS[party].user),
          password: PARTY_USERS[party].password,
          server: kamailio.wsUrl,
          ...(PARTY_DISPLAY_NAMES[party] === undefined ? {} : { displayName: PARTY_DISPLAY_NAMES[party] }),
        }),
      ),
    register: async (party) => plain(await lab(pages[party], 'register')),
    call: async (party, label, target, headers = {}) => plain(await lab(pages[party], 'call', label, target, headers)),
    async nextIncoming(party) {
      const n = (taken.get(party) ?? 0) + 1;
      taken.set(party, n);
      const label = `in${n}`;
      await waitFor(async () => (await lab(pages[party], 'incomingLabels')).includes(label), {
        ...WAIT,
        description: `${party}'s incoming call ${label}`,
      });
      return label;
    },
    identity: async (party, label) => ({
      remoteIdentity: await lab(pages[party], 'remoteIdentity', label),
      customHeaders: await lab(pages[party], 'customHeaders', label),
    }),
    remoteParty: (party, label) => lab(pages[party], 'remoteParty', label),
    callWithVideo: async (party, label, target) => plain(await lab(pages[party], 'callWithVideo', label, target)),
    answerWithVideo: async (party, label) => plain(await lab(pages[party], 'answerWithVideo', label)),
    setVideo: async (party, label, on) => plain(await lab(pages[party], 'setVideo', label, on)),
    streamKinds: (party, label) => lab(pages[party], 'streamKinds', label),
    facts: (party, label) => lab(pages[party], 'events', label),
    async waitForFact(party, label, type, count = 1) {
      await waitFor(async () => (await lab(pages[party], 'events', label)).filter((fact) => fact.type === type).length >= count, {
        ...WAIT,
        description: `${count} '${type}' on ${party}/${label}`,
      });
    },
    answer: async (party, label) => plain(await lab(pages[party], 'answer', label)),
    reject: async (party, label, status) => plain(await lab(pages[party], 'reject', label, status)),
    cancel: async (party, label) => plain(await lab(pages[party], 'cancel', label)),
    bye: async (party, label) => plain(await lab(pages[party], 'bye', label)),
    reinvite: async (party, label, hold) => plain(await lab(pages[party], 'reinvite', label, hold)),
    restartIce: async (party, label, hold) => plain(await lab(pages[party], 'reinvite', label, hold, true)),
    inboundPackets: async (party, label) => (await lab(pages[party], 'inboundAudio', label)).packetsReceived,
    setSending: (party, label, enabled) => lab(pages[party], 'setSending', label, enabled),
    sending: async (party, label) => (await lab(pages[party], 'senderEnabled', label))?.[0] === true,
    sendDtmf: async (party, label, digits, method) =>
      plain(await lab(pages[party], 'sendDtmf', label, digits, { method, durationMs: 100, gapMs: 70 })),
    setInputDevice: async (party, label, id) => plain(await lab(pages[party], 'setInputDevice', label, id)),
    microphones: async (party) => (await lab(pages[party], 'audioInputs')).filter((id) => id !== 'default' && id !== ''),
    callWithMicrophone: async (party, label, target, deviceId) => plain(await lab(pages[party], 'callWithMicrophone', label, target, deviceId)),
    answerWithMicrophone: async (party, label, deviceId) => plain(await lab(pages[party], 'answerWithMicrophone', label, deviceId)),
    microphone: (party, label) => lab(pages[party], 'microphone', label),
    setOutputDevice: async (party, label, id) => plain(await lab(pages[party], 'setOutputDevice', label, id)),
    // An in-dialog INVITE (its To has a tag), answered by the page before SIP.js sees it.
    refuseNextReinvite: (party, status) =>
      lab(pages[party], 'refuseNext', '^INVITE [^]*?\\r\\nTo:[^\\r]*;tag=', status, 'Not Acceptable Here'),
    async answerAcrossCancel(caller, callLabel, callee, incomingLabel) {
      // The caller sees the 200 only 300 ms late, after it has sent CANCEL.
      await lab(pages[caller], 'deliverLate', '^SIP/2\\.0 200 [^]*CSeq: \\d+ INVITE', 300);
      expect(plain(await lab(pages[callee], 'answer', incomingLabel))).toEqual({ ok: true });
      expect(plain(await lab(pages[caller], 'cancel', callLabel))).toEqual({ ok: true });
    },
    disposeCall: (party, label) => lab(pages[party], 'disposeCall', label),
    refer: async (party, label, target) => plain(await lab(pages[party], 'refer', label, target)),
    respondToRefer: (party, label, status) => lab(pages[party], 'respondToRefer', label, status),
    followRefer: async (party, label, newLabel) => plain(await lab(pages[party], 'followRefer', label, newLabel)),
    replacesOf: (party, label) => lab(pages[party], 'replacesOf', label),
    loseTransport: () => kamailio.stop(),
    async transportLost(party) {
      await waitFor(async () => (await lab(pages[party], 'transportLost')).length > 0, { ...WAIT, description: `${party}'s transport loss` });
      return (await lab(pages[party], 'transportLost')).map(({ code }) => ({ code }));
    },
  };

  beforeAll(async () => {
    assertIsolatedNetwork();
    kamailio = await startKamailio();
    cleanup.add('kamailio', () => kamailio.stop());
    const bundleDir = await makeTempDir('conformance-bundle');
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
    pages = await browser.openPages(PARTIES, `${server.url}${PAGE_PATH}`, { readyExpression: 'window.lab !== undefined' });
    cleanup.add('user agents', async () => {
      for (const party of PARTIES) await lab(pages[party], 'dispose');
    });
  });

  afterAll(async () => {
    await cleanup.runAll();
  });

  /** Console errors printed during the scenarios that log errors on purpose (`logsErrors`). */
  const expectedErrors = new Set<unknown>();
  for (const scenario of SCENARIOS) {
    it(scenario.name, async () => {
      const before = browser.consoleErrors().length;
      await scenario.run(chromiumLab);
      if (scenario.logsErrors !== undefined) for (const entry of browser.consoleErrors().slice(before)) expectedErrors.add(entry.text);
    });
  }

  it('printed no password and no page errors', () => {
    const all = browser.consoleMessages();
    for (const { password } of Object.values(PARTY_USERS)) {
      expect(all.filter((entry) => entry.text.includes(password))).toEqual([]);
    }
    // What the scenarios that fail on purpose printed is SIP.js's log of that failure, and nothing else is printed.
    expect([...expectedErrors].filter((text) => !String(text).startsWith('[callchart sip] sip.'))).toEqual([]);
    expect(expectedErrors.size).toBeGreaterThan(0);
    expect(browser.consoleErrors().filter((entry) => !expectedErrors.has(entry.text))).toEqual([]);
  });
});
