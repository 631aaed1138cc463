import ccxt, { type MarketInterface } from 'ccxt';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.ts';
import { HOUR_MS, MINUTE_MS } from '../../src/core/time.ts';
import { MarketStore } from '../../src/data/store/marketStore.ts';
import type { SeriesKey } from '../../src/domain/series.ts';
import { marketToInstrument } from '../../src/venues/ccxt/instruments.ts';
import { downloadSeries } from '../../src/ingest/download/downloader.ts';
import { ccxtMarkBarSource } from '../../src/ingest/record/markBars.ts';
import { useTempDirs } from '../support/tempDir.ts';
import { loadVenueFixtures } from './support/fixtureFiles.ts';
import { HISTORY_FROM_MS, NOW_MS } from './support/venueCases.ts';
import { useVenueHarness, type Harness } from './support/venueHarness.ts';

const YEAR_10000_MS = 253_402_300_800_000;
const SYMBOL = 'BTC/USDT:USDT';
/** The tests' clock, as the messages write it. */
const NOW_ISO = '2024-06-03T00:00:00.000Z';

/** Answers requests to `path` (and, when given, with this query value) with the body of the named fixture, edited. */
function answerEdited(harness: Harness, dir: string, fixture: string, edit: (body: unknown) => unknown): void {
  const found = loadVenueFixtures(dir).find((f) => f.name === `${dir}/${fixture}.json`);
  if (!found) throw new Error(`no fixture ${fixture}`);
  harness.server().override((req, res) => {
    if (req.path !== found.request.path) return false;
    const want = found.request.query ?? {};
    if (Object.entries(want).some(([k, v]) => req.query[k] !== v)) return false;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(edit(structuredClone(found.response.body))));
    return true;
  });
}

type Row = Record<string, unknown>;

describe('binance over loopback: an implausible live event is an error naming venue and method', () => {
  const harness = useVenueHarness('binance');

  it('fetchFundingRate: a rate of 5 per interval', async () => {
    answerEdited(harness, 'binance', 'usdm-premiumIndex-BTCUSDT', (b) => ({ ...(b as Row), lastFundingRate: '5.00000000' }));
    const error = await harness.venue().fetchFundingRate(SYMBOL).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toBe('binance fetchFundingRate: BTC/USDT:USDT fundingRate 5 per interval is beyond ±0.1 (venues cap funding at a few percent)');
  });

  it('fetchFundingRate: a quote stamped in year 10000', async () => {
    answerEdited(harness, 'binance', 'usdm-premiumIndex-BTCUSDT', (b) => ({ ...(b as Row), time: YEAR_10000_MS }));
    await expect(harness.venue().fetchFundingRate(SYMBOL)).rejects.toThrow(`binance fetchFundingRate: BTC/USDT:USDT timestamp +010000-01-01T00:00:00.000Z is more than a day after now (${NOW_ISO})`);
  });

  it('fetchFundingRate and fetchMarkPrice: a mark price 195 % away from the index', async () => {
    answerEdited(harness, 'binance', 'usdm-premiumIndex-BTCUSDT', (b) => ({ ...(b as Row), markPrice: '200000.00000000' }));
    const venue = harness.venue();
    const reason = 'BTC/USDT:USDT mark price 200000 is 195 % away from the index price 67781.84680851 (at most 50 %)';
    await expect(venue.fetchFundingRate(SYMBOL)).rejects.toThrow(`binance fetchFundingRate: ${reason}`);
    const mark = await venue.fetchMarkPrice(SYMBOL).catch((e: unknown) => e);
    expect((mark as Error).message).toMatch(/^binance fetchMarkPrice: /);
    expect((mark as Error).message).toContain(reason);
  });

  it('fetchFundingHistory: a settlement dated year 10000 is named, not skipped as outside the window', async () => {
    answerEdited(harness, 'binance', 'usdm-fundingRate-BTCUSDT-page1', (b) => (b as Row[]).map((r, k) => (k === 2 ? { ...r, fundingTime: YEAR_10000_MS } : r)));
    const venue = harness.venue({ fundingPaging: { pageLimit: 4 } });
    const error = await venue.fetchFundingHistory(SYMBOL, HISTORY_FROM_MS, HISTORY_FROM_MS + 6 * 8 * HOUR_MS).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toBe(`binance fetchFundingRateHistory: BTC/USDT:USDT timestamp +010000-01-01T00:00:00.000Z is more than a day after now (${NOW_ISO})`);
  });

  it('fetchFundingHistory: a settled rate of -5', async () => {
    answerEdited(harness, 'binance', 'usdm-fundingRate-BTCUSDT-page1', (b) => (b as Row[]).map((r, k) => (k === 1 ? { ...r, fundingRate: '-5' } : r)));
    const venue = harness.venue({ fundingPaging: { pageLimit: 4 } });
    await expect(venue.fetchFundingHistory(SYMBOL, HISTORY_FROM_MS, HISTORY_FROM_MS + 6 * 8 * HOUR_MS)).rejects.toThrow(
      'binance fetchFundingRateHistory: BTC/USDT:USDT settlement at 2024-05-01T08:00:00.001Z: fundingRate -5 per interval is beyond ±0.1 (venues cap funding at a few percent)',
    );
  });

  it('fetchOrderBook: a book stamped in year 10000', async () => {
    answerEdited(harness, 'binance', 'usdm-depth-BTCUSDT', (b) => ({ ...(b as Row), T: YEAR_10000_MS, E: YEAR_10000_MS }));
    const error = await harness.venue().fetchOrderBook(SYMBOL, 5).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toBe(`binance orderBook BTC/USDT:USDT: timestamp +010000-01-01T00:00:00.000Z is more than a day after now (${NOW_ISO})`);
  });
});

describe('ccxt markets: a dated future expiring after 2100 is skipped with the reason', () => {
  it('expiry in 2200 (ccxt writes the symbol from it, so the dates agree)', () => {
    const expiry = Date.UTC(2200, 5, 28, 8);
    const market = { id: 'BTC-USD-000628', symbol: 'BTC/USD:BTC-000628', type: 'future', future: true, contract: true, base: 'BTC', quote: 'USD', settle: 'BTC', linear: false, contractSize: 100, expiry, precision: {} } as unknown as MarketInterface;
    expect(marketToInstrument('okx', market, ccxt.TICK_SIZE)).toEqual({ symbol: 'BTC/USD:BTC-000628', reason: 'expiry 2200-06-28T08:00:00.000Z is after 2100-01-01, beyond any contract' });
  });
});

describe('data download: the same bounds as an import', () => {
  const harness = useVenueHarness('binance');
  const tempDir = useTempDirs();
  const T0 = Date.UTC(2024, 3, 1);
  const venue = () => harness.venue({ fundingPaging: { pageLimit: 4 } });
  const run = (store: MarketStore, kind: 'ohlcv' | 'funding', toMs: number) =>
    downloadSeries(venue(), { symbol: SYMBOL, kind, timeframe: '1m', fromMs: T0, toMs }, { store, now: () => NOW_MS, pageLimit: 5, fundingPageLimit: 4, batchRows: 1, retry: { retries: 0 } });
  const storedTs = async (store: MarketStore, key: SeriesKey) => Array.from((await store.read(key)).columns.ts as Float64Array);

  it('a candle stamped year 10000 stops the download naming request, row and reason; it is not dropped as outside the window', async () => {
    answerEdited(harness, 'binance', 'usdm-klines-BTCUSDT-1m-page2', (b) => [...(b as unknown[][]), [YEAR_10000_MS, '67801.7', '67802.9', '67798.6', '67801.7', '1', YEAR_10000_MS + 59_999, '1', 1, '1', '1', '0']]);
    const store = new MarketStore(tempDir());
    const error = await run(store, 'ohlcv', T0 + 15 * MINUTE_MS).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    const message = (error as Error).message;
    expect(message).toContain('binance fetchOHLCV BTC/USDT:USDT 1m 2024-04-01T00:05:00.000Z..2024-04-01T00:10:00.000Z');
    expect(message).toContain(`1 bad row of 5, nothing of this answer was stored: row 5 (+010000-01-01T00:00:00.000Z): ts +010000-01-01T00:00:00.000Z is more than a day after now (${NOW_ISO})`);
    expect(await storedTs(store, { table: 'bars', venue: 'binance', symbol: SYMBOL, timeframe: '1m' })).toHaveLength(5);
  });

  it('a settlement rate of 5 stops the funding download naming venue, method and settlement; the earlier window stays stored', async () => {
    answerEdited(harness, 'binance', 'usdm-fundingRate-BTCUSDT-download-page2', (b) => (b as Row[]).map((r, k) => (k === 1 ? { ...r, fundingRate: '5' } : r)));
    const store = new MarketStore(tempDir());
    const error = await run(store, 'funding', T0 + 3 * 24 * HOUR_MS).catch((e: unknown) => e);
    expect((error as Error).message).toBe('binance fetchFundingRateHistory: BTC/USDT:USDT settlement at 2024-04-02T08:00:00.001Z: fundingRate 5 per interval is beyond ±0.1 (venues cap funding at a few percent)');
    expect(await storedTs(store, { table: 'funding', venue: 'binance', symbol: SYMBOL, timeframe: null })).toEqual([T0, T0 + 8 * HOUR_MS + 1, T0 + 16 * HOUR_MS + 2]);
  });
});

describe('okx mark candles for the recorder (ccxt fetchMarkOHLCV)', () => {
  const harness = useVenueHarness('okx');

  it('a candle stamped year 10000 or priced above the ceiling is named with venue, method and symbol', async () => {
    const M = NOW_MS;
    let candles = [[String(YEAR_10000_MS), '67000', '67012', '66990.5', '67010.1', '1']];
    harness.server().override((request, res) => {
      if (!request.path.includes('mark-price-candles')) return false;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ code: '0', msg: '', data: candles }));
      return true;
    });
    const venue = harness.venue();
    await venue.exchange.loadMarkets();
    const source = ccxtMarkBarSource(venue.exchange, 'okx', () => M + 2 * MINUTE_MS);
    await expect(source.fetchMarkBars(SYMBOL, M)).rejects.toThrow(`okx fetchMarkOHLCV BTC/USDT:USDT: candle 0: ts +010000-01-01T00:00:00.000Z is more than a day after now (2024-06-03T00:02:00.000Z)`);
    candles = [[String(M), '67000', '2e12', '66990.5', '67010.1', '1']];
    await expect(source.fetchMarkBars(SYMBOL, M)).rejects.toThrow("okx fetchMarkOHLCV BTC/USDT:USDT: candle 0: high 2000000000000 is above 1000000000000, no market's price");
  });
});
