import { performanceMetrics, type PerformanceMetrics } from '../model/performanceMetrics.ts';
import type { RiskSummary } from '../risk/riskFigures.ts';
import type { EngineResult } from './engine.ts';
import { breakdownUsd, type PnlBreakdown } from './pnlBreakdown.ts';
import type { RoundTripRecord } from './roundTrip.ts';
import { feesShareOfGrossProfit, turnoverNotes } from './turnoverNotes.ts';

/** The headline figures of a backtest (JSON summary of `perp-arb backtest`). */
export interface BacktestSummary {
  startTs: number;
  endTs: number;
  startEquityUsd: number;
  endEquityUsd: number;
  totalReturn: number;
  apr: number | null;
  sharpe: number | null;
  sortino: number | null;
  maxDrawdown: number;
  maxDrawdownDurationMs: number;
  var95: number | null;
  cvar95: number | null;
  var99: number | null;
  cvar99: number | null;
  fundingPnl: number;
  feesPaid: number;
  borrowPaid: number;
  /** Liquidation fees the venue kept (booked as liquidations, not trading fees). */
  liquidationFeesPaid: number;
  /**
   * Where the equity change came from, each part signed as it moved equity; the parts sum exactly
   * (in minor units) to endEquityUsd - startEquityUsd (src/engine/pnlBreakdown.ts).
   */
  pnlBreakdown: PnlBreakdown;
  /** Trading fees / (price + funding), null when price + funding is not positive (src/engine/turnoverNotes.ts). */
  feesShareOfGrossProfit: number | null;
  turnover: number | null;
  fills: number;
  /** Round trips (roundTrips.length). */
  trades: number;
  /** Share of round trips with netPnlUsd > 0. */
  winRate: number | null;
  timeInMarket: number | null;
  liquidations: number;
  /** Market events replayed. */
  events: number;
  elapsedMs: number;
  eventsPerSec: number;
  execution: Record<string, number>;
  /** Plain sentences about where the money went (e.g. fees exceeding what funding and price earned). */
  notes: string[];
  roundTrips: RoundTripRecord[];
  /** VaR/CVaR (historical and parametric, 1 day), exposure, liquidation distance, margin use and the risk layer's actions (src/risk/riskFigures.ts). */
  risk: RiskSummary;
}

export function summarize(result: EngineResult): BacktestSummary {
  if (result.equity.length === 0) throw new Error('the backtest produced no equity point (no market data in the range?)');
  const equity = result.equity;
  if (result.pnlBreakdown === null) throw new Error('the backtest produced no PnL breakdown (no equity point)');
  const roundTrips = result.roundTrips.map((t) => ({ entryTs: t.openedAt, exitTs: t.closedAt, pnlUsd: t.netPnlUsd }));
  const m: PerformanceMetrics = performanceMetrics({ equity, fills: result.fills, roundTrips, funding: result.funding });
  const pnlBreakdown = breakdownUsd(result.pnlBreakdown);
  const execution: Record<string, number> = {};
  for (const e of result.execution) execution[e.type] = (execution[e.type] ?? 0) + 1;
  return {
    startTs: m.startTs,
    endTs: m.endTs,
    startEquityUsd: m.startEquityUsd,
    endEquityUsd: m.endEquityUsd,
    totalReturn: m.totalReturn,
    apr: m.apr,
    sharpe: m.sharpe,
    sortino: m.sortino,
    maxDrawdown: m.maxDrawdown,
    maxDrawdownDurationMs: m.maxDrawdownDurationMs,
    var95: m.var95,
    cvar95: m.cvar95,
    var99: m.var99,
    cvar99: m.cvar99,
    fundingPnl: round8(result.fundingPnlUsd),
    feesPaid: round8(result.feesPaidUsd),
    borrowPaid: round8(result.borrowPaidUsd),
    liquidationFeesPaid: round8(result.liquidationFeesPaidUsd),
    pnlBreakdown,
    feesShareOfGrossProfit: feesShareOfGrossProfit(pnlBreakdown),
    turnover: m.turnover,
    fills: m.fills,
    trades: m.trades,
    winRate: m.winRate,
    timeInMarket: m.timeInMarket,
    liquidations: result.liquidations.length,
    events: result.stats.events,
    elapsedMs: Math.round(result.elapsedMs),
    eventsPerSec: result.elapsedMs > 0 ? Math.round((result.stats.events / result.elapsedMs) * 1000) : 0,
    execution,
    notes: turnoverNotes({ breakdown: pnlBreakdown, roundTrips: m.trades, fills: m.fills, liquidations: result.liquidations.length, startEquityUsd: m.startEquityUsd, endEquityUsd: m.endEquityUsd }),
    roundTrips: result.roundTrips,
    risk: result.risk,
  };
}

function round8(x: number): number {
  return Math.round(x * 1e8) / 1e8;
}
