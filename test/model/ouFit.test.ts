import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/data/synthetic/rng.ts';
import { FitError, fitAr1 } from '../../src/model/ar1.ts';
import { chiSquareSf, fitOu } from '../../src/model/ouFit.ts';
import { assessMeanReversion } from '../../src/model/stationarity.ts';
import { dataPath } from '../support/paths.ts';

/** Exact discretisation of ds = theta (mu - s) dt + sigma dW, started in the stationary law. */
function ouPath(seed: number, points: number, thetaPerSecond: number, mu: number, sigmaPerSqrtSecond: number, dtSeconds: number): Float64Array {
  const rng = new Rng(seed);
  const b = Math.exp(-thetaPerSecond * dtSeconds);
  const noise = sigmaPerSqrtSecond * Math.sqrt((1 - b * b) / (2 * thetaPerSecond));
  const out = new Float64Array(points);
  let s = mu + (sigmaPerSqrtSecond / Math.sqrt(2 * thetaPerSecond)) * rng.normal();
  for (let i = 0; i < points; i++) {
    out[i] = s;
    s = mu + (s - mu) * b + noise * rng.normal();
  }
  return out;
}

/** Neumaier-compensated sum of f(i), i in [0, n). */
function exactSum(n: number, f: (i: number) => number): number {
  let sum = 0;
  let carry = 0;
  for (let i = 0; i < n; i++) {
    const v = f(i);
    const t = sum + v;
    carry += Math.abs(sum) >= Math.abs(v) ? sum - t + v : v - t + sum;
    sum = t;
  }
  return sum + carry;
}

/** Independent least squares: two-pass centring, compensated sums, 2x2 normal equations solved directly. */
function referenceAr1(s: Float64Array) {
  const n = s.length - 1;
  const mx = exactSum(n, (i) => s[i]) / n;
  const my = exactSum(n, (i) => s[i + 1]) / n;
  const sxx = exactSum(n, (i) => (s[i] - mx) ** 2);
  const sxy = exactSum(n, (i) => (s[i] - mx) * (s[i + 1] - my));
  const b = sxy / sxx;
  const a = my - b * mx;
  const rss = exactSum(n, (i) => (s[i + 1] - a - b * s[i]) ** 2);
  const residualVariance = rss / (n - 2);
  // (X'X)^-1 of the design [1, x] in raw coordinates: diagonal entries sum(x^2) / (n sxx) and n / (n sxx).
  const sumX2 = exactSum(n, (i) => s[i] * s[i]);
  return { a, b, residualVariance, aStdError: Math.sqrt((residualVariance * sumX2) / (n * sxx)), bStdError: Math.sqrt(residualVariance / sxx), rss };
}

const relative = (x: number, reference: number) => Math.abs(x - reference) / Math.abs(reference);

describe('fitAr1', () => {
  it('agrees with an independent least-squares computation to 1e-9 on a ~1e-3 basis with a tiny variance', () => {
    // Stationary std 1e-7 around 1e-3: sum(x^2) - sum(x)^2/n would lose ~8 of 16 digits uncentred.
    for (const [seed, points, theta] of [
      [1, 1_000_000, 1 / 300],
      [2, 123_457, 0.05],
      [3, 10, 0.01],
    ] as const) {
      const s = ouPath(seed, points, theta, 1e-3, 1e-7 * Math.sqrt(2 * theta), 1);
      const fit = fitAr1(s);
      const ref = referenceAr1(s);
      expect(fit.n).toBe(points - 1);
      for (const key of ['a', 'b', 'residualVariance', 'aStdError', 'bStdError', 'rss'] as const) {
        expect(relative(fit[key], ref[key]), `${key} (${points} points)`).toBeLessThan(1e-9);
      }
    }
  });

  it('handles odd and even lengths and lengths around the block size identically to the reference', () => {
    const s = ouPath(4, 20_000, 0.02, -3e-4, 1e-5, 1);
    for (const points of [4, 5, 8193, 8194, 8195, 16_385, 16_386, 20_000]) {
      const part = s.subarray(0, points);
      expect(relative(fitAr1(part).b, referenceAr1(part).b), `${points} points`).toBeLessThan(1e-9);
    }
  });
});

describe('fitOu', () => {
  // (theta per second, dt seconds, points): fast and slow reversion, second, minute and hour sampling.
  const cases = [
    [1 / 600, 1, 300_000],
    [0.01, 60, 50_000],
    [1e-4, 60, 200_000],
    [2e-5, 3600, 40_000],
  ] as const;

  it.each(cases)('recovers theta %s /s at dt %s s within 4 standard errors', (theta, dt, points) => {
    const mu = 5e-4;
    const sigma = 2e-4 * Math.sqrt(2 * theta); // stationary std 2 bps
    const fit = fitOu(ouPath(Math.round(1 / theta + dt), points, theta, mu, sigma, dt), dt);
    expect(Math.abs(fit.thetaPerSecond - theta)).toBeLessThan(4 * fit.stdErrors.thetaPerSecond);
    expect(Math.abs(fit.mu - mu)).toBeLessThan(4 * fit.stdErrors.mu);
    expect(Math.abs(fit.sigmaPerSqrtSecond - sigma)).toBeLessThan(4 * fit.stdErrors.sigmaPerSqrtSecond);
    expect(Math.abs(fit.halfLifeSeconds - Math.LN2 / theta)).toBeLessThan(4 * fit.stdErrors.halfLifeSeconds);
    // the errors are informative, not huge
    expect(fit.stdErrors.thetaPerSecond / theta).toBeLessThan(0.1);
    expect(fit.b).toBeCloseTo(Math.exp(-theta * dt), 2);
    // Gaussian, uncorrelated noise: the diagnostics should not reject at 0.1%
    const r = fit.residuals!;
    expect(Math.abs(r.mean)).toBeLessThan(1e-9 * r.std);
    expect(r.jarqueBeraPValue).toBeGreaterThan(0.001);
    expect(r.ljungBoxPValue).toBeGreaterThan(0.001);
    expect(Math.abs(r.lag1Autocorrelation)).toBeLessThan(4 / Math.sqrt(points));
  });

  it('has calibrated standard errors: z-scores over 200 seeded paths have unit spread', () => {
    const theta = 0.01;
    const mu = 5e-4;
    const sigma = 2e-4 * Math.sqrt(2 * theta);
    const z: number[][] = [[], [], []];
    for (let seed = 1; seed <= 200; seed++) {
      const fit = fitOu(ouPath(seed, 5000, theta, mu, sigma, 60), 60, { diagnostics: false });
      z[0].push((fit.thetaPerSecond - theta) / fit.stdErrors.thetaPerSecond);
      z[1].push((fit.mu - mu) / fit.stdErrors.mu);
      z[2].push((fit.sigmaPerSqrtSecond - sigma) / fit.stdErrors.sigmaPerSqrtSecond);
    }
    for (const scores of z) {
      const mean = scores.reduce((a, b) => a + b, 0) / scores.length;
      const sd = Math.sqrt(scores.reduce((a, b) => a + (b - mean) ** 2, 0) / scores.length);
      expect(Math.abs(mean)).toBeLessThan(0.25);
      expect(sd).toBeGreaterThan(0.8);
      expect(sd).toBeLessThan(1.2);
    }
  });

  it('computes the residual diagnostics as their definitions do', () => {
    const s = ouPath(9, 30_001, 0.003, 2e-4, 3e-6, 1);
    const fit = fitOu(s, 1, { ljungBoxLags: 10 });
    const n = s.length - 1;
    const e = Float64Array.from({ length: n }, (_, t) => s[t + 1] - fit.ar1.a - fit.ar1.b * s[t]);
    const mean = exactSum(n, (t) => e[t]) / n;
    const m = (k: number) => exactSum(n, (t) => (e[t] - mean) ** k) / n;
    const skewness = m(3) / m(2) ** 1.5;
    const kurtosis = m(4) / m(2) ** 2 - 3;
    const acf = (k: number) => exactSum(n - k, (t) => (e[t + k] - mean) * (e[t] - mean)) / (m(2) * n);
    let q = 0;
    for (let k = 1; k <= 10; k++) q += acf(k) ** 2 / (n - k);
    q *= n * (n + 2);
    const r = fit.residuals!;
    expect(relative(r.std, Math.sqrt(m(2)))).toBeLessThan(1e-9);
    expect(relative(r.skewness, skewness)).toBeLessThan(1e-6);
    expect(relative(r.excessKurtosis, kurtosis)).toBeLessThan(1e-6);
    expect(relative(r.lag1Autocorrelation, acf(1))).toBeLessThan(1e-6);
    expect(relative(r.ljungBoxQ, q)).toBeLessThan(1e-6);
    expect(r.jarqueBera).toBeCloseTo((n / 6) * (skewness ** 2 + kurtosis ** 2 / 4), 6);
    expect(r.ljungBoxPValue).toBeCloseTo(chiSquareSf(q, 9), 9);
  });

  it('skips the diagnostics on request, with the same parameters', () => {
    const s = ouPath(5, 5000, 0.01, 0, 1e-4, 1);
    const fast = fitOu(s, 1, { diagnostics: false });
    expect(fast.residuals).toBeNull();
    expect(fast.thetaPerSecond).toBe(fitOu(s, 1).thetaPerSecond);
  });

  it('names the problem: too short, constant, NaN or Infinity at an index, no mean reversion', () => {
    const short = new Float64Array(9).map((_, i) => Math.sin(i));
    expect(() => fitOu(short, 60)).toThrow(/at least 10 points \(got 9\)/);
    expect(() => fitOu(new Float64Array(50).fill(1e-3), 60)).toThrow(/series is constant/);
    const withNaN = ouPath(6, 100, 0.01, 0, 1e-4, 1);
    withNaN[37] = Number.NaN;
    expect(() => fitOu(withNaN, 1)).toThrow(/index 37 is NaN/);
    const withInfinity = ouPath(6, 100_000, 0.01, 0, 1e-4, 1);
    withInfinity[99_998] = Number.NEGATIVE_INFINITY;
    expect(() => fitOu(withInfinity, 1)).toThrow(/index 99998 is -Infinity/);
    const explosive = Float64Array.from({ length: 200 }, (_, i) => 1.02 ** i * (1 + 0.01 * Math.sin(i * 1.7)));
    expect(() => fitOu(explosive, 1)).toThrow(/b = 1\.0\d+ is outside \(0, 1\): a unit root or explosive series/);
    const flipping = Float64Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? 1 : -1) * (1 + 0.1 * Math.sin(i)));
    expect(() => fitOu(flipping, 1)).toThrow(/b = -0\.\d+ is outside \(0, 1\): negative lag-one autocorrelation/);
    try {
      fitOu(flipping, 1);
    } catch (error) {
      expect(error).toBeInstanceOf(FitError);
      expect((error as FitError).code).toBe('no-mean-reversion');
    }
    expect(() => fitOu(ouPath(1, 100, 0.01, 0, 1e-4, 1), 0)).toThrow(/dtSeconds/);
  });

  it('chi-square tail probabilities match reference values', () => {
    // scipy.stats.chi2.sf
    expect(chiSquareSf(3.2, 1)).toBeCloseTo(0.07363827012030258, 14);
    expect(chiSquareSf(3.2, 2)).toBeCloseTo(0.2018965179946554, 14);
    expect(relative(chiSquareSf(10.5, 9), 0.3115423405622115)).toBeLessThan(1e-12);
    expect(relative(chiSquareSf(50, 9), 1.0772382022574693e-7)).toBeLessThan(1e-12);
    expect(relative(chiSquareSf(200, 9), 3.312992393909567e-38)).toBeLessThan(1e-12);
  });
});

describe('real data: Binance BTC/USDT spot vs USD-M perp, 1m, 2025-05-25 .. 2025-06-24', () => {
  it('fits a finite, mean-reverting OU to the basis (perp - spot) / spot', () => {
    const file = dataPath('derived_binance_1m_joined', 'binance_BTCUSDT_spot_vs_usdm_perp_1m_2025-05-25_2025-06-24.csv');
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    const header = lines[0].split(',');
    const [time, spot, perp] = ['open_time_ms', 'spot_close', 'perp_close'].map((c) => header.indexOf(c));
    const basis = new Float64Array(lines.length - 1);
    for (let i = 1; i < lines.length; i++) {
      const cells = lines[i].split(',');
      if (i > 1) expect(Number(cells[time]) - Number(lines[i - 1].split(',')[time])).toBe(60_000); // no gaps: dt is 60 s
      basis[i - 1] = (Number(cells[perp]) - Number(cells[spot])) / Number(cells[spot]);
    }
    const fit = fitOu(basis, 60);
    for (const v of [fit.thetaPerSecond, fit.mu, fit.sigmaPerSqrtSecond, fit.halfLifeSeconds, ...Object.values(fit.stdErrors)]) {
      expect(Number.isFinite(v)).toBe(true);
    }
    expect(fit.thetaPerSecond).toBeGreaterThan(0);
    expect(fit.mu).toBeLessThan(0); // the perp traded below spot on average over this month
    const assessment = assessMeanReversion(basis);
    expect(assessment.adf.pValue).toBeLessThan(0.01);
    expect(assessment.verdict).toBe('mean-reverting');
  });
});
