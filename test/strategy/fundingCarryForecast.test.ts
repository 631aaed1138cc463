import { describe, expect, it } from 'vitest';
import { FundingCarryStrategy } from '../../src/strategy/fundingCarry.ts';
import type { InstrumentSnapshot, Intent, StrategyContext } from '../../src/strategy/types.ts';

const H8 = 8 * 3_600_000;
const T0 = Date.UTC(2023, 0, 1);

function contextAt(rate: number, ts: number): StrategyContext {
  const snap = (venue: string, symbol: string): InstrumentSnapshot => ({
    venue, symbol, price: 100, priceTs: ts, bid: Number.NaN, ask: Number.NaN, markPrice: Number.NaN, markTs: Number.NaN,
    fundingRatePerInterval: rate, fundingIntervalMs: H8, fundingTs: ts, predictedFundingRatePerInterval: Number.NaN, predictedFundingTs: Number.NaN, nextFundingTimeMs: ts + H8,
  });
  return { nowMs: ts, market: { get: snap, instrument: () => undefined }, positions: { activePairs: () => [], pair: () => undefined }, setTimer: () => 0, cancelTimer: () => {}, signal: () => {} };
}

/** Feeds the settlements; returns the intents of the last one. */
function run(strategy: FundingCarryStrategy, rates: number[]): readonly Intent[] {
  let last: readonly Intent[] = [];
  rates.forEach((rate, i) => {
    last = strategy.onEvent({ kind: 'funding', venue: 'binance', symbol: 'BTC/USDT:USDT', timeMs: T0 + i * H8 }, contextAt(rate, T0 + i * H8));
  });
  return last;
}

const params = { spot: 'binance:BTC/USDT', perp: 'binance:BTC/USDT:USDT', notionalUsd: 10_000, roundTripCostRate: 0.003, expectedHoldingDays: 30 };

describe('funding carry on a forecast', () => {
  // -3, +1, -3, +1 ... bp: the last settled +1 bp is 10.95% APR, above the 3.65% cost (0.3% over 30 days);
  // the AR forecast of the next two settlements is -3 and +1 bp: mean -1 bp, below it.
  const rates = Array.from({ length: 80 }, (_, i) => (i % 2 === 0 ? -3e-4 : 1e-4));

  it('without a forecast it opens on the last settled rate', () => {
    const out = run(new FundingCarryStrategy(params), rates);
    expect(out).toEqual([expect.objectContaining({ kind: 'openPair', reason: 'funding APR 10.95% (0.0100% per 8h) vs cost 3.65% + margin 0.00%' })]);
  });

  it('with the AR forecast (2 windows) it sees the reversal coming and stays out; persistence agrees with the plain carry', () => {
    expect(run(new FundingCarryStrategy({ ...params, forecast: { model: 'ar' }, forecastWindows: 2 }), rates)).toEqual([]);
    const persistence = run(new FundingCarryStrategy({ ...params, forecast: { model: 'persistence', minHistory: 3 }, forecastWindows: 2 }), rates);
    expect(persistence).toEqual([expect.objectContaining({ kind: 'openPair', reason: 'forecast funding APR 10.95% (0.0100% per 8h) vs cost 3.65% + margin 0.00%' })]);
  });

  it('no decision before the forecaster has minHistory settlements', () => {
    expect(run(new FundingCarryStrategy({ ...params, forecast: { model: 'persistence', minHistory: 5 } }), [1e-3, 1e-3, 1e-3, 1e-3])).toEqual([]);
    expect(run(new FundingCarryStrategy({ ...params, forecast: { model: 'persistence', minHistory: 5 } }), [1e-3, 1e-3, 1e-3, 1e-3, 1e-3])).toHaveLength(1);
  });
});
