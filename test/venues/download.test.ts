import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HOUR_MS, MINUTE_MS } from '../../src/core/time.ts';
import { DOWNLOADS_FILE } from '../../src/data/store/downloadCoverage.ts';
import { MarketStore } from '../../src/data/store/marketStore.ts';
import type { SeriesKey } from '../../src/domain/series.ts';
import type { CcxtMarketDataVenue } from '../../src/venues/ccxt/ccxtMarketDataVenue.ts';
import { fetchOhlcvHistory, ohlcvPageLimit } from '../../src/venues/ccxt/ohlcvHistory.ts';
import { downloadSeries, type DownloadOptions } from '../../src/venues/download/downloader.ts';
import { targetSpan } from '../../src/venues/download/plan.ts';
import type { DownloadKind, DownloadSummary } from '../../src/venues/download/types.ts';
import { UnsupportedMethodError, VenueError } from '../../src/venues/types.ts';
import { runCli } from '../support/cli.ts';
import { useTempDirs } from '../support/tempDir.ts';
import { loadVenueFixtures, type RestFixture } from './support/fixtureFiles.ts';
import type { LoggedRequest } from './support/loopbackServer.ts';
import { NOW_MS } from './support/venueCases.ts';
import { useVenueHarness, type Harness } from './support/venueHarness.ts';

/** The download fixtures start at 2024-04-01T00:00Z; the tests' clock is 2024-06-03, so every candle has closed. */
const T0 = Date.UTC(2024, 3, 1);
const EIGHT_HOURS_MS = 8 * HOUR_MS;

type Row = { ts: number; open?: number; high?: number; low?: number; close?: number; volume?: number | null; rate?: number; interval_ms?: number | null; mark_price?: number | null };

/** Expected rows read straight from the fixture payloads, in each exchange's documented format. */
function expectedRows(fixtures: RestFixture[], kind: DownloadKind, fromMs: number, toMs: number): Row[] {
  const rows = new Map<number, Row>();
  for (const f of fixtures) {
    const body = f.response.body as Record<string, unknown> | unknown[];
    const path = f.request.path;
    let list: unknown[];
    if (Array.isArray(body)) list = body; // binance
    else if ('data' in body) list = body.data as unknown[]; // okx
    else list = (body.result as { list: unknown[] }).list; // bybit
    for (const item of list) {
      let row: Row;
      if (kind === 'funding') {
        const r = item as Record<string, string | number>;
        row = { ts: Number(r.fundingTime ?? r.fundingRateTimestamp), rate: Number(r.fundingRate), interval_ms: EIGHT_HOURS_MS, mark_price: null };
      } else {
        const a = (item as (string | number)[]).map(Number);
        // Volume: binance and bybit index 5 (base units); okx swaps index 6 (volCcy, base units; index 5 is contracts). Mark candles: none.
        const volume = kind === 'mark' ? null : path.includes('/api/v5/') ? a[6] : a[5];
        row = { ts: a[0], open: a[1], high: a[2], low: a[3], close: a[4], volume };
      }
      if (row.ts >= fromMs && row.ts < toMs) rows.set(row.ts, row);
    }
  }
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

const isData = (r: LoggedRequest) => /klines|candles|kline|funding/i.test(r.path);
const fixturesNamed = (dir: string, prefix: string) => loadVenueFixtures(dir).filter((f) => f.name.startsWith(`${dir}/${prefix}`));

interface Case {
  dir: string;
  venue: string;
  symbol: string;
  kind: DownloadKind;
  toMs: number;
  /** Fixture file prefix of its pages. */
  pages: string;
  pageCount: number;
  table: SeriesKey['table'];
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
];

const keyOf = (c: Pick<Case, 'table' | 'venue' | 'symbol' | 'kind'>): SeriesKey => ({ table: c.table, venue: c.venue, symbol: c.symbol, timeframe: c.kind === 'funding' ? null : '1m' });

/** Pages of 5 candles or 4 settlements, as the fixtures were recorded; no retries, so a failure shows at once. */
function download(venue: CcxtMarketDataVenue, store: MarketStore, c: Pick<Case, 'symbol' | 'kind' | 'toMs'>, extra: Partial<DownloadOptions> = {}): Promise<DownloadSummary> {
  return downloadSeries(venue, { symbol: c.symbol, kind: c.kind, timeframe: '1m', fromMs: T0, toMs: c.toMs }, { store, now: () => NOW_MS, pageLimit: 5, fundingPageLimit: 4, batchRows: 1, retry: { retries: 0 }, ...extra });
}

const dataFixtures = (harness: Harness, since: number) => harness.server().requests.slice(since).filter(isData).map((r) => r.fixture ?? `unanswered ${r.path} ${JSON.stringify(r.query)}`);

for (const dir of ['binance', 'okx', 'bybit']) {
  describe(`data download from ${dir} over loopback`, () => {
    const harness = useVenueHarness(dir);
    const tempDir = useTempDirs();
    const venue = () => harness.venue({ fundingPaging: { pageLimit: 4 } });

    for (const c of CASES.filter((x) => x.dir === dir)) {
      it(`${c.symbol} ${c.kind}: every page once, the stored rows are the venue's, a rerun sends no request`, async () => {
        const store = new MarketStore(tempDir());
        const start = harness.server().requests.length;
        const summary = await download(venue(), store, c);
        const pages = fixturesNamed(dir, c.pages);
        expect(pages).toHaveLength(c.pageCount);
        expect(dataFixtures(harness, start)).toEqual(pages.map((p) => p.name));
        const expected = expectedRows(pages, c.kind, T0, c.toMs);
        expect(await storedRows(store, keyOf(c))).toEqual(expected);
        expect(summary).toMatchObject({ complete: true, rowsFetched: expected.length, rowsAdded: expected.length, rowsUnchanged: 0, conflicts: [], requests: c.pageCount, spansSkipped: [] });
        expect(summary.spansFetched).toHaveLength(c.pageCount);
        if (c.kind === 'funding') expect(summary.notes.join()).toContain('funding interval 8h inferred');
        // The instrument is recorded with the venue's facts.
        expect(store.instruments().find((i) => i.symbol === c.symbol)).toMatchObject({ venue: c.venue, venueSymbol: expect.any(String), tickSize: expect.any(Number) });

        const again = harness.server().requests.length;
        const rerun = await download(venue(), store, c);
        expect(harness.server().requests.length).toBe(again);
        expect(rerun).toMatchObject({ complete: true, requests: 0, marketRequests: 0, rowsFetched: 0, spansFetched: [], spansSkipped: [{ from: new Date(T0).toISOString(), to: new Date(c.toMs).toISOString() }] });
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
});

describe('venues without mark candles', () => {
  const harness = useVenueHarness('hyperliquid');
  const tempDir = useTempDirs();
  it('hyperliquid has no fetchMarkOHLCV: an UnsupportedMethodError naming venue and method', async () => {
    const error = await download(harness.venue(), new MarketStore(tempDir()), { symbol: 'BTC/USDC:USDC', kind: 'mark', toMs: T0 + MINUTE_MS }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsupportedMethodError);
    expect((error as Error).message).toBe("hyperliquid fetchMarkOHLCV: unsupported: ccxt 'hyperliquid' has no fetchMarkOHLCV (exchange.has.fetchMarkOHLCV is false)");
    expect(harness.server().requests).toEqual([]);
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
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('PERP_ARB_CCXT_BASE_URL must be http://127.0.0.1:PORT');
    const help = await runCli(['data', 'download', '--help']);
    expect(help.stdout).toContain('Kinds:');
    expect(help.stdout).toContain('Resumable:');
    expect(help.stdout).toContain('perp-arb data download --venue binance --symbol BTC/USDT:USDT --kind ohlcv');
    expect(help.stdout).not.toContain('PERP_ARB_CCXT_BASE_URL');
  });
});
