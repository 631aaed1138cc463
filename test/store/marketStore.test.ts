import { existsSync, readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SeriesBuilder } from '../../src/data/import/seriesBuilder.ts';
import { MarketStore } from '../../src/data/store/marketStore.ts';
import { useTempDirs } from '../support/tempDir.ts';

const key = { table: 'bars' as const, venue: 'binance', symbol: 'BTC/USDT', timeframe: '1m' };
const MAY_31_2358 = Date.UTC(2025, 4, 31, 23, 58);

function bars(startMs: number, count: number, closeOf = (i: number) => 100 + i) {
  const b = new SeriesBuilder(key, 'test.csv');
  for (let i = 0; i < count; i++) {
    const close = closeOf(i);
    b.push(i + 2, { ts: startMs + i * 60_000, open: close, high: close + 1, low: close - 1, close, volume: close / 100 });
  }
  return b.build();
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

describe('MarketStore', () => {
  const tempDir = useTempDirs();

  it('stores rows in monthly partitions and reads them back exactly', async () => {
    const store = new MarketStore(tempDir());
    const tx = store.begin();
    const result = await tx.write(bars(MAY_31_2358, 5));
    expect(tx.commit()).toBe(1);
    expect(result).toMatchObject({ added: 5, unchanged: 0, conflicts: [] });
    expect(store.partitions(key).map((p) => [p.month, p.rows])).toEqual([['2025-05', 2], ['2025-06', 3]]);
    const back = await store.read(key);
    expect(Array.from(back.columns.ts as Float64Array)).toEqual([0, 1, 2, 3, 4].map((i) => MAY_31_2358 + i * 60_000));
    expect(Array.from(back.columns.close as Float64Array)).toEqual([100, 101, 102, 103, 104]);
    expect(Array.from(back.columns.received_at as Float64Array).every(Number.isNaN)).toBe(true);
    const june = await store.read(key, { fromMs: Date.UTC(2025, 5, 1), toMs: Date.UTC(2025, 5, 1, 0, 2) });
    expect(june.rows).toBe(2);
    expect(store.listSeries()).toEqual([
      { key, id: 'bars/binance/BTC/USDT/1m', rows: 5, firstTs: MAY_31_2358, lastTs: MAY_31_2358 + 4 * 60_000, files: 2 },
    ]);
    expect(store.instruments()).toEqual([expect.objectContaining({ venue: 'binance', symbol: 'BTC/USDT', kind: 'spot', base: 'BTC', quote: 'USDT' })]);
  });

  it('writing the same rows again changes nothing, not even the manifest', async () => {
    const root = tempDir();
    const store = new MarketStore(root);
    let tx = store.begin();
    await tx.write(bars(MAY_31_2358, 5));
    tx.commit();
    const manifestBefore = readFileSync(join(root, 'manifest.json'), 'utf8');
    const filesBefore = filesUnder(root);
    tx = store.begin();
    const again = await tx.write(bars(MAY_31_2358, 5));
    expect(again).toMatchObject({ added: 0, unchanged: 5, conflicts: [] });
    expect(tx.commit()).toBe(1);
    expect(readFileSync(join(root, 'manifest.json'), 'utf8')).toBe(manifestBefore);
    expect(filesUnder(root)).toEqual(filesBefore);
  });

  it('adds new rows beside stored ones and keeps a stored row over a conflicting one', async () => {
    const store = new MarketStore(tempDir());
    let tx = store.begin();
    await tx.write(bars(MAY_31_2358, 3));
    tx.commit();
    tx = store.begin();
    const result = await tx.write(bars(MAY_31_2358 + 60_000, 4, (i) => (i === 0 ? 555 : 101 + i)));
    tx.commit();
    expect(result.added).toBe(2);
    expect(result.unchanged).toBe(1);
    expect(result.conflicts).toEqual([
      { source: 'test.csv', line: 2, reason: 'conflicts with the stored row at 2025-05-31T23:59:00.000Z: open 555 (stored 101); stored row kept' },
    ]);
    const back = await store.read(key);
    expect(Array.from(back.columns.close as Float64Array)).toEqual([100, 101, 102, 103, 104]);
  });

  it('rollback leaves the store as it was, and files of an interrupted import are removed', async () => {
    const root = tempDir();
    const store = new MarketStore(root);
    let tx = store.begin();
    await tx.write(bars(MAY_31_2358, 3));
    tx.commit();
    const manifestBefore = readFileSync(join(root, 'manifest.json'), 'utf8');
    const filesBefore = filesUnder(root);

    tx = store.begin();
    await tx.write(bars(MAY_31_2358 + 3 * 60_000, 3));
    tx.rollback();
    expect(readFileSync(join(root, 'manifest.json'), 'utf8')).toBe(manifestBefore);
    expect(filesUnder(root)).toEqual(filesBefore);

    // A crash after writing a partition but before the manifest swap leaves an unlisted file behind.
    const orphan = join(root, 'series', 'bars', 'binance', 'BTC_USDT', '1m', '2025-06.9.0.parquet');
    mkdirSync(join(orphan, '..'), { recursive: true });
    writeFileSync(orphan, 'partial');
    expect((await store.read(key)).rows).toBe(3);
    store.begin().rollback();
    expect(existsSync(orphan)).toBe(false);
  });

  it('allows one writer at a time', () => {
    const store = new MarketStore(tempDir());
    const tx = store.begin();
    expect(() => store.begin()).toThrow(/the store is in use by process/);
    tx.rollback();
    store.begin().rollback();
  });

  it('rejects a corrupted manifest with a clear error', () => {
    const root = tempDir();
    writeFileSync(join(root, 'manifest.json'), '{"format": "something else"}');
    expect(() => new MarketStore(root).listSeries()).toThrow(/manifest.json: not a perp-arb store manifest/);
  });
  it('lastRows: the last rows before each time for many series in one call, across month boundaries', async () => {
    const store = new MarketStore(tempDir());
    const eth = { ...key, symbol: 'ETH/USDT' };
    const tx = store.begin();
    await tx.write(bars(MAY_31_2358, 5)); // 23:58, 23:59 in May; 00:00..00:02 in June
    const ethBars = bars(MAY_31_2358, 3, (i) => 2000 + i);
    await tx.write({ ...ethBars, key: eth });
    tx.commit();
    const JUNE_1 = Date.UTC(2025, 5, 1);
    const [btc, ethRows, before, btcMay] = await store.lastRows(
      [
        { key, beforeMs: JUNE_1 + 1 }, // one row in June, one in May
        { key: eth, beforeMs: JUNE_1 + 3_600_000 },
        { key, beforeMs: MAY_31_2358 }, // nothing that early: the range is [-inf, beforeMs)
        { key, beforeMs: MAY_31_2358 + 1 },
      ],
      2,
    );
    expect(Array.from(btc.columns.ts as Float64Array)).toEqual([JUNE_1 - 60_000, JUNE_1]);
    expect(Array.from(btc.columns.close as Float64Array)).toEqual([101, 102]);
    expect(btc.key).toEqual(key);
    expect(Array.from(ethRows.columns.close as Float64Array)).toEqual([2001, 2002]);
    expect(ethRows.key).toEqual(eth);
    expect(before.rows).toBe(0);
    expect(Array.from(btcMay.columns.close as Float64Array)).toEqual([100]);
  });

  it('ranges are half-open [from, to): a row exactly at from is read, one exactly at to is not', async () => {
    const store = new MarketStore(tempDir());
    const tx = store.begin();
    await tx.write(bars(MAY_31_2358, 5)); // 23:58, 23:59 (May), 00:00, 00:01, 00:02 (June)
    tx.commit();
    const JUNE_1 = Date.UTC(2025, 5, 1);
    const times = (data: { columns: Record<string, unknown> }) => Array.from(data.columns.ts as Float64Array);
    // to = the first row of June: May's two rows only, and June's partition is not even opened.
    expect(times(await store.read(key, { toMs: JUNE_1 }))).toEqual([MAY_31_2358, MAY_31_2358 + 60_000]);
    expect(store.partitions(key, { toMs: JUNE_1 }).map((p) => p.month)).toEqual(['2025-05']);
    // from = a row's time: that row is in.
    expect(times(await store.read(key, { fromMs: JUNE_1, toMs: JUNE_1 + 120_000 }))).toEqual([JUNE_1, JUNE_1 + 60_000]);
    expect(times(await store.read(key, { fromMs: MAY_31_2358 + 60_000, toMs: JUNE_1 + 60_000 }))).toEqual([MAY_31_2358 + 60_000, JUNE_1]);
    const chunked: number[] = [];
    for await (const chunk of store.chunks(key, { fromMs: MAY_31_2358 + 60_000, toMs: JUNE_1 + 120_000 })) chunked.push(...times(chunk));
    expect(chunked).toEqual([MAY_31_2358 + 60_000, JUNE_1, JUNE_1 + 60_000]);
    // An empty range [t, t) reads no row, even with a row at t.
    expect(store.partitions(key, { fromMs: JUNE_1, toMs: JUNE_1 })).toEqual([]);
    const [last] = await store.lastRows([{ key, beforeMs: JUNE_1 + 120_000 }], 1);
    expect(times(last)).toEqual([JUNE_1 + 60_000]);
  });
});
