import { describe, expect, it } from 'vitest';
import { splitByWeights } from '../../src/engine/roundTripTracker.ts';
import { entryCashFlows, entryTrade, fundingInstrumentOf } from '../../src/portfolio/entryFlows.ts';
import { Ledger } from '../../src/portfolio/ledger.ts';
import { fill, funding, instrument, m } from './fixtures.ts';

const V = 'bin';
const SPOT = 'BTC/USDT';
const PERP = 'BTC/USDT:USDT';
const INVERSE = 'BTC/USD:BTC';

describe('entry flows: what a journal entry did to equity, read from its postings', () => {
  const ledger = () => new Ledger({ instruments: [instrument(V, SPOT), instrument(V, PERP, 1), instrument(V, INVERSE, 100)] });

  it('a spot round trip: the trades\' values are what the fills paid and got, and their sum is the realised PnL', () => {
    const l = ledger();
    const terms = l.terms(V, SPOT);
    // Buy 0.5 at 40,000 (value +20,000, fee 20 USDT), sell 0.5 at 41,000 (value -20,500, fee 20.5).
    const buy = l.recordFill(fill(V, SPOT, 'buy', 0.5, 40_000, 20, 'USDT'));
    const sell = l.recordFill(fill(V, SPOT, 'sell', 0.5, 41_000, 20.5, 'USDT'));
    expect(entryTrade(buy, terms)).toEqual({ quantity: m('0.5'), value: m('20000') });
    expect(entryTrade(sell, terms)).toEqual({ quantity: m('-0.5'), value: m('-20500') });
    expect(-(entryTrade(buy, terms).value + entryTrade(sell, terms).value)).toBe(l.totals().realisedPnl.USDT);
    expect(entryCashFlows(buy)).toEqual({ fundingNet: {}, fees: { USDT: m('-20') }, borrow: {}, liquidationFees: {}, netDeposits: {} });
  });

  it('a linear perp: a partial close releases cost pro rata, and value = cost change + realised PnL still holds', () => {
    const l = ledger();
    const terms = l.terms(V, PERP);
    const open = l.recordFill(fill(V, PERP, 'sell', 0.3, 50_000, 7.5, 'USDT'));
    const part = l.recordFill(fill(V, PERP, 'buy', 0.1, 49_000, 2.45, 'USDT'));
    const rest = l.recordFill(fill(V, PERP, 'buy', 0.2, 51_000, 5.1, 'USDT'));
    expect(entryTrade(open, terms)).toEqual({ quantity: m('-0.3'), value: m('-15000') });
    expect(entryTrade(part, terms)).toEqual({ quantity: m('0.1'), value: m('4900') });
    expect(entryTrade(rest, terms)).toEqual({ quantity: m('0.2'), value: m('10200') });
    // Short 0.3 from 50,000: +100 on the first 0.1 at 49,000, -200 on the rest at 51,000.
    expect(l.totals().realisedPnl.USDT).toBe(m('-100'));
    expect(-(entryTrade(open, terms).value + entryTrade(part, terms).value + entryTrade(rest, terms).value)).toBe(m('-100'));
  });

  it('an inverse perp: value is -contracts x 100 / price in BTC; funding and its instrument are read back', () => {
    const l = ledger();
    const terms = l.terms(V, INVERSE);
    const open = l.recordFill(fill(V, INVERSE, 'buy', 10, 50_000, 0.00001, 'BTC'));
    // -10 x 100 / 50,000 = -0.02 BTC.
    expect(entryTrade(open, terms)).toEqual({ quantity: m('10'), value: m('-0.02') });
    const paid = l.recordFunding(funding(V, INVERSE, 10, 100, 50_000, 0.0001, 'BTC', true))!;
    // A long pays: -10 x 100 x 0.0001 / 50,000 = -0.000002 BTC.
    expect(entryCashFlows(paid).fundingNet).toEqual({ BTC: m('-0.000002') });
    expect(fundingInstrumentOf(paid)).toBe(`${V}:${INVERSE}`);
    expect(fundingInstrumentOf(open)).toBeNull();
  });

  it('a liquidation\'s penalty, borrow interest and a deposit are their own parts', () => {
    const l = ledger();
    expect(entryCashFlows(l.recordDeposit({ venue: V, asset: 'USDT', amount: 1000, ts: 1 })).netDeposits).toEqual({ USDT: m('1000') });
    l.recordFill(fill(V, PERP, 'buy', 0.1, 50_000, 0, 'USDT'));
    const liquidation = l.recordLiquidation({ venue: V, symbol: PERP, price: 45_000, ts: 2, ref: 'liq-1', penalty: 22.5, penaltyAsset: 'USDT' });
    expect(liquidation.kind).toBe('liquidation');
    expect(entryCashFlows(liquidation)).toEqual({ fundingNet: {}, fees: {}, borrow: {}, liquidationFees: { USDT: m('-22.5') }, netDeposits: {} });
    expect(entryTrade(liquidation, l.terms(V, PERP))).toEqual({ quantity: m('-0.1'), value: m('-4500') });
    expect(entryCashFlows(l.recordBorrow({ venue: V, asset: 'BTC', amount: 0.0000123, ts: 3 })).borrow).toEqual({ BTC: m('-0.0000123') });
  });
});

describe('splitByWeights', () => {
  it('shares in proportion, rounded half even, the last taking the rest so the sum is exact', () => {
    // 100 minor units by 1:1:1 -> 33, 33, 34 (33.33 rounds to 33).
    expect(splitByWeights(100n, [1n, 1n, 1n])).toEqual([33n, 33n, 34n]);
    expect(splitByWeights(-7n, [2n, 5n])).toEqual([-2n, -5n]);
    expect(splitByWeights(10n, [3n])).toEqual([10n]);
    expect(splitByWeights(10n, [1n, -1n])).toEqual([0n, 0n]);
  });
});
