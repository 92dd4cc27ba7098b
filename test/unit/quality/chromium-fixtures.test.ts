// parseStats over stats that Chromium really produced: 8 consecutive
// getStats() reports (one a second) of bob's side of a call from
// test/e2e/quality.e2e.test.ts (re-record with RECORD_FIXTURES=1), media
// through the e2e UDP relay on 127.0.0.1:
// - chromium-clean: the relay adds nothing;
// - chromium-loss5: the relay drops 5 % of alice's RTP/RTCP towards bob, so
//   bob's inbound side is lossy and his outbound side clean. Its first report
//   was taken as the loss started, so its sample mostly covers clean audio.
import { describe, expect, it } from 'vitest';
import type { QualitySample } from '../../../src/quality/quality.types';
import { loadFixture, replay, statOf, type StatsRecording } from './fixtures';

const clean = loadFixture('chromium-clean');
const lossy = loadFixture('chromium-loss5');
const cleanSamples = replay(clean);
/** Samples over intervals that had the loss on (see above). */
const lossySamples = replay(lossy).slice(1);

function values(samples: QualitySample[], read: (s: QualitySample) => number | undefined): number[] {
  return samples.map(read).filter((v): v is number => v !== undefined);
}

function mean(list: number[]): number {
  return list.reduce((sum, v) => sum + v, 0) / list.length;
}

/** Loss over the whole recording from the raw inbound-rtp counters. */
function recordedInboundLoss(recording: StatsRecording): number {
  const first = statOf(recording[0], 'inbound-rtp');
  const last = statOf(recording.at(-1), 'inbound-rtp');
  const lost = (last.packetsLost as number) - (first.packetsLost as number);
  const received = (last.packetsReceived as number) - (first.packetsReceived as number);
  return lost / (lost + received);
}

describe.each([
  ['clean', clean, cleanSamples],
  ['5 %-lossy', lossy, lossySamples],
] as const)('parseStats on a real Chromium recording (%s)', (_, recording, samples) => {
  it('has eight one-second reports', () => {
    expect(recording).toHaveLength(8);
  });

  it('reads Opus as the codec of every sample', () => {
    expect(samples.map((s) => s.selectedCodec)).toEqual(samples.map(() => 'OPUS'));
  });

  it('reads the candidate types of the selected pair: host far end, peer-reflexive near end', () => {
    // The relay forwards from its own ports, like a NAT: the far end's STUN
    // answers name the relay port as our address, so Chromium learns a
    // peer-reflexive local candidate (on 127.0.0.1 all the same).
    for (const sample of samples) {
      expect(sample).toMatchObject({ localCandidateType: 'prflx', remoteCandidateType: 'host', iceState: 'connected' });
    }
  });

  it('reads a round trip plausible for loopback through a relay that adds no delay', () => {
    const rtts = values(samples, (s) => s.rttMs);
    expect(rtts).toHaveLength(samples.length);
    for (const rtt of rtts) {
      expect(rtt).toBeGreaterThan(0);
      expect(rtt).toBeLessThan(100);
    }
  });

  it('sees no loss on bob’s outbound audio, which the relay never dropped', () => {
    const outbound = values(samples, (s) => s.outboundLoss);
    expect(outbound.length).toBeGreaterThan(0);
    expect(outbound).toEqual(outbound.map(() => 0));
  });
});

describe('loss and MOS in real Chromium recordings', () => {
  it('reads no inbound loss on the clean call', () => {
    expect(values(cleanSamples, (s) => s.inboundLoss)).toEqual(cleanSamples.map(() => 0));
  });

  it('reads about 5 % inbound loss on the lossy side, agreeing with the raw counters', () => {
    const perInterval = values(lossySamples, (s) => s.inboundLoss);
    expect(perInterval).toHaveLength(lossySamples.length);
    expect(mean(perInterval)).toBeCloseTo(recordedInboundLoss(lossy), 2);
    expect(Math.abs(mean(perInterval) - 0.05)).toBeLessThanOrEqual(0.02);
  });

  it('rates the clean call above the lossy one', () => {
    const cleanMos = values(cleanSamples, (s) => s.mosEstimate);
    const lossyMos = values(lossySamples, (s) => s.mosEstimate);
    expect(mean(cleanMos)).toBeGreaterThan(mean(lossyMos));
    // Same round trip (~1.5 ms) and jitter buffer (10–30 ms) in both: every
    // interval with loss rates below every clean one.
    expect(Math.min(...cleanMos)).toBeGreaterThan(Math.max(...lossyMos));
  });
});
