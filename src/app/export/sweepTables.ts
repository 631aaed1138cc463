import type { SweepResult } from '../../engine/sweep/sweep.ts';
import { tableFromRecords } from './recordTable.ts';
import type { ColumnKind, ExportTable } from './table.ts';

/**
 * The tables of a sweep export (columns in the README, "Exports"): ranking (every combination,
 * ranked: its grid values under their paths, score, eligibility, summary figures), and for a
 * walk-forward sweep, folds (windows, the chosen combination, train and test figures) and
 * outOfSample (the joined out-of-sample equity curve, with the fold of each point).
 */

const WINDOW_KINDS: Record<string, ColumnKind> = { trainFrom: 'time', trainTo: 'time', testFrom: 'time', testTo: 'time' };
/** Counts are integers (BIGINT in Parquet) whatever values a run happens to have. */
const COUNT_KINDS: Record<string, ColumnKind> = { rank: 'int', combo: 'int', fold: 'int', chosenCombo: 'int', trades: 'int', fills: 'int', liquidations: 'int', events: 'int', testTrades: 'int' };

export function rankingTable(result: SweepResult): ExportTable {
  const paths = Object.keys(result.sweep.grid);
  const records = result.ranking.rows.map((r) => {
    const { execution, ...figures } = r.summary;
    return { rank: r.rank, combo: r.combo, ...Object.fromEntries(paths.map((p) => [p, r.params[p]])), score: r.score, eligible: r.eligible, reason: r.reason, ...figures, execution };
  });
  return tableFromRecords('ranking', records, { kinds: COUNT_KINDS, emptyColumns: [{ name: 'rank', kind: 'int' }, { name: 'combo', kind: 'int' }, { name: 'score', kind: 'float' }] });
}

export function foldsTable(result: SweepResult): ExportTable | null {
  const wf = result.walkForward;
  if (!wf) return null;
  const paths = Object.keys(result.sweep.grid);
  const records = wf.folds.map((f) => ({
    fold: f.fold,
    trainFrom: f.train.fromMs,
    trainTo: f.train.toMs,
    testFrom: f.test.fromMs,
    testTo: f.test.toMs,
    chosenCombo: f.chosen?.combo ?? null,
    ...Object.fromEntries(paths.map((p) => [p, f.chosen ? f.chosen.params[p] : null])),
    trainScore: f.chosen?.trainScore ?? null,
    testScore: f.testScore,
    testTotalReturn: f.testSummary?.totalReturn ?? null,
    testPnlUsd: f.testSummary?.pnlUsd ?? null,
    testSharpe: f.testSummary?.sharpe ?? null,
    testMaxDrawdown: f.testSummary?.maxDrawdown ?? null,
    testTrades: f.testSummary?.trades ?? null,
    testFeesPaid: f.testSummary?.feesPaid ?? null,
    testFundingPnl: f.testSummary?.fundingPnl ?? null,
    note: f.note,
  }));
  return tableFromRecords('folds', records, { kinds: { ...WINDOW_KINDS, ...COUNT_KINDS } });
}

export function outOfSampleTable(result: SweepResult): ExportTable | null {
  const wf = result.walkForward;
  if (!wf) return null;
  const curve = wf.outOfSample?.equity ?? [];
  const foldAt = (ts: number) => wf.folds.find((f) => ts >= f.test.fromMs && ts < f.test.toMs)?.fold ?? wf.folds[wf.folds.length - 1]?.fold ?? null;
  let peak = Number.NEGATIVE_INFINITY;
  return {
    name: 'outOfSample',
    columns: [
      { name: 'ts', kind: 'time' },
      { name: 'fold', kind: 'int' },
      { name: 'equityUsd', kind: 'float' },
      { name: 'drawdown', kind: 'float' },
    ],
    rows: curve.map((p) => {
      peak = Math.max(peak, p.equityUsd);
      return [p.ts, foldAt(p.ts), p.equityUsd, peak > 0 ? (peak - p.equityUsd) / peak : null];
    }),
  };
}

export function sweepTables(result: SweepResult): ExportTable[] {
  return [rankingTable(result), foldsTable(result), outOfSampleTable(result)].filter((t): t is ExportTable => t !== null);
}
