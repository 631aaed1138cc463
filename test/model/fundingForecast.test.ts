import { describe, expect, it } from 'vitest';
import { arForecast, fitAr } from '../../src/model/forecast/ar.ts';
import { featureRow } from '../../src/model/forecast/features.ts';
import { forestModel, persistenceModel, arModel } from '../../src/model/forecast/models.ts';
import { errorMetrics, quantileOf } from '../../src/model/forecast/stats.ts';
import type { FundingFrame } from '../../src/model/forecast/types.ts';
import { walkForward } from '../../src/model/forecast/walkForward.ts';

const H8 = 8 * 3_600_000;
const T0 = Date.UTC(2023, 0, 1);

function frameOf(rates: number[], extra: FundingFrame['features'] = []): FundingFrame {
  const n = rates.length;
  return {
    venue: 'testvenue',
    symbol: 'BTC/USDT:USDT',
    tsMs: Float64Array.from({ length: n }, (_, i) => T0 + i * H8),
    rate: Float64Array.from(rates),
    intervalMs: new Float64Array(n).fill(H8),
    features: extra,
    predicted: new Float64Array(n).fill(Number.NaN),
    predictedTsMs: new Float64Array(n).fill(Number.NaN),
  };
}

/** A seeded AR(1) around 1 bp: r[i+1] = 0.00005 + 0.5 r[i] + e, e uniform in +-0.5 bp (Park-Miller). */
function ar1Series(n: number, seed = 7): number[] {
  let s = seed;
  const u = () => {
    s = (s * 16807) % 2147483647;
    return s / 2147483647 - 0.5;
  };
  const out = [0.0001];
  for (let i = 1; i < n; i++) out.push(0.00005 + 0.5 * out[i - 1] + 0.0001 * u());
  return out;
}

describe('stats', () => {
  it('quantiles interpolate between order statistics; metrics as by hand', () => {
    expect(quantileOf([4, 1, 3, 2], 0.5)).toBeCloseTo(2.5, 12); // (2 + 3) / 2
    expect(quantileOf([0, 10], 0.1)).toBeCloseTo(1, 12);
    // errors +1, -2, 0: MAE 1, RMSE sqrt(5/3); signs: (1 vs 0.0 -> actual 0 skipped), (-1 vs 1 wrong), (2 vs 2 right)
    const m = errorMetrics([1, -1, 2], [0, 1, 2]);
    expect(m.mae).toBeCloseTo(1, 12);
    expect(m.rmse).toBeCloseTo(Math.sqrt(5 / 3), 12);
    expect(m.directionalAccuracy).toBe(0.5);
  });
});

describe('direct AR', () => {
  it('recovers an exact AR(1) map, and its 2-step version (c(1+b), b^2)', () => {
    // r[i+1] = 0.0001 + 0.5 r[i], from 0.001: distinct values, so the fit is exact.
    const rates = [0.001];
    for (let i = 1; i < 30; i++) rates.push(0.0001 + 0.5 * rates[i - 1]);
    const one = fitAr(rates, 0, 27, 1, 1);
    expect(one.intercept).toBeCloseTo(0.0001, 12);
    expect(one.coefficients[0]).toBeCloseTo(0.5, 9);
    expect(one.residualHigh - one.residualLow).toBeLessThan(1e-12);
    const two = fitAr(rates, 0, 20, 1, 2);
    expect(two.intercept).toBeCloseTo(0.00015, 12);
    expect(two.coefficients[0]).toBeCloseTo(0.25, 9);
    expect(arForecast(two, rates, 20).rate).toBeCloseTo(rates[22], 12);
  });

  it('a constant series (a venue pinned at its default rate) forecasts that rate', () => {
    const fit = fitAr(new Array(50).fill(0.0001), 2, 40, 3, 1);
    expect(arForecast(fit, new Array(50).fill(0.0001), 45).rate).toBeCloseTo(0.0001, 12);
  });
});

describe('features', () => {
  it('a row holds the lags, the mean, the target hour and the exogenous value at the origin', () => {
    const frame = frameOf([1, 2, 3, 4, 5].map((x) => x * 1e-4), [{ name: 'basis', values: Float64Array.from([9, 9, 9, 9, 0.002]) }]);
    const row = featureRow(frame, 4, 1, { lags: 2, meanWindow: 3, exogenous: [0] });
    // lags 5, 4 bp; mean of 5, 4, 3 = 4 bp; target 4 * 8h + 8h = 40h -> 16:00 UTC: angle 2pi * 16/24
    expect(row[0]).toBeCloseTo(5e-4, 15);
    expect(row[1]).toBeCloseTo(4e-4, 15);
    expect(row[2]).toBeCloseTo(4e-4, 15);
    expect(row[3]).toBeCloseTo(Math.sin((2 * Math.PI * 16) / 24), 12);
    expect(row[4]).toBeCloseTo(Math.cos((2 * Math.PI * 16) / 24), 12);
    expect(row[5]).toBe(0.002);
  });
});

describe('walk-forward', () => {
  it('scores the half-open window [from, to) against persistence computed by hand', () => {
    const rates = ar1Series(200);
    const frame = frameOf(rates);
    // targets 150..179: [T0 + 150*8h, T0 + 180*8h): the settlement at exactly test-to is out
    const r = walkForward(frame, { testFromMs: T0 + 150 * H8, testToMs: T0 + 180 * H8, horizon: 1, model: 'ar' });
    expect(r.n).toBe(30);
    let abs = 0;
    let sq = 0;
    for (let j = 150; j < 180; j++) {
      abs += Math.abs(rates[j] - rates[j - 1]);
      sq += (rates[j] - rates[j - 1]) ** 2;
    }
    expect(r.baseline).toEqual({ name: 'persistence', mae: expect.any(Number), rmse: expect.any(Number), directionalAccuracy: 1 });
    expect(r.baseline.mae).toBeCloseTo(abs / 30, 15);
    expect(r.baseline.rmse).toBeCloseTo(Math.sqrt(sq / 30), 15);
    expect(r.skillRatio).toBeCloseTo(r.model.mae / r.baseline.mae, 12);
    // An AR(1) process with b = 0.5 is far from a random walk: the AR model beats persistence.
    expect(r.skillRatio).toBeLessThan(0.9);
    expect(r.predicted).toBeNull();
    expect(r.model.fits).toBe(30);
  });

  it('never looks ahead: changing the last settlement changes no forecast', () => {
    const rates = ar1Series(300);
    const changed = [...rates];
    changed[279] = 0.01;
    for (const model of ['ar', 'forest']) {
      const a = walkForward(frameOf(rates), { testFromMs: T0 + 250 * H8, testToMs: T0 + 280 * H8, horizon: 2, model });
      const b = walkForward(frameOf(changed), { testFromMs: T0 + 250 * H8, testToMs: T0 + 280 * H8, horizon: 2, model });
      expect(b.points.map((p) => p.forecast)).toEqual(a.points.map((p) => p.forecast));
      expect(b.points.at(-1)?.actual).toBe(0.01);
    }
  });

  it('scores the venue quote where the frame has it, and the model against it on the same settlements', () => {
    const rates = ar1Series(200);
    const frame = frameOf(rates);
    // The venue quoted rate + 0.1 bp for settlements 160..169 only.
    for (let j = 160; j < 170; j++) frame.predicted[j] = rates[j] + 1e-5;
    const r = walkForward(frame, { testFromMs: T0 + 150 * H8, testToMs: T0 + 180 * H8, horizon: 1, model: 'persistence' });
    expect(r.predicted?.n).toBe(10);
    expect(r.predicted?.mae).toBeCloseTo(1e-5, 15);
    let abs = 0;
    for (let j = 160; j < 170; j++) abs += Math.abs(rates[j] - rates[j - 1]);
    expect(r.predicted?.modelMae).toBeCloseTo(abs / 10, 15); // the model here is persistence
    expect(r.skillRatio).toBe(1);
  });

  it('the forest forecasts with an interval; coverage is measured', () => {
    const frame = frameOf(ar1Series(400));
    const r = walkForward(frame, { testFromMs: T0 + 300 * H8, testToMs: T0 + 400 * H8, horizon: 1, model: forestModel });
    expect(r.n).toBe(100);
    expect(r.model.fits).toBe(2); // refit every 90 origins: at 299 and 389
    expect(r.points.every((p) => p.lowRate < p.forecast && p.forecast < p.highRate)).toBe(true);
    // OOB residual quantiles: the 80% interval covers 60-95% of this stationary series
    expect(r.model.intervalCoverage).toBeGreaterThan(0.6);
    expect(r.model.intervalCoverage).toBeLessThan(0.95);
  });

  it('says when the window is empty or the history too short', () => {
    const frame = frameOf(ar1Series(100));
    // 500 x 8 h = 166 d 16 h after 2023-01-01; the last settlement, 99 x 8 h = 33 days after it
    expect(() => walkForward(frame, { testFromMs: T0 + 500 * H8, testToMs: T0 + 600 * H8, horizon: 1, model: arModel })).toThrow(
      'no testvenue BTC/USDT:USDT settlement in [2023-06-16T16:00:00.000Z, 2023-07-20T00:00:00.000Z): the series covers 2023-01-01T00:00:00.000Z to 2023-02-03T00:00:00.000Z',
    );
    // first target 50: origins 2..48 give 47 pairs at horizon 1; AR needs 60
    expect(() => walkForward(frame, { testFromMs: T0 + 50 * H8, testToMs: T0 + 60 * H8, horizon: 1, model: arModel })).toThrow('give 47 training pairs at horizon 1, the model needs 60');
    expect(() => walkForward(frame, { testFromMs: T0 + 60 * H8, testToMs: T0 + 60 * H8, horizon: 1, model: persistenceModel })).toThrow('the test window is empty');
  });
});
