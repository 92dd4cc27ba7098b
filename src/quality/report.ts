/**
 * The end-of-call report: a pure accumulator fed with every quality sample
 * and warning of a call. It keeps running sums, not the samples, so a call
 * of several hours costs the same memory as one of a minute.
 */
import type { CandidateType, QualitySample, WarningName } from './quality.types';

/** Minimum, mean and maximum of a metric over the call's samples. */
export interface MetricSummary {
  min: number;
  avg: number;
  max: number;
}

/** One raise of a warning, and its clearing if it cleared before the call ended. */
export interface WarningEpisode {
  name: WarningName;
  /** When it was raised, epoch ms. */
  raisedAt: number;
  /** When it cleared, epoch ms; absent while it was still raised at the end. */
  clearedAt?: number;
  /** The value that raised it, in the metric's unit. */
  value: number | undefined;
}

/** Call timings, epoch ms. */
export interface CallTimes {
  /** The INVITE was sent or received. */
  startedAt: number;
  /** The call was answered; absent for calls that never connected. */
  acceptedAt?: number;
  /** The call ended. */
  endedAt: number;
}

/** What an app logs when a call ends. Metrics are undefined when no sample reported them. */
export interface CallReport {
  /** Talk time from answer to end, in ms; 0 for a call that was never answered. */
  durationMs: number;
  /** From start (INVITE) to answer, in ms; undefined when never answered. */
  setupTimeMs: number | undefined;
  /** How many quality samples the metrics summarise. */
  sampleCount: number;
  /** Round-trip time, ms. */
  rtt: MetricSummary | undefined;
  /** Inbound jitter, ms. */
  jitter: MetricSummary | undefined;
  /** Inbound loss per interval, 0..1. */
  inboundLoss: MetricSummary | undefined;
  /** Outbound loss per interval, 0..1. */
  outboundLoss: MetricSummary | undefined;
  /** Estimated MOS, 1..4.5. */
  mos: MetricSummary | undefined;
  /** The last codec reported ('OPUS', 'PCMU'…). */
  codec: string | undefined;
  /** The last local candidate type of the selected pair. */
  localCandidateType: CandidateType | undefined;
  /** The last remote candidate type of the selected pair. */
  remoteCandidateType: CandidateType | undefined;
  /** Every warning raised during the call, in the order raised. */
  warnings: WarningEpisode[];
}

export interface ReportAccumulator {
  /** Adds one quality sample. */
  add(sample: QualitySample): void;
  /**
   * Notes a warning raised (or, with `cleared`, cleared) at `at` (epoch ms).
   * A clear closes the latest open episode of that warning; a raise while one
   * is open, or a clear with none open, changes nothing.
   */
  noteWarning(name: WarningName, at: number, cleared?: boolean, value?: number): void;
  /** The report so far; calling it does not end accumulation. */
  report(times: CallTimes): CallReport;
}

interface RunningSummary {
  count: number;
  sum: number;
  min: number;
  max: number;
}

type SummarisedMetric = 'rtt' | 'jitter' | 'inboundLoss' | 'outboundLoss' | 'mos';

const SUMMARISED: { readonly [K in SummarisedMetric]: (sample: QualitySample) => number | undefined } = {
  rtt: (s) => s.rttMs,
  jitter: (s) => s.jitterMs,
  inboundLoss: (s) => s.inboundLoss,
  outboundLoss: (s) => s.outboundLoss,
  mos: (s) => s.mosEstimate,
};

export function createReportAccumulator(): ReportAccumulator {
  const summaries = new Map<SummarisedMetric, RunningSummary>();
  const episodes: WarningEpisode[] = [];
  let sampleCount = 0;
  let last: Pick<QualitySample, 'selectedCodec' | 'localCandidateType' | 'remoteCandidateType'> = {};

  return {
    add(sample) {
      sampleCount += 1;
      for (const [metric, read] of Object.entries(SUMMARISED) as [SummarisedMetric, (s: QualitySample) => number | undefined][]) {
        const value = read(sample);
        if (value !== undefined && Number.isFinite(value)) summaries.set(metric, includeValue(summaries.get(metric), value));
      }
      last = {
        selectedCodec: sample.selectedCodec ?? last.selectedCodec,
        localCandidateType: sample.localCandidateType ?? last.localCandidateType,
        remoteCandidateType: sample.remoteCandidateType ?? last.remoteCandidateType,
      };
    },

    noteWarning(name, at, cleared = false, value) {
      const open = findLast(episodes, (e) => e.name === name && e.clearedAt === undefined);
      if (cleared) {
        if (open !== undefined) open.clearedAt = at;
      } else if (open === undefined) {
        episodes.push({ name, raisedAt: at, value });
      }
    },

    report({ startedAt, acceptedAt, endedAt }) {
      return {
        durationMs: acceptedAt === undefined ? 0 : Math.max(0, endedAt - acceptedAt),
        setupTimeMs: acceptedAt === undefined ? undefined : Math.max(0, acceptedAt - startedAt),
        sampleCount,
        rtt: summaryOf(summaries.get('rtt')),
        jitter: summaryOf(summaries.get('jitter')),
        inboundLoss: summaryOf(summaries.get('inboundLoss')),
        outboundLoss: summaryOf(summaries.get('outboundLoss')),
        mos: summaryOf(summaries.get('mos')),
        codec: last.selectedCodec,
        localCandidateType: last.localCandidateType,
        remoteCandidateType: last.remoteCandidateType,
        // Copies, so a report handed out is not changed by later warnings.
        warnings: episodes.map((e) => ({ ...e })),
      };
    },
  };
}

function includeValue(summary: RunningSummary | undefined, value: number): RunningSummary {
  if (summary === undefined) return { count: 1, sum: value, min: value, max: value };
  return {
    count: summary.count + 1,
    sum: summary.sum + value,
    min: Math.min(summary.min, value),
    max: Math.max(summary.max, value),
  };
}

function summaryOf(summary: RunningSummary | undefined): MetricSummary | undefined {
  return summary && { min: summary.min, avg: summary.sum / summary.count, max: summary.max };
}

/** `Array.prototype.findLast` is ES2023; the library targets ES2022. */
function findLast<T>(items: T[], predicate: (item: T) => boolean): T | undefined {
  for (let i = items.length - 1; i >= 0; i -= 1) {
    const item = items[i];
    if (item !== undefined && predicate(item)) return item;
  }
  return undefined;
}
