import { performanceMetrics, type EquityPoint } from '../../model/performanceMetrics.ts';
import type { JobSummary } from './job.ts';
import type { RankedFigures } from './ranking.ts';
import type { TimeWindow } from './windows.ts';

/** One fold's test: its run, or null when no combination was eligible (the fold sits in cash). */
export interface FoldTest {
  test: TimeWindow;
  run: { summary: JobSummary; equity: EquityPoint[] } | null;
}

/**
 * The folds' test runs joined into one out-of-sample result. Each test run starts from the base
 * capital, so the curves are chained: fold k's curve is scaled to start where fold k-1's ended
 * (compounding), and a fold without a run holds its equity flat (samples every `sampleMs`).
 * totalReturn = prod(1 + r_k) - 1; pnlUsd = the sum of the folds' PnL (each on the base capital);
 * sharpe, sortino, apr and maxDrawdown are those of the joined curve; meanFoldSharpe averages the
 * folds' own Sharpe ratios (those defined).
 */
export interface OutOfSample extends RankedFigures {
  window: TimeWindow;
  folds: number;
  /** Folds that traded a chosen combination (the others sat flat). */
  foldsRun: number;
  startEquityUsd: number;
  endEquityUsd: number;
  meanFoldSharpe: number | null;
  foldsWithSharpe: number;
  feesPaid: number;
  fundingPnl: number;
  borrowPaid: number;
  liquidations: number;
  equity: EquityPoint[];
}

const round8 = (x: number) => Math.round(x * 1e8) / 1e8;

/** Null when no fold has a run (nothing traded out of sample). */
export function joinOutOfSample(folds: readonly FoldTest[], sampleMs: number): OutOfSample | null {
  const first = folds.find((f) => f.run !== null)?.run;
  if (!first || folds.length === 0) return null;
  const startEquityUsd = first.summary.startEquityUsd;
  const equity: EquityPoint[] = [];
  let level = startEquityUsd;
  const push = (ts: number, equityUsd: number) => {
    if (equity.length > 0 && ts <= equity[equity.length - 1].ts) return;
    equity.push({ ts, equityUsd });
  };
  let pnlUsd = 0;
  let trades = 0;
  let wins = 0;
  let feesPaid = 0;
  let fundingPnl = 0;
  let borrowPaid = 0;
  let liquidations = 0;
  const sharpes: number[] = [];
  for (const fold of folds) {
    if (!fold.run) {
      for (let ts = fold.test.fromMs; ts < fold.test.toMs; ts += sampleMs) push(ts, level);
      continue;
    }
    const { summary, equity: curve } = fold.run;
    const scale = level / curve[0].equityUsd;
    for (const p of curve) push(p.ts, p.equityUsd * scale);
    level = curve[curve.length - 1].equityUsd * scale;
    pnlUsd += summary.pnlUsd;
    trades += summary.trades;
    wins += Math.round((summary.winRate ?? 0) * summary.trades);
    feesPaid += summary.feesPaid;
    fundingPnl += summary.fundingPnl;
    borrowPaid += summary.borrowPaid;
    liquidations += summary.liquidations;
    if (summary.sharpe !== null) sharpes.push(summary.sharpe);
  }
  const m = performanceMetrics({ equity });
  return {
    window: { fromMs: folds[0].test.fromMs, toMs: folds[folds.length - 1].test.toMs },
    folds: folds.length,
    foldsRun: folds.filter((f) => f.run !== null).length,
    startEquityUsd,
    endEquityUsd: round8(level),
    totalReturn: level / startEquityUsd - 1,
    apr: m.apr,
    sharpe: m.sharpe,
    sortino: m.sortino,
    maxDrawdown: m.maxDrawdown,
    pnlUsd: round8(pnlUsd),
    trades,
    winRate: trades > 0 ? wins / trades : null,
    meanFoldSharpe: sharpes.length > 0 ? sharpes.reduce((a, b) => a + b, 0) / sharpes.length : null,
    foldsWithSharpe: sharpes.length,
    feesPaid: round8(feesPaid),
    fundingPnl: round8(fundingPnl),
    borrowPaid: round8(borrowPaid),
    liquidations,
    equity,
  };
}
