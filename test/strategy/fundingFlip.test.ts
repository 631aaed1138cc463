import { describe, expect, it } from 'vitest';
import { FundingFlipStrategy } from '../../src/strategy/fundingFlip.ts';
import { createFundingForecaster } from '../../src/model/forecast/onlineForecaster.ts';
import type { InstrumentSnapshot, Intent, PairView, StrategyContext } from '../../src/strategy/types.ts';

const H8 = 8 * 3_600_000;
const T0 = Date.UTC(2023, 0, 1);
const SPOT = { venue: 'binance', symbol: 'BTC/USDT' };
const PERP = { venue: 'binance', symbol: 'BTC/USDT:USDT' };

/** The market as a strategy sees it: one perp settlement at a time, prices fixed; pairs open as soon as asked. */
class Market {
  snapshot: InstrumentSnapshot = snap(Number.NaN, Number.NaN);
  pairs = new Map<string, PairView>();
  context(nowMs: number): StrategyContext {
    const market = {
      get: (venue: string, symbol: string) => (symbol === PERP.symbol ? this.snapshot : { ...this.snapshot, venue, symbol }),
      instrument: () => undefined,
    };
    return {
      nowMs,
      market,
      positions: { activePairs: () => [...this.pairs.values()].filter((p) => p.status === 'open'), pair: (id: string) => this.pairs.get(id) },
      setTimer: () => 0,
      cancelTimer: () => {},
      signal: () => {},
    };
  }
  apply(intents: readonly Intent[]): void {
    for (const i of intents) {
      if (i.kind === 'openPair') this.pairs.set(i.id, { id: i.id, long: i.long, short: i.short, status: 'open', longQty: 1, shortQty: 1, openedAtMs: 0 });
      else this.pairs.set(i.id, { ...(this.pairs.get(i.id) as PairView), status: 'closed' });
    }
  }
}

function snap(rate: number, ts: number, predicted = Number.NaN, predictedTs = Number.NaN): InstrumentSnapshot {
  return {
    ...PERP,
    price: 100,
    priceTs: ts,
    bid: Number.NaN,
    ask: Number.NaN,
    markPrice: Number.NaN,
    markTs: Number.NaN,
    fundingRatePerInterval: rate,
    fundingIntervalMs: H8,
    fundingTs: ts,
    predictedFundingRatePerInterval: predicted,
    predictedFundingTs: predictedTs,
    nextFundingTimeMs: ts + H8,
  };
}

function settle(strategy: FundingFlipStrategy, market: Market, i: number, rate: number, predicted = Number.NaN): readonly Intent[] {
  const ts = T0 + i * H8;
  market.snapshot = snap(rate, ts, predicted, Number.isFinite(predicted) ? ts + 1000 : Number.NaN);
  const intents = strategy.onEvent({ kind: 'funding', ...PERP, timeMs: ts }, market.context(ts));
  market.apply(intents);
  return intents;
}

const base = { spot: 'binance:BTC/USDT', perp: 'binance:BTC/USDT:USDT', notionalUsd: 10_000, roundTripCostRate: 0.001, windows: 5 };

describe('funding flip', () => {
  it('persistence never forecasts a flip; the venue quote does: open when quote + 4 persisted windows beat the cost', () => {
    const strategy = new FundingFlipStrategy({ ...base, forecast: { model: 'persistence', minHistory: 3 } });
    const market = new Market();
    for (let i = 0; i < 5; i++) expect(settle(strategy, market, i, -1e-4)).toEqual([]);
    // settled -1 bp, quote +5 bp: the path is [+5, -1, -1, -1, -1] bp, sum +1 bp = 0.0001 < cost 0.001 -> nothing
    expect(settle(strategy, market, 5, -1e-4, 5e-4)).toEqual([]);
    expect(strategy.lastDecision?.sumRate).toBeCloseTo(1e-4, 15);
    // a quote of +50 bp: sum 50 - 4 = 46 bp = 0.0046 >= 0.001 -> long spot / short perp
    const open = settle(strategy, market, 6, -1e-4, 50e-4);
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({ kind: 'openPair', id: 'flip-1', long: SPOT, short: PERP, notionalUsd: 10_000, reasonCode: 'expectedProfit' });
    expect(strategy.lastDecision?.sumRate).toBeCloseTo(46e-4, 15);
  });

  it('holds while the expected gain is positive, then flips to short spot when it turns and the other side beats the cost', () => {
    const strategy = new FundingFlipStrategy({ ...base, forecast: { model: 'persistence', minHistory: 3 } });
    const market = new Market();
    for (let i = 0; i < 4; i++) settle(strategy, market, i, -1e-4);
    settle(strategy, market, 4, -1e-4, 50e-4); // opens flip-1 long spot
    // settled +3 bp, no quote: sum 5 x 3 = 15 bp > 0 for the held side -> hold
    expect(settle(strategy, market, 5, 3e-4)).toEqual([]);
    // settled -1 bp: sum -5 bp < 0 -> close; the other side's +5 bp < cost 10 bp -> no flip
    const exit = settle(strategy, market, 6, -1e-4);
    expect(exit).toEqual([expect.objectContaining({ kind: 'closePair', id: 'flip-1', reasonCode: 'fundingReversal' })]);
    // flat, settled -1 bp, quote +40 bp: sum 40 - 4 = 36 bp: open flip-2 long spot
    expect(settle(strategy, market, 7, -1e-4, 40e-4)[0]).toMatchObject({ kind: 'openPair', id: 'flip-2', long: SPOT });
    // settled +1 bp, quote -60 bp: sum -60 + 4 = -56 bp: close flip-2 and open flip-3 short spot / long perp (56 bp >= 10)
    const flip = settle(strategy, market, 8, 1e-4, -60e-4);
    expect(flip.map((i) => i.kind)).toEqual(['closePair', 'openPair']);
    expect(flip[1]).toMatchObject({ id: 'flip-3', long: PERP, short: SPOT });
  });

  it('without allowShortSpot the negative side is never opened: it exits instead of flipping', () => {
    const strategy = new FundingFlipStrategy({ ...base, allowShortSpot: false, forecast: { model: 'persistence', minHistory: 3 } });
    const market = new Market();
    for (let i = 0; i < 4; i++) settle(strategy, market, i, 2e-4);
    expect(settle(strategy, market, 4, 2e-4, -60e-4)).toEqual([]); // would be short spot: not allowed
    settle(strategy, market, 5, -1e-4, 60e-4); // opens long spot
    expect(settle(strategy, market, 6, 1e-4, -60e-4).map((i) => i.kind)).toEqual(['closePair']);
  });

  it('the AR forecaster sees only the settlements given, and forecasts a mean-reverting series back toward its mean', () => {
    // alternating around +2 bp: 1, 3, 1, 3, ... bp: rate[i+1] = 4 bp - rate[i] exactly
    const history = Array.from({ length: 80 }, (_, i) => (i % 2 === 0 ? 1e-4 : 3e-4));
    const path = createFundingForecaster({ model: 'ar', trainWindow: 720, minHistory: 60, refitEvery: 1 }).forecastPath(history, 2);
    // last is 3 bp: next 1 bp, then 3 bp
    expect(path?.[0].rate).toBeCloseTo(1e-4, 10);
    expect(path?.[1].rate).toBeCloseTo(3e-4, 10);
    expect(createFundingForecaster({ model: 'ar', trainWindow: 720, minHistory: 60, refitEvery: 1 }).forecastPath(history.slice(0, 59), 2)).toBeNull();
  });
});
