/**
 * Where the scanner's state comes from, all through one shape (StateLoad: instruments plus the
 * domain market events that set their state, and the time the state is "as of"):
 * - a snapshot file: a cryptofeed capture (the FTX /api/markets format, also Binance depth and OKX
 *   websocket), read by the existing capture parsers and validated like an import; the state is the
 *   last row of every series (at or before `atMs` when given);
 * - the store as of a time `at`: per instrument the latest price at or before `at` (a quote or book,
 *   else a bar's close whose close time is at or before `at`), the last funding settlement at or
 *   before `at` (and the one before it) with its interval, so the next settlement is last + interval,
 *   and the latest mark and index bars.
 * Live feeds will produce the same events (connectivity issue).
 */
import { readFile } from 'node:fs/promises';
import { InputError } from '../../core/errors.ts';
import { isoUtc, timeframeToMs } from '../../core/time.ts';
import type { BarEvent, BookSnapshotEvent, FundingRateEvent, MarketEvent, QuoteEvent, TradeEvent } from '../../domain/events.ts';
import { instrumentFromSymbol, instrumentId, type Instrument } from '../../domain/instrument.ts';
import type { SeriesKey, SeriesTable } from '../../domain/series.ts';
import { parseCaptureText } from '../../data/import/cryptofeed/captureImporter.ts';
import { REST_HEAD_RE, WS_HEAD_RE } from '../../data/import/cryptofeed/captureLines.ts';
import type { Rejection, SeriesData } from '../../data/import/types.ts';
import { validateSeries } from '../../data/import/validateSeries.ts';
import type { MarketStore } from '../../data/store/marketStore.ts';
import type { InstrumentHistory } from '../../strategy/scanner/history.ts';
import type { Scanner } from '../../strategy/scanner/scanner.ts';
import { priceHistory } from './stateHistory.ts';

export interface StateLoad {
  /** What was read: a file path or a store directory. */
  source: string;
  /** The time the state is as of: the scanner's clock for this scan. */
  asOfMs: number;
  instruments: Instrument[];
  /** In the order to apply (time order per instrument). */
  events: MarketEvent[];
  notes: string[];
  /** Rows or markets not taken, with file and line. */
  rejections: Rejection[];
  /** Each instrument's price observations up to the state, for the scanner's suspect check; empty without history. */
  history: InstrumentHistory[];
}

export interface LoadOptions {
  /** State as of this time (default for a snapshot: its latest time). */
  atMs?: number;
  /** A richer price (book, quote) is preferred over a fresher bar close unless older than it by more than this (ms). */
  preferQuotesWithinMs?: number;
  /** Store: price series whose last row is older than this at `at` are not read (the scanner would not use them). */
  maxPriceAgeMs?: number;
  /** Store: funding series whose last settlement is older than this at `at` are not read. */
  maxFundingAgeMs?: number;
  /** Observations before the state's own kept per series as history (the scanner's suspect.historyPoints); default 0: none. */
  historyPoints?: number;
}

/** Richness of a price source: books > quotes = quote bars > trades = bars. */
const PRICE_TABLES: Partial<Record<SeriesTable, number>> = { books: 4, quotes: 3, quote_bars: 3, trades: 1, bars: 1 };

const f64 = (data: SeriesData, column: string, row: number): number => (data.columns[column] as Float64Array)[row];
const orNull = (value: number): number | null => (Number.isNaN(value) ? null : value);

/** When a row's data is known: a bar at its close, anything else at ts. */
function knownAt(key: SeriesKey, ts: number): number {
  return key.timeframe && (key.table === 'bars' || key.table === 'mark_bars' || key.table === 'index_bars' || key.table === 'quote_bars')
    ? ts + timeframeToMs(key.timeframe)
    : ts;
}

/** Index of the last row known at or before atMs, or -1. */
function lastRowAt(data: SeriesData, atMs: number): number {
  const ts = data.columns.ts as Float64Array;
  for (let i = data.rows - 1; i >= 0; i--) if (knownAt(data.key, ts[i]) <= atMs) return i;
  return -1;
}

function eventOf(data: SeriesData, row: number): MarketEvent | null {
  const { key } = data;
  const ts = f64(data, 'ts', row);
  const receivedAt = orNull(f64(data, 'received_at', row));
  const base = { venue: key.venue, symbol: key.symbol, ts, receivedAt };
  switch (key.table) {
    case 'quotes':
      return { ...base, type: 'quote', bid: f64(data, 'bid', row), bidSize: orNull(f64(data, 'bid_size', row)), ask: f64(data, 'ask', row), askSize: orNull(f64(data, 'ask_size', row)) } satisfies QuoteEvent;
    case 'quote_bars':
      return {
        ...base,
        ts: knownAt(key, ts),
        type: 'quote',
        bid: f64(data, 'bid_close', row),
        bidSize: orNull(f64(data, 'bid_size', row)),
        ask: f64(data, 'ask_close', row),
        askSize: orNull(f64(data, 'ask_size', row)),
      } satisfies QuoteEvent;
    case 'books': {
      const side = (p: string, s: string) => {
        const prices = (data.columns[p] as Float64Array[])[row];
        const sizes = (data.columns[s] as Float64Array[])[row];
        return Array.from(prices, (price, k) => ({ price, size: sizes[k] }));
      };
      return { ...base, type: 'book', bids: side('bid_prices', 'bid_sizes'), asks: side('ask_prices', 'ask_sizes'), sequence: orNull(f64(data, 'sequence', row)) } satisfies BookSnapshotEvent;
    }
    case 'bars':
    case 'mark_bars':
    case 'index_bars':
      return {
        ...base,
        type: 'bar',
        priceType: key.table === 'bars' ? 'trade' : key.table === 'mark_bars' ? 'mark' : 'index',
        intervalMs: timeframeToMs(key.timeframe!),
        open: f64(data, 'open', row),
        high: f64(data, 'high', row),
        low: f64(data, 'low', row),
        close: f64(data, 'close', row),
        volume: orNull(f64(data, 'volume', row)),
      } satisfies BarEvent;
    case 'trades':
      return {
        ...base,
        type: 'trade',
        price: f64(data, 'price', row),
        amount: f64(data, 'amount', row),
        side: (data.columns.side as (string | null)[])[row] as TradeEvent['side'],
        tradeId: (data.columns.trade_id as (string | null)[])[row],
      } satisfies TradeEvent;
    case 'funding':
      return {
        ...base,
        type: 'funding',
        fundingRatePerInterval: f64(data, 'rate', row),
        fundingIntervalMs: orNull(f64(data, 'interval_ms', row)),
        markPrice: orNull(f64(data, 'mark_price', row)),
      } satisfies FundingRateEvent;
    case 'funding_quotes':
      // A store scan prices funding from settlements; the predicted rate is read by live scans.
      return null;
  }
}

interface PriceCandidate {
  rank: number;
  timeMs: number;
  /** Bar length, to prefer the shorter of equal bars. */
  lengthMs: number;
  event: MarketEvent;
  data: SeriesData;
  row: number;
}

/**
 * The state as of atMs from series (each in ts order): per instrument one price (the richest
 * source not older than the freshest by more than preferQuotesWithinMs), the last two funding
 * settlements, the latest mark and index.
 */
export function stateFromSeries(source: string, instruments: readonly Instrument[], series: readonly SeriesData[], atMs: number, options: LoadOptions = {}): StateLoad {
  const within = options.preferQuotesWithinMs ?? 60_000;
  const notes: string[] = [];
  const known = new Map(instruments.map((i) => [instrumentId(i.venue, i.symbol), i]));
  const prices = new Map<string, PriceCandidate[]>();
  const others: MarketEvent[] = [];
  const historyPoints = options.historyPoints ?? 0;
  let laterOnly = 0;
  for (const data of series) {
    const id = instrumentId(data.key.venue, data.key.symbol);
    if (!known.has(id)) known.set(id, instrumentFromSymbol(data.key.venue, data.key.symbol));
    const row = lastRowAt(data, atMs);
    if (row < 0) {
      laterOnly++;
      continue;
    }
    const rank = PRICE_TABLES[data.key.table];
    if (rank !== undefined) {
      const event = eventOf(data, row)!;
      const list = prices.get(id) ?? [];
      list.push({ rank, timeMs: knownAt(data.key, f64(data, 'ts', row)), lengthMs: data.key.timeframe ? timeframeToMs(data.key.timeframe) : 0, event, data, row });
      prices.set(id, list);
    } else if (data.key.table === 'funding') {
      if (row > 0) others.push(eventOf(data, row - 1)!);
      others.push(eventOf(data, row)!);
    } else {
      others.push(eventOf(data, row)!);
    }
  }
  const events: MarketEvent[] = [];
  const history: InstrumentHistory[] = [];
  const bySource = new Map<string, number>();
  for (const list of prices.values()) {
    const freshest = Math.max(...list.map((c) => c.timeMs));
    list.sort((x, y) => y.rank - x.rank || y.timeMs - x.timeMs || x.lengthMs - y.lengthMs);
    const chosen = list.find((c) => c.timeMs >= freshest - within) ?? list[0];
    events.push(chosen.event);
    if (historyPoints > 0) history.push({ venue: chosen.event.venue, symbol: chosen.event.symbol, ...priceHistory(chosen.data, chosen.row, historyPoints) });
    const what = chosen.event.type === 'bar' ? `${msLabel(chosen.lengthMs)} bar closes` : chosen.event.type === 'book' ? 'book depth' : chosen.event.type === 'quote' ? 'bid/ask quotes' : 'trade prices';
    bySource.set(what, (bySource.get(what) ?? 0) + 1);
  }
  events.push(...others);
  if (bySource.size > 0) notes.push(`prices as of ${isoUtc(atMs)}: ${[...bySource].map(([what, n]) => `${n} from ${what}`).join(', ')}`);
  if (laterOnly > 0) notes.push(`${laterOnly} series have no row at or before ${isoUtc(atMs)}`);
  const withData = new Set(events.map((e) => instrumentId(e.venue, e.symbol)));
  const withFunding = new Set(events.filter((e) => e.type === 'funding').map((e) => instrumentId(e.venue, e.symbol)));
  const perps = [...withData].filter((id) => known.get(id)?.kind === 'perp');
  const perpsWithoutFunding = perps.filter((id) => !withFunding.has(id)).length;
  if (perps.length > 0 && withFunding.size === 0) {
    notes.push(
      `${source} has no funding rates: funding carry and funding differentials cannot be computed; basis, calendar and cross-venue spreads are computed without funding (flag fundingUnknown)`,
    );
  } else if (perpsWithoutFunding > 0) notes.push(`${perpsWithoutFunding} of ${perps.length} perps with data have no funding rate (flag fundingUnknown)`);
  return { source, asOfMs: atMs, instruments: [...known.values()], events, notes, rejections: [], history };
}

const msLabel = (ms: number) => (ms % 3_600_000 === 0 ? `${ms / 3_600_000}h` : ms % 60_000 === 0 ? `${ms / 60_000}m` : `${ms}ms`);

/**
 * Reads a snapshot file (a cryptofeed capture). Every market is validated as on import: a bad one
 * (crossed bid > ask, a missing price) is a rejection naming file, line and market, and is left
 * out; a file with no usable market at all is an error.
 */
export async function loadSnapshot(path: string, options: LoadOptions = {}): Promise<StateLoad> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new InputError({ source: path }, `cannot read snapshot: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
  const firstLine = text.slice(0, text.indexOf('\n') === -1 ? text.length : text.indexOf('\n'));
  if (!REST_HEAD_RE.test(firstLine) && !WS_HEAD_RE.test(firstLine)) {
    throw new InputError({ source: path, line: 1 }, "not a cryptofeed capture: expected '<url> -> <unix time>: <body>' lines (e.g. the FTX /api/markets capture)");
  }
  const parsed = parseCaptureText(text, path);
  const venueSymbols = new Map(parsed.instruments.map((i) => [instrumentId(i.venue, i.symbol), i.venueSymbol]));
  const rejections: Rejection[] = [...parsed.rejections];
  const series: SeriesData[] = [];
  for (const s of parsed.series) {
    const { data, rejections: bad } = validateSeries(s);
    const name = venueSymbols.get(instrumentId(s.key.venue, s.key.symbol));
    for (const r of bad) rejections.push({ ...r, reason: `${s.key.venue} market ${name ?? s.key.symbol}${name ? ` (${s.key.symbol})` : ''}: ${r.reason}` });
    if (data.rows > 0) series.push(data);
  }
  if (series.length === 0) {
    const shown = rejections.slice(0, 5).map((r) => `${r.source}${r.line === null ? '' : `:${r.line}`}: ${r.reason}`);
    throw new InputError({ source: path }, `no usable market data in the snapshot${shown.length ? `:\n  ${shown.join('\n  ')}` : ''}`);
  }
  const latest = Math.max(...series.map((s) => knownAt(s.key, (s.columns.ts as Float64Array)[s.rows - 1])));
  const atMs = options.atMs ?? latest;
  const load = stateFromSeries(path, parsed.instruments, series, atMs, options);
  load.notes.unshift(...parsed.notes);
  load.rejections = rejections;
  return load;
}

/**
 * The store's state as of atMs: reads the last two rows up to atMs of every series in one query per table,
 * and skips series that end too long before atMs to be used (maxPriceAgeMs, maxFundingAgeMs).
 */
export async function loadStoreState(store: MarketStore, atMs: number, options: LoadOptions = {}): Promise<StateLoad> {
  const all = store.listSeries();
  if (all.length === 0) throw new InputError({ source: store.root }, 'the store is empty (import data with: perp-arb data import <path>)');
  const wanted: { key: SeriesKey; beforeMs: number }[] = [];
  let after = 0;
  let tooOld = 0;
  for (const summary of all) {
    const { key } = summary;
    const isFunding = key.table === 'funding';
    if (!(key.table in PRICE_TABLES) && !isFunding && key.table !== 'mark_bars' && key.table !== 'index_bars') continue;
    // The state as of `at` includes what is known at `at`: bars that close at or before it, rows at or before it.
    const lastKnownTs = atMs - knownAt(key, 0);
    if (summary.firstTs > lastKnownTs) {
      after++;
      continue;
    }
    const maxAge = isFunding ? options.maxFundingAgeMs : options.maxPriceAgeMs;
    if (maxAge !== undefined && summary.lastTs < lastKnownTs && atMs - knownAt(key, summary.lastTs) > maxAge) {
      tooOld++;
      continue;
    }
    wanted.push({ key, beforeMs: lastKnownTs + 1 });
  }
  // Two rows per series: the latest, and for funding the settlement before it (the interval); more for the price history.
  const series = await store.lastRows(wanted, Math.max(2, (options.historyPoints ?? 0) + 1));
  const load = stateFromSeries(store.root, store.instruments(), series, atMs, options);
  if (after > 0) load.notes.push(`${after} series start after ${isoUtc(atMs)}`);
  // Entries the manifest cannot name are skipped with a warning, not a failure of the whole scan.
  load.notes.push(...store.unreadableWarnings());
  if (tooOld > 0) load.notes.push(`${tooOld} series end too long before ${isoUtc(atMs)} to be used (older than maxPriceAgeMs / maxFundingAgeMs) and were not read`);
  return load;
}

/** Adds the instruments to a scanner, sets its clock to the load's time, applies the events and the history. */
export function applyLoad(scanner: Scanner, load: StateLoad): { applied: number; errors: Rejection[] } {
  for (const instrument of load.instruments) scanner.addInstrument(instrument);
  scanner.setNow(load.asOfMs);
  let applied = 0;
  const errors: Rejection[] = [];
  for (const event of load.events) {
    try {
      if (scanner.apply(event)) applied++;
    } catch (error) {
      errors.push({ source: load.source, line: null, reason: (error as Error).message });
    }
  }
  scanner.setHistory(load.history);
  scanner.rescan();
  return { applied, errors };
}
