// `npm run bench`: call setup time of callchart against plain SIP.js, the
// main-thread cost of one quality sample, how soon media is back after its
// path was restored (ICE restart), and how calls survive server faults
// (bench/survive.ts), measured in one Chromium against Kamailio inside the
// loopback-only network namespace. Prints figures;
// asserts no time limits. Exits non-zero when a figure could not be measured.
//
// Run: bash scripts/bench.sh [--calls=N] [--samples=N] [--media-rounds=N]   (see bench/README.md)
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import {
  CleanupStack,
  KAMAILIO_BIN,
  REPO_ROOT,
  USERS,
  assertIsolatedNetwork,
  kamailioErrors,
  launchBrowser,
  makeTempDir,
  pageApi,
  removeDir,
  snapshotBuiltSdk,
  startKamailio,
  startStaticServer,
  udpCut,
  type ConsoleEntry,
  type E2EBrowser,
  type Kamailio,
  type UserName,
} from '../e2e/harness/index.js';
import type { QualityBenchOptions, QualityBenchResult, SampleTiming } from './quality-entry.js';
import { startIsolatingProxy } from './isolation.js';
import { benchMediaRestore, printMediaRestore } from './media.js';
import { fmt, summarize, table, type Summary } from './summary.js';
import { benchSurvive, isExpectedOutageError } from './survive.js';

const execFileAsync = promisify(execFile);

// ---- settings ----------------------------------------------------------------

/** Calls measured per implementation; the first is dropped (getUserMedia and JIT warm-up). */
const CALLS = intArg('calls', 31);
/** Quality samples measured (after QUALITY_WARMUP unmeasured ones). */
const QUALITY_SAMPLES = intArg('samples', 300);
const QUALITY_WARMUP = 20;
/** Cut-and-restore rounds of "path restored → media back" (about 10 s each). */
const MEDIA_ROUNDS = intArg('media-rounds', 3);
/** > Chromium's 50 ms getStats() cache, so every sample is a fresh report. */
const QUALITY_SPACING_MS = 100;
/** A failed call is retried; this many failures of one implementation abort its measurement. */
const FAILURE_BUDGET = 5;
/** Generous: the machine is shared with other e2e runs. */
const CALL_TIMEOUT_MS = 20_000;
const END_TIMEOUT_MS = 10_000;
const SETUP_TARGET_RATIO = 0.65;
/** `--survive-only`: just part 4 (bench/survive.ts). */
const SURVIVE_ONLY = process.argv.includes('--survive-only');
const SAMPLE_TARGET_MS = 1;

function intArg(name: string, fallback: number): number {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  if (arg === undefined) return fallback;
  const value = Number(arg.slice(name.length + 3));
  if (!Number.isInteger(value) || value < 2) throw new Error(`--${name} must be a whole number ≥ 2`);
  return value;
}

// ---- pages ---------------------------------------------------------------------

type Mark = [ms: number, label: string];
type Role = 'caller' | 'callee';

/** window.bench in e2e/pages/bench/callchart/callchart.js and e2e/pages/bench/sipjs/sipjs.js */
interface BenchPageApi {
  start(options: {
    server: string;
    user: string;
    password: string;
    domain: string;
    role: Role;
    deviceOptions?: Record<string, unknown>;
  }): Promise<void>;
  call(target: string, timeoutMs: number): Promise<{ ms: number; marks: Mark[] }>;
  hangup(timeoutMs: number): Promise<void>;
  waitIdle(timeoutMs: number): Promise<void>;
  endAll(): Promise<void>;
  takeMarks(): Mark[];
  stop(): Promise<void>;
}

/** Calls window.bench[method](...args) in the page. */
const bench = pageApi<BenchPageApi>('bench');

type Impl = 'callchart' | 'sipjs';
const IMPL_NAMES: Record<Impl, string> = { callchart: 'callchart', sipjs: 'plain SIP.js' };

interface Pair {
  impl: Impl;
  caller: Page;
  callee: Page;
  calleeUser: UserName;
}

interface CallMeasurement {
  ms: number;
  callerMarks: Mark[];
  /** Relative to the callee's receipt of the INVITE. */
  calleeMarks: Mark[];
}

// ---- main ----------------------------------------------------------------------

async function main(): Promise<number> {
  const loadAtStart = os.loadavg();
  assertIsolatedNetwork();
  const cleanup = new CleanupStack();
  let exitCode = 0;
  try {
    const kamailio = await startKamailio();
    cleanup.add('kamailio', () => kamailio.stop());

    const bundleDir = await makeTempDir('bench-bundle');
    cleanup.add('bundle', () => removeDir(bundleDir));
    await bundleQualityEntry(bundleDir);

    const sdk = await snapshotBuiltSdk();
    cleanup.add('built SDK snapshot', () => sdk.dispose());
    const server = await startStaticServer({
      root: REPO_ROOT,
      mounts: { '/bench-bundle/': bundleDir, '/dist/': sdk.dir },
    });
    cleanup.add('static server', () => server.stop());

    const browser = await launchBrowser();
    cleanup.add('chromium', () => browser.close());

    await printEnvironment(browser, kamailio, loadAtStart);

    const open = async (
      name: string,
      origin: string,
      impl: Impl,
      user: UserName,
      role: Role,
      deviceOptions?: Record<string, unknown>,
    ): Promise<Page> => {
      const page = await browser.openPage(name, `${origin}/e2e/pages/bench/${impl}/`, {
        readyExpression: 'window.benchReady === true',
      });
      await bench(page, 'start', {
        server: kamailio.wsUrl,
        user: USERS[user].user,
        password: USERS[user].password,
        domain: kamailio.domain,
        role,
        ...(deviceOptions ? { deviceOptions } : {}),
      });
      cleanup.add(`${name} page`, () => bench(page, 'stop'));
      return page;
    };

    if (!SURVIVE_ONLY) {
      // Callers need no registration to call out, so both are alice; the
      // callees are registered users of their own (two registered bobs would
      // make Kamailio fork every INVITE).
      const pairs: Record<Impl, Pair> = {
        callchart: {
          impl: 'callchart',
          caller: await open('callchart caller', server.url, 'callchart', 'alice', 'caller'),
          callee: await open('callchart callee', server.url, 'callchart', 'bob', 'callee'),
          calleeUser: 'bob',
        },
        sipjs: {
          impl: 'sipjs',
          caller: await open('sipjs caller', server.url, 'sipjs', 'alice', 'caller'),
          callee: await open('sipjs callee', server.url, 'sipjs', 'carol', 'callee'),
          calleeUser: 'carol',
        },
      };

      const setup = await benchCallSetup(pairs);
      if (!printCallSetup(setup)) exitCode = 1;

      // A call with the SDK's own sampler switched off (interval: an hour) so it
      // cannot interleave its getStats() with ours, and no grace period, so the
      // call's warnings judge every sample. The page is cross-origin isolated
      // for a 5 µs timer (see bench/isolation.ts).
      const proxy = await startIsolatingProxy(server.port);
      cleanup.add('isolating proxy', () => proxy.stop());
      const qualityPage = await open('quality caller', proxy.url, 'callchart', 'alice', 'caller', {
        qualityIntervalMs: 3_600_000,
        qualityWarnings: { gracePeriodMs: 0 },
      });
      if (!(await qualityPage.evaluate(() => window.crossOriginIsolated))) {
        throw new Error('the quality page is not cross-origin isolated: its timer would be too coarse');
      }
      const quality = await benchQualitySample(qualityPage, pairs.callchart.callee);
      if (!printQualitySample(quality)) exitCode = 1;

      const udp = udpCut();
      cleanup.add('UDP cut', () => udp.restore());
      const { caller, callee, calleeUser } = pairs.callchart;
      const media = await benchMediaRestore(
        {
          caller,
          calleeUser,
          call: async () => void (await bench(caller, 'call', calleeUser, CALL_TIMEOUT_MS)),
          hangup: async () => {
            await bench(caller, 'hangup', END_TIMEOUT_MS);
            await bench(callee, 'waitIdle', END_TIMEOUT_MS);
          },
        },
        udp,
        MEDIA_ROUNDS,
      );
      if (!printMediaRestore(media, MEDIA_ROUNDS)) exitCode = 1;
    }
    if (!(await benchSurvive(browser, server.url, cleanup))) exitCode = 1;

    printHealth(browser.consoleErrors().filter((entry) => !isExpectedOutageError(entry)), kamailio);
  } catch (error) {
    console.error(`\nbenchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    exitCode = 1;
  } finally {
    try {
      await cleanup.runAll();
    } catch (error) {
      console.error(String(error));
      exitCode = 1;
    }
  }
  const load = os.loadavg().map((value) => value.toFixed(2)).join(' ');
  console.log(`\nload average at end: ${load}`);
  return exitCode;
}

async function bundleQualityEntry(dir: string): Promise<void> {
  await execFileAsync(join(REPO_ROOT, 'node_modules/.bin/esbuild'), [
    join(REPO_ROOT, 'bench/quality-entry.ts'),
    '--bundle',
    '--format=esm',
    '--target=es2022',
    `--outfile=${join(dir, 'quality.js')}`,
    '--log-level=warning',
  ]);
}

// ---- environment -----------------------------------------------------------------

async function printEnvironment(browser: E2EBrowser, kamailio: Kamailio, loadAtStart: number[]): Promise<void> {
  const { stdout } = await execFileAsync(KAMAILIO_BIN, ['-v']);
  const kamailioVersion = /version:\s*(.+)/.exec(stdout)?.[1]?.trim() ?? stdout.split('\n')[0];
  const version = (path: string) => (JSON.parse(readFileSync(join(REPO_ROOT, path), 'utf8')) as { version: string }).version;
  const cpus = os.cpus();
  const rows: [string, string][] = [
    ['date', new Date().toISOString()],
    ['Chromium', browser.browser.version()],
    ['Kamailio', `${kamailioVersion} (started in ${kamailio.startupMs.toFixed(0)} ms)`],
    ['CPUs', `${cpus.length} × ${cpus[0]?.model ?? 'unknown'}`],
    ['load average at start', `${loadAtStart.map((value) => value.toFixed(2)).join(' ')} (1, 5, 15 min)`],
    ['Node', process.version],
    ['callchart / SIP.js / XState', `${version('package.json')} / ${version('node_modules/sip.js/package.json')} / ${version('node_modules/xstate/package.json')}`],
  ];
  console.log('callchart benchmark');
  for (const [name, value] of rows) console.log(`  ${`${name}:`.padEnd(30)}${value}`);
}

// ---- 1. call setup ---------------------------------------------------------------

interface SetupResult {
  /** Successful calls in order, warm-up first. */
  calls: Record<Impl, CallMeasurement[]>;
  failures: Record<Impl, string[]>;
}

/**
 * CALLS calls per implementation, alternating ABBA so that drifting machine
 * load and any after-effect of one call on the next hit both alike.
 */
async function benchCallSetup(pairs: Record<Impl, Pair>): Promise<SetupResult> {
  const calls: Record<Impl, CallMeasurement[]> = { callchart: [], sipjs: [] };
  const failures: Record<Impl, string[]> = { callchart: [], sipjs: [] };
  // Registration traffic is not part of any call.
  for (const pair of Object.values(pairs)) await bench(pair.callee, 'takeMarks');

  const wants = (impl: Impl) => calls[impl].length < CALLS && failures[impl].length < FAILURE_BUDGET;
  for (let round = 0; wants('callchart') || wants('sipjs'); round += 1) {
    const order: Impl[] = round % 2 === 0 ? ['callchart', 'sipjs'] : ['sipjs', 'callchart'];
    for (const impl of order) {
      if (!wants(impl)) continue;
      try {
        calls[impl].push(await measureCall(pairs[impl]));
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        failures[impl].push(message);
        console.error(`  ${IMPL_NAMES[impl]} call failed: ${message}`);
        await recover(pairs[impl]);
      }
    }
  }
  return { calls, failures };
}

async function measureCall(pair: Pair): Promise<CallMeasurement> {
  const { ms, marks } = await bench(pair.caller, 'call', pair.calleeUser, CALL_TIMEOUT_MS);
  // Both sides must have ended before the next call starts.
  await bench(pair.caller, 'hangup', END_TIMEOUT_MS);
  await bench(pair.callee, 'waitIdle', END_TIMEOUT_MS);
  const calleeMarks = await bench(pair.callee, 'takeMarks');
  const inviteAt = calleeMarks.find(([, label]) => label === '< INVITE')?.[0] ?? Number.NaN;
  return {
    ms,
    callerMarks: marks,
    calleeMarks: calleeMarks.map(([time, label]): Mark => [time - inviteAt, label]),
  };
}

/** After a failed call: end both sides so the next measurement starts clean. */
async function recover(pair: Pair): Promise<void> {
  await bench(pair.caller, 'hangup', END_TIMEOUT_MS).catch(() => undefined);
  await bench(pair.callee, 'endAll').catch(() => undefined);
  await bench(pair.callee, 'waitIdle', END_TIMEOUT_MS).catch(() => undefined);
  await bench(pair.callee, 'takeMarks').catch(() => undefined);
}

/** Prints section 1; false when a figure is missing. */
function printCallSetup({ calls, failures }: SetupResult): boolean {
  const measured = {
    callchart: calls.callchart.slice(1),
    sipjs: calls.sipjs.slice(1),
  };
  const summaries = {
    callchart: summarize(measured.callchart.map((call) => call.ms)),
    sipjs: summarize(measured.sipjs.map((call) => call.ms)),
  };
  console.log(
    `\n1. Call setup: callchart connect() → 'accepted'; plain SIP.js invite() → Established.` +
      `\n   ${CALLS} calls each, the first dropped (warm-up), alternating ABBA; callee auto-answers; ms, caller's clock.`,
  );
  const row = (impl: Impl, s: Summary) => [IMPL_NAMES[impl], fmt(s.median), fmt(s.p10), fmt(s.p90), fmt(s.min), fmt(s.max), String(s.n)];
  console.log(
    table([
      ['', 'median', 'p10', 'p90', 'min', 'max', 'n'],
      row('callchart', summaries.callchart),
      row('sipjs', summaries.sipjs),
    ]),
  );
  const ratio = summaries.callchart.median / summaries.sipjs.median;
  const verdict = Number.isFinite(ratio) ? (ratio <= SETUP_TARGET_RATIO ? 'within target' : 'ABOVE target') : 'not measured';
  console.log(`  ratio callchart/SIP.js (medians): ${fmt(ratio, 2)}   target ≤ ${SETUP_TARGET_RATIO} → ${verdict}`);
  const warmups = (['callchart', 'sipjs'] as const).map((impl) => `${IMPL_NAMES[impl]} ${fmt(calls[impl][0]?.ms)}`);
  console.log(`  warm-up calls (dropped): ${warmups.join(', ')} ms`);
  for (const impl of ['callchart', 'sipjs'] as const) {
    if (failures[impl].length > 0) console.log(`  ${IMPL_NAMES[impl]}: ${failures[impl].length} failed call(s), retried: ${failures[impl].join(' | ')}`);
  }
  if (measured.callchart.length > 0 && measured.sipjs.length > 0) printSetupBreakdown(measured);
  const complete = (impl: Impl) => measured[impl].length === CALLS - 1;
  for (const impl of ['callchart', 'sipjs'] as const) {
    if (!complete(impl)) console.log(`  ${IMPL_NAMES[impl]}: only ${measured[impl].length} of ${CALLS - 1} calls measured`);
  }
  return complete('callchart') && complete('sipjs');
}

/** Time of the n-th (1-based) mark with `label`, or undefined. */
function markAt(marks: readonly Mark[], label: string, n = 1): number | undefined {
  return marks.filter(([, l]) => l === label)[n - 1]?.[0];
}

function medianOf(values: (number | undefined)[]): number | undefined {
  const present = values.filter((value): value is number => value !== undefined && Number.isFinite(value));
  // A step seen in fewer than half of the calls is not typical of them.
  return present.length * 2 >= values.length ? summarize(present).median : undefined;
}

/** Where the time goes: the phases of a call, and every mark, as medians. */
function printSetupBreakdown(measured: Record<Impl, CallMeasurement[]>): void {
  const phase = (call: CallMeasurement, from: [string, number] | 't0', to: [string, number] | 't1'): number | undefined => {
    const start = from === 't0' ? 0 : markAt(call.callerMarks, ...from);
    const end = to === 't1' ? call.ms : markAt(call.callerMarks, ...to);
    return start === undefined || end === undefined ? undefined : end - start;
  };
  const calleePhase = (call: CallMeasurement, from: string | undefined, to: string): number | undefined => {
    const start = from === undefined ? 0 : markAt(call.calleeMarks, from);
    const end = markAt(call.calleeMarks, to);
    return start === undefined || end === undefined ? undefined : end - start;
  };
  const phases: [string, (call: CallMeasurement) => number | undefined][] = [
    ['offer ready: t0 → INVITE sent', (c) => phase(c, 't0', ['> INVITE', 1])],
    ['  of which getUserMedia', (c) => phase(c, ['getUserMedia start', 1], ['getUserMedia done', 1])],
    ['  of which ICE gathering wait: 1st candidate → INVITE', (c) => phase(c, ['first ICE candidate', 1], ['> INVITE', 1])],
    ['digest challenge: INVITE → 407 → INVITE', (c) => phase(c, ['> INVITE', 1], ['> INVITE', 2])],
    ['answer: 2nd INVITE → 200 received', (c) => phase(c, ['> INVITE', 2], ['< 200 INVITE', 1])],
    ['  of which callee: INVITE received → 200 sent', (c) => calleePhase(c, undefined, '> 200 INVITE')],
    ['    callee getUserMedia', (c) => calleePhase(c, 'getUserMedia start', 'getUserMedia done')],
    ['    callee getUserMedia done → 1st ICE candidate', (c) => calleePhase(c, 'getUserMedia done', 'first ICE candidate')],
    ['    callee ICE gathering wait: 1st candidate → 200', (c) => calleePhase(c, 'first ICE candidate', '> 200 INVITE')],
    ['answer applied: 200 received → t1', (c) => phase(c, ['< 200 INVITE', 1], 't1')],
    ['total (t1)', (c) => c.ms],
  ];
  console.log('\n  Where the time goes (medians of per-call phases, ms; callee phase on the callee\'s clock):');
  console.log(
    table([
      ['phase', 'callchart', 'SIP.js', 'Δ'],
      ...phases.map(([name, read]) => {
        const a = medianOf(measured.callchart.map(read));
        const b = medianOf(measured.sipjs.map(read));
        return [name, fmt(a), fmt(b), a === undefined || b === undefined ? '—' : fmt(a - b)];
      }),
    ], '    '),
  );

  const timeline = (side: 'callerMarks' | 'calleeMarks', last?: string) => {
    const keysOf = (call: CallMeasurement) => {
      const seen = new Map<string, number>();
      const keyed: [string, number][] = [];
      for (const [time, label] of call[side]) {
        const n = (seen.get(label) ?? 0) + 1;
        seen.set(label, n);
        keyed.push([n === 1 ? label : `${label} #${n}`, time]);
        if (label === last) break;
      }
      return new Map(keyed);
    };
    const perImpl = { callchart: measured.callchart.map(keysOf), sipjs: measured.sipjs.map(keysOf) };
    const labels = new Set([...perImpl.callchart, ...perImpl.sipjs].flatMap((keyed) => [...keyed.keys()]));
    const rows = [...labels]
      .map((label) => ({
        label,
        callchart: medianOf(perImpl.callchart.map((keyed) => keyed.get(label))),
        sipjs: medianOf(perImpl.sipjs.map((keyed) => keyed.get(label))),
      }))
      .filter((r) => r.callchart !== undefined || r.sipjs !== undefined)
      .sort((a, b) => (a.callchart ?? a.sipjs ?? 0) - (b.callchart ?? b.sipjs ?? 0));
    return table([['event', 'callchart', 'SIP.js'], ...rows.map((r) => [r.label, fmt(r.callchart), fmt(r.sipjs)])], '    ');
  };
  console.log('\n  Caller timeline (median ms after t0; > sent, < received over the WebSocket):');
  console.log(timeline('callerMarks'));
  console.log('\n  Callee timeline (median ms after it received the INVITE, up to its 200):');
  console.log(timeline('calleeMarks', '> 200 INVITE'));
}

// ---- 2. quality sample -----------------------------------------------------------

/** An established callchart call from `page` to the callchart callee, then the sample loop in that page. */
async function benchQualitySample(page: Page, callee: Page): Promise<QualityBenchResult> {
  await bench(page, 'call', 'bob', CALL_TIMEOUT_MS);
  const options: Omit<QualityBenchOptions, 'callActor'> = {
    samples: QUALITY_SAMPLES,
    warmupSamples: QUALITY_WARMUP,
    spacingMs: QUALITY_SPACING_MS,
    receiverReportTimeoutMs: 10_000,
  };
  try {
    return await page.evaluate(async (opts) => {
      const entry = (await import('/bench-bundle/quality.js' as string)) as typeof import('./quality-entry.js');
      type PageCall = { getPeerConnection(): RTCPeerConnection | undefined; actor: NonNullable<QualityBenchOptions['callActor']> };
      const call = (window as unknown as { bench: { currentCall(): PageCall | undefined } }).bench.currentCall();
      const pc = call?.getPeerConnection();
      if (!call || !pc) throw new Error('no established call with a peer connection');
      return entry.runQualityBench(pc, { ...opts, callActor: call.actor });
    }, options);
  } finally {
    await bench(page, 'hangup', END_TIMEOUT_MS);
    await bench(callee, 'waitIdle', END_TIMEOUT_MS);
  }
}

/** Prints section 2; false when a figure is missing. */
function printQualitySample(result: QualityBenchResult): boolean {
  const { timings } = result;
  const pick = (read: (t: SampleTiming) => number | undefined) =>
    summarize(timings.map(read).filter((value): value is number => value !== undefined));
  const wall = pick((t) => t.wallMs);
  const main = pick((t) => t.mainThreadMs);
  const objects = summarize(timings.map((t) => t.statsObjects));
  console.log(
    `\n2. One quality sample (stats actor + call machine work) on an established callchart call.` +
      `\n   ${timings.length} samples ${QUALITY_SPACING_MS} ms apart after ${QUALITY_WARMUP} warm-up ones;` +
      ` ${fmt(objects.median, 0)} stats objects per report (RTCP receiver report ${result.hadReceiverReport ? 'present' : 'NOT seen'});` +
      `\n   ms, timer resolution ${fmt(result.timerResolutionMs * 1000, 0)} µs.`,
  );
  const row = (name: string, s: Summary) => [name, fmt(s.median, 3), fmt(s.p90, 3), fmt(s.max, 3)];
  console.log(
    table([
      ['', 'median', 'p90', 'max'],
      row('(a) wall: getStats() + parse + MOS + warnings', wall),
      row('(b) main thread: getStats() sync part + parse + MOS + warnings', main),
      row('    getStats() synchronous part', pick((t) => t.getStatsSyncMs)),
      row('    getStats() await (stats gathered off the main thread)', pick((t) => t.getStatsAwaitMs)),
      row('    parseStats() incl. estimateMos()', pick((t) => t.parseMs)),
      row('    warningEvents() → 8 warning actors', pick((t) => t.warningsMs)),
      row("(c) the same sample through the call's statechart", pick((t) => t.callMachineMs)),
    ]),
  );
  const verdict = (value: number) => (value <= SAMPLE_TARGET_MS ? 'within target' : 'ABOVE target');
  console.log(
    `  target ≤ ${SAMPLE_TARGET_MS} ms on the main thread per sample: (b) median ${fmt(main.median, 3)} ms → ${verdict(main.median)},` +
      ` p90 ${fmt(main.p90, 3)} ms → ${verdict(main.p90)}`,
  );
  console.log(
    `  (c) = recordSample + emitQuality + judgeSample (facts, warningEvents, sendTo each warning actor): what the SDK runs per sample after parsing.`,
  );
  console.log(
    `  cached getStats() reports: ${result.cachedReports}; warnings raised/cleared by the bench's own actors: ${result.warningNotices}` +
      `; last sample: rtt ${fmt(result.lastSample.rttMs)} ms, jitter ${fmt(result.lastSample.jitterMs)} ms, MOS ${fmt(result.lastSample.mosEstimate, 2)}, codec ${result.lastSample.selectedCodec ?? '—'}`,
  );
  return timings.length === QUALITY_SAMPLES && Number.isFinite(main.median);
}

function printHealth(errors: ConsoleEntry[], kamailio: Kamailio): void {
  const kamailioProblems = kamailioErrors(kamailio);
  if (errors.length === 0 && kamailioProblems.length === 0) return;
  console.log(`\nNoticed during the run (figures may be affected):`);
  for (const entry of errors.slice(0, 10)) console.log(`  console ${entry.type} in ${entry.page}: ${entry.text.split('\n')[0]}`);
  if (errors.length > 10) console.log(`  … ${errors.length - 10} more console errors`);
  for (const line of kamailioProblems.slice(0, 10)) console.log(`  kamailio: ${line}`);
}

process.exitCode = await main();
