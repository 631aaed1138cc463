import { describe, expect, it } from 'vitest';
import type { Instrument } from '../../src/domain/instrument.ts';
import type { Fill, FundingPayment } from '../../src/domain/trading.ts';
import { parseBacktestConfig, runBacktest } from '../../src/engine/backtest.ts';
import { Ledger } from '../../src/portfolio/ledger.ts';
import type { JournalEntry } from '../../src/portfolio/journal.ts';
import { perp, T0 } from './engineSupport.ts';

const V = 'sim';
const PERP = 'BTC/USDT:USDT';

let fillSeq = 0;
function sell(quantity: number, price = 50_000, side: Fill['side'] = 'sell'): Fill {
  fillSeq++;
  return { fillId: `f${fillSeq}`, clientOrderId: `o${fillSeq}`, venue: V, symbol: PERP, side, quantity, price, fee: 0, feeAsset: 'USDT', liquidity: 'taker', ts: T0 + fillSeq };
}

/** What the simulated venue reports: -q * mark * rate in floats, on its own (unrounded) position. */
function payment(positionQty: number, markPrice: number, rate: number, ts: number): FundingPayment {
  return { venue: V, symbol: PERP, ts, fundingRatePerInterval: rate, markPrice, positionQty, amount: -positionQty * markPrice * rate, asset: 'USDT' };
}

const ledgerWith = (...instruments: Instrument[]) => new Ledger({ instruments });

describe('funding booking: the venue pays on its float position, the ledger holds fills rounded to 1e-8', () => {
  it('books the exact funding on the venue position (the case that threw "reported amount ... differs")', () => {
    const ledger = ledgerWith(perp(V, { lotSize: null }));
    ledger.recordFill(sell(0.019122084684118978, 52_262.413548756624));
    // The ledger holds -0.01912208; the venue -0.019122084684118978. Funding on the ledger's
    // position would be 0.30509194868..., 7.3e-8 away from the venue's 0.3050920234209655: that gap
    // is the position rounding times mark * rate, not an error.
    const p = payment(-0.019122084684118978, 51_905.40812495383, 0.0003073852372543889, T0 + 8 * 3_600_000);
    expect(p.amount).toBe(0.3050920234209655);
    ledger.recordFunding(p);
    // 0.019122084684118978 * 51905.40812495383 * 0.0003073852372543889 = 0.3050920234209654667..., half even to 1e-8.
    expect(ledger.cashBalance(V, 'USDT')).toBe(30_509_202n);
  });

  it('allows half a minor unit of position difference per trade since flat, and no more', () => {
    const ledger = ledgerWith(perp(V, { lotSize: null }));
    // 0.123456785 rounds half even to 0.12345678 twice: the ledger holds -0.24691356, the venue -0.24691357.
    ledger.recordFill(sell(0.123456785));
    ledger.recordFill(sell(0.123456785));
    const venueQty = -0.123456785 - 0.123456785;
    expect(venueQty).toBe(-0.24691357);
    ledger.recordFunding(payment(venueQty, 50_000, 0.0001, T0 + 1_000));
    expect(ledger.cashBalance(V, 'USDT')).toBe(123_456_785n); // 0.24691357 * 50000 * 0.0001 = 1.23456785 exactly

    // Flat again (the count restarts), then one trade: a gap of one minor unit is more than its rounding.
    ledger.recordFill(sell(0.123456785, 50_000, 'buy'));
    ledger.recordFill(sell(0.123456785, 50_000, 'buy'));
    expect(ledger.position(V, PERP).quantity).toBe(0n);
    ledger.recordFill(sell(0.24691356));
    expect(() => ledger.recordFunding(payment(-0.24691357, 50_000, 0.0001, T0 + 2_000))).toThrow(
      /position -0.24691357 differs from the ledger's -0.24691356 by more than the 1e-8 rounding of its 1 trade/,
    );
    // An amount that disagrees with position * mark * rate by more than the rounding unit is refused.
    const wrong = { ...payment(-0.24691356, 50_000, 0.0001, T0 + 3_000), amount: 1.23456783 };
    expect(() => ledger.recordFunding(wrong)).toThrow(/reported amount 1.23456783 differs from the exact funding 1.2345678 USDT/);
  });

  it('a fundingCarry backtest on synthetic data, notional 1000, no lot size, 1 day runs and books the venue funding exactly', async () => {
    const config = parseBacktestConfig({
      strategy: { type: 'fundingCarry', params: { spot: 'synthetic:SYN/USDT', perp: 'synthetic:SYN/USDT:USDT', notionalUsd: 1000, roundTripCostRate: 0.003, expectedHoldingDays: 30 } },
      data: { source: 'synthetic', seed: 7, days: 1 },
      instruments: [
        { id: 'synthetic:SYN/USDT', makerFeeRate: 0.001, takerFeeRate: 0.001 },
        { id: 'synthetic:SYN/USDT:USDT', makerFeeRate: 0.0002, takerFeeRate: 0.0005 },
      ],
      venues: [{ venue: 'synthetic', balances: { USDT: 100000 }, leverage: 3, halfSpreadBps: 0.5 }],
    });
    const entries: JournalEntry[] = [];
    const { result } = await runBacktest(config, { ledgerSink: { instrument: () => {}, entry: (e) => entries.push(e) } });
    expect(result.execution.map((e) => e.type)).toEqual(['pairOpened']);
    const funding = entries.filter((e) => e.kind === 'funding');
    expect(funding).toHaveLength(2);
    expect(result.funding).toHaveLength(2);
    // The first settlement: short 0.019122084684118978 (not a multiple of 1e-8) at mark 51905.40812495383, rate 0.0003073852372543889.
    expect(funding[0].memo).toBe('rate 0.0003073852372543889 mark 51905.40812495383 position -0.019122084684118978');
    const cash = (e: JournalEntry) => e.postings.find((p) => p.account.startsWith('cash:'))!.amount;
    expect(cash(funding[0])).toBe(30_509_202n);
    // Every booking is within the rounding unit of the venue's float amount.
    funding.forEach((e, i) => expect(Math.abs(Number(cash(e)) / 1e8 - result.funding[i].amountUsd)).toBeLessThanOrEqual(0.5e-8 + 1e-15));
  }, 60_000);
});
