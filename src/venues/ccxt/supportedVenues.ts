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
}

/** The seven venues tested against recorded payloads. FTX is gone (ccxt removed it in 2022); its history still imports. */
export const SUPPORTED_VENUES: readonly CcxtVenueSpec[] = [
  { venue: 'binance', ccxtId: 'binance', markets: 'spot, USDT-M perps and futures', options: { fetchMarkets: { types: ['spot', 'linear'] } }, fundingHistory: { mode: 'forward' } },
  { venue: 'bybit', ccxtId: 'bybit', markets: 'spot, USDT/USDC linear perps and futures, inverse perps and futures', options: { fetchMarkets: { types: ['spot', 'linear', 'inverse'] } }, fundingHistory: { mode: 'backward', endParam: 'until', endExclusive: false } },
  { venue: 'okx', ccxtId: 'okx', markets: 'spot, USDT/USD swaps and dated futures', options: { fetchMarkets: { types: ['spot', 'swap', 'future'] } }, fundingHistory: { mode: 'backward', endParam: 'after', endExclusive: true, endAsString: true } },
  { venue: 'deribit', ccxtId: 'deribit', markets: 'inverse and USDC perps, futures, spot', options: {}, fundingHistory: { mode: 'forward' }, fundingHistoryRate: { infoField: 'interest_1h', intervalMs: 3_600_000 } },
  { venue: 'hyperliquid', ccxtId: 'hyperliquid', markets: 'USDC perps (1h funding), spot', options: { fetchMarkets: { types: ['spot', 'swap'] } }, fundingHistory: { mode: 'forward' } },
  { venue: 'bitget', ccxtId: 'bitget', markets: 'spot, USDT-M perps', options: { fetchMarkets: { types: ['spot', 'swap'] } }, fundingHistory: { mode: 'pageNumber', pageParam: 'pageNo' } },
  { venue: 'gate', ccxtId: 'gate', markets: 'spot, USDT and BTC perps, USDT delivery futures', options: { fetchMarkets: { types: ['spot', 'swap', 'future'] } }, fundingHistory: { mode: 'backward', endParam: 'until', endExclusive: false } },
];

export function venueSpec(venueOrCcxtId: string): CcxtVenueSpec | undefined {
  return SUPPORTED_VENUES.find((v) => v.venue === venueOrCcxtId || v.ccxtId === venueOrCcxtId);
}
