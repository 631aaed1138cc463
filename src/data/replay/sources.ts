import { timeframeToMs } from '../../core/time.ts';
import { BAR_TABLES, seriesId, type SeriesKey } from '../../domain/series.ts';
import type { ReplaySource, SeriesChunk } from './types.ts';

/** Columns of a series as the store gives them, `ts` included (ms; for bars the candle OPEN time). */
export interface ColumnChunk {
  rows: number;
  columns: Record<string, Float64Array>;
}

/**
 * The time at which each row becomes known. A bar is known only at its CLOSE, ts + timeframe, so
 * replaying by open time would leak the close price into the past. Quotes, trades, books and funding
 * are known at ts: for those the `ts` array itself is returned (not a copy).
 */
export function eventTimesFor(key: SeriesKey, ts: Float64Array, rows = ts.length): Float64Array {
  if (!BAR_TABLES.has(key.table)) return ts;
  if (key.timeframe === null) throw new Error(`${seriesId(key)}: a bar series needs a timeframe`);
  const timeframeMs = timeframeToMs(key.timeframe);
  const time = new Float64Array(rows);
  for (let i = 0; i < rows; i++) time[i] = ts[i] + timeframeMs;
  return time;
}

/** A ReplaySource from chunks of columns (each with `ts`), computing event times chunk by chunk. */
export function sourceFromColumnChunks(key: SeriesKey, chunks: AsyncIterable<ColumnChunk> | Iterable<ColumnChunk>): ReplaySource {
  async function* toSeriesChunks(): AsyncGenerator<SeriesChunk> {
    for await (const chunk of chunks) {
      const ts = chunk.columns.ts;
      if (!ts) throw new Error(`${seriesId(key)}: chunk has no ts column`);
      yield { rows: chunk.rows, time: eventTimesFor(key, ts, chunk.rows), columns: chunk.columns };
    }
  }
  return { key, chunks: toSeriesChunks() };
}

/**
 * A ReplaySource over columns already in memory, cut into chunks of `chunkRows` rows (views, no
 * copies of the value columns). For tests, synthetic data and small series.
 */
export function sourceFromColumns(key: SeriesKey, columns: Record<string, Float64Array>, rows: number, chunkRows = 65_536): ReplaySource {
  if (!(chunkRows >= 1)) throw new Error(`chunkRows must be >= 1 (got ${chunkRows})`);
  function* slices(): Generator<ColumnChunk> {
    for (let start = 0; start < rows; start += chunkRows) {
      const end = Math.min(rows, start + chunkRows);
      const sliced: Record<string, Float64Array> = {};
      for (const name of Object.keys(columns)) sliced[name] = columns[name].subarray(start, end);
      yield { rows: end - start, columns: sliced };
    }
  }
  return sourceFromColumnChunks(key, slices());
}
