import { describe, expect, it } from 'vitest';
import { integralI, leungLiFunctions, leungLiOptimalLevels } from '../../src/model/leungLi.ts';
import type { OuParams } from '../../src/model/ouParams.ts';

// Leung & Li's example in their notation: theta = 0.5388 (level), mu = 16.6677 (speed), sigma = 0.1599,
// r = 0.05 per year. In ours: mu is the level and thetaPer"Second" the speed (time unit: a year here).
const example: OuParams = { thetaPerSecond: 16.6677, mu: 0.5388, sigmaPerSqrtSecond: 0.1599 };

describe('Leung & Li (2015) optimal entry and exit, no stop-loss', () => {
  it('I_p(z) matches Gamma(p) e^{z^2/4} D_{-p}(-z) (mpmath, 30 digits)', () => {
    const cases: [number, number, number][] = [
      [0.003, 1.3, 336.77080400162499],
      [1.003, -2.5, 0.35250234534761786],
      [1e-5, 4, 102018.47576894592],
      [0.5, -5.9, 0.72229057203334558],
      [0.5, -6.1, 0.71079763355207615],
      [1.5, -6.1, 0.056131300809462861],
      [0.2, 8, 37941715722572.937],
      [1.2, -10, 0.057192228628694753],
    ];
    for (const [p, z, expected] of cases) expect(integralI(p, z) / expected).toBeCloseTo(1, 12);
  });

  it('F and G solve (sigma^2/2) f" + mu (theta - x) f\' = r f, i.e. I_{p+2}(z) = z I_{p+1}(z) + p I_p(z)', () => {
    // With F = I_nu(kappa (x - theta)), F' = kappa I_{nu+1}, F'' = kappa^2 I_{nu+2} and sigma^2 kappa^2 / 2 = mu,
    // the ODE divided by mu is exactly this recurrence (and the same for G with -z).
    for (const p of [0.003, 0.3, 1e-5]) {
      for (const z of [-7, -3, -0.5, 0, 1.2, 4]) {
        const terms = [integralI(p + 2, z), z * integralI(p + 1, z), p * integralI(p, z)];
        const scale = Math.max(...terms.map(Math.abs));
        expect(Math.abs(terms[0] - terms[1] - terms[2]) / scale).toBeLessThan(1e-11);
      }
    }
    const { F, dF, G, dG } = leungLiFunctions(example, 0.05);
    for (const x of [0.45, 0.54, 0.6]) {
      expect(dF(x)).toBeGreaterThan(0);
      expect(dG(x)).toBeLessThan(0);
      expect(F(x)).toBeGreaterThan(0);
      expect(G(x)).toBeGreaterThan(0);
    }
  });

  it('optimal levels satisfy the first-order conditions to 1e-8 and match an independent mpmath solve', () => {
    const levels = leungLiOptimalLevels(example, { costExit: 0.05, discountRatePerSecond: 0.05 });
    expect(Math.abs(levels.exitFocResidual)).toBeLessThan(1e-8);
    expect(Math.abs(levels.entryFocResidual)).toBeLessThan(1e-8);
    const { F, dF } = leungLiFunctions(example, 0.05);
    expect(Math.abs(F(levels.bStar) - (levels.bStar - 0.05) * dF(levels.bStar)) / F(levels.bStar)).toBeLessThan(1e-8);
    // mpmath (pcfd, findroot by bisection): b* = 0.59370943464414174, d* = 0.44819156596765863
    expect(levels.bStar).toBeCloseTo(0.59370943464414174, 12);
    expect(levels.dStar).toBeCloseTo(0.44819156596765863, 12);
    expect(levels.bStar).toBeGreaterThan(levels.dStar);
    expect(levels).toMatchObject({ side: 'longBasis', entry: levels.dStar, exit: levels.bStar });
  });

  it('b* increases with the cost and stays above d*', () => {
    let previous = -Infinity;
    for (const c of [0, 0.01, 0.02, 0.05, 0.1]) {
      const levels = leungLiOptimalLevels(example, { costExit: c, discountRatePerSecond: 0.05 });
      expect(levels.bStar).toBeGreaterThan(previous);
      expect(levels.bStar).toBeGreaterThan(levels.dStar);
      expect(Math.abs(levels.exitFocResidual)).toBeLessThan(1e-8);
      expect(Math.abs(levels.entryFocResidual)).toBeLessThan(1e-8);
      previous = levels.bStar;
    }
  });

  it('on a basis with a tiny per-second discount rate, and the short-basis mirror', () => {
    const params: OuParams = { thetaPerSecond: 1 / 3600, mu: 0.0003, sigmaPerSqrtSecond: 0.0002 * Math.sqrt(2 / 3600) };
    const inputs = { costExit: 0.0004, discountRatePerSecond: 0.1 / (365 * 86_400) };
    const long = leungLiOptimalLevels(params, inputs);
    expect(long.entry).toBeLessThan(params.mu);
    expect(long.exit).toBeGreaterThan(params.mu);
    expect(Math.abs(long.exitFocResidual)).toBeLessThan(1e-8);
    expect(Math.abs(long.entryFocResidual)).toBeLessThan(1e-8);
    const short = leungLiOptimalLevels(params, { ...inputs, side: 'shortBasis' });
    expect(short.entry).toBeGreaterThan(params.mu);
    expect(short.exit).toBeLessThan(short.entry);
    // the same problem on X = -s with mean -mu
    const mirrored = leungLiOptimalLevels({ ...params, mu: -params.mu }, inputs);
    expect(short.entry).toBeCloseTo(-mirrored.dStar, 15);
    expect(short.exit).toBeCloseTo(-mirrored.bStar, 15);
  });
});
