import type { FundingHistoryMode } from './fundingHistory.ts';

/** A venue perp-arb supports through ccxt, and the ccxt options that keep its start-up to the markets we use. */
export interface CcxtVenueSpec {
  /** perp-arb venue id (the store's venue column). */
  venue: string;
  /** ccxt exchange id. */
  ccxtId: string;
  /** What the venue gives perp-arb. */
  markets: string;
  /** ccxt constructor options merged into `options`. */
  options: Record<string, unknown>;
  /** How its funding history pages through ccxt (see fundingHistory.ts). */
  fundingHistory: FundingHistoryMode;
  /**
   * Where a history row's rate per interval really is, when ccxt's `fundingRate` is something else:
   * Deribit funds continuously and ccxt reports hourly rows carrying the 8h-equivalent rate
   * (`interest_8h`); the rate for each hourly row is `interest_1h`.
   */
  fundingHistoryRate?: { infoField: string; intervalMs: number };
  /**
   * What ccxt's candle volume counts for this venue's contracts where that is not the store's unit
   * (base units for linear contracts, contracts for inverse ones): Gate's futures candles count
   * contracts (`v`), converted with the contract size; Deribit's and OKX's inverse candles count the
   * base coin (Deribit `volume`, OKX `volCcy`), which cannot be turned into contracts exactly, so the
   * download stores null there. Unset: ccxt's volume is already in the store's unit.
   */
  ohlcvVolume?: { linear?: 'base' | 'contracts'; inverse?: 'base' | 'contracts' };
  /**
   * The most candles one request gives where ccxt's `features` say more: KuCoin Futures klines give at
   * most 200 (its documentation, and ccxt's own fetchContractOHLCV), while ccxt's features say 500; a
   * page shorter than asked would be read as candles the venue does not have.
   */
  ohlcvMaxPageLimit?: number;
  /** Candles of each length the venue serves, counted back from the current one (Hyperliquid: the latest 5000), when it keeps no older ones. */
  ohlcvHistoryCandles?: number;
  /**
   * The only book depths the venue's REST book takes (KuCoin Futures: 20 or 100 levels; ccxt refuses
   * any other `limit`): a smaller depth is asked as the next one up and trimmed; a larger one, or
   * none, as the full book.
   */
  bookDepths?: readonly number[];
  /**
   * Venue error codes ccxt's `exceptions` table lacks, with the ccxt error class each means (added to
   * its exact matches). KuCoin answers a rate limit with HTTP 429 and code 429000, which ccxt's table
   * does not list, so ccxt throws a plain ExchangeError before it looks at the status: not retried.
   */
  exceptions?: Readonly<Record<string, 'RateLimitExceeded' | 'ExchangeNotAvailable' | 'BadSymbol'>>;
  /**
   * Fields of the venue's raw ticker holding the mark (and index) price where ccxt's ticker leaves them
   * out: MEXC's contract ticker has `fairPrice` and `indexPrice`, which ccxt 4.5.84 does not parse.
   */
  tickerInfoPrices?: { markPrice: string; indexPrice?: string };
  /**
   * Where ccxt puts the time of the settlement the current rate is for, when not in `fundingTimestamp`:
   * for BingX it writes the premium index's `nextFundingTime` (the settlement `lastFundingRate` is paid
   * at, as on Binance) to `nextFundingTimestamp` and leaves `fundingTimestamp` empty.
   */
  fundingTimestampField?: 'nextFundingTimestamp';
  /**
   * HTX: ccxt sends a candle `limit` as `size`, and then the venue ignores `from`/`to` (ccxt's own
   * note) and answers the latest candles. Without a limit ccxt sends the window's from/to alone.
   */
  ohlcvOmitLimit?: boolean;
  /** The venue's mark candles cannot be asked by time through ccxt (HTX: ccxt sends only a count for them): no mark download. */
  noMarkOhlcvHistory?: boolean;
  /** No ticker or funding answer carries the mark price (HTX): it is the close of the latest 1m mark candle. */
  markPriceFromMarkCandle?: boolean;
  /** ccxt's fetchFundingRates does not take this venue's perps (HTX: inverse swaps only): the live scan asks each perp's rate. */
  noBulkFundingRates?: boolean;
  /** Market data only: its private API (account, orders) has no recorded-payload tests yet. */
  marketDataOnly?: boolean;
}

/** The venues tested against recorded payloads (the first seven also for their private API). FTX is gone (ccxt removed it in 2022); its history still imports. */
export const SUPPORTED_VENUES: readonly CcxtVenueSpec[] = [
  { venue: 'binance', ccxtId: 'binance', markets: 'spot, USDT-M perps and futures', options: { fetchMarkets: { types: ['spot', 'linear'] } }, fundingHistory: { mode: 'forward' } },
  { venue: 'bybit', ccxtId: 'bybit', markets: 'spot, USDT/USDC linear perps and futures, inverse perps and futures', options: { fetchMarkets: { types: ['spot', 'linear', 'inverse'] } }, fundingHistory: { mode: 'backward', endParam: 'until', endExclusive: false } },
  { venue: 'okx', ccxtId: 'okx', markets: 'spot, USDT/USD swaps and dated futures', options: { fetchMarkets: { types: ['spot', 'swap', 'future'] } }, fundingHistory: { mode: 'backward', endParam: 'after', endExclusive: true, endAsString: true }, ohlcvVolume: { inverse: 'base' } },
  { venue: 'deribit', ccxtId: 'deribit', markets: 'inverse and USDC perps, futures, spot', options: {}, fundingHistory: { mode: 'forward' }, fundingHistoryRate: { infoField: 'interest_1h', intervalMs: 3_600_000 }, ohlcvVolume: { inverse: 'base' } },
  { venue: 'hyperliquid', ccxtId: 'hyperliquid', markets: 'USDC perps (1h funding), spot', options: { fetchMarkets: { types: ['spot', 'swap'] } }, fundingHistory: { mode: 'forward' }, ohlcvHistoryCandles: 5000 },
  { venue: 'bitget', ccxtId: 'bitget', markets: 'spot, USDT-M perps', options: { fetchMarkets: { types: ['spot', 'swap'] } }, fundingHistory: { mode: 'pageNumber', pageParam: 'pageNo' } },
  { venue: 'gate', ccxtId: 'gate', markets: 'spot, USDT and BTC perps, USDT delivery futures', options: { fetchMarkets: { types: ['spot', 'swap', 'future'] } }, fundingHistory: { mode: 'backward', endParam: 'until', endExclusive: false }, ohlcvVolume: { linear: 'contracts' } },
  // Funding history newest first, at most 100 rows between `from` and `to`; candles count contracts (lots of 0.001 BTC for XBTUSDTM).
  { venue: 'kucoin', ccxtId: 'kucoinfutures', markets: 'USDT and USDC perps, inverse perps (KuCoin Futures)', options: { fetchMarkets: { types: ['swap'] } }, fundingHistory: { mode: 'backward', endParam: 'until', endExclusive: false }, ohlcvVolume: { linear: 'contracts' }, ohlcvMaxPageLimit: 200, bookDepths: [20, 100], exceptions: { '429000': 'RateLimitExceeded' }, marketDataOnly: true },
  // Funding history in numbered pages newest first (page_num), like Bitget; swap candles count contracts (0.0001 BTC for BTC_USDT).
  { venue: 'mexc', ccxtId: 'mexc', markets: 'spot, USDT perps', options: { fetchMarkets: { types: { spot: true, swap: { linear: true, inverse: false } } } }, fundingHistory: { mode: 'pageNumber', pageParam: 'page_num' }, ohlcvVolume: { linear: 'contracts' }, tickerInfoPrices: { markPrice: 'fairPrice', indexPrice: 'indexPrice' }, marketDataOnly: true },
  // Funding history forward from startTime; USDT perps quoted in BTC (contract size 1), so book and candle amounts are already base units.
  { venue: 'bingx', ccxtId: 'bingx', markets: 'spot, USDT perps, coin-margined perps', options: {}, fundingHistory: { mode: 'forward' }, fundingTimestampField: 'nextFundingTimestamp', marketDataOnly: true },
  // USDT-margined swaps (v5 funding endpoints): funding history forward from start_time; candle windows by from/to only.
  { venue: 'htx', ccxtId: 'htx', markets: 'USDT perps', options: { fetchMarkets: { types: { spot: false, linear: true, inverse: false } } }, fundingHistory: { mode: 'forward' }, ohlcvOmitLimit: true, noMarkOhlcvHistory: true, markPriceFromMarkCandle: true, noBulkFundingRates: true, marketDataOnly: true },
];

export function venueSpec(venueOrCcxtId: string): CcxtVenueSpec | undefined {
  return SUPPORTED_VENUES.find((v) => v.venue === venueOrCcxtId || v.ccxtId === venueOrCcxtId);
}
