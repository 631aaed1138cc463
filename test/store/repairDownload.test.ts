import { readFileSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadVenueKinds, lostRangeLine, refetchCommand } from '../../src/app/cli/dataCheckCommand.ts';
import { parseTimeArg } from '../../src/core/time.ts';
import { SeriesBuilder } from '../../src/data/import/seriesBuilder.ts';
import { DOWNLOADS_FILE } from '../../src/data/store/downloadCoverage.ts';
import { MarketStore } from '../../src/data/store/marketStore.ts';
import { repairStore } from '../../src/data/store/storeRepair.ts';
import type { SeriesKey } from '../../src/domain/series.ts';
import { downloadSeries } from '../../src/ingest/download/downloader.ts';
import { useTempDirs } from '../support/tempDir.ts';
import { NOW_MS } from '../venues/support/venueCases.ts';
import { useVenueHarness } from '../venues/support/venueHarness.ts';

const MINUTE = 60_000;
/** The binance fixtures hold 1m perp candles from 2024-04-01T00:00Z in three pages of 5 (no 00:07 candle). */
const T0 = Date.UTC(2024, 3, 1);
const FIXTURES_END = T0 + 15 * MINUTE;
const key: SeriesKey = { table: 'bars', venue: 'binance', symbol: 'BTC/USDT:USDT', timeframe: '1m' };
const PAGES = ['binance/usdm-klines-BTCUSDT-1m-page1.json', 'binance/usdm-klines-BTCUSDT-1m-page2.json', 'binance/usdm-klines-BTCUSDT-1m-page3.json'];

describe('data download after data check --repair (binance over loopback)', () => {
  const harness = useVenueHarness('binance');
  const tempDir = useTempDirs();
  const klinePages = (since: number) => harness.server().requests.slice(since).filter((r) => r.path === '/fapi/v1/klines').map((r) => r.fixture);
  const download = (store: MarketStore, fromMs: number, toMs: number) =>
    downloadSeries(harness.venue(), { symbol: key.symbol, kind: 'ohlcv', timeframe: '1m', fromMs, toMs }, { store, now: () => NOW_MS, pageLimit: 5, batchRows: 1, retry: { retries: 0 } });

  it('refetches exactly the repaired month, and only it', async () => {
    const root = tempDir();
    const store = new MarketStore(root);
    // March's last five candles, imported: a partition the repair must leave alone.
    const march = new SeriesBuilder(key, 'march.csv');
    for (let i = 0; i < 5; i++) march.push(i + 2, { ts: T0 - (5 - i) * MINUTE, open: 1, high: 2, low: 1, close: 2, volume: 3 });
    const tx = store.begin();
    await tx.write(march.build());
    tx.commit();
    const first = await download(store, T0, FIXTURES_END);
    expect(first).toMatchObject({ complete: true, requests: 3, rowsAdded: 14 });
    const before = await store.read(key);
    expect(before.rows).toBe(19);

    truncateSync(join(root, store.partitions(key).find((p) => p.month === '2024-04')!.file), 100);
    const repair = await repairStore(root);
    expect(repair.removedEntries).toEqual(['bars/binance/BTC/USDT:USDT/1m 2024-04']);
    expect(repair.lost).toHaveLength(1);
    const command = refetchCommand(root, repair.lost[0], await loadVenueKinds());
    expect(command).toBe(
      `perp-arb data download --store ${root} --venue binance --symbol BTC/USDT:USDT --kind ohlcv --timeframe 1m --from 2024-04-01T00:00:00.000Z --to 2024-05-01T00:00:00.000Z`,
    );
    // The record of downloaded spans forgot April: without that, the downloader would skip it.
    expect(JSON.parse(readFileSync(join(root, DOWNLOADS_FILE), 'utf8'))).toEqual({ version: 1, series: {} });
    expect((await store.read(key)).rows).toBe(5);

    // The printed span, from March's stored candles on and cut to what the fixtures hold.
    const fromMs = parseTimeArg(/--from (\S+)/.exec(command!)![1]);
    expect(fromMs).toBe(T0);
    const since = harness.server().requests.length;
    const again = await download(store, T0 - 5 * MINUTE, FIXTURES_END);
    expect(klinePages(since)).toEqual(PAGES);
    expect(again).toMatchObject({ complete: true, requests: 3, rowsAdded: 14, rowsUnchanged: 0 });
    expect(again.spansFetched.map((s) => s.from)).toEqual(['2024-04-01T00:00:00.000Z', '2024-04-01T00:05:00.000Z', '2024-04-01T00:10:00.000Z']);
    expect(again.spansSkipped).toEqual([{ from: '2024-03-31T23:55:00.000Z', to: '2024-04-01T00:00:00.000Z' }]);
    expect((await store.read(key)).columns).toEqual(before.columns);
  });
});

describe('what repair says to fetch again', () => {
  const range = (key: SeriesKey | null, span = { fromMs: Date.UTC(2024, 1, 1), toMs: Date.UTC(2024, 2, 1) }) => ({ key, series: 'x', span, note: null, partitions: ['x 2024-02'] });

  it('a download command only where a ccxt venue serves the table, else a re-import', async () => {
    const kinds = await loadVenueKinds();
    const root = '/tmp/a store';
    expect(refetchCommand(root, range({ table: 'funding', venue: 'bybit', symbol: 'BTC/USDT:USDT', timeframe: null }), kinds)).toBe(
      "perp-arb data download --store '/tmp/a store' --venue bybit --symbol BTC/USDT:USDT --kind funding --from 2024-02-01T00:00:00.000Z --to 2024-03-01T00:00:00.000Z",
    );
    expect(refetchCommand(root, range({ table: 'mark_bars', venue: 'okx', symbol: 'BTC/USDT:USDT', timeframe: '8h' }), kinds)).toContain('--kind mark --timeframe 8h');
    // Deribit has no mark candles; quotes, books and trades are never downloaded; FTX is gone from ccxt; synthetic is no venue.
    expect(refetchCommand(root, range({ table: 'mark_bars', venue: 'deribit', symbol: 'BTC/USD:BTC', timeframe: '1m' }), kinds)).toBeNull();
    expect(refetchCommand(root, range({ table: 'quotes', venue: 'binance', symbol: 'BTC/USDT', timeframe: null }), kinds)).toBeNull();
    expect(refetchCommand(root, range({ table: 'bars', venue: 'ftx', symbol: 'BTC/USD', timeframe: '1m' }), kinds)).toBeNull();
    expect(refetchCommand(root, range({ table: 'bars', venue: 'synthetic', symbol: 'BTC/USD', timeframe: '1m' }), kinds)).toBeNull();
    expect(lostRangeLine(root, range({ table: 'quotes', venue: 'binance', symbol: 'BTC/USDT', timeframe: null }), kinds)).toBe(
      "re-import x 2024-02-01T00:00:00.000Z .. 2024-03-01T00:00:00.000Z from its source files: perp-arb data import <path> --store '/tmp/a store'",
    );
  });
});
