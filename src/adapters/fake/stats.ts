/**
 * Synthetic `getStats()` reports for fake calls, shaped like Chromium's, with
 * counters that grow with (fake) time at 50 packets/s as Opus does.
 */
import type { CallFact } from '../adapter';
import type { ListenerSet } from '../listeners';
import type { FakeNetwork } from './network';
import type { FakeConditions } from './wire';

const PACKETS_PER_SECOND = 50;
const BYTES_PER_PACKET = 100;

export interface StatsClock {
  startedAt: number;
  /** Audio energy our microphone has produced so far. */
  inputEnergy: number;
  /** Audio energy received so far. */
  inboundEnergy: number;
  lastAt: number;
  /** Time the media path was cut, in ms: no packet counts during it. */
  cutMs: number;
}

export function createStatsClock(now: number): StatsClock {
  return { startedAt: now, inputEnergy: 0, inboundEnergy: 0, lastAt: now, cutMs: 0 };
}

export function syntheticReport(
  clock: StatsClock,
  now: number,
  conditions: FakeConditions,
  flags: { sending: boolean; receiving: boolean; pathUp: boolean; videoSending?: boolean; videoReceiving?: boolean },
): Map<string, Record<string, unknown>> {
  const stepSeconds = Math.max(0, (now - clock.lastAt) / 1000);
  if (!flags.pathUp) clock.cutMs += stepSeconds * 1000;
  const elapsedSeconds = Math.max(0, (now - clock.startedAt - clock.cutMs) / 1000);
  if (flags.sending && flags.pathUp) clock.inputEnergy += 0.01 * stepSeconds;
  if (flags.receiving && flags.pathUp) clock.inboundEnergy += 0.01 * stepSeconds;
  clock.lastAt = now;

  const expected = Math.floor(elapsedSeconds * PACKETS_PER_SECOND);
  const lost = Math.round(expected * conditions.inboundLoss);
  const sent = expected;
  const remoteLost = Math.round(sent * conditions.outboundLoss);
  const codecMime = `audio/${conditions.codec}`;
  const entries: Record<string, unknown>[] = [
    { id: 'COT01', type: 'codec', timestamp: now, mimeType: codecMime, clockRate: 48000, payloadType: 111, channels: 2 },
    {
      id: 'IT01',
      type: 'inbound-rtp',
      timestamp: now,
      kind: 'audio',
      ssrc: 1111,
      codecId: 'COT01',
      packetsReceived: expected - lost,
      packetsLost: lost,
      bytesReceived: (expected - lost) * BYTES_PER_PACKET,
      jitter: conditions.jitterMs / 1000,
      audioLevel: flags.receiving ? 0.1 : 0,
      totalAudioEnergy: clock.inboundEnergy,
    },
    {
      id: 'OT01',
      type: 'outbound-rtp',
      timestamp: now,
      kind: 'audio',
      ssrc: 2222,
      codecId: 'COT01',
      mediaSourceId: 'SA01',
      packetsSent: sent,
      bytesSent: sent * BYTES_PER_PACKET,
    },
    {
      id: 'RI01',
      type: 'remote-inbound-rtp',
      timestamp: now,
      kind: 'audio',
      ssrc: 2222,
      localId: 'OT01',
      codecId: 'COT01',
      packetsLost: remoteLost,
      fractionLost: conditions.outboundLoss,
      jitter: conditions.jitterMs / 1000,
      roundTripTime: conditions.rttMs / 1000,
      roundTripTimeMeasurements: Math.floor(elapsedSeconds),
    },
    {
      id: 'SA01',
      type: 'media-source',
      timestamp: now,
      kind: 'audio',
      audioLevel: flags.sending ? 0.1 : 0,
      totalAudioEnergy: clock.inputEnergy,
    },
    { id: 'T01', type: 'transport', timestamp: now, selectedCandidatePairId: 'CP01', iceState: 'connected', dtlsState: 'connected' },
    {
      id: 'CP01',
      type: 'candidate-pair',
      timestamp: now,
      localCandidateId: 'LC01',
      remoteCandidateId: 'RC01',
      state: 'succeeded',
      nominated: true,
      currentRoundTripTime: conditions.rttMs / 1000,
    },
    { id: 'LC01', type: 'local-candidate', timestamp: now, candidateType: conditions.localCandidateType, protocol: 'udp', address: '127.0.0.1', port: 40000 },
    { id: 'RC01', type: 'remote-candidate', timestamp: now, candidateType: conditions.remoteCandidateType, protocol: 'udp', address: '127.0.0.1', port: 40002 },
  ];
  // Video: 640×480 at 30 fps, 500 kbit/s each way, from the call's start (the fake keeps no video clock of its own).
  const frames = Math.floor(elapsedSeconds * 30);
  const bytes = Math.floor(elapsedSeconds * 62_500);
  if (flags.videoReceiving) {
    entries.push({ id: 'IV01', type: 'inbound-rtp', timestamp: now, kind: 'video', ssrc: 3333, packetsReceived: frames * 3, packetsLost: 0, bytesReceived: bytes, framesDecoded: frames, framesPerSecond: 30, frameWidth: 640, frameHeight: 480 });
  }
  if (flags.videoSending) {
    entries.push({ id: 'OV01', type: 'outbound-rtp', timestamp: now, kind: 'video', ssrc: 4444, packetsSent: frames * 3, bytesSent: bytes, framesEncoded: frames, framesPerSecond: 30, frameWidth: 640, frameHeight: 480 });
  }
  return new Map(entries.map((entry) => [entry['id'] as string, entry]));
}

type IceState = 'connected' | 'checking' | 'disconnected' | 'failed';

/**
 * A fake call's media path: its ICE connection state (`connected` from the
 * answer on; the fake reports only its changes, as `media` facts) and the
 * clock its synthetic `getStats()` reports count packets with.
 */
export class FakeMediaPath {
  #ice: IceState = 'connected';
  #stats: StatsClock | undefined;
  readonly #network: FakeNetwork;
  readonly #facts: ListenerSet<CallFact>;

  constructor(network: FakeNetwork, facts: ListenerSet<CallFact>) {
    this.#network = network;
    this.#facts = facts;
  }

  /** Media starts flowing: the stats count from now. */
  start(): void {
    this.#stats = createStatsClock(this.#network.now());
  }

  set(state: IceState): void {
    this.#ice = state;
    this.#facts.emit({ type: 'media', ice: state, connection: state === 'checking' ? 'connecting' : state });
  }

  /**
   * The path breaks (`cut`: ICE `disconnected`, no packets) or comes back
   * (ICE `connected` again, unless it had failed: that takes an ICE restart).
   */
  cut(cut: boolean): void {
    if (cut && this.#ice === 'connected') this.set('disconnected');
    else if (!cut && (this.#ice === 'disconnected' || this.#ice === 'checking')) this.set('connected');
  }

  /** ICE restarts: checks run, and succeed a delivery later if the path is up and the dialog `live` still. */
  restart(live: () => boolean): void {
    this.set('checking');
    this.#network.deliver(() => {
      if (live() && this.#ice === 'checking' && !this.#network.mediaCut) this.set('connected');
    });
  }

  /** The synthetic report (undefined before media flows). */
  stats(flags: { sending: boolean; receiving: boolean; videoSending: boolean; videoReceiving: boolean }): RTCStatsReport | undefined {
    if (!this.#stats) return undefined;
    const report = syntheticReport(this.#stats, this.#network.now(), this.#network.conditions, {
      ...flags,
      // A failed ICE (or a cut path) carries nothing; a `disconnected` report alone may still carry packets.
      pathUp: !this.#network.mediaCut && this.#ice !== 'failed' && this.#ice !== 'checking',
    });
    return report as unknown as RTCStatsReport;
  }
}
