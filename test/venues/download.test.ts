import ccxt from 'ccxt';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VENUE_HELP } from '../../src/app/cli/downloadCommand.ts';
import { HOUR_MS, MINUTE_MS } from '../../src/core/time.ts';
import { DOWNLOADS_FILE } from '../../src/data/store/downloadCoverage.ts';
import { MarketStore } from '../../src/data/store/marketStore.ts';
import type { SeriesKey } from '../../src/domain/series.ts';
import type { CcxtMarketDataVenue } from '../../src/venues/ccxt/ccxtMarketDataVenue.ts';
import { fetchOhlcvHistory, ohlcvPageLimit, ohlcvVolumeScale } from '../../src/venues/ccxt/ohlcvHistory.ts';
import { SUPPORTED_VENUES } from '../../src/venues/ccxt/supportedVenues.ts';
import { downloadSeries, type DownloadOptions } from '../../src/ingest/download/downloader.ts';
import { clipToHistoryDepth, targetSpan } from '../../src/ingest/download/plan.ts';
import type { DownloadKind, DownloadSummary } from '../../src/ingest/download/types.ts';
import { UnsupportedMethodError, VenueError } from '../../src/venues/types.ts';
import { runCli } from '../support/cli.ts';
import { useTempDirs } from '../support/tempDir.ts';
import { loadVenueFixtures, type RestFixture } from './support/fixtureFiles.ts';
import type { LoggedRequest } from './support/loopbackServer.ts';
import { NOW_MS } from './support/venueCases.ts';
import { useVenueHarness, type Harness } from './support/venueHarness.ts';

/**
 * The download fixtures start at 2024-04-01T00:00Z (Bitget funding and Hyperliquid candles: the days
 * before the clock, see JUNE_1); the tests' clock is 2024-06-03, so every candle has closed.
 */
const T0 = Date.UTC(2024, 3, 1);
/** Bitget's funding pages count back from the clock: its download covers 2024-06-01 .. 06-02. */
const JUNE_1 = Date.UTC(2024, 5, 1);
const JUNE_2 = Date.UTC(2024, 5, 2);
const EIGHT_HOURS_MS = 8 * HOUR_MS;

type Row = { ts: number; open?: number; high?: number; low?: number; close?: number; volume?: number | null; rate?: number; interval_ms?: number | null; mark_price?: number | null };

type Item = Record<string, string | number>;
const candle = (ts: unknown, o: unknown, h: unknown, l: unknown, c: unknown, volume: number | null): Row => ({ ts: Number(ts), open: Number(o), high: Number(h), low: Number(l), close: Number(c), volume });
const settlement = (ts: unknown, rate: unknown, intervalMs: number): Row => ({ ts: Number(ts), rate: Number(rate), interval_ms: intervalMs, mark_price: null });

/**
 * The rows one fixture's payload holds, read straight from each exchange's documented format (not
 * through ccxt), with volume in the store's unit: base units for spot and linear contracts
 * (contracts for inverse ones), null for mark candles.
 */
function payloadRows(f: RestFixture, kind: DownloadKind, intervalMs: number): Row[] {
  const body = f.response.body as Record<string, unknown> | unknown[];
  const { host, path } = f.request;
  const mark = kind === 'mark';
  if (host.endsWith('binance.com')) {
    // Oldest first; volume index 5 (base units).
    if (kind === 'funding') return (body as Item[]).map((r) => settlement(r.fundingTime, r.fundingRate, intervalMs));
    return (body as (string | number)[][]).map((a) => candle(a[0], a[1], a[2], a[3], a[4], mark ? null : Number(a[5])));
  }
  if (host === 'www.okx.com') {
    const data = (body as { data: unknown[] }).data;
    if (kind === 'funding') return (data as Item[]).map((r) => settlement(r.fundingTime, r.fundingRate, intervalMs));
    // Swaps: index 6 is volCcy (base units; index 5 is contracts).
    return (data as string[][]).map((a) => candle(a[0], a[1], a[2], a[3], a[4], mark ? null : Number(a[6])));
  }
  if (host === 'api.bybit.com') {
    const list = (body as { result: { list: unknown[] } }).result.list;
    if (kind === 'funding') return (list as Item[]).map((r) => settlement(r.fundingRateTimestamp, r.fundingRate, intervalMs));
    return (list as string[][]).map((a) => candle(a[0], a[1], a[2], a[3], a[4], mark ? null : Number(a[5])));
  }
  if (host === 'api.gateio.ws') {
    // Times in seconds. Funding {t, r}; futures candles {t, o, h, l, c, v (contracts of 0.0001 BTC)}; spot
    // candles [t, quote volume, close, high, low, open, base volume, closed].
    if (kind === 'funding') return (body as Item[]).map((r) => settlement(Number(r.t) * 1000, r.r, intervalMs));
    if (path.startsWith('/api/v4/spot/')) return (body as string[][]).map((a) => candle(Number(a[0]) * 1000, a[5], a[3], a[4], a[2], Number(a[6])));
    return (body as Item[]).map((r) => candle(Number(r.t) * 1000, r.o, r.h, r.l, r.c, mark ? null : Number(r.v) / 10_000));
  }
  if (host === 'api.bitget.com') {
    const data = (body as { data: unknown[] }).data;
    if (kind === 'funding') return (data as Item[]).map((r) => settlement(r.fundingTime, r.fundingRate, intervalMs));
    // [ts, open, high, low, close, base volume, quote volume, ...]
    return (data as string[][]).map((a) => candle(a[0], a[1], a[2], a[3], a[4], mark ? null : Number(a[5])));
  }
  if (host === 'www.deribit.com') {
    const result = (body as { result: unknown }).result;
    // Hourly rows: the rate per interval is interest_1h.
    if (kind === 'funding') return (result as Item[]).map((r) => settlement(r.timestamp, r.interest_1h, intervalMs));
    const r = result as Record<string, number[]>;
    // volume is BTC; for the inverse perp the store wants contracts, which ccxt cannot give (it drops `cost`): null.
    const inverse = (f.request.query?.instrument_name ?? '').endsWith('-PERPETUAL');
    return r.ticks.map((ts, i) => candle(ts, r.open[i], r.high[i], r.low[i], r.close[i], inverse ? null : r.volume[i]));
  }
  if (host === 'api.hyperliquid.xyz') {
    if (kind === 'funding') return (body as Item[]).map((r) => settlement(r.time, r.fundingRate, intervalMs));
    return (body as Item[]).map((r) => candle(r.t, r.o, r.h, r.l, r.c, Number(r.v)));
  }
  if (host === 'api.hbdm.vn') {
    const data = (body as { data: Item[] }).data;
    if (kind === 'funding') return data.map((r) => settlement(r.funding_time, r.funding_rate, intervalMs));
    // {id (seconds), open, close, high, low, amount (BTC), vol (contracts), ...}, oldest first.
    return data.map((r) => candle(Number(r.id) * 1000, r.open, r.high, r.low, r.close, Number(r.amount)));
  }
  if (host === 'open-api.bingx.com') {
    const data = (body as { data: Item[] }).data;
    if (kind === 'funding') return data.map((r) => settlement(r.fundingTime, r.fundingRate, intervalMs));
    // Newest first; trade candles {open, close, high, low, volume (BTC), time}, mark candles with openTime.
    return data.map((r) => candle(r.time ?? r.openTime, r.open, r.high, r.low, r.close, mark ? null : Number(r.volume)));
  }
  if (host === 'api.mexc.com') {
    const data = (body as { data: Record<string, unknown> }).data;
    if (kind === 'funding') return (data.resultList as Item[]).map((r) => settlement(r.settleTime, r.fundingRate, intervalMs));
    // Column arrays, times in seconds; vol in contracts of 0.0001 BTC.
    const c = data as Record<string, number[]>;
    return c.time.map((t, i) => candle(t * 1000, c.open[i], c.high[i], c.low[i], c.close[i], mark ? null : c.vol[i] / 10_000));
  }
  if (host === 'api.kucoin.com') {
    // The unified API's mark candles: seconds, [t, open, close, high, low, ...], newest first.
    const list = (body as { data: { list: string[][] } }).data.list;
    return list.map((a) => candle(Number(a[0]) * 1000, a[1], a[3], a[4], a[2], null));
  }
  if (host === 'api-futures.kucoin.com') {
    const data = (body as { data: unknown[] }).data;
    if (kind === 'funding') return (data as Item[]).map((r) => settlement(r.timepoint, r.fundingRate, intervalMs));
    // [time, open, high, low, close, volume (contracts of 0.001 BTC for XBTUSDTM), turnover]
    return (data as number[][]).map((a) => candle(a[0], a[1], a[2], a[3], a[4], mark ? null : a[5] / 1000));
  }
  throw new Error(`no reader for ${f.name}`);
}

/** Expected rows of several pages: each time once, within [fromMs, toMs), oldest first. */
function expectedRows(fixtures: RestFixture[], kind: DownloadKind, fromMs: number, toMs: number, intervalMs = EIGHT_HOURS_MS): Row[] {
  const rows = new Map<number, Row>();
  for (const f of fixtures) for (const row of payloadRows(f, kind, intervalMs)) if (row.ts >= fromMs && row.ts < toMs) rows.set(row.ts, row);
  return [...rows.values()].sort((a, b) => a.ts - b.ts);
}

/** The rows of a stored series as plain objects (NaN as null), without received_at. */
async function storedRows(store: MarketStore, key: SeriesKey): Promise<Row[]> {
  const data = await store.read(key);
  const names = Object.keys(data.columns).filter((n) => n !== 'received_at');
  const received = data.columns.received_at as Float64Array;
  return Array.from({ length: data.rows }, (_, i) => {
    expect(Number.isNaN(received[i])).toBe(true); // history: receipt time unknown
    return Object.fromEntries(names.map((n) => [n, Number.isNaN((data.columns[n] as Float64Array)[i]) ? null : (data.columns[n] as Float64Array)[i]])) as Row;
  });
}

/** A request for history (candles or funding), not for markets. Hyperliquid asks everything of POST /info: the body's type tells. */
const isData = (r: LoggedRequest) =>
  /klines|candles|kline|funding|fund-rate|tradingview_chart/i.test(r.path) || /^(candleSnapshot|fundingHistory)$/.test(String((r.body as { type?: unknown } | undefined)?.type));
const fixturesNamed = (dir: string, prefix: string) => loadVenueFixtures(dir).filter((f) => f.name.startsWith(`${dir}/${prefix}`));

interface Case {
  dir: string;
  venue: string;
  symbol: string;
  kind: DownloadKind;
  /** Default T0. */
  fromMs?: number;
  toMs: number;
  /** Fixture file prefix of its pages. */
  pages: string;
  pageCount: number;
  table: SeriesKey['table'];
  /** Funding: settlements per request (default 4: windows of 3 settlements); the interval the rows get (default 8h) and the note that says it was inferred (null: the venue's own). */
  fundingPageLimit?: number;
  intervalMs?: number;
  intervalNote?: string | null;
  /** Windows (spans committed) when not one per page: Hyperliquid's hourly settlements take two pages in one window. */
  windows?: number;
}

const CASES: Case[] = [
  { dir: 'binance', venue: 'binance', symbol: 'BTC/USDT:USDT', kind: 'ohlcv', toMs: T0 + 15 * MINUTE_MS, pages: 'usdm-klines-BTCUSDT-1m-page', pageCount: 3, table: 'bars' },
  { dir: 'binance', venue: 'binance', symbol: 'BTC/USDT:USDT', kind: 'mark', toMs: T0 + 10 * MINUTE_MS, pages: 'usdm-markPriceKlines-BTCUSDT-1m-page', pageCount: 2, table: 'mark_bars' },
  { dir: 'binance', venue: 'binance', symbol: 'BTC/USDT', kind: 'ohlcv', toMs: T0 + 10 * MINUTE_MS, pages: 'spot-klines-BTCUSDT-1m-page', pageCount: 2, table: 'bars' },
  { dir: 'binance', venue: 'binance', symbol: 'BTC/USDT:USDT', kind: 'funding', toMs: T0 + 3 * 24 * HOUR_MS, pages: 'usdm-fundingRate-BTCUSDT-download-page', pageCount: 3, table: 'funding' },
  { dir: 'okx', venue: 'okx', symbol: 'BTC/USDT:USDT', kind: 'ohlcv', toMs: T0 + 10 * MINUTE_MS, pages: 'history-candles-BTC-USDT-SWAP-1m-page', pageCount: 2, table: 'bars' },
  { dir: 'okx', venue: 'okx', symbol: 'BTC/USDT:USDT', kind: 'mark', toMs: T0 + 10 * MINUTE_MS, pages: 'history-mark-price-candles-BTC-USDT-SWAP-1m-page', pageCount: 2, table: 'mark_bars' },
  { dir: 'okx', venue: 'okx', symbol: 'BTC/USDT:USDT', kind: 'funding', toMs: T0 + 2 * 24 * HOUR_MS, pages: 'funding-rate-history-download-page', pageCount: 2, table: 'funding' },
  { dir: 'bybit', venue: 'bybit', symbol: 'BTC/USDT:USDT', kind: 'ohlcv', toMs: T0 + 10 * MINUTE_MS, pages: 'kline-linear-BTCUSDT-1m-page', pageCount: 2, table: 'bars' },
  { dir: 'bybit', venue: 'bybit', symbol: 'BTC/USDT:USDT', kind: 'mark', toMs: T0 + 10 * MINUTE_MS, pages: 'mark-price-kline-linear-BTCUSDT-1m-page', pageCount: 2, table: 'mark_bars' },
  { dir: 'bybit', venue: 'bybit', symbol: 'BTC/USDT:USDT', kind: 'funding', toMs: T0 + 2 * 24 * HOUR_MS, pages: 'funding-history-BTCUSDT-download-page', pageCount: 2, table: 'funding' },
  // Gate: from/to in seconds, both inclusive, oldest first; futures volume in contracts (stored x 0.0001 BTC); funding newest first.
  { dir: 'gate', venue: 'gate', symbol: 'BTC/USDT:USDT', kind: 'ohlcv', toMs: T0 + 15 * MINUTE_MS, pages: 'futures-usdt-candlesticks-BTC_USDT-1m-page', pageCount: 3, table: 'bars' },
  { dir: 'gate', venue: 'gate', symbol: 'BTC/USDT:USDT', kind: 'mark', toMs: T0 + 10 * MINUTE_MS, pages: 'futures-usdt-candlesticks-mark_BTC_USDT-1m-page', pageCount: 2, table: 'mark_bars' },
  { dir: 'gate', venue: 'gate', symbol: 'BTC/USDT', kind: 'ohlcv', toMs: T0 + 10 * MINUTE_MS, pages: 'spot-candlesticks-BTC_USDT-1m-page', pageCount: 2, table: 'bars' },
  { dir: 'gate', venue: 'gate', symbol: 'BTC/USDT:USDT', kind: 'funding', toMs: T0 + 2 * 24 * HOUR_MS, pages: 'futures-usdt-funding_rate-download-page', pageCount: 2, table: 'funding' },
  // Bitget: history endpoints count `limit` back from endTime; funding in numbered pages, newest first from
  // the clock (2024-06-03), so its span is the last days before it, walked once from the newest window back.
  { dir: 'bitget', venue: 'bitget', symbol: 'BTC/USDT:USDT', kind: 'ohlcv', toMs: T0 + 15 * MINUTE_MS, pages: 'mix-history-candles-BTCUSDT-1m-page', pageCount: 3, table: 'bars' },
  { dir: 'bitget', venue: 'bitget', symbol: 'BTC/USDT:USDT', kind: 'mark', toMs: T0 + 10 * MINUTE_MS, pages: 'mix-history-mark-candles-BTCUSDT-1m-page', pageCount: 2, table: 'mark_bars' },
  { dir: 'bitget', venue: 'bitget', symbol: 'BTC/USDT', kind: 'ohlcv', toMs: T0 + 10 * MINUTE_MS, pages: 'spot-history-candles-BTCUSDT-1m-page', pageCount: 2, table: 'bars' },
  { dir: 'bitget', venue: 'bitget', symbol: 'BTC/USDT:USDT', kind: 'funding', fromMs: JUNE_1, toMs: JUNE_1 + 44 * HOUR_MS, pages: 'history-fund-rate-download-page', pageCount: 2, table: 'funding', fundingPageLimit: 5 },
  // Deribit: start_timestamp since - 1, end_timestamp inclusive; the inverse perp's volume (BTC) is stored as null; hourly funding (interest_1h).
  { dir: 'deribit', venue: 'deribit', symbol: 'BTC/USD:BTC', kind: 'ohlcv', toMs: T0 + 15 * MINUTE_MS, pages: 'get_tradingview_chart_data-BTC-PERPETUAL-1m-page', pageCount: 3, table: 'bars' },
  { dir: 'deribit', venue: 'deribit', symbol: 'BTC/USDC', kind: 'ohlcv', toMs: T0 + 10 * MINUTE_MS, pages: 'get_tradingview_chart_data-BTC_USDC-1m-page', pageCount: 2, table: 'bars' },
  { dir: 'deribit', venue: 'deribit', symbol: 'BTC/USD:BTC', kind: 'funding', toMs: T0 + 9 * HOUR_MS, pages: 'get_funding_rate_history-download-page', pageCount: 3, table: 'funding', intervalMs: HOUR_MS, intervalNote: null },
  // Hyperliquid: POST /info candleSnapshot (startTime, endTime) and fundingHistory (hourly, oldest first from startTime).
  // It keeps only its latest 5000 candles of each length: at the clock, 1m candles from 2024-05-30 12:41.
  { dir: 'hyperliquid', venue: 'hyperliquid', symbol: 'BTC/USDC:USDC', kind: 'ohlcv', fromMs: JUNE_2, toMs: JUNE_2 + 15 * MINUTE_MS, pages: 'info-candleSnapshot-BTC-1m-page', pageCount: 3, table: 'bars' },
  { dir: 'hyperliquid', venue: 'hyperliquid', symbol: 'BTC/USDC:USDC', kind: 'funding', toMs: T0 + 6 * HOUR_MS, pages: 'info-fundingHistory-BTC-download-page', pageCount: 2, table: 'funding', intervalMs: HOUR_MS, intervalNote: 'funding interval 1h inferred', windows: 1 },
  // KuCoin Futures: from/to (ms); volume in contracts of 0.001 BTC (stored as BTC); funding newest first between from and to.
  { dir: 'kucoinfutures', venue: 'kucoin', symbol: 'BTC/USDT:USDT', kind: 'ohlcv', toMs: T0 + 10 * MINUTE_MS, pages: 'kline-query-XBTUSDTM-1m-page', pageCount: 2, table: 'bars' },
  { dir: 'kucoinfutures', venue: 'kucoin', symbol: 'BTC/USDT:USDT', kind: 'mark', toMs: T0 + 10 * MINUTE_MS, pages: 'ua-market-kline-XBTUSDTM-mark-price-1m-page', pageCount: 2, table: 'mark_bars' },
  { dir: 'kucoinfutures', venue: 'kucoin', symbol: 'BTC/USDT:USDT', kind: 'funding', toMs: T0 + 2 * 24 * HOUR_MS, pages: 'contract-funding-rates-XBTUSDTM-download-page', pageCount: 2, table: 'funding' },
  // MEXC: swap klines with start/end in seconds (and ccxt's `until` passed on), volume in contracts of 0.0001 BTC; mark = fair-price klines;
  // funding in numbered pages newest first from the clock, as Bitget's.
  { dir: 'mexc', venue: 'mexc', symbol: 'BTC/USDT:USDT', kind: 'ohlcv', toMs: T0 + 10 * MINUTE_MS, pages: 'contract-kline-BTC_USDT-1m-page', pageCount: 2, table: 'bars' },
  { dir: 'mexc', venue: 'mexc', symbol: 'BTC/USDT:USDT', kind: 'mark', toMs: T0 + 10 * MINUTE_MS, pages: 'contract-kline-fair_price-BTC_USDT-1m-page', pageCount: 2, table: 'mark_bars' },
  { dir: 'mexc', venue: 'mexc', symbol: 'BTC/USDT:USDT', kind: 'funding', fromMs: JUNE_1, toMs: JUNE_1 + 44 * HOUR_MS, pages: 'contract-funding_rate-history-BTC_USDT-download-page', pageCount: 2, table: 'funding', fundingPageLimit: 5 },
  // BingX: startTime = since - 1, endTime inclusive, limit; newest first; funding forward from startTime.
  { dir: 'bingx', venue: 'bingx', symbol: 'BTC/USDT:USDT', kind: 'ohlcv', toMs: T0 + 10 * MINUTE_MS, pages: 'swap-v3-quote-klines-BTC-USDT-1m-page', pageCount: 2, table: 'bars' },
  { dir: 'bingx', venue: 'bingx', symbol: 'BTC/USDT:USDT', kind: 'mark', toMs: T0 + 10 * MINUTE_MS, pages: 'swap-v1-market-markPriceKlines-BTC-USDT-1m-page', pageCount: 2, table: 'mark_bars' },
  { dir: 'bingx', venue: 'bingx', symbol: 'BTC/USDT:USDT', kind: 'funding', toMs: T0 + 2 * 24 * HOUR_MS, pages: 'swap-v2-quote-fundingRate-BTC-USDT-download-page', pageCount: 2, table: 'funding' },
  // HTX: from/to in seconds only (ccxt sends no size: with one, HTX answers the latest candles); volume `amount` in BTC; funding forward from start_time.
  { dir: 'htx', venue: 'htx', symbol: 'BTC/USDT:USDT', kind: 'ohlcv', toMs: T0 + 10 * MINUTE_MS, pages: 'linear-swap-ex-market-history-kline-BTC-USDT-1m-page', pageCount: 2, table: 'bars' },
  { dir: 'htx', venue: 'htx', symbol: 'BTC/USDT:USDT', kind: 'funding', toMs: T0 + 2 * 24 * HOUR_MS, pages: 'v5-market-funding_rate_history-BTC-USDT-download-page', pageCount: 2, table: 'funding' },
];

const keyOf = (c: Pick<Case, 'table' | 'venue' | 'symbol' | 'kind'>): SeriesKey => ({ table: c.table, venue: c.venue, symbol: c.symbol, timeframe: c.kind === 'funding' ? null : '1m' });

/** Pages of 5 candles or 4 settlements, as the fixtures were recorded; no retries, so a failure shows at once. */
function download(venue: CcxtMarketDataVenue, store: MarketStore, c: Pick<Case, 'symbol' | 'kind' | 'toMs' | 'fromMs' | 'fundingPageLimit'>, extra: Partial<DownloadOptions> = {}): Promise<DownloadSummary> {
  return downloadSeries(venue, { symbol: c.symbol, kind: c.kind, timeframe: '1m', fromMs: c.fromMs ?? T0, toMs: c.toMs }, { store, now: () => NOW_MS, pageLimit: 5, fundingPageLimit: c.fundingPageLimit ?? 4, batchRows: 1, retry: { retries: 0 }, ...extra });
}

/**
 * ccxt's clock set to the tests' (2024-06-03): Bitget picks its "recent" or "history" candle endpoint
 * by the age of the data, which must not change as the years pass.
 */
function atTestClock(venue: CcxtMarketDataVenue): CcxtMarketDataVenue {
  (venue.exchange as unknown as { milliseconds: () => number }).milliseconds = () => NOW_MS;
  return venue;
}

const dataFixtures = (harness: Harness, since: number) => harness.server().requests.slice(since).filter(isData).map((r) => r.fixture ?? `unanswered ${r.path} ${JSON.stringify(r.query)}`);

for (const dir of ['binance', 'okx', 'bybit', 'gate', 'bitget', 'deribit', 'hyperliquid', 'kucoinfutures', 'mexc', 'bingx', 'htx']) {
  describe(`data download from ${dir} over loopback`, () => {
    const harness = useVenueHarness(dir);
    const tempDir = useTempDirs();
    const venue = (c: Case) => atTestClock(harness.venue({ fundingPaging: { pageLimit: c.fundingPageLimit ?? 4 } }));

    for (const c of CASES.filter((x) => x.dir === dir)) {
      it(`${c.symbol} ${c.kind}: every page once, the stored rows are the venue's, a rerun sends no request`, async () => {
        const store = new MarketStore(tempDir());
        const fromMs = c.fromMs ?? T0;
        const start = harness.server().requests.length;
        const summary = await download(venue(c), store, c);
        const pages = fixturesNamed(dir, c.pages);
        expect(pages).toHaveLength(c.pageCount);
        expect(dataFixtures(harness, start)).toEqual(pages.map((p) => p.name));
        const expected = expectedRows(pages, c.kind, fromMs, c.toMs, c.intervalMs);
        expect(expected.length).toBeGreaterThan(c.pageCount);
        expect(await storedRows(store, keyOf(c))).toEqual(expected);
        expect(summary).toMatchObject({ complete: true, rowsFetched: expected.length, rowsAdded: expected.length, rowsUnchanged: 0, conflicts: [], requests: c.pageCount, spansSkipped: [] });
        expect(summary.spansFetched).toHaveLength(c.windows ?? c.pageCount);
        if (c.kind === 'funding') {
          const note = c.intervalNote === undefined ? 'funding interval 8h inferred' : c.intervalNote;
          if (note === null) expect(summary.notes.join()).not.toContain('inferred');
          else expect(summary.notes.join()).toContain(note);
        }
        // The instrument is recorded with the venue's facts.
        expect(store.instruments().find((i) => i.symbol === c.symbol)).toMatchObject({ venue: c.venue, venueSymbol: expect.any(String), tickSize: expect.any(Number) });

        const again = harness.server().requests.length;
        const rerun = await download(venue(c), store, c);
        expect(harness.server().requests.length).toBe(again);
        expect(rerun).toMatchObject({ complete: true, requests: 0, marketRequests: 0, rowsFetched: 0, spansFetched: [], spansSkipped: [{ from: new Date(fromMs).toISOString(), to: new Date(c.toMs).toISOString() }] });
      });
    }
  });
}

describe('resuming binance downloads', () => {
  const harness = useVenueHarness('binance');
  const tempDir = useTempDirs();
  const venue = (timeoutMs = 2_000) => harness.venue({ fundingPaging: { pageLimit: 4 }, timeoutMs });
  const perp = CASES[0];
  const funding = CASES[3];

  const uninterrupted = async (c: Case) => {
    const store = new MarketStore(tempDir());
    await download(venue(), store, c);
    return storedRows(store, keyOf(c));
  };

  it('a gap the venue has (no 00:07 candle) is recorded, and not asked for again', async () => {
    const store = new MarketStore(tempDir());
    await download(venue(), store, perp);
    const rows = await storedRows(store, keyOf(perp));
    expect(rows).toHaveLength(14);
    expect(rows.map((r) => r.ts)).not.toContain(T0 + 7 * MINUTE_MS);
    const record = JSON.parse(readFileSync(join(store.root, DOWNLOADS_FILE), 'utf8'));
    expect(record).toEqual({ version: 1, series: { 'bars/binance/BTC/USDT:USDT/1m': [[T0, T0 + 15 * MINUTE_MS]] } });
    const before = harness.server().requests.length;
    expect((await download(venue(), store, perp)).requests).toBe(0);
    expect(harness.server().requests.length).toBe(before);
  });

  it('the venue fails on page 3: a clear error naming venue, method and time; the rerun asks only for page 3 and ends as an uninterrupted run', async () => {
    const store = new MarketStore(tempDir());
    const page3 = String(T0 + 10 * MINUTE_MS);
    harness.server().override((req, res) => {
      if (req.path !== '/fapi/v1/klines' || req.query.startTime !== page3) return false;
      res.writeHead(503, { 'content-type': 'text/plain' });
      res.end('Service Unavailable');
      return true;
    });
    const error = await download(venue(), store, perp).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VenueError);
    expect(error).toMatchObject({ venue: 'binance', method: 'fetchOHLCV', kind: 'unavailable' });
    expect((error as Error).message).toMatch(/^binance fetchOHLCV: unavailable: .*\(BTC\/USDT:USDT 1m candles from 2024-04-01T00:10:00\.000Z to 2024-04-01T00:15:00\.000Z\)$/s);
    // Pages 1 and 2 (9 candles: the venue has no 00:07) were committed before the failure.
    expect((await storedRows(store, keyOf(perp))).map((r) => r.ts)).toEqual([0, 1, 2, 3, 4, 5, 6, 8, 9].map((k) => T0 + k * MINUTE_MS));

    harness.server().clearOverrides();
    const start = harness.server().requests.length;
    const rerun = await download(venue(), store, perp);
    expect(dataFixtures(harness, start)).toEqual(['binance/usdm-klines-BTCUSDT-1m-page3.json']);
    expect(rerun).toMatchObject({ requests: 1, rowsAdded: 5, spansFetched: [{ from: '2024-04-01T00:10:00.000Z', to: '2024-04-01T00:15:00.000Z' }] });
    expect(rerun.spansSkipped).toEqual([{ from: '2024-04-01T00:00:00.000Z', to: '2024-04-01T00:10:00.000Z' }]);
    expect(await storedRows(store, keyOf(perp))).toEqual(await uninterrupted(perp));
  });

  it('the venue never answers page 2: a timeout naming venue, method and time; the rerun asks only for pages 2 and 3', async () => {
    const store = new MarketStore(tempDir());
    const page2 = String(T0 + 5 * MINUTE_MS);
    harness.server().override((req) => req.path === '/fapi/v1/klines' && req.query.startTime === page2); // handled: never answered
    const error = await download(venue(300), store, perp, { batchRows: 1_000 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ venue: 'binance', method: 'fetchOHLCV', kind: 'timeout' });
    expect((error as Error).message).toContain('candles from 2024-04-01T00:05:00.000Z to 2024-04-01T00:10:00.000Z');
    // A batch bigger than the download: page 1 was still committed when the failure came.
    expect(await storedRows(store, keyOf(perp))).toHaveLength(5);

    harness.server().clearOverrides();
    const start = harness.server().requests.length;
    await download(venue(), store, perp);
    expect(dataFixtures(harness, start)).toEqual(['binance/usdm-klines-BTCUSDT-1m-page2.json', 'binance/usdm-klines-BTCUSDT-1m-page3.json']);
    expect(await storedRows(store, keyOf(perp))).toEqual(await uninterrupted(perp));
  });

  it('funding: the venue fails on the second window; the rerun asks only for windows 2 and 3', async () => {
    const store = new MarketStore(tempDir());
    const window2 = String(T0 + 24 * HOUR_MS);
    harness.server().override((req, res) => {
      if (req.path !== '/fapi/v1/fundingRate' || req.query.startTime !== window2) return false;
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ code: -1001, msg: 'Internal error; unable to process your request. Please try again.' }));
      return true;
    });
    const error = await download(venue(), store, funding).catch((e: unknown) => e);
    expect(error).toMatchObject({ venue: 'binance', method: 'fetchFundingRateHistory' });
    expect((error as Error).message).toContain('settlements from 2024-04-02T00:00:00.000Z to 2024-04-03T00:00:00.000Z');
    expect(await storedRows(store, keyOf(funding))).toHaveLength(3);

    harness.server().clearOverrides();
    const start = harness.server().requests.length;
    await download(venue(), store, funding);
    expect(dataFixtures(harness, start)).toEqual(['binance/usdm-fundingRate-BTCUSDT-download-page2.json', 'binance/usdm-fundingRate-BTCUSDT-download-page3.json']);
    expect(await storedRows(store, keyOf(funding))).toEqual(await uninterrupted(funding));
  });

  it('candles the store already holds are not fetched again, and the still-open candle is never stored', async () => {
    const spot = CASES[2];
    const store = new MarketStore(tempDir());
    // The clock stands inside the 00:10 candle (with the 60 s settle lag, 00:11:30 - 60 s): candles up to 00:09 have closed.
    const now = () => T0 + 11.5 * MINUTE_MS;
    const first = await download(venue(), store, { ...spot, toMs: T0 + 15 * MINUTE_MS }, { now });
    expect(first).toMatchObject({ to: '2024-04-01T00:10:00.000Z', requests: 2, rowsAdded: 10 });
    expect((await storedRows(store, keyOf(spot))).at(-1)!.ts).toBe(T0 + 9 * MINUTE_MS);
    // Without the record, the stored candles alone tell the download there is nothing to fetch.
    await import('node:fs').then((fs) => fs.rmSync(join(store.root, DOWNLOADS_FILE)));
    const rerun = await download(venue(), store, spot);
    expect(rerun).toMatchObject({ requests: 0, spansSkipped: [{ from: '2024-04-01T00:00:00.000Z', to: '2024-04-01T00:10:00.000Z' }] });
  });

  it('bad rows from the venue stop the download with an error naming the request, the row and its time; nothing of that answer is stored', async () => {
    const store = new MarketStore(tempDir());
    const page2 = String(T0 + 5 * MINUTE_MS);
    harness.server().override((req, res) => {
      if (req.path !== '/fapi/v1/klines' || req.query.startTime !== page2) return false;
      const rows = fixturesNamed('binance', 'usdm-klines-BTCUSDT-1m-page2')[0].response.body as (string | number)[][];
      const bad = rows.map((r) => [...r]);
      bad[1][3] = '99999.9'; // low above high
      bad[2][4] = '-1'; // negative close
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(bad));
      return true;
    });
    const error = await download(venue(), store, perp).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toContain('binance fetchOHLCV BTC/USDT:USDT 1m 2024-04-01T00:05:00.000Z..2024-04-01T00:10:00.000Z');
    expect(message).toContain('2 bad rows of 4');
    expect(message).toContain('row 2 (2024-04-01T00:06:00.000Z): high 67737.6 is below open/close/low');
    expect(message).toContain('row 3 (2024-04-01T00:08:00.000Z): close must be > 0 (-1)');
    expect(await storedRows(store, keyOf(perp))).toHaveLength(5);
    expect(JSON.parse(readFileSync(join(store.root, DOWNLOADS_FILE), 'utf8')).series['bars/binance/BTC/USDT:USDT/1m']).toEqual([[T0, T0 + 5 * MINUTE_MS]]);
  });

  it('what a venue or market cannot give is refused before any request', async () => {
    const store = new MarketStore(tempDir());
    const before = harness.server().requests.length;
    await expect(download(venue(), store, { symbol: 'BTC/USDT', kind: 'mark', toMs: T0 + MINUTE_MS })).rejects.toThrow(/^binance fetchMarkOHLCV: unsupported: BTC\/USDT is a spot market/);
    await expect(download(venue(), store, { symbol: 'BTC/USDT', kind: 'funding', toMs: T0 + MINUTE_MS })).rejects.toThrow(/only perps have funding/);
    await expect(downloadSeries(venue(), { symbol: 'BTC/USDT:USDT', kind: 'ohlcv', timeframe: '7m', fromMs: T0, toMs: T0 + HOUR_MS }, { store })).rejects.toThrow(/timeframe 7m/);
    expect(harness.server().requests.length).toBe(before);
    expect(existsSync(join(store.root, DOWNLOADS_FILE))).toBe(false);
  });
});

describe('paged OHLCV through ccxt (ohlcvHistory)', () => {
  const okx = useVenueHarness('okx');
  const binance = useVenueHarness('binance');

  it('okx mark candles over two pages: oldest first, each once, the values of the payloads', async () => {
    const venue = okx.venue();
    const candles = await fetchOhlcvHistory(venue.exchange, 'okx', 'BTC/USDT:USDT', '1m', T0, T0 + 10 * MINUTE_MS, { price: 'mark', pageLimit: 5 });
    const expected = expectedRows(fixturesNamed('okx', 'history-mark-price-candles-BTC-USDT-SWAP-1m-page'), 'mark', T0, T0 + 10 * MINUTE_MS);
    expect(candles).toEqual(expected);
    expect(candles.map((c) => c.ts)).toEqual(Array.from({ length: 10 }, (_, k) => T0 + k * MINUTE_MS));
  });

  it("page sizes come from ccxt's features: okx 300 trade / 100 mark candles, binance 1000 spot / 500 USDT-M", async () => {
    const o = okx.venue();
    await o.exchange.loadMarkets();
    expect(ohlcvPageLimit(o.exchange, 'BTC/USDT:USDT', 'trade')).toBe(300);
    expect(ohlcvPageLimit(o.exchange, 'BTC/USDT:USDT', 'mark')).toBe(100);
    const b = binance.venue();
    await b.exchange.loadMarkets();
    expect(ohlcvPageLimit(b.exchange, 'BTC/USDT', 'trade')).toBe(1000);
    expect(ohlcvPageLimit(b.exchange, 'BTC/USDT:USDT', 'mark')).toBe(500);
  });

  it('okx inverse swaps: ccxt gives their candle volume in BTC (volCcy), not contracts, so it is not stored', async () => {
    const o = okx.venue();
    await o.exchange.loadMarkets();
    expect(ohlcvVolumeScale(o.exchange, 'okx', 'BTC/USDT:USDT')).toEqual({ factor: '1', reason: null });
    expect(ohlcvVolumeScale(o.exchange, 'okx', 'BTC/USD:BTC')).toEqual({ factor: null, reason: expect.stringContaining('okx gives BTC/USD:BTC candle volume in BTC') });
  });
});

describe('page sizes and volume units of gate, bitget, deribit and hyperliquid', () => {
  const harnesses = Object.fromEntries(['gate', 'bitget', 'deribit', 'hyperliquid'].map((dir) => [dir, useVenueHarness(dir)]));
  const loaded = async (dir: string) => {
    const venue = harnesses[dir].venue();
    await venue.exchange.loadMarkets();
    return venue.exchange;
  };

  it("from ccxt's features, lowered where ccxt caps a timeframe (bitget swaps: 90 daily, 180 12h candles)", async () => {
    const gate = await loaded('gate');
    expect(ohlcvPageLimit(gate, 'BTC/USDT:USDT', 'trade', '1m')).toBe(1999);
    expect(ohlcvPageLimit(gate, 'BTC/USDT:USDT', 'mark', '1m')).toBe(1999);
    expect(ohlcvPageLimit(gate, 'BTC/USDT', 'trade', '1m')).toBe(1000);
    const bitget = await loaded('bitget');
    expect(ohlcvPageLimit(bitget, 'BTC/USDT:USDT', 'trade', '1m')).toBe(200);
    expect(ohlcvPageLimit(bitget, 'BTC/USDT:USDT', 'trade', '4h')).toBe(200);
    expect(ohlcvPageLimit(bitget, 'BTC/USDT:USDT', 'mark', '12h')).toBe(180);
    expect(ohlcvPageLimit(bitget, 'BTC/USDT:USDT', 'trade', '1d')).toBe(90);
    expect(ohlcvPageLimit(bitget, 'BTC/USDT', 'trade', '1d')).toBe(200);
    expect(ohlcvPageLimit(await loaded('deribit'), 'BTC/USD:BTC', 'trade', '1m')).toBe(1000);
    expect(ohlcvPageLimit(await loaded('hyperliquid'), 'BTC/USDC:USDC', 'trade', '1m')).toBe(5000);
  });

  it('gate counts linear contracts (x 0.0001 BTC); deribit counts the inverse perp in BTC (not stored)', async () => {
    const gate = await loaded('gate');
    expect(ohlcvVolumeScale(gate, 'gate', 'BTC/USDT:USDT')).toEqual({ factor: '0.0001', reason: null });
    expect(ohlcvVolumeScale(gate, 'gate', 'BTC/USDT')).toEqual({ factor: '1', reason: null });
    const deribit = await loaded('deribit');
    expect(ohlcvVolumeScale(deribit, 'deribit', 'BTC/USDC')).toEqual({ factor: '1', reason: null });
    expect(ohlcvVolumeScale(deribit, 'deribit', 'BTC/USD:BTC')).toEqual({
      factor: null,
      reason: 'deribit gives BTC/USD:BTC candle volume in BTC, and the store keeps inverse volume in contracts (quote units): stored as null',
    });
    for (const [dir, symbol] of [['bitget', 'BTC/USDT:USDT'], ['hyperliquid', 'BTC/USDC:USDC']]) expect(ohlcvVolumeScale(await loaded(dir), dir, symbol)).toEqual({ factor: '1', reason: null });
  });
});

describe('bitget daily candles: at most 90 a request', () => {
  const harness = useVenueHarness('bitget');
  const tempDir = useTempDirs();
  const JAN_1 = Date.UTC(2024, 0, 1);
  const MAY_1 = Date.UTC(2024, 4, 1);
  const daily = (store: MarketStore, pageLimit?: number) =>
    downloadSeries(atTestClock(harness.venue()), { symbol: 'BTC/USDT:USDT', kind: 'ohlcv', timeframe: '1d', fromMs: JAN_1, toMs: MAY_1 }, { store, now: () => NOW_MS, pageLimit, retry: { retries: 0 } });
  const key: SeriesKey = { table: 'bars', venue: 'bitget', symbol: 'BTC/USDT:USDT', timeframe: '1d' };
  const pages = ['bitget/mix-candles-BTCUSDT-1d-page1.json', 'bitget/mix-candles-BTCUSDT-1d-page2.json'];

  it("121 days in pages of 90 and 31 (ccxt trims a bigger limit to 90 and would get only the last 90 days), and an asked page limit above 90 is lowered", async () => {
    const expected = expectedRows(fixturesNamed('bitget', 'mix-candles-BTCUSDT-1d-page'), 'ohlcv', JAN_1, MAY_1);
    expect(expected).toHaveLength(121);
    for (const pageLimit of [undefined, 500]) {
      const store = new MarketStore(tempDir());
      const start = harness.server().requests.length;
      const summary = await daily(store, pageLimit);
      expect(dataFixtures(harness, start)).toEqual(pages);
      expect(summary).toMatchObject({ complete: true, rowsAdded: 121, requests: 2 });
      expect(await storedRows(store, key)).toEqual(expected);
      const note = 'page limit 500 is above what bitget gives for BTC/USDT:USDT 1d candles in one request: 90 a page instead';
      if (pageLimit === undefined) expect(summary.notes).not.toContain(note);
      else expect(summary.notes).toContain(note);
    }
  });
});

describe('resuming downloads from gate, bitget, deribit and hyperliquid', () => {
  for (const dir of ['gate', 'bitget', 'deribit', 'hyperliquid']) {
    describe(dir, () => {
      const harness = useVenueHarness(dir);
      const tempDir = useTempDirs();
      const c = CASES.find((x) => x.dir === dir && x.kind === 'ohlcv' && x.pageCount === 3)!;
      const pages = fixturesNamed(dir, c.pages);

      it(`${c.symbol} ohlcv: the venue fails on page 2 (a 503); pages before it are kept, the rerun asks only for pages 2 and 3`, async () => {
        const store = new MarketStore(tempDir());
        const from = c.fromMs ?? T0;
        const iso = (minutes: number) => new Date(from + minutes * MINUTE_MS).toISOString();
        let n = 0;
        harness.server().override((req, res) => {
          if (!isData(req) || ++n !== 2) return false;
          res.writeHead(503, { 'content-type': 'text/plain' });
          res.end('Service Unavailable');
          return true;
        });
        const error = await download(atTestClock(harness.venue()), store, c).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(VenueError);
        expect(error).toMatchObject({ venue: dir, method: 'fetchOHLCV', kind: 'unavailable' });
        expect((error as Error).message).toContain(`(${c.symbol} 1m candles from ${iso(5)} to ${iso(10)})`);
        expect(await storedRows(store, keyOf(c))).toEqual(expectedRows(pages.slice(0, 1), 'ohlcv', from, c.toMs));

        harness.server().clearOverrides();
        const start = harness.server().requests.length;
        const rerun = await download(atTestClock(harness.venue()), store, c);
        expect(dataFixtures(harness, start)).toEqual(pages.slice(1).map((p) => p.name));
        expect(rerun).toMatchObject({ complete: true, requests: 2, spansSkipped: [{ from: iso(0), to: iso(5) }] });
        expect(await storedRows(store, keyOf(c))).toEqual(expectedRows(pages, 'ohlcv', from, c.toMs));
      });
    });
  }

  describe('bitget funding (numbered pages, newest first)', () => {
    const harness = useVenueHarness('bitget');
    const tempDir = useTempDirs();
    const c = CASES.find((x) => x.dir === 'bitget' && x.kind === 'funding')!;
    const pages = fixturesNamed('bitget', c.pages);
    const venue = () => atTestClock(harness.venue({ fundingPaging: { pageLimit: 5 } }));

    it('windows are fetched newest first, walking the pages once; a failure on page 2 keeps the newer window, and the rerun walks again from page 1 to the older one', async () => {
      const store = new MarketStore(tempDir());
      harness.server().override((req, res) => {
        if (req.path !== '/api/v2/mix/market/history-fund-rate' || req.query.pageNo !== '2') return false;
        res.writeHead(429, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ code: '429', msg: 'Too Many Requests', requestTime: NOW_MS, data: null }));
        return true;
      });
      const progress: number[] = [];
      const error = await download(venue(), store, c, { onProgress: (p) => progress.push(p.atMs) }).catch((e: unknown) => e);
      expect(error).toMatchObject({ venue: 'bitget', method: 'fetchFundingRateHistory', kind: 'rateLimited', retryable: true });
      expect((error as Error).message).toContain('(BTC/USDT:USDT settlements from 2024-06-01T00:00:00.000Z to 2024-06-02T08:00:00.000Z)');
      // The newer window [06-02 08:00, 06-02 20:00) came first and was committed; progress walks back in time.
      expect(progress).toEqual([Date.UTC(2024, 5, 2, 8)]);
      const all = expectedRows(pages, 'funding', c.fromMs!, c.toMs);
      expect(all.map((r) => new Date(r.ts).toISOString().slice(5, 13))).toEqual(['06-01T00', '06-01T08', '06-01T16', '06-02T00', '06-02T08', '06-02T16']);
      expect((await storedRows(store, keyOf(c))).map((r) => r.ts)).toEqual(all.slice(4).map((r) => r.ts));

      harness.server().clearOverrides();
      const start = harness.server().requests.length;
      const rerun = await download(venue(), store, c);
      expect(dataFixtures(harness, start)).toEqual(pages.map((p) => p.name));
      expect(rerun).toMatchObject({ complete: true, requests: 2, rowsAdded: 4, spansFetched: [{ from: '2024-06-01T00:00:00.000Z', to: '2024-06-02T08:00:00.000Z' }] });
      expect(await storedRows(store, keyOf(c))).toEqual(all);
    });
  });
});

describe('venues without mark candles', () => {
  for (const [dir, symbol] of [['hyperliquid', 'BTC/USDC:USDC'], ['deribit', 'BTC/USD:BTC']]) {
    describe(dir, () => {
      const harness = useVenueHarness(dir);
      const tempDir = useTempDirs();
      it(`${dir} has no fetchMarkOHLCV: an UnsupportedMethodError naming venue and method, before any request`, async () => {
        const store = new MarketStore(tempDir());
        const error = await download(harness.venue(), store, { symbol, kind: 'mark', toMs: T0 + MINUTE_MS }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(UnsupportedMethodError);
        expect((error as Error).message).toBe(`${dir} fetchMarkOHLCV: unsupported: ccxt '${dir}' has no fetchMarkOHLCV (exchange.has.fetchMarkOHLCV is false)`);
        expect(harness.server().requests).toEqual([]);
        expect(existsSync(join(store.root, DOWNLOADS_FILE))).toBe(false);
      });
    });
  }
});

describe('hyperliquid keeps only its latest 5000 candles of each length', () => {
  const harness = useVenueHarness('hyperliquid');
  const tempDir = useTempDirs();
  it('a span older than that is not asked for, nor recorded as downloaded; the note says from when candles exist', async () => {
    const store = new MarketStore(tempDir());
    const summary = await download(atTestClock(harness.venue()), store, { symbol: 'BTC/USDC:USDC', kind: 'ohlcv', toMs: T0 + 15 * MINUTE_MS });
    expect(summary).toMatchObject({ complete: true, requests: 0, rowsFetched: 0, spansFetched: [], spansSkipped: [] });
    expect(summary.notes).toEqual(['hyperliquid serves only its latest 5,000 1m candles: nothing before 2024-05-30T12:41:00.000Z was asked for (nor recorded as downloaded)', 'nothing to download']);
    expect(harness.server().requests.filter(isData)).toEqual([]);
    expect(existsSync(join(store.root, DOWNLOADS_FILE))).toBe(false);
  });
});

describe('candle lengths a venue does not have', () => {
  const harness = useVenueHarness('deribit');
  const gate = useVenueHarness('gate');
  const tempDir = useTempDirs();
  it('deribit has no 4h candles, gate no 12h mark candles: refused before any request, naming the lengths it has', async () => {
    const store = new MarketStore(tempDir());
    const deribit = downloadSeries(harness.venue(), { symbol: 'BTC/USD:BTC', kind: 'ohlcv', timeframe: '4h', fromMs: T0, toMs: T0 + 24 * HOUR_MS }, { store });
    await expect(deribit).rejects.toThrow('deribit fetchOHLCV: unsupported: deribit has no 4h candles; it has 1m, 3m, 5m, 10m, 15m, 30m, 1h, 2h, 3h, 6h, 12h, 1d');
    const gateMark = downloadSeries(gate.venue(), { symbol: 'BTC/USDT:USDT', kind: 'mark', timeframe: '12h', fromMs: T0, toMs: T0 + 24 * HOUR_MS }, { store });
    await expect(gateMark).rejects.toThrow(/^gate fetchMarkOHLCV: unsupported: gate has no 12h candles; it has 10s, 1m, 5m, 15m, 30m, 1h, 2h, 4h, 8h, 1d, 7d, 1w$/);
    expect(harness.server().requests).toEqual([]);
    expect(gate.server().requests).toEqual([]);
  });
});

describe('target span', () => {
  it('aligns to the candle grid and ends at the last candle closed settleLag ago; funding ends settleLag ago', () => {
    const now = T0 + 10 * MINUTE_MS + 30_000;
    expect(targetSpan(T0 + 1, T0 + 20 * MINUTE_MS, MINUTE_MS, now, 0)).toEqual({ fromMs: T0 + MINUTE_MS, toMs: T0 + 10 * MINUTE_MS });
    expect(targetSpan(T0, T0 + 20 * MINUTE_MS, MINUTE_MS, now, 60_000)).toEqual({ fromMs: T0, toMs: T0 + 9 * MINUTE_MS });
    expect(targetSpan(T0, T0 + 20 * MINUTE_MS, null, now, 60_000)).toEqual({ fromMs: T0, toMs: now - 60_000 });
    expect(targetSpan(T0, T0 + 5 * MINUTE_MS + 1, MINUTE_MS, now, 0)).toEqual({ fromMs: T0, toMs: T0 + 6 * MINUTE_MS });
    expect(targetSpan(now, now + HOUR_MS, MINUTE_MS, now, 0)).toEqual({ fromMs: T0 + 11 * MINUTE_MS, toMs: T0 + 11 * MINUTE_MS });
  });

  it("a venue's history depth clips the start: the latest N candles, counting the open one", () => {
    const now = T0 + 10 * MINUTE_MS + 30_000; // inside the 00:10 candle: with 5 candles, 00:06 .. 00:10
    const target = { fromMs: T0, toMs: T0 + 10 * MINUTE_MS };
    expect(clipToHistoryDepth(target, MINUTE_MS, now, 5)).toEqual({ target: { fromMs: T0 + 6 * MINUTE_MS, toMs: T0 + 10 * MINUTE_MS }, earliestMs: T0 + 6 * MINUTE_MS });
    expect(clipToHistoryDepth(target, MINUTE_MS, now, 11)).toEqual({ target, earliestMs: null });
    expect(clipToHistoryDepth({ fromMs: T0, toMs: T0 + 2 * MINUTE_MS }, MINUTE_MS, now, 5)).toEqual({ target: { fromMs: T0 + 2 * MINUTE_MS, toMs: T0 + 2 * MINUTE_MS }, earliestMs: T0 + 6 * MINUTE_MS });
  });
});

describe('perp-arb data download (CLI) against loopback', () => {
  const harness = useVenueHarness('binance');
  const tempDir = useTempDirs();

  const cli = async (args: string[], baseUrl = harness.server().baseUrl) => {
    const previous = process.env.PERP_ARB_CCXT_BASE_URL;
    process.env.PERP_ARB_CCXT_BASE_URL = baseUrl;
    try {
      return await runCli(['data', 'download', ...args]);
    } finally {
      if (previous === undefined) delete process.env.PERP_ARB_CCXT_BASE_URL;
      else process.env.PERP_ARB_CCXT_BASE_URL = previous;
    }
  };
  const args = (store: string) => ['--venue', 'binance', '--symbol', 'BTC/USDT:USDT', '--kind', 'ohlcv', '--from', '2024-04-01T00:00Z', '--to', '2024-04-01T00:15Z', '--page-limit', '5', '--retries', '0', '--store', store];

  it('downloads, prints a JSON summary, and a second run sends no request', async () => {
    const store = tempDir();
    const start = harness.server().requests.length;
    const first = await cli([...args(store), '--json']);
    expect(first.code, first.stderr).toBe(0);
    const summary = JSON.parse(first.stdout);
    // Progress goes to stderr (at most once a second), so stdout stays one JSON object.
    expect(first.stderr).toMatch(/^binance BTC\/USDT:USDT ohlcv 1m: 33\.3%, 5 rows fetched, 0 committed, 1 request, at 2024-04-01T00:05:00\.000Z$/m);
    expect(summary).toMatchObject({ series: 'bars/binance/BTC/USDT:USDT/1m', rowsAdded: 14, requests: 3, complete: true, spansSkipped: [] });
    expect(summary.spansFetched).toHaveLength(3);
    expect(dataFixtures(harness, start)).toEqual([1, 2, 3].map((k) => `binance/usdm-klines-BTCUSDT-1m-page${k}.json`));
    const stored = await storedRows(new MarketStore(store), keyOf(CASES[0]));
    expect(stored).toEqual(expectedRows(fixturesNamed('binance', 'usdm-klines-BTCUSDT-1m-page'), 'ohlcv', T0, T0 + 15 * MINUTE_MS));

    const again = harness.server().requests.length;
    const second = await cli([...args(store), '--json']);
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({ rowsAdded: 0, requests: 0, spansFetched: [], spansSkipped: [{ from: '2024-04-01T00:00:00.000Z', to: '2024-04-01T00:15:00.000Z' }] });
    expect(harness.server().requests.length).toBe(again);
  });

  it('a failing venue: exit 1 and one line naming venue, method and time; the rerun finishes the job', async () => {
    const store = tempDir();
    harness.server().override((req, res) => {
      if (req.path !== '/fapi/v1/klines' || req.query.startTime !== String(T0 + 10 * MINUTE_MS)) return false;
      res.writeHead(503);
      res.end('Service Unavailable');
      return true;
    });
    const failed = await cli(args(store));
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/^error: binance fetchOHLCV: unavailable: .*candles from 2024-04-01T00:10:00\.000Z to 2024-04-01T00:15:00\.000Z\)$/m);
    harness.server().clearOverrides();
    const start = harness.server().requests.length;
    const rerun = await cli(args(store));
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(rerun.stdout).toContain('bars/binance/BTC/USDT:USDT/1m: 2024-04-01T00:00:00.000Z .. 2024-04-01T00:15:00.000Z');
    expect(rerun.stdout).toContain('5 rows fetched in 1 request (1 span), 5 added');
    expect(rerun.stdout).toContain('skipped 1 span already stored or downloaded: 2024-04-01T00:00:00.000Z .. 2024-04-01T00:10:00.000Z');
    expect(dataFixtures(harness, start)).toEqual(['binance/usdm-klines-BTCUSDT-1m-page3.json']);
  });

  it('the loopback hook accepts only 127.0.0.1, and --help explains kinds, resuming and examples', async () => {
    const refused = await cli(args(tempDir()), 'http://example.com:80');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('PERP_ARB_CCXT_BASE_URL must be http://127.0.0.1:PORT');
    const help = await runCli(['data', 'download', '--help']);
    expect(help.stdout).toContain('Kinds:');
    expect(help.stdout).toContain('Resumable:');
    expect(help.stdout).toContain('perp-arb data download --venue binance --symbol BTC/USDT:USDT --kind ohlcv');
    expect(help.stdout).not.toContain('PERP_ARB_CCXT_BASE_URL');
  });

  it("--help lists every supported venue with the kinds ccxt gives there (deribit and hyperliquid: no mark candles)", async () => {
    const help = (await runCli(['data', 'download', '--help'])).stdout;
    expect(Object.keys(VENUE_HELP).sort()).toEqual(SUPPORTED_VENUES.map((v) => v.venue).sort());
    for (const spec of SUPPORTED_VENUES) {
      const has = new (ccxt as unknown as Record<string, new () => { has: Record<string, unknown> }>)[spec.ccxtId]().has;
      // HTX: ccxt has mark candles but asks only for the latest ones, so there is no mark download.
      const kinds = ['ohlcv', 'mark', 'funding'].filter((k) => has[{ ohlcv: 'fetchOHLCV', mark: 'fetchMarkOHLCV', funding: 'fetchFundingRateHistory' }[k]!] === true && !(k === 'mark' && spec.noMarkOhlcvHistory)).join(' ');
      expect(VENUE_HELP[spec.venue].kinds, spec.venue).toBe(kinds);
      expect(help).toMatch(new RegExp(`^  ${spec.venue} +${kinds} +\\S`, 'm'));
    }
    expect(help).toMatch(/mark +mark-price candles .* perps and futures only, and not on\n +deribit, hyperliquid or htx/);
  });
});
