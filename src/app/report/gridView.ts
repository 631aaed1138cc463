import { lowerIsBetter, type RankMetric } from '../../engine/sweep/ranking.ts';

/**
 * A sweep's grid reduced to what one chart can show: the varied paths ranked by how much they move
 * the metric, the (at most) two that move it most, and one cell per combination of their values.
 *
 * Importance of a path: the range (max - min) over its values of the mean metric of the
 * combinations with that value (its main effect). With more than two varied paths a cell holds
 * several combinations and shows the best of them (as backtesting.py's heatmaps do, agg = max).
 */

export interface GridScore {
  combo: number;
  params: Readonly<Record<string, unknown>>;
  score: number | null;
  eligible: boolean;
}

export interface PathImportance {
  path: string;
  /** Values in grid order, as labels. */
  values: string[];
  /** Range of the per-value mean metric (null: no value has a score). */
  range: number | null;
}

export interface GridCell {
  x: string;
  /** Null when the chart has one path (a bar chart). */
  y: string | null;
  /** The best score of the cell's combinations (null: none has one). */
  score: number | null;
  /** The combination that holds it (or the cell's first). */
  combo: number;
  combos: number;
  eligible: boolean;
}

export interface GridView {
  metric: RankMetric;
  /** Varied paths, most important first. */
  importance: PathImportance[];
  /** The paths drawn: [x, y] for a heatmap, [x] for a bar chart, [] for a single combination. */
  shown: string[];
  cells: GridCell[];
  /** One sentence on what is drawn and why. */
  note: string;
}

export const valueLabel = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

const mean = (xs: number[]) => (xs.length > 0 ? xs.reduce((a, b) => a + b, 0) / xs.length : null);

function importanceOf(path: string, values: readonly unknown[], rows: readonly GridScore[]): PathImportance {
  const labels = values.map(valueLabel);
  const means = labels
    .map((label) => mean(rows.filter((r) => r.score !== null && valueLabel(r.params[path]) === label).map((r) => r.score!)))
    .filter((m): m is number => m !== null);
  return { path, values: labels, range: means.length > 0 ? Math.max(...means) - Math.min(...means) : null };
}

const fmt = (x: number | null) => (x === null ? 'n/a' : Number(x.toPrecision(3)).toString());

export function gridView(grid: Readonly<Record<string, readonly unknown[]>>, rows: readonly GridScore[], metric: RankMetric): GridView {
  const varied = Object.entries(grid).filter(([, values]) => new Set(values.map(valueLabel)).size > 1);
  const importance = varied.map(([path, values]) => importanceOf(path, values, rows));
  // Most important first; paths without any score last; ties keep the grid order (stable sort).
  const ranked = [...importance].sort((a, b) => (b.range ?? -Infinity) - (a.range ?? -Infinity));
  const shown = ranked.slice(0, 2).map((p) => p.path);
  const better = (a: GridScore, b: GridScore) => (b.score === null ? true : a.score === null ? false : lowerIsBetter(metric) ? a.score < b.score : a.score > b.score);
  const xs = shown.length > 0 ? ranked[0].values : ['all'];
  const ys = shown.length > 1 ? ranked[1].values : [null];
  const cells: GridCell[] = [];
  for (const y of ys) {
    for (const x of xs) {
      const members = rows.filter((r) => (shown.length === 0 || valueLabel(r.params[shown[0]]) === x) && (y === null || valueLabel(r.params[shown[1]]) === y));
      if (members.length === 0) continue;
      const best = members.reduce((a, b) => (better(b, a) && b.score !== null ? b : a));
      cells.push({ x, y, score: best.score, combo: best.combo, combos: members.length, eligible: best.eligible });
    }
  }
  const effects = ranked.map((p) => `${p.path} ${fmt(p.range)}`).join(', ');
  let note: string;
  if (shown.length === 0) note = 'No grid path varies: one combination.';
  else if (varied.length <= 2) note = `Every combination is one ${shown.length === 2 ? 'cell' : 'bar'}.`;
  else {
    const rest = ranked.slice(2).map((p) => p.path);
    note =
      `${varied.length} paths vary; shown are the two that move ${metric} most (range of the mean ${metric} across a path's values: ${effects}). ` +
      `Each cell shows the best ${metric} over the values of ${rest.join(', ')}.`;
  }
  return { metric, importance: ranked, shown, cells, note };
}
