import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import {
  warningMachine,
  type WarningEmitted,
  type WarningMachineInput,
} from '../../../src/quality/warning.machine';

const HIGH_RTT: WarningMachineInput = {
  name: 'high-rtt',
  comparison: 'above',
  threshold: 400,
  clearThreshold: 350,
  raise: { samples: 3, window: 5 },
  clear: { samples: 3 },
};

const LOW_MOS: WarningMachineInput = {
  name: 'low-mos',
  comparison: 'below',
  threshold: 3.5,
  raise: { samples: 2, window: 3 },
  clear: { samples: 2 },
};

/** A running warning actor and everything it emitted. */
function startWarning(input: WarningMachineInput = HIGH_RTT) {
  const actor = createActor(warningMachine, { input });
  const emitted: WarningEmitted[] = [];
  actor.on('warning', (event) => emitted.push(event));
  actor.on('warning-cleared', (event) => emitted.push(event));
  actor.start();
  return {
    emitted,
    samples(...values: (number | undefined)[]) {
      for (const value of values) actor.send({ type: 'SAMPLE', value });
    },
    suppress: () => actor.send({ type: 'SUPPRESS' }),
    resume: () => actor.send({ type: 'RESUME' }),
    state: () => actor.getSnapshot().value,
  };
}

describe('warning machine', () => {
  it('starts watching', () => {
    expect(startWarning().state()).toBe('watching');
  });

  it('raises once k of the last n samples are bad, with the value that tipped it', () => {
    const warning = startWarning();
    warning.samples(450, 100, 500);
    expect(warning.emitted).toEqual([]);
    warning.samples(100, 420);
    expect(warning.state()).toBe('raised');
    expect(warning.emitted).toEqual([{ type: 'warning', name: 'high-rtt', value: 420, threshold: 400 }]);
  });

  it('does not raise while bad samples are too spread out to make k in any window', () => {
    const warning = startWarning();
    warning.samples(450, 100, 100, 100, 450, 100, 100, 100, 450, 100, 100, 450);
    expect(warning.state()).toBe('watching');
    expect(warning.emitted).toEqual([]);
  });

  it('does not count a value equal to the threshold as bad', () => {
    const warning = startWarning();
    warning.samples(400, 400, 400, 400, 400);
    expect(warning.emitted).toEqual([]);
  });

  it('clears after m consecutive good samples', () => {
    const warning = startWarning();
    warning.samples(500, 500, 500);
    warning.samples(100, 100);
    expect(warning.state()).toBe('raised');
    warning.samples(100);
    expect(warning.state()).toBe('watching');
    expect(warning.emitted.at(-1)).toEqual({ type: 'warning-cleared', name: 'high-rtt' });
  });

  it('starts counting good samples again after a bad one', () => {
    const warning = startWarning();
    warning.samples(500, 500, 500, 100, 100, 500, 100, 100);
    expect(warning.state()).toBe('raised');
    warning.samples(100);
    expect(warning.state()).toBe('watching');
  });

  it('does not count values between the clear threshold and the threshold as good (hysteresis)', () => {
    const warning = startWarning();
    warning.samples(500, 500, 500, 380, 380, 380, 380);
    expect(warning.state()).toBe('raised');
  });

  it('does not flap when the metric hovers around the threshold', () => {
    const warning = startWarning();
    const hovering = Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? 410 : 390));
    warning.samples(...hovering);
    expect(warning.emitted).toEqual([{ type: 'warning', name: 'high-rtt', value: 410, threshold: 400 }]);
  });

  it('needs k fresh bad samples to raise again after clearing', () => {
    const warning = startWarning();
    warning.samples(500, 500, 500, 100, 100, 100);
    expect(warning.state()).toBe('watching');
    warning.samples(500, 500);
    expect(warning.state()).toBe('watching');
    warning.samples(500);
    expect(warning.emitted.map((e) => e.type)).toEqual(['warning', 'warning-cleared', 'warning']);
  });

  it('does not judge samples without a value', () => {
    const warning = startWarning();
    warning.samples(500, undefined, 500, undefined, undefined, undefined, 500);
    expect(warning.state()).toBe('raised');
    warning.samples(100, undefined, 100, undefined);
    expect(warning.state()).toBe('raised');
    warning.samples(100);
    expect(warning.state()).toBe('watching');
  });

  it('treats NaN and infinities as missing values', () => {
    const warning = startWarning();
    warning.samples(Number.NaN, Number.POSITIVE_INFINITY, Number.NaN, Number.NaN, Number.NaN);
    expect(warning.emitted).toEqual([]);
    // Two bad samples and an infinite one: judged, the infinity would make three.
    warning.samples(500, 500, Number.POSITIVE_INFINITY);
    expect(warning.state()).toBe('watching');
  });

  it('raises on low values for a "below" warning', () => {
    const warning = startWarning(LOW_MOS);
    warning.samples(4.2, 3.1, 3.4);
    expect(warning.emitted).toEqual([{ type: 'warning', name: 'low-mos', value: 3.4, threshold: 3.5 }]);
    warning.samples(3.6, 3.9);
    expect(warning.emitted.at(-1)).toEqual({ type: 'warning-cleared', name: 'low-mos' });
  });

  it('raises on the first bad sample with a 1-of-1 rule and clears on the first good one', () => {
    const warning = startWarning({ name: 'ice-disconnected', comparison: 'above', threshold: 0, raise: { samples: 1, window: 1 }, clear: { samples: 1 } });
    warning.samples(0, 1);
    expect(warning.state()).toBe('raised');
    warning.samples(0);
    expect(warning.emitted.map((e) => e.type)).toEqual(['warning', 'warning-cleared']);
  });

  describe('suppression', () => {
    it('ignores samples while suppressed', () => {
      const warning = startWarning();
      warning.suppress();
      warning.samples(500, 500, 500, 500, 500);
      expect(warning.state()).toBe('suppressed');
      expect(warning.emitted).toEqual([]);
    });

    it('forgets bad samples seen before it was suppressed', () => {
      const warning = startWarning();
      warning.samples(500, 500);
      warning.suppress();
      warning.resume();
      warning.samples(500, 500);
      expect(warning.state()).toBe('watching');
      warning.samples(500);
      expect(warning.state()).toBe('raised');
    });

    it('clears a raised warning when it is suppressed (muted, held)', () => {
      const warning = startWarning();
      warning.samples(500, 500, 500);
      warning.suppress();
      expect(warning.state()).toBe('suppressed');
      expect(warning.emitted.map((e) => e.type)).toEqual(['warning', 'warning-cleared']);
    });

    it('ignores RESUME while watching and SUPPRESS while suppressed', () => {
      const warning = startWarning();
      warning.samples(500, 500);
      warning.resume();
      warning.samples(500);
      expect(warning.state()).toBe('raised');
      warning.suppress();
      warning.suppress();
      expect(warning.emitted.map((e) => e.type)).toEqual(['warning', 'warning-cleared']);
    });
  });
});
