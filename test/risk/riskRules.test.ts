import { describe, expect, it } from 'vitest';
import { DAY_MS, HOUR_MS } from '../../src/core/time.ts';
import { OrderRateLimiter } from '../../src/risk/rateLimiter.ts';
import { preTradeDenial, type ExposureBook } from '../../src/risk/preTradeRisk.ts';
import { DEFAULT_RISK_CONFIG } from '../../src/risk/riskConfig.ts';
import { perp, spot, T0 } from '../engine/engineSupport.ts';
import { PERP, riskOnViews, SPOT, V } from './riskSupport.ts';

const price = (kind: 'price' | 'funding', venue: string, symbol: string, timeMs: number) => ({ kind, venue, symbol, timeMs });

describe('order rate limit (denies, never queues)', () => {
  it('100 sends within a second fit; the 101st is denied until the oldest leaves the window', () => {
    const limiter = new OrderRateLimiter(100);
    for (let k = 0; k < 100; k++) limiter.record(V, T0 + k); // sends at T0 .. T0+99 ms
    expect(limiter.denial(V, 1, T0 + 500)).toMatch(/100 sent in the last 1000 ms \+ 1 > 100/);
    expect(limiter.denial('okx', 1, T0 + 500)).toBeNull(); // per venue
    // At T0+1000 the send of T0 is 1000 ms old: out of (now - 1000, now], so 99 + 1 fit.
    expect(limiter.denial(V, 1, T0 + 1000)).toBeNull();
    expect(limiter.denial(V, 2, T0 + 1000)).not.toBeNull();
  });
});

describe('pre-trade checks', () => {
  const cfg = DEFAULT_RISK_CONFIG.preTrade;
  const book = (over: Partial<ExposureBook> = {}): ExposureBook => ({ grossUsdByVenue: new Map(), grossUsd: 0, equityUsd: 100_000, equityUsdByVenue: new Map([[V, 100_000]]), freeCollateral: () => 100_000, ...over });
  const legs = (q: number, p = 50_000, mark = Number.NaN) => [
    { instrument: spot(V), side: 'buy' as const, quantity: q, price: p, markPrice: Number.NaN },
    { instrument: perp(V), side: 'sell' as const, quantity: q, price: p, markPrice: mark },
  ];
  const margin = () => ({ leverage: 3, maintenanceMarginRate: 0.004, marginMode: 'cross' as const });

  it('gross leverage after the order: 2 legs of 1 BTC at 50,000 on 100,000 equity with 150,000 held = 2.5x, denied at 2x, allowed at 3x', () => {
    expect(preTradeDenial({ ...cfg, maxLeverage: 2 }, legs(1), book({ grossUsd: 150_000 }), margin)).toMatchObject({ rule: 'maxLeverage', figures: { leverage: 2.5, grossUsdAfter: 250_000 } });
    expect(preTradeDenial({ ...cfg, maxLeverage: 3 }, legs(1), book({ grossUsd: 150_000 }), margin)).toBeNull();
  });

  it('notional per pair, per venue and in total', () => {
    expect(preTradeDenial({ ...cfg, maxNotionalUsdPerPair: 40_000 }, legs(1), book(), margin)?.rule).toBe('maxNotionalUsdPerPair');
    // 60,000 held on the venue + 2 x 50,000 = 160,000 > 150,000.
    expect(preTradeDenial({ ...cfg, maxNotionalUsdPerVenue: 150_000 }, legs(1), book({ grossUsdByVenue: new Map([[V, 60_000]]), grossUsd: 60_000 }), margin)).toMatchObject({ rule: 'maxNotionalUsdPerVenue', figures: { grossUsdAfter: 160_000 } });
    expect(preTradeDenial({ ...cfg, maxNotionalUsdTotal: 99_999 }, legs(1), book(), margin)?.rule).toBe('maxNotionalUsdTotal');
  });

  it("a venue's share of equity above the limit takes no entries (70,000 of 100,000 > 60%)", () => {
    expect(preTradeDenial({ ...cfg, maxVenueEquityShare: 0.6 }, legs(0.1), book({ equityUsdByVenue: new Map([[V, 70_000]]) }), margin)).toMatchObject({ rule: 'maxVenueEquityShare', figures: { share: 0.7 } });
  });

  it('price band: the perp at 50,000 against a mark of 53,000 is 5.66% away > 5%', () => {
    const d = preTradeDenial(cfg, legs(0.1, 50_000, 53_000), book(), margin);
    expect(d?.rule).toBe('priceBandFraction');
    expect(d!.figures.off).toBeCloseTo(3000 / 53_000, 12);
    expect(preTradeDenial(cfg, legs(0.1, 50_000, 51_000), book(), margin)).toBeNull(); // 1.96%
  });

  it('free collateral after the order: spot 50,000 x 1.001 + perp 50,000 x (1/3 + 0.0005) = 66,741.67 USDT needed, 60,000 free', () => {
    const d = preTradeDenial(cfg, legs(1), book({ freeCollateral: () => 60_000 }), margin);
    expect(d?.rule).toBe('marginAfterOrder');
    expect(d!.figures.needed).toBeCloseTo(50_050 + 50_000 / 3 + 25, 6);
    expect(preTradeDenial(cfg, legs(1), book({ freeCollateral: () => 66_742 }), margin)).toBeNull();
  });
});

describe('monitors (risk engine over plain views)', () => {
  it('delta drift: long 1 BTC spot, short 0.97 perp = 3% > 2%: the cheaper leg (perp, 0.05% taker vs spot 0.1%) sells 0.03 more', () => {
    const t = riskOnViews({}, { long: SPOT, short: PERP, longQty: 1, shortQty: 0.97 });
    t.setPrice(SPOT, 50_000, T0);
    t.setPrice(PERP, 50_000, T0);
    const intents = t.risk.onMarket(price('price', V, PERP.symbol, T0), T0);
    expect(intents).toHaveLength(1);
    expect(intents[0]).toMatchObject({ kind: 'rebalanceLeg', leg: 'short', reasonCode: 'deltaDrift' });
    expect((intents[0] as { quantity: number }).quantity).toBeCloseTo(0.03, 12);
    expect(t.actions[0]).toMatchObject({ kind: 'rebalance', rule: 'deltaDrift', pairId: 'p1' });
    expect(t.actions[0].figures.driftFraction).toBeCloseTo(0.03, 12);
    // Within 2%: nothing (1 vs 0.985 = 1.5%).
    const u = riskOnViews({}, { long: SPOT, short: PERP, longQty: 1, shortQty: 0.985 });
    u.setPrice(SPOT, 50_000, T0);
    u.setPrice(PERP, 50_000, T0);
    expect(u.risk.onMarket(price('price', V, PERP.symbol, T0), T0)).toEqual([]);
  });

  it('basis, long spot / short perp: the spread (perp - spot) / spot from 0.2% to 0.8% moves 0.6% against the pair > 0.5%: halve it', () => {
    const t = riskOnViews({}, { long: SPOT, short: PERP });
    t.setPrice(SPOT, 50_000, T0);
    t.setPrice(PERP, 50_100, T0); // (50,100 - 50,000) / 50,000 = 0.2%: the reference
    expect(t.risk.onMarket(price('price', V, PERP.symbol, T0), T0)).toEqual([]);
    t.setPrice(PERP, 50_300, T0 + 60_000); // 0.6%: moved 0.4%, below 0.5%
    t.setPrice(SPOT, 50_000, T0 + 60_000);
    expect(t.risk.onMarket(price('price', V, PERP.symbol, T0 + 60_000), T0 + 60_000)).toEqual([]);
    t.setPrice(PERP, 50_400, T0 + 120_000); // 0.8%: moved 0.6%
    t.setPrice(SPOT, 50_000, T0 + 120_000);
    const [intent] = t.risk.onMarket(price('price', V, PERP.symbol, T0 + 120_000), T0 + 120_000);
    expect(intent).toMatchObject({ kind: 'resizePair', scale: 0.5, reasonCode: 'basisRisk' });
    expect(t.actions[0].figures.adverseMove).toBeCloseTo(0.006, 12);
    // A spread that narrows is the pair's profit, not a risk: 0.8% -> 0% moves 0.8% in its favour.
    t.setPrice(PERP, 50_000, T0 + 180_000);
    t.setPrice(SPOT, 50_000, T0 + 180_000);
    expect(t.risk.onMarket(price('price', V, PERP.symbol, T0 + 180_000), T0 + 180_000)).toEqual([]);
  });

  it('basis, the mirror (long perp / short spot): spot rising over the perp is the adverse move', () => {
    const t = riskOnViews({}, { long: PERP, short: SPOT });
    t.setPrice(PERP, 50_000, T0);
    t.setPrice(SPOT, 50_000, T0); // (spot - perp) / perp = 0
    expect(t.risk.onMarket(price('price', V, SPOT.symbol, T0), T0)).toEqual([]);
    t.setPrice(SPOT, 49_700, T0 + 60_000); // -0.6%: in the pair's favour (it is short spot)
    t.setPrice(PERP, 50_000, T0 + 60_000);
    expect(t.risk.onMarket(price('price', V, SPOT.symbol, T0 + 60_000), T0 + 60_000)).toEqual([]);
    t.setPrice(SPOT, 50_000, T0 + 120_000);
    const u = riskOnViews({}, { long: PERP, short: SPOT });
    u.setPrice(PERP, 50_000, T0);
    u.setPrice(SPOT, 50_000, T0);
    u.risk.onMarket(price('price', V, SPOT.symbol, T0), T0);
    u.setPrice(SPOT, 50_300, T0 + 60_000); // +0.6% against
    u.setPrice(PERP, 50_000, T0 + 60_000);
    expect(u.risk.onMarket(price('price', V, SPOT.symbol, T0 + 60_000), T0 + 60_000)[0]).toMatchObject({ kind: 'resizePair', scale: 0.5 });
  });

  it('basis add (off by default): with addOnFavourable a profitable pair whose spread narrowed 1.2% > 1% grows by 25%', () => {
    const t = riskOnViews({ basis: { addOnFavourable: true }, exits: { stopLossFraction: null } }, { long: SPOT, short: PERP });
    // Filled at long 50,000 and short 50,600: the pair earns when the 1.2% spread closes.
    t.risk.onEvent({ type: 'fill', fill: { fillId: 'a', clientOrderId: 'a', venue: V, symbol: SPOT.symbol, side: 'buy', quantity: 1, price: 50_000, fee: 0, feeAsset: 'USDT', liquidity: 'taker', ts: T0 }, feeUsd: 0, order: { pairId: 'p1', leg: 'long' } });
    t.risk.onEvent({ type: 'fill', fill: { fillId: 'b', clientOrderId: 'b', venue: V, symbol: PERP.symbol, side: 'sell', quantity: 1, price: 50_600, fee: 0, feeAsset: 'USDT', liquidity: 'taker', ts: T0 }, feeUsd: 0, order: { pairId: 'p1', leg: 'short' } });
    t.setPrice(SPOT, 50_000, T0);
    t.setPrice(PERP, 50_600, T0);
    t.risk.onMarket(price('price', V, PERP.symbol, T0), T0);
    t.setPrice(PERP, 50_000, T0 + 60_000); // spread 0: moved 1.2% in favour; PnL = 0 + (50,600 - 50,000) = +600
    t.setPrice(SPOT, 50_000, T0 + 60_000);
    const [intent] = t.risk.onMarket(price('price', V, PERP.symbol, T0 + 60_000), T0 + 60_000);
    expect(intent).toMatchObject({ kind: 'resizePair', scale: 1.25, reasonCode: 'basisRisk' });
    expect(t.actions[0]).toMatchObject({ kind: 'add', figures: { pnlUsd: 600 } });
  });

  it('stop-loss: long 1 @ 50,000 (still 50,000), short 1 @ 50,000 now 56,000: loss 6,000 = 10.7% of 56,000 > 10%', () => {
    const t = riskOnViews({ basis: { adverseMove: null } }, { long: SPOT, short: PERP });
    for (const [ref, side, leg] of [[SPOT, 'buy', 'long'], [PERP, 'sell', 'short']] as const) {
      t.risk.onEvent({ type: 'fill', fill: { fillId: leg, clientOrderId: leg, venue: V, symbol: ref.symbol, side, quantity: 1, price: 50_000, fee: 0, feeAsset: 'USDT', liquidity: 'taker', ts: T0 }, feeUsd: 0, order: { pairId: 'p1', leg } });
    }
    t.setPrice(SPOT, 50_000, T0);
    t.setPrice(PERP, 55_000, T0); // loss 5,000 = 9.09% of 55,000: held
    expect(t.risk.onMarket(price('price', V, PERP.symbol, T0), T0)).toEqual([]);
    t.setPrice(PERP, 56_000, T0 + 1);
    const [intent] = t.risk.onMarket(price('price', V, PERP.symbol, T0 + 1), T0 + 1);
    expect(intent).toMatchObject({ kind: 'closePair', reasonCode: 'stopLoss' });
    expect(t.actions[0].figures).toMatchObject({ pnlUsd: -6000, notionalUsd: 56_000 });
  });

  it('maximum holding: a pair opened at T0 with maxHoldingDays 2 is closed on the first event after T0 + 2 days', () => {
    const t = riskOnViews({ exits: { maxHoldingDays: 2 } }, { long: SPOT, short: PERP, openedAtMs: T0 });
    const at = (ms: number) => {
      t.setPrice(SPOT, 50_000, ms);
      t.setPrice(PERP, 50_000, ms);
      return t.risk.onMarket(price('price', V, PERP.symbol, ms), ms);
    };
    expect(at(T0 + 2 * DAY_MS)).toEqual([]);
    expect(at(T0 + 2 * DAY_MS + 1)[0]).toMatchObject({ kind: 'closePair', reasonCode: 'maxHolding' });
  });

  it('funding reversal: the short perp pays (rate < 0) three settlements in a row: closed on the third; a positive one resets the count', () => {
    const t = riskOnViews({}, { long: SPOT, short: PERP });
    const settle = (k: number, rate: number) => {
      const ms = T0 + k * 8 * HOUR_MS;
      t.setPrice(SPOT, 50_000, ms);
      t.setPrice(PERP, 50_000, ms);
      t.snaps.get(`${V}:${PERP.symbol}`)!.fundingRatePerInterval = rate;
      t.risk.onEvent({ type: 'funding', payment: { venue: V, symbol: PERP.symbol, ts: ms, fundingRatePerInterval: rate, markPrice: 50_000, positionQty: -1, amount: 50_000 * rate, asset: 'USDT' }, amountUsd: 50_000 * rate });
      return t.risk.onMarket(price('funding', V, PERP.symbol, ms), ms);
    };
    expect(settle(1, -0.0001)).toEqual([]);
    expect(settle(2, -0.0001)).toEqual([]);
    expect(settle(3, 0.0001)).toEqual([]); // reset
    expect(settle(4, -0.0001)).toEqual([]);
    expect(settle(5, -0.0001)).toEqual([]);
    expect(settle(6, -0.0001)[0]).toMatchObject({ kind: 'closePair', reasonCode: 'fundingReversal' });
    expect(t.actions[0].figures.intervals).toBe(3);
    // -0.01% per 8h = -0.00125% per hour.
    expect(t.actions[0].figures.settledPerHour).toBeCloseTo(-0.0001 / 8, 15);
  });
});
