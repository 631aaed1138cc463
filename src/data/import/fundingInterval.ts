import { MINUTE_MS, msToTimeframe } from '../../core/time.ts';
import { MAX_FUNDING_INTERVAL_MS, MIN_FUNDING_INTERVAL_MS } from '../../domain/plausibility.ts';
import type { SeriesData } from './types.ts';

/**
 * The most common gap between consecutive times, rounded to the minute (Binance's funding times
 * carry a few ms of jitter); ties go to the shorter gap. Gaps no funding interval can be (outside
 * 1 minute .. 7 days: holes in the data) are not counted. Null when no gap counts.
 */
export function inferIntervalMs(ts: ArrayLike<number>): number | null {
  const counts = new Map<number, number>();
  for (let i = 1; i < ts.length; i++) {
    const gap = Math.round((ts[i] - ts[i - 1]) / MINUTE_MS) * MINUTE_MS;
    if (gap >= MIN_FUNDING_INTERVAL_MS && gap <= MAX_FUNDING_INTERVAL_MS) counts.set(gap, (counts.get(gap) ?? 0) + 1);
  }
  let best: number | null = null;
  let bestCount = 0;
  for (const [gap, count] of counts) {
    if (count > bestCount || (count === bestCount && best !== null && gap < best)) [best, bestCount] = [gap, count];
  }
  return best;
}

/** Sets interval_ms on every row of a funding series and says how it was found and where the data departs from it. */
export function applyInferredInterval(series: SeriesData): { intervalMs: number | null; note: string } {
  const ts = series.columns.ts as Float64Array;
  const intervalMs = inferIntervalMs(ts);
  const where = `${series.key.venue} ${series.key.symbol}`;
  if (intervalMs === null) return { intervalMs, note: `${where}: funding interval unknown (fewer than two rows, or no gap between 1 minute and 7 days)` };
  (series.columns.interval_ms as Float64Array).fill(intervalMs);
  let off = 0;
  let largest = 0;
  let largestLine = 0;
  for (let i = 1; i < series.rows; i++) {
    const gap = Math.round((ts[i] - ts[i - 1]) / MINUTE_MS) * MINUTE_MS;
    if (gap !== intervalMs) off++;
    if (gap > largest) [largest, largestLine] = [gap, series.lines[i]];
  }
  let note = `${where}: funding interval ${msToTimeframe(intervalMs)} inferred from the most common gap between rows`;
  if (off > 0) note += `; ${off} of ${series.rows - 1} gaps differ (largest ${msToTimeframe(largest)}, before line ${largestLine})`;
  return { intervalMs, note };
}

/**
 * Sets interval_ms on a funding series whose source has no interval column, as the other importers
 * do: from the spacing of its settlements, else (fewer than two rows, or no usable gap) from what is
 * known of the contract (the store's instrument, or one read earlier in the same import). Without
 * it, the same settlements imported from another source would differ in interval_ms and count as
 * conflicts instead of unchanged.
 */
export function deriveFundingInterval(series: SeriesData, knownIntervalMs: number | null): { intervalMs: number | null; note: string } {
  const inferred = applyInferredInterval(series);
  const where = `${series.key.venue} ${series.key.symbol}`;
  if (inferred.intervalMs !== null) {
    const disagrees = knownIntervalMs !== null && knownIntervalMs !== inferred.intervalMs;
    return { intervalMs: inferred.intervalMs, note: disagrees ? `${inferred.note}; the instrument the store knows says ${msToTimeframe(knownIntervalMs)}` : inferred.note };
  }
  if (knownIntervalMs === null) return inferred;
  (series.columns.interval_ms as Float64Array).fill(knownIntervalMs);
  return { intervalMs: knownIntervalMs, note: `${where}: funding interval ${msToTimeframe(knownIntervalMs)} from the instrument the store knows (too few rows to infer it)` };
}
