import { downsampleMinMax } from '../plot/downsample.ts';

/** What every chart of the HTML reports shares: font, size, the time axis and the point budget. */

export const FONT = 'DejaVu Sans, Arial, Helvetica, sans-serif';
export const WIDTH = 960;
export const HEIGHT = 220;
export const VEGA_LITE_SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
/** Points per drawn series at most (min/max per bucket keeps the spikes). */
export const MAX_POINTS = 2000;

export interface Points {
  t: number;
  v: number;
}

export function reduce(ts: Float64Array, values: Float64Array): Points[] {
  const r = ts.length > MAX_POINTS ? downsampleMinMax(ts, values, MAX_POINTS / 2) : { tsMs: ts, values };
  return Array.from(r.tsMs, (t, k) => ({ t, v: r.values[k] }));
}

export function timeAxis(spanMs: number) {
  const format = spanMs >= 4 * 86_400_000 ? '%b %d' : spanMs >= 86_400_000 ? '%b %d %H:%M' : '%H:%M';
  return { field: 't', type: 'temporal' as const, scale: { type: 'utc' as const }, axis: { title: 'time (UTC)', format, labelAngle: 0, tickCount: 8 } };
}

export const chartConfig = { font: FONT, axis: { labelFontSize: 11, titleFontSize: 12 } };
