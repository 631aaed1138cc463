import { describe, expect, it } from 'vitest';
import { DEFAULT_FILL_MODEL_CONFIG, barTakerPrice, matchOnArrival, matchResting, sizeSlippageBps, type FillModelConfig } from '../../../src/venues/sim/fillModel.ts';

describe('fill model', () => {
  const cfg: FillModelConfig = { ...DEFAULT_FILL_MODEL_CONFIG, halfSpreadBps: 2, slippageCoefficientBps: 10, slippageExponent: 0.5, maxSlippageBps: 50 };
  const q = { source: 'quote' as const, quote: { bid: 99.5, ask: 100, bidSize: 0.4, askSize: 0.3 } };
  const base = { type: 'limit' as const, timeInForce: 'GTC' as const };

  it('market orders take the touch, capped by the quoted size', () => {
    expect(matchOnArrival({ side: 'buy', type: 'market', timeInForce: 'IOC', quantity: 0.2, limitPrice: null }, q, cfg)).toEqual({
      kind: 'match', takeQuantity: 0.2, takePrice: 100, restQuantity: 0, expireQuantity: 0,
    });
    const sell = matchOnArrival({ side: 'sell', type: 'market', timeInForce: 'GTC', quantity: 1, limitPrice: null }, q, cfg);
    expect(sell).toMatchObject({ takeQuantity: 0.4, takePrice: 99.5, restQuantity: 0 });
    if (sell.kind === 'match') expect(sell.expireQuantity).toBeCloseTo(0.6, 15);
  });

  it('limits: not marketable rests (GTC/PO) or expires (IOC); PO that would take is refused; IOC fills the quoted size', () => {
    expect(matchOnArrival({ ...base, side: 'buy', quantity: 1, limitPrice: 99.9 }, q, cfg)).toMatchObject({ takeQuantity: 0, restQuantity: 1 });
    expect(matchOnArrival({ ...base, timeInForce: 'IOC', side: 'buy', quantity: 1, limitPrice: 99.9 }, q, cfg)).toMatchObject({ takeQuantity: 0, expireQuantity: 1 });
    expect(matchOnArrival({ ...base, timeInForce: 'PO', side: 'buy', quantity: 1, limitPrice: 100 }, q, cfg).kind).toBe('postOnlyWouldTake');
    const ioc = matchOnArrival({ ...base, timeInForce: 'IOC', side: 'buy', quantity: 0.5, limitPrice: 100.5 }, q, cfg);
    expect(ioc).toMatchObject({ takeQuantity: 0.3, takePrice: 100, restQuantity: 0 });
    if (ioc.kind === 'match') expect(ioc.expireQuantity).toBeCloseTo(0.2, 15);
    const gtc = matchOnArrival({ ...base, side: 'buy', quantity: 0.5, limitPrice: 100.5 }, q, cfg);
    expect(gtc).toMatchObject({ takeQuantity: 0.3, takePrice: 100, expireQuantity: 0 });
    if (gtc.kind === 'match') expect(gtc.restQuantity).toBeCloseTo(0.2, 15);
  });

  it('bars: close +- (half-spread + k (qty/volume)^alpha) bps; a limit caps the price', () => {
    // qty 2 of volume 50: slippage 10 * sqrt(0.04) = 2 bps; + 2 bps half-spread = 4 bps.
    const bar = { source: 'bar' as const, bar: { close: 100, volume: 50 } };
    expect(sizeSlippageBps(2, 50, cfg)).toBeCloseTo(2, 12);
    expect(barTakerPrice('buy', 2, bar.bar, cfg)).toBeCloseTo(100.04, 12);
    expect(barTakerPrice('sell', 2, bar.bar, cfg)).toBeCloseTo(99.96, 12);
    expect(sizeSlippageBps(2, Number.NaN, cfg)).toBe(50);
    expect(sizeSlippageBps(5000, 50, cfg)).toBe(50);
    const market = matchOnArrival({ side: 'buy', type: 'market', timeInForce: 'GTC', quantity: 2, limitPrice: null }, bar, cfg);
    expect(market.kind === 'match' && market.takePrice).toBeCloseTo(100.04, 12);
    // Marketable from close * 1.0002 = 100.02: a 100.03 limit fills at its limit, a 100.01 limit rests.
    expect(matchOnArrival({ ...base, side: 'buy', quantity: 2, limitPrice: 100.03 }, bar, cfg)).toMatchObject({ takeQuantity: 2, takePrice: 100.03 });
    expect(matchOnArrival({ ...base, side: 'buy', quantity: 2, limitPrice: 100.01 }, bar, cfg)).toMatchObject({ takeQuantity: 0, restQuantity: 2 });
    expect(matchOnArrival({ ...base, timeInForce: 'PO', side: 'sell', quantity: 2, limitPrice: 99.97 }, bar, cfg).kind).toBe('postOnlyWouldTake');
  });

  it('resting limits fill at their price when the opposite side reaches them (or goes through, if required)', () => {
    const reach = { lowestAsk: 99.5, askSize: 0.2, highestBid: 99, bidSize: Number.NaN };
    expect(matchResting('buy', 99.5, 1, reach, cfg)).toEqual({ quantity: 0.2, price: 99.5 });
    expect(matchResting('buy', 99.5, 1, reach, { limitFillRequiresTradeThrough: true })).toBeNull();
    expect(matchResting('buy', 99.4, 1, reach, cfg)).toBeNull();
    expect(matchResting('sell', 98.5, 3, reach, cfg)).toEqual({ quantity: 3, price: 98.5 });
    expect(matchResting('sell', 99.1, 3, reach, cfg)).toBeNull();
  });
});

