import { describe, expect, it } from 'vitest';
import { fundingPaymentAmount, selectMarkPrice, type MarkSources } from '../../../src/venues/sim/fundingModel.ts';

const linear = { linear: true, contractSize: 1 };
const inverse = { linear: false, contractSize: 10 };

describe('funding model', () => {
  it('payment = -qty * mark * rate (linear), -contracts * size * rate / mark (inverse)', () => {
    // Short 0.5 BTC, mark 64,250.5, rate 0.0125%: receives 0.5 * 64250.5 * 0.000125 = 4.01565625 USDT.
    expect(fundingPaymentAmount(linear, -0.5, 64_250.5, 0.000125)).toBeCloseTo(4.01565625, 12);
    expect(fundingPaymentAmount(linear, 0.5, 64_250.5, 0.000125)).toBeCloseTo(-4.01565625, 12);
    expect(fundingPaymentAmount(linear, -0.5, 64_250.5, -0.0001)).toBeCloseTo(-3.212525, 12);
    // Long 1000 contracts of 10 USD at mark 50,000, rate 0.01%: pays 1000 * 10 * 0.0001 / 50000 = 0.00002 BTC.
    expect(fundingPaymentAmount(inverse, 1000, 50_000, 0.0001)).toBeCloseTo(-0.00002, 18);
    expect(() => fundingPaymentAmount(linear, 1, Number.NaN, 0.0001)).toThrow(/mark price/);
  });

  it('mark price: the funding row, else the latest mark bar unless a quote or trade is newer', () => {
    const s: MarkSources = { markBarClose: 100, markBarTime: 10, quoteMid: 101, quoteTime: 5, lastTradePrice: 102, lastTradeTime: 10 };
    expect(selectMarkPrice(s, 99)).toEqual({ price: 99, source: 'funding' });
    expect(selectMarkPrice(s)).toEqual({ price: 100, source: 'markBar' });
    expect(selectMarkPrice({ ...s, lastTradeTime: 11 })).toEqual({ price: 102, source: 'lastTrade' });
    expect(selectMarkPrice({ ...s, quoteTime: 11 })).toEqual({ price: 101, source: 'quoteMid' });
    expect(selectMarkPrice({ ...s, markBarClose: Number.NaN, quoteTime: 11, lastTradeTime: 11 })).toEqual({ price: 101, source: 'quoteMid' });
    expect(selectMarkPrice({ ...s, markBarClose: Number.NaN, quoteMid: Number.NaN })).toEqual({ price: 102, source: 'lastTrade' });
    expect(selectMarkPrice({ ...s, markBarClose: Number.NaN, quoteMid: Number.NaN, lastTradePrice: Number.NaN }).source).toBeNull();
  });
});

