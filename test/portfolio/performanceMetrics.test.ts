import { describe, expect, it } from 'vitest';
import { DAY_MS, HOUR_MS } from '../../src/core/time.ts';
import { drawdownStats, historicalVar, performanceMetrics, sharpeRatio, sortinoRatio, timeInMarket, type EquityPoint } from '../../src/model/performanceMetrics.ts';

const T0 = Date.UTC(2024, 0, 1);
const daily = (values: number[]): EquityPoint[] => values.map((equityUsd, i) => ({ ts: T0 + i * DAY_MS, equityUsd }));

/** An equity curve whose periodic returns are exactly the given ones (up to float rounding). */
function curveFromReturns(returns: number[], periodMs = DAY_MS): EquityPoint[] {
  const points = [{ ts: T0, equityUsd: 100 }];
  for (const r of returns) points.push({ ts: points[points.length - 1].ts + periodMs, equityUsd: points[points.length - 1].equityUsd * (1 + r) });
  return points;
}

describe('performance metrics (hand-computed)', () => {
  const curve = daily([100, 120, 90, 60, 100, 130, 117]);

  it('maximum drawdown, its peak, trough, recovery and duration', () => {
    // running max 100 120 120 120 120 130 130; drawdowns 0 0 .25 .5 .1667 0 .1
    expect(drawdownStats(curve)).toEqual({
      maxDrawdown: 0.5,
      peakTs: T0 + DAY_MS,
      troughTs: T0 + 3 * DAY_MS,
      recoveryTs: T0 + 5 * DAY_MS,
      maxDrawdownDurationMs: 4 * DAY_MS,
      longestDrawdownMs: 4 * DAY_MS,
    });
    // Never recovered: the duration runs to the last sample; the peak is the last time the max was set.
    expect(drawdownStats(daily([100, 100, 80, 90]))).toMatchObject({ maxDrawdown: 0.2, peakTs: T0 + DAY_MS, troughTs: T0 + 2 * DAY_MS, recoveryTs: null, maxDrawdownDurationMs: 2 * DAY_MS });
    expect(drawdownStats(daily([1, 2, 3]))).toMatchObject({ maxDrawdown: 0, peakTs: null, maxDrawdownDurationMs: 0, longestDrawdownMs: 0 });
  });

  it('historical VaR and CVaR on a known list of returns', () => {
    // 100 returns -0.050, -0.049, ..., 0.049 in shuffled order
    const returns = Array.from({ length: 100 }, (_, i) => ((i * 37) % 100 - 50) / 1000);
    const v95 = historicalVar(returns, 0.95); // 5th worst; mean of the 5 worst
    expect(v95.var).toBeCloseTo(0.046, 15);
    expect(v95.cvar).toBeCloseTo(0.048, 15);
    const v99 = historicalVar(returns, 0.99); // the worst
    expect(v99.var).toBeCloseTo(0.05, 15);
    expect(v99.cvar).toBeCloseTo(0.05, 15);
    // 20 returns: floor(20 * 0.05) = 1, the worst
    expect(historicalVar([0.01, -0.03, 0.02, -0.01, ...Array(16).fill(0.001)], 0.95)).toEqual({ var: 0.03, cvar: 0.03 });
    expect(historicalVar([], 0.95)).toEqual({ var: null, cvar: null });
    expect(() => historicalVar([0.1], 95)).toThrow(/level/);
  });

  it('Sharpe and Sortino on series with a known standard deviation', () => {
    // +2%, -1%, +2%, -1%: mean 0.005; sample sd = sqrt(4 * 0.015^2 / 3) = 0.0173205; daily: sqrt(365)
    const returns = [0.02, -0.01, 0.02, -0.01];
    expect(sharpeRatio(returns, 365)).toBeCloseTo((0.005 / Math.sqrt(0.0009 / 3)) * Math.sqrt(365), 12); // 5.5151
    expect(sharpeRatio(returns, 365)).toBeCloseTo(5.5151, 3);
    // risk-free 36.5%/year = 0.001 per day: mean excess 0.004, same sd
    expect(sharpeRatio(returns, 365, 0.365)).toBeCloseTo((0.004 / Math.sqrt(0.0009 / 3)) * Math.sqrt(365), 12);
    // downside deviation sqrt((0.01^2 + 0.01^2) / 4) = 0.0070711
    expect(sortinoRatio(returns, 365)).toBeCloseTo((0.005 / Math.sqrt(0.0002 / 4)) * Math.sqrt(365), 12); // 13.509
    // A constant return has sd 0: no Sharpe, and no downside: no Sortino.
    expect(sharpeRatio([0.001, 0.001, 0.001], 365)).toBeNull();
    expect(sortinoRatio([0.001, 0.001, 0.001], 365)).toBeNull();
    // The same from an equity curve sampled every 8 hours: 1095 periods a year.
    const m = performanceMetrics({ equity: curveFromReturns(returns, 8 * HOUR_MS) });
    expect(m.periodsPerYear).toBe(1095);
    expect(m.sharpe).toBeCloseTo((0.005 / Math.sqrt(0.0009 / 3)) * Math.sqrt(1095), 9);
  });

  it('returns, APR, turnover, trades, win rate, time in market, funding and fees', () => {
    const m = performanceMetrics({
      equity: curve,
      fills: [
        { ts: T0, notionalUsd: 1000, feeUsd: 0.4 },
        { ts: T0 + DAY_MS, notionalUsd: -1000, feeUsd: 0.4 },
        { ts: T0 + 2 * DAY_MS, notionalUsd: 500, feeUsd: -0.1 },
      ],
      roundTrips: [
        { entryTs: T0 + DAY_MS / 2, exitTs: T0 + 2 * DAY_MS, pnlUsd: 5 },
        { entryTs: T0 + DAY_MS, exitTs: T0 + 3 * DAY_MS, pnlUsd: -2 }, // overlaps the first: union 0.5d..3d
        { entryTs: T0 + 5 * DAY_MS, exitTs: null, pnlUsd: 0 }, // still open: to the end (6d)
      ],
      funding: [
        { ts: T0, amountUsd: 1.5 },
        { ts: T0 + DAY_MS, amountUsd: -0.5 },
      ],
    });
    expect(m.totalReturn).toBeCloseTo(0.17, 15);
    expect(m.apr).toBeCloseTo((0.17 * 365) / 6, 12); // simple annualisation over 365 days
    expect(m.cagr).toBeCloseTo(1.17 ** (365 / 6) - 1, 9);
    expect(m.spanMs).toBe(6 * DAY_MS);
    expect(m.periodMs).toBe(DAY_MS);
    expect(m.maxDrawdown).toBe(0.5);
    expect(m.tradedNotionalUsd).toBe(2500);
    expect(m.turnover).toBeCloseTo(2500 / (717 / 7), 12); // mean equity 102.43
    expect(m.fills).toBe(3);
    expect(m.trades).toBe(3);
    expect(m.winRate).toBeCloseTo(1 / 3, 15);
    expect(m.timeInMarket).toBeCloseTo(3.5 / 6, 15);
    expect(m.fundingCollectedUsd).toBe(1);
    expect(m.feesPaidUsd).toBeCloseTo(0.7, 15);
    // 6 returns: floor(6 * 0.05) = 0 -> m = 1, the worst return: 60/90 - 1
    expect(m.var95).toBeCloseTo(1 / 3, 15);
    expect(m.cvar99).toBeCloseTo(1 / 3, 15);
  });

  it('edge cases: one point, irregular sampling, bad curves', () => {
    const one = performanceMetrics({ equity: [{ ts: T0, equityUsd: 100 }] });
    expect([one.totalReturn, one.apr, one.sharpe, one.var95, one.timeInMarket, one.winRate]).toEqual([0, null, null, null, null, null]);
    // periods 1h, 1h, 2h: the median, 1h, sets the annualisation
    const irregular = performanceMetrics({ equity: [0, 1, 2, 4].map((h, i) => ({ ts: T0 + h * HOUR_MS, equityUsd: 100 + i })) });
    expect(irregular.periodMs).toBe(HOUR_MS);
    expect(irregular.periodsPerYear).toBe(8760);
    expect(() => performanceMetrics({ equity: [] })).toThrow(/at least one/);
    expect(() => performanceMetrics({ equity: daily([1, 2]).reverse() })).toThrow(/does not increase/);
    expect(() => performanceMetrics({ equity: daily([1, Number.NaN]) })).toThrow(/not finite/);
    expect(timeInMarket([{ entryTs: T0 - DAY_MS, exitTs: T0 + 10 * DAY_MS, pnlUsd: 0 }], T0, T0 + DAY_MS)).toBe(1);
  });
});
