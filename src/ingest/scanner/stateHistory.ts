/**
 * The scanner's history of each instrument (strategy/scanner/history.ts) from the price series a
 * state was read from: the rows up to the one the state uses, at most `points` before it, as
 * observation times (a bar's close) and mids.
 */
import { timeframeToMs } from '../../core/time.ts';
import type { SeriesData } from '../../data/import/types.ts';
import { BAR_TABLES } from '../../domain/series.ts';
import type { InstrumentHistory } from '../../strategy/scanner/history.ts';

const column = (data: SeriesData, name: string) => data.columns[name] as Float64Array;

/** The mid of row i: a bar's close, a quote's or book's mid, a trade's price; NaN when the table has none. */
function midAt(data: SeriesData, i: number): number {
  switch (data.key.table) {
    case 'bars':
    case 'mark_bars':
    case 'index_bars':
      return column(data, 'close')[i];
    case 'quotes':
      return (column(data, 'bid')[i] + column(data, 'ask')[i]) / 2;
    case 'quote_bars':
      return (column(data, 'bid_close')[i] + column(data, 'ask_close')[i]) / 2;
    case 'books': {
      const bids = (data.columns.bid_prices as Float64Array[])[i];
      const asks = (data.columns.ask_prices as Float64Array[])[i];
      return bids.length > 0 && asks.length > 0 ? (bids[0] + asks[0]) / 2 : Number.NaN;
    }
    case 'trades':
      return column(data, 'price')[i];
    default:
      return Number.NaN;
  }
}

/** Rows [from, to] of the window that ends at `row` and holds at most points + 1 rows (the current one and `points` before it). */
const windowStart = (row: number, points: number) => Math.max(0, row - points);

/** An instrument's price history from its price series, up to row `row` (the state's price). */
export function priceHistory(data: SeriesData, row: number, points: number): Pick<InstrumentHistory, 'priceTimesMs' | 'mids'> {
  const start = windowStart(row, points);
  const ts = column(data, 'ts');
  const delayMs = BAR_TABLES.has(data.key.table) && data.key.timeframe ? timeframeToMs(data.key.timeframe) : 0;
  const priceTimesMs = new Float64Array(row + 1 - start);
  const mids = new Float64Array(row + 1 - start);
  for (let i = start; i <= row; i++) {
    priceTimesMs[i - start] = ts[i] + delayMs;
    mids[i - start] = midAt(data, i);
  }
  return { priceTimesMs, mids };
}

