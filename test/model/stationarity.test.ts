import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/data/synthetic/rng.ts';
import { erf, erfc, normalCdf, normalSf } from '../../src/model/normal.ts';
import {
  adfTest,
  assessMeanReversion,
  hurstExponent,
  mackinnonCriticalValues,
  mackinnonPValue,
  meanReversionVerdict,
  varianceRatioTest,
} from '../../src/model/stationarity.ts';

const relative = (x: number, reference: number) => Math.abs(x - reference) / Math.abs(reference);

function randomWalk(seed: number, points: number): Float64Array {
  const rng = new Rng(seed);
  const out = new Float64Array(points);
  for (let i = 1; i < points; i++) out[i] = out[i - 1] + rng.normal();
  return out;
}

/** AR(1) around 1e-3 with slope b: an OU path sampled on a fixed grid. */
function ar1Path(seed: number, points: number, b: number): Float64Array {
  const rng = new Rng(seed);
  const out = new Float64Array(points);
  for (let i = 1; i < points; i++) out[i] = b * out[i - 1] + 1e-5 * rng.normal();
  return out.map((v) => v + 1e-3);
}

/** Plain OLS with a constant: normal equations solved by Gauss-Jordan with partial pivoting. */
function ols(rows: number[][], y: number[]): { beta: number[]; rss: number; inverseDiagonal: number[] } {
  const k = rows[0].length;
  const a: number[][] = Array.from({ length: k }, (_, i) => Array.from({ length: 2 * k }, (_, j) => (j === k + i ? 1 : 0)));
  const xty = new Array<number>(k).fill(0);
  for (let r = 0; r < rows.length; r++) {
    for (let i = 0; i < k; i++) {
      xty[i] += rows[r][i] * y[r];
      for (let j = 0; j < k; j++) a[i][j] += rows[r][i] * rows[r][j];
    }
  }
  for (let c = 0; c < k; c++) {
    let pivot = c;
    for (let r = c + 1; r < k; r++) if (Math.abs(a[r][c]) > Math.abs(a[pivot][c])) pivot = r;
    [a[c], a[pivot]] = [a[pivot], a[c]];
    const p = a[c][c];
    for (let j = 0; j < 2 * k; j++) a[c][j] /= p;
    for (let r = 0; r < k; r++) {
      if (r === c) continue;
      const f = a[r][c];
      for (let j = 0; j < 2 * k; j++) a[r][j] -= f * a[c][j];
    }
  }
  const inverse = a.map((row) => row.slice(k));
  const beta = inverse.map((row) => row.reduce((s, v, j) => s + v * xty[j], 0));
  const rss = rows.reduce((s, row, r) => s + (y[r] - row.reduce((t, v, j) => t + v * beta[j], 0)) ** 2, 0);
  return { beta, rss, inverseDiagonal: inverse.map((row, i) => row[i]) };
}

/** ADF regression rows for lag p over t = t0 .. n-1: [1, y[t-1], d[t-1] .. d[t-p]] -> d[t]. */
function adfDesign(y: Float64Array, p: number, t0: number) {
  const d = (t: number) => y[t] - y[t - 1];
  const rows: number[][] = [];
  const response: number[] = [];
  for (let t = t0; t < y.length; t++) {
    rows.push([1, y[t - 1], ...Array.from({ length: p }, (_, j) => d(t - 1 - j))]);
    response.push(d(t));
  }
  return { rows, response };
}

describe('normal distribution helpers', () => {
  it('match high-precision references (mpmath) to ~1e-15 relative', () => {
    const cases: [number, number, number][] = [
      [0.3, 0.32862675945912742764, 0.67137324054087257236],
      [1, 0.84270079294971486934, 0.15729920705028513066],
      [-2.5, -0.99959304798255504106, 1.9995930479825550411],
      [3, 0.99997790950300141456, 0.000022090496998585441373],
      [10, 1, 2.088487583762544757e-45],
      [26, 1, 5.6631924088561428465e-296],
    ];
    for (const [x, erfRef, erfcRef] of cases) {
      expect(relative(erf(x), erfRef), `erf(${x})`).toBeLessThan(2e-15);
      expect(relative(erfc(x), erfcRef), `erfc(${x})`).toBeLessThan(2e-15);
    }
    expect(relative(normalCdf(-1.96), 0.024997895148220434137)).toBeLessThan(2e-15);
    expect(relative(normalCdf(-8), 6.2209605742717841235e-16)).toBeLessThan(2e-15);
    expect(relative(normalCdf(-37), 5.7255712225245768227e-300)).toBeLessThan(2e-15);
    expect(relative(normalCdf(0.5), 0.69146246127401310364)).toBeLessThan(2e-15);
    expect(normalCdf(1.6448536269514722)).toBeCloseTo(0.95, 15);
    expect(normalSf(8)).toBe(normalCdf(-8));
    expect(Number.isNaN(erf(Number.NaN))).toBe(true);
  });
});

describe('MacKinnon response surfaces (constant, N = 1)', () => {
  it('give p ~ 0.01 / 0.05 / 0.10 at the asymptotic critical values', () => {
    for (const [tau, p] of [
      [-3.43, 0.01],
      [-2.86, 0.05],
      [-2.57, 0.1],
    ]) {
      expect(Math.abs(mackinnonPValue(tau) - p), `tau ${tau}`).toBeLessThan(0.001);
    }
    // the 2010 surface's asymptotic values, unrounded
    expect(mackinnonPValue(-3.43035)).toBeCloseTo(0.01, 3);
    expect(mackinnonPValue(-2.86154)).toBeCloseTo(0.05, 3);
    expect(mackinnonPValue(-2.56677)).toBeCloseTo(0.1, 3);
    const asymptotic = mackinnonCriticalValues(1e12);
    expect(asymptotic['1%']).toBeCloseTo(-3.43, 2);
    expect(asymptotic['5%']).toBeCloseTo(-2.86, 2);
    expect(asymptotic['10%']).toBeCloseTo(-2.57, 2);
    // finite samples need a more negative statistic
    expect(mackinnonCriticalValues(100)['5%']).toBeLessThan(asymptotic['5%']);
  });

  it('reproduce the p-values of statsmodels adfuller test cases', () => {
    // statsmodels tsa/tests/test_stattools.py: TestADFConstant and TestADFConstant2 (regression 'c')
    expect(mackinnonPValue(0.97505319)).toBeCloseTo(0.99399563, 7);
    expect(mackinnonPValue(-4.3346988)).toBeCloseTo(0.00038661, 7);
    expect(mackinnonPValue(-30)).toBe(0);
    expect(mackinnonPValue(3)).toBe(1);
  });
});

describe('adfTest', () => {
  it('equals an independent OLS t-statistic for a fixed lag', () => {
    const y = ar1Path(11, 3000, 0.97);
    for (const lag of [0, 2, 5]) {
      const { rows, response } = adfDesign(y, lag, lag + 1);
      const fit = ols(rows, response);
      const s2 = fit.rss / (rows.length - rows[0].length);
      const tau = fit.beta[1] / Math.sqrt(s2 * fit.inverseDiagonal[1]);
      const adf = adfTest(y, { lag });
      expect(adf.usedLag).toBe(lag);
      expect(adf.observations).toBe(rows.length);
      expect(relative(adf.statistic, tau), `lag ${lag}`).toBeLessThan(1e-8);
      expect(relative(adf.gamma, fit.beta[1])).toBeLessThan(1e-8);
    }
  });

  it('picks the lag with the smallest AIC on the common sample', () => {
    // increments with AR(3) dynamics, so the right lag is not 0
    const rng = new Rng(12);
    const y = new Float64Array(2000);
    const d = new Float64Array(2000);
    for (let t = 4; t < y.length; t++) {
      d[t] = 0.5 * d[t - 1] - 0.3 * d[t - 2] + 0.2 * d[t - 3] - 0.02 * y[t - 1] + rng.normal();
      y[t] = y[t - 1] + d[t];
    }
    const maxLag = 8;
    let best = -1;
    let bestAic = Number.POSITIVE_INFINITY;
    for (let p = 0; p <= maxLag; p++) {
      const { rows, response } = adfDesign(y, p, maxLag + 1);
      const aic = rows.length * Math.log(ols(rows, response).rss / rows.length) + 2 * (p + 2);
      if (aic < bestAic) [best, bestAic] = [p, aic];
    }
    const adf = adfTest(y, { maxLag });
    expect(adf.lagSelection).toBe('aic');
    expect(best).toBeGreaterThanOrEqual(3);
    expect(adf.usedLag).toBe(best);
  });

  it('rejects a unit root for a mean-reverting series and not for a random walk (seeded)', () => {
    const reverting = adfTest(ar1Path(13, 5000, 0.9));
    expect(reverting.pValue).toBeLessThan(0.001);
    expect(reverting.statistic).toBeLessThan(reverting.criticalValues['1%']);
    for (const seed of [14, 15]) {
      const walk = adfTest(randomWalk(seed, 5000));
      expect(walk.pValue, `seed ${seed}`).toBeGreaterThan(0.05);
    }
  });

  it('rejects a true unit root about 5% of the time at the 5% level (size, over 200 seeded walks)', () => {
    let rejections = 0;
    for (let seed = 100; seed < 300; seed++) if (adfTest(randomWalk(seed, 1000)).pValue < 0.05) rejections++;
    expect(rejections / 200).toBeGreaterThan(0.015);
    expect(rejections / 200).toBeLessThan(0.1);
  });

  it('refuses short, non-finite or constant series', () => {
    expect(() => adfTest(new Float64Array(5))).toThrow(/at least 10 points/);
    const bad = randomWalk(1, 100);
    bad[42] = Number.POSITIVE_INFINITY;
    expect(() => adfTest(bad)).toThrow(/index 42 is Infinity/);
    expect(() => adfTest(new Float64Array(100).fill(3))).toThrow(/constant/);
  });
});

describe('varianceRatioTest', () => {
  it('is ~1 for a random walk and significantly below 1 for a mean-reverting series', () => {
    const walk = varianceRatioTest(randomWalk(21, 20_000));
    expect(walk.map((r) => r.q)).toEqual([2, 4, 8, 16]);
    for (const r of walk) {
      expect(Math.abs(r.ratio - 1), `q ${r.q}`).toBeLessThan(0.1);
      expect(r.pValue).toBeGreaterThan(0.01);
    }
    const reverting = varianceRatioTest(ar1Path(22, 20_000, 0.95));
    for (const r of reverting) {
      expect(r.ratio).toBeLessThan(1);
      if (r.q >= 4) expect(r.pValue).toBeLessThan(1e-4);
    }
    // AR(1) increments are negatively autocorrelated at every lag, so VR(q) = 1 + 2 sum_j (1 - j/q) rho_j falls with q
    expect(reverting[3].ratio).toBeLessThan(reverting[0].ratio);
  });

  it('matches the definition: VR(2) = 1 + first autocorrelation of increments, approximately', () => {
    const y = ar1Path(23, 50_000, 0.8);
    const d = Float64Array.from({ length: y.length - 1 }, (_, t) => y[t + 1] - y[t]);
    const mean = d.reduce((s, v) => s + v, 0) / d.length;
    let c0 = 0;
    let c1 = 0;
    for (let t = 0; t < d.length; t++) {
      c0 += (d[t] - mean) ** 2;
      if (t > 0) c1 += (d[t] - mean) * (d[t - 1] - mean);
    }
    expect(varianceRatioTest(y, [2])[0].ratio).toBeCloseTo(1 + c1 / c0, 3);
  });
});

describe('hurstExponent', () => {
  it('is ~0.5 for a random walk and below 0.5 for an OU series', () => {
    const walk = hurstExponent(randomWalk(31, 50_000));
    expect(walk.estimator).toBe('lagged-difference-variance');
    expect(Math.abs(walk.hurst - 0.5)).toBeLessThan(0.05);
    expect(walk.rSquared).toBeGreaterThan(0.99);
    const reverting = hurstExponent(ar1Path(32, 50_000, 0.98));
    expect(reverting.hurst).toBeLessThan(0.4);
  });
});

describe('meanReversionVerdict', () => {
  it('says mean-reverting for OU, not mean-reverting for a random walk, with a reason per test', () => {
    const ou = assessMeanReversion(ar1Path(41, 20_000, 0.97));
    expect(ou.verdict).toBe('mean-reverting');
    expect(ou.reasons).toHaveLength(3);
    expect(ou.reasons[0]).toMatch(/^ADF tau = .* a unit root is rejected$/);
    const walk = assessMeanReversion(randomWalk(1000, 20_000));
    expect(walk.verdict).toBe('not mean-reverting');
    expect(walk.reasons[0]).toMatch(/is not rejected/);
    expect(walk.reasons[1]).toMatch(/not significantly below 1/);
    expect(walk.reasons[2]).toMatch(/no sign of mean reversion/);
  });

  it('rarely calls a random walk mean-reverting (50 seeded walks)', () => {
    const counts = { 'mean-reverting': 0, 'not mean-reverting': 0, inconclusive: 0 };
    for (let seed = 500; seed < 550; seed++) counts[assessMeanReversion(randomWalk(seed, 5000)).verdict]++;
    expect(counts['not mean-reverting']).toBeGreaterThanOrEqual(40);
    expect(counts['mean-reverting']).toBeLessThanOrEqual(2);
  });

  it('is inconclusive when the tests disagree', () => {
    const ou = assessMeanReversion(ar1Path(43, 20_000, 0.97));
    const mixed = meanReversionVerdict({ ...ou, adf: { ...ou.adf, pValue: 0.3 } });
    expect(mixed.verdict).toBe('inconclusive');
  });
});
