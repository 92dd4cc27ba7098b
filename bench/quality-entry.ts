/**
 * Browser side of the quality-sample benchmark. bench/run.ts bundles this
 * file with esbuild from the SDK's TypeScript sources (the quality modules
 * are internal: dist/ does not export them) and the page imports it.
 *
 * Per sample it runs what the SDK runs every `qualityIntervalMs` for an
 * accepted call — the stats actor's `getStats()` + `parseStats()` (which
 * computes the MOS with `estimateMos()`), then the call machine's
 * `judgeSample`: `warningEvents()` sent to one real warning actor per
 * warning — and times each step with performance.now().
 */
import { createActor, type ActorRefFrom } from 'xstate';
import type { QualitySample, WarningName } from '../src/quality/quality.types';
import { parseStats, type StatsSnapshot } from '../src/quality/stats';
import { warningMachine } from '../src/quality/warning.machine';
import { resolveWarningInputs, warningEvents } from '../src/quality/warnings';

export interface QualityBenchOptions {
  /** Samples measured. */
  samples: number;
  /** Samples run first and not measured (JIT warm-up). */
  warmupSamples: number;
  /**
   * Pause between samples, in ms. Chromium answers getStats() from a cache
   * for 50 ms after a report, so samples must be further apart than that to
   * measure real reports (cache hits are counted in `cachedReports`).
   */
  spacingMs: number;
  /** How long to wait for the first RTCP receiver report (the full-size report), in ms. */
  receiverReportTimeoutMs: number;
  /**
   * The call's own statechart (`Call.actor` from dist/): if given, each
   * sample is also sent to it as the QUALITY event the stats actor sends,
   * and that handling is timed separately.
   */
  callActor?: { send(event: { type: 'QUALITY'; sample: QualitySample }): void };
}

/** One sample's timings, in ms. */
export interface SampleTiming {
  /** getStats() call to the end of the warning dispatch: (a). */
  wallMs: number;
  /** getStatsSyncMs + parseMs + warningsMs: (b). */
  mainThreadMs: number;
  /** The synchronous part of pc.getStats(): until it returns its promise. */
  getStatsSyncMs: number;
  /** From the promise's return to the await resuming (the browser gathers the stats off the main thread). */
  getStatsAwaitMs: number;
  /** parseStats(), including estimateMos() for each direction. */
  parseMs: number;
  /** warningEvents() and sending each event to its warning actor. */
  warningsMs: number;
  /** The same sample handled by the call's statechart (recordSample, emitQuality, judgeSample → warning actors). */
  callMachineMs: number | undefined;
  /** Stats objects in the report. */
  statsObjects: number;
}

export interface QualityBenchResult {
  timings: SampleTiming[];
  /** Measured samples whose report had the same timestamp as the one before (served from Chromium's cache). */
  cachedReports: number;
  /** Whether an RTCP receiver report (remote-inbound-rtp) was in the reports. */
  hadReceiverReport: boolean;
  /** Warnings our own actors raised or cleared during the run (on loopback: expected 0). */
  warningNotices: number;
  /** The last sample, to show that the pipeline produced real values. */
  lastSample: QualitySample;
  /** Smallest step of performance.now() seen (5 µs when cross-origin isolated, else 100 µs). */
  timerResolutionMs: number;
}

type WarningActor = ActorRefFrom<typeof warningMachine>;

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function timerResolutionMs(): number {
  let smallest = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 200; i += 1) {
    const start = performance.now();
    let next = performance.now();
    while (next === start) next = performance.now();
    smallest = Math.min(smallest, next - start);
  }
  return smallest;
}

async function hasReceiverReport(pc: RTCPeerConnection): Promise<boolean> {
  const report = await pc.getStats();
  return [...report.values()].some((entry: { type?: string }) => entry.type === 'remote-inbound-rtp');
}

export async function runQualityBench(pc: RTCPeerConnection, options: QualityBenchOptions): Promise<QualityBenchResult> {
  // The first RTCP receiver report arrives ~2.5 s into a call; before it the
  // report lacks remote-inbound-rtp and parsing is cheaper than in steady state.
  const deadline = performance.now() + options.receiverReportTimeoutMs;
  let hadReceiverReport = await hasReceiverReport(pc);
  while (!hadReceiverReport && performance.now() < deadline) {
    await pause(100);
    hadReceiverReport = await hasReceiverReport(pc);
  }

  // Every warning on, with the SDK's default rules, as Device makes them.
  let warningNotices = 0;
  const actors = new Map<WarningName, WarningActor>();
  for (const input of resolveWarningInputs()) {
    const actor = createActor(warningMachine, { input });
    actor.on('*', () => {
      warningNotices += 1;
    });
    actors.set(input.name, actor.start());
  }

  const timings: SampleTiming[] = [];
  let cachedReports = 0;
  let previous: StatsSnapshot | undefined;
  let lastSample: QualitySample | undefined;
  const startedAt = Date.now();
  try {
    for (let i = 0; i < options.warmupSamples + options.samples; i += 1) {
      await pause(options.spacingMs);

      const t0 = performance.now();
      const pending = pc.getStats();
      const t1 = performance.now();
      const report = await pending;
      const t2 = performance.now();
      const parsed = parseStats(report, previous);
      const t3 = performance.now();
      // gracePeriodMs 0: every warning judges every sample, the steady state
      // of a call (during the SDK's 5 s grace period most only get SUPPRESS).
      const facts = { muted: false, onHold: false, elapsedMs: parsed.sample.timestamp - startedAt };
      for (const { name, event } of warningEvents(parsed.sample, facts, { gracePeriodMs: 0 })) {
        actors.get(name)?.send(event);
      }
      const t4 = performance.now();

      let callMachineMs: number | undefined;
      if (options.callActor) {
        const c0 = performance.now();
        options.callActor.send({ type: 'QUALITY', sample: parsed.sample });
        callMachineMs = performance.now() - c0;
      }

      const cached = previous !== undefined && parsed.snapshot.timestamp === previous.timestamp;
      previous = parsed.snapshot;
      lastSample = parsed.sample;
      if (i < options.warmupSamples) continue;
      if (cached) cachedReports += 1;
      timings.push({
        wallMs: t4 - t0,
        mainThreadMs: t1 - t0 + (t4 - t2),
        getStatsSyncMs: t1 - t0,
        getStatsAwaitMs: t2 - t1,
        parseMs: t3 - t2,
        warningsMs: t4 - t3,
        callMachineMs,
        statsObjects: report.size,
      });
    }
  } finally {
    for (const actor of actors.values()) actor.stop();
  }
  if (lastSample === undefined) throw new Error('no quality sample was taken');
  return { timings, cachedReports, hadReceiverReport, warningNotices, lastSample, timerResolutionMs: timerResolutionMs() };
}
