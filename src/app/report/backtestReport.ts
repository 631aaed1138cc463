import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { isoUtc } from '../../core/time.ts';
import type { BacktestConfig, BacktestRun } from '../../engine/backtest.ts';
import type { BacktestSummary } from '../../engine/summary.ts';
import { downsampleMinMax } from '../plot/downsample.ts';
import type { SpreadSeries } from './spreadSeries.ts';

/**
 * The backtest report: ONE self-contained HTML file. Every chart is a vega-lite spec rendered to
 * inline SVG when the file is written (no script, no CDN, no network: it opens offline).
 */

export interface BacktestReportInput {
  config: BacktestConfig;
  run: BacktestRun;
  /** The run's basis series (null: not drawn). */
  spread: SpreadSeries | null;
  /** Where the config came from (shown in the report). */
  configSource?: string;
  title?: string;
}

const FONT = 'DejaVu Sans, Arial, Helvetica, sans-serif';
const WIDTH = 960;
const HEIGHT = 220;
const MAX_POINTS = 2000;

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
const pct = (x: number | null) => (x === null || !Number.isFinite(x) ? 'n/a' : `${(x * 100).toFixed(2)}%`);
const num = (x: number | null, digits = 2) => (x === null || !Number.isFinite(x) ? 'n/a' : x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }));
const days = (ms: number) => `${(ms / 86_400_000).toFixed(2)} d`;

export function isSyntheticRun(config: BacktestConfig): boolean {
  return config.data.source === 'synthetic';
}

interface Points {
  t: number;
  v: number;
}

function reduce(ts: Float64Array, values: Float64Array): Points[] {
  const r = ts.length > MAX_POINTS ? downsampleMinMax(ts, values, MAX_POINTS / 2) : { tsMs: ts, values };
  return Array.from(r.tsMs, (t, k) => ({ t, v: r.values[k] }));
}

function cumulative(records: readonly { ts: number; amount: number }[], startTs: number, endTs: number): Points[] {
  const out: Points[] = [{ t: startTs, v: 0 }];
  let sum = 0;
  for (const r of records) {
    if (!Number.isFinite(r.amount)) continue;
    sum += r.amount;
    out.push({ t: r.ts, v: sum });
  }
  out.push({ t: Math.max(endTs, out[out.length - 1].t), v: sum });
  const ts = Float64Array.from(out, (p) => p.t);
  const vs = Float64Array.from(out, (p) => p.v);
  return reduce(ts, vs);
}

function timeAxis(spanMs: number) {
  const format = spanMs >= 4 * 86_400_000 ? '%b %d' : spanMs >= 86_400_000 ? '%b %d %H:%M' : '%H:%M';
  return { field: 't', type: 'temporal' as const, scale: { type: 'utc' as const }, axis: { title: 'time (UTC)', format, labelAngle: 0, tickCount: 8 } };
}

function lineSpec(title: string, yTitle: string, points: Points[], color: string, spanMs: number, area = false, step = false): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: WIDTH,
    height: HEIGHT,
    background: 'white',
    title: { text: title, anchor: 'start' },
    config: { font: FONT, axis: { labelFontSize: 11, titleFontSize: 12 } },
    data: { values: points },
    mark: area ? { type: 'area', line: { color, strokeWidth: 1 }, color, opacity: 0.35 } : { type: 'line', strokeWidth: 1.2, color, ...(step ? { interpolate: 'step-after' as const } : {}) },
    encoding: {
      x: timeAxis(spanMs),
      y: { field: 'v', type: 'quantitative', scale: { zero: area }, axis: { title: yTitle } },
    },
  };
}

function spreadSpec(spread: SpreadSeries, marks: { t: number; kind: string; v: number }[], spanMs: number): TopLevelSpec {
  const points = reduce(spread.tsMs, Float64Array.from(spread.basis, (b) => b * 1e4));
  const layers: NonNullable<Extract<TopLevelSpec, { layer: unknown }>['layer']> = [
    { data: { values: points }, mark: { type: 'line', strokeWidth: 0.8, color: '#1f5fa8', clip: true }, encoding: { x: timeAxis(spanMs), y: { field: 'v', type: 'quantitative', scale: { zero: false }, axis: { title: 'basis (perp - spot) / spot, bps' } } } },
  ];
  if (marks.length > 0) {
    layers.push({
      data: { values: marks },
      mark: { type: 'point', filled: true, size: 70, opacity: 0.9 },
      encoding: {
        x: { field: 't', type: 'temporal' },
        y: { field: 'v', type: 'quantitative' },
        color: { field: 'kind', type: 'nominal', scale: { domain: ['entry', 'exit'], range: ['#c0392b', '#27ae60'] }, legend: { title: null, orient: 'top' } },
        shape: { field: 'kind', type: 'nominal', scale: { domain: ['entry', 'exit'], range: ['triangle-up', 'square'] } },
      },
    });
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: WIDTH,
    height: HEIGHT + 60,
    background: 'white',
    title: { text: `Basis ${spread.perp} vs ${spread.spot}, with entries and exits`, anchor: 'start' },
    config: { font: FONT, axis: { labelFontSize: 11, titleFontSize: 12 } },
    layer: layers,
  };
}

export async function specToSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

function basisAt(spread: SpreadSeries, t: number): number {
  // Last basis at or before t (binary search).
  const ts = spread.tsMs;
  let lo = 0;
  let hi = ts.length - 1;
  if (t <= ts[0]) return spread.basis[0];
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (ts[mid] <= t) lo = mid;
    else hi = mid - 1;
  }
  return spread.basis[lo];
}

function metricsRows(s: BacktestSummary): [string, string][] {
  return [
    ['Span', `${isoUtc(s.startTs)} .. ${isoUtc(s.endTs)} (${days(s.endTs - s.startTs)})`],
    ['Equity', `${num(s.startEquityUsd)} → ${num(s.endEquityUsd)} USD`],
    ['Total return', pct(s.totalReturn)],
    ['APR', pct(s.apr)],
    ['Sharpe', num(s.sharpe)],
    ['Sortino', num(s.sortino)],
    ['Max drawdown', `${pct(s.maxDrawdown)} (longest ${days(s.maxDrawdownDurationMs)})`],
    ['VaR / CVaR 95%', `${pct(s.var95)} / ${pct(s.cvar95)}`],
    ['VaR / CVaR 99%', `${pct(s.var99)} / ${pct(s.cvar99)}`],
    ['Funding PnL', `${num(s.fundingPnl)} USD`],
    ['Fees paid', `${num(s.feesPaid)} USD`],
    ['Borrow paid', `${num(s.borrowPaid)} USD`],
    ['Turnover', num(s.turnover)],
    ['Trades (round trips)', String(s.trades)],
    ['Fills', String(s.fills)],
    ['Win rate', pct(s.winRate)],
    ['Time in market', pct(s.timeInMarket)],
    ['Liquidations', String(s.liquidations)],
    ['Events replayed', `${s.events.toLocaleString('en-US')} in ${s.elapsedMs.toLocaleString('en-US')} ms`],
  ];
}

export interface BacktestReportHtml {
  html: string;
  /** Titles of the charts drawn, in order. */
  charts: string[];
}

export async function buildBacktestReport(input: BacktestReportInput): Promise<BacktestReportHtml> {
  const { run, config, spread } = input;
  const s = run.summary;
  const synthetic = isSyntheticRun(config);
  const equity = run.result.equity;
  const spanMs = Math.max(1, s.endTs - s.startTs);
  const eqTs = Float64Array.from(equity, (p) => p.ts);
  const eqV = Float64Array.from(equity, (p) => p.equityUsd);
  let peak = Number.NEGATIVE_INFINITY;
  const ddV = Float64Array.from(equity, (p) => {
    peak = Math.max(peak, p.equityUsd);
    return peak > 0 ? (p.equityUsd / peak - 1) * 100 : 0;
  });
  const charts: { title: string; spec: TopLevelSpec }[] = [
    { title: 'Equity', spec: lineSpec('Equity (USD)', 'equity, USD', reduce(eqTs, eqV), '#1f5fa8', spanMs) },
    { title: 'Drawdown', spec: lineSpec('Drawdown from the running peak (%)', 'drawdown, %', reduce(eqTs, ddV), '#c0392b', spanMs, true) },
    { title: 'Cumulative funding', spec: lineSpec('Cumulative funding (USD; received > 0)', 'funding, USD', cumulative(run.result.funding.map((f) => ({ ts: f.ts, amount: f.amountUsd })), s.startTs, s.endTs), '#27ae60', spanMs, false, true) },
    { title: 'Cumulative fees', spec: lineSpec('Cumulative fees paid (USD)', 'fees, USD', cumulative(run.result.fills.map((f) => ({ ts: f.ts, amount: f.feeUsd })), s.startTs, s.endTs), '#8e44ad', spanMs, false, true) },
  ];
  if (spread) {
    const marks = run.result.execution
      .filter((e) => e.type === 'pairOpened' || e.type === 'pairClosed')
      .map((e) => ({ t: e.ts, kind: e.type === 'pairOpened' ? 'entry' : 'exit', v: basisAt(spread, e.ts) * 1e4 }));
    charts.push({ title: 'Basis with entries and exits', spec: spreadSpec(spread, marks, spanMs) });
  }
  const svgs = await Promise.all(charts.map((c) => specToSvg(c.spec)));
  const title = input.title ?? `perp-arb backtest: ${config.strategy.type}${synthetic ? ' (SYNTHETIC data)' : ''}`;
  const dataLine = synthetic
    ? `the seeded generator (seed ${config.data.source === 'synthetic' ? config.data.seed : ''}), not market prices. Figures show how the strategy behaves, not what it would have earned.`
    : `Market data from the store${config.data.source === 'store' ? ` (${config.data.from ?? 'start'} .. ${config.data.to ?? 'end'}, ${config.data.barTimeframe} bars)` : ''}.`;
  const table = metricsRows(s)
    .map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`)
    .join('\n');
  const figures = charts.map((c, k) => `<figure class="chart" data-chart="${escapeHtml(c.title)}">\n${svgs[k]}\n</figure>`).join('\n');
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body{font-family:${FONT};margin:24px auto;max-width:1000px;color:#222;padding:0 12px}
h1{font-size:22px;margin-bottom:4px}
.banner{background:#fff3cd;border:2px solid #d39e00;color:#6b4f00;padding:10px 14px;font-weight:bold;margin:12px 0}
.source{color:#555;font-size:14px}
table.metrics{border-collapse:collapse;margin:12px 0;font-size:14px}
table.metrics th{text-align:left;font-weight:normal;color:#555;padding:3px 16px 3px 0}
table.metrics td{font-variant-numeric:tabular-nums;padding:3px 0}
figure{margin:18px 0}
svg{max-width:100%;height:auto}
pre{background:#f6f6f6;padding:12px;overflow:auto;font-size:12px}
footer{color:#777;font-size:12px;margin-top:24px}
</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
${synthetic ? `<div class="banner" id="synthetic">SYNTHETIC DATA — ${escapeHtml(dataLine)}</div>` : `<p class="source">${escapeHtml(dataLine)}</p>`}
<h2>Headline metrics</h2>
<table class="metrics">
${table}
</table>
<h2>Charts</h2>
${figures}
<h2>Config</h2>
${input.configSource ? `<p class="source">From ${escapeHtml(input.configSource)} (after validation and defaults):</p>` : ''}
<pre id="config">${escapeHtml(JSON.stringify(config, null, 2))}</pre>
<footer>Written by perp-arb at ${escapeHtml(new Date().toISOString())}. Charts: vega-lite rendered to inline SVG; the file needs no network.</footer>
</body>
</html>
`;
  return { html, charts: charts.map((c) => c.title) };
}

/** Builds the report and writes it (creating the directory); returns the path and the charts drawn. */
export async function writeBacktestReport(path: string, input: BacktestReportInput): Promise<{ path: string; bytes: number; charts: string[] }> {
  const { html, charts } = await buildBacktestReport(input);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, html);
  return { path, bytes: Buffer.byteLength(html), charts };
}

/** ./reports/backtest-<UTC timestamp>.html under `dir`. */
export function defaultReportPath(dir: string, now = new Date(), prefix = 'backtest'): string {
  const stamp = now.toISOString().replace(/[:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${dir}/reports/${prefix}-${stamp}.html`;
}
