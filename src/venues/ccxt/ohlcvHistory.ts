import type { Exchange, OHLCV } from 'ccxt';
import { isoUtc, timeframeToMs, type EpochMs } from '../../core/time.ts';
import { parseSymbol } from '../../domain/symbol.ts';
import { VenueError } from '../types.ts';
import { requireMethod } from './capabilities.ts';
import { exchangeSecrets, toVenueError } from './errors.ts';

/** Trade-price candles (fetchOHLCV) or mark-price candles (fetchMarkOHLCV). */
export type OhlcvPrice = 'trade' | 'mark';

/** One candle as the venue gave it. A value ccxt could not read is NaN (validation rejects it, naming it). */
export interface Candle {
  /** Open time, ms UTC. */
  ts: EpochMs;
  open: number;
  high: number;
  low: number;
  close: number;
  /** Base units (contracts for inverse); null for mark candles, whose "volume" fields venues leave empty or zero. */
  volume: number | null;
}

/** The answer to one request: the candles with fromMs <= ts < toMs, oldest first, each once. */
export interface OhlcvPage {
  fromMs: EpochMs;
  toMs: EpochMs;
  candles: Candle[];
}

export const ohlcvMethod = (price: OhlcvPrice): 'fetchOHLCV' | 'fetchMarkOHLCV' => (price === 'mark' ? 'fetchMarkOHLCV' : 'fetchOHLCV');

/** When ccxt's `features` do not give a venue's page size: small enough for every venue we know. */
export const FALLBACK_OHLCV_PAGE_LIMIT = 100;

/**
 * Candles per request for this market, from ccxt's `features` (`fetchOHLCV.limit`, or `.mark` for
 * mark candles: OKX serves 300 trade but only 100 mark candles a page). The pager needs the real
 * maximum: a page shorter than asked is read as "the venue has no more candles in this window".
 */
export function ohlcvPageLimit(exchange: Exchange, symbol: string, price: OhlcvPrice): number {
  const market = exchange.markets?.[symbol];
  if (!market) return FALLBACK_OHLCV_PAGE_LIMIT;
  const features = exchange.featureValueByType(market.type ?? 'spot', market.subType, 'fetchOHLCV') as Record<string, unknown> | undefined;
  const value = (price === 'mark' ? features?.mark : undefined) ?? features?.limit;
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : FALLBACK_OHLCV_PAGE_LIMIT;
}

/** Throws a VenueError (unsupported) when the venue or the market cannot give these candles. */
export function requireOhlcv(exchange: Exchange, venue: string, symbol: string, price: OhlcvPrice): void {
  const method = ohlcvMethod(price);
  requireMethod(exchange, venue, method);
  if (price === 'mark' && parseSymbol(symbol).kind === 'spot') {
    throw new VenueError(venue, method, 'unsupported', `${symbol} is a spot market: mark prices exist only for perps and futures`, false);
  }
}

const num = (v: number | undefined | null): number => (typeof v === 'number' ? v : NaN);

function toCandle(row: OHLCV, price: OhlcvPrice): Candle {
  return { ts: num(row[0]), open: num(row[1]), high: num(row[2]), low: num(row[3]), close: num(row[4]), volume: price === 'mark' ? null : num(row[5]) };
}

export interface OhlcvPageRequest {
  venue: string;
  symbol: string;
  timeframe: string;
  price: OhlcvPrice;
  /** Window: candles with fromMs <= ts < toMs; at most the venue's page limit of them. */
  fromMs: EpochMs;
  toMs: EpochMs;
}

/**
 * One request for the candles of a window no longer than a page. ccxt is given `since`, the window's
 * candle count as `limit` and the last ms as `until`, which every venue turns into a closed range
 * (Binance startTime/endTime, OKX before/after, Bybit start/end), so the answer is the same whether
 * the venue pages forward or backward. Candles ccxt returns outside the window are not part of it.
 * A candle whose time ccxt could not read is kept, for validation to reject.
 */
export async function fetchOhlcvPage(exchange: Exchange, request: OhlcvPageRequest): Promise<OhlcvPage> {
  const { venue, symbol, timeframe, price, fromMs, toMs } = request;
  const method = ohlcvMethod(price);
  requireOhlcv(exchange, venue, symbol, price);
  const limit = Math.ceil((toMs - fromMs) / timeframeToMs(timeframe));
  let rows: OHLCV[];
  try {
    const params = { until: toMs - 1 };
    rows = price === 'mark' ? await exchange.fetchMarkOHLCV(symbol, timeframe, fromMs, limit, params) : await exchange.fetchOHLCV(symbol, timeframe, fromMs, limit, params);
  } catch (error) {
    throw withWindow(toVenueError(error, venue, method, exchangeSecrets(exchange)), `${symbol} ${timeframe} candles from ${isoUtc(fromMs)} to ${isoUtc(toMs)}`);
  }
  const candles = rows.map((r) => toCandle(r, price)).filter((c) => !Number.isFinite(c.ts) || (c.ts >= fromMs && c.ts < toMs));
  return { fromMs, toMs, candles };
}

/** The same error with where it happened appended (which request, which window). */
export function withWindow(error: VenueError, where: string): VenueError {
  const prefix = `${error.venue} ${error.method}: ${error.kind}: `;
  const detail = error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
  const wrapped = new VenueError(error.venue, error.method, error.kind, `${detail} (${where})`, error.retryable);
  wrapped.name = error.name;
  return wrapped;
}

/** Consecutive windows of at most `pageLimit` candles covering [fromMs, toMs) (grid-aligned bounds). */
export function ohlcvWindows(fromMs: EpochMs, toMs: EpochMs, timeframe: string, pageLimit: number): { fromMs: EpochMs; toMs: EpochMs }[] {
  const stepMs = timeframeToMs(timeframe) * pageLimit;
  const out: { fromMs: EpochMs; toMs: EpochMs }[] = [];
  for (let start = fromMs; start < toMs; start += stepMs) out.push({ fromMs: start, toMs: Math.min(start + stepMs, toMs) });
  return out;
}

export interface OhlcvHistoryOptions {
  price?: OhlcvPrice;
  /** Candles per request (default: the venue's maximum, ohlcvPageLimit). */
  pageLimit?: number;
}

/**
 * Every candle with sinceMs <= ts < untilMs, oldest first, each once, one request per page
 * (ccxt's throttle keeps to the venue's rate limit). The caller decides which candles are closed.
 */
export async function* ohlcvPages(exchange: Exchange, venue: string, symbol: string, timeframe: string, sinceMs: EpochMs, untilMs: EpochMs, options: OhlcvHistoryOptions = {}): AsyncGenerator<OhlcvPage> {
  const price = options.price ?? 'trade';
  requireOhlcv(exchange, venue, symbol, price);
  if (!exchange.markets) {
    try {
      await exchange.loadMarkets();
    } catch (error) {
      throw toVenueError(error, venue, 'loadMarkets', exchangeSecrets(exchange));
    }
  }
  const pageLimit = options.pageLimit ?? ohlcvPageLimit(exchange, symbol, price);
  for (const window of ohlcvWindows(sinceMs, untilMs, timeframe, pageLimit)) {
    yield await fetchOhlcvPage(exchange, { venue, symbol, timeframe, price, ...window });
  }
}

/** All candles of [sinceMs, untilMs), oldest first, each once. */
export async function fetchOhlcvHistory(exchange: Exchange, venue: string, symbol: string, timeframe: string, sinceMs: EpochMs, untilMs: EpochMs, options: OhlcvHistoryOptions = {}): Promise<Candle[]> {
  const out: Candle[] = [];
  for await (const page of ohlcvPages(exchange, venue, symbol, timeframe, sinceMs, untilMs, options)) out.push(...page.candles);
  return out;
}
