import { Precise, type Exchange, type OHLCV } from 'ccxt';
import { isoUtc, timeframeToMs, type EpochMs } from '../../core/time.ts';
import { eventTimeProblem } from '../../domain/plausibility.ts';
import { parseSymbol } from '../../domain/symbol.ts';
import { VenueError } from '../types.ts';
import { requireMethod } from './capabilities.ts';
import { exchangeSecrets, toVenueError } from './errors.ts';
import { venueSpec } from './supportedVenues.ts';

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
  /**
   * Base units (contracts for inverse); null for mark candles, whose "volume" fields venues leave
   * empty or zero, and where the venue's unit cannot be converted exactly (ohlcvVolumeScale).
   */
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

const positiveInteger = (v: unknown): number | null => (typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : null);

/**
 * The most candles one request gives for this market, from ccxt's `features` (`fetchOHLCV.limit`,
 * or `.mark` for mark candles: OKX serves 300 trade but only 100 mark candles a page), lowered where
 * ccxt caps a timeframe further (Bitget `options.fetchOHLCV.<spot|swap>.maxLimitPerTimeframe`: 90
 * daily or 180 12h swap candles, the venue's 90-day range) and where the venue gives fewer than ccxt's
 * features say (CcxtVenueSpec.ohlcvMaxPageLimit: KuCoin Futures 200). Null when ccxt does not say (or the
 * markets are not loaded). The pager needs the real maximum: ccxt silently trims a bigger `limit`,
 * and a page shorter than asked is read as "the venue has no more candles in this window".
 */
export function ohlcvMaxPageLimit(exchange: Exchange, symbol: string, price: OhlcvPrice, timeframe?: string): number | null {
  const market = exchange.markets?.[symbol];
  if (!market) return null;
  const features = exchange.featureValueByType(market.type ?? 'spot', market.subType, 'fetchOHLCV') as Record<string, unknown> | undefined;
  let max = (price === 'mark' ? positiveInteger(features?.mark) : null) ?? positiveInteger(features?.limit);
  if (timeframe !== undefined) {
    const options = (exchange.options as Record<string, unknown> | undefined)?.fetchOHLCV as Record<string, { maxLimitPerTimeframe?: Record<string, unknown> } | undefined> | undefined;
    const perTimeframe = positiveInteger(options?.[market.spot ? 'spot' : 'swap']?.maxLimitPerTimeframe?.[timeframe]);
    if (perTimeframe !== null) max = max === null ? perTimeframe : Math.min(max, perTimeframe);
  }
  const venueMax = venueSpec(exchange.id)?.ohlcvMaxPageLimit;
  if (venueMax !== undefined) max = max === null ? venueMax : Math.min(max, venueMax);
  return max;
}

/** Candles per request for this market: ohlcvMaxPageLimit, else FALLBACK_OHLCV_PAGE_LIMIT. */
export function ohlcvPageLimit(exchange: Exchange, symbol: string, price: OhlcvPrice, timeframe?: string): number {
  return ohlcvMaxPageLimit(exchange, symbol, price, timeframe) ?? FALLBACK_OHLCV_PAGE_LIMIT;
}

/** Throws a VenueError (unsupported) when the venue or the market cannot give these candles. */
export function requireOhlcv(exchange: Exchange, venue: string, symbol: string, price: OhlcvPrice): void {
  const method = ohlcvMethod(price);
  requireMethod(exchange, venue, method);
  if (price === 'mark' && parseSymbol(symbol).kind === 'spot') {
    throw new VenueError(venue, method, 'unsupported', `${symbol} is a spot market: mark prices exist only for perps and futures`, false);
  }
  if (price === 'mark' && venueSpec(exchange.id)?.noMarkOhlcvHistory) {
    throw new VenueError(venue, method, 'unsupported', `ccxt asks ${venue} for its latest mark candles only, not for a time range: no mark-candle history`, false);
  }
}

/**
 * Throws a VenueError (unsupported) when ccxt lists the venue's candle lengths and this is not one
 * (Deribit has no 4h or 8h candles, Gate no 3m, 6h or 12h): ccxt would pass the unknown name on and
 * the venue answer with an error of its own, after the markets were loaded.
 */
export function requireOhlcvTimeframe(exchange: Exchange, venue: string, timeframe: string, price: OhlcvPrice): void {
  const timeframes = exchange.timeframes as Record<string, unknown> | undefined;
  if (!timeframes || Object.keys(timeframes).length === 0 || timeframe in timeframes) return;
  throw new VenueError(venue, ohlcvMethod(price), 'unsupported', `${venue} has no ${timeframe} candles; it has ${Object.keys(timeframes).join(', ')}`, false);
}

/**
 * What to multiply ccxt's candle volume by to get the store's unit (base units for spot and linear
 * contracts, contracts for inverse ones), or null (with the reason) when it cannot be converted
 * exactly. See CcxtVenueSpec.ohlcvVolume: Gate counts linear contracts (x contractSize), Deribit and
 * OKX count the base coin of inverse contracts (null).
 */
export function ohlcvVolumeScale(exchange: Exchange, venue: string, symbol: string): { factor: string; reason: null } | { factor: null; reason: string } {
  const market = exchange.markets?.[symbol];
  if (!market?.contract) return { factor: '1', reason: null };
  const units = venueSpec(exchange.id)?.ohlcvVolume;
  if (market.linear) {
    if (units?.linear !== 'contracts') return { factor: '1', reason: null };
    const size = market.contractSize;
    if (typeof size === 'number' && size > 0) return { factor: String(size), reason: null };
    return { factor: null, reason: `${venue} counts ${symbol} candle volume in contracts and ccxt gives no contract size` };
  }
  if (units?.inverse === 'base') {
    return { factor: null, reason: `${venue} gives ${symbol} candle volume in ${market.base}, and the store keeps inverse volume in contracts (quote units): stored as null` };
  }
  return { factor: '1', reason: null };
}

const num = (v: number | undefined | null): number => (typeof v === 'number' ? v : NaN);

/** Volume x factor exactly (decimal strings), as account quantities are; NaN stays NaN for validation to reject. */
function scaledVolume(v: number | undefined | null, factor: string | null): number | null {
  if (factor === null) return null;
  const volume = num(v);
  if (factor === '1' || !Number.isFinite(volume)) return volume;
  return Number(Precise.stringMul(String(volume), factor));
}

function toCandle(row: OHLCV, price: OhlcvPrice, volumeFactor: string | null): Candle {
  return { ts: num(row[0]), open: num(row[1]), high: num(row[2]), low: num(row[3]), close: num(row[4]), volume: price === 'mark' ? null : scaledVolume(row[5], volumeFactor) };
}

export interface OhlcvPageRequest {
  venue: string;
  symbol: string;
  timeframe: string;
  price: OhlcvPrice;
  /** Window: candles with fromMs <= ts < toMs; at most the venue's page limit of them. */
  fromMs: EpochMs;
  toMs: EpochMs;
  /** The local clock candle times are judged by (default Date.now()). */
  nowMs?: EpochMs;
}

/**
 * One request for the candles of a window no longer than a page. ccxt is given `since`, the window's
 * candle count as `limit` and the last ms as `until`, which every venue turns into a closed range,
 * so the answer is the same whether the venue pages forward or backward: Binance startTime/endTime,
 * OKX before/after, Bybit start/end, Gate from/to (seconds; ccxt also caps `to` at since + (limit - 1)
 * candles), Bitget startTime/endTime (its history endpoints count `limit` back from endTime),
 * Deribit start_timestamp (since - 1)/end_timestamp, Hyperliquid startTime/endTime. Candles ccxt
 * returns outside the window are not part of it. A candle whose time ccxt could not read, or whose
 * time is not plausible (year 10000 is no candle past the window but garbage), is kept, for
 * validation to reject. Volume is turned into the store's unit (ohlcvVolumeScale).
 */
export async function fetchOhlcvPage(exchange: Exchange, request: OhlcvPageRequest): Promise<OhlcvPage> {
  const { venue, symbol, timeframe, price, fromMs, toMs } = request;
  const method = ohlcvMethod(price);
  requireOhlcv(exchange, venue, symbol, price);
  const limit = Math.ceil((toMs - fromMs) / timeframeToMs(timeframe));
  let rows: OHLCV[];
  try {
    const params = { until: toMs - 1 };
    // HTX answers the latest candles when given a count: the window's bounds alone there.
    const askedLimit = venueSpec(exchange.id)?.ohlcvOmitLimit ? undefined : limit;
    rows = price === 'mark' ? await exchange.fetchMarkOHLCV(symbol, timeframe, fromMs, askedLimit, params) : await exchange.fetchOHLCV(symbol, timeframe, fromMs, askedLimit, params);
  } catch (error) {
    throw withWindow(toVenueError(error, venue, method, exchangeSecrets(exchange)), `${symbol} ${timeframe} candles from ${isoUtc(fromMs)} to ${isoUtc(toMs)}`);
  }
  const { factor } = ohlcvVolumeScale(exchange, venue, symbol);
  const nowMs = request.nowMs ?? Date.now();
  const candles = rows.map((r) => toCandle(r, price, factor)).filter((c) => (c.ts >= fromMs && c.ts < toMs) || eventTimeProblem('ts', c.ts, nowMs) !== null);
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
  /** Candles per request (default: the venue's maximum for the timeframe, ohlcvPageLimit). */
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
  const pageLimit = options.pageLimit ?? ohlcvPageLimit(exchange, symbol, price, timeframe);
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
