import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.ts';
import { SeriesBuilder } from '../../src/data/import/seriesBuilder.ts';
import { storeSources } from '../../src/data/replay/storeSources.ts';
import { MarketStore } from '../../src/data/store/marketStore.ts';
import { writePartitions } from '../../src/data/store/partitionIO.ts';
import { StorePartitionError } from '../../src/data/store/storeErrors.ts';
import type { SeriesKey } from '../../src/domain/series.ts';
import { runCli } from '../support/cli.ts';
import { useTempDirs } from '../support/tempDir.ts';

const btc: SeriesKey = { table: 'bars', venue: 'binance', symbol: 'BTC/USDT', timeframe: '1m' };
const eth: SeriesKey = { ...btc, symbol: 'ETH/USDT' };
const JAN_1_2024 = Date.UTC(2024, 0, 1);
/** 10000-01-01T00:00Z: toISOString() gives '+010000-01-01T...', the month '+010000'. */
const YEAR_10000 = 253402300800000;

function bars(key: SeriesKey, times: number[], source = 'test.csv') {
  const b = new SeriesBuilder(key, source);
  times.forEach((ts, i) => b.push(i + 2, { ts, open: 100 + i, high: 101 + i, low: 99 + i, close: 100 + i, volume: 1 }));
  return b.build();
}

/**
 * The store the code before this fix left after importing a CSV with a row at ts 253402300800000:
 * a good 2024-01 partition, and a '+010000' partition (file and manifest entry) beside it.
 */
async function storeWithYear10000(root: string): Promise<MarketStore> {
  const store = new MarketStore(root);
  const tx = store.begin();
  await tx.write(bars(btc, [JAN_1_2024, JAN_1_2024 + 60_000]));
  await tx.write(bars(eth, [JAN_1_2024]));
  tx.commit();
  const file = 'series/bars/binance/BTC_USDT/1m/+010000.1.9.parquet';
  await writePartitions(bars(btc, [YEAR_10000]), [{ fromMs: YEAR_10000, toMs: YEAR_10000 + 1, path: join(root, file) }]);
  const manifest = JSON.parse(readFileSync(join(root, 'manifest.json'), 'utf8'));
  manifest.partitions.push({ ...btc, month: '+010000', file, rows: 1, firstTs: YEAR_10000, lastTs: YEAR_10000 });
  writeFileSync(join(root, 'manifest.json'), JSON.stringify(manifest, null, 1));
  return new MarketStore(root);
}

const UNREADABLE = "partition bars/binance/BTC/USDT/1m +010000 (series/bars/binance/BTC_USDT/1m/+010000.1.9.parquet) cannot be read from the manifest (month: must be 'YYYY-MM' with a 4-digit year)";

describe('a partition the manifest cannot name (a row in year 10000)', () => {
  const tempDir = useTempDirs();

  it('the rest of the store still lists and reads; the bad entry is named with its file and reason', async () => {
    const root = tempDir();
    const store = await storeWithYear10000(root);
    expect(store.listSeries().map((s) => [s.id, s.rows])).toEqual([
      ['bars/binance/BTC/USDT/1m', 2],
      ['bars/binance/ETH/USDT/1m', 1],
    ]);
    expect(store.unreadablePartitions()).toEqual([
      expect.objectContaining({ name: 'bars/binance/BTC/USDT/1m +010000', key: btc, month: '+010000', file: 'series/bars/binance/BTC_USDT/1m/+010000.1.9.parquet', reason: "month: must be 'YYYY-MM' with a 4-digit year" }),
    ]);
    expect(store.unreadableWarnings()).toEqual([`${root}: ${UNREADABLE}; skipped; repair with: perp-arb data check --store ${root} --repair`]);
    expect(Array.from((await store.read(eth)).columns.close as Float64Array)).toEqual([100]);
    // A listing may skip it; a reader that needs the series must not silently miss rows.
    expect((await store.read(btc, {}, { skipUnreadableEntries: true })).rows).toBe(2);
    const error = await store.read(btc).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorePartitionError);
    expect((error as Error).message).toBe(`${root}: ${UNREADABLE}; repair with: perp-arb data check --store ${root} --repair`);
    // Before the entry's first ts the series reads.
    expect((await store.read(btc, { toMs: Date.UTC(2025, 0, 1) })).rows).toBe(2);
    // A replay of the series (backtests) fails the same way, with the name.
    const [source] = storeSources(store, [btc]);
    const replayed = (async () => {
      for await (const chunk of source.chunks) void chunk;
    })();
    await expect(replayed).rejects.toThrow(UNREADABLE);
    // The scanner's read of the last rows skips it.
    const [last] = await store.lastRows([{ key: btc, beforeMs: YEAR_10000 + 1 }], 2);
    expect(Array.from(last.columns.ts as Float64Array)).toEqual([JAN_1_2024, JAN_1_2024 + 60_000]);
  });

  it('a later import keeps the entry and its file (nothing stored is lost before data check --repair)', async () => {
    const root = tempDir();
    const store = await storeWithYear10000(root);
    const tx = store.begin();
    await tx.write(bars(eth, [JAN_1_2024 + 60_000]));
    expect(tx.commit()).toBe(2);
    const manifest = JSON.parse(readFileSync(join(root, 'manifest.json'), 'utf8'));
    expect(manifest.partitions.filter((p: { month: string }) => p.month === '+010000')).toHaveLength(1);
    expect(existsSync(join(root, 'series/bars/binance/BTC_USDT/1m/+010000.1.9.parquet'))).toBe(true);
    expect(new MarketStore(root).listSeries().map((s) => s.rows)).toEqual([2, 2]);
  });

  it('the writer refuses a row whose month has no 4-digit year, naming source and line, and stores nothing', async () => {
    const root = tempDir();
    const store = new MarketStore(root);
    const tx = store.begin();
    const error = await tx.write(bars(btc, [JAN_1_2024, YEAR_10000], 'y10k.csv')).catch((e: unknown) => e);
    tx.rollback();
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toBe('y10k.csv:3: ts 253402300800000 is outside the years 0000-9999 the store can name a partition for; nothing was stored');
    expect(existsSync(join(root, 'manifest.json'))).toBe(false);
    expect(store.listSeries()).toEqual([]);
  });

  it('data ls, data show and scan --store work and warn on stderr instead of failing', async () => {
    const root = tempDir();
    await storeWithYear10000(root);
    const warning = `warning: ${root}: ${UNREADABLE}; skipped; repair with: perp-arb data check --store ${root} --repair`;

    const ls = await runCli(['data', 'ls', '--store', root, '--json']);
    expect(ls.code, ls.stderr).toBe(0);
    expect(ls.stderr.trim()).toBe(warning);
    const listed = JSON.parse(ls.stdout);
    expect(listed.series.map((s: { id: string; rows: number }) => [s.id, s.rows])).toEqual([
      ['bars/binance/BTC/USDT/1m', 2],
      ['bars/binance/ETH/USDT/1m', 1],
    ]);
    expect(listed.unreadablePartitions).toEqual([{ name: 'bars/binance/BTC/USDT/1m +010000', file: 'series/bars/binance/BTC_USDT/1m/+010000.1.9.parquet', reason: "month: must be 'YYYY-MM' with a 4-digit year" }]);

    const show = await runCli(['data', 'show', 'binance', 'BTC/USDT', '--store', root, '--json']);
    expect(show.code, show.stderr).toBe(0);
    expect(show.stderr.trim()).toBe(warning);
    expect(JSON.parse(show.stdout)).toMatchObject({ series: 'bars/binance/BTC/USDT/1m', rows: 2 });

    const scan = await runCli(['scan', '--store', root, '--at', '2024-01-02', '--json']);
    expect(scan.code, scan.stderr).toBe(0);
    expect(JSON.parse(scan.stdout).notes).toContain(warning.slice('warning: '.length));
  }, 60_000);
});
