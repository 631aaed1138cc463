import { expect } from 'vitest';
import type { BacktestRun } from '../../src/engine/backtest.ts';
import { minorFromNumber, type Minor } from '../../src/portfolio/money.ts';

/** A JSON number of the summary (at most 8 decimals) back in minor units: exact below 2^53 / 1e8 USD. */
export const minor = (usd: number): Minor => minorFromNumber(usd);

const sum = (xs: readonly Minor[]) => xs.reduce((a, b) => a + b, 0n);

/**
 * Checks a USDT-only run's PnL breakdown and round trips against the ledger, exactly (minor units):
 * - the parts sum to end - start equity, in the engine's minor units and in the summary's numbers;
 * - funding, fees, borrow and liquidation fees equal the ledger's totals;
 * - price equals realised PnL plus the unrealised PnL of what is open at the final marks (an
 *   independent computation: the breakdown takes price as the rest of the equity change);
 * - every round trip's net is the sum of its parts; trades and winRate follow the list.
 * Returns the sum of the round trips' net PnL (minor) for the caller's own checks.
 */
export function expectExactBreakdown(run: BacktestRun): Minor {
  const { result, summary } = run;
  const b = result.pnlBreakdown!;
  const parts = [b.priceUsd, b.fundingUsd, b.feesUsd, b.borrowUsd, b.liquidationFeesUsd];
  expect(b.netDepositsUsd).toBe(0n);
  expect(sum(parts)).toBe(b.endEquityUsd - b.startEquityUsd);
  expect(minor(summary.startEquityUsd)).toBe(b.startEquityUsd);
  expect(minor(summary.endEquityUsd)).toBe(b.endEquityUsd);
  const p = summary.pnlBreakdown;
  expect(Object.keys(p)).toEqual(['priceUsd', 'fundingUsd', 'feesUsd', 'borrowUsd', 'liquidationFeesUsd']);
  expect(sum(Object.values(p).map(minor))).toBe(minor(summary.endEquityUsd) - minor(summary.startEquityUsd));

  const totals = result.ledger.totals();
  for (const amounts of Object.values(totals)) expect(Object.keys(amounts).every((asset) => asset === 'USDT')).toBe(true);
  const usdt = (x: Record<string, Minor>) => x.USDT ?? 0n;
  expect(b.fundingUsd).toBe(usdt(totals.fundingNet));
  expect(b.feesUsd).toBe(-usdt(totals.feesPaid));
  expect(b.borrowUsd).toBe(-usdt(totals.borrowPaid));
  expect(b.liquidationFeesUsd).toBe(-usdt(totals.liquidationPenaltiesPaid));
  const unrealised = sum(result.ledger.positions({ marks: result.finalMarks }).map((pos) => pos.unrealisedPnl!));
  expect(b.priceUsd).toBe(usdt(totals.realisedPnl) + unrealised);

  const trips = summary.roundTrips;
  expect(summary.trades).toBe(trips.length);
  expect(summary.winRate).toBe(trips.length > 0 ? trips.filter((t) => t.netPnlUsd > 0).length / trips.length : null);
  for (const t of trips) {
    expect(minor(t.netPnlUsd), t.id).toBe(sum([t.pricePnlUsd, t.fundingUsd, t.feesUsd, t.borrowUsd, t.liquidationFeesUsd].map(minor)));
    expect(t.feesUsd, t.id).toBeLessThanOrEqual(0);
    expect(t.holdingMs, t.id).toBe((t.closedAt ?? summary.endTs) - t.openedAt);
    expect(t.exitReason === 'endOfData', t.id).toBe(t.closedAt === null);
  }
  return sum(trips.map((t) => minor(t.netPnlUsd)));
}
