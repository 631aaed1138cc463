import { isoUtc, timeframeToMs, DAY_MS, type EpochMs } from '../../core/time.ts';
import {
  bookTopProblem,
  EARLIEST_EVENT_MS,
  EVENT_TIME_AHEAD_MS,
  eventTimeProblem,
  fundingIntervalProblem,
  fundingRateProblem,
  MAX_ABS_FUNDING_RATE_PER_INTERVAL,
  MAX_FUNDING_INTERVAL_MS,
  MAX_PRICE,
  MIN_FUNDING_INTERVAL_MS,
  ohlcProblem,
  priceProblem,
  quoteProblem,
  sizeProblem,
} from '../../domain/plausibility.ts';
import { BAR_TABLES, SERIES_COLUMNS, type ColumnCheck, type ColumnSpec } from '../../domain/series.ts';
import type { ColumnData, Rejection, SeriesData } from './types.ts';

export interface ValidateOptions {
  /** The local clock, read once per import: event times more than a day after it are rejected (default Date.now()). */
  nowMs?: EpochMs;
}

export interface ValidatedSeries {
  /** The rows that passed, in source order (which validation guarantees is time order). */
  data: SeriesData;
  rejections: Rejection[];
}

/**
 * Checks every row of a parsed series: required values present and finite and inside the
 * plausibility bounds (domain/plausibility.ts: event times from 2009-01-03 to now + 1 day, prices
 * > 0 and below the ceiling, sizes >= 0, funding rate and interval), OHLC consistent, bid <= ask,
 * book levels sorted and not crossed, bars on their timeframe grid, and time strictly increasing by
 * key (a row with an earlier time is out of order, an equal key a duplicate).
 * Rejected rows are reported with file and line; nothing is dropped silently.
 */
export function validateSeries(series: SeriesData, options: ValidateOptions = {}): ValidatedSeries {
  const nowMs = options.nowMs ?? Date.now();
  const { key, rows, columns, lines, source } = series;
  const specs = SERIES_COLUMNS[key.table];
  const rejections: Rejection[] = [];
  const keep = new Uint8Array(rows);
  const ts = columns.ts as Float64Array;
  const gridMs = BAR_TABLES.has(key.table) && key.timeframe ? timeframeToMs(key.timeframe) : 0;
  const checkGrid = gridMs > 0 && gridMs <= DAY_MS;
  const tradeIds = key.table === 'trades' ? (columns.trade_id as (string | null)[]) : null;
  let lastTs = Number.NEGATIVE_INFINITY;
  let lastRow = -1;
  let seenIdsAtLastTs = new Set<string | null>();
  let kept = 0;

  const suspect = suspectRows(key.table, specs, columns, rows, nowMs);
  for (let i = 0; i < rows; i++) {
    let reason = suspect[i] ? (rowProblem(specs, columns, i, nowMs) ?? tableProblem(key.table, columns, i)) : null;
    const t = ts[i];
    if (reason === null && checkGrid && t % gridMs !== 0) reason = `ts ${isoUtc(t)} is not on the ${key.timeframe} grid`;
    if (reason === null) {
      if (t < lastTs) {
        reason = `out of order: ${isoUtc(t)} comes after ${isoUtc(lastTs)} (line ${lines[lastRow]})`;
      } else if (t === lastTs && (tradeIds === null || seenIdsAtLastTs.has(tradeIds[i]))) {
        const same = firstDifference(specs, columns, i, columns, lastRow) === null;
        reason = `${same ? 'duplicate' : 'conflicting duplicate'} of line ${lines[lastRow]} (${isoUtc(t)})`;
      }
    }
    if (reason !== null) {
      rejections.push({ source, line: lines[i], reason });
      continue;
    }
    if (t !== lastTs) seenIdsAtLastTs = new Set();
    if (tradeIds) seenIdsAtLastTs.add(tradeIds[i]);
    keep[i] = 1;
    lastTs = t;
    lastRow = i;
    kept++;
  }
  if (kept === rows) return { data: series, rejections };
  return { data: selectRows(series, keep, kept), rejections };
}

/** The closed range a value of this check must lie in (NaN always fails it: nulls are handled apart). */
function checkRange(check: ColumnCheck, nowMs: EpochMs): [number, number] {
  switch (check) {
    case 'price':
      return [Number.MIN_VALUE, MAX_PRICE];
    case 'size':
      return [0, Number.MAX_VALUE];
    case 'time':
      return [EARLIEST_EVENT_MS, nowMs + EVENT_TIME_AHEAD_MS];
    case 'fundingRate':
      return [-MAX_ABS_FUNDING_RATE_PER_INTERVAL, MAX_ABS_FUNDING_RATE_PER_INTERVAL];
    case 'fundingInterval':
      return [MIN_FUNDING_INTERVAL_MS, MAX_FUNDING_INTERVAL_MS];
    default:
      return [-Number.MAX_VALUE, Number.MAX_VALUE];
  }
}

/**
 * Marks the rows that may break a value check, column by column in tight loops; only those rows go
 * through the row-wise checks that name the problem. Tables with text or list columns are all
 * checked row by row (they are small).
 */
function suspectRows(table: SeriesData['key']['table'], specs: readonly ColumnSpec[], columns: Record<string, ColumnData>, rows: number, nowMs: EpochMs): Uint8Array {
  const suspect = new Uint8Array(rows);
  if (specs.some((s) => s.type === 'string' || s.type === 'f64list')) return suspect.fill(1);
  for (const spec of specs) {
    const values = columns[spec.name] as Float64Array;
    const integer = spec.type === 'i64';
    const [lowest, highest] = checkRange(spec.check, nowMs);
    for (let i = 0; i < rows; i++) {
      const v = values[i];
      if (v !== v) {
        if (!spec.nullable) suspect[i] = 1;
      } else if (!(v >= lowest && v <= highest) || (integer && Math.floor(v) !== v)) suspect[i] = 1;
    }
  }
  const prefixes = table === 'quote_bars' ? ['bid_', 'ask_'] : table === 'bars' || table === 'mark_bars' || table === 'index_bars' ? [''] : [];
  for (const prefix of prefixes) {
    const open = columns[`${prefix}open`] as Float64Array;
    const high = columns[`${prefix}high`] as Float64Array;
    const low = columns[`${prefix}low`] as Float64Array;
    const close = columns[`${prefix}close`] as Float64Array;
    for (let i = 0; i < rows; i++) {
      if (high[i] < open[i] || high[i] < close[i] || high[i] < low[i] || low[i] > open[i] || low[i] > close[i]) suspect[i] = 1;
    }
  }
  const [bid, ask] = table === 'quotes' ? ['bid', 'ask'] : table === 'quote_bars' ? ['bid_close', 'ask_close'] : [];
  if (bid && ask) {
    const bids = columns[bid] as Float64Array;
    const asks = columns[ask] as Float64Array;
    for (let i = 0; i < rows; i++) if (bids[i] > asks[i]) suspect[i] = 1;
  }
  return suspect;
}

/** The bound a numeric value of this check breaks, named; null when it holds. */
function valueProblem(check: ColumnCheck, name: string, v: number, nowMs: EpochMs): string | null {
  switch (check) {
    case 'price':
      return priceProblem(name, v);
    case 'size':
      return sizeProblem(name, v);
    case 'time':
      return eventTimeProblem(name, v, nowMs);
    case 'fundingRate':
      return fundingRateProblem(name, v);
    case 'fundingInterval':
      return fundingIntervalProblem(name, v);
    default:
      return null;
  }
}

function rowProblem(specs: readonly ColumnSpec[], columns: Record<string, ColumnData>, i: number, nowMs: EpochMs): string | null {
  for (const spec of specs) {
    const column = columns[spec.name];
    if (spec.type === 'f64' || spec.type === 'i64') {
      const v = (column as Float64Array)[i];
      if (Number.isNaN(v)) {
        if (spec.nullable) continue;
        return `${spec.name} is missing or not a number`;
      }
      if (!Number.isFinite(v)) return `${spec.name} is not finite (${v})`;
      if (spec.type === 'i64' && !Number.isInteger(v)) return `${spec.name} must be an integer (${v})`;
      const problem = valueProblem(spec.check, spec.name, v, nowMs);
      if (problem) return problem;
    } else if (spec.type === 'string') {
      const v = (column as (string | null)[])[i];
      if (v === null || v === undefined) {
        if (spec.nullable) continue;
        return `${spec.name} is missing`;
      }
      if (spec.check === 'side' && v !== 'buy' && v !== 'sell') return `${spec.name} must be buy or sell ('${v}')`;
    } else {
      const levels = (column as Float64Array[])[i];
      if (!levels) return `${spec.name} is missing`;
      for (let k = 0; k < levels.length; k++) {
        const v = levels[k];
        if (!Number.isFinite(v)) return `${spec.name}[${k}] is not a finite number`;
        const problem = valueProblem(spec.check, `${spec.name}[${k}]`, v, nowMs);
        if (problem) return problem;
      }
    }
  }
  return null;
}

function num(columns: Record<string, ColumnData>, name: string, i: number): number {
  return (columns[name] as Float64Array)[i];
}

function barProblem(columns: Record<string, ColumnData>, i: number, prefix: string): string | null {
  return ohlcProblem(num(columns, `${prefix}open`, i), num(columns, `${prefix}high`, i), num(columns, `${prefix}low`, i), num(columns, `${prefix}close`, i), prefix);
}

function tableProblem(table: SeriesData['key']['table'], columns: Record<string, ColumnData>, i: number): string | null {
  switch (table) {
    case 'bars':
    case 'mark_bars':
    case 'index_bars':
      return barProblem(columns, i, '');
    case 'quote_bars':
      return barProblem(columns, i, 'bid_') ?? barProblem(columns, i, 'ask_') ?? quoteProblem(num(columns, 'bid_close', i), num(columns, 'ask_close', i), 'bid_close', 'ask_close');
    case 'quotes':
      return quoteProblem(num(columns, 'bid', i), num(columns, 'ask', i));
    case 'books':
      return bookProblem(columns, i);
    default:
      return null;
  }
}

function bookProblem(columns: Record<string, ColumnData>, i: number): string | null {
  const bidPrices = (columns.bid_prices as Float64Array[])[i];
  const askPrices = (columns.ask_prices as Float64Array[])[i];
  if (bidPrices.length !== (columns.bid_sizes as Float64Array[])[i].length) return 'bid_prices and bid_sizes differ in length';
  if (askPrices.length !== (columns.ask_sizes as Float64Array[])[i].length) return 'ask_prices and ask_sizes differ in length';
  for (let k = 1; k < bidPrices.length; k++) if (bidPrices[k] >= bidPrices[k - 1]) return `bids not strictly descending at level ${k}`;
  for (let k = 1; k < askPrices.length; k++) if (askPrices[k] <= askPrices[k - 1]) return `asks not strictly ascending at level ${k}`;
  return bidPrices.length > 0 && askPrices.length > 0 ? bookTopProblem(bidPrices[0], askPrices[0]) : null;
}

/**
 * The first column (other than received_at) where row a of `left` and row b of `right` differ,
 * as 'name value (other value)', or null when the rows are equal.
 */
export function firstDifference(
  specs: readonly ColumnSpec[],
  left: Record<string, ColumnData>,
  a: number,
  right: Record<string, ColumnData>,
  b: number,
): string | null {
  for (const spec of specs) {
    if (spec.name === 'received_at') continue;
    if (spec.type === 'f64' || spec.type === 'i64') {
      const x = (left[spec.name] as Float64Array)[a];
      const y = (right[spec.name] as Float64Array)[b];
      if (x !== y && !(Number.isNaN(x) && Number.isNaN(y))) return `${spec.name} ${x} (other ${y})`;
    } else if (spec.type === 'string') {
      const x = (left[spec.name] as (string | null)[])[a];
      const y = (right[spec.name] as (string | null)[])[b];
      if (x !== y) return `${spec.name} ${x} (other ${y})`;
    } else {
      const x = (left[spec.name] as Float64Array[])[a];
      const y = (right[spec.name] as Float64Array[])[b];
      if (x.length !== y.length || x.some((v, k) => v !== y[k])) return `${spec.name} levels differ`;
    }
  }
  return null;
}

/** A copy of the series with only the rows where keep[i] is 1. */
export function selectRows(series: SeriesData, keep: Uint8Array, kept: number): SeriesData {
  const columns: Record<string, ColumnData> = {};
  for (const [name, column] of Object.entries(series.columns)) {
    if (column instanceof Float64Array) {
      const out = new Float64Array(kept);
      for (let i = 0, j = 0; i < series.rows; i++) if (keep[i]) out[j++] = column[i];
      columns[name] = out;
    } else {
      columns[name] = (column as unknown[]).filter((_, i) => keep[i] === 1) as ColumnData;
    }
  }
  const lines = new Int32Array(kept);
  for (let i = 0, j = 0; i < series.rows; i++) if (keep[i]) lines[j++] = series.lines[i];
  return { ...series, rows: kept, columns, lines };
}
