import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { isoUtc } from '../../core/time.ts';
import type { BacktestConfig, BacktestRun } from '../../engine/backtest.ts';
import type { BacktestSummary } from '../../engine/summary.ts';
import { escapeHtml } from './html.ts';
import { breakdownTableHtml } from './breakdownTable.ts';
import { cumulativePnlSpec, holdingTimeSpec } from './pnlCharts.ts';
import { roundTripTableHtml } from './roundTripTable.ts';
import { riskSectionHtml } from './riskSection.ts';
import { chartConfig, FONT, HEIGHT, reduce, timeAxis, VEGA_LITE_SCHEMA, WIDTH, type Points } from './chartStyle.ts';
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

const pct = (x: number | null) => (x === null || !Number.isFinite(x) ? 'n/a' : `${(x * 100).toFixed(2)}%`);
const num = (x: number | null, digits = 2) => (x === null || !Number.isFinite(x) ? 'n/a' : x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }));
const days = (ms: number) => `${(ms / 86_400_000).toFixed(2)} d`;

export function isSyntheticRun(config: BacktestConfig): boolean {
  return config.data.source === 'synthetic';
}

function lineSpec(title: string, yTitle: string, points: Points[], color: string, spanMs: number, area = false): TopLevelSpec {
  return {
    $schema: VEGA_LITE_SCHEMA,
    width: WIDTH,
    height: HEIGHT,
    background: 'white',
    title: { text: title, anchor: 'start' },
    config: chartConfig,
    data: { values: points },
    mark: area ? { type: 'area', line: { color, strokeWidth: 1 }, color, opacity: 0.35 } : { type: 'line', strokeWidth: 1.2, color },
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
    $schema: VEGA_LITE_SCHEMA,
    width: WIDTH,
    height: HEIGHT + 60,
    background: 'white',
    title: { text: `Basis ${spread.perp} vs ${spread.spot}, with entries and exits`, anchor: 'start' },
    config: chartConfig,
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
    ['Liquidation fees paid', `${num(s.liquidationFeesPaid)} USD`],
    ['Fees / (price + funding)', s.feesShareOfGrossProfit === null ? `n/a (price + funding ${num(s.pnlBreakdown.priceUsd + s.pnlBreakdown.fundingUsd)} USD)` : pct(s.feesShareOfGrossProfit)],
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
    { title: 'Cumulative PnL by source', spec: cumulativePnlSpec(run.result.pnlSeries, spanMs) },
  ];
  if (spread) {
    const marks = run.result.execution
      .filter((e) => e.type === 'pairOpened' || e.type === 'pairClosed')
      .map((e) => ({ t: e.ts, kind: e.type === 'pairOpened' ? 'entry' : 'exit', v: basisAt(spread, e.ts) * 1e4 }));
    charts.push({ title: 'Basis with entries and exits', spec: spreadSpec(spread, marks, spanMs) });
  }
  if (s.roundTrips.length > 0) charts.push({ title: 'Holding times', spec: holdingTimeSpec(s.roundTrips) });
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
body{font-family:${FONT};margin:24px auto;max-width:1280px;color:#222;padding:0 12px}
h1{font-size:22px;margin-bottom:4px}
.banner{background:#fff3cd;border:2px solid #d39e00;color:#6b4f00;padding:10px 14px;font-weight:bold;margin:12px 0}
.source{color:#555;font-size:14px}
table.metrics{border-collapse:collapse;margin:12px 0;font-size:14px}
table.metrics th{text-align:left;font-weight:normal;color:#555;padding:3px 16px 3px 0}
table.metrics td{font-variant-numeric:tabular-nums;padding:3px 0}
table.breakdown{border-collapse:collapse;margin:12px 0;font-size:13px}
table.trips{border-collapse:collapse;margin:12px 0;font-size:12px}
table.breakdown th,table.breakdown td,table.trips th,table.trips td{padding:3px 6px;border-bottom:1px solid #e4e4e4;text-align:left;vertical-align:top}
table.trips caption{caption-side:top;text-align:left;color:#555;font-size:13px;padding-bottom:6px}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.neg{color:#b03a2e}
td.legs{color:#333;white-space:nowrap}
td.nowrap{white-space:nowrap}
div.scroll{overflow-x:auto}
ul.notes li{margin:4px 0}
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
<h2>Where the money came from</h2>
${breakdownTableHtml(s)}
<h2>Round trips</h2>
${roundTripTableHtml(s.roundTrips)}
<h2>Risk</h2>
${riskSectionHtml(s.risk)}
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
