import type { SeriesKey } from '../../domain/series.ts';

/**
 * A slice of one series in columnar form. `time` is the EVENT time of each row (ms, non-decreasing
 * within and across chunks): for bar tables the candle close (ts + timeframe), otherwise ts.
 * Columns may be longer than `rows` (e.g. reused buffers); only the first `rows` are read.
 */
export interface SeriesChunk {
  rows: number;
  time: Float64Array;
  columns: Record<string, Float64Array>;
}

/** One series to replay: its key and its chunks, read one at a time (memory: one chunk per series). */
export interface ReplaySource {
  key: SeriesKey;
  chunks: AsyncIterable<SeriesChunk> | Iterable<SeriesChunk>;
}

/**
 * What the handler sees for each event. There is ONE cursor object per series, reused for every
 * event of that series: read it inside the handler, do not keep it (copy values out instead).
 * Values of the event: `cursor.columns.close[cursor.row]`.
 */
export interface ReplayCursor {
  /** Index of the series in the `sources` array given to replay. */
  readonly seriesIndex: number;
  readonly key: SeriesKey;
  readonly seriesId: string;
  /** Row of the event in the current chunk. */
  readonly row: number;
  /** Event time, ms (a bar's close time). */
  readonly time: number;
  /** Columns of the current chunk; the object changes only when a new chunk of this series is read. */
  readonly columns: Record<string, Float64Array>;
  /** Counts the chunks read for this series (0 for the first); lets handlers cache per-chunk lookups. */
  readonly chunkIndex: number;
}

export type ReplayHandler = (cursor: ReplayCursor) => void;

/**
 * Some market events, in event-time order, read synchronously through the reused cursor of
 * ReplayCursor. A batch may be emitted in parts: `emit(handler, untilMs)` emits the events before
 * untilMs and keeps the rest.
 */
export interface MarketBatch {
  /** Emits the batch's events with time < untilMs (all by default); true when none is left. */
  emit(handler: ReplayHandler, untilMs?: number): boolean;
  /** Event time of the next event not yet emitted (Infinity when none is left). */
  readonly nextTimeMs: number;
}

/**
 * The one market input of every mode: the store replay, the synthetic market, a replay paced to wall
 * time and a live venue feed all provide it, and the engine reads nothing else. Its series are
 * `keys` (a cursor's seriesIndex indexes them); a live input's events carry receipt times in their
 * `received_at` column beside the venue's `ts`.
 */
export interface MarketInput extends AsyncIterable<MarketBatch> {
  readonly keys: readonly SeriesKey[];
  /** Events emitted so far. */
  stats(): ReplayStats;
}

export interface ReplayOptions {
  /** Emit only events with event time >= from (ms). */
  from?: number;
  /** Emit only events with event time < to (ms): the interval is half-open, [from, to). */
  to?: number;
  /** Called after each chunk is read, with the counts so far. */
  onProgress?: (stats: ReplayStats) => void;
}

export interface ReplaySeriesStats {
  seriesId: string;
  events: number;
}

export interface ReplayStats {
  events: number;
  /** Event time of the first and last emitted event, null when none was emitted. */
  firstTime: number | null;
  lastTime: number | null;
  perSeries: ReplaySeriesStats[];
}

/** A plain, self-contained event: the slow path of replayEvents(). */
export interface ReplayEvent {
  seriesIndex: number;
  seriesId: string;
  key: SeriesKey;
  time: number;
  /** The row's values, one per column of the chunk. */
  values: Record<string, number>;
}
