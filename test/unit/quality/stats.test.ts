import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseStats, type StatsEntry } from '../../../src/quality/stats';
import type { QualitySample } from '../../../src/quality/quality.types';
import { loadFixture, replay, statOf } from './fixtures';

const FIXTURES = ['opus-good-call', 'pcmu-lossy-relay', 'reinvite-ssrc-change', 'dead-microphone-ice-drop'];

function at<T>(items: readonly T[], index: number): T {
  const item = items[index];
  if (item === undefined) throw new Error(`no item ${index}`);
  return item;
}

describe('parseStats on a clean Opus call (Chromium recording)', () => {
  const recording = loadFixture('opus-good-call');
  const samples = replay(recording);

  it('reads the codec, the selected pair and its candidate types', () => {
    expect(at(samples, 0)).toMatchObject({
      selectedCodec: 'OPUS',
      localCandidateType: 'srflx',
      remoteCandidateType: 'host',
      iceState: 'connected',
      selectedPairState: 'succeeded',
    });
  });

  it('takes the round trip from the candidate pair until the first RTCP report', () => {
    for (const index of [0, 1]) {
      expect(at(recording, index).some((s) => s.type === 'remote-inbound-rtp')).toBe(false);
      const pair = statOf(at(recording, index), 'candidate-pair');
      expect(at(samples, index).rttMs).toBeCloseTo(41, 6);
      expect(pair.state).toBe('failed'); // the first pair listed is not the selected one
    }
  });

  it('uses the RTCP round trip once a receiver report has arrived', () => {
    expect(at(samples, 2).rttMs).toBeCloseTo(43, 6);
    expect(at(samples, 5).rttMs).toBeCloseTo(45, 6);
  });

  it('converts jitter to ms and measures the jitter buffer', () => {
    expect(at(samples, 0).jitterMs).toBeCloseTo(2.1, 6);
    expect(at(samples, 2).remoteJitterMs).toBeCloseTo(2.4, 6);
    expect(at(samples, 3).jitterBufferDelayMs).toBeCloseTo(45, 3);
  });

  it('reports no loss, and no outbound loss before any receiver report', () => {
    expect(samples.map((s) => s.inboundLoss)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(at(samples, 0).outboundLoss).toBeUndefined();
    expect(at(samples, 2).outboundLoss).toBe(0);
  });

  it('computes bitrates from byte deltas over the report interval', () => {
    expect(at(samples, 0).inboundBitrateKbps).toBeUndefined();
    const before = statOf(at(recording, 2), 'inbound-rtp');
    const after = statOf(at(recording, 3), 'inbound-rtp');
    const expected =
      (((after.bytesReceived as number) - (before.bytesReceived as number)) * 8) /
      ((after.timestamp as number) - (before.timestamp as number));
    expect(at(samples, 3).inboundBitrateKbps).toBeCloseTo(expected, 9);
    for (const s of samples.slice(1)) {
      expect(s.inboundBitrateKbps).toBeGreaterThan(25);
      expect(s.outboundBitrateKbps).toBeLessThan(40);
    }
  });

  it('keeps cumulative counters and audio levels as reported', () => {
    const outbound = statOf(at(recording, 4), 'outbound-rtp');
    const source = statOf(at(recording, 4), 'media-source');
    expect(at(samples, 4)).toMatchObject({
      packetsSent: outbound.packetsSent,
      bytesSent: outbound.bytesSent,
      inputLevel: source.audioLevel,
    });
  });

  it('measures audio energy growth per interval', () => {
    const before = statOf(at(recording, 2), 'media-source').totalAudioEnergy as number;
    const after = statOf(at(recording, 3), 'media-source').totalAudioEnergy as number;
    expect(at(samples, 3).inputAudioEnergyDelta).toBeCloseTo(after - before, 12);
    expect(at(samples, 3).inboundAudioEnergyDelta).toBeGreaterThan(0);
  });

  it('estimates a MOS near the G.711 ceiling', () => {
    for (const s of samples) expect(s.mosEstimate).toBeGreaterThan(4.3);
  });
});

describe('parseStats on a lossy PCMU call through TURN', () => {
  const samples = replay(loadFixture('pcmu-lossy-relay'));

  it('follows the transport to the selected pair, not the failed host pair listed first', () => {
    expect(at(samples, 0)).toMatchObject({ selectedCodec: 'PCMU', localCandidateType: 'relay', remoteCandidateType: 'host' });
  });

  it('computes inbound loss per interval, not since the call began', () => {
    // 3, 2, 4 of 50 packets lost in seconds 2, 3, 4
    expect(at(samples, 1).inboundLoss).toBeCloseTo(0.06, 9);
    expect(at(samples, 2).inboundLoss).toBeCloseTo(0.04, 9);
    expect(at(samples, 3).inboundLoss).toBeCloseTo(0.08, 9);
  });

  it('takes outbound loss from the first receiver report as fractionLost, then between reports, holding it meanwhile', () => {
    const outbound = samples.map((s) => s.outboundLoss);
    expect(outbound[0]).toBeUndefined();
    // first report: 10/256 as the remote side quantised it
    expect(outbound.slice(1, 6)).toEqual(Array(5).fill(10 / 256));
    // next report, 5 s later: 12 more lost of the 250 sent since the first
    for (const loss of outbound.slice(6)) expect(loss).toBeCloseTo(12 / 250, 9);
  });

  it('rates the call well below the clean one', () => {
    const worst = Math.min(...samples.map((s) => s.mosEstimate ?? Infinity));
    expect(worst).toBeLessThan(3.5);
  });
});

describe('parseStats across stream changes', () => {
  const samples = replay(loadFixture('reinvite-ssrc-change'));

  it('counts a new SSRC from zero instead of subtracting the old stream', () => {
    expect(at(samples, 2).packetsReceived).toBe(40);
    expect(at(samples, 2).inboundLoss).toBe(0);
    expect(at(samples, 2).inboundBitrateKbps).toBeUndefined();
  });

  it('leaves interval values undefined when counters go backwards on the same SSRC', () => {
    const reset = at(samples, 4);
    expect(reset.inboundLoss).toBeUndefined();
    expect(reset.inboundBitrateKbps).toBeUndefined();
    expect(reset.inboundAudioEnergyDelta).toBeUndefined();
    expect(reset.jitterBufferDelayMs).toBeUndefined();
    expect(reset.outboundBitrateKbps).toBeGreaterThan(0);
  });

  it('never reports a negative loss when late packets shrink packetsLost', () => {
    const report = (received: number, lost: number, timestamp: number): StatsEntry[] => [
      { id: 'IT01A1', type: 'inbound-rtp', kind: 'audio', ssrc: 1, timestamp, packetsReceived: received, packetsLost: lost },
    ];
    const first = parseStats(report(100, 5, 1000));
    const second = parseStats(report(150, 3, 2000), first.snapshot);
    expect(second.sample.inboundLoss).toBe(0);
  });

  it('leaves inbound loss undefined when no packet was expected (on hold)', () => {
    const report = (timestamp: number): StatsEntry[] => [
      { id: 'IT01A1', type: 'inbound-rtp', kind: 'audio', ssrc: 1, timestamp, packetsReceived: 100, packetsLost: 2 },
    ];
    const first = parseStats(report(1000));
    expect(parseStats(report(2000), first.snapshot).sample.inboundLoss).toBeUndefined();
  });
});

describe('parseStats with little or odd input', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('returns just a timestamp for an empty report', () => {
    vi.useFakeTimers();
    vi.setSystemTime(1_732_194_000_000);
    expect(parseStats([]).sample).toEqual({ timestamp: 1_732_194_000_000 });
  });

  it('reads only what is there', () => {
    const { sample } = parseStats([{ id: 'T01', type: 'transport', timestamp: 5000, iceState: 'checking' }]);
    expect(sample).toEqual({ timestamp: 5000, iceState: 'checking' });
  });

  it('ignores values of the wrong type instead of producing NaN', () => {
    const { sample } = parseStats([
      { id: 'IT01A1', type: 'inbound-rtp', kind: 'audio', ssrc: 1, timestamp: 1000, jitter: 'n/a', packetsReceived: 50, packetsLost: Number.NaN, audioLevel: null },
      { id: 'CP1', type: 'candidate-pair', timestamp: 1000, nominated: true, state: 'succeeded', currentRoundTripTime: Infinity, localCandidateId: 'L1' },
      { id: 'L1', type: 'local-candidate', timestamp: 1000, candidateType: 'bogus' },
    ]);
    expect(sample).toEqual({ timestamp: 1000, packetsReceived: 50, selectedPairState: 'succeeded' });
  });

  it('skips entries that are not stats objects', () => {
    const { sample } = parseStats([null, 42, 'x', { id: 'no-type' }, { id: 'T01', type: 'transport', timestamp: 7 }] as unknown[]);
    expect(sample).toEqual({ timestamp: 7 });
  });
});

describe('parseStats finds the selected candidate pair', () => {
  const candidates: StatsEntry[] = [
    { id: 'L1', type: 'local-candidate', timestamp: 1, candidateType: 'host' },
    { id: 'L2', type: 'local-candidate', timestamp: 1, candidateType: 'relay' },
    { id: 'R1', type: 'remote-candidate', timestamp: 1, candidateType: 'srflx' },
  ];

  it('through the transport when it names one', () => {
    const { sample } = parseStats([
      ...candidates,
      { id: 'CP1', type: 'candidate-pair', timestamp: 1, localCandidateId: 'L1', remoteCandidateId: 'R1', nominated: true, state: 'succeeded', currentRoundTripTime: 0.01 },
      { id: 'CP2', type: 'candidate-pair', timestamp: 1, localCandidateId: 'L2', remoteCandidateId: 'R1', nominated: true, state: 'succeeded', currentRoundTripTime: 0.2 },
      { id: 'T01', type: 'transport', timestamp: 1, selectedCandidatePairId: 'CP2' },
    ]);
    expect(sample).toMatchObject({ localCandidateType: 'relay', remoteCandidateType: 'srflx', rttMs: 200 });
  });

  it('by the `selected` flag when there are no transport stats (Firefox)', () => {
    const { sample } = parseStats([
      ...candidates,
      { id: 'CP1', type: 'candidate-pair', timestamp: 1, localCandidateId: 'L1', remoteCandidateId: 'R1', nominated: true, state: 'succeeded' },
      { id: 'CP2', type: 'candidate-pair', timestamp: 1, localCandidateId: 'L2', remoteCandidateId: 'R1', selected: true, state: 'succeeded' },
    ]);
    expect(sample.localCandidateType).toBe('relay');
  });

  it('as the nominated pair that succeeded, as a last resort', () => {
    const { sample } = parseStats([
      ...candidates,
      { id: 'CP1', type: 'candidate-pair', timestamp: 1, localCandidateId: 'L2', remoteCandidateId: 'R1', nominated: true, state: 'failed' },
      { id: 'CP2', type: 'candidate-pair', timestamp: 1, localCandidateId: 'L1', remoteCandidateId: 'R1', nominated: true, state: 'succeeded' },
    ]);
    expect(sample.localCandidateType).toBe('host');
  });
});

describe('parseStats accepts every shape of report', () => {
  const report = at(loadFixture('opus-good-call'), 2);
  const expected = parseStats(report).sample;

  it('an RTCStatsReport-like map of id to stats', () => {
    const map = new Map(report.map((s) => [s.id as string, s]));
    expect(parseStats(map).sample).toEqual(expected);
  });

  it('any iterable of stats objects', () => {
    function* entries(): Generator<StatsEntry> {
      yield* report;
    }
    expect(parseStats(entries()).sample).toEqual(expected);
  });

  it('map entries ([id, stats] pairs)', () => {
    expect(parseStats(report.map((s) => [s.id, s])).sample).toEqual(expected);
  });
});

describe('every sample of every recording', () => {
  const all: [string, QualitySample][] = FIXTURES.flatMap((name) => replay(loadFixture(name)).map((s): [string, QualitySample] => [name, s]));

  it('has only finite numbers, losses and levels in 0..1, MOS in 1..4.5', () => {
    for (const [name, sample] of all) {
      for (const [key, value] of Object.entries(sample)) {
        if (typeof value === 'number') expect(Number.isFinite(value), `${name} ${key}`).toBe(true);
      }
      for (const key of ['inboundLoss', 'outboundLoss', 'inputLevel', 'outputLevel'] as const) {
        const value = sample[key];
        if (value !== undefined) {
          expect(value, `${name} ${key}`).toBeGreaterThanOrEqual(0);
          expect(value, `${name} ${key}`).toBeLessThanOrEqual(1);
        }
      }
      if (sample.mosEstimate !== undefined) {
        expect(sample.mosEstimate).toBeGreaterThanOrEqual(1);
        expect(sample.mosEstimate).toBeLessThanOrEqual(4.5);
      }
    }
  });

  it('has no key whose value is undefined', () => {
    for (const [, sample] of all) expect(Object.values(sample)).not.toContain(undefined);
  });

  it('moves forward in time', () => {
    for (const name of FIXTURES) {
      const times = replay(loadFixture(name)).map((s) => s.timestamp);
      expect([...times].sort((a, b) => a - b)).toEqual(times);
    }
  });
});
