import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { alignTimestamps, basisFromBidAsk, basisFromCloses, basisOfPrices, samplingOf } from '../../src/model/basisSeries.ts';
import { dataPath } from '../support/paths.ts';

const f64 = (values: number[]) => Float64Array.from(values);

describe('alignTimestamps', () => {
  it('joins on exact timestamps and counts what each side had alone', () => {
    const a = alignTimestamps(f64([1, 2, 3, 5, 8]), f64([0, 2, 3, 4, 8, 9, 10]));
    expect([...a.tsMs]).toEqual([2, 3, 8]);
    expect([...a.leftRows]).toEqual([1, 2, 4]);
    expect([...a.rightRows]).toEqual([1, 2, 4]);
    expect(a.unmatchedLeft).toBe(2);
    expect(a.unmatchedRight).toBe(4);
  });

  it('handles empty and disjoint inputs', () => {
    expect(alignTimestamps(f64([]), f64([1, 2])).unmatchedRight).toBe(2);
    const disjoint = alignTimestamps(f64([1, 3]), f64([2, 4]));
    expect(disjoint.tsMs.length).toBe(0);
    expect([disjoint.unmatchedLeft, disjoint.unmatchedRight]).toEqual([2, 2]);
  });

  it('rejects unsorted or duplicate timestamps', () => {
    expect(() => alignTimestamps(f64([1, 1]), f64([1]))).toThrow(/left timestamps are not strictly increasing at row 1/);
    expect(() => alignTimestamps(f64([1]), f64([3, 2]))).toThrow(/right/);
  });
});

describe('samplingOf', () => {
  it('finds the most common step and the gaps', () => {
    const s = samplingOf(f64([0, 60, 120, 300, 360, 420, 450]));
    expect(s.intervalMs).toBe(60);
    expect(s.regularSteps).toBe(4);
    expect(s.gaps).toEqual([{ afterMs: 120, beforeMs: 300, missingPoints: 2 }]);
    expect(s.missingPoints).toBe(2);
    expect(s.shortSteps).toBe(1);
  });

  it('prefers the smaller step on a tie and is NaN with one point', () => {
    expect(samplingOf(f64([0, 10, 30])).intervalMs).toBe(10);
    expect(samplingOf(f64([5])).intervalMs).toBeNaN();
  });
});

describe('basis from closes', () => {
  it('is (perp - spot) / spot on the common timestamps', () => {
    const b = basisFromCloses({ tsMs: f64([0, 60, 120, 180]), price: f64([100, 200, 50, 10]) }, { tsMs: f64([60, 120, 240]), price: f64([202, 49, 11]) });
    expect([...b.tsMs]).toEqual([60, 120]);
    expect(b.basis[0]).toBeCloseTo(0.01, 15);
    expect(b.basis[1]).toBeCloseTo(-0.02, 15);
    expect(b.unmatchedSpot).toBe(2);
    expect(b.unmatchedPerp).toBe(1);
    expect(b.droppedRows).toBe(0);
    expect(b.sampling.intervalMs).toBe(60);
  });

  it('leaves out rows with a missing (NaN) price and counts them', () => {
    const b = basisFromCloses({ tsMs: f64([0, 1, 2]), price: f64([100, NaN, 100]) }, { tsMs: f64([0, 1, 2]), price: f64([101, 101, 99]) });
    expect([...b.tsMs]).toEqual([0, 2]);
    expect(b.droppedRows).toBe(1);
  });

  it('basisOfPrices matches row by row', () => {
    expect([...basisOfPrices(f64([100, 50]), f64([101, 49]))]).toEqual([(101 - 100) / 100, (49 - 50) / 50]);
  });
});

describe('basis from bid/ask', () => {
  it('gives the executable basis for each direction and the mid basis', () => {
    const spot = { tsMs: f64([0, 1]), bid: f64([99, 100]), ask: f64([101, 102]) };
    const perp = { tsMs: f64([0, 1]), bid: f64([102, 100]), ask: f64([104, 101]) };
    const b = basisFromBidAsk(spot, perp);
    // Row 0: open short perp / long spot = sell perp at 102, buy spot at 101.
    expect(b.openShortPerp![0]).toBe((102 - 101) / 101);
    // Mirror: buy perp at 104, sell spot at 99.
    expect(b.openLongPerp![0]).toBe((104 - 99) / 99);
    expect(b.basis[0]).toBe((103 - 100) / 100);
    expect(b.basis[1]).toBe((100.5 - 101) / 101);
    // The executable basis brackets the mid: opening short-perp gets less than mid, the mirror pays more.
    for (let i = 0; i < 2; i++) {
      expect(b.openShortPerp![i]).toBeLessThan(b.basis[i]);
      expect(b.openLongPerp![i]).toBeGreaterThan(b.basis[i]);
    }
  });

  it('skips rows where one side lacks a bid or an ask', () => {
    const spot = { tsMs: f64([0, 1, 2]), bid: f64([99, NaN, 99]), ask: f64([101, 101, 101]) };
    const perp = { tsMs: f64([0, 1, 2]), bid: f64([100, 100, 100]), ask: f64([102, 102, NaN]) };
    const b = basisFromBidAsk(spot, perp);
    expect([...b.tsMs]).toEqual([0]);
    expect(b.droppedRows).toBe(2);
  });
});

describe('basis of the real Binance BTC spot and USD-M perp 1m closes (derived joined CSV)', () => {
  const text = readFileSync(dataPath('derived_binance_1m_joined', 'binance_BTCUSDT_spot_vs_usdm_perp_1m_2025-05-25_2025-06-24.csv'), 'utf8');
  const lines = text.trim().split('\n');
  const header = lines[0].split(',');
  const col = (name: string) => header.indexOf(name);
  const rows = lines.slice(1).map((l) => l.split(','));
  const column = (name: string) => Float64Array.from(rows, (r) => Number(r[col(name)]));
  const ts = column('open_time_ms');

  it('aligns 43,199 points, one minute apart, with the known first value', () => {
    const b = basisFromCloses({ tsMs: ts, price: column('spot_close') }, { tsMs: ts, price: column('perp_close') });
    expect(b.tsMs.length).toBe(43_199);
    expect(b.basis[0]).toBe((107194.2 - 107250.79) / 107250.79);
    expect(b.sampling.intervalMs).toBe(60_000);
    expect(b.unmatchedSpot + b.unmatchedPerp + b.droppedRows).toBe(0);
    // The perp trades below spot here: about -5 bps at the first row.
    expect(b.basis[0]).toBeCloseTo(-5.276e-4, 6);
    for (const v of b.basis) expect(Math.abs(v)).toBeLessThan(0.01);
  });

  it('still aligns when the perp is shifted by one bar: one unmatched row each side', () => {
    const shifted = ts.map((t) => t + 60_000);
    const b = basisFromCloses({ tsMs: ts, price: column('spot_close') }, { tsMs: shifted, price: column('perp_close') });
    expect(b.tsMs.length).toBe(43_198);
    expect([b.unmatchedSpot, b.unmatchedPerp]).toEqual([1, 1]);
  });
});
