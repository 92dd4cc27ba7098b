import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { VoiceSDKError } from '../../../src/errors';
import type { CallFacts, QualitySample, QualityWarningOptions, WarningName } from '../../../src/quality/quality.types';
import { warningMachine } from '../../../src/quality/warning.machine';
import {
  DEFAULT_GRACE_PERIOD_MS,
  DEFAULT_QUALITY_THRESHOLDS,
  WARNING_NAMES,
  resolveWarningInputs,
  warningEvents,
} from '../../../src/quality/warnings';
import { loadFixture, replay } from './fixtures';

const TALKING: CallFacts = { muted: false, onHold: false, elapsedMs: 60_000 };

const SAMPLE: QualitySample = {
  timestamp: 1_732_194_060_000,
  rttMs: 120,
  jitterMs: 8,
  inboundLoss: 0.01,
  outboundLoss: 0.02,
  mosEstimate: 4.1,
  inputAudioEnergyDelta: 0.004,
  inboundAudioEnergyDelta: 0.006,
  inboundBitrateKbps: 32,
  iceState: 'connected',
};

/** The SAMPLE value each warning gets, or 'suppressed'. */
function valuesFor(sample: QualitySample, facts: CallFacts, options?: QualityWarningOptions) {
  const result: Partial<Record<WarningName, number | undefined | 'suppressed'>> = {};
  for (const { name, event } of warningEvents(sample, facts, options)) {
    if (event.type === 'SUPPRESS') result[name] = 'suppressed';
    if (event.type === 'SAMPLE') result[name] = event.value;
  }
  return result;
}

describe('the warning catalogue', () => {
  it('has the documented defaults', () => {
    expect(DEFAULT_GRACE_PERIOD_MS).toBe(5000);
    expect(DEFAULT_QUALITY_THRESHOLDS).toMatchObject({
      'high-rtt': { threshold: 400, clearThreshold: 350 },
      'high-jitter': { threshold: 30, clearThreshold: 25 },
      'high-inbound-packet-loss': { threshold: 0.03, clearThreshold: 0.02 },
      'high-outbound-packet-loss': { threshold: 0.03, clearThreshold: 0.02 },
      'low-mos': { threshold: 3.5, clearThreshold: 3.6 },
      'silent-microphone': { threshold: 1e-9, raise: { samples: 5, window: 5 } },
      'no-inbound-audio': { threshold: 1e-9, raise: { samples: 5, window: 5 } },
      'ice-disconnected': { threshold: 0, raise: { samples: 1, window: 1 }, clear: { samples: 1 } },
    });
    expect(DEFAULT_QUALITY_THRESHOLDS['high-rtt']).toMatchObject({ raise: { samples: 3, window: 5 }, clear: { samples: 3 } });
  });

  it('resolves one machine input per warning, with its direction', () => {
    const inputs = resolveWarningInputs();
    expect(inputs.map((i) => i.name)).toEqual(WARNING_NAMES);
    expect(inputs.find((i) => i.name === 'low-mos')).toMatchObject({ comparison: 'below', threshold: 3.5, clearThreshold: 3.6 });
    expect(inputs.find((i) => i.name === 'high-rtt')).toMatchObject({ comparison: 'above', threshold: 400 });
  });

  it('merges overrides and turns warnings off with false', () => {
    const inputs = resolveWarningInputs({
      thresholds: { 'high-rtt': { threshold: 250, raise: { samples: 2, window: 3 } }, 'low-mos': false },
    });
    expect(inputs.map((i) => i.name)).not.toContain('low-mos');
    // A new threshold without its own clear threshold clears at the threshold,
    // not at the default 350 that now lies on the wrong side.
    expect(inputs.find((i) => i.name === 'high-rtt')).toMatchObject({
      threshold: 250,
      clearThreshold: 250,
      raise: { samples: 2, window: 3 },
      clear: { samples: 3 },
    });
  });

  it.each<[string, QualityWarningOptions]>([
    ['more bad samples than the window', { thresholds: { 'high-jitter': { raise: { samples: 6, window: 5 } } } }],
    ['a zero window', { thresholds: { 'high-jitter': { raise: { samples: 0, window: 0 } } } }],
    ['a fractional count', { thresholds: { 'high-jitter': { clear: { samples: 1.5 } } } }],
    ['a clear threshold outside the threshold', { thresholds: { 'high-jitter': { threshold: 30, clearThreshold: 40 } } }],
    ['a NaN threshold', { thresholds: { 'low-mos': { threshold: Number.NaN } } }],
  ])('refuses %s with invalid-argument', (_, options) => {
    expect(() => resolveWarningInputs(options)).toThrow(VoiceSDKError);
    try {
      resolveWarningInputs(options);
    } catch (error) {
      expect((error as VoiceSDKError).code).toBe('invalid-argument');
    }
  });
});

describe('warningEvents', () => {
  it('sends each warning its metric once the grace period is over', () => {
    expect(valuesFor(SAMPLE, TALKING)).toEqual({
      'high-rtt': 120,
      'high-jitter': 8,
      'high-inbound-packet-loss': 0.01,
      'high-outbound-packet-loss': 0.02,
      'low-mos': 4.1,
      'silent-microphone': 0.004,
      'no-inbound-audio': 0.006,
      'ice-disconnected': 0,
    });
  });

  it('resumes before every sample, so a warning suppressed earlier judges again', () => {
    const events = warningEvents(SAMPLE, TALKING).filter((d) => d.name === 'high-rtt').map((d) => d.event.type);
    expect(events).toEqual(['RESUME', 'SAMPLE']);
  });

  it('suppresses everything but ICE during the grace period', () => {
    const values = valuesFor(SAMPLE, { ...TALKING, elapsedMs: 4999 });
    for (const name of WARNING_NAMES.filter((n) => n !== 'ice-disconnected')) expect(values[name]).toBe('suppressed');
    expect(values['ice-disconnected']).toBe(0);
    expect(valuesFor(SAMPLE, { ...TALKING, elapsedMs: 5000 })['high-rtt']).toBe(120);
  });

  it('honours a custom grace period', () => {
    expect(valuesFor(SAMPLE, { ...TALKING, elapsedMs: 9000 }, { gracePeriodMs: 10_000 })['high-jitter']).toBe('suppressed');
  });

  it('suppresses only the microphone warning while muted', () => {
    const values = valuesFor(SAMPLE, { ...TALKING, muted: true });
    expect(values['silent-microphone']).toBe('suppressed');
    expect(values['no-inbound-audio']).toBe(0.006);
    expect(values['high-inbound-packet-loss']).toBe(0.01);
  });

  it('suppresses audio warnings on hold but keeps watching RTT and ICE', () => {
    const values = valuesFor(SAMPLE, { ...TALKING, onHold: true });
    expect(values).toMatchObject({
      'high-jitter': 'suppressed',
      'high-inbound-packet-loss': 'suppressed',
      'high-outbound-packet-loss': 'suppressed',
      'low-mos': 'suppressed',
      'silent-microphone': 'suppressed',
      'no-inbound-audio': 'suppressed',
      'high-rtt': 120,
      'ice-disconnected': 0,
    });
  });

  it('judges inbound silence only while packets arrive', () => {
    expect(valuesFor({ ...SAMPLE, inboundBitrateKbps: 0, inboundAudioEnergyDelta: 0 }, TALKING)['no-inbound-audio']).toBeUndefined();
    expect(valuesFor({ ...SAMPLE, inboundAudioEnergyDelta: 0 }, TALKING)['no-inbound-audio']).toBe(0);
  });

  it('maps ICE states to 1 (disconnected, failed) or 0, preferring the call facts', () => {
    expect(valuesFor({ ...SAMPLE, iceState: 'failed' }, TALKING)['ice-disconnected']).toBe(1);
    expect(valuesFor({ ...SAMPLE, iceState: 'checking' }, TALKING)['ice-disconnected']).toBe(0);
    expect(valuesFor(SAMPLE, { ...TALKING, iceState: 'disconnected' })['ice-disconnected']).toBe(1);
    const { iceState: _, ...withoutIce } = SAMPLE;
    expect(valuesFor(withoutIce, TALKING)['ice-disconnected']).toBeUndefined();
  });

  it('leaves out warnings that are turned off', () => {
    const names = warningEvents(SAMPLE, TALKING, { thresholds: { 'silent-microphone': false } }).map((d) => d.name);
    expect(names).not.toContain('silent-microphone');
  });
});

/** Runs a recording through stats → events → one actor per warning, as the call machine will. */
function warningsRaisedBy(fixture: string, facts: (elapsedMs: number) => Partial<CallFacts> = () => ({})) {
  const samples = replay(loadFixture(fixture));
  // Recordings start one stats interval (1 s) after the call was accepted, on a whole second.
  const acceptedAt = Math.floor((samples[0]?.timestamp ?? 0) / 1000) * 1000 - 1000;
  const log: string[] = [];
  const actors = new Map(
    resolveWarningInputs().map((input) => {
      const actor = createActor(warningMachine, { input });
      actor.on('warning', (e) => log.push(`${e.name} raised`));
      actor.on('warning-cleared', (e) => log.push(`${e.name} cleared`));
      return [input.name, actor.start()] as const;
    }),
  );
  samples.forEach((sample, index) => {
    const elapsedMs = sample.timestamp - acceptedAt;
    const dispatches = warningEvents(sample, { muted: false, onHold: false, elapsedMs, ...facts(elapsedMs) });
    for (const { name, event } of dispatches) {
      const before = log.length;
      actors.get(name)?.send(event);
      for (let i = before; i < log.length; i += 1) log[i] = `${index}: ${log[i]}`;
    }
  });
  return log;
}

describe('warnings on recorded calls', () => {
  it('stay silent on a clean call', () => {
    expect(warningsRaisedBy('opus-good-call')).toEqual([]);
  });

  it('flag loss both ways, jitter and the low MOS of a lossy call, after the grace period', () => {
    expect(warningsRaisedBy('pcmu-lossy-relay')).toEqual([
      '6: high-jitter raised',
      '6: high-inbound-packet-loss raised',
      '6: high-outbound-packet-loss raised',
      '8: low-mos raised',
    ]);
  });

  it('flag a dead microphone and an ICE drop, and clear the ICE warning when it reconnects', () => {
    expect(warningsRaisedBy('dead-microphone-ice-drop')).toEqual([
      '6: ice-disconnected raised',
      '8: silent-microphone raised',
      '8: ice-disconnected cleared',
    ]);
  });

  it('do not flag a dead microphone while the user is muted', () => {
    expect(warningsRaisedBy('dead-microphone-ice-drop', () => ({ muted: true }))).toEqual([
      '6: ice-disconnected raised',
      '8: ice-disconnected cleared',
    ]);
  });

  it('clear the microphone warning as soon as the user mutes', () => {
    const log = warningsRaisedBy('dead-microphone-ice-drop', (elapsedMs) => ({ muted: elapsedMs > 9500 }));
    expect(log.slice(-2)).toEqual(['8: ice-disconnected cleared', '9: silent-microphone cleared']);
  });
});
