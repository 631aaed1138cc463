import { DAY_MS, timeframeToMs, type EpochMs } from '../../core/time.ts';
import { intersectSpans, mergeSpans, subtractSpans, type DownloadCoverage, type TimeSpan } from '../../data/store/downloadCoverage.ts';
import type { MarketStore } from '../../data/store/marketStore.ts';
import { seriesId, type SeriesKey } from '../../domain/series.ts';

export interface DownloadPlan {
  /** The span worked on: candles that have closed, settlements old enough to be final. */
  target: TimeSpan;
  /** What is not stored yet, in time order. */
  missing: TimeSpan[];
  /** What is stored or was downloaded before. */
  skipped: TimeSpan[];
}

const alignUp = (ms: number, stepMs: number) => Math.ceil(ms / stepMs) * stepMs;

/** A candle length the downloader can align to: whole seconds, dividing a day (1m .. 1d). */
export function checkDownloadTimeframe(timeframe: string): number {
  const stepMs = timeframeToMs(timeframe);
  if (stepMs > DAY_MS || DAY_MS % stepMs !== 0) throw new Error(`timeframe ${timeframe}: downloads take candles that divide a day (1m, 5m, 15m, 1h, 4h, 8h, 1d, ...)`);
  return stepMs;
}

/**
 * The span to work on. Candles: open times on the timeframe grid within [fromMs, toMs), and only
 * candles that closed at least settleLagMs before now (the still-open candle is never stored).
 * Funding: settlements within [fromMs, toMs) at least settleLagMs old.
 */
export function targetSpan(fromMs: EpochMs, toMs: EpochMs, stepMs: number | null, nowMs: EpochMs, settleLagMs: number): TimeSpan {
  const settled = nowMs - settleLagMs;
  if (stepMs === null) return { fromMs, toMs: Math.max(fromMs, Math.min(toMs, settled)) };
  const from = alignUp(fromMs, stepMs);
  // A candle that opens at t is closed once t + step <= settled: every open time below floor(settled / step) * step.
  const to = Math.min(alignUp(toMs, stepMs), Math.floor(settled / stepMs) * stepMs);
  return { fromMs: from, toMs: Math.max(from, to) };
}

/**
 * The target without what a venue that keeps only its latest `candles` candles (counting the one
 * still open) cannot give any more: those are neither asked for nor recorded as holding no data.
 * `earliestMs`: the first open time it still serves, when the target started before it (else null).
 */
export function clipToHistoryDepth(target: TimeSpan, stepMs: number, nowMs: EpochMs, candles: number): { target: TimeSpan; earliestMs: EpochMs | null } {
  const earliest = (Math.floor(nowMs / stepMs) - (candles - 1)) * stepMs;
  if (target.fromMs >= earliest) return { target, earliestMs: null };
  return { target: { fromMs: Math.min(earliest, target.toMs), toMs: target.toMs }, earliestMs: earliest };
}

/** Spans of consecutive candles the store holds within the target (a candle at t covers [t, t + step)). */
async function storedCandleSpans(store: MarketStore, key: SeriesKey, target: TimeSpan, stepMs: number): Promise<TimeSpan[]> {
  if (target.toMs <= target.fromMs || store.partitions(key, { fromMs: target.fromMs, toMs: target.toMs }).length === 0) return [];
  const spans: TimeSpan[] = [];
  for await (const chunk of store.chunks(key, { fromMs: target.fromMs, toMs: target.toMs })) {
    const ts = chunk.columns.ts as Float64Array;
    for (let i = 0; i < chunk.rows; i++) {
      const last = spans.at(-1);
      if (last && last.toMs === ts[i]) last.toMs = ts[i] + stepMs;
      else spans.push({ fromMs: ts[i], toMs: ts[i] + stepMs });
    }
  }
  return mergeSpans(spans);
}

/**
 * What to fetch: the target minus what the download record says was fetched before and, for
 * candles, minus the runs of candles already in the store (imported or downloaded). Funding rows
 * alone cannot tell a missing settlement from a change of interval, so for funding only the record counts.
 */
export async function planDownload(store: MarketStore, coverage: DownloadCoverage, key: SeriesKey, target: TimeSpan, stepMs: number | null): Promise<DownloadPlan> {
  if (target.toMs <= target.fromMs) return { target, missing: [], skipped: [] };
  const recorded = coverage.spans(seriesId(key));
  const uncovered = subtractSpans(target, recorded);
  const stored = stepMs === null || uncovered.length === 0 ? [] : await storedCandleSpans(store, key, target, stepMs);
  const have = mergeSpans([...recorded, ...stored]);
  return { target, missing: subtractSpans(target, have), skipped: intersectSpans(target, have) };
}
