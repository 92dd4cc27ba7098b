/**
 * The video part of a quality sample, from the same stats report as the
 * audio (`parseStats`): inbound-rtp and outbound-rtp of kind video. A pure
 * reducer like `parseStats`: the counters it needs next time travel in the
 * returned snapshot. Undefined while no video flows.
 */
import type { StatsReportLike } from './stats';
import { best, byType, indexStats, numberField, stringField, type StatsIndex } from './stats-report';
import type { VideoQuality } from './quality.types';
import type { StatsEntry } from './stats';

/** Counters of the video streams at the previous report. */
export interface VideoSnapshot {
  timestamp: number;
  bytesReceived: number | undefined;
  bytesSent: number | undefined;
  packetsReceived: number | undefined;
  packetsLost: number | undefined;
}

const isVideo = (entry: StatsEntry): boolean => (stringField(entry, 'kind') ?? stringField(entry, 'mediaType')) === 'video';

function pick(stats: StatsIndex, type: string, score: string): StatsEntry | undefined {
  return best(byType(stats, type).filter(isVideo), (e) => numberField(e, score) ?? 0);
}

const perSecondKbps = (now: number | undefined, before: number | undefined, ms: number): number | undefined =>
  now === undefined || before === undefined || ms <= 0 || now < before ? undefined : ((now - before) * 8) / ms;

export function parseVideoStats(report: StatsReportLike, previous?: VideoSnapshot): { video?: VideoQuality; snapshot: VideoSnapshot } {
  const stats = indexStats(report);
  const inbound = pick(stats, 'inbound-rtp', 'bytesReceived');
  const outbound = pick(stats, 'outbound-rtp', 'bytesSent');
  const timestamp = numberField(inbound ?? outbound ?? {}, 'timestamp') ?? previous?.timestamp ?? 0;
  const snapshot: VideoSnapshot = {
    timestamp,
    bytesReceived: inbound === undefined ? undefined : numberField(inbound, 'bytesReceived'),
    bytesSent: outbound === undefined ? undefined : numberField(outbound, 'bytesSent'),
    packetsReceived: inbound === undefined ? undefined : numberField(inbound, 'packetsReceived'),
    packetsLost: inbound === undefined ? undefined : numberField(inbound, 'packetsLost'),
  };
  if (inbound === undefined && outbound === undefined) return { snapshot };
  const ms = previous === undefined ? 0 : timestamp - previous.timestamp;
  const video: VideoQuality = {};
  const set = <K extends keyof VideoQuality>(key: K, value: VideoQuality[K] | undefined): void => {
    if (value !== undefined && Number.isFinite(value)) video[key] = value;
  };
  const source = inbound ?? outbound!;
  set('framesPerSecond', numberField(source, 'framesPerSecond'));
  set('frameWidth', numberField(source, 'frameWidth'));
  set('frameHeight', numberField(source, 'frameHeight'));
  if (inbound !== undefined) set('framesDecoded', numberField(inbound, 'framesDecoded'));
  set('inboundBitrate', perSecondKbps(snapshot.bytesReceived, previous?.bytesReceived, ms));
  set('outboundBitrate', perSecondKbps(snapshot.bytesSent, previous?.bytesSent, ms));
  const received = (snapshot.packetsReceived ?? 0) - (previous?.packetsReceived ?? 0);
  const lost = (snapshot.packetsLost ?? 0) - (previous?.packetsLost ?? 0);
  if (previous !== undefined && inbound !== undefined && received + lost > 0 && lost >= 0) set('inboundLoss', lost / (received + lost));
  return { video, snapshot };
}
