/**
 * The scanner's state from live venues (through the MarketDataVenue interface, ccxt in practice):
 * per venue, the spot, perp and dated-future markets of the requested base assets and quote
 * currencies, the current funding rate of each perp and an order book (top levels) of each market.
 *
 * Funding: the rate a venue quotes now (Binance premiumIndex `lastFundingRate`, OKX `fundingRate`,
 * Bybit tickers `fundingRate`) is the one that will be applied at the NEXT settlement, i.e. a
 * prediction, so it is given to the scanner as a predicted rate for that settlement (no last
 * settlement time), never as a settled one; the scanner then holds it for every settlement in the
 * horizon, as it does for any rate.
 *
 * Failures are per venue and per market: a market whose book or funding cannot be had is a
 * rejection naming venue, market and call, and the rest is scanned; a venue whose markets cannot be
 * loaded at all (down, unreachable, 503) is left out and named in the notes. (With --watch,
 * liveWatch.ts retries it in the background; joinLiveVenue and applyLiveVenueLoad add it when it answers.)
 */
import type { EpochMs } from '../../core/time.ts';
import type { Rejection } from '../../data/import/types.ts';
import type { BookSnapshotEvent } from '../../domain/events.ts';
import type { Instrument } from '../../domain/instrument.ts';
import type { InstrumentKind } from '../../domain/symbol.ts';
import { venueTimestamp, type FundingRateQuoteEvent, type MarketDataVenue, VenueError } from '../../venues/types.ts';
import type { Scanner } from '../../strategy/scanner/scanner.ts';

export const LIVE_KINDS: readonly InstrumentKind[] = ['spot', 'perp', 'future'];
export const DEFAULT_LIVE_VENUES: readonly string[] = ['binance', 'bybit', 'okx'];
export const DEFAULT_LIVE_ASSETS: readonly string[] = ['BTC', 'ETH'];
/** USDT markets are the liquid ones on every default venue; each further quote adds a book request per market. */
export const DEFAULT_LIVE_QUOTES: readonly string[] = ['USDT'];
/** Book levels per side: enough to walk the default 10,000 USD per leg on BTC and ETH markets. */
export const DEFAULT_LIVE_DEPTH = 20;

export interface LiveSelection {
  /** Base assets, e.g. BTC, ETH. */
  assets: readonly string[];
  /** Quote currencies, e.g. USDT. */
  quotes: readonly string[];
  /** Book levels per side. */
  depth: number;
}

export interface LiveVenueReport {
  venue: string;
  /** Why the venue was left out entirely (its markets could not be loaded, or nothing it was asked answered); null when it answered. */
  failed: string | null;
  /** Markets selected (asset, quote, kind, not expired). */
  instruments: number;
  books: number;
  /** Books stamped with the venue's own time; the others carry the local receipt time. */
  booksWithVenueTime: number;
  fundingRates: number;
  /** Calls that failed for one market (in the rejections). */
  errors: number;
}

export interface LiveLoad {
  /** e.g. 'live binance, okx'. */
  source: string;
  /** The local time after the last answer: the scanner's clock for this scan. */
  asOfMs: EpochMs;
  instruments: Instrument[];
  books: BookSnapshotEvent[];
  funding: FundingRateQuoteEvent[];
  notes: string[];
  rejections: Rejection[];
  venues: LiveVenueReport[];
}

export interface LiveVenueLoad {
  report: LiveVenueReport;
  instruments: Instrument[];
  books: BookSnapshotEvent[];
  funding: FundingRateQuoteEvent[];
  rejections: Rejection[];
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** A failure of one call about one market, as a rejection naming the venue. */
function rejection(venue: string, what: string, error: unknown): Rejection {
  return { source: venue, line: null, reason: `${what}: ${messageOf(error)}` };
}

/** The markets to scan: kind spot/perp/future, base among the assets, quote among the quotes, not expired. */
export function selectInstruments(all: readonly Instrument[], selection: Pick<LiveSelection, 'assets' | 'quotes'>, nowMs: EpochMs): Instrument[] {
  const assets = new Set(selection.assets);
  const quotes = new Set(selection.quotes);
  return all.filter((i) => LIVE_KINDS.includes(i.kind) && assets.has(i.base) && quotes.has(i.quote) && (i.expiryMs === null || i.expiryMs > nowMs));
}

/**
 * Current funding quotes of the perps: one bulk request per contract family (linear, inverse: some
 * venues answer only one family per request), falling back to one request per perp when the bulk
 * answer lacks one of them. Failures are rejections; the other perps keep their quotes.
 */
export async function fetchFundingQuotes(venue: MarketDataVenue, perps: readonly Instrument[]): Promise<{ quotes: FundingRateQuoteEvent[]; rejections: Rejection[] }> {
  const quotes: FundingRateQuoteEvent[] = [];
  const rejections: Rejection[] = [];
  const families = [perps.filter((p) => p.linear !== false), perps.filter((p) => p.linear === false)].filter((f) => f.length > 0);
  for (const family of families) {
    const symbols = family.map((p) => p.symbol);
    try {
      quotes.push(...(await venue.fetchFundingRates(symbols)));
      continue;
    } catch (error) {
      const perSymbol = symbols.length > 1 && error instanceof VenueError && (error.kind === 'badResponse' || error.kind === 'badSymbol');
      if (!perSymbol) {
        for (const symbol of symbols) rejections.push(rejection(venue.venue, `funding rate of ${symbol}`, error));
        continue;
      }
    }
    for (const symbol of symbols) {
      try {
        quotes.push(await venue.fetchFundingRate(symbol));
      } catch (error) {
        rejections.push(rejection(venue.venue, `funding rate of ${symbol}`, error));
      }
    }
  }
  return { quotes, rejections };
}

/**
 * Funding intervals of the perps that neither their market nor their funding quote gives, from the
 * venue's own sources (loadInstruments with the symbols: interval endpoints, else the gaps between
 * recent settlements). Sets them on the instruments; a perp left without one is a rejection (its
 * funding is then unknown to the scanner, never assumed).
 */
async function resolveMissingIntervals(venue: MarketDataVenue, perps: Instrument[], quotes: readonly FundingRateQuoteEvent[]): Promise<Rejection[]> {
  const quoted = new Map(quotes.map((q) => [q.symbol, q]));
  const missing = perps.filter((p) => p.fundingIntervalMs === null && quoted.has(p.symbol) && quoted.get(p.symbol)!.fundingIntervalMs === null);
  if (missing.length === 0) return [];
  try {
    const resolved = new Map((await venue.loadInstruments({ symbols: missing.map((p) => p.symbol), kinds: ['perp'] })).map((i) => [i.symbol, i.fundingIntervalMs]));
    for (const perp of missing) perp.fundingIntervalMs = resolved.get(perp.symbol) ?? null;
  } catch (error) {
    return missing.map((p) => rejection(venue.venue, `funding interval of ${p.symbol} (funding not used)`, error));
  }
  return missing
    .filter((p) => p.fundingIntervalMs === null)
    .map((p) => ({ source: venue.venue, line: null, reason: `funding interval of ${p.symbol}: the venue gives none (funding not used)` }));
}

/** Order books of the markets (ccxt's throttle spaces the requests); each failure is a rejection. */
export async function fetchBooks(venue: MarketDataVenue, instruments: readonly Instrument[], depth: number): Promise<{ books: BookSnapshotEvent[]; rejections: Rejection[] }> {
  const settled = await Promise.allSettled(instruments.map((i) => venue.fetchOrderBook(i.symbol, depth)));
  const books: BookSnapshotEvent[] = [];
  const rejections: Rejection[] = [];
  settled.forEach((result, k) => {
    if (result.status === 'fulfilled') books.push(result.value);
    else rejections.push(rejection(venue.venue, `order book of ${instruments[k].symbol}`, result.reason));
  });
  return { books, rejections };
}

/** One venue's markets, funding and books; never throws (a venue that fails is reported in `report.failed`). */
export async function loadLiveVenue(venue: MarketDataVenue, selection: LiveSelection, now: () => EpochMs): Promise<LiveVenueLoad> {
  const report: LiveVenueReport = { venue: venue.venue, failed: null, instruments: 0, books: 0, booksWithVenueTime: 0, fundingRates: 0, errors: 0 };
  const empty: LiveVenueLoad = { report, instruments: [], books: [], funding: [], rejections: [] };
  let all: Instrument[];
  try {
    all = await venue.loadInstruments({ kinds: [...LIVE_KINDS], skipFundingIntervals: true });
  } catch (error) {
    report.failed = messageOf(error);
    return empty;
  }
  const instruments = selectInstruments(all, selection, now());
  report.instruments = instruments.length;
  if (instruments.length === 0) return { ...empty, instruments };
  const perps = instruments.filter((i) => i.kind === 'perp');
  const funding = await fetchFundingQuotes(venue, perps);
  const intervalRejections = await resolveMissingIntervals(venue, perps, funding.quotes);
  const books = await fetchBooks(venue, instruments, selection.depth);
  const rejections = [...funding.rejections, ...intervalRejections, ...books.rejections];
  report.books = books.books.length;
  report.booksWithVenueTime = books.books.filter((b) => venueTimestamp(b) !== null).length;
  report.fundingRates = funding.quotes.length;
  report.errors = rejections.length;
  if (books.books.length === 0 && funding.quotes.length === 0) {
    report.failed = `none of its ${instruments.length} markets answered: ${rejections[0]?.reason ?? 'no answer'}`;
    return { ...empty, instruments, rejections };
  }
  return { report, instruments, books: books.books, funding: funding.quotes, rejections };
}

/** Describes what the load is and what it is not (predicted funding, venues left out, markets missing). */
function liveNotes(venues: readonly LiveVenueReport[], selection: LiveSelection, fundingCount: number): string[] {
  const notes: string[] = [];
  for (const v of venues) {
    if (v.failed !== null) notes.push(`${v.venue}: left out of the scan, it did not answer (live mode needs internet access to the venue's API): ${v.failed}`);
    else if (v.instruments === 0) notes.push(`${v.venue}: no spot, perp or dated-future market of ${selection.assets.join(', ')} quoted in ${selection.quotes.join(', ')}`);
  }
  if (fundingCount > 0) {
    notes.push("funding: each perp's current rate is the venue's prediction for its next settlement, held for every settlement in the horizon");
  }
  const receiptOnly = venues.filter((v) => v.books > v.booksWithVenueTime);
  if (receiptOnly.length > 0) notes.push(`books without a venue time are timed at receipt: ${receiptOnly.map((v) => `${v.venue} ${v.books - v.booksWithVenueTime} of ${v.books}`).join(', ')}`);
  return notes;
}

/** Loads every venue at once (each at its own rate limit). */
export async function loadLive(venues: readonly MarketDataVenue[], selection: LiveSelection, now: () => EpochMs): Promise<LiveLoad> {
  const loads = await Promise.all(venues.map((v) => loadLiveVenue(v, selection, now)));
  const reports = loads.map((l) => l.report);
  const funding = loads.flatMap((l) => l.funding);
  return {
    source: `live ${venues.map((v) => v.venue).join(', ')}`,
    asOfMs: now(),
    instruments: loads.flatMap((l) => l.instruments),
    books: loads.flatMap((l) => l.books),
    funding,
    notes: liveNotes(reports, selection, funding.length),
    rejections: loads.flatMap((l) => l.rejections),
    venues: reports,
  };
}

/**
 * A funding quote as the scanner's predicted rate for the next settlement (no last settlement).
 * Without a next settlement time the scanner counts whole intervals in the horizon. Mark and index
 * prices, when quoted, go to the instrument too (the premium check of fundingMayChangeSign).
 * Returns false when the instrument is not in the scanner.
 */
export function applyFundingQuote(scanner: Scanner, quote: FundingRateQuoteEvent): boolean {
  const index = scanner.indexOf(quote.venue, quote.symbol);
  if (index < 0) return false;
  scanner.updateFunding(index, quote.fundingRatePerInterval, quote.fundingIntervalMs ?? Number.NaN, Number.NaN, quote.nextFundingTimeMs ?? Number.NaN);
  if (quote.markPrice !== null || quote.indexPrice !== null) scanner.updateMark(index, quote.markPrice ?? Number.NaN, quote.indexPrice ?? Number.NaN, quote.ts);
  return true;
}

/**
 * The load with one more venue that answered after it (a retry of a venue that had failed): its
 * report replaces the failed one, its markets, books, funding and rejections are added and the notes
 * are made again (so they no longer say it is left out).
 */
export function joinLiveVenue(load: LiveLoad, joined: LiveVenueLoad, selection: LiveSelection): LiveLoad {
  const venues = load.venues.some((v) => v.venue === joined.report.venue)
    ? load.venues.map((v) => (v.venue === joined.report.venue ? joined.report : v))
    : [...load.venues, joined.report];
  const funding = [...load.funding, ...joined.funding];
  return {
    ...load,
    instruments: [...load.instruments, ...joined.instruments],
    books: [...load.books, ...joined.books],
    funding,
    notes: liveNotes(venues, selection, funding.length),
    rejections: [...load.rejections, ...joined.rejections],
    venues,
  };
}

/** Adds the instruments, sets the clock, applies books and funding, rescans. */
function applyMarkets(scanner: Scanner, load: Pick<LiveLoad, 'instruments' | 'books' | 'funding'>, nowMs: EpochMs): { applied: number; errors: Rejection[] } {
  for (const instrument of load.instruments) scanner.addInstrument(instrument);
  scanner.setNow(nowMs);
  let applied = 0;
  const errors: Rejection[] = [];
  const run = (venue: string, what: string, apply: () => boolean) => {
    try {
      if (apply()) applied++;
    } catch (error) {
      errors.push(rejection(venue, what, error));
    }
  };
  for (const book of load.books) run(book.venue, `order book of ${book.symbol}`, () => scanner.apply(book));
  for (const quote of load.funding) run(quote.venue, `funding rate of ${quote.symbol}`, () => applyFundingQuote(scanner, quote));
  scanner.rescan();
  return { applied, errors };
}

/** Adds the instruments, sets the clock to the load's time, applies books and funding, rescans. */
export function applyLiveLoad(scanner: Scanner, load: LiveLoad): { applied: number; errors: Rejection[] } {
  return applyMarkets(scanner, load, load.asOfMs);
}

/** One venue's load into a scanner that is already running (a venue that joined late): as applyLiveLoad, with the clock at `nowMs`. */
export function applyLiveVenueLoad(scanner: Scanner, load: LiveVenueLoad, nowMs: EpochMs): { applied: number; errors: Rejection[] } {
  return applyMarkets(scanner, load, nowMs);
}
