import { describe, expect, it } from 'vitest';
import { venueBookDepth } from '../../src/venues/ccxt/bookDepth.ts';
import { runCli } from '../support/cli.ts';
import { loadLive } from '../../src/ingest/scanner/liveSource.ts';
import { fetchOhlcvPage, ohlcvPageLimit, ohlcvVolumeScale } from '../../src/venues/ccxt/ohlcvHistory.ts';
import { NOW_MS } from './support/venueCases.ts';
import { atTestClock, useVenueHarness } from './support/venueHarness.ts';

/**
 * What the venues added after the first seven do their own way, against their recorded payloads on
 * loopback (the shared checks of every venue are in restAdapters.test.ts, download.test.ts,
 * venueTimestamps.test.ts and moreVenuesErrors.test.ts).
 */
const EIGHT_HOURS_MS = 8 * 3_600_000;

describe('book depths a venue takes', () => {
  it('a depth is asked as the smallest allowed one at least as deep; deeper than all, or none, is the full book', () => {
    expect(venueBookDepth(5, [20, 100])).toBe(20);
    expect(venueBookDepth(20, [20, 100])).toBe(20);
    expect(venueBookDepth(21, [100, 20])).toBe(100);
    expect(venueBookDepth(500, [20, 100])).toBeUndefined();
    expect(venueBookDepth(undefined, [20, 100])).toBeUndefined();
    expect(venueBookDepth(5, undefined)).toBe(5);
  });
});

describe('kucoin (KuCoin Futures)', () => {
  const harness = useVenueHarness('kucoinfutures');

  it('a 5-level book is asked as KuCoin 20-level book (the smallest it gives) and trimmed to 5, sizes in BTC', async () => {
    const book = await harness.venue().fetchOrderBook('BTC/USDT:USDT', 5);
    expect(harness.server().requests.at(-1)).toMatchObject({ path: '/api/v1/level2/depth20', fixture: 'kucoinfutures/level2-depth20-XBTUSDTM.json' });
    expect(book.bids).toHaveLength(5);
    expect(book.asks).toHaveLength(5);
    // 930 contracts of 0.001 BTC at the fifth bid level.
    expect(book.bids[4]).toEqual({ price: 67748.8, size: 0.93 });
  });

  it("candle pages from ccxt's features; volume counts contracts of 0.001 BTC", async () => {
    const venue = harness.venue();
    await venue.exchange.loadMarkets();
    expect(ohlcvPageLimit(venue.exchange, 'BTC/USDT:USDT', 'trade', '1m')).toBe(200);
    expect(ohlcvPageLimit(venue.exchange, 'BTC/USDT:USDT', 'mark', '1m')).toBe(200);
    expect(ohlcvVolumeScale(venue.exchange, 'kucoin', 'BTC/USDT:USDT')).toEqual({ factor: '0.001', reason: null });
  });

  it('every perp and inverse perp is an instrument; BTC is XBT on KuCoin', async () => {
    const instruments = await harness.venue().loadInstruments({ skipFundingIntervals: true });
    expect(instruments.map((i) => [i.symbol, i.venueSymbol, i.contractSize, i.linear])).toEqual([
      ['BTC/USDT:USDT', 'XBTUSDTM', 0.001, true],
      ['ETH/USDT:USDT', 'ETHUSDTM', 0.01, true],
      // Inverse: multiplier -1 (1 USD per contract).
      ['BTC/USD:BTC', 'XBTUSDM', 1, false],
    ]);
  });

  it('the live scan asks every current rate in one request; funding indices in the answer are not markets', async () => {
    const venue = atTestClock(harness.venue());
    await venue.loadInstruments({ skipFundingIntervals: true });
    const quotes = await venue.fetchFundingRates(['BTC/USDT:USDT', 'ETH/USDT:USDT', 'BTC/USD:BTC']);
    expect(quotes.map((q) => [q.symbol, q.fundingRatePerInterval, q.nextFundingTimeMs, q.fundingIntervalMs])).toEqual([
      ['BTC/USDT:USDT', 0.0001, NOW_MS + EIGHT_HOURS_MS, EIGHT_HOURS_MS],
      ['ETH/USDT:USDT', 0.000125, NOW_MS + EIGHT_HOURS_MS, EIGHT_HOURS_MS],
      ['BTC/USD:BTC', 0.000061, NOW_MS + EIGHT_HOURS_MS, EIGHT_HOURS_MS],
    ]);
  });
});

describe('mexc', () => {
  const harness = useVenueHarness('mexc');

  it("candle pages from ccxt's features (2000 for perps); perp volume counts contracts of 0.0001 BTC", async () => {
    const venue = harness.venue();
    await venue.exchange.loadMarkets();
    expect(ohlcvPageLimit(venue.exchange, 'BTC/USDT:USDT', 'trade', '1m')).toBe(2000);
    expect(ohlcvVolumeScale(venue.exchange, 'mexc', 'BTC/USDT:USDT')).toEqual({ factor: '0.0001', reason: null });
    expect(ohlcvVolumeScale(venue.exchange, 'mexc', 'BTC/USDT')).toEqual({ factor: '1', reason: null });
  });

  it("the mark price is the contract ticker's fairPrice, which ccxt leaves out of its ticker: read from the raw answer", async () => {
    const venue = harness.venue();
    const mark = await venue.fetchMarkPrice('BTC/USDT:USDT');
    expect(mark).toMatchObject({ markPrice: 67750.2, indexPrice: 67745.9, ts: NOW_MS - 300, tsSource: 'venue' });
    expect(harness.server().requests.at(-1)).toMatchObject({ path: '/api/v1/contract/ticker', fixture: 'mexc/contract-ticker-BTC_USDT.json' });
  });
});

describe('bingx', () => {
  const harness = useVenueHarness('bingx');

  it("the premium index's nextFundingTime, which ccxt files as nextFundingTimestamp, is the settlement the current rate is for", async () => {
    const venue = harness.venue();
    const quote = await venue.fetchFundingRate('BTC/USDT:USDT');
    expect(quote).toMatchObject({ fundingRatePerInterval: 0.0001, nextFundingTimeMs: NOW_MS + EIGHT_HOURS_MS, fundingIntervalMs: EIGHT_HOURS_MS, markPrice: 67750.2, indexPrice: 67745.9 });
  });

  it('the linear and the coin-margined perps are both instruments; the inverse one is 100 USD a contract', async () => {
    const instruments = await harness.venue().loadInstruments({ kinds: ['perp'], skipFundingIntervals: true });
    expect(instruments.map((i) => [i.symbol, i.venueSymbol, i.contractSize, i.linear])).toEqual([
      ['BTC/USDT:USDT', 'BTC-USDT', 1, true],
      ['ETH/USDT:USDT', 'ETH-USDT', 1, true],
      ['BTC/USD:BTC', 'BTC-USD', 100, false],
    ]);
  });
});

describe('htx', () => {
  const harness = useVenueHarness('htx');
  const T0 = Date.UTC(2024, 3, 1);

  it('the interval is the gap between the two settlement times of the funding answer (funding_time, next_funding_time)', async () => {
    const quote = await harness.venue().fetchFundingRate('BTC/USDT:USDT');
    expect(quote).toMatchObject({ fundingRatePerInterval: 0.0001, nextFundingTimeMs: NOW_MS + EIGHT_HOURS_MS, fundingIntervalMs: EIGHT_HOURS_MS });
  });

  it('no ticker or funding answer has the mark price: it is the close of the latest 1m mark candle, at that candle\'s time', async () => {
    const venue = harness.venue();
    const mark = await venue.fetchMarkPrice('BTC/USDT:USDT');
    expect(mark).toMatchObject({ markPrice: 67750.2, indexPrice: null, ts: NOW_MS - 60_000, tsSource: 'venue' });
    expect(harness.server().requests.map((r) => r.path).slice(-3)).toEqual(['/linear-swap-ex/market/detail/merged', '/v5/market/funding_rate', '/index/market/history/linear_swap_mark_price_kline']);
  });

  it('a candle window is asked by from/to alone: with a size HTX would answer its latest candles', async () => {
    const venue = harness.venue();
    await venue.exchange.loadMarkets();
    const page = await fetchOhlcvPage(venue.exchange, { venue: 'htx', symbol: 'BTC/USDT:USDT', timeframe: '1m', price: 'trade', fromMs: T0, toMs: T0 + 5 * 60_000, nowMs: NOW_MS });
    expect(page.candles.map((c) => c.ts)).toEqual([0, 1, 2, 3, 4].map((k) => T0 + k * 60_000));
    expect(harness.server().requests.at(-1)!.query).toEqual({ period: '1min', from: String(T0 / 1000), to: String((T0 + 5 * 60_000 - 1) / 1000 | 0), contract_code: 'BTC-USDT' });
    expect(ohlcvPageLimit(venue.exchange, 'BTC/USDT:USDT', 'trade', '1m')).toBe(2000);
  });

  it('mark candles are refused before any request: ccxt asks HTX only for the latest ones', async () => {
    const venue = harness.venue();
    await venue.exchange.loadMarkets();
    const before = harness.server().requests.length;
    await expect(fetchOhlcvPage(venue.exchange, { venue: 'htx', symbol: 'BTC/USDT:USDT', timeframe: '1m', price: 'mark', fromMs: T0, toMs: T0 + 60_000 })).rejects.toMatchObject({ venue: 'htx', method: 'fetchMarkOHLCV', kind: 'unsupported' });
    expect(harness.server().requests.length).toBe(before);
  });
});

describe('the newer venues are market data only', () => {
  it('perp-arb account refuses them before reading any credential, naming the venues it takes', async () => {
    const result = await runCli(['account', '--venue', 'kucoin']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("no account support (market data only) for venue 'kucoin' (one of binance, bybit, okx, deribit, hyperliquid, bitget, gate)");
  });
});

describe('the live scan (scan --live) on the four newer venues', () => {
  const harnesses = ['kucoinfutures', 'mexc', 'bingx', 'htx'].map((dir) => useVenueHarness(dir));

  it('BTC/USDT markets: every spot and perp book, each perp\'s current rate with its interval and next settlement, no error', async () => {
    const venues = harnesses.map((h) => atTestClock(h.venue()));
    const load = await loadLive(venues, { assets: ['BTC'], quotes: ['USDT'], depth: 5 }, () => NOW_MS);
    expect(load.rejections).toEqual([]);
    // KuCoin and HTX are loaded for their perps only; MEXC and BingX also give the spot market.
    expect(load.venues.map((v) => [v.venue, v.failed, v.instruments, v.books, v.fundingRates, v.errors])).toEqual([
      ['kucoin', null, 1, 1, 1, 0],
      ['mexc', null, 2, 2, 1, 0],
      ['bingx', null, 2, 2, 1, 0],
      ['htx', null, 1, 1, 1, 0],
    ]);
    expect(load.funding.map((q) => [q.venue, q.symbol, q.fundingRatePerInterval, q.fundingIntervalMs, q.nextFundingTimeMs])).toEqual(
      ['kucoin', 'mexc', 'bingx', 'htx'].map((venue) => [venue, 'BTC/USDT:USDT', 0.0001, EIGHT_HOURS_MS, NOW_MS + EIGHT_HOURS_MS]),
    );
  });
});
