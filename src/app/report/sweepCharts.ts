import type { TopLevelSpec } from 'vega-lite';
import { lowerIsBetter } from '../../engine/sweep/ranking.ts';
import type { FoldResult } from '../../engine/sweep/sweep.ts';
import type { EquityPoint } from '../../model/performanceMetrics.ts';
import { downsampleMinMax } from '../plot/downsample.ts';
import type { GridView } from './gridView.ts';

/** The vega-lite specs of the sweep report (rendered to inline SVG by specToSvg). */

const FONT = 'DejaVu Sans, Arial, Helvetica, sans-serif';
const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const CONFIG = { font: FONT, axis: { labelFontSize: 11, titleFontSize: 12 }, view: { stroke: null } };

const label = (score: number | null, eligible: boolean) => (score === null ? 'n/a' : `${Number(score.toPrecision(3))}${eligible ? '' : '*'}`);

/** A heatmap of the two shown paths, a bar chart of one, or one bar for a single combination. */
export function gridSpec(view: GridView, title: string, width: number): TopLevelSpec {
  const values = view.cells.map((c) => ({ x: c.x, y: c.y ?? '', score: c.score, text: label(c.score, c.eligible), combo: c.combo }));
  const scheme = { scheme: 'redyellowgreen' as const, reverse: lowerIsBetter(view.metric) };
  const xOrder = [...new Set(view.cells.map((c) => c.x))];
  const xTitle = view.shown[0] ?? 'combination';
  if (view.shown.length < 2) {
    return {
      $schema: SCHEMA,
      width,
      height: 220,
      background: 'white',
      title: { text: title, anchor: 'start' },
      config: CONFIG,
      data: { values },
      encoding: { x: { field: 'x', type: 'ordinal', sort: xOrder, axis: { title: xTitle, labelAngle: 0 } } },
      layer: [
        { name: 'cells', mark: { type: 'bar', stroke: '#555', strokeWidth: 0.5 }, encoding: { y: { field: 'score', type: 'quantitative', axis: { title: view.metric } }, color: { field: 'score', type: 'quantitative', scale: scheme, legend: null } } },
        { mark: { type: 'text', dy: -8, fontSize: 11 }, encoding: { y: { field: 'score', type: 'quantitative' }, text: { field: 'text' } } },
      ],
    };
  }
  const yOrder = [...new Set(view.cells.map((c) => c.y as string))];
  // Room for the axis title and the legend beside the cells.
  const cellWidth = Math.max(28, Math.min(120, Math.floor((width - 110) / Math.max(1, xOrder.length))));
  return {
    $schema: SCHEMA,
    width: cellWidth * xOrder.length,
    height: Math.max(80, Math.min(420, 44 * yOrder.length)),
    background: 'white',
    title: { text: title, anchor: 'start' },
    config: CONFIG,
    data: { values },
    encoding: {
      x: { field: 'x', type: 'ordinal', sort: xOrder, axis: { title: view.shown[0], labelAngle: 0 } },
      y: { field: 'y', type: 'ordinal', sort: yOrder, axis: { title: view.shown[1] } },
    },
    layer: [
      // Grey under every cell: a cell without a score (failed or undefined metric) stays visible.
      { mark: { type: 'rect', color: '#dddddd' } },
      { name: 'cells', mark: { type: 'rect', stroke: 'white', strokeWidth: 1 }, encoding: { color: { field: 'score', type: 'quantitative', scale: scheme, legend: { title: view.metric } } } },
      { mark: { type: 'text', fontSize: 11 }, encoding: { text: { field: 'text' } } },
    ],
  };
}

/** Per fold: the chosen combination's training score beside its test score. */
export function foldScoresSpec(folds: readonly FoldResult[], metric: string, width: number): TopLevelSpec {
  const values = folds.flatMap((f) => [
    { fold: String(f.fold), phase: 'in-sample (train)', score: f.chosen?.trainScore ?? null },
    { fold: String(f.fold), phase: 'out-of-sample (test)', score: f.testScore },
  ]);
  return {
    $schema: SCHEMA,
    width,
    height: 220,
    background: 'white',
    title: { text: `${metric} of each fold's chosen combination: training window beside test window`, anchor: 'start' },
    config: CONFIG,
    data: { values },
    mark: { type: 'bar' },
    encoding: {
      x: { field: 'fold', type: 'ordinal', sort: folds.map((f) => String(f.fold)), axis: { title: 'fold', labelAngle: 0 } },
      xOffset: { field: 'phase', type: 'nominal' },
      y: { field: 'score', type: 'quantitative', axis: { title: metric } },
      color: { field: 'phase', type: 'nominal', scale: { domain: ['in-sample (train)', 'out-of-sample (test)'], range: ['#8e9db3', '#1f5fa8'] }, legend: { title: null, orient: 'top', labelLimit: 300 } },
    },
  };
}

const MAX_POINTS = 2000;

export function equitySpec(curve: readonly EquityPoint[], title: string, width: number): TopLevelSpec {
  const reduced = downsampleMinMax(Float64Array.from(curve, (p) => p.ts), Float64Array.from(curve, (p) => p.equityUsd), MAX_POINTS / 2);
  return {
    $schema: SCHEMA,
    width,
    height: 220,
    background: 'white',
    title: { text: title, anchor: 'start' },
    config: CONFIG,
    data: { values: Array.from(reduced.tsMs, (t, k) => ({ t, v: reduced.values[k] })) },
    mark: { type: 'line', strokeWidth: 1.2, color: '#1f5fa8' },
    encoding: {
      x: { field: 't', type: 'temporal', scale: { type: 'utc' }, axis: { title: 'time (UTC)', format: '%b %d', labelAngle: 0, tickCount: 8 } },
      y: { field: 'v', type: 'quantitative', scale: { zero: false }, axis: { title: 'equity, USD' } },
    },
  };
}
