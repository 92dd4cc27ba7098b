/**
 * The end-of-call report: an immutable state fed with every quality sample
 * and warning of a call (`withSample`, `withWarning`, then `buildReport`). It
 * keeps running sums, not the samples, so a call of several hours costs the
 * same memory as one of a minute.
 */
import type { CandidateType, QualitySample, WarningName } from './quality.types';

/** Minimum, mean and maximum of a metric over the call's samples. */
export interface MetricSummary {
  /** The smallest sample value, in the metric's unit. */
  min: number;
  /** The mean of the samples, same unit. */
  avg: number;
  /** The largest sample value, same unit. */
  max: number;
}

/** One raise of a warning, and its clearing if it cleared before the call ended. */
export interface WarningEpisode {
  /** Which warning. */
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

/**
 * The accumulated state of a report as an immutable value, so a statechart
 * can keep it in its context and update it with `assign`.
 */
export interface ReportState {
  readonly sampleCount: number;
  readonly summaries: Readonly<Partial<Record<SummarisedMetric, RunningSummary>>>;
  readonly last: Readonly<Pick<QualitySample, 'selectedCodec' | 'localCandidateType' | 'remoteCandidateType'>>;
  readonly episodes: readonly WarningEpisode[];
}

export const EMPTY_REPORT_STATE: ReportState = { sampleCount: 0, summaries: {}, last: {}, episodes: [] };

/** The state with one more sample. */
export function withSample(state: ReportState, sample: QualitySample): ReportState {
  const summaries = { ...state.summaries };
  for (const [metric, read] of Object.entries(SUMMARISED) as [SummarisedMetric, (s: QualitySample) => number | undefined][]) {
    const value = read(sample);
    if (value !== undefined && Number.isFinite(value)) summaries[metric] = includeValue(summaries[metric], value);
  }
  return {
    sampleCount: state.sampleCount + 1,
    summaries,
    last: {
      selectedCodec: sample.selectedCodec ?? state.last.selectedCodec,
      localCandidateType: sample.localCandidateType ?? state.last.localCandidateType,
      remoteCandidateType: sample.remoteCandidateType ?? state.last.remoteCandidateType,
    },
    episodes: state.episodes,
  };
}

/**
 * The state with a warning raised (or, with `cleared`, cleared) at `at`.
 * A clear closes the latest open episode of that warning; a raise while one
 * is open, or a clear with none open, changes nothing.
 */
export function withWarning(state: ReportState, name: WarningName, at: number, cleared = false, value?: number): ReportState {
  let openIndex = -1;
  for (let i = state.episodes.length - 1; i >= 0; i -= 1) {
    const episode = state.episodes[i];
    if (episode && episode.name === name && episode.clearedAt === undefined) {
      openIndex = i;
      break;
    }
  }
  if (cleared) {
    if (openIndex < 0) return state;
    const episodes = state.episodes.map((e, i) => (i === openIndex ? { ...e, clearedAt: at } : e));
    return { ...state, episodes };
  }
  if (openIndex >= 0) return state;
  return { ...state, episodes: [...state.episodes, { name, raisedAt: at, value }] };
}

/** The report for a state and the call's times. */
export function buildReport(state: ReportState, { startedAt, acceptedAt, endedAt }: CallTimes): CallReport {
  return {
    durationMs: acceptedAt === undefined ? 0 : Math.max(0, endedAt - acceptedAt),
    setupTimeMs: acceptedAt === undefined ? undefined : Math.max(0, acceptedAt - startedAt),
    sampleCount: state.sampleCount,
    rtt: summaryOf(state.summaries.rtt),
    jitter: summaryOf(state.summaries.jitter),
    inboundLoss: summaryOf(state.summaries.inboundLoss),
    outboundLoss: summaryOf(state.summaries.outboundLoss),
    mos: summaryOf(state.summaries.mos),
    codec: state.last.selectedCodec,
    localCandidateType: state.last.localCandidateType,
    remoteCandidateType: state.last.remoteCandidateType,
    // Copies, so an app that changes a report it was handed changes nothing here.
    warnings: state.episodes.map((e) => ({ ...e })),
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
