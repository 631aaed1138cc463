import Database from 'better-sqlite3';
import { join } from 'node:path';
import { replayInput } from '../../src/data/replay/replay.ts';
import { describe, expect, it } from 'vitest';
import { sourceFromColumns } from '../../src/data/replay/sources.ts';
import { Engine } from '../../src/engine/engine.ts';
import { summarize } from '../../src/engine/summary.ts';
import { linearLiquidationPrice } from '../../src/model/liquidationPrice.ts';
import { isBalanceSheetAccount, parseAccount } from '../../src/portfolio/accounts.ts';
import { decimalFromNumber, formatMinor, minorFromNumber, minorToNumber, mulToMinor } from '../../src/portfolio/money.ts';
import { SqliteLedgerStore } from '../../src/portfolio/sqliteLedgerStore.ts';
import { FundingCarryStrategy } from '../../src/strategy/fundingCarry.ts';
import { SimulatedVenue } from '../../src/venues/sim/simulatedVenue.ts';
import { useTempDirs } from '../support/tempDir.ts';
import { bars, EXACT_FILLS, fundingRows, MINUTE, perp, spot, T0 } from './engineSupport.ts';

const V = 'sim';
const PERP = 'BTC/USDT:USDT';

/** 1m bars with their own open, high, low and close. */
function ohlcBars(symbol: string, rows: { ts: number; open: number; high: number; low: number; close: number }[]) {
  const col = (f: (r: (typeof rows)[number]) => number) => Float64Array.from(rows.map(f));
  return sourceFromColumns(
    { table: 'bars', venue: V, symbol, timeframe: '1m' },
    { ts: col((r) => r.ts), open: col((r) => r.open), high: col((r) => r.high), low: col((r) => r.low), close: col((r) => r.close), volume: col(() => 1e6) },
    rows.length,
  );
}

describe('engine: a carry at 10x isolated whose short perp is liquidated by a price spike', () => {
  const tempDir = useTempDirs();

  it('liquidates at the hand-computed price and loss, closes the naked spot leg, conserves value, counts 1 liquidation', async () => {
    const instruments = [spot(V), perp(V)]; // spot taker 0.1%, perp taker 0.05%, perp lot 0.001
    const venue = new SimulatedVenue({
      venue: V,
      instruments,
      balances: { USDT: 100_000 },
      fill: EXACT_FILLS,
      margin: { defaults: { leverage: 10, marginMode: 'isolated' } }, // maintenance 0.4%, liquidation fee 0.5% (defaults)
    });
    const strategy = new FundingCarryStrategy({ spot: `${V}:BTC/USDT`, perp: `${V}:${PERP}`, notionalUsd: 10_000, roundTripCostRate: 0 });
    const journal = SqliteLedgerStore.open(join(tempDir(), 'liquidation.sqlite'));
    const engine = new Engine({ venues: [venue], instruments, strategy, deposits: [{ venue: V, asset: 'USDT', amount: 100_000 }], ledgerSink: journal });
    const result = await engine.run(replayInput([
      bars(V, 'BTC/USDT', [
        { ts: T0, close: 50_000 },
        { ts: T0 + 3 * MINUTE, close: 55_000 },
      ]),
      ohlcBars(PERP, [
        { ts: T0, open: 50_000, high: 50_000, low: 50_000, close: 50_000 },
        // Closes at T0+4m, after the spot bar of the same minute: the perp's range passes 56,000.
        { ts: T0 + 3 * MINUTE, open: 50_000, high: 56_000, low: 50_000, close: 55_500 },
      ]),
      fundingRows(V, PERP, [{ ts: T0 + 2 * MINUTE, rate: 0.0001 }]), // opens long 0.2 spot / short 0.2 perp at 50,000
    ]));

    // Liquidation price of the short: isolated margin C = 0.2 * 50000 / 10 = 1000, m = 0.004,
    // P = (E + C / |q|) / (1 + m) = (50000 + 5000) / 1.004 = 54,780.876494...
    const liquidationPrice = 55_000 / 1.004;
    expect(linearLiquidationPrice({ quantity: -0.2, entryPrice: 50_000, collateral: 1000, maintenanceMarginRate: 0.004 })).toBeCloseTo(liquidationPrice, 9);
    expect(liquidationPrice.toFixed(6)).toBe('54780.876494');
    expect(result.liquidations).toHaveLength(1);
    const liq = result.liquidations[0];
    // The bar opened below the liquidation price and its high passed it: closed at the liquidation price.
    expect(liq).toMatchObject({ venue: V, symbol: PERP, ts: T0 + 4 * MINUTE, positionQty: -0.2, marginMode: 'isolated', feeAsset: 'USDT' });
    expect(liq.price).toBeCloseTo(liquidationPrice, 9);
    const liquidationFee = 0.005 * 0.2 * liquidationPrice; // 54.780876
    expect(liq.liquidationFee).toBeCloseTo(liquidationFee, 9);
    // At the trigger equity (collateral + PnL at P) equals the maintenance margin (m * 0.2 * P).
    expect(liq.equityAtTrigger).toBeCloseTo(liq.maintenanceMarginAtTrigger, 8);
    expect(liq.maintenanceMarginAtTrigger).toBeCloseTo(0.004 * 0.2 * liquidationPrice, 9);

    // The executor closed the naked spot leg at once, on the same event, at the spot price 55,000.
    expect(result.execution.map((e) => e.type)).toEqual(['pairOpened', 'legLiquidated', 'pairClosed']);
    expect(result.execution[1]).toMatchObject({ id: 'carry-1', leg: 'short', quantity: 0.2, ts: T0 + 4 * MINUTE });
    expect(result.execution[2]).toMatchObject({ id: 'carry-1', ts: T0 + 4 * MINUTE });
    expect(engine.executor.activePairs()).toEqual([]);
    expect(await venue.positions()).toEqual([]);
    expect(engine.ledger.positions().filter((p) => p.quantity !== 0n)).toEqual([]);
    expect(engine.ledger.cash(V).find((c) => c.asset === 'BTC')?.amount ?? 0n).toBe(0n);
    const spotSell = result.fills.at(-1)!;
    expect(spotSell.notionalUsd).toBeCloseTo(0.2 * 55_000, 9);

    // Loss on the perp: (50000 - P) * 0.2 = -956.175299 and the liquidation fee; the spot leg gains 1000.
    const perpLoss = (50_000 - liquidationPrice) * 0.2;
    expect(perpLoss.toFixed(6)).toBe('-956.175299');
    const realised = 1000 + perpLoss;
    // Trading fees: spot buy 10, perp sell 5, spot sell 11 = 26; the liquidation fee is booked apart.
    const tradingFees = 0.001 * 10_000 + 0.0005 * 10_000 + 0.001 * 11_000;
    const fees = tradingFees + liquidationFee;
    expect(result.feesPaidUsd).toBe(26);
    expect(result.liquidationFeesPaidUsd).toBeCloseTo(liquidationFee, 8);
    const totals = engine.ledger.totals();
    expect(minorToNumber(totals.realisedPnl.USDT!)).toBeCloseTo(realised, 8);
    const cash = minorToNumber(engine.ledger.cashBalance(V, 'USDT'));
    expect(cash.toFixed(2)).toBe('99963.04');
    expect(cash).toBeCloseTo(100_000 + realised - fees, 7);

    // Conservation: every asset's accounts sum to zero (double entry), and cash + positions at cost
    // moved only by deposits, realised PnL, fees, funding, borrow and penalties.
    const sums = new Map<string, bigint>();
    const balanceSheet = new Map<string, bigint>();
    for (const b of engine.ledger.accountBalances()) {
      sums.set(b.asset, (sums.get(b.asset) ?? 0n) + b.amount);
      if (isBalanceSheetAccount(parseAccount(b.account).type)) balanceSheet.set(b.asset, (balanceSheet.get(b.asset) ?? 0n) + b.amount);
    }
    for (const [, sum] of sums) expect(sum).toBe(0n);
    const usdt = (x: Record<string, bigint>) => x.USDT ?? 0n;
    const flows = usdt(totals.netDeposits) + usdt(totals.realisedPnl) - usdt(totals.feesPaid) + usdt(totals.fundingNet) - usdt(totals.borrowPaid) - usdt(totals.liquidationPenaltiesPaid);
    expect(balanceSheet.get('USDT')).toBe(flows);
    expect(usdt(totals.netDeposits)).toBe(minorFromNumber(100_000));
    // The venue's float wallet agrees with the exact ledger.
    expect((await venue.balances()).find((b) => b.asset === 'USDT')!.walletBalance).toBeCloseTo(cash, 6);

    const summary = summarize(result);
    expect(summary.liquidations).toBe(1);
    expect(summary.trades).toBe(1);
    expect(summary.fills).toBe(4);
    expect(summary.execution).toEqual({ pairOpened: 1, legLiquidated: 1, pairClosed: 1 });

    // Defect 4d: journalled as a liquidation with its fee (the ledger's liquidation account), not as a taker fill.
    const penalty = minorFromNumber(liq.liquidationFee);
    expect(totals.liquidationPenaltiesPaid).toEqual({ USDT: penalty });
    expect(totals.feesPaid).toEqual({ USDT: minorFromNumber(26) });
    journal.close();
    const reread = SqliteLedgerStore.open(journal.path, { readonly: true });
    try {
      const ledger = reread.loadLedger({ unfinished: 'allow' });
      expect(ledger.totals().liquidationPenaltiesPaid).toEqual({ USDT: penalty });
    } finally {
      reread.close();
    }
    const db = new Database(journal.path, { readonly: true });
    try {
      const kinds = db.prepare('SELECT kind, memo FROM entries ORDER BY seq').all() as { kind: string; memo: string }[];
      expect(kinds.map((k) => k.kind)).toEqual(['deposit', 'fill', 'fill', 'liquidation', 'fill']);
      expect(kinds[3].memo).toMatch(/^0\.2 BTC\/USDT:USDT @ 54780\.87649\d* penalty 54\.78087649/);
    } finally {
      db.close();
    }

    // The breakdown: price = the realised PnL (flat at the end), fees -26, liquidation fees minus
    // the penalty, no funding (the only settlement came before the pair), summing EXACTLY to the change.
    const b = result.pnlBreakdown!;
    expect(b.priceUsd).toBe(totals.realisedPnl.USDT);
    // Spot +1000 exactly; perp short: -(0.2 P, rounded once) - (-10,000) at the liquidation price P.
    expect(formatMinor(b.priceUsd)).toBe(formatMinor(minorFromNumber(1000) + minorFromNumber(10_000) - mulToMinor(decimalFromNumber(0.2), decimalFromNumber(liq.price))));
    expect(minorToNumber(b.priceUsd).toFixed(6)).toBe((1000 + perpLoss).toFixed(6)); // 43.824701
    expect(b.feesUsd).toBe(-minorFromNumber(26));
    expect(b.liquidationFeesUsd).toBe(-penalty);
    expect(b.fundingUsd).toBe(0n);
    expect(b.borrowUsd).toBe(0n);
    expect(b.priceUsd + b.fundingUsd + b.feesUsd + b.borrowUsd + b.liquidationFeesUsd).toBe(b.endEquityUsd - b.startEquityUsd);
    expect(b.endEquityUsd - b.startEquityUsd).toBe(engine.ledger.cashBalance(V, 'USDT') - minorFromNumber(100_000));
    expect(summary.pnlBreakdown).toEqual({ priceUsd: minorToNumber(b.priceUsd), fundingUsd: 0, feesUsd: -26, borrowUsd: 0, liquidationFeesUsd: -minorToNumber(penalty) });
    expect(summary.liquidationFeesPaid).toBe(minorToNumber(penalty));
    expect(summary.notes.some((n) => n.startsWith('1 liquidation closed a leg at the venue: 54.78 USD of liquidation fees'))).toBe(true);

    // The round trip says how it ended, and its parts are the run's.
    const [trip] = summary.roundTrips;
    expect(trip).toMatchObject({ id: 'carry-1', exitReason: 'liquidation', entryReason: 'threshold', exitReasonText: null, closedAt: T0 + 4 * MINUTE, feesUsd: -26, fundingUsd: 0, borrowUsd: 0 });
    expect(trip.liquidationFeesUsd).toBe(-minorToNumber(penalty));
    expect(trip.pricePnlUsd).toBe(minorToNumber(b.priceUsd));
    expect(minorFromNumber(trip.netPnlUsd)).toBe(b.endEquityUsd - b.startEquityUsd);
    expect(trip.legs[1]).toMatchObject({ instrument: `${V}:${PERP}`, side: 'short', quantity: 0.2, averageEntryPrice: 50_000 });
    expect(trip.legs[1].averageExitPrice).toBeCloseTo(liquidationPrice, 6);
  });
});
