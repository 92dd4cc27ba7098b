/**
 * Turns two consecutive WebRTC stats reports into one QualitySample.
 *
 * `parseStats` is a pure reducer: the counters it needs from the previous
 * report travel in a `StatsSnapshot` that the caller hands back next time.
 * It reads plain objects shaped like the browser's stats dictionaries
 * (https://www.w3.org/TR/webrtc-stats/), so tests feed it recorded JSON.
 */
import { estimateMos } from './mos';
import {
  indexStats,
  isMapLike,
  isRecord,
  numberField,
  stringField,
  byType,
  isAudio,
  linked,
  best,
  ranksAbove,
  reportTimestamp,
  pickInboundAudio,
  pickOutboundAudio,
  pickRemoteInbound,
  pickMediaSource,
  pickTransport,
  pickSelectedPair,
  type StatsIndex,
} from './stats-report';
import type {
  CandidatePairState,
  CandidateType,
  IceTransportState,
  QualitySample,
} from './quality.types';

/** One stats dictionary: `{ id, type, timestamp, ... }`. */
export type StatsEntry = Readonly<Record<string, unknown>>;

/**
 * What `parseStats` reads: an `RTCStatsReport` (a map of id → stats), any
 * other map of stats, or an iterable (e.g. an array) of stats objects.
 */
export type StatsReportLike = ReadonlyMap<string, unknown> | Iterable<unknown>;

/** Cumulative counters of the inbound audio stream at the previous report. */
export interface InboundCounters {
  ssrc: number | undefined;
  packetsReceived: number | undefined;
  packetsLost: number | undefined;
  bytesReceived: number | undefined;
  totalAudioEnergy: number | undefined;
  jitterBufferDelay: number | undefined;
  jitterBufferEmittedCount: number | undefined;
}

/** Cumulative counters of the outbound audio stream at the previous report. */
export interface OutboundCounters {
  ssrc: number | undefined;
  packetsSent: number | undefined;
  bytesSent: number | undefined;
}

/**
 * The last RTCP receiver report about our outbound stream, with how many
 * packets we had sent when we first saw it.
 */
export interface ReceiverReportMark {
  ssrc: number | undefined;
  /** Changes when a new report arrives (`roundTripTimeMeasurements`, else `timestamp`). */
  key: number;
  packetsLost: number | undefined;
  packetsSentAtReport: number | undefined;
  /** Outbound loss computed when this report arrived; held until the next one. */
  loss: number | undefined;
}

/** What one report leaves for the next call of `parseStats`. */
export interface StatsSnapshot {
  /** The report's timestamp, epoch ms. */
  timestamp: number;
  inbound: InboundCounters | undefined;
  outbound: OutboundCounters | undefined;
  receiverReport: ReceiverReportMark | undefined;
  /** media-source `totalAudioEnergy` and the source's id. */
  mediaSource: { id: string; totalAudioEnergy: number | undefined } | undefined;
}

/** The sample for `report`, and the snapshot to pass with the next report. */
export interface ParsedStats {
  sample: QualitySample;
  snapshot: StatsSnapshot;
}

/**
 * Reduces a stats report, and the snapshot of the previous one, to a sample.
 * Without `previous` (the first report), loss and energy count from the
 * start of each stream and bitrates are undefined.
 */
export function parseStats(report: StatsReportLike, previous?: StatsSnapshot): ParsedStats {
  const stats = indexStats(report);
  const timestamp = reportTimestamp(stats, previous);

  const inbound = pickInboundAudio(stats);
  const outbound = pickOutboundAudio(stats);
  const remoteInbound = pickRemoteInbound(stats, outbound);
  const mediaSource = pickMediaSource(stats, outbound);
  const transport = pickTransport(stats);
  const pair = pickSelectedPair(stats, transport);

  const inboundNow = inbound && inboundCounters(inbound);
  const inboundBefore = sameStream(previous?.inbound, inboundNow) ? previous?.inbound : undefined;
  const outboundNow = outbound && outboundCounters(outbound);
  const outboundBefore = sameStream(previous?.outbound, outboundNow) ? previous?.outbound : undefined;
  const intervalMs = previous === undefined ? undefined : timestamp - previous.timestamp;
  const receiverReport = remoteInbound && receiverReportMark(remoteInbound, outboundNow, previous?.receiverReport);
  const mediaSourceNow = mediaSource && {
    id: stringField(mediaSource, 'id') ?? '',
    totalAudioEnergy: numberField(mediaSource, 'totalAudioEnergy'),
  };
  const mediaSourceBefore = previous?.mediaSource?.id === mediaSourceNow?.id ? previous?.mediaSource : undefined;

  const sample: QualitySample = {
    timestamp,
    rttMs: roundTripMs(remoteInbound, pair),
    jitterMs: secondsToMs(inbound && numberField(inbound, 'jitter')),
    remoteJitterMs: secondsToMs(remoteInbound && numberField(remoteInbound, 'jitter')),
    jitterBufferDelayMs: inboundNow && jitterBufferDelayMs(inboundNow, inboundBefore),
    inboundLoss: inboundNow && inboundLoss(inboundNow, inboundBefore),
    outboundLoss: receiverReport?.loss,
    selectedCodec: codecName(stats, inbound) ?? codecName(stats, outbound),
    localCandidateType: candidateType(stats, pair, 'localCandidateId'),
    remoteCandidateType: candidateType(stats, pair, 'remoteCandidateId'),
    iceState: iceState(transport),
    selectedPairState: pairState(pair),
    inputLevel: unitInterval(mediaSource && numberField(mediaSource, 'audioLevel')),
    outputLevel: unitInterval(inbound && numberField(inbound, 'audioLevel')),
    inputAudioEnergyDelta: growth(mediaSourceNow, mediaSourceBefore, (m) => m.totalAudioEnergy),
    inboundAudioEnergyDelta: growth(inboundNow, inboundBefore, (c) => c.totalAudioEnergy),
    bytesSent: outboundNow?.bytesSent,
    bytesReceived: inboundNow?.bytesReceived,
    packetsSent: outboundNow?.packetsSent,
    packetsReceived: inboundNow?.packetsReceived,
    inboundBitrateKbps: bitrateKbps(inboundNow?.bytesReceived, inboundBefore?.bytesReceived, intervalMs),
    outboundBitrateKbps: bitrateKbps(outboundNow?.bytesSent, outboundBefore?.bytesSent, intervalMs),
  };
  sample.mosEstimate = worseDirectionMos(sample);

  return {
    sample: withoutUndefined(sample),
    snapshot: {
      timestamp,
      inbound: inboundNow,
      outbound: outboundNow,
      receiverReport,
      mediaSource: mediaSourceNow,
    },
  };
}

// --- counters and deltas -----------------------------------------------------

function inboundCounters(entry: StatsEntry): InboundCounters {
  return {
    ssrc: numberField(entry, 'ssrc'),
    packetsReceived: numberField(entry, 'packetsReceived'),
    packetsLost: numberField(entry, 'packetsLost'),
    bytesReceived: numberField(entry, 'bytesReceived'),
    totalAudioEnergy: numberField(entry, 'totalAudioEnergy'),
    jitterBufferDelay: numberField(entry, 'jitterBufferDelay'),
    jitterBufferEmittedCount: numberField(entry, 'jitterBufferEmittedCount'),
  };
}

function outboundCounters(entry: StatsEntry): OutboundCounters {
  return {
    ssrc: numberField(entry, 'ssrc'),
    packetsSent: numberField(entry, 'packetsSent'),
    bytesSent: numberField(entry, 'bytesSent'),
  };
}

/** A new SSRC is a new stream whose counters start again from zero. */
function sameStream(before: { ssrc: number | undefined } | undefined, now: { ssrc: number | undefined } | undefined): boolean {
  return before !== undefined && now !== undefined && before.ssrc === now.ssrc;
}

/**
 * Inbound loss over the interval. `packetsLost` may shrink when late
 * duplicates arrive, so a negative Δlost counts as no loss; counters that
 * went backwards on the same stream mean a reset, and the interval is unknown.
 */
function inboundLoss(now: InboundCounters, before: InboundCounters | undefined): number | undefined {
  const received = growth(now, before, (c) => c.packetsReceived);
  const lostNow = now.packetsLost;
  const lostBefore = before === undefined ? 0 : before.packetsLost;
  if (received === undefined || lostNow === undefined || lostBefore === undefined) return undefined;
  const lost = Math.max(0, lostNow - lostBefore);
  const expected = received + lost;
  return expected > 0 ? lost / expected : undefined;
}

function jitterBufferDelayMs(now: InboundCounters, before: InboundCounters | undefined): number | undefined {
  const delay = growth(now, before, (c) => c.jitterBufferDelay);
  const emitted = growth(now, before, (c) => c.jitterBufferEmittedCount);
  if (delay === undefined || emitted === undefined || emitted <= 0) return undefined;
  return (delay / emitted) * 1000;
}

/**
 * Growth of a cumulative counter of a stream: from zero when the stream is
 * new in this report (`before` undefined); undefined when the counter went
 * backwards (a reset) or is missing from either report.
 */
function growth<T>(now: T | undefined, before: T | undefined, counter: (stream: T) => number | undefined): number | undefined {
  if (now === undefined) return undefined;
  return delta(counter(now), before === undefined ? 0 : counter(before));
}

function delta(now: number | undefined, before: number | undefined): number | undefined {
  if (now === undefined || before === undefined) return undefined;
  const d = now - before;
  return d >= 0 ? d : undefined;
}

function bitrateKbps(bytesNow: number | undefined, bytesBefore: number | undefined, intervalMs: number | undefined): number | undefined {
  const bytes = delta(bytesNow, bytesBefore);
  if (bytes === undefined || intervalMs === undefined || intervalMs <= 0) return undefined;
  // bits per millisecond is kilobits per second.
  return (bytes * 8) / intervalMs;
}

/**
 * Outbound loss from RTCP receiver reports. Reports arrive every few seconds
 * while we sample every second, so a naive per-sample delta would read 0, 0,
 * 0, then five seconds of loss at once. Instead loss is computed between two
 * reports (Δlost of the report over Δsent since the previous report was seen)
 * and held until the next report.
 */
function receiverReportMark(
  report: StatsEntry,
  outbound: OutboundCounters | undefined,
  before: ReceiverReportMark | undefined,
): ReceiverReportMark {
  const ssrc = numberField(report, 'ssrc');
  const key = numberField(report, 'roundTripTimeMeasurements') ?? numberField(report, 'timestamp') ?? 0;
  const packetsLost = numberField(report, 'packetsLost');
  const sameReportStream = before !== undefined && before.ssrc === ssrc;
  if (sameReportStream && before.key === key) return before;

  const fractionLost = unitInterval(numberField(report, 'fractionLost'));
  const previousMark = sameReportStream ? before : undefined;
  const sent = delta(outbound?.packetsSent, previousMark?.packetsSentAtReport);
  const lost = delta(packetsLost, previousMark?.packetsLost);
  const loss = sent !== undefined && sent > 0 && lost !== undefined ? Math.min(1, lost / sent) : fractionLost;
  return { ssrc, key, packetsLost, packetsSentAtReport: outbound?.packetsSent, loss };
}

// --- single values ------------------------------------------------------------

/** RTCP's round trip once there is one; before that, the ICE consent checks'. */
function roundTripMs(remoteInbound: StatsEntry | undefined, pair: StatsEntry | undefined): number | undefined {
  const measured = remoteInbound && numberField(remoteInbound, 'roundTripTimeMeasurements');
  const rtcp = remoteInbound && measured !== 0 ? numberField(remoteInbound, 'roundTripTime') : undefined;
  return secondsToMs(rtcp ?? (pair && numberField(pair, 'currentRoundTripTime')));
}

function secondsToMs(seconds: number | undefined): number | undefined {
  return seconds === undefined || seconds < 0 ? undefined : seconds * 1000;
}

function unitInterval(value: number | undefined): number | undefined {
  return value === undefined ? undefined : Math.min(1, Math.max(0, value));
}

/** 'audio/opus' → 'OPUS'. */
function codecName(stats: StatsIndex, rtp: StatsEntry | undefined): string | undefined {
  const codec = linked(stats, rtp, 'codecId');
  const mimeType = codec && stringField(codec, 'mimeType');
  const name = mimeType?.split('/')[1];
  return name ? name.toUpperCase() : undefined;
}

const CANDIDATE_TYPES: readonly string[] = ['host', 'srflx', 'prflx', 'relay'];
const ICE_STATES: readonly string[] = ['new', 'checking', 'connected', 'completed', 'disconnected', 'failed', 'closed'];
const PAIR_STATES: readonly string[] = ['frozen', 'waiting', 'in-progress', 'failed', 'succeeded'];

function candidateType(
  stats: StatsIndex,
  pair: StatsEntry | undefined,
  end: 'localCandidateId' | 'remoteCandidateId',
): CandidateType | undefined {
  const candidate = linked(stats, pair, end);
  const type = candidate && stringField(candidate, 'candidateType');
  return type !== undefined && CANDIDATE_TYPES.includes(type) ? (type as CandidateType) : undefined;
}

function iceState(transport: StatsEntry | undefined): IceTransportState | undefined {
  const state = transport && stringField(transport, 'iceState');
  return state !== undefined && ICE_STATES.includes(state) ? (state as IceTransportState) : undefined;
}

function pairState(pair: StatsEntry | undefined): CandidatePairState | undefined {
  const state = pair && stringField(pair, 'state');
  return state !== undefined && PAIR_STATES.includes(state) ? (state as CandidatePairState) : undefined;
}

/**
 * MOS of the worse direction: what we hear (inbound loss, our jitter and
 * jitter buffer) and what they hear (outbound loss, the jitter they report).
 * A call is only as good as its worse leg, and either side may complain.
 */
function worseDirectionMos(sample: QualitySample): number | undefined {
  const { rttMs, selectedCodec: codec } = sample;
  if (rttMs === undefined) return undefined;
  const listening =
    sample.jitterMs !== undefined && sample.inboundLoss !== undefined
      ? estimateMos({ rttMs, jitterMs: sample.jitterMs, loss: sample.inboundLoss, codec, jitterBufferMs: sample.jitterBufferDelayMs })
      : undefined;
  const talking =
    sample.remoteJitterMs !== undefined && sample.outboundLoss !== undefined
      ? estimateMos({ rttMs, jitterMs: sample.remoteJitterMs, loss: sample.outboundLoss, codec })
      : undefined;
  if (listening === undefined) return talking;
  if (talking === undefined) return listening;
  return Math.min(listening, talking);
}

/** Samples are logged and compared in tests: keep absent fields absent. */
function withoutUndefined(sample: QualitySample): QualitySample {
  return Object.fromEntries(Object.entries(sample).filter(([, value]) => value !== undefined)) as unknown as QualitySample;
}
