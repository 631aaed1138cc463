import { describe, expect, it } from 'vitest';
import { borrowInterest, Ledger } from '../../src/portfolio/ledger.ts';
import { formatMinor } from '../../src/portfolio/money.ts';
import { fill, funding, instrument, m } from './fixtures.ts';

const T0 = 1_700_000_000_000;

/** Every asset's balances sum to zero (double entry). */
function expectBalanced(ledger: Ledger): void {
  const sums = new Map<string, bigint>();
  for (const b of ledger.accountBalances()) sums.set(b.asset, (sums.get(b.asset) ?? 0n) + b.amount);
  for (const [asset, sum] of sums) expect(`${asset} ${formatMinor(sum)}`).toBe(`${asset} 0`);
}

describe('ledger: hand-computed cases', () => {
  it('one funding settlement on a short linear perp: positive rate, the short receives', () => {
    const perp = instrument('binance', 'BTC/USDT:USDT', 1);
    const ledger = new Ledger({ instruments: [perp] });
    ledger.recordDeposit({ venue: 'binance', asset: 'USDT', amount: 1000, ts: T0 });
    ledger.recordFill(fill('binance', 'BTC/USDT:USDT', 'sell', 0.00123, 107194.2, 0, 'USDT'));
    // amount = -(-0.00123) * 1 * 107194.2 * 0.000125 = 0.01648110825 -> 0.01648111 USDT (half even)
    const entry = ledger.recordFunding(funding('binance', 'BTC/USDT:USDT', -0.00123, 1, 107194.2, 0.000125, 'USDT'))!;
    expect(entry.postings).toEqual([
      { account: 'cash:binance:USDT', asset: 'USDT', amount: m('0.01648111') },
      { account: 'funding:binance:BTC/USDT:USDT', asset: 'USDT', amount: -m('0.01648111') },
    ]);
    expect(ledger.cashBalance('binance', 'USDT')).toBe(m('1000.01648111'));
    const totals = ledger.totals();
    expect(totals.fundingReceived).toEqual({ USDT: m('0.01648111') });
    expect(totals.fundingPaid).toEqual({});
    expect(totals.fundingNet).toEqual({ USDT: m('0.01648111') });
    expect(ledger.position('binance', 'BTC/USDT:USDT').fundingNet).toBe(m('0.01648111'));

    // The same rate on a long pays: -(0.5) * 107200.5 * 0.0001 = -5.360025
    const long = new Ledger({ instruments: [perp] });
    long.recordFill(fill('binance', 'BTC/USDT:USDT', 'buy', 0.5, 107000, 0, 'USDT'));
    long.recordFunding(funding('binance', 'BTC/USDT:USDT', 0.5, 1, 107200.5, 0.0001, 'USDT'));
    expect(long.cashBalance('binance', 'USDT')).toBe(-m('5.360025'));
    expect(long.totals().fundingPaid).toEqual({ USDT: m('5.360025') });
    expectBalanced(ledger);
    expectBalanced(long);
  });

  it('funding on an inverse perp settles in the base asset: -q cs rate / mark', () => {
    const inverse = instrument('bybit', 'BTC/USD:BTC', 100);
    const ledger = new Ledger({ instruments: [inverse] });
    ledger.recordFill(fill('bybit', 'BTC/USD:BTC', 'sell', 10, 50000, 0, 'BTC'));
    // -(-10) * 100 * 0.0001 / 50000 = 0.000002 BTC
    ledger.recordFunding(funding('bybit', 'BTC/USD:BTC', -10, 100, 50000, 0.0001, 'BTC', true));
    expect(ledger.cashBalance('bybit', 'BTC')).toBe(m('0.000002'));
  });

  it('refuses a funding payment whose position or amount disagrees with the ledger', () => {
    const ledger = new Ledger({ instruments: [instrument('binance', 'BTC/USDT:USDT', 1)] });
    ledger.recordFill(fill('binance', 'BTC/USDT:USDT', 'sell', 0.5, 100000, 0, 'USDT'));
    expect(() => ledger.recordFunding(funding('binance', 'BTC/USDT:USDT', -0.4, 1, 100000, 0.0001, 'USDT'))).toThrow(/position -0.4 differs from the ledger's -0.5/);
    const wrongSign = { ...funding('binance', 'BTC/USDT:USDT', -0.5, 1, 100000, 0.0001, 'USDT'), amount: -5 };
    expect(() => ledger.recordFunding(wrongSign)).toThrow(/reported amount -5 differs/);
    // The venue's own figure, when asked to book it.
    ledger.recordFunding({ ...wrongSign, ts: T0 + 1 }, { amountFrom: 'reported' });
    expect(ledger.cashBalance('binance', 'USDT')).toBe(-m('5'));
    expect(ledger.entryCount).toBe(2);
  });

  it('a round trip: spot buy/sell and perp short/cover, fees on both legs, to the last minor unit', () => {
    const spot = instrument('binance', 'BTC/USDT');
    const perp = instrument('bybit', 'BTC/USDT:USDT', 1);
    const ledger = new Ledger({ instruments: [spot, perp] });
    ledger.recordDeposit({ venue: 'binance', asset: 'USDT', amount: 10000, ts: T0 });
    ledger.recordDeposit({ venue: 'bybit', asset: 'USDT', amount: 5000, ts: T0 });
    // open: long spot 0.01 @ 100000.1 (value 1000.001, fee 0.1% = 1.000001), short perp 0.01 @ 100050.3 (fee 0.05% of 1000.503 = 0.5002515)
    ledger.recordFill(fill('binance', 'BTC/USDT', 'buy', 0.01, 100000.1, 1.000001, 'USDT'));
    ledger.recordFill(fill('bybit', 'BTC/USDT:USDT', 'sell', 0.01, 100050.3, 0.5002515, 'USDT'));
    expect(ledger.cashBalance('binance', 'BTC')).toBe(m('0.01'));
    expect(ledger.cashBalance('binance', 'USDT')).toBe(m('8998.998999')); // 10000 - 1000.001 - 1.000001
    expect(ledger.cashBalance('bybit', 'USDT')).toBe(m('4999.4997485')); // 5000 - 0.5002515 (nothing paid to open a perp)
    const spotPos = ledger.position('binance', 'BTC/USDT');
    expect([spotPos.quantity, spotPos.cost, spotPos.averageEntryPrice]).toEqual([m('0.01'), m('1000.001'), 100000.1]);
    const perpPos = ledger.position('bybit', 'BTC/USDT:USDT', 101000);
    expect([perpPos.quantity, perpPos.cost, perpPos.unrealisedPnl]).toEqual([-m('0.01'), -m('1000.503'), -m('9.497')]);
    // equity at marks: binance 8998.998999 + 0.01 * 101000 = 10008.998999; bybit 4999.4997485 - 9.497
    expect(ledger.equityUsd({ marks: { 'binance:BTC/USDT': 101000, 'bybit:BTC/USDT:USDT': 101000 } })).toBe(m('14999.0017475'));

    // close: sell spot @ 101000.7 (1010.007, fee 1.010007), cover perp @ 101020.9 (1010.209, fee 0.5051045)
    ledger.recordFill(fill('binance', 'BTC/USDT', 'sell', 0.01, 101000.7, 1.010007, 'USDT'));
    ledger.recordFill(fill('bybit', 'BTC/USDT:USDT', 'buy', 0.01, 101020.9, 0.5051045, 'USDT'));
    expect(ledger.cashBalance('binance', 'USDT')).toBe(m('10007.995992')); // 8998.998999 + 1010.007 - 1.010007
    expect(ledger.cashBalance('binance', 'BTC')).toBe(0n);
    expect(ledger.cashBalance('bybit', 'USDT')).toBe(m('4989.288644')); // 5000 - 9.706 - 1.005356
    expect(ledger.position('binance', 'BTC/USDT').realisedPnl).toBe(m('10.006')); // 1010.007 - 1000.001
    expect(ledger.position('bybit', 'BTC/USDT:USDT').realisedPnl).toBe(-m('9.706')); // 1000.503 - 1010.209
    const totals = ledger.totals();
    expect(totals.realisedPnl).toEqual({ USDT: m('0.3') });
    expect(totals.feesPaid).toEqual({ USDT: m('3.015364') });
    expect(totals.netDeposits).toEqual({ USDT: m('15000') });
    expect(ledger.positions()).toEqual([]);
    expect(ledger.positions({ includeFlat: true }).map((p) => [p.instrumentId, p.quantity, p.cost])).toEqual([
      ['binance:BTC/USDT', 0n, 0n],
      ['bybit:BTC/USDT:USDT', 0n, 0n],
    ]);
    // 15000 + 0.3 - 3.015364
    expect(ledger.equityUsd({ marks: {} })).toBe(m('14997.284636'));
    expectBalanced(ledger);
  });

  it('a position flip closes the whole position and opens the rest at the fill price; partial closes release cost pro rata', () => {
    const ledger = new Ledger({ instruments: [instrument('binance', 'ETH/USDT:USDT', 1)] });
    ledger.recordFill(fill('binance', 'ETH/USDT:USDT', 'buy', 2, 3000, 0, 'USDT'));
    ledger.recordFill(fill('binance', 'ETH/USDT:USDT', 'sell', 5, 3100, 0, 'USDT'));
    let p = ledger.position('binance', 'ETH/USDT:USDT');
    expect([p.quantity, p.cost, p.averageEntryPrice, p.realisedPnl]).toEqual([-m('3'), -m('9300'), 3100, m('200')]);
    ledger.recordFill(fill('binance', 'ETH/USDT:USDT', 'buy', 1, 3200, 0, 'USDT'));
    p = ledger.position('binance', 'ETH/USDT:USDT');
    expect([p.quantity, p.cost, p.averageEntryPrice, p.realisedPnl]).toEqual([-m('2'), -m('6200'), 3100, m('100')]);
    expect(ledger.cashBalance('binance', 'USDT')).toBe(m('100'));

    // Pro-rata rounding: cost 0.5 for 3 units; closing 1 releases 0.5/3 = 0.16666667 (half even), closing the rest releases the remaining 0.33333333.
    const small = new Ledger({ instruments: [instrument('binance', 'ETH/USDT:USDT', 1)] });
    small.recordFill(fill('binance', 'ETH/USDT:USDT', 'buy', 1, 0.1, 0, 'USDT'));
    small.recordFill(fill('binance', 'ETH/USDT:USDT', 'buy', 2, 0.2, 0, 'USDT'));
    small.recordFill(fill('binance', 'ETH/USDT:USDT', 'sell', 1, 0.3, 0, 'USDT'));
    expect(small.position('binance', 'ETH/USDT:USDT').realisedPnl).toBe(m('0.13333333'));
    expect(small.position('binance', 'ETH/USDT:USDT').cost).toBe(m('0.33333333'));
    small.recordFill(fill('binance', 'ETH/USDT:USDT', 'sell', 2, 0.1 + 0.2, 0, 'USDT')); // 0.30000000000000004 * 2 -> 0.6
    expect(small.position('binance', 'ETH/USDT:USDT').realisedPnl).toBe(m('0.4')); // 0.9 - 0.5, nothing lost to rounding
    expect(small.cashBalance('binance', 'USDT')).toBe(m('0.4'));
    expectBalanced(ledger);
    expectBalanced(small);
  });

  it('a spot flip: selling more than held goes short at the fill price', () => {
    const ledger = new Ledger({ instruments: [instrument('okx', 'ETH/USDT')] });
    ledger.recordFill(fill('okx', 'ETH/USDT', 'buy', 1, 2000, 0, 'USDT'));
    ledger.recordFill(fill('okx', 'ETH/USDT', 'sell', 3, 2100, 0.63, 'USDT'));
    const p = ledger.position('okx', 'ETH/USDT');
    expect([p.quantity, p.cost, p.realisedPnl]).toEqual([-m('2'), -m('4200'), m('100')]);
    expect(ledger.cashBalance('okx', 'ETH')).toBe(-m('2'));
    expect(ledger.cashBalance('okx', 'USDT')).toBe(m('4299.37')); // -2000 + 6300 - 0.63
    expectBalanced(ledger);
  });

  it('an inverse contract round trip: PnL in the base asset = n cs (1/entry - 1/exit)', () => {
    const ledger = new Ledger({ instruments: [instrument('bybit', 'BTC/USD:BTC', 100)] });
    ledger.recordDeposit({ venue: 'bybit', asset: 'BTC', amount: 0.1, ts: T0 });
    // 10 contracts of 100 USD at 50000: entry value 1000/50000 = 0.02 BTC, fee 0.06% = 0.000012 BTC
    ledger.recordFill(fill('bybit', 'BTC/USD:BTC', 'buy', 10, 50000, 0.000012, 'BTC'));
    const open = ledger.position('bybit', 'BTC/USD:BTC', 62500);
    expect([open.quantity, open.cost, open.averageEntryPrice, open.unrealisedPnl]).toEqual([m('10'), -m('0.02'), 50000, m('0.004')]);
    // exit at 62500: 1000/62500 = 0.016 BTC, fee 0.0000096; PnL = 1000 (1/50000 - 1/62500) = 0.004
    ledger.recordFill(fill('bybit', 'BTC/USD:BTC', 'sell', 10, 62500, 0.0000096, 'BTC'));
    expect(ledger.position('bybit', 'BTC/USD:BTC').realisedPnl).toBe(m('0.004'));
    expect(ledger.cashBalance('bybit', 'BTC')).toBe(m('0.1039784'));
    // A short round trip at a price that does not divide: 1000/60000 = 0.01666666666... -> 0.01666667
    ledger.recordFill(fill('bybit', 'BTC/USD:BTC', 'sell', 10, 50000, 0, 'BTC'));
    ledger.recordFill(fill('bybit', 'BTC/USD:BTC', 'buy', 10, 60000, 0, 'BTC'));
    expect(ledger.position('bybit', 'BTC/USD:BTC').realisedPnl).toBe(m('0.004') - m('0.00333333'));
    expect(ledger.equityUsd({ marks: {}, assetPricesUsd: { BTC: 60000 } })).toBe(m('6038.7042')); // 0.10064507 BTC * 60000
    expectBalanced(ledger);
  });

  it('a borrow charge on a short spot leg is paid in the borrowed asset', () => {
    const ledger = new Ledger({ instruments: [instrument('binance', 'BTC/USDT')] });
    ledger.recordFill(fill('binance', 'BTC/USDT', 'sell', 0.01, 100000, 0, 'USDT'));
    const interest = borrowInterest(0.01, 0.00002); // 0.01 * 0.00002 = 0.0000002 BTC
    expect(interest).toBe(20n);
    ledger.recordBorrow({ venue: 'binance', asset: 'BTC', amount: interest, ts: T0 + 3_600_000 });
    expect(ledger.cashBalance('binance', 'BTC')).toBe(-m('0.0100002'));
    expect(ledger.totals().borrowPaid).toEqual({ BTC: m('0.0000002') });
    // Equity: 1000 USDT - 0.0100002 BTC at 100000 = -0.02
    expect(ledger.equityUsd({ marks: { 'binance:BTC/USDT': 100000 } })).toBe(-m('0.02'));
    expectBalanced(ledger);
  });

  it('a liquidation closes the position at its price and books the penalty', () => {
    const ledger = new Ledger({ instruments: [instrument('binance', 'BTC/USDT:USDT', 1)] });
    ledger.recordDeposit({ venue: 'binance', asset: 'USDT', amount: 10000, ts: T0 });
    ledger.recordFill(fill('binance', 'BTC/USDT:USDT', 'buy', 1, 100000, 0, 'USDT'));
    ledger.recordLiquidation({ venue: 'binance', symbol: 'BTC/USDT:USDT', price: 91000, ts: T0 + 1, ref: 'liq-1', penalty: 45.5 });
    expect(ledger.cashBalance('binance', 'USDT')).toBe(m('954.5'));
    expect(ledger.position('binance', 'BTC/USDT:USDT').quantity).toBe(0n);
    expect(ledger.totals().realisedPnl).toEqual({ USDT: -m('9000') });
    expect(ledger.totals().liquidationPenaltiesPaid).toEqual({ USDT: m('45.5') });
    expect(() => ledger.recordLiquidation({ venue: 'binance', symbol: 'BTC/USDT:USDT', price: 91000, ts: T0 + 2, ref: 'liq-2' })).toThrow(/no open position/);
    expectBalanced(ledger);
  });

  it('a dated future settles at expiry; linear quantities are base units whatever the contract size', () => {
    const future = instrument('okx', 'BTC/USDT:USDT-250926', 0.01);
    const ledger = new Ledger({ instruments: [future] });
    ledger.recordFill(fill('okx', 'BTC/USDT:USDT-250926', 'sell', 0.03, 110000, 0, 'USDT')); // 3 OKX contracts of 0.01 BTC = 0.03 BTC
    ledger.recordExpirySettlement({ venue: 'okx', symbol: 'BTC/USDT:USDT-250926', price: 108000, ts: T0, ref: 'expiry' });
    expect(ledger.cashBalance('okx', 'USDT')).toBe(m('60')); // 0.03 * 2000
  });

  it('rejects what an exchange would not send', () => {
    const ledger = new Ledger({ instruments: [instrument('binance', 'BTC/USDT:USDT', 1)] });
    const f = fill('binance', 'BTC/USDT:USDT', 'buy', 1, 100, 0, 'USDT');
    ledger.recordFill(f);
    expect(() => ledger.recordFill(f)).toThrow(/already in the ledger/);
    expect(() => ledger.recordFill(fill('binance', 'ETH/USDT:USDT', 'buy', 1, 100, 0, 'USDT'))).toThrow(/not in the ledger/);
    expect(() => ledger.recordFill(fill('binance', 'BTC/USDT:USDT', 'buy', 0.000000001, 100, 0, 'USDT'))).toThrow(/quantity must be positive/);
    expect(() => ledger.recordFill(fill('binance', 'BTC/USDT:USDT', 'buy', 1, -1, 0, 'USDT'))).toThrow(/price must be a positive/);
    expect(() => ledger.recordFill(fill('binance', 'BTC/USDT:USDT', 'buy', 1, Number.NaN, 0, 'USDT'))).toThrow(/price/);
    expect(() => new Ledger({ instruments: [instrument('bybit', 'BTC/USD:BTC', null)] })).toThrow(/contractSize unknown/);
    expect(new Ledger({ instruments: [instrument('binance', 'ETH/USDT:USDT', null)] }).entryCount).toBe(0); // linear: not needed
    const inverse = new Ledger({ instruments: [instrument('bybit', 'BTC/USD:BTC', 100)] });
    expect(() => inverse.addInstrument(instrument('bybit', 'BTC/USD:BTC', 1))).toThrow(/contract terms differ/);
    expect(() => ledger.recordDeposit({ venue: 'bin:ance', asset: 'USDT', amount: 1, ts: T0 })).toThrow(/not a venue name/);
    expect(() => ledger.equityUsd({ marks: {} })).toThrow(/no mark for open position binance:BTC\/USDT:USDT/);
    const noPrice = new Ledger({ instruments: [instrument('x', 'SOL/EUR')] });
    noPrice.recordDeposit({ venue: 'x', asset: 'SOL', amount: 1, ts: T0 });
    expect(() => noPrice.equityUsd({ marks: { 'x:SOL/EUR': 150 } })).toThrow(/no USD price for asset SOL/);
    expect(ledger.entryCount).toBe(1);
    expect(() =>
      ledger.apply({ seq: 2, ts: T0, kind: 'transfer', ref: 'bad', memo: '', postings: [{ account: 'cash:binance:USDT', asset: 'USDT', amount: 1n }] }),
    ).toThrow(/does not balance: USDT postings sum to 0.00000001/);
  });
});
