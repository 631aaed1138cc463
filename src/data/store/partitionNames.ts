import { seriesId, type SeriesKey, type SeriesTable } from '../../domain/series.ts';
import type { PartitionEntry } from './manifest.ts';

type PartitionFields = Pick<PartitionEntry, 'table' | 'venue' | 'symbol' | 'timeframe' | 'month'>;

/** Unique per series and month: the identity of a partition inside one manifest. */
export const partitionId = (p: PartitionFields): string => `${p.table}/${p.venue}/${p.symbol}/${p.timeframe ?? '_'}/${p.month}`;

export const partitionKey = (p: PartitionEntry): SeriesKey => ({ table: p.table as SeriesTable, venue: p.venue, symbol: p.symbol, timeframe: p.timeframe });

/** How messages name a partition: its series id and month, e.g. 'bars/binance/BTC/USDT:USDT/1m 2024-01'. */
export const partitionName = (p: PartitionEntry): string => `${seriesId(partitionKey(p))} ${p.month}`;
