import type { RunRecord } from './runsDb.ts';

/**
 * The headline figures of a recorded run, the same keys for every kind, so runs can be set side by
 * side. A backtest: its summary. A walk-forward sweep: its joined out-of-sample result. A sweep
 * without walk-forward: its best-ranked combination. Only a finished run has figures.
 */

export type MetricUnit = 'fraction' | 'ratio' | 'usd' | 'count';

export interface MetricDef {
  key: string;
  label: string;
  unit: MetricUnit;
}

export const METRICS: readonly MetricDef[] = [
  { key: 'totalReturn', label: 'total return', unit: 'fraction' },
  { key: 'apr', label: 'APR', unit: 'fraction' },
  { key: 'sharpe', label: 'Sharpe', unit: 'ratio' },
  { key: 'sortino', label: 'Sortino', unit: 'ratio' },
  { key: 'maxDrawdown', label: 'max drawdown', unit: 'fraction' },
  { key: 'pnlUsd', label: 'PnL', unit: 'usd' },
  { key: 'startEquityUsd', label: 'start equity', unit: 'usd' },
  { key: 'endEquityUsd', label: 'end equity', unit: 'usd' },
  { key: 'fundingPnl', label: 'funding PnL', unit: 'usd' },
  { key: 'feesPaid', label: 'fees paid', unit: 'usd' },
  { key: 'borrowPaid', label: 'borrow paid', unit: 'usd' },
  { key: 'trades', label: 'trades', unit: 'count' },
  { key: 'winRate', label: 'win rate', unit: 'fraction' },
  { key: 'timeInMarket', label: 'time in market', unit: 'fraction' },
  { key: 'fills', label: 'fills', unit: 'count' },
  { key: 'liquidations', label: 'liquidations', unit: 'count' },
];

export interface RunMetrics {
  /** What the figures are of: 'backtest', 'out-of-sample (walk-forward)', 'best combination 3 (path=value, ...)'. */
  basis: string;
  values: Record<string, number | null>;
}

type Figures = Record<string, unknown>;

const isObject = (v: unknown): v is Figures => typeof v === 'object' && v !== null && !Array.isArray(v);
const numberOrNull = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** The metric list for a set of runs: METRICS, then any `pnlBreakdown` parts their summaries carry. */
export function metricDefs(figures: readonly (RunMetrics | null)[]): MetricDef[] {
  const extra = new Set<string>();
  for (const f of figures) for (const key of Object.keys(f?.values ?? {})) if (key.startsWith('pnlBreakdown.')) extra.add(key);
  return [...METRICS, ...[...extra].map((key) => ({ key, label: key.replace('pnlBreakdown.', 'PnL part '), unit: 'usd' as const }))];
}

function valuesOf(figures: Figures): Record<string, number | null> {
  const values: Record<string, number | null> = {};
  for (const m of METRICS) values[m.key] = numberOrNull(figures[m.key]);
  const start = numberOrNull(figures.startEquityUsd);
  const end = numberOrNull(figures.endEquityUsd);
  if (values.pnlUsd === null && start !== null && end !== null) values.pnlUsd = end - start;
  if (isObject(figures.pnlBreakdown)) for (const [key, v] of Object.entries(figures.pnlBreakdown)) if (numberOrNull(v) !== null) values[`pnlBreakdown.${key}`] = v as number;
  return values;
}

const paramText = (params: unknown) => (isObject(params) ? Object.entries(params).map(([p, v]) => `${p}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(', ') : '');

export function runMetrics(run: RunRecord): RunMetrics | null {
  if (run.state !== 'finished' || !isObject(run.summary)) return null;
  const summary = run.summary;
  if (run.kind !== 'sweep') return { basis: run.kind, values: valuesOf(summary) };
  const wf = isObject(summary.walkForward) ? summary.walkForward : null;
  if (wf && isObject(wf.outOfSample)) return { basis: 'out-of-sample (walk-forward)', values: valuesOf(wf.outOfSample) };
  const best = isObject(summary.best) ? summary.best : null;
  if (best && isObject(best.summary)) return { basis: `best combination ${String(best.combo)} (${paramText(best.params)})`, values: valuesOf(best.summary) };
  return { basis: wf ? 'out-of-sample (walk-forward): nothing traded' : 'no combination ran', values: valuesOf({}) };
}
