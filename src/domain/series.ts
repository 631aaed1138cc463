/**
 * The kinds of market-data series perp-arb stores and replays, and their columns.
 * Every series has `ts` (the venue's timestamp, integer ms UTC; for bars the candle OPEN time,
 * for funding the settlement time) and `received_at` (local receipt time in ms, null for
 * historical data whose receipt time is unknown).
 */
export type SeriesTable =
  | 'bars' // trade-price OHLCV candles
  | 'mark_bars' // mark-price OHLC candles
  | 'index_bars' // index-price OHLC candles
  | 'quote_bars' // bid and ask OHLC candles (LEAN quote bars)
  | 'quotes' // top of book
  | 'trades'
  | 'funding' // funding-rate settlements
  | 'funding_quotes' // the venue's current (predicted) rate for the next settlement: not a settlement
  | 'books'; // order-book snapshots

export const SERIES_TABLES: readonly SeriesTable[] = ['bars', 'mark_bars', 'index_bars', 'quote_bars', 'quotes', 'trades', 'funding', 'funding_quotes', 'books'];

/** Bar tables carry a timeframe in their key; other tables have timeframe null. */
export const BAR_TABLES: ReadonlySet<SeriesTable> = new Set(['bars', 'mark_bars', 'index_bars', 'quote_bars']);

export interface SeriesKey {
  table: SeriesTable;
  venue: string;
  /** ccxt unified symbol. */
  symbol: string;
  /** ccxt timeframe ('1m', '8h') for bar tables, null otherwise. */
  timeframe: string | null;
}

export function seriesId(key: SeriesKey): string {
  return `${key.table}/${key.venue}/${key.symbol}${key.timeframe ? `/${key.timeframe}` : ''}`;
}

/** Column value kinds: f64 numbers, i64 integer ms or counts, strings, and lists of f64 (book levels). */
export type ColumnType = 'f64' | 'i64' | 'string' | 'f64list';

/**
 * What a value must satisfy (bounds and reasons in plausibility.ts): price > 0 and below the
 * ceiling, size >= 0, finite any sign, an event time in the plausible domain, a funding rate or
 * interval within their bounds.
 */
export type ColumnCheck = 'price' | 'size' | 'finite' | 'time' | 'fundingRate' | 'fundingInterval' | 'side' | 'none';

export interface ColumnSpec {
  name: string;
  type: ColumnType;
  nullable: boolean;
  check: ColumnCheck;
}

const col = (name: string, type: ColumnType, check: ColumnCheck, nullable = false): ColumnSpec => ({ name, type, nullable, check });
const TIME_COLUMNS = [col('ts', 'i64', 'time'), col('received_at', 'i64', 'time', true)];
const ohlc = (prefix = '') => ['open', 'high', 'low', 'close'].map((n) => col(`${prefix}${n}`, 'f64', 'price'));

export const SERIES_COLUMNS: Record<SeriesTable, readonly ColumnSpec[]> = {
  bars: [...TIME_COLUMNS, ...ohlc(), col('volume', 'f64', 'size', true)],
  mark_bars: [...TIME_COLUMNS, ...ohlc(), col('volume', 'f64', 'size', true)],
  index_bars: [...TIME_COLUMNS, ...ohlc(), col('volume', 'f64', 'size', true)],
  quote_bars: [
    ...TIME_COLUMNS,
    ...ohlc('bid_'),
    col('bid_size', 'f64', 'size', true),
    ...ohlc('ask_'),
    col('ask_size', 'f64', 'size', true),
  ],
  quotes: [
    ...TIME_COLUMNS,
    col('bid', 'f64', 'price'),
    col('bid_size', 'f64', 'size', true),
    col('ask', 'f64', 'price'),
    col('ask_size', 'f64', 'size', true),
    col('last', 'f64', 'price', true),
  ],
  trades: [...TIME_COLUMNS, col('price', 'f64', 'price'), col('amount', 'f64', 'size'), col('side', 'string', 'side', true), col('trade_id', 'string', 'none', true)],
  funding: [
    ...TIME_COLUMNS,
    col('rate', 'f64', 'fundingRate'),
    col('interval_ms', 'i64', 'fundingInterval', true),
    col('mark_price', 'f64', 'price', true),
  ],
  funding_quotes: [
    ...TIME_COLUMNS,
    col('rate', 'f64', 'fundingRate'),
    // The announced settlement time: in the future, so not an event time (at most 7 days ahead, checked where quotes are read).
    col('next_funding_ms', 'i64', 'finite', true),
    col('interval_ms', 'i64', 'fundingInterval', true),
    col('mark_price', 'f64', 'price', true),
    col('index_price', 'f64', 'price', true),
  ],
  books: [
    ...TIME_COLUMNS,
    col('bid_prices', 'f64list', 'price'),
    col('bid_sizes', 'f64list', 'size'),
    col('ask_prices', 'f64list', 'price'),
    col('ask_sizes', 'f64list', 'size'),
    col('sequence', 'i64', 'finite', true),
  ],
};
