import { InputError } from '../../core/errors.ts';
import type { EpochMs } from '../../core/time.ts';
import { SeriesBuilder } from '../../data/import/seriesBuilder.ts';
import type { SeriesData } from '../../data/import/types.ts';
import { validateSeries } from '../../data/import/validateSeries.ts';
import type { FundingRateEvent } from '../../domain/events.ts';
import { describeTimeMs } from '../../domain/plausibility.ts';
import type { SeriesKey } from '../../domain/series.ts';
import type { Candle } from '../../venues/ccxt/ohlcvHistory.ts';

/** Candles as bar rows (received_at null: history, not observed live). Line k is the k-th candle of the answer. */
export function candlesToSeries(key: SeriesKey, source: string, candles: readonly Candle[]): SeriesData {
  const builder = new SeriesBuilder(key, source);
  candles.forEach((c, k) => builder.push(k + 1, { ts: c.ts, received_at: null, open: c.open, high: c.high, low: c.low, close: c.close, volume: c.volume }));
  return builder.build();
}

/** Settlements as funding rows; a row without its own interval gets `intervalMs` (null when unknown). */
export function fundingToSeries(key: SeriesKey, source: string, rows: readonly FundingRateEvent[], intervalMs: number | null): SeriesData {
  const builder = new SeriesBuilder(key, source);
  rows.forEach((r, k) =>
    builder.push(k + 1, { ts: r.ts, received_at: null, rate: r.fundingRatePerInterval, interval_ms: r.fundingIntervalMs ?? intervalMs, mark_price: r.markPrice }),
  );
  return builder.build();
}

/**
 * Validates one answer of the venue with the importers' checks (values and plausibility bounds,
 * OHLC, grid, order, duplicates) and throws an InputError naming the venue request and each bad row
 * with its time: a venue that sends bad rows stops the download, and nothing of that answer is stored.
 * `nowMs` is the local clock event times are judged by.
 */
export function requireValidRows(series: SeriesData, nowMs: EpochMs = Date.now()): SeriesData {
  const { data, rejections } = validateSeries(series, { nowMs });
  if (rejections.length === 0) return data;
  const ts = series.columns.ts as Float64Array;
  const described = rejections.slice(0, 5).map((r) => {
    const t = r.line === null ? NaN : ts[r.line - 1];
    return `row ${r.line}${Number.isFinite(t) ? ` (${describeTimeMs(t)})` : ''}: ${r.reason}`;
  });
  const more = rejections.length > described.length ? `; and ${rejections.length - described.length} more` : '';
  throw new InputError({ source: series.source }, `the venue sent ${rejections.length} bad row${rejections.length === 1 ? '' : 's'} of ${series.rows}, nothing of this answer was stored: ${described.join('; ')}${more}`);
}

/** Rows of several validated pages (in time order, disjoint) as one series. */
export function concatSeries(key: SeriesKey, source: string, parts: readonly SeriesData[]): SeriesData {
  const rows = parts.reduce((n, p) => n + p.rows, 0);
  const columns: SeriesData['columns'] = {};
  for (const name of Object.keys(parts[0]?.columns ?? {})) {
    const first = parts[0].columns[name];
    if (first instanceof Float64Array) {
      const out = new Float64Array(rows);
      let offset = 0;
      for (const p of parts) {
        out.set(p.columns[name] as Float64Array, offset);
        offset += p.rows;
      }
      columns[name] = out;
    } else {
      columns[name] = parts.flatMap((p) => p.columns[name] as unknown[]) as SeriesData['columns'][string];
    }
  }
  const lines = new Int32Array(rows);
  for (let i = 0; i < rows; i++) lines[i] = i + 1;
  return { key, source, rows, columns, lines };
}
