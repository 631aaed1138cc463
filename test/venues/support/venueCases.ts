import { HOUR_MS } from '../../../src/core/time.ts';

/** The tests' clock: 2024-06-03T00:00Z (the fixtures' "now"). */
export const NOW_MS = 1_717_372_800_000;
/** Funding-history window start: 2024-05-01T00:00Z. */
export const HISTORY_FROM_MS = 1_714_521_600_000;

export interface VenueCase {
  /** Fixture folder and ccxt id. */
  ccxtId: string;
  venue: string;
  /** Null for a venue loaded for its perps only. */
  spot: { symbol: string; tickSize: number; lotSize: number } | null;
  perp: {
    symbol: string;
    venueSymbol: string;
    linear: boolean;
    settle: string;
    contractSize: number;
    tickSize: number;
    lotSize: number;
    makerFeeRate: number;
    takerFeeRate: number;
    fundingIntervalMs: number;
    fundingIntervalSource: string;
  };
  funding: { fundingRatePerInterval: number; nextFundingTimeMs: number | 'nextWholeHour' | null };
  /** Best bid/ask in price and size (base units for linear contracts, contracts as ccxt gives them for inverse). */
  book: { bid: [number, number]; ask: [number, number] };
  history: { untilMs: number; rows: number; intervalMs: number; firstRate: number; lastRate: number };
}

const EIGHT_HOURS_MS = 8 * HOUR_MS;
const sixSettlements8h = (firstRate: number, lastRate: number) => ({ untilMs: HISTORY_FROM_MS + 6 * EIGHT_HOURS_MS, rows: 6, intervalMs: EIGHT_HOURS_MS, firstRate, lastRate });

export const VENUE_CASES: VenueCase[] = [
  {
    ccxtId: 'binance',
    venue: 'binance',
    spot: { symbol: 'BTC/USDT', tickSize: 0.01, lotSize: 0.00001 },
    // Binance fees are ccxt's published base tier (exchangeInfo has none); the interval is inferred from history gaps
    // (fundingInfo lists only symbols with a non-default interval: here BLZUSDT, 4h).
    perp: { symbol: 'BTC/USDT:USDT', venueSymbol: 'BTCUSDT', linear: true, settle: 'USDT', contractSize: 1, tickSize: 0.1, lotSize: 0.001, makerFeeRate: 0.0002, takerFeeRate: 0.0005, fundingIntervalMs: EIGHT_HOURS_MS, fundingIntervalSource: 'fundingHistory' },
    funding: { fundingRatePerInterval: 0.0001, nextFundingTimeMs: NOW_MS + EIGHT_HOURS_MS },
    book: { bid: [67750.1, 3.271], ask: [67750.2, 5.908] },
    history: sixSettlements8h(0.0001, 0.00009877),
  },
  {
    ccxtId: 'bybit',
    venue: 'bybit',
    spot: { symbol: 'BTC/USDT', tickSize: 0.01, lotSize: 0.000001 },
    perp: { symbol: 'BTC/USDT:USDT', venueSymbol: 'BTCUSDT', linear: true, settle: 'USDT', contractSize: 1, tickSize: 0.1, lotSize: 0.001, makerFeeRate: 0.0001, takerFeeRate: 0.0006, fundingIntervalMs: EIGHT_HOURS_MS, fundingIntervalSource: 'fetchFundingRate' },
    funding: { fundingRatePerInterval: 0.0001, nextFundingTimeMs: NOW_MS + EIGHT_HOURS_MS },
    book: { bid: [67750.1, 3.271], ask: [67750.2, 5.908] },
    history: sixSettlements8h(0.0001, 0.00009877),
  },
  {
    ccxtId: 'okx',
    venue: 'okx',
    spot: { symbol: 'BTC/USDT', tickSize: 0.1, lotSize: 0.00000001 },
    // 0.01 BTC per contract: the book's 327.1 contracts are 3.271 BTC.
    perp: { symbol: 'BTC/USDT:USDT', venueSymbol: 'BTC-USDT-SWAP', linear: true, settle: 'USDT', contractSize: 0.01, tickSize: 0.1, lotSize: 0.01, makerFeeRate: 0.0002, takerFeeRate: 0.0005, fundingIntervalMs: EIGHT_HOURS_MS, fundingIntervalSource: 'fetchFundingInterval' },
    funding: { fundingRatePerInterval: 0.0001, nextFundingTimeMs: NOW_MS + EIGHT_HOURS_MS },
    book: { bid: [67750.1, 3.271], ask: [67750.2, 5.908] },
    history: sixSettlements8h(0.0001, 0.00009877),
  },
  {
    ccxtId: 'deribit',
    venue: 'deribit',
    spot: { symbol: 'BTC/USDC', tickSize: 1, lotSize: 0.0001 },
    // Inverse. Deribit's payload says contract_size 10 (USD), but its amounts (books, orders, positions)
    // are USD, not contracts, so perp-arb's quantity unit is 1 USD: contractSize 1, lot 10 (USD).
    // Fees from the instrument payload (maker 0, taker 0.0005).
    perp: { symbol: 'BTC/USD:BTC', venueSymbol: 'BTC-PERPETUAL', linear: false, settle: 'BTC', contractSize: 1, tickSize: 0.5, lotSize: 10, makerFeeRate: 0, takerFeeRate: 0.0005, fundingIntervalMs: EIGHT_HOURS_MS, fundingIntervalSource: 'fetchFundingRate' },
    funding: { fundingRatePerInterval: 0.0000713, nextFundingTimeMs: null },
    book: { bid: [67750, 123400], ask: [67750.5, 50000] },
    // Hourly rows; the rate is interest_1h (interest_8h / 8), not ccxt's 8h-equivalent fundingRate.
    history: { untilMs: HISTORY_FROM_MS + 6 * HOUR_MS, rows: 6, intervalMs: HOUR_MS, firstRate: 0.0001 / 8, lastRate: 0.00009877 / 8 },
  },
  {
    ccxtId: 'hyperliquid',
    venue: 'hyperliquid',
    // UBTC (Unit Bitcoin) spot, which ccxt maps to BTC.
    spot: { symbol: 'BTC/USDC', tickSize: 1, lotSize: 0.00001 },
    perp: { symbol: 'BTC/USDC:USDC', venueSymbol: '0', linear: true, settle: 'USDC', contractSize: 1, tickSize: 1, lotSize: 0.00001, makerFeeRate: 0.00015, takerFeeRate: 0.00045, fundingIntervalMs: HOUR_MS, fundingIntervalSource: 'fetchFundingRate' },
    funding: { fundingRatePerInterval: 0.0000125, nextFundingTimeMs: 'nextWholeHour' },
    book: { bid: [67754, 1.20931], ask: [67755, 2.01] },
    history: { untilMs: HISTORY_FROM_MS + 6 * HOUR_MS, rows: 6, intervalMs: HOUR_MS, firstRate: 0.0000125, lastRate: 0.0000123463 },
  },
  {
    ccxtId: 'bitget',
    venue: 'bitget',
    spot: { symbol: 'BTC/USDT', tickSize: 0.01, lotSize: 0.000001 },
    perp: { symbol: 'BTC/USDT:USDT', venueSymbol: 'BTCUSDT', linear: true, settle: 'USDT', contractSize: 1, tickSize: 0.1, lotSize: 0.001, makerFeeRate: 0.0002, takerFeeRate: 0.0006, fundingIntervalMs: EIGHT_HOURS_MS, fundingIntervalSource: 'fetchFundingIntervals' },
    funding: { fundingRatePerInterval: 0.0001, nextFundingTimeMs: NOW_MS + EIGHT_HOURS_MS },
    book: { bid: [67750.1, 3.271], ask: [67750.2, 5.908] },
    history: sixSettlements8h(0.00008523, 0.0000441),
  },
  {
    ccxtId: 'gate',
    venue: 'gate',
    spot: { symbol: 'BTC/USDT', tickSize: 0.1, lotSize: 0.000001 },
    // quanto_multiplier 0.0001 BTC per contract: 32710 contracts are 3.271 BTC.
    perp: { symbol: 'BTC/USDT:USDT', venueSymbol: 'BTC_USDT', linear: true, settle: 'USDT', contractSize: 0.0001, tickSize: 0.1, lotSize: 1, makerFeeRate: 0.0002, takerFeeRate: 0.0005, fundingIntervalMs: EIGHT_HOURS_MS, fundingIntervalSource: 'fetchFundingRate' },
    funding: { fundingRatePerInterval: 0.0001, nextFundingTimeMs: NOW_MS + EIGHT_HOURS_MS },
    book: { bid: [67750.1, 3.271], ask: [67750.2, 5.908] },
    history: sixSettlements8h(0.0001, 0.00009877),
  },
  {
    ccxtId: 'kucoinfutures',
    venue: 'kucoin',
    spot: null,
    // XBTUSDTM: 0.001 BTC per contract (multiplier), lots of 1 contract: the book's 3271 contracts are 3.271 BTC.
    // KuCoin takes only 20- or 100-level books: depth 5 is asked as 20 and trimmed.
    perp: { symbol: 'BTC/USDT:USDT', venueSymbol: 'XBTUSDTM', linear: true, settle: 'USDT', contractSize: 0.001, tickSize: 0.1, lotSize: 1, makerFeeRate: 0.0002, takerFeeRate: 0.0006, fundingIntervalMs: EIGHT_HOURS_MS, fundingIntervalSource: 'fetchFundingInterval' },
    funding: { fundingRatePerInterval: 0.0001, nextFundingTimeMs: NOW_MS + EIGHT_HOURS_MS },
    book: { bid: [67750.1, 3.271], ask: [67750.2, 5.908] },
    history: sixSettlements8h(0.0001, 0.00009877),
  },
  {
    ccxtId: 'mexc',
    venue: 'mexc',
    spot: { symbol: 'BTC/USDT', tickSize: 0.01, lotSize: 0.000001 },
    // BTC_USDT: 0.0001 BTC per contract; the book's 32710 contracts are 3.271 BTC. Maker 0, taker 0.02% (the payload's fee rates).
    perp: { symbol: 'BTC/USDT:USDT', venueSymbol: 'BTC_USDT', linear: true, settle: 'USDT', contractSize: 0.0001, tickSize: 0.1, lotSize: 1, makerFeeRate: 0, takerFeeRate: 0.0002, fundingIntervalMs: EIGHT_HOURS_MS, fundingIntervalSource: 'fetchFundingInterval' },
    funding: { fundingRatePerInterval: 0.0001, nextFundingTimeMs: NOW_MS + EIGHT_HOURS_MS },
    book: { bid: [67750.1, 3.271], ask: [67750.2, 5.908] },
    history: sixSettlements8h(0.0001, 0.00009877),
  },
  {
    ccxtId: 'bingx',
    venue: 'bingx',
    spot: { symbol: 'BTC/USDT', tickSize: 0.01, lotSize: 0.000001 },
    // BTC-USDT perp: amounts in BTC (ccxt's contract size 1), price to 1 decimal, quantity to 4. BingX's contracts list no fees: ccxt's published 0.02% / 0.05%.
    perp: { symbol: 'BTC/USDT:USDT', venueSymbol: 'BTC-USDT', linear: true, settle: 'USDT', contractSize: 1, tickSize: 0.1, lotSize: 0.0001, makerFeeRate: 0.0002, takerFeeRate: 0.0005, fundingIntervalMs: EIGHT_HOURS_MS, fundingIntervalSource: 'fetchFundingRate' },
    funding: { fundingRatePerInterval: 0.0001, nextFundingTimeMs: NOW_MS + EIGHT_HOURS_MS },
    book: { bid: [67750.1, 3.271], ask: [67750.2, 5.908] },
    history: sixSettlements8h(0.0001, 0.00009877),
  },
  {
    ccxtId: 'htx',
    venue: 'htx',
    spot: null,
    // BTC-USDT swap: 0.001 BTC per contract (3271 contracts are 3.271 BTC); the contract list has no fees: ccxt's 0.02% / 0.05%.
    // The interval is the gap between the two settlement times of the funding answer (funding_time, next_funding_time).
    perp: { symbol: 'BTC/USDT:USDT', venueSymbol: 'BTC-USDT', linear: true, settle: 'USDT', contractSize: 0.001, tickSize: 0.1, lotSize: 1, makerFeeRate: 0.0002, takerFeeRate: 0.0005, fundingIntervalMs: EIGHT_HOURS_MS, fundingIntervalSource: 'fetchFundingRate' },
    funding: { fundingRatePerInterval: 0.0001, nextFundingTimeMs: NOW_MS + EIGHT_HOURS_MS },
    book: { bid: [67750.1, 3.271], ask: [67750.2, 5.908] },
    history: sixSettlements8h(0.0001, 0.00009877),
  },
];
