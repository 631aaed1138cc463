import type { SeriesKey } from '../../domain/series.ts';
import type { MarketStore, TimeRange } from '../store/marketStore.ts';
import { sourceFromColumnChunks, type ColumnChunk } from './sources.ts';
import type { ReplaySource } from './types.ts';

/** Numeric columns of each stored partition (month), read lazily: memory is one partition per series. */
async function* numericChunks(store: MarketStore, key: SeriesKey, range: TimeRange): AsyncGenerator<ColumnChunk> {
  for await (const data of store.chunks(key, range)) {
    const columns: Record<string, Float64Array> = {};
    for (const [name, column] of Object.entries(data.columns)) if (column instanceof Float64Array) columns[name] = column;
    yield { rows: data.rows, columns };
  }
}

/** Replay sources for stored series, in the order given (which also orders events with equal times). */
export function storeSources(store: MarketStore, keys: readonly SeriesKey[], range: TimeRange = {}): ReplaySource[] {
  return keys.map((key) => sourceFromColumnChunks(key, numericChunks(store, key, range)));
}
