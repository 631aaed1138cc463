import { describe, expect, it } from 'vitest';
import { ouConditionalMean, ouConditionalVariance, ouStationarySd, reversionFraction } from '../../src/model/ouExpectation.ts';
import type { OuParams } from '../../src/model/ouParams.ts';

const params: OuParams = { thetaPerSecond: Math.LN2 / 3600, mu: 0.0002, sigmaPerSqrtSecond: 1e-5 };

describe('OU conditional moments', () => {
  it('the gap to mu halves every half-life', () => {
    expect(ouConditionalMean(params, 0.0022, 3600)).toBeCloseTo(0.0012, 15);
    expect(ouConditionalMean(params, -0.0018, 7200)).toBeCloseTo(-0.0003, 15);
    expect(ouConditionalMean(params, 0.0022, 0)).toBe(0.0022);
    expect(reversionFraction(params, 3600)).toBeCloseTo(0.5, 15);
  });

  it('variance: sigma^2 (1 - e^{-2 theta tau}) / (2 theta), stationary and Brownian limits', () => {
    const theta = params.thetaPerSecond;
    // one half-life: e^{-2 theta tau} = 1/4
    expect(ouConditionalVariance(params, 3600) / ((1e-10 * 0.75) / (2 * theta))).toBeCloseTo(1, 13);
    expect(ouConditionalVariance(params, 1e7) / ouStationarySd(params) ** 2).toBeCloseTo(1, 13);
    const tiny = { ...params, thetaPerSecond: 1e-15 };
    expect(ouConditionalVariance(tiny, 100) / (1e-10 * 100)).toBeCloseTo(1, 10);
    expect(ouConditionalVariance({ ...params, thetaPerSecond: 0 }, 100) / (1e-10 * 100)).toBeCloseTo(1, 14);
  });

  it('n exact steps of length dt compose to the formulas at tau = n dt', () => {
    const dt = 60;
    const b = Math.exp(-params.thetaPerSecond * dt);
    let mean = 0.003;
    let variance = 0;
    for (let i = 0; i < 90; i++) {
      mean = params.mu + (mean - params.mu) * b;
      variance = variance * b * b + ouConditionalVariance(params, dt);
    }
    expect(mean).toBeCloseTo(ouConditionalMean(params, 0.003, 90 * dt), 15);
    expect(variance / ouConditionalVariance(params, 90 * dt)).toBeCloseTo(1, 12);
  });
});
