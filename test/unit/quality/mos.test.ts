import { describe, expect, it } from 'vitest';
import {
  codecImpairment,
  delayImpairment,
  effectiveEquipmentImpairment,
  estimateMos,
  mosFromR,
  mouthToEarDelayMs,
  rFactor,
} from '../../../src/quality/mos';

/**
 * Reference values computed with the complete G.107 (06/2015) algorithm, all
 * §7.7 defaults (Ro from the noise terms, Is from Iolr + Ist + Iq), echo path
 * T = Ta and Tr = 2·Ta — i.e. without this module's shortcuts. The zero-delay
 * value, 93.206, is also what the independent Go port
 * github.com/manucorporat/e-model prints for the defaults.
 */
const FULL_G107_R_BY_ONE_WAY_DELAY: ReadonlyArray<[ms: number, r: number]> = [
  [0, 93.2062],
  [50, 91.7562],
  [100, 90.6637],
  [150, 89.5391],
  [200, 85.8047],
  [300, 72.6664],
  [400, 62.2468],
];

describe('MOS from R (G.107 Annex B)', () => {
  it('rates the G.711 best case, R = 93.2, at 4.41', () => {
    expect(mosFromR(93.2)).toBeCloseTo(4.41, 2);
  });

  it('is 1 below R = 0 and 4.5 above R = 100, and continuous at both ends', () => {
    expect(mosFromR(-5)).toBe(1);
    expect(mosFromR(0)).toBe(1);
    expect(mosFromR(100)).toBeCloseTo(4.5, 10);
    expect(mosFromR(120)).toBe(4.5);
  });

  it('never falls as R rises, and never leaves 1..4.5 (the cubic dips below 1 near R = 0)', () => {
    for (let r = -10; r < 110; r += 0.5) {
      expect(mosFromR(r + 0.5)).toBeGreaterThanOrEqual(mosFromR(r));
      expect(mosFromR(r)).toBeGreaterThanOrEqual(1);
      expect(mosFromR(r)).toBeLessThanOrEqual(4.5);
    }
    expect(mosFromR(10)).toBeGreaterThan(mosFromR(7));
  });
});

describe('R factor', () => {
  it('is 93.2 with no delay and no loss', () => {
    expect(rFactor({ oneWayDelayMs: 0, packetLoss: 0 })).toBeCloseTo(93.2, 1);
  });

  it.each(FULL_G107_R_BY_ONE_WAY_DELAY)('matches the full G.107 model at %i ms one way (R = %f)', (ms, r) => {
    expect(rFactor({ oneWayDelayMs: ms, packetLoss: 0 })).toBeCloseTo(r, 2);
  });

  it('adds the advantage factor and subtracts the codec impairment', () => {
    const base = rFactor({ oneWayDelayMs: 0, packetLoss: 0 });
    expect(rFactor({ oneWayDelayMs: 0, packetLoss: 0, advantage: 5 })).toBeCloseTo(base + 5, 10);
    expect(rFactor({ oneWayDelayMs: 0, packetLoss: 0, ie: 11 })).toBeCloseTo(base - 11, 10);
  });
});

describe('delay impairment', () => {
  it('has no absolute-delay term (Idd) up to 100 ms one way', () => {
    for (const ms of [0, 20, 50, 99, 100]) expect(delayImpairment(ms).idd).toBe(0);
  });

  it.each([
    // Idd = 25{(1+X⁶)^⅙ − 3(1+(X/3)⁶)^⅙ + 2}, X = log2(Ta/100)
    [150, 0.1635],
    [200, 3.0444],
    [300, 14.7607],
    [400, 24.0701],
  ])('has Idd(%i ms) = %f', (ms, idd) => {
    expect(delayImpairment(ms).idd).toBeCloseTo(idd, 3);
  });

  it('counts the default echo terms, which are not negligible past a few tens of ms', () => {
    expect(delayImpairment(0)).toMatchObject({ idte: 0, idd: 0 });
    expect(delayImpairment(0).idle).toBeCloseTo(0.149, 3);
    expect(delayImpairment(100).idte).toBeCloseTo(1.964, 3);
    expect(delayImpairment(150).idte).toBeCloseTo(2.812, 3);
    expect(delayImpairment(150).total).toBeCloseTo(2.812 + 0.841 + 0.1635, 2);
  });

  it('treats a negative delay as zero', () => {
    expect(delayImpairment(-10)).toEqual(delayImpairment(0));
  });
});

describe('effective equipment impairment (G.107 eq. 7-29)', () => {
  // G.711 with PLC, random loss: Ie 0, Bpl 25.1 (G.113 App. I). Ie,eff = 95·Ppl/(Ppl + 25.1);
  // about 3.6 R points for the first percent, the "about 4 per percent with PLC" of the literature.
  it.each([
    [0.01, 3.6398],
    [0.02, 7.0111],
    [0.05, 15.7807],
    [0.1, 27.0655],
  ])('is the G.711+PLC value at %f loss: %f', (loss, ieEff) => {
    expect(effectiveEquipmentImpairment(0, 25.1, loss)).toBeCloseTo(ieEff, 3);
  });

  it('is Ie itself without loss and approaches 95 at total loss', () => {
    expect(effectiveEquipmentImpairment(11, 19, 0)).toBe(11);
    expect(effectiveEquipmentImpairment(0, 25.1, 1)).toBeCloseTo((95 * 100) / 125.1, 6);
  });

  it('grows faster with bursty loss (BurstR > 1)', () => {
    expect(effectiveEquipmentImpairment(0, 25.1, 0.05, 2)).toBeGreaterThan(effectiveEquipmentImpairment(0, 25.1, 0.05, 1));
  });

  it('clamps loss outside 0..1', () => {
    expect(effectiveEquipmentImpairment(0, 25.1, -0.2)).toBe(0);
    expect(effectiveEquipmentImpairment(0, 25.1, 3)).toBe(effectiveEquipmentImpairment(0, 25.1, 1));
  });
});

describe('estimateMos', () => {
  it('rates a clean call just under the 4.41 ceiling', () => {
    const mos = estimateMos({ rttMs: 40, jitterMs: 3, loss: 0, codec: 'OPUS' });
    expect(mos).toBeGreaterThan(4.3);
    expect(mos).toBeLessThan(4.41);
  });

  it.each(['OPUS', 'PCMU', 'PCMA', 'G722'])('falls monotonically with loss for %s', (codec) => {
    let previous = Infinity;
    for (let loss = 0; loss <= 0.3; loss += 0.01) {
      const mos = estimateMos({ rttMs: 50, jitterMs: 5, loss, codec });
      expect(mos).toBeLessThan(previous);
      previous = mos;
    }
  });

  it('falls monotonically with round-trip time', () => {
    let previous = Infinity;
    for (let rttMs = 0; rttMs <= 1200; rttMs += 20) {
      const mos = estimateMos({ rttMs, jitterMs: 5, loss: 0.01, codec: 'PCMU' });
      expect(mos).toBeLessThan(previous);
      previous = mos;
    }
  });

  it('falls with jitter, through the jitter buffer it forces', () => {
    expect(estimateMos({ rttMs: 100, jitterMs: 60, loss: 0 })).toBeLessThan(estimateMos({ rttMs: 100, jitterMs: 5, loss: 0 }));
  });

  it('drops below 3.5 at 10 % loss on G.711', () => {
    expect(estimateMos({ rttMs: 40, jitterMs: 3, loss: 0.1, codec: 'PCMU' })).toBeLessThan(3.5);
  });

  it('adds half the round trip, two jitters of buffer and the codec delay for the one-way delay', () => {
    expect(mouthToEarDelayMs({ rttMs: 100, jitterMs: 10, loss: 0, codec: 'PCMU' })).toBe(50 + 20 + 20);
    expect(mouthToEarDelayMs({ rttMs: 100, jitterMs: 10, loss: 0, codec: 'OPUS' })).toBe(50 + 20 + 26.5);
  });

  it('uses the measured jitter-buffer delay when there is one', () => {
    expect(mouthToEarDelayMs({ rttMs: 100, jitterMs: 10, loss: 0, codec: 'PCMU', jitterBufferMs: 80 })).toBe(50 + 80 + 20);
  });

  it('looks codecs up in any case and rates unknown ones like Opus', () => {
    expect(codecImpairment('pcmu')).toEqual(codecImpairment('PCMU'));
    expect(codecImpairment('ISAC')).toEqual(codecImpairment('OPUS'));
    expect(codecImpairment(undefined)).toEqual(codecImpairment('OPUS'));
  });
});
