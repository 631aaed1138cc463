import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/data/synthetic/rng.ts';
import { fitOu } from '../../src/model/ouFit.ts';
import { rollingOuFit } from '../../src/model/rollingFit.ts';
import { REGIME_HIGH, REGIME_LOW, REGIME_UNKNOWN, rollingIncrementStd, volatilityRegimes } from '../../src/model/volatilityRegimes.ts';

/** Exact OU discretisation with a per-step sigma (to build volatility regimes). */
function ouPath(seed: number, points: number, thetaPerSecond: number, mu: number, sigmaAt: (i: number) => number, dtSeconds: number): Float64Array {
  const rng = new Rng(seed);
  const b = Math.exp(-thetaPerSecond * dtSeconds);
  const scale = Math.sqrt((1 - b * b) / (2 * thetaPerSecond));
  const out = new Float64Array(points);
  let s = mu;
  for (let i = 0; i < points; i++) {
    out[i] = s;
    s = mu + (s - mu) * b + sigmaAt(i) * scale * rng.normal();
  }
  return out;
}

describe('rollingOuFit', () => {
  const dt = 60;
  const values = ouPath(1, 5000, 1e-3, 2e-4, () => 1e-5, dt);

  it('fits each window exactly as fitOu does on that window', () => {
    const rolling = rollingOuFit(values, dt, { windowPoints: 1000, stepPoints: 250 });
    expect(Array.from(rolling.endIndex)).toEqual([999, 1249, 1499, 1749, 1999, 2249, 2499, 2749, 2999, 3249, 3499, 3749, 3999, 4249, 4499, 4749, 4999]);
    for (let k = 0; k < rolling.endIndex.length; k++) {
      const end = rolling.endIndex[k];
      const fit = fitOu(values.slice(end - 999, end + 1), dt, { diagnostics: false });
      expect(rolling.thetaPerSecond[k]).toBe(fit.thetaPerSecond);
      expect(rolling.mu[k]).toBe(fit.mu);
      expect(rolling.sigmaPerSqrtSecond[k]).toBe(fit.sigmaPerSqrtSecond);
      expect(rolling.halfLifeSeconds[k]).toBe(fit.halfLifeSeconds);
    }
    expect(rolling.failedWindows).toBe(0);
  });

  it('does not look ahead: changing the future leaves every earlier fit unchanged', () => {
    const before = rollingOuFit(values, dt, { windowPoints: 500, stepPoints: 100 });
    const changed = values.slice();
    for (let i = 3000; i < changed.length; i++) changed[i] += 1e-3 * Math.sin(i);
    const after = rollingOuFit(changed, dt, { windowPoints: 500, stepPoints: 100 });
    for (let k = 0; k < before.endIndex.length; k++) {
      if (before.endIndex[k] < 3000) expect(after.thetaPerSecond[k]).toBe(before.thetaPerSecond[k]);
      else expect(after.thetaPerSecond[k]).not.toBe(before.thetaPerSecond[k]);
    }
  });

  it('tracks a change of mean-reversion speed', () => {
    const slow = ouPath(2, 20_000, 2e-4, 0, () => 1e-5, dt);
    const fast = ouPath(3, 20_000, 2e-3, 0, () => 1e-5, dt);
    const joined = new Float64Array(40_000);
    joined.set(slow);
    joined.set(fast, 20_000);
    const rolling = rollingOuFit(joined, dt, { windowPoints: 5000, stepPoints: 5000 });
    expect(rolling.thetaPerSecond[0] / 2e-4).toBeGreaterThan(0.6);
    expect(rolling.thetaPerSecond[0] / 2e-4).toBeLessThan(1.6);
    const last = rolling.endIndex.length - 1;
    expect(rolling.thetaPerSecond[last] / 2e-3).toBeGreaterThan(0.8);
    expect(rolling.thetaPerSecond[last] / 2e-3).toBeLessThan(1.25);
  });

  it('reports windows without mean reversion as NaN and counts them', () => {
    const withFlat = values.slice();
    withFlat.fill(1e-4, 1000, 1600);
    const rolling = rollingOuFit(withFlat, dt, { windowPoints: 500, stepPoints: 100 });
    const flatWindow = Array.from(rolling.endIndex).indexOf(1499);
    expect(Number.isNaN(rolling.thetaPerSecond[flatWindow])).toBe(true);
    expect(rolling.failedWindows).toBeGreaterThan(0);
    expect(rolling.failedWindows).toBe(rolling.thetaPerSecond.filter(Number.isNaN).length);
  });

  it('rejects bad arguments and non-finite values', () => {
    expect(() => rollingOuFit(values, dt, { windowPoints: 5 })).toThrow(/windowPoints/);
    expect(() => rollingOuFit(values, dt, { windowPoints: 100, stepPoints: 0 })).toThrow(/stepPoints/);
    const bad = values.slice();
    bad[1234] = Number.NaN;
    expect(() => rollingOuFit(bad, dt, { windowPoints: 100, stepPoints: 50 })).toThrow(/index 1234 is NaN/);
    expect(rollingOuFit(values.subarray(0, 50), dt, { windowPoints: 100 }).endIndex.length).toBe(0);
  });
});

describe('volatilityRegimes', () => {
  it('separates calm and turbulent stretches and fits OU in each', () => {
    const dt = 60;
    const theta = 1e-3;
    const calm = 1e-5;
    const turbulent = 4e-5;
    // alternate 5000-point stretches; same theta and mu in both, four times the sigma in the turbulent ones
    const sigmaAt = (i: number) => (Math.floor(i / 5000) % 2 === 0 ? calm : turbulent);
    const values = ouPath(7, 80_000, theta, 3e-4, sigmaAt, dt);
    const regimes = volatilityRegimes(values, dt, { windowPoints: 120 });
    expect(regimes.labels[0]).toBe(REGIME_UNKNOWN);
    expect(regimes.labels[119]).toBe(REGIME_UNKNOWN);
    let agree = 0;
    for (let t = 120; t < values.length; t++) {
      if (regimes.labels[t] === (sigmaAt(t) === calm ? REGIME_LOW : REGIME_HIGH)) agree++;
    }
    expect(agree / (values.length - 120)).toBeGreaterThan(0.95);
    const low = regimes.low.fit!;
    const high = regimes.high.fit!;
    expect(regimes.low.fraction + regimes.high.fraction).toBeCloseTo(1, 12);
    expect(Math.abs(low.sigmaPerSqrtSecond - calm)).toBeLessThan(0.1 * calm);
    expect(Math.abs(high.sigmaPerSqrtSecond - turbulent)).toBeLessThan(0.1 * turbulent);
    for (const fit of [low, high]) expect(fit.thetaPerSecond / theta).toBeGreaterThan(0.7);
    for (const fit of [low, high]) expect(fit.thetaPerSecond / theta).toBeLessThan(1.4);
  });

  it('computes the trailing standard deviation of increments without look-ahead', () => {
    const values = ouPath(8, 400, 1e-3, 0, () => 1e-5, 60);
    const std = rollingIncrementStd(values, 50);
    expect(Number.isNaN(std[49])).toBe(true);
    for (const t of [50, 123, 399]) {
      const d = Array.from({ length: 50 }, (_, j) => values[t - j] - values[t - j - 1]);
      const mean = d.reduce((s, v) => s + v, 0) / 50;
      const reference = Math.sqrt(d.reduce((s, v) => s + (v - mean) ** 2, 0) / 50);
      expect(Math.abs(std[t] - reference) / reference).toBeLessThan(1e-9);
    }
  });

  it('uses a given threshold and says why a regime cannot be fitted', () => {
    const values = ouPath(9, 2000, 1e-3, 0, () => 1e-5, 60);
    const regimes = volatilityRegimes(values, 60, { windowPoints: 100, thresholdStd: 1 });
    expect(regimes.thresholdStd).toBe(1);
    expect(regimes.high.pairs).toBe(0);
    expect(regimes.high.fit).toBeNull();
    expect(regimes.high.error).toMatch(/only 0 pairs/);
    expect(regimes.low.fit).not.toBeNull();
  });
});
