import type { SeriesData } from '../../data/import/types.ts';
import { SeriesBuilder, type RowValue } from '../../data/import/seriesBuilder.ts';
import type { SeriesKey, SeriesTable } from '../../domain/series.ts';
import type { StoredRecord } from './journal.ts';
import type { JournalRecord, JournalRecordKind } from './recordTypes.ts';

const TABLE_OF: Record<JournalRecordKind, { table: SeriesTable; timeframe: string | null }> = {
  quote: { table: 'quotes', timeframe: null },
  book: { table: 'books', timeframe: null },
  markBar: { table: 'mark_bars', timeframe: '1m' },
  funding: { table: 'funding', timeframe: null },
};

export interface JournalSeries {
  data: SeriesData;
  /** Records equal (apart from receipt time) to an earlier one with the same venue time: one row kept. */
  duplicates: number;
  /** Records replaced by a later, different one with the same venue time (the store keys rows by ts): the last is kept. */
  superseded: number;
}

function row(record: JournalRecord): Record<string, RowValue> {
  const times = { ts: record.ts, received_at: record.receivedAt };
  switch (record.kind) {
    case 'quote':
      return { ...times, bid: record.bid, bid_size: record.bidSize, ask: record.ask, ask_size: record.askSize, last: null };
    case 'book':
      return {
        ...times,
        bid_prices: Float64Array.from(record.bids, (l) => l[0]),
        bid_sizes: Float64Array.from(record.bids, (l) => l[1]),
        ask_prices: Float64Array.from(record.asks, (l) => l[0]),
        ask_sizes: Float64Array.from(record.asks, (l) => l[1]),
        sequence: record.sequence,
      };
    case 'markBar':
      return { ...times, open: record.open, high: record.high, low: record.low, close: record.close, volume: null };
    case 'funding':
      return { ...times, rate: record.rate, interval_ms: record.intervalMs, mark_price: record.markPrice };
  }
}

/** The record's values apart from the receipt time, to tell a duplicate from a different record at the same ts. */
function valuesOf(record: JournalRecord): string {
  const { receivedAt: _receivedAt, ...values } = record;
  return JSON.stringify(values);
}

/**
 * Turns journal records into one series per table and symbol, in venue-time order (ties in
 * write order). The store keys rows by ts, so of several records with one ts the last one
 * received is kept; the others are counted, never dropped silently. Line numbers are journal ids.
 */
export function journalSeries(venue: string, records: readonly StoredRecord[], source: string): JournalSeries[] {
  const groups = new Map<string, { key: SeriesKey; items: StoredRecord[] }>();
  for (const item of records) {
    const { table, timeframe } = TABLE_OF[item.record.kind];
    const id = `${table}\u0000${item.record.symbol}`;
    let group = groups.get(id);
    if (!group) groups.set(id, (group = { key: { table, venue, symbol: item.record.symbol, timeframe }, items: [] }));
    group.items.push(item);
  }
  const out: JournalSeries[] = [];
  for (const { key, items } of groups.values()) {
    items.sort((a, b) => a.record.ts - b.record.ts || a.id - b.id);
    const kept: StoredRecord[] = [];
    let duplicates = 0;
    let superseded = 0;
    for (const item of items) {
      const last = kept.at(-1);
      if (!last || last.record.ts !== item.record.ts) kept.push(item);
      else if (valuesOf(last.record) === valuesOf(item.record)) duplicates++;
      else {
        superseded++;
        kept[kept.length - 1] = item;
      }
    }
    const builder = new SeriesBuilder(key, source);
    for (const item of kept) builder.push(item.id, row(item.record));
    out.push({ data: builder.build(), duplicates, superseded });
  }
  return out;
}
