import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import type { SweepResult } from '../../engine/sweep/sweep.ts';
import { specToSvg } from './backtestReport.ts';
import { gridView, valueLabel, type GridScore, type GridView } from './gridView.ts';
import { escapeHtml, htmlTable } from './htmlText.ts';
import { equitySpec, foldScoresSpec, gridSpec } from './sweepCharts.ts';

/**
 * The sweep report: ONE self-contained HTML file (vega-lite rendered to inline SVG, no script, no
 * CDN), like the backtest report. The grid as a heatmap (or bar chart) of the ranking metric; for a
 * walk-forward sweep, the in-sample grid (mean training score over the folds) beside the grid over
 * the out-of-sample span, each fold's training score beside its test score, the joined
 * out-of-sample equity, and the in-sample best beside the walk-forward result.
 */

export interface SweepReportInput {
  result: SweepResult;
  workers: number;
  elapsedMs: number;
  title?: string;
}

export interface SweepReportHtml {
  html: string;
  /** Titles of the charts drawn, in order. */
  charts: string[];
}

const WIDTH = 960;
const HALF = 440;
const TOP_ROWS = 20;
const pct = (x: number | null | undefined) => (x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : `${(x * 100).toFixed(2)}%`);
const num = (x: number | null | undefined, digits = 2) => (x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }));

interface Chart {
  name: string;
  kind: string;
  spec: TopLevelSpec;
  /** Charts of one group are laid out side by side. */
  group?: string;
}

const chartKind = (view: GridView) => (view.shown.length === 2 ? 'heatmap' : 'bars');

/** Per combination, the mean of its training scores over the folds (the in-sample view of the grid). */
function inSampleScores(result: SweepResult): GridScore[] {
  const wf = result.walkForward!;
  const byCombo = new Map<number, { sum: number; n: number; eligible: boolean }>();
  for (const fold of wf.folds) {
    for (const r of fold.trainRanking) {
      const entry = byCombo.get(r.combo) ?? { sum: 0, n: 0, eligible: false };
      if (r.score !== null) {
        entry.sum += r.score;
        entry.n++;
      }
      entry.eligible ||= r.eligible;
      byCombo.set(r.combo, entry);
    }
  }
  const params = new Map(result.ranking.rows.map((r) => [r.combo, r.params]));
  return [...byCombo].map(([combo, e]) => ({ combo, params: params.get(combo) ?? {}, score: e.n > 0 ? e.sum / e.n : null, eligible: e.eligible }));
}

function overviewRows(input: SweepReportInput): [string, string][] {
  const { sweep, jobs, ranking } = input.result;
  return [
    ['Sweep file', sweep.source],
    ['Base config', sweep.base],
    ['Strategy', sweep.strategy],
    ['Data', sweep.data === 'synthetic' ? 'SYNTHETIC (seeded generator)' : 'store'],
    ['Combinations', String(sweep.combinations)],
    ['Backtests', `${jobs.total} (${jobs.failed} failed) on ${input.workers} worker(s) in ${(input.elapsedMs / 1000).toFixed(1)} s`],
    ['Ranked by', `${sweep.rankBy} (${sweep.rankBy === 'maxDrawdown' ? 'lowest' : 'highest'} first)${sweep.minTrades > 0 ? `, at least ${sweep.minTrades} trades` : ''}`],
    ['Ranked over', ranking.window ? `the out-of-sample span ${ranking.window.from} .. ${ranking.window.to}, with hindsight` : 'each combination’s whole span'],
  ];
}

function rankingTable(result: SweepResult): string {
  const paths = Object.keys(result.sweep.grid);
  const rows = result.ranking.rows.slice(0, TOP_ROWS).map((r) => [
    `${r.rank}${r.eligible ? '' : '*'}`,
    String(r.combo),
    ...paths.map((p) => valueLabel(r.params[p])),
    num(r.score, 4),
    pct(r.summary.totalReturn),
    pct(r.summary.apr),
    num(r.summary.sharpe),
    pct(r.summary.maxDrawdown),
    String(r.summary.trades),
    num(r.summary.feesPaid),
    num(r.summary.fundingPnl),
  ]);
  return htmlTable(['rank', 'combo', ...paths, 'score', 'return', 'APR', 'Sharpe', 'max DD', 'trades', 'fees', 'funding'], rows, 'ranking');
}

function inVersusOut(result: SweepResult): string {
  const wf = result.walkForward!;
  const best = wf.inSampleBest;
  const oos = wf.outOfSample;
  const rows: [string, (x: { totalReturn: number; apr: number | null; sharpe: number | null; maxDrawdown: number; trades: number; pnlUsd: number; feesPaid: number; fundingPnl: number }) => string][] = [
    ['Total return', (x) => pct(x.totalReturn)],
    ['APR', (x) => pct(x.apr)],
    ['Sharpe', (x) => num(x.sharpe)],
    ['Max drawdown', (x) => pct(x.maxDrawdown)],
    ['Trades', (x) => String(x.trades)],
    ['PnL, USD', (x) => num(x.pnlUsd)],
    ['Fees, USD', (x) => num(x.feesPaid)],
    ['Funding, USD', (x) => num(x.fundingPnl)],
  ];
  const header = ['', best ? `in-sample best: combo ${best.combo}, chosen with hindsight` : 'in-sample best: none eligible', 'walk-forward out-of-sample'];
  const body = rows.map(([name, f]) => [name, best ? f(best.summary) : 'n/a', oos ? f(oos) : 'nothing traded']);
  const g = wf.gap;
  body.push([`${g.metric} gap`, `in-sample ${num(g.inSampleScore, 4)}`, `out-of-sample ${num(g.outOfSampleScore, 4)} (difference ${num(g.difference, 4)}; positive: overfitting)`]);
  return htmlTable(header, body, 'in-vs-out');
}

function foldsTable(result: SweepResult): string {
  const wf = result.walkForward!;
  const paths = Object.keys(result.sweep.grid);
  const rows = wf.folds.map((f) => [
    String(f.fold),
    `${f.train.from} .. ${f.train.to}`,
    `${f.test.from} .. ${f.test.to}`,
    f.chosen ? String(f.chosen.combo) : '-',
    ...paths.map((p) => (f.chosen ? valueLabel(f.chosen.params[p]) : '-')),
    f.chosen ? num(f.chosen.trainScore, 4) : 'n/a',
    num(f.testScore, 4),
    pct(f.testSummary?.totalReturn),
    f.testSummary ? String(f.testSummary.trades) : '-',
    f.note ?? '',
  ]);
  return htmlTable(['fold', 'train', 'test', 'chosen', ...paths, `train ${result.sweep.rankBy}`, `test ${result.sweep.rankBy}`, 'test return', 'trades', 'note'], rows, 'folds');
}

function importanceTable(view: GridView): string {
  if (view.importance.length === 0) return '';
  return htmlTable(
    ['path', 'values', `range of the mean ${view.metric}`, 'drawn'],
    view.importance.map((p) => [p.path, p.values.join(', '), num(p.range, 4), view.shown.includes(p.path) ? (view.shown[0] === p.path ? 'x axis' : 'y axis') : 'aggregated (best)']),
    'importance',
  );
}

export async function buildSweepReport(input: SweepReportInput): Promise<SweepReportHtml> {
  const { result } = input;
  const metric = result.sweep.rankBy;
  const wf = result.walkForward;
  const grid = result.sweep.grid;
  const overall = gridView(grid, result.ranking.rows, metric);
  const charts: Chart[] = [];
  if (!wf) {
    charts.push({ name: 'Grid', kind: chartKind(overall), spec: gridSpec(overall, `${metric} of each combination over its whole span`, WIDTH) });
  } else {
    const folds = wf.folds.length;
    const inSample = gridView(grid, inSampleScores(result), metric);
    charts.push({ name: 'Grid in-sample', kind: chartKind(inSample), group: 'grids', spec: gridSpec(inSample, `In-sample: mean training ${metric} over ${folds} fold(s)`, HALF) });
    charts.push({ name: 'Grid out-of-sample span', kind: chartKind(overall), group: 'grids', spec: gridSpec(overall, `Out-of-sample span: ${metric} over the test windows`, HALF) });
    charts.push({ name: 'Folds in-sample vs out-of-sample', kind: 'bars', spec: foldScoresSpec(wf.folds, metric, WIDTH) });
    if (wf.outOfSample && wf.outOfSample.equity.length > 1) {
      charts.push({ name: 'Out-of-sample equity', kind: 'line', spec: equitySpec(wf.outOfSample.equity, 'Walk-forward out-of-sample equity (test windows joined, USD)', WIDTH) });
    }
  }
  const svgs = await Promise.all(charts.map((c) => specToSvg(c.spec)));
  const figure = (k: number) => `<figure class="chart" data-chart="${escapeHtml(charts[k].name)}" data-kind="${charts[k].kind}">\n${svgs[k]}\n</figure>`;
  const parts: string[] = [];
  for (let k = 0; k < charts.length; k++) {
    const group = charts[k].group;
    if (group && charts[k + 1]?.group === group) {
      parts.push(`<div class="pair">\n${figure(k)}\n${figure(k + 1)}\n</div>`);
      k++;
    } else parts.push(figure(k));
  }
  const synthetic = result.sweep.data === 'synthetic';
  const title = input.title ?? `perp-arb sweep: ${result.sweep.strategy}${synthetic ? ' (SYNTHETIC data)' : ''}`;
  const overview = htmlTable(['', ''], overviewRows(input), 'metrics', true);
  const failures =
    result.failures.length === 0
      ? ''
      : `<h2>Failures</h2>\n${htmlTable(
          ['phase', 'fold', 'combo', 'window', 'error'],
          result.failures.map((f) => [f.phase, f.fold === null ? '' : String(f.fold), String(f.combo), f.window ? `${f.window.from} .. ${f.window.to}` : '', f.error]),
          'failures',
        )}`;
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body{font-family:DejaVu Sans, Arial, Helvetica, sans-serif;margin:24px auto;max-width:1000px;color:#222;padding:0 12px}
h1{font-size:22px;margin-bottom:4px}
.banner{background:#fff3cd;border:2px solid #d39e00;color:#6b4f00;padding:10px 14px;font-weight:bold;margin:12px 0}
.note{color:#444;font-size:14px}
table{border-collapse:collapse;margin:12px 0;font-size:13px}
th,td{padding:3px 10px 3px 0;text-align:left;vertical-align:top}
td{font-variant-numeric:tabular-nums}
table.metrics th{font-weight:normal;color:#555}
thead th{border-bottom:1px solid #999}
figure{margin:18px 0}
.pair{display:flex;gap:16px;flex-wrap:wrap}
.pair figure{margin:18px 0;flex:1 1 440px}
svg{max-width:100%;height:auto}
pre{background:#f6f6f6;padding:12px;overflow:auto;font-size:12px}
footer{color:#777;font-size:12px;margin-top:24px}
</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
${synthetic ? '<div class="banner" id="synthetic">SYNTHETIC DATA — the seeded generator, not market prices. Figures show how the strategy behaves, not what it would have earned.</div>' : ''}
${overview}
<h2>The grid</h2>
<p class="note" id="grid-note">${escapeHtml(overall.note)} ${escapeHtml('* not eligible (too few trades or no score); n/a: no score.')}</p>
${importanceTable(overall)}
${parts.join('\n')}
${wf ? `<h2>In-sample and out-of-sample</h2>\n${inVersusOut(result)}\n<h2>Folds</h2>\n${foldsTable(result)}` : ''}
<h2>Ranking${result.ranking.rows.length > TOP_ROWS ? ` (top ${TOP_ROWS} of ${result.ranking.rows.length})` : ''}</h2>
${rankingTable(result)}
${failures}
<h2>Grid</h2>
<pre id="config">${escapeHtml(JSON.stringify({ grid, walkForward: wf?.spec ?? null, rankBy: metric, minTrades: result.sweep.minTrades }, null, 2))}</pre>
<footer>Written by perp-arb at ${escapeHtml(new Date().toISOString())}. Charts: vega-lite rendered to inline SVG; the file needs no network.</footer>
</body>
</html>
`;
  return { html, charts: charts.map((c) => c.name) };
}

export async function writeSweepReport(path: string, input: SweepReportInput): Promise<{ path: string; bytes: number; charts: string[] }> {
  const { html, charts } = await buildSweepReport(input);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, html);
  return { path, bytes: Buffer.byteLength(html), charts };
}
