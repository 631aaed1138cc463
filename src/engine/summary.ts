import { performanceMetrics, type PerformanceMetrics } from '../model/performanceMetrics.ts';
import type { EngineResult } from './engine.ts';

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
  turnover: number | null;
  fills: number;
  trades: number;
  winRate: number | null;
  timeInMarket: number | null;
  liquidations: number;
  /** Market events replayed. */
  events: number;
  elapsedMs: number;
  eventsPerSec: number;
  execution: Record<string, number>;
}

export function summarize(result: EngineResult): BacktestSummary {
  if (result.equity.length === 0) throw new Error('the backtest produced no equity point (no market data in the range?)');
  const equity = result.equity;
  const m: PerformanceMetrics = performanceMetrics({ equity, fills: result.fills, roundTrips: result.roundTrips, funding: result.funding });
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
  };
}

function round8(x: number): number {
  return Math.round(x * 1e8) / 1e8;
}
