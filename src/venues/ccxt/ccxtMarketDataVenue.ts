import type { Exchange, FundingRate } from 'ccxt';
import type { EpochMs } from '../../core/time.ts';
import type { BookSnapshotEvent, FundingRateEvent, MarkPriceEvent } from '../../domain/events.ts';
import type { Instrument } from '../../domain/instrument.ts';
import type {
  BookStreamEvent,
  FundingRateQuoteEvent,
  LoadInstrumentsOptions,
  MarketDataMethod,
  MarketDataVenue,
  VenueCapabilities,
  WatchOrderBookOptions,
} from '../types.ts';
import { VenueError } from '../types.ts';
import { sleepMs } from '../../core/retry.ts';
import { installBookChecksums } from './bookChecksums.ts';
import { toBookSnapshot } from './books.ts';
import { capabilitiesOf, hasMethod, requireMethod } from './capabilities.ts';
import { exchangeSecrets, toVenueError } from './errors.ts';
import { createCcxtExchange, hasProClass, type CcxtExchangeOptions } from './exchangeFactory.ts';
import { toFundingQuote, toFundingSettlement } from './funding.ts';
import { DEFAULT_FUNDING_PAGING, fetchFundingHistoryPaged, type FundingHistoryMode, type FundingHistoryPaging } from './fundingHistory.ts';
import { resolveFundingIntervals, type FundingIntervalResolution } from './resolveFundingIntervals.ts';
import { isSkipped, marketToInstrument, type SkippedMarket } from './instruments.ts';
import { fetchMarkPriceEvent } from './markPrice.ts';
import { venueSpec, type CcxtVenueSpec } from './supportedVenues.ts';
import { bookStream, type BookStreamSource } from './watchBooks.ts';
import { amountUnitSize } from './amountUnits.ts';
import { venueBookDepth } from './bookDepth.ts';

export interface CcxtVenueOptions extends CcxtExchangeOptions {
  /** perp-arb venue id (default: from SUPPORTED_VENUES, else the ccxt id). */
  venue?: string;
  fundingPaging?: Partial<FundingHistoryPaging>;
  /** How funding history pages (default: from SUPPORTED_VENUES, else forward). */
  fundingHistoryMode?: FundingHistoryMode;
  /** Local clock for receipt times (tests inject one). */
  now?: () => EpochMs;
}

/** One venue's market data through ccxt (REST, and its websocket class when ccxt has one). */
export class CcxtMarketDataVenue implements MarketDataVenue {
  readonly venue: string;
  readonly exchange: Exchange;
  /** Markets the last loadInstruments left out, with the reason (options, unreadable symbols). */
  skippedMarkets: SkippedMarket[] = [];
  /** Where each perp's funding interval came from in the last loadInstruments. */
  fundingIntervalSources = new Map<string, FundingIntervalResolution['source']>();
  private readonly now: () => EpochMs;
  private readonly paging: FundingHistoryPaging;
  private readonly historyMode: FundingHistoryMode;
  private readonly historyRate: CcxtVenueSpec['fundingHistoryRate'];
  private readonly bookDepths: CcxtVenueSpec['bookDepths'];
  private readonly fundingTimestampField: CcxtVenueSpec['fundingTimestampField'];
  private readonly intervalCache = new Map<string, number>();
  /** The last loadMarkets failed: ccxt keeps that rejected promise and hands it out again unless asked to reload. */
  private marketsFailed = false;

  constructor(ccxtId: string, options: CcxtVenueOptions = {}) {
    const spec = venueSpec(ccxtId);
    this.venue = options.venue ?? spec?.venue ?? ccxtId;
    this.exchange = createCcxtExchange(ccxtId, {
      pro: options.pro ?? hasProClass(ccxtId),
      ...options,
      options: { ...spec?.options, ...options.options },
    });
    this.now = options.now ?? Date.now;
    this.paging = { ...DEFAULT_FUNDING_PAGING, ...options.fundingPaging };
    this.historyMode = options.fundingHistoryMode ?? spec?.fundingHistory ?? { mode: 'forward' };
    this.historyRate = spec?.fundingHistoryRate;
    this.bookDepths = spec?.bookDepths;
    this.fundingTimestampField = spec?.fundingTimestampField;
  }

  capabilities(): VenueCapabilities {
    return capabilitiesOf(this.exchange, this.venue);
  }

  /** Runs a ccxt call, mapping any failure to a VenueError naming this venue and the method. */
  private async call<T>(method: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw toVenueError(error, this.venue, method, exchangeSecrets(this.exchange));
    }
  }

  private require(method: MarketDataMethod): void {
    requireMethod(this.exchange, this.venue, method);
  }

  async loadInstruments(options: LoadInstrumentsOptions = {}): Promise<Instrument[]> {
    // After a failure (venue down, 503) a retry must reach the venue again, not get ccxt's cached rejection.
    let markets: Awaited<ReturnType<Exchange['loadMarkets']>>;
    try {
      markets = await this.call('loadMarkets', () => this.exchange.loadMarkets(this.marketsFailed));
      this.marketsFailed = false;
    } catch (error) {
      this.marketsFailed = true;
      throw error;
    }
    const instruments: Instrument[] = [];
    this.skippedMarkets = [];
    const wanted = options.symbols ? new Set(options.symbols) : null;
    for (const market of Object.values(markets)) {
      if (!market) continue;
      if (wanted && !wanted.has(market.symbol)) continue;
      const mapped = marketToInstrument(this.venue, market, this.exchange.precisionMode ?? NaN);
      if (isSkipped(mapped)) this.skippedMarkets.push(mapped);
      else if (!options.kinds || options.kinds.includes(mapped.kind)) instruments.push(mapped);
    }
    if (wanted) {
      const missing = [...wanted].filter((s) => !markets[s]);
      if (missing.length) throw new VenueError(this.venue, 'loadInstruments', 'badSymbol', `no such market: ${missing.join(', ')}`, false);
    }
    if (!options.skipFundingIntervals) {
      const perps = instruments.filter((i) => i.kind === 'perp').map((i) => i.symbol);
      const resolved = await resolveFundingIntervals({
        exchange: this.exchange,
        perpSymbols: perps,
        // Per-symbol requests (single interval, funding history) only for symbols asked for by name.
        perSymbol: wanted !== null,
        call: (method, run) => this.call(method, run),
        history: (symbol, sinceMs, untilMs) => this.fetchFundingHistoryRows(symbol, sinceMs, untilMs),
        now: this.now,
      });
      this.fundingIntervalSources = new Map();
      for (const instrument of instruments) {
        const found = resolved.get(instrument.symbol);
        if (!found) continue;
        instrument.fundingIntervalMs = found.intervalMs;
        this.intervalCache.set(instrument.symbol, found.intervalMs);
        this.fundingIntervalSources.set(instrument.symbol, found.source);
      }
    }
    return instruments;
  }

  async fetchOrderBook(symbol: string, depth?: number): Promise<BookSnapshotEvent> {
    this.require('fetchOrderBook');
    const book = await this.call('fetchOrderBook', () => this.exchange.fetchOrderBook(symbol, venueBookDepth(depth, this.bookDepths)));
    return toBookSnapshot(this.venue, symbol, book, this.now(), depth, this.sizeMultiplier(symbol));
  }

  /** Book sizes come from ccxt as amounts (contracts on most venues); linear contracts are turned into base units. */
  private sizeMultiplier(symbol: string): number {
    const market = this.exchange.markets?.[symbol];
    if (!market?.contract || market.linear !== true) return 1;
    return amountUnitSize(this.venue, market);
  }

  watchOrderBook(symbol: string, options: WatchOrderBookOptions = {}): AsyncIterable<BookStreamEvent> {
    const useWebsocket = !options.forcePolling && hasMethod(this.exchange, 'watchOrderBook');
    if (useWebsocket) installBookChecksums(this.exchange);
    else this.require('fetchOrderBook');
    const pollMs = Math.max(options.pollIntervalMs ?? 1_000, this.exchange.rateLimit ?? 0);
    let first = true;
    const next = useWebsocket
      ? async () => {
          // ccxt needs an http agent for plain ws:// URLs (a loopback or local relay); harmless for wss://.
          if (first) await this.exchange.loadHttpProxyAgent();
          first = false;
          return this.exchange.watchOrderBook(symbol, options.depth);
        }
      : async () => {
          if (!first) await sleepMs(pollMs, options.signal);
          first = false;
          return this.exchange.fetchOrderBook(symbol, venueBookDepth(options.depth, this.bookDepths));
        };
    const source: BookStreamSource = {
      venue: this.venue,
      symbol,
      channel: useWebsocket ? 'watchOrderBook' : 'fetchOrderBook',
      next: async () => {
        const book = await next();
        source.sizeMultiplier = this.sizeMultiplier(symbol); // markets are loaded by the first call
        return book;
      },
      now: this.now,
      secrets: exchangeSecrets(this.exchange),
    };
    return bookStream(source, options);
  }

  async fetchFundingRate(symbol: string): Promise<FundingRateQuoteEvent> {
    this.require('fetchFundingRate');
    const rate = await this.call('fetchFundingRate', () => this.exchange.fetchFundingRate(symbol));
    const quote = toFundingQuote(this.venue, this.withFundingTimestamp(rate), this.now());
    return { ...quote, fundingIntervalMs: quote.fundingIntervalMs ?? this.intervalCache.get(symbol) ?? null };
  }

  async fetchFundingRates(symbols: string[]): Promise<FundingRateQuoteEvent[]> {
    if (!hasMethod(this.exchange, 'fetchFundingRates') || venueSpec(this.exchange.id)?.noBulkFundingRates) return Promise.all(symbols.map((s) => this.fetchFundingRate(s)));
    const rates = await this.call('fetchFundingRates', () => this.exchange.fetchFundingRates(symbols));
    const receivedAt = this.now();
    return symbols.map((symbol) => {
      const rate = rates[symbol];
      if (!rate) throw new VenueError(this.venue, 'fetchFundingRates', 'badResponse', `no funding rate for ${symbol} in the answer`, false);
      const quote = toFundingQuote(this.venue, this.withFundingTimestamp(rate), receivedAt, 'fetchFundingRates');
      return { ...quote, fundingIntervalMs: quote.fundingIntervalMs ?? this.intervalCache.get(symbol) ?? null };
    });
  }

  /** The rate's settlement time where ccxt puts it elsewhere for this venue (CcxtVenueSpec.fundingTimestampField). */
  private withFundingTimestamp(rate: FundingRate): FundingRate {
    const field = this.fundingTimestampField;
    if (field === undefined || (rate.fundingTimestamp !== undefined && rate.fundingTimestamp !== null)) return rate;
    return { ...rate, fundingTimestamp: rate[field] };
  }

  private async fetchFundingHistoryRows(symbol: string, sinceMs: EpochMs, untilMs: EpochMs) {
    this.require('fetchFundingRateHistory');
    return this.call('fetchFundingRateHistory', () => fetchFundingHistoryPaged(this.exchange, symbol, sinceMs, untilMs, this.historyMode, this.paging, this.now()));
  }

  async fetchFundingHistory(symbol: string, sinceMs: EpochMs, untilMs: EpochMs): Promise<FundingRateEvent[]> {
    const rows = await this.fetchFundingHistoryRows(symbol, sinceMs, untilMs);
    const intervalMs = this.historyRate?.intervalMs ?? this.intervalCache.get(symbol) ?? null;
    const nowMs = this.now();
    return rows.map((row) => toFundingSettlement(this.venue, row, intervalMs, this.historyRate?.infoField, nowMs));
  }

  async fetchMarkPrice(symbol: string): Promise<MarkPriceEvent> {
    return this.call('fetchMarkPrice', () => fetchMarkPriceEvent(this.exchange, this.venue, symbol, this.now));
  }

  async close(): Promise<void> {
    await (this.exchange as unknown as { close?: () => Promise<void> }).close?.();
  }
}
