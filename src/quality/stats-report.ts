/**
 * Reading one WebRTC stats report: index its dictionaries by id, read typed
 * fields, and pick the entries a quality sample is made of (the audio
 * streams, the transport, the selected candidate pair).
 */
import type { StatsEntry, StatsReportLike, StatsSnapshot } from './stats';

export type StatsIndex = ReadonlyMap<string, StatsEntry>;

export function indexStats(report: StatsReportLike): StatsIndex {
  const index = new Map<string, StatsEntry>();
  const items = isMapLike(report) ? report.values() : report;
  for (const item of items) {
    // Iterating a Map directly yields [id, stats] pairs.
    const entry: unknown = Array.isArray(item) ? item[1] : item;
    if (!isRecord(entry) || typeof entry.type !== 'string') continue;
    index.set(typeof entry.id === 'string' ? entry.id : `#${index.size}`, entry);
  }
  return index;
}

export function isMapLike(report: StatsReportLike): report is ReadonlyMap<string, unknown> {
  const candidate = report as Partial<ReadonlyMap<string, unknown>>;
  return typeof candidate.get === 'function' && typeof candidate.values === 'function';
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** A finite number, or undefined: stats from odd browsers must never turn into NaN. */
export function numberField(entry: StatsEntry, key: string): number | undefined {
  const value = entry[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

export function stringField(entry: StatsEntry, key: string): string | undefined {
  const value = entry[key];
  return typeof value === 'string' ? value : undefined;
}

export function byType(stats: StatsIndex, type: string): StatsEntry[] {
  return [...stats.values()].filter((entry) => entry.type === type);
}

export function isAudio(entry: StatsEntry): boolean {
  // `mediaType` is the pre-2020 name of `kind`.
  return (stringField(entry, 'kind') ?? stringField(entry, 'mediaType')) === 'audio';
}

export function linked(stats: StatsIndex, entry: StatsEntry | undefined, key: string): StatsEntry | undefined {
  const id = entry && stringField(entry, key);
  return id === undefined ? undefined : stats.get(id);
}

/** The entry ranked highest by `scores` (compared in order); the first one on ties. */
export function best(entries: StatsEntry[], ...scores: ((entry: StatsEntry) => number)[]): StatsEntry | undefined {
  let winner: StatsEntry | undefined;
  for (const entry of entries) {
    if (winner === undefined || ranksAbove(entry, winner, scores)) winner = entry;
  }
  return winner;
}

export function ranksAbove(a: StatsEntry, b: StatsEntry, scores: ((entry: StatsEntry) => number)[]): boolean {
  for (const score of scores) {
    const difference = score(a) - score(b);
    if (difference !== 0) return difference > 0;
  }
  return false;
}

/**
 * The latest timestamp in the report. Objects of one report share a time,
 * except remote-* ones, stamped when their RTCP report arrived (earlier).
 */
export function reportTimestamp(stats: StatsIndex, previous: StatsSnapshot | undefined): number {
  let latest: number | undefined;
  for (const entry of stats.values()) {
    const t = numberField(entry, 'timestamp');
    if (t !== undefined && (latest === undefined || t > latest)) latest = t;
  }
  // Only a report without any timestamp lands here; keep time moving forward.
  return latest ?? Math.max(Date.now(), previous?.timestamp ?? 0);
}

// --- picking the entries that describe the call's audio ---------------------

/** After a re-INVITE a stale stream may linger: the one that heard a packet last wins. */
export function pickInboundAudio(stats: StatsIndex): StatsEntry | undefined {
  return best(
    byType(stats, 'inbound-rtp').filter(isAudio),
    (e) => numberField(e, 'lastPacketReceivedTimestamp') ?? 0,
    (e) => numberField(e, 'packetsReceived') ?? 0,
  );
}

export function pickOutboundAudio(stats: StatsIndex): StatsEntry | undefined {
  return best(byType(stats, 'outbound-rtp').filter(isAudio), (e) => numberField(e, 'packetsSent') ?? 0);
}

/** The receiver report about our outbound stream: linked by `localId`, else by SSRC. */
export function pickRemoteInbound(stats: StatsIndex, outbound: StatsEntry | undefined): StatsEntry | undefined {
  const reports = byType(stats, 'remote-inbound-rtp').filter(isAudio);
  if (outbound === undefined) return reports[0];
  const outboundId = stringField(outbound, 'id');
  const ssrc = numberField(outbound, 'ssrc');
  return (
    reports.find((r) => outboundId !== undefined && stringField(r, 'localId') === outboundId) ??
    reports.find((r) => ssrc !== undefined && numberField(r, 'ssrc') === ssrc) ??
    reports[0]
  );
}

export function pickMediaSource(stats: StatsIndex, outbound: StatsEntry | undefined): StatsEntry | undefined {
  return linked(stats, outbound, 'mediaSourceId') ?? byType(stats, 'media-source').find(isAudio);
}

export function pickTransport(stats: StatsIndex): StatsEntry | undefined {
  const transports = byType(stats, 'transport');
  return transports.find((t) => stringField(t, 'selectedCandidatePairId') !== undefined) ?? transports[0];
}

/**
 * The selected candidate pair: the one the transport names (Chromium,
 * Safari), else one marked `selected` (Firefox), else a nominated pair that
 * succeeded (older browsers).
 */
export function pickSelectedPair(stats: StatsIndex, transport: StatsEntry | undefined): StatsEntry | undefined {
  const named = linked(stats, transport, 'selectedCandidatePairId');
  if (named !== undefined) return named;
  const pairs = byType(stats, 'candidate-pair');
  return (
    pairs.find((p) => p.selected === true) ??
    pairs.find((p) => p.nominated === true && p.state === 'succeeded')
  );
}

