import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/data/synthetic/rng.ts';
import {
  bertramExpectedReturnFoc,
  bertramMetrics,
  bertramOptimalBands,
  bertramW1,
  bertramW2,
  erfi,
} from '../../src/model/bertram.ts';
import type { OuParams } from '../../src/model/ouParams.ts';

// Dimensionless OU: theta = 1, sigma = sqrt 2, so the stationary sd is 1.
const unit: OuParams = { thetaPerSecond: 1, mu: 0, sigmaPerSqrtSecond: Math.SQRT2 };

/**
 * Bertram's rule on a seeded path of the exact discretisation: start at the entry, wait for the exit, then for
 * the entry again; crossings between samples are caught with the Brownian-bridge probability.
 */
function simulateCycles(p: OuParams, entry: number, exit: number, cycles: number, dt: number, seed: number): number[] {
  const rng = new Rng(seed);
  const b = Math.exp(-p.thetaPerSecond * dt);
  const stepSd = p.sigmaPerSqrtSecond * Math.sqrt((1 - b * b) / (2 * p.thetaPerSecond));
  const bridgeVariance = p.sigmaPerSqrtSecond ** 2 * dt;
  const lengths: number[] = [];
  let x = entry;
  let target = exit;
  let start = 0;
  let steps = 0;
  while (lengths.length < cycles) {
    const y = p.mu + (x - p.mu) * b + stepSd * rng.normal();
    steps++;
    const side = Math.sign(x - target);
    const crossed = side * (y - target) <= 0 || rng.uniform() < Math.exp((-2 * (x - target) * (y - target)) / bridgeVariance);
    x = y;
    if (crossed) {
      if (target === exit) {
        target = entry;
      } else {
        lengths.push((steps - start) * dt);
        start = steps;
        target = exit;
      }
    }
  }
  return lengths;
}

describe('Bertram (2010) optimal bands', () => {
  it('special functions match mpmath (30 digits) to 1e-14', () => {
    const cases: [number, number, number, number][] = [
      // z, w1(z), w2(z), erfi(z)
      [0.3, 0.069751108662986912, -1.035357157169708, 0.34894933875893617],
      [1, 3.568913337630081, -3.12419816806832, 1.6504257587975429],
      [2.5, 727.14991312277495, 21.749251670957872, 130.39575501324693],
      [-1.7, -38.399634719869612, 2.7684345200439077, -7.564175177387987],
      [6, 799051718521442.99, 95413090.286850389, 411275145582823.87],
    ];
    for (const [z, w1, w2, e] of cases) {
      expect(bertramW1(z) / w1).toBeCloseTo(1, 13);
      expect(bertramW2(z) / w2).toBeCloseTo(1, 13);
      expect(erfi(z) / e).toBeCloseTo(1, 13);
    }
  });

  it('E[T], V[T] and the return per unit time agree with a seeded Monte Carlo of the rule', () => {
    const entry = -0.7;
    const exit = 0.7;
    const cost = 0.2;
    const m = bertramMetrics(unit, entry, exit, cost);
    expect(m.expectedTradeLengthSeconds).toBeCloseTo(3.8182249280267212, 12); // mpmath
    expect(m.tradeLengthVarianceSeconds2).toBeCloseTo(6.6941094313971220, 11); // mpmath (and a quadrature of the moment ODEs)
    const lengths = simulateCycles(unit, entry, exit, 2000, 0.003, 11);
    const n = lengths.length;
    const mean = lengths.reduce((a, b) => a + b, 0) / n;
    const variance = lengths.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1);
    const fourth = lengths.reduce((a, b) => a + (b - mean) ** 4, 0) / n;
    expect(Math.abs(mean - m.expectedTradeLengthSeconds)).toBeLessThan(4 * Math.sqrt(variance / n));
    expect(Math.abs(variance - m.tradeLengthVarianceSeconds2)).toBeLessThan(4 * Math.sqrt((fourth - variance ** 2) / n));
    // return per unit time: n r / sum T, standard error by the delta method
    const mcRate = (n * m.returnPerTradeFraction) / (n * mean);
    const rateSe = (m.expectedReturnPerSecond * Math.sqrt(variance / n)) / mean;
    expect(Math.abs(mcRate - m.expectedReturnPerSecond)).toBeLessThan(4 * rateSe);
  });

  it('the expected-return optimum solves Bertram first-order condition and beats a brute-force grid', () => {
    const params: OuParams = { thetaPerSecond: 1 / 3600, mu: 0.0003, sigmaPerSqrtSecond: 0.0002 * Math.sqrt(2 / 3600) };
    const sd = 0.0002;
    const cost = 0.0004;
    const best = bertramOptimalBands(params, cost, 'expectedReturn');
    expect(best.entry).toBeCloseTo(params.mu - best.halfWidth, 18);
    expect(Math.abs(bertramExpectedReturnFoc(best.halfWidthSd, cost / sd))).toBeLessThan(1e-7);
    let gridBest = -Infinity;
    let gridArg = 0;
    for (let i = 1; i <= 20_000; i++) {
      const h = cost / 2 + (i / 20_000) * 4 * sd;
      const v = bertramMetrics(params, params.mu - h, params.mu + h, cost).expectedReturnPerSecond;
      if (v > gridBest) [gridBest, gridArg] = [v, h];
    }
    expect(best.metrics.expectedReturnPerSecond).toBeGreaterThanOrEqual(gridBest * (1 - 1e-12));
    expect(Math.abs(best.halfWidth - gridArg)).toBeLessThan((4 * sd) / 20_000);
    // a higher cost widens the bands
    expect(bertramOptimalBands(params, 2 * cost, 'expectedReturn').halfWidth).toBeGreaterThan(best.halfWidth);
  });

  it('the Sharpe optimum beats a brute-force grid and reproduces the arbitragelab example', () => {
    // arbitragelab docs (their mu = speed 180.967, theta = mean 0, sigma = 0.1538, c = 0.001):
    // expected-return bands -/+0.004..., expected return 0.492..., variance 0.0021...; Sharpe bands with
    // r_f = 0.01 read per trade: -/+0.01125..., Sharpe 3.862...
    const p: OuParams = { thetaPerSecond: 180.967, mu: 0, sigmaPerSqrtSecond: 0.1538 };
    const er = bertramOptimalBands(p, 0.001, 'expectedReturn');
    expect(er.entry).toBeGreaterThan(-0.005);
    expect(er.entry).toBeLessThan(-0.004);
    expect(er.metrics.expectedReturnPerSecond).toBeCloseTo(0.492, 3);
    expect(er.metrics.returnVariancePerSecond).toBeGreaterThanOrEqual(0.0021);
    expect(er.metrics.returnVariancePerSecond).toBeLessThan(0.0022);
    const sh = bertramOptimalBands(p, 0.001, 'sharpe', { riskFree: { perTrade: 0.01 } });
    expect(sh.entry).toBeCloseTo(-0.01125, 4);
    expect(sh.metrics.sharpePerSqrtSecond).toBeCloseTo(3.862, 3);
    let gridBest = -Infinity;
    for (let i = 1; i <= 20_000; i++) {
      const h = 0.0005 + (i / 20_000) * 0.05;
      gridBest = Math.max(gridBest, bertramMetrics(p, -h, h, 0.001, { perTrade: 0.01 }).sharpePerSqrtSecond);
    }
    expect(sh.metrics.sharpePerSqrtSecond).toBeGreaterThanOrEqual(gridBest * (1 - 1e-12));
    // a rate per second instead gives a different (here narrower) optimum, also a grid maximum
    const perSecond = bertramOptimalBands(p, 0.001, 'sharpe', { riskFree: { perSecond: 0.01 } });
    let gridPerSecond = -Infinity;
    for (let i = 1; i <= 20_000; i++) {
      const h = 0.0005 + (i / 20_000) * 0.05;
      gridPerSecond = Math.max(gridPerSecond, bertramMetrics(p, -h, h, 0.001, { perSecond: 0.01 }).sharpePerSqrtSecond);
    }
    expect(perSecond.metrics.sharpePerSqrtSecond).toBeGreaterThanOrEqual(gridPerSecond * (1 - 1e-12));
  });
  it('refuses the degenerate zero-cost expected-return optimum with a reason', () => {
    const p: OuParams = { mu: 0, thetaPerSecond: 0.01, sigmaPerSqrtSecond: 0.001 };
    expect(() => bertramOptimalBands(p, 0, 'expectedReturn')).toThrow(/zero cost: the bands collapse onto mu/);
  });
});
