import { describe, expect, it } from 'vitest';
import { HOUR_MS, MINUTE_MS } from '../src/core/time.ts';
import { replay } from '../src/data/replay/replay.ts';
import { generateSyntheticMarket, syntheticSources, type SyntheticMarket } from '../src/data/synthetic/market.ts';
import { Rng } from '../src/data/synthetic/rng.ts';

const bytesOf = (m: SyntheticMarket) =>
  [m.spot, m.perp, m.funding].flatMap((s) => Object.values(s.columns).map((c) => Buffer.from(c.buffer, c.byteOffset, c.byteLength).toString('base64')));

/** Basis perp / spot - 1 at each perp bar close (the perp covers the last perp.rows spot bars). */
function basisOf(m: SyntheticMarket): Float64Array {
  const offset = m.spot.rows - m.perp.rows;
  return m.perp.columns.close.map((p, k) => p / m.spot.columns.close[offset + k] - 1);
}

describe('synthetic market', () => {
  it('gives the same series bit for bit for a seed, and different series for another seed', () => {
    const a = generateSyntheticMarket({ seed: 42, bars: 5000 });
    const b = generateSyntheticMarket({ seed: 42, bars: 5000 });
    const c = generateSyntheticMarket({ seed: 43, bars: 5000 });
    expect(bytesOf(a)).toEqual(bytesOf(b));
    expect(a.spot.columns.close).not.toEqual(c.spot.columns.close);
    expect(a.perp.columns.close).not.toEqual(c.perp.columns.close);
    const u = new Rng(1);
    const draws = Array.from({ length: 10_000 }, () => u.uniform());
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...draws)).toBeLessThan(1);
  });

  it('labels every series synthetic and has the realistic bench shape: 130,708 spot, 43,199 perp, 89 funding', () => {
    const startMs = Date.UTC(2024, 0, 1) - (130_708 - 43_199) * MINUTE_MS; // perp listed at 00:00 UTC
    const m = generateSyntheticMarket({ seed: 3, startMs, bars: 130_708, perpBars: 43_199 });
    expect(m.label).toBe('synthetic');
    for (const s of [m.spot, m.perp, m.funding]) {
      expect(s.label).toBe('synthetic');
      expect(s.key.venue).toBe('synthetic');
      expect(s.source).toContain('synthetic');
    }
    expect([m.spot.rows, m.perp.rows, m.funding.rows]).toEqual([130_708, 43_199, 89]);
    expect(m.perp.key).toEqual({ table: 'bars', venue: 'synthetic', symbol: 'SYN/USDT:USDT', timeframe: '1m' });
    expect(m.funding.columns.ts[0]).toBe(Date.UTC(2024, 0, 1, 8));
    expect(m.funding.columns.ts.every((t) => t % (8 * HOUR_MS) === 0)).toBe(true);
    for (const s of [m.spot, m.perp]) {
      const { open, high, low, close } = s.columns;
      for (let i = 0; i < s.rows; i++) {
        if (!(low[i] > 0 && high[i] >= Math.max(open[i], close[i]) && low[i] <= Math.min(open[i], close[i]))) throw new Error(`bad bar ${i}`);
      }
    }
  });

  it('has a basis whose fitted AR(1) recovers theta and mu within 5 standard errors', () => {
    const options = { seed: 11, bars: 100_000, perpBars: 100_000, thetaPerSecond: Math.LN2 / 3600, mu: 0.0003 };
    const m = generateSyntheticMarket(options);
    const s = basisOf(m);
    const n = s.length - 1;
    let sx = 0, sy = 0, sxx = 0, sxy = 0;
    for (let t = 0; t < n; t++) {
      sx += s[t];
      sy += s[t + 1];
      sxx += s[t] * s[t];
      sxy += s[t] * s[t + 1];
    }
    const b = (n * sxy - sx * sy) / (n * sxx - sx * sx);
    const a = (sy - b * sx) / n;
    const dtSeconds = 60;
    const thetaHat = -Math.log(b) / dtSeconds;
    const muHat = a / (1 - b);
    const bTrue = Math.exp(-options.thetaPerSecond * dtSeconds);
    const thetaSe = Math.sqrt((1 - bTrue ** 2) / n) / (bTrue * dtSeconds);
    const stationarySd = m.options.sigmaPerSqrtSecond / Math.sqrt(2 * options.thetaPerSecond);
    const muSe = stationarySd / Math.sqrt((n * (1 - bTrue)) / (1 + bTrue));
    expect(Math.abs(thetaHat - options.thetaPerSecond)).toBeLessThan(5 * thetaSe);
    expect(Math.abs(muHat - options.mu)).toBeLessThan(5 * muSe);
    expect(thetaSe / options.thetaPerSecond).toBeLessThan(0.1); // the test has power
  });

  it('pays funding that follows the premium: sign of rate - interest = sign of mean premium', () => {
    const m = generateSyntheticMarket({ seed: 5, bars: 60 * 24 * 60, perpBars: 60 * 24 * 60, mu: 0, fundingIntervalMs: HOUR_MS });
    const s = basisOf(m);
    const { rate, ts } = m.funding.columns;
    let agree = 0, products = 0, positives = 0;
    for (let j = 0; j < m.funding.rows; j++) {
      const lastBar = (ts[j] - m.perp.columns.ts[0]) / MINUTE_MS - 1;
      let mean = 0;
      for (let k = lastBar - 59; k <= lastBar; k++) mean += s[k] / 60;
      if (Math.sign(rate[j] - m.options.interestRatePerInterval) === Math.sign(mean)) agree++;
      products += (rate[j] - m.options.interestRatePerInterval) * mean;
      if (mean > 0) positives++;
      expect(rate[j] - m.options.interestRatePerInterval).toBeCloseTo(mean, 12);
    }
    expect(m.funding.rows).toBe(60 * 24);
    expect(positives).toBeGreaterThan(m.funding.rows * 0.2); // both signs occur
    expect(positives).toBeLessThan(m.funding.rows * 0.8);
    expect(agree).toBe(m.funding.rows);
    expect(products).toBeGreaterThan(0);
  });

  it('replays as sources [spot, perp, funding] with bars at their close', async () => {
    const m = generateSyntheticMarket({ seed: 9, bars: 2000, perpBars: 1000, startMs: 0, fundingIntervalMs: 4 * HOUR_MS });
    const fundingTimes: number[] = [];
    let previous = -Infinity;
    const stats = await replay(syntheticSources(m, 300), (c) => {
      if (c.time < previous) throw new Error('out of order');
      previous = c.time;
      if (c.key.table === 'funding') fundingTimes.push(c.time);
      else if (c.time !== c.columns.ts[c.row] + MINUTE_MS) throw new Error('bar not at close');
    });
    expect(stats.perSeries.map((p) => p.events)).toEqual([2000, 1000, m.funding.rows]);
    expect(fundingTimes).toEqual(Array.from(m.funding.columns.ts));
  });
});
