import type { TopLevelSpec } from 'vega-lite';
import type { PnlPoint } from '../../engine/pnlBreakdown.ts';
import type { RoundTripRecord } from '../../engine/roundTrip.ts';
import { chartConfig, HEIGHT, reduce, timeAxis, VEGA_LITE_SCHEMA, WIDTH } from './chartStyle.ts';

/** The report's charts of where the money came from (the run's PnL breakdown) and of its round trips. */

const PARTS: { key: keyof Omit<PnlPoint, 'ts'>; label: string; color: string; always: boolean }[] = [
  { key: 'priceUsd', label: 'price', color: '#1f5fa8', always: true },
  { key: 'fundingUsd', label: 'funding', color: '#27ae60', always: true },
  { key: 'feesUsd', label: 'fees', color: '#8e44ad', always: true },
  { key: 'borrowUsd', label: 'borrow', color: '#d35400', always: false },
  { key: 'liquidationFeesUsd', label: 'liquidation fees', color: '#c0392b', always: false },
];

/** Cumulative price, funding and fees (and borrow and liquidation fees when the run had any) at each equity point, USD. */
export function cumulativePnlSpec(series: readonly PnlPoint[], spanMs: number): TopLevelSpec {
  const parts = PARTS.filter((p) => p.always || series.some((point) => point[p.key] !== 0));
  const ts = Float64Array.from(series, (p) => p.ts);
  const values = parts.flatMap((part) => reduce(ts, Float64Array.from(series, (p) => p[part.key])).map(({ t, v }) => ({ t, v, part: part.label })));
  return {
    $schema: VEGA_LITE_SCHEMA,
    width: WIDTH,
    height: HEIGHT + 40,
    background: 'white',
    title: { text: 'Cumulative PnL by source (USD; each part as it moved equity, fees negative)', anchor: 'start' },
    config: chartConfig,
    data: { values },
    mark: { type: 'line', strokeWidth: 1.4, interpolate: 'step-after' },
    encoding: {
      x: timeAxis(spanMs),
      y: { field: 'v', type: 'quantitative', axis: { title: 'cumulative, USD' } },
      color: { field: 'part', type: 'nominal', scale: { domain: parts.map((p) => p.label), range: parts.map((p) => p.color) }, legend: { title: null, orient: 'top' } },
    },
  };
}

/** How long the round trips were held, hours, stacked by how they ended. */
export function holdingTimeSpec(trips: readonly RoundTripRecord[]): TopLevelSpec {
  return {
    $schema: VEGA_LITE_SCHEMA,
    width: WIDTH,
    height: HEIGHT,
    background: 'white',
    title: { text: `Holding time of the ${trips.length} round trips (hours)`, anchor: 'start' },
    config: chartConfig,
    data: { values: trips.map((t) => ({ hours: t.holdingMs / 3_600_000, exit: t.exitReason })) },
    mark: { type: 'bar' },
    encoding: {
      x: { field: 'hours', type: 'quantitative', bin: { maxbins: 30 }, axis: { title: 'holding time, hours' } },
      y: { aggregate: 'count', type: 'quantitative', axis: { title: 'round trips', tickMinStep: 1 } },
      color: { field: 'exit', type: 'nominal', legend: { title: 'exit', orient: 'top' } },
    },
  };
}
