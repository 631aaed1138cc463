import type { EpochMs } from '../core/time.ts';
import type { BookSnapshotEvent, EventTimes, FundingRateEvent, MarkPriceEvent, TsSource } from '../domain/events.ts';
import type { Instrument } from '../domain/instrument.ts';
import type { InstrumentKind } from '../domain/symbol.ts';

/** How a venue supports a method, as ccxt's `exchange.has` says: natively, emulated from other calls, or not at all. */
export type MethodSupport = 'native' | 'emulated' | 'missing';

/** The market-data methods perp-arb uses, by ccxt name. */
export const MARKET_DATA_METHODS = [
  'fetchMarkets',
  'fetchOrderBook',
  'watchOrderBook',
  'fetchTicker',
  'fetchFundingRate',
  'fetchFundingRates',
  'fetchFundingRateHistory',
  'fetchFundingInterval',
  'fetchFundingIntervals',
  'fetchMarkPrice',
  'fetchMarkPrices',
  'fetchOHLCV',
  'fetchMarkOHLCV',
] as const;
export type MarketDataMethod = (typeof MARKET_DATA_METHODS)[number];

/** The methods a venue must have (natively or emulated) to be usable for perp-arb's market data. */
export const REQUIRED_METHODS: readonly MarketDataMethod[] = ['fetchMarkets', 'fetchOrderBook', 'fetchFundingRate', 'fetchFundingRateHistory'];

export interface VenueCapabilities {
  /** perp-arb venue id (binance for both Binance spot and USDT-M). */
  venue: string;
  /** The ccxt exchange id behind it. */
  ccxtId: string;
  ccxtVersion: string;
  methods: Record<MarketDataMethod, MethodSupport>;
  /** Every required method is there (natively or emulated). */
  usable: boolean;
  /** Required methods that are missing. */
  missing: MarketDataMethod[];
  /** ccxt's precisionMode for this exchange: how amounts/prices precision is expressed. */
  precisionMode: 'tickSize' | 'decimalPlaces' | 'significantDigits';
  /** ccxt's minimum delay between REST requests, ms. */
  rateLimitMs: number;
}

/** The current funding rate of a perp, with the time of the next settlement. `ts` is the venue's time of the quote, or the receipt time when tsSource is 'receipt'. */
export interface FundingRateQuoteEvent extends EventTimes {
  type: 'fundingQuote';
  tsSource: TsSource;
  /** Rate applied at the next settlement (fraction per interval; positive: longs pay shorts). */
  fundingRatePerInterval: number;
  /** Next settlement time, ms UTC; null when the venue does not say. */
  nextFundingTimeMs: EpochMs | null;
  fundingIntervalMs: number | null;
  markPrice: number | null;
  indexPrice: number | null;
}

/** No update for a stream within its stale threshold. */
export interface StaleDataEvent extends EventTimes {
  type: 'stale';
  channel: string;
  /** Time since the last update, ms. */
  silentForMs: number;
}

/** The venue's sequence skipped or went back (or ccxt saw a bad nonce/checksum): the book was resynchronised. */
export interface BookGapEvent extends EventTimes {
  type: 'bookGap';
  previousSequence: number | null;
  sequence: number | null;
  reason: string;
}

/** The stream failed and will be resubscribed after `delayMs`. */
export interface ReconnectEvent extends EventTimes {
  type: 'reconnect';
  channel: string;
  attempt: number;
  delayMs: number;
  error: string;
}

export type VenueHealthEvent = StaleDataEvent | BookGapEvent | ReconnectEvent;
export type BookStreamEvent = BookSnapshotEvent | VenueHealthEvent;

export interface LoadInstrumentsOptions {
  kinds?: InstrumentKind[];
  /** Only these unified symbols. Perps among them without an interval from fetchFundingInterval(s) get one inferred from funding history. */
  symbols?: string[];
  /** Skip every funding-interval request (fundingIntervalMs stays null unless the markets carry it). */
  skipFundingIntervals?: boolean;
}

export interface WatchOrderBookOptions {
  depth?: number;
  /** Emit a stale event when no update arrives for this long (default 10 s). */
  staleAfterMs?: number;
  /** REST polling period when the venue has no websocket order book (default 1 s, never below the rate limit). */
  pollIntervalMs?: number;
  /** Reconnect backoff: first delay and cap (defaults 250 ms, 30 s). */
  backoffInitialMs?: number;
  backoffMaxMs?: number;
  /** Give up after this many consecutive failures (default: never). */
  maxConsecutiveFailures?: number;
  /** Force REST polling even when the venue has a websocket order book. */
  forcePolling?: boolean;
  signal?: AbortSignal;
}

/** Market data from one venue. Every value is validated and normalised at this boundary. */
export interface MarketDataVenue {
  readonly venue: string;
  capabilities(): VenueCapabilities;
  loadInstruments(options?: LoadInstrumentsOptions): Promise<Instrument[]>;
  fetchOrderBook(symbol: string, depth?: number): Promise<BookSnapshotEvent>;
  /** Books as they change (websocket) or as polled (REST fallback), with health events in between. */
  watchOrderBook(symbol: string, options?: WatchOrderBookOptions): AsyncIterable<BookStreamEvent>;
  fetchFundingRate(symbol: string): Promise<FundingRateQuoteEvent>;
  fetchFundingRates(symbols: string[]): Promise<FundingRateQuoteEvent[]>;
  /** Every settlement in [sinceMs, untilMs), oldest first, each once, however many pages it takes. */
  fetchFundingHistory(symbol: string, sinceMs: EpochMs, untilMs: EpochMs): Promise<FundingRateEvent[]>;
  fetchMarkPrice(symbol: string): Promise<MarkPriceEvent>;
  close(): Promise<void>;
}

export type VenueErrorKind =
  | 'rateLimited'
  | 'badSymbol'
  | 'insufficientFunds'
  | 'timeout'
  | 'network'
  | 'unavailable'
  | 'unsupported'
  | 'authentication'
  | 'badResponse'
  | 'invalidNonce'
  | 'exchange';

/** A venue call failed. The message names the venue and the method, and never carries credentials. */
export class VenueError extends Error {
  readonly venue: string;
  readonly method: string;
  readonly kind: VenueErrorKind;
  /** Worth retrying after a pause (rate limit, timeout, network, unavailable). */
  readonly retryable: boolean;
  /** The ccxt error class the call failed with (e.g. 'OrderNotFound', 'InvalidOrder'); null when it was not a ccxt error. */
  readonly ccxtClass: string | null;
  constructor(venue: string, method: string, kind: VenueErrorKind, detail: string, retryable: boolean, ccxtClass: string | null = null) {
    super(`${venue} ${method}: ${kind}: ${detail}`);
    this.name = 'VenueError';
    this.venue = venue;
    this.method = method;
    this.kind = kind;
    this.retryable = retryable;
    this.ccxtClass = ccxtClass;
  }
}

/** The venue (through ccxt) has no such method. */
export class UnsupportedMethodError extends VenueError {
  constructor(venue: string, method: string, ccxtId: string) {
    super(venue, method, 'unsupported', `ccxt '${ccxtId}' has no ${method} (exchange.has.${method} is false)`, false);
    this.name = 'UnsupportedMethodError';
  }
}

/** The venue's own time of an event, or null when `ts` is only the local receipt time (tsSource 'receipt'). */
export function venueTimestamp(event: EventTimes): EpochMs | null {
  return event.tsSource === 'receipt' ? null : event.ts;
}
