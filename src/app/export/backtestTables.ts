import type { EngineResult } from '../../engine/engine.ts';
import type { TradeLog } from '../../engine/tradeLog.ts';
import { tableFromRecords } from './recordTable.ts';
import { finiteOrNull, type ExportColumn, type ExportTable } from './table.ts';

/**
 * The tables of a backtest export (columns documented in the README, "Exports"):
 * trades (the engine's round trips, every field they have), fills and funding (the trade log's full
 * venue records), equity (the sampled curve with its drawdown).
 */

/** The columns of a round trip (src/engine/roundTrip.ts, two legs), for a run without any (the list then gives none). */
const LEG_COLUMNS = (k: number): ExportColumn[] => [
  { name: `legs.${k}.instrument`, kind: 'text' },
  { name: `legs.${k}.side`, kind: 'text' },
  { name: `legs.${k}.quantity`, kind: 'float' },
  { name: `legs.${k}.averageEntryPrice`, kind: 'float' },
  { name: `legs.${k}.averageExitPrice`, kind: 'float' },
];
const ROUND_TRIP_COLUMNS: ExportColumn[] = [
  { name: 'id', kind: 'text' },
  { name: 'strategy', kind: 'text' },
  ...LEG_COLUMNS(0),
  ...LEG_COLUMNS(1),
  { name: 'openedAt', kind: 'time' },
  { name: 'closedAt', kind: 'time' },
  { name: 'holdingMs', kind: 'int' },
  ...['netPnlUsd', 'pricePnlUsd', 'fundingUsd', 'feesUsd', 'borrowUsd', 'liquidationFeesUsd'].map((name): ExportColumn => ({ name, kind: 'float' })),
  ...['entryReason', 'exitReason', 'entryReasonText', 'exitReasonText'].map((name): ExportColumn => ({ name, kind: 'text' })),
];

const FILL_COLUMNS: ExportColumn[] = [
  { name: 'ts', kind: 'time' },
  { name: 'venue', kind: 'text' },
  { name: 'symbol', kind: 'text' },
  { name: 'side', kind: 'text' },
  { name: 'quantity', kind: 'float' },
  { name: 'price', kind: 'float' },
  { name: 'notionalUsd', kind: 'float' },
  { name: 'fee', kind: 'float' },
  { name: 'feeAsset', kind: 'text' },
  { name: 'feeUsd', kind: 'float' },
  { name: 'liquidity', kind: 'text' },
  { name: 'kind', kind: 'text' },
  { name: 'orderId', kind: 'text' },
  { name: 'fillId', kind: 'text' },
];

const FUNDING_COLUMNS: ExportColumn[] = [
  { name: 'ts', kind: 'time' },
  { name: 'venue', kind: 'text' },
  { name: 'symbol', kind: 'text' },
  { name: 'fundingRatePerInterval', kind: 'float' },
  { name: 'markPrice', kind: 'float' },
  { name: 'positionQty', kind: 'float' },
  { name: 'amount', kind: 'float' },
  { name: 'asset', kind: 'text' },
  { name: 'amountUsd', kind: 'float' },
];

const EQUITY_COLUMNS: ExportColumn[] = [
  { name: 'ts', kind: 'time' },
  { name: 'equityUsd', kind: 'float' },
  { name: 'drawdown', kind: 'float' },
];

export function tradesTable(roundTrips: readonly object[]): ExportTable {
  return tableFromRecords('trades', roundTrips, { emptyColumns: ROUND_TRIP_COLUMNS });
}

export function fillsTable(log: TradeLog): ExportTable {
  return {
    name: 'fills',
    columns: FILL_COLUMNS,
    rows: log.fills.map(({ fill: f, kind, notionalUsd, feeUsd }) => [
      f.ts,
      f.venue,
      f.symbol,
      f.side,
      f.quantity,
      f.price,
      finiteOrNull(notionalUsd),
      f.fee,
      f.feeAsset,
      finiteOrNull(feeUsd),
      f.liquidity,
      kind,
      f.clientOrderId,
      f.fillId,
    ]),
  };
}

export function fundingTable(log: TradeLog): ExportTable {
  return {
    name: 'funding',
    columns: FUNDING_COLUMNS,
    rows: log.funding.map(({ payment: p, amountUsd }) => [p.ts, p.venue, p.symbol, p.fundingRatePerInterval, p.markPrice, p.positionQty, p.amount, p.asset, finiteOrNull(amountUsd)]),
  };
}

/** drawdown: (running peak - equity) / running peak (0.25 = 25% below the peak), as the summary's maxDrawdown. */
export function equityTable(equity: EngineResult['equity']): ExportTable {
  let peak = Number.NEGATIVE_INFINITY;
  return {
    name: 'equity',
    columns: EQUITY_COLUMNS,
    rows: equity.map((p) => {
      peak = Math.max(peak, p.equityUsd);
      return [p.ts, finiteOrNull(p.equityUsd), peak > 0 ? finiteOrNull((peak - p.equityUsd) / peak) : null];
    }),
  };
}

export function backtestTables(result: EngineResult, log: TradeLog): ExportTable[] {
  return [tradesTable(result.roundTrips), fillsTable(log), fundingTable(log), equityTable(result.equity)];
}
