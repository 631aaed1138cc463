import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/data/synthetic/rng.ts';
import {
  closeProbabilitiesByWindow,
  firstPassageProfile,
  probabilityReachLevelBy,
  probabilityReachMeanBy,
} from '../../src/model/firstPassage.ts';
import type { OuParams } from '../../src/model/ouParams.ts';

// Half-life ln2 hours, stationary sd 2 bp around a mean basis of 3 bp.
const params: OuParams = { thetaPerSecond: 1 / 3600, mu: 0.0003, sigmaPerSqrtSecond: 0.0002 * Math.sqrt(2 / 3600) };
const sd = 0.0002;
const TIMES = [600, 1800, 3600, 7200];

/**
 * Monte Carlo of the exact OU discretisation with step dt. A crossing between two samples on the same side
 * is caught with the Brownian-bridge probability exp(-2 (x_i - b)(x_{i+1} - b) / (sigma^2 dt)), which removes
 * the O(sqrt dt) bias of watching only the samples.
 */
function simulate(p: OuParams, s0: number, level: number, dtSeconds: number, times: number[], paths: number, seed: number) {
  const rng = new Rng(seed);
  const b = Math.exp(-p.thetaPerSecond * dtSeconds);
  const stepSd = p.sigmaPerSqrtSecond * Math.sqrt((1 - b * b) / (2 * p.thetaPerSecond));
  const bridgeVariance = p.sigmaPerSqrtSecond ** 2 * dtSeconds;
  const recordAt = times.map((t) => Math.round(t / dtSeconds));
  const steps = recordAt[recordAt.length - 1];
  const side = Math.sign(s0 - level);
  const reached = new Array(times.length).fill(0);
  const gapSum = new Array(times.length).fill(0);
  const gapSumSq = new Array(times.length).fill(0);
  for (let path = 0; path < paths; path++) {
    let x = s0;
    let hitStep = Infinity;
    let next = 0;
    for (let step = 1; step <= steps; step++) {
      const y = p.mu + (x - p.mu) * b + stepSd * rng.normal();
      const crossed = side * (y - level) <= 0 || rng.uniform() < Math.exp((-2 * (x - level) * (y - level)) / bridgeVariance);
      if (crossed) {
        hitStep = step;
        break;
      }
      x = y;
      if (step === recordAt[next]) {
        gapSum[next] += x - level;
        gapSumSq[next] += (x - level) ** 2;
        next++;
      }
    }
    recordAt.forEach((r, i) => {
      if (hitStep <= r) reached[i]++;
    });
  }
  return times.map((_, i) => {
    const prob = reached[i] / paths;
    const gapMean = gapSum[i] / paths;
    return {
      prob,
      probSe: Math.sqrt((prob * (1 - prob)) / paths),
      gap: gapMean,
      gapSe: Math.sqrt((gapSumSq[i] / paths - gapMean ** 2) / paths),
    };
  });
}

describe('first passage of the OU basis', () => {
  it('closed form to mu agrees with a seeded Monte Carlo within 4 binomial standard errors', () => {
    const s0 = params.mu + 1.5 * sd;
    const mc = simulate(params, s0, params.mu, 10, TIMES, 12_000, 42);
    TIMES.forEach((t, i) => {
      const exact = probabilityReachMeanBy(params, s0, t);
      expect(Math.abs(mc[i].prob - exact)).toBeLessThan(4 * mc[i].probSe);
      const gap = (s0 - params.mu) * Math.exp(-params.thetaPerSecond * t);
      expect(Math.abs(mc[i].gap - gap)).toBeLessThan(4 * mc[i].gapSe);
    });
  });

  it('numerical method agrees with the closed form at level = mu to 1e-3 (about 1e-5 in fact)', () => {
    let worst = 0;
    for (const k of [0.05, 0.5, 1, 2, -1.5]) {
      const s0 = params.mu + k * sd;
      const numeric = firstPassageProfile(params, s0, params.mu, [60, ...TIMES, 28_800], { method: 'numerical' });
      numeric.timesSeconds.forEach((t, i) => {
        const exact = probabilityReachMeanBy(params, s0, t);
        worst = Math.max(worst, Math.abs(numeric.probabilityReached[i] - exact));
        // E[(s_t - mu) 1{T > t}] = (s_0 - mu) e^{-theta t}
        const gap = (s0 - params.mu) * Math.exp(-params.thetaPerSecond * t);
        expect(Math.abs(numeric.expectedGapIfNotReached[i] - gap)).toBeLessThan(1e-4 * sd);
      });
    }
    expect(worst).toBeLessThan(1e-4);
    expect(Math.abs(probabilityReachLevelBy(params, params.mu + sd, params.mu, 3600) - probabilityReachMeanBy(params, params.mu + sd, 3600))).toBeLessThan(1e-3);
  });

  it('numerical method for a level beyond mu agrees with a seeded Monte Carlo', () => {
    const s0 = params.mu + 1.5 * sd;
    const level = params.mu - 0.5 * sd;
    const mc = simulate(params, s0, level, 10, TIMES, 12_000, 7);
    const numeric = firstPassageProfile(params, s0, level, TIMES);
    expect(numeric.method).toBe('numerical');
    TIMES.forEach((t, i) => {
      expect(Math.abs(mc[i].prob - numeric.probabilityReached[i])).toBeLessThan(4 * mc[i].probSe);
      expect(Math.abs(mc[i].gap - numeric.expectedGapIfNotReached[i])).toBeLessThan(4 * mc[i].gapSe);
      // farther than mu: reached later than mu would be
      expect(numeric.probabilityReached[i]).toBeLessThan(probabilityReachMeanBy(params, s0, t));
    });
  });

  it('a start below the level uses the mirror image', () => {
    const up = probabilityReachLevelBy(params, params.mu + 2 * sd, params.mu + 0.5 * sd, 3600);
    const down = probabilityReachLevelBy(params, params.mu - 2 * sd, params.mu - 0.5 * sd, 3600);
    expect(down).toBeCloseTo(up, 12);
  });

  it('edge cases: at the level, at time 0, far horizons', () => {
    expect(probabilityReachMeanBy(params, params.mu, 10)).toBe(1);
    expect(probabilityReachMeanBy(params, params.mu + sd, 0)).toBe(0);
    expect(probabilityReachMeanBy(params, params.mu + sd, 1e9)).toBe(1);
    expect(probabilityReachLevelBy(params, params.mu + sd, params.mu + sd, 10)).toBe(1);
    expect(probabilityReachLevelBy(params, params.mu + 2 * sd, params.mu + sd, 3600 * 200)).toBeCloseTo(1, 12);
    expect(() => firstPassageProfile(params, params.mu, params.mu + sd, [1], { method: 'closedForm' })).toThrow(/level = mu/);
  });

  it('window probabilities: p_1 = P(T <= tau_f), p_k differences, sum + remainder = 1', () => {
    const s0 = params.mu + 2 * sd;
    const tauF = 1200;
    const dT = 3600;
    const w = closeProbabilitiesByWindow(params, s0, params.mu, tauF, dT, 5);
    expect(w.method).toBe('closedForm');
    expect(w.probabilities[0]).toBeCloseTo(probabilityReachMeanBy(params, s0, tauF), 15);
    expect(w.probabilities[1]).toBeCloseTo(probabilityReachMeanBy(params, s0, tauF + dT) - probabilityReachMeanBy(params, s0, tauF), 15);
    const sum = w.probabilities.reduce((a, b) => a + b, 0);
    expect(sum + w.remainder).toBeCloseTo(1, 14);
    expect(w.remainder).toBeCloseTo(1 - probabilityReachMeanBy(params, s0, tauF + 4 * dT), 15);

    const level = params.mu + 0.5 * sd;
    const numeric = closeProbabilitiesByWindow(params, s0, level, tauF, dT, 5);
    expect(numeric.method).toBe('numerical');
    expect(numeric.probabilities.reduce((a, b) => a + b, 0) + numeric.remainder).toBeCloseTo(1, 14);
    expect(numeric.probabilities[0]).toBeCloseTo(probabilityReachLevelBy(params, s0, level, tauF), 10);
  });
});
