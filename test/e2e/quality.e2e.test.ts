// Call quality as the SDK itself reports it (`quality` samples, `warning` /
// `warning-cleared` events, call reports) on real calls: alice calls bob
// through Kamailio, and the media goes through a UDP relay that adds delay,
// jitter and loss (harness/relay.ts), or through coturn.
//
// Run: npx tsup --silent && bash e2e/scripts/in-netns.sh npx vitest run --project e2e test/e2e/quality.e2e.test.ts
// With RECORD_FIXTURES=1 it also writes test/unit/quality/fixtures/chromium-{clean,loss5}.json.
//
// The machine is shared with other e2e runs. Under load Chromium's own
// scheduling adds jitter (up to ~25 ms), round-trip time (tens of ms) and
// jitter-buffer delay (hundreds of ms, which the E-model turns into a lower
// MOS) to a call that the relay leaves clean. So the assertions lean on what
// load cannot fake: it never shortens a round trip, never drops packets, and
// only ever lowers a MOS; and every warning the SDK raises must be justified
// by the samples it reported.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  CleanupStack,
  REPO_ROOT,
  assertExecutable,
  canConnect,
  getFreePort,
  makeTempDir,
  pageApi,
  removeDir,
  routeMediaThroughRelay,
  sipUri,
  spawnManaged,
  startRelay,
  startSdkRig,
  userAccount,
  waitFor,
  type E2EBrowser,
  type Kamailio,
  type Relay,
} from '../../e2e/harness/index.js';
import type { CallReport, QualitySample } from '../../src/index.js';
import { estimateMos } from '../../src/quality/mos.js';

// --- what the page keeps (e2e/pages/quality/quality.js) -----------------

interface WarningEntry {
  name: string;
  value: number;
  threshold: number;
  /** Epoch ms when the page got the event. */
  at: number;
  /** Samples received by then; the last one raised it. */
  samples: number;
}
interface ClearedEntry {
  name: string;
  at: number;
  samples: number;
}
interface CallLog {
  direction: 'inbound' | 'outbound';
  accepted: boolean;
  acceptedAt: number | undefined;
  samples: QualitySample[];
  warnings: WarningEntry[];
  cleared: ClearedEntry[];
  reports: Array<{ at: number; report: CallReport }>;
  errors: Array<{ code?: string; message: string }>;
  disconnect: { reason?: string; report: CallReport; at: number } | undefined;
}
type Outcome<T = unknown> = { ok: true; value: T } | { ok: false; error: { code?: string; message: string } };
type StatsRecording = Array<Array<Record<string, unknown>>>;

interface QualityPage {
  start(options: Record<string, unknown>): Promise<Outcome>;
  call(to: string): Promise<Outcome<number>>;
  callCount(): number;
  log(): CallLog | null;
  report(): CallReport;
  hangup(): Promise<Outcome>;
  mute(muted: boolean): Promise<void>;
  silenceMicrophone(): Promise<Outcome<string>>;
  recordStats(count: number, intervalMs: number): Promise<StatsRecording>;
}

/** Calls window.quality[method](...args) in the page. */
const onPage = pageApi<QualityPage>('quality');

// --- thresholds ------------------------------------------------------------------

/**
 * low-mos between a clean and a 5 %-lossy call, chosen from the E-model
 * (mos.ts): Opus has Ie 0 and Bpl 20, so 5 % random loss costs
 * Ie,eff = 95·5/(5+20) = 19 R points. With the 30–150 ms jitter buffer
 * Chromium reports on an idle loopback call, a clean call rates 4.29–4.38
 * and a 5 %-lossy one 3.55–3.72. Bob counts what a second of 50 packets
 * lost (2 or 3 of them: 4–6 %); alice learns her outbound loss from RTCP
 * receiver reports, one value per 2.5–7.5 s. 4.1 (a sample is bad from about
 * 2–2.3 % loss) keeps 0.19 above it for a clean call and below it every
 * lossy window (when the relay dropped each packet at random, a window of
 * ~2 % loss once gave a median of 4.12).
 */
const LOW_MOS = 4.1;
/**
 * high-jitter for 0–30 ms of uniform added delay. RFC 3550's estimator
 * converges to E|Dᵢ − Dᵢ₋₁| = 30/3 = 10 ms for two independent uniform
 * delays (E2E-NOTES: 0–40 ms gave 10–15 ms, theory 13.3). Measured here:
 * 8–11 ms per sample on an idle machine (more under load), against 0–1 ms
 * for the clean call. The default (30 ms) is for real networks and would
 * never fire here.
 */
const HIGH_JITTER_MS = 7;
const GRACE_PERIOD_MS = 2000;

const QUALITY_WARNINGS = {
  gracePeriodMs: GRACE_PERIOD_MS,
  thresholds: {
    'high-rtt': { threshold: 150, clearThreshold: 120 },
    'high-jitter': { threshold: HIGH_JITTER_MS, clearThreshold: HIGH_JITTER_MS },
    'low-mos': { threshold: LOW_MOS, clearThreshold: LOW_MOS },
  },
};

const PAGE_PATH = '/e2e/pages/quality/index.html';
const FIXTURE_DIR = join(REPO_ROOT, 'test/unit/quality/fixtures');
const RECORD_FIXTURES = process.env.RECORD_FIXTURES === '1';
/** Generous: the machine is shared with other e2e runs. */
const WAIT_MS = 20_000;
const POLL_MS = 250;

// --- small statistics --------------------------------------------------------------

function mean(values: readonly number[]): number {
  if (values.length === 0) throw new Error('mean of nothing');
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}

function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of nothing');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function metric(samples: readonly QualitySample[], read: (s: QualitySample) => number | undefined): number[] {
  return samples.map(read).filter((v): v is number => v !== undefined);
}

/** The MOS a sample would have with `loss` in one direction (how src/quality/stats.ts rates each direction). */
function expectedMosAt(sample: QualitySample, loss: number, direction: 'talking' | 'listening'): number | undefined {
  const { rttMs, selectedCodec: codec } = sample;
  if (rttMs === undefined) return undefined;
  if (direction === 'talking') {
    return sample.remoteJitterMs === undefined ? undefined : estimateMos({ rttMs, jitterMs: sample.remoteJitterMs, loss, codec });
  }
  return sample.jitterMs === undefined
    ? undefined
    : estimateMos({ rttMs, jitterMs: sample.jitterMs, loss, codec, jitterBufferMs: sample.jitterBufferDelayMs });
}

const fmt = (values: readonly number[], digits = 1) => values.map((v) => v.toFixed(digits)).join(' ');

/** Whether `name` was up at some moment between `from` and `to` (raised before and not cleared, or raised in between). */
function wasRaisedDuring(log: CallLog, name: string, from: number, to: number): boolean {
  const events = [
    ...log.warnings.filter((w) => w.name === name).map((w) => ({ at: w.at, up: true })),
    ...log.cleared.filter((c) => c.name === name).map((c) => ({ at: c.at, up: false })),
  ].sort((a, b) => a.at - b.at);
  const upAtStart = events.filter((e) => e.at < from).at(-1)?.up ?? false;
  return upAtStart || events.some((e) => e.up && e.at >= from && e.at <= to);
}

/**
 * Every raise of `name` is justified by the SDK's own samples: its value is
 * the triggering sample's, and at least `k` of the last `n` samples were bad.
 */
function expectRaisesJustified(
  log: CallLog,
  name: string,
  read: (s: QualitySample) => number | undefined,
  isBad: (value: number) => boolean,
  { k, n }: { k: number; n: number },
): void {
  for (const warning of log.warnings.filter((w) => w.name === name)) {
    const window = log.samples.slice(0, warning.samples).slice(-n);
    expect(read(window.at(-1)!)).toBe(warning.value);
    expect(metric(window, read).filter(isBad).length).toBeGreaterThanOrEqual(k);
  }
}

// --- coturn --------------------------------------------------------------------------

interface TurnServer {
  port: number;
  stop(): Promise<void>;
}

/** Debian's coturn on 127.0.0.1 with one static long-term credential, test:test. */
async function startTurnServer(): Promise<TurnServer> {
  const binary = '/usr/bin/turnserver';
  assertExecutable(binary, 'apt-get install -y coturn');
  const dir = await makeTempDir('coturn');
  const port = await getFreePort();
  const configFile = join(dir, 'turnserver.conf');
  await writeFile(
    configFile,
    [
      'listening-ip=127.0.0.1',
      'relay-ip=127.0.0.1',
      `listening-port=${port}`,
      // Each e2e run has its own network namespace: a fixed range cannot clash.
      'min-port=49152',
      'max-port=49999',
      'lt-cred-mech',
      'fingerprint',
      'user=test:test',
      'realm=callchart.test',
      // Both peers are on 127.0.0.1; coturn refuses loopback peers otherwise.
      'allow-loopback-peers',
      'no-tls',
      'no-dtls',
      'no-cli',
      'no-multicast-peers',
      `pidfile=${join(dir, 'turnserver.pid')}`,
      `userdb=${join(dir, 'turndb')}`,
      'log-file=stdout',
      'simple-log',
      '',
    ].join('\n'),
  );
  const turn = spawnManaged('turnserver', binary, ['-c', configFile]);
  try {
    await waitFor(
      async () => {
        if (turn.hasExited()) throw new Error(`turnserver exited:\n${turn.output()}`);
        return canConnect(port);
      },
      { timeoutMs: 10_000, intervalMs: 50, description: `turnserver listening on ${port}` },
    );
  } catch (error) {
    await turn.stop();
    await removeDir(dir);
    throw error;
  }
  return {
    port,
    async stop() {
      await turn.stop();
      await removeDir(dir);
    },
  };
}

describe('call quality the SDK reports on real calls', () => {
  const cleanup = new CleanupStack();
  let kamailio: Kamailio;
  let browser: E2EBrowser;
  let relay: Relay;
  let alice: Page;
  let bob: Page;

  const log = async (page: Page): Promise<CallLog> => {
    const current = await onPage(page, 'log');
    if (current === null) throw new Error('no call on this page');
    return current;
  };

  const startDevices = async (extra: Record<string, unknown> = {}): Promise<void> => {
    for (const [page, user] of [
      [alice, 'alice'],
      [bob, 'bob'],
    ] as const) {
      const options = { ...userAccount(user, kamailio.wsUrl), qualityWarnings: QUALITY_WARNINGS, ...extra };
      expect(await onPage(page, 'start', options)).toEqual({ ok: true });
    }
  };

  /** alice calls bob, bob's page answers; resolves once both calls are accepted, with alice's accept time. */
  const placeCall = async (): Promise<number> => {
    const bobCallsBefore = await onPage(bob, 'callCount');
    expect(await onPage(alice, 'call', sipUri('bob'))).toMatchObject({ ok: true });
    await waitFor(async () => (await onPage(bob, 'callCount')) > bobCallsBefore, {
      timeoutMs: WAIT_MS,
      intervalMs: POLL_MS,
      description: "bob's incoming call",
    });
    const accepted = [];
    for (const page of [alice, bob]) {
      accepted.push(
        await waitFor(async () => (await log(page)).acceptedAt, {
          timeoutMs: WAIT_MS,
          intervalMs: POLL_MS,
          description: 'the call accepted',
        }),
      );
    }
    return Math.max(...accepted);
  };

  /** The samples with `from` ≤ timestamp < `to`, once there are `count` of them. */
  const samplesFrom = (page: Page, from: number, count: number, to = Infinity): Promise<QualitySample[]> =>
    waitFor(
      async () => {
        const samples = (await log(page)).samples.filter((s) => s.timestamp >= from && s.timestamp < to);
        return samples.length >= count ? samples : undefined;
      },
      { timeoutMs: count * 1000 + WAIT_MS, intervalMs: POLL_MS, description: `${count} quality samples` },
    );

  const waitForWarning = (page: Page, name: string, after: number, timeoutMs = WAIT_MS): Promise<WarningEntry> =>
    waitFor(async () => (await log(page)).warnings.find((w) => w.name === name && w.at >= after), {
      timeoutMs,
      intervalMs: POLL_MS,
      description: `a '${name}' warning`,
    });

  const waitForCleared = (page: Page, name: string, after: number, timeoutMs = WAIT_MS): Promise<ClearedEntry> =>
    waitFor(async () => (await log(page)).cleared.find((c) => c.name === name && c.at >= after), {
      timeoutMs,
      intervalMs: POLL_MS,
      description: `'${name}' cleared`,
    });

  const hangUp = async (): Promise<void> => {
    expect(await onPage(alice, 'hangup')).toEqual({ ok: true });
    for (const page of [alice, bob]) {
      await waitFor(async () => (await log(page)).disconnect, {
        timeoutMs: WAIT_MS,
        intervalMs: POLL_MS,
        description: 'the call ended',
      });
    }
  };

  beforeAll(async () => {
    const rig = await startSdkRig(cleanup);
    ({ kamailio, browser } = rig);
    relay = await startRelay();
    cleanup.add('relay', () => relay.stop());
    ({ alice, bob } = await browser.openPages(['alice', 'bob'], `${rig.server.url}${PAGE_PATH}`, {
      readyExpression: 'window.qualityReady === true',
    }));
    await routeMediaThroughRelay(alice, relay, 'a');
    await routeMediaThroughRelay(bob, relay, 'b');
    await startDevices();
  });

  afterEach(async () => {
    relay.setImpairment('both', {});
    // A failed test may leave its call up; the next test needs a fresh one.
    for (const page of [alice, bob]) {
      const current = await onPage(page, 'log');
      if (current?.accepted && current.disconnect === undefined) await onPage(page, 'hangup');
    }
  });

  afterAll(async () => {
    await cleanup.runAll();
  });

  it('measures a 100 ms each-way delay as a 200 ms round trip, raises high-rtt, and clears it when the delay goes', async () => {
    relay.setImpairment('both', { delayMs: 100 });
    const impairedAt = Date.now();
    const acceptedAt = await placeCall();

    for (const [name, page] of [
      ['alice', alice],
      ['bob', bob],
    ] as const) {
      // The first samples take the RTT from the ICE candidate pair, later ones
      // from RTCP receiver reports (about 2.5 s in): both must see the delay.
      const early = metric(await samplesFrom(page, acceptedAt, 1, impairedAt + 5000), (s) => s.rttMs);
      const rtts = metric(await samplesFrom(page, acceptedAt, 8), (s) => s.rttMs);
      const rtcpRtts = metric(await samplesFrom(page, acceptedAt + 4000, 4), (s) => s.rttMs);
      console.info(`${name} rtt with 100 ms each way (ms): ${fmt(rtts, 0)}`);
      // Load only ever adds to a round trip (a late RTCP report reads 250–650
      // ms here now and then): none is below target, and the best one within
      // 5 s of the impairment, and the best once RTCP measures it, are on it.
      expect(Math.min(...rtts)).toBeGreaterThanOrEqual(170);
      expect(Math.min(...early)).toBeLessThanOrEqual(230);
      expect(Math.min(...rtcpRtts)).toBeGreaterThanOrEqual(170);
      expect(Math.min(...rtcpRtts)).toBeLessThanOrEqual(230);

      const warning = await waitForWarning(page, 'high-rtt', impairedAt);
      expect(warning.threshold).toBe(150);
      expect(warning.value).toBeGreaterThanOrEqual(170);
    }

    relay.setImpairment('both', {});
    const restoredAt = Date.now();
    for (const [name, page] of [
      ['alice', alice],
      ['bob', bob],
    ] as const) {
      // The RTT comes from RTCP by now (a report every 2.5–7.5 s); then 3 good samples clear it.
      const cleared = await waitForCleared(page, 'high-rtt', restoredAt, 40_000);
      const current = await log(page);
      const clearing = current.samples.slice(0, cleared.samples).slice(-3);
      const clearingRtts = metric(clearing, (s) => s.rttMs);
      console.info(`${name} high-rtt cleared ${cleared.at - restoredAt} ms after the delay went, at rtt ${fmt(clearingRtts, 0)}`);
      expect(clearingRtts).toHaveLength(3);
      for (const rtt of clearingRtts) expect(rtt).toBeLessThanOrEqual(120);
    }
  });

  it('measures 5 % loss one way on both ends, lowers the MOS, raises low-mos, and reports it at the end of the call', async () => {
    const acceptedAt = await placeCall();

    // Clean: the baseline, and a recording of bob's stats.
    const cleanStats = await onPage(bob, 'recordStats', 8, 1000);
    const cleanEnd = Date.now();
    const clean = {
      alice: await samplesFrom(alice, acceptedAt, 5, cleanEnd),
      bob: await samplesFrom(bob, acceptedAt, 5, cleanEnd),
    };

    relay.resetCounts();
    // One RTP packet in each 20 (and one RTCP packet in each 20) dropped at a random place: every window the SDK
    // measures over loses 5 % ± a packet. With each packet dropped at random (p = 0.05) a receiver-report window now
    // and then lost ~2 %, and the loss and MOS checks below had to allow for that chance rather than for the SDK.
    relay.setImpairment('a-to-b', { loss: 0.05, lossPattern: 'spread' });
    const lossStart = Date.now();
    const lossyStats = await onPage(bob, 'recordStats', 8, 1000);
    // Outbound loss comes from RTCP receiver reports (every 2.5–7.5 s); the
    // first one after the change also covers clean seconds, so skip 8 s.
    const settled = lossStart + 8000;
    const lossy = {
      alice: await samplesFrom(alice, settled, 20),
      bob: await samplesFrom(bob, lossStart + 1500, 26),
    };
    const lossEnd = Date.now();
    const aToB = relay.counts('a-to-b');
    const relayLoss = aToB.rtpDropped / aToB.rtp;

    const bobInbound = metric(lossy.bob, (s) => s.inboundLoss);
    const aliceOutbound = metric(lossy.alice, (s) => s.outboundLoss);
    const aliceInbound = metric(lossy.alice, (s) => s.inboundLoss);
    const bobOutbound = metric(lossy.bob.filter((s) => s.timestamp >= settled), (s) => s.outboundLoss);
    console.info(
      `relay dropped ${aToB.rtpDropped} of ${aToB.rtp} RTP packets a→b (${relayLoss.toFixed(3)})\n` +
        `bob inboundLoss ${fmt(bobInbound, 3)} (mean ${mean(bobInbound).toFixed(3)})\n` +
        `alice outboundLoss ${fmt(aliceOutbound, 3)} (mean ${mean(aliceOutbound).toFixed(3)})\n` +
        `alice inboundLoss mean ${mean(aliceInbound).toFixed(4)}, bob outboundLoss mean ${mean(bobOutbound).toFixed(4)}`,
    );
    // One in each 20 from the change on: over ~1500 packets 5 % within a packet or two.
    expect(Math.abs(relayLoss - 0.05)).toBeLessThanOrEqual(0.002);
    // The receiver counts exactly what the relay dropped; the sender learns it from RTCP. Both are judged against
    // what the relay really dropped.
    expect(Math.abs(mean(bobInbound) - relayLoss)).toBeLessThanOrEqual(0.01);
    expect(Math.abs(mean(aliceOutbound) - relayLoss)).toBeLessThanOrEqual(0.015);
    expect(mean(aliceInbound)).toBeLessThan(0.01);
    expect(mean(bobOutbound)).toBeLessThan(0.01);

    for (const [name, page] of [
      ['alice', alice],
      ['bob', bob],
    ] as const) {
      const cleanMos = metric(clean[name], (s) => s.mosEstimate);
      const lossyMos = metric(lossy[name], (s) => s.mosEstimate);
      console.info(`${name} MOS clean ${fmt(cleanMos, 2)} | 5 % loss ${fmt(lossyMos, 2)}`);
      expect(Math.max(...cleanMos)).toBeGreaterThan(LOW_MOS);
      // The MOS drops clearly (0.15 is what ~1.2 % loss costs; the relay's 3–7 % costs 0.4–1.0)…
      expect(median(lossyMos)).toBeLessThan(median(cleanMos) - 0.15);
      // …and to what the E-model gives for the loss the relay really dropped, with the delay each sample measured
      // (alice rates what she sends, bob what he hears: the worse direction of each). ±0.25 is the ±1.5 points of
      // loss the RTCP-reported value may be off by over a run's few receiver reports.
      const expectedMos = metric(lossy[name], (s) => expectedMosAt(s, relayLoss, name === 'alice' ? 'talking' : 'listening'));
      console.info(`${name} MOS mean ${mean(lossyMos).toFixed(2)}, the E-model at the relay's ${relayLoss.toFixed(3)}: ${mean(expectedMos).toFixed(2)}`);
      expect(expectedMos).toHaveLength(lossyMos.length);
      expect(Math.abs(mean(lossyMos) - mean(expectedMos))).toBeLessThanOrEqual(0.25);

      const current = await log(page);
      expect(wasRaisedDuring(current, 'low-mos', lossStart, lossEnd)).toBe(true);
      expectRaisesJustified(current, 'low-mos', (s) => s.mosEstimate, (mos) => mos < LOW_MOS, { k: 3, n: 5 });
    }
    await waitForWarning(bob, 'high-inbound-packet-loss', lossStart);
    await waitForWarning(alice, 'high-outbound-packet-loss', lossStart);

    // A `report` every 3 s while the call is up.
    const reportTimes = (await log(bob)).reports.map((r) => r.at);
    const gaps = reportTimes.slice(1).map((at, i) => at - reportTimes[i]!);
    console.info(`report gaps (ms): ${fmt(gaps, 0)}`);
    expect(reportTimes.length).toBeGreaterThanOrEqual(Math.floor((lossEnd - acceptedAt) / 3000) - 1);
    expect(median(gaps)).toBeGreaterThanOrEqual(2800);
    expect(median(gaps)).toBeLessThanOrEqual(3300);

    await hangUp();
    const { disconnect } = await log(bob);
    const report = await onPage(bob, 'report');
    expect(disconnect!.report).toEqual(report);
    expect(report.inboundLoss!.max).toBeGreaterThanOrEqual(0.03);
    expect(report.codec).toBe('OPUS');
    expect(report.warnings.map((w) => w.name)).toEqual(expect.arrayContaining(['low-mos', 'high-inbound-packet-loss']));
    for (const warning of report.warnings) {
      expect(warning.raisedAt).toBeGreaterThanOrEqual(acceptedAt + GRACE_PERIOD_MS - 1000);
      expect(warning.raisedAt).toBeLessThanOrEqual(disconnect!.at);
    }

    if (RECORD_FIXTURES) {
      // Formatted like the other fixtures in that folder.
      await writeFile(join(FIXTURE_DIR, 'chromium-clean.json'), `${JSON.stringify(cleanStats, null, 1)}\n`);
      await writeFile(join(FIXTURE_DIR, 'chromium-loss5.json'), `${JSON.stringify(lossyStats, null, 1)}\n`);
    }
  });

  it('measures 0–30 ms of added jitter well above a clean call and raises high-jitter', async () => {
    const acceptedAt = await placeCall();
    const clean = { alice: await samplesFrom(alice, acceptedAt, 8), bob: await samplesFrom(bob, acceptedAt, 8) };

    relay.setImpairment('both', { jitterMs: 30 });
    const jitterStart = Date.now();
    for (const [name, page] of [
      ['alice', alice],
      ['bob', bob],
    ] as const) {
      const cleanJitter = metric(clean[name], (s) => s.jitterMs);
      const jittery = metric(await samplesFrom(page, jitterStart + 1500, 10), (s) => s.jitterMs);
      console.info(`${name} jitter (ms) clean ${fmt(cleanJitter, 0)} | 0–30 ms added ${fmt(jittery, 0)}`);
      expect(median(jittery)).toBeGreaterThan(HIGH_JITTER_MS);
      // Load adds spikes of 10–30 ms to a clean call now and then, and never
      // takes jitter away: the added jitter shows in the calmest second.
      expect(Math.min(...jittery)).toBeGreaterThanOrEqual(Math.min(...cleanJitter) + 3);

      const current = await log(page);
      expect(wasRaisedDuring(current, 'high-jitter', jitterStart, Date.now())).toBe(true);
      expectRaisesJustified(current, 'high-jitter', (s) => s.jitterMs, (jitter) => jitter > HIGH_JITTER_MS, { k: 3, n: 5 });
    }
  });

  it('raises silent-microphone for a microphone gone silent while unmuted, but not while muted', async () => {
    const acceptedAt = await placeCall();
    await samplesFrom(alice, acceptedAt + GRACE_PERIOD_MS, 1);
    // silent-microphone needs 5 silent samples in a row: each case gets the same 8.
    const windowSamples = 8;

    // Silence first: mute disables whatever track the sender has.
    expect(await onPage(alice, 'silenceMicrophone')).toEqual({ ok: true, value: 'running' });
    await onPage(alice, 'mute', true);
    const mutedAt = Date.now();
    // A sample covers the second before its timestamp: start after the switch.
    const muted = await samplesFrom(alice, mutedAt + 1200, windowSamples);
    const mutedEnergy = metric(muted, (s) => s.inputAudioEnergyDelta);
    console.info(`alice input energy per sample, muted and silent: ${fmt(mutedEnergy, 9)}`);
    // Each of these samples would count as silent if mute did not suppress the warning.
    expect(mutedEnergy).toHaveLength(muted.length);
    expect(Math.max(...mutedEnergy)).toBeLessThan(1e-9);
    expect((await log(alice)).warnings.filter((w) => w.name === 'silent-microphone')).toEqual([]);

    await onPage(alice, 'mute', false);
    const unmutedAt = Date.now();
    const warning = await waitForWarning(alice, 'silent-microphone', unmutedAt, windowSamples * 1000 + 5000);
    const judged = (await log(alice)).samples.slice(0, warning.samples).filter((s) => s.timestamp >= unmutedAt);
    console.info(`silent-microphone raised ${warning.at - unmutedAt} ms (${judged.length} samples) after unmuting a silent track`);
    expect(judged.length).toBeLessThanOrEqual(windowSamples);
    expect(warning.value).toBeLessThan(1e-9);
  });

  describe('through a TURN server, relay candidates only', () => {
    beforeAll(async () => {
      const turn = await startTurnServer();
      cleanup.add('turnserver', () => turn.stop());
      await startDevices({
        iceServers: [{ urls: `turn:127.0.0.1:${turn.port}`, username: 'test', credential: 'test' }],
        iceTransportPolicy: 'relay',
      });
    });

    it('reports relay as the local and the remote candidate type, with audio flowing both ways', async () => {
      const acceptedAt = await placeCall();
      for (const page of [alice, bob]) {
        const samples = await samplesFrom(page, acceptedAt, 3);
        const last = samples.at(-1)!;
        expect(last).toMatchObject({ localCandidateType: 'relay', remoteCandidateType: 'relay', selectedCodec: 'OPUS' });
        expect(last.packetsReceived).toBeGreaterThan(samples[0]!.packetsReceived ?? 0);
        expect(last.inboundAudioEnergyDelta).toBeGreaterThan(0);
      }
      const report = await onPage(alice, 'report');
      expect(report).toMatchObject({ localCandidateType: 'relay', remoteCandidateType: 'relay' });
      await hangUp();
    });
  });
});
