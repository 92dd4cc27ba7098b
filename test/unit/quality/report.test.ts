import { describe, expect, it } from 'vitest';
import { buildReport, EMPTY_REPORT_STATE, withSample, withWarning, type CallTimes } from '../../../src/quality/report';
import type { WarningName } from '../../../src/quality/quality.types';

/** Folds samples and warnings the way the call machine does, one at a time. */
function createReportAccumulator() {
  let state = EMPTY_REPORT_STATE;
  return {
    add(sample: QualitySample) {
      state = withSample(state, sample);
    },
    noteWarning(name: WarningName, at: number, cleared = false, value?: number) {
      state = withWarning(state, name, at, cleared, value);
    },
    report: (times: CallTimes) => buildReport(state, times),
  };
}
import type { QualitySample } from '../../../src/quality/quality.types';
import { loadFixture, replay } from './fixtures';

const TIMES = { startedAt: 1_000, acceptedAt: 3_500, endedAt: 63_500 };

function sample(fields: Partial<QualitySample>): QualitySample {
  return { timestamp: 0, ...fields };
}

describe('call report', () => {
  it('measures setup time and talk time', () => {
    const report = createReportAccumulator().report(TIMES);
    expect(report.setupTimeMs).toBe(2_500);
    expect(report.durationMs).toBe(60_000);
  });

  it('has no talk time and no setup time for a call that was never answered', () => {
    const report = createReportAccumulator().report({ startedAt: 1_000, endedAt: 31_000 });
    expect(report).toMatchObject({ durationMs: 0, setupTimeMs: undefined });
  });

  it('leaves metrics undefined when no sample reported them', () => {
    const report = createReportAccumulator().report(TIMES);
    expect(report).toMatchObject({
      sampleCount: 0,
      rtt: undefined,
      jitter: undefined,
      inboundLoss: undefined,
      outboundLoss: undefined,
      mos: undefined,
      codec: undefined,
      warnings: [],
    });
  });

  it('summarises each metric as min, mean and max over the samples that reported it', () => {
    const accumulator = createReportAccumulator();
    accumulator.add(sample({ rttMs: 40, jitterMs: 2, mosEstimate: 4.3 }));
    accumulator.add(sample({ rttMs: 60, inboundLoss: 0.02 }));
    accumulator.add(sample({ rttMs: 110, jitterMs: 6, inboundLoss: 0 }));
    const report = accumulator.report(TIMES);
    expect(report.sampleCount).toBe(3);
    expect(report.rtt).toEqual({ min: 40, avg: 70, max: 110 });
    expect(report.jitter).toEqual({ min: 2, avg: 4, max: 6 });
    expect(report.inboundLoss).toEqual({ min: 0, avg: 0.01, max: 0.02 });
    expect(report.mos).toEqual({ min: 4.3, avg: 4.3, max: 4.3 });
    expect(report.outboundLoss).toBeUndefined();
  });

  it('keeps the last codec and candidate types reported', () => {
    const accumulator = createReportAccumulator();
    accumulator.add(sample({ selectedCodec: 'OPUS', localCandidateType: 'host', remoteCandidateType: 'host' }));
    accumulator.add(sample({ localCandidateType: 'relay' }));
    expect(accumulator.report(TIMES)).toMatchObject({ codec: 'OPUS', localCandidateType: 'relay', remoteCandidateType: 'host' });
  });

  it('lists each warning episode with when it was raised and cleared', () => {
    const accumulator = createReportAccumulator();
    accumulator.noteWarning('high-jitter', 10_000, false, 42);
    accumulator.noteWarning('high-rtt', 12_000, false, 450);
    accumulator.noteWarning('high-jitter', 15_000, true);
    accumulator.noteWarning('high-jitter', 20_000, false, 35);
    expect(accumulator.report(TIMES).warnings).toEqual([
      { name: 'high-jitter', raisedAt: 10_000, clearedAt: 15_000, value: 42 },
      { name: 'high-rtt', raisedAt: 12_000, value: 450 },
      { name: 'high-jitter', raisedAt: 20_000, value: 35 },
    ]);
  });

  it('ignores a raise while the warning is open and a clear with none open', () => {
    const accumulator = createReportAccumulator();
    accumulator.noteWarning('low-mos', 5_000, true);
    accumulator.noteWarning('low-mos', 6_000, false, 3.2);
    accumulator.noteWarning('low-mos', 7_000, false, 3.0);
    expect(accumulator.report(TIMES).warnings).toEqual([{ name: 'low-mos', raisedAt: 6_000, value: 3.2 }]);
  });

  it('hands out reports that later warnings do not change', () => {
    const accumulator = createReportAccumulator();
    accumulator.noteWarning('ice-disconnected', 5_000, false, 1);
    const early = accumulator.report(TIMES);
    accumulator.noteWarning('ice-disconnected', 8_000, true);
    expect(early.warnings[0]?.clearedAt).toBeUndefined();
    expect(accumulator.report(TIMES).warnings[0]?.clearedAt).toBe(8_000);
  });

  it('summarises a recorded lossy call', () => {
    const accumulator = createReportAccumulator();
    for (const s of replay(loadFixture('pcmu-lossy-relay'))) accumulator.add(s);
    const report = accumulator.report({ startedAt: 1_732_194_097_000, acceptedAt: 1_732_194_100_000, endedAt: 1_732_194_110_500 });
    expect(report).toMatchObject({ sampleCount: 10, codec: 'PCMU', localCandidateType: 'relay', remoteCandidateType: 'host', durationMs: 10_500, setupTimeMs: 3_000 });
    expect(report.rtt).toMatchObject({ min: 176, max: 191 });
    expect(report.inboundLoss?.max).toBeCloseTo(0.1, 9);
    expect(report.inboundLoss?.avg).toBeCloseTo(0.05, 9);
    expect(report.mos?.min).toBeLessThan(3.5);
  });
});
