import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SeriesBuilder } from '../../src/data/import/seriesBuilder.ts';
import { DownloadCoverage } from '../../src/data/store/downloadCoverage.ts';
import { MarketStore } from '../../src/data/store/marketStore.ts';
import { writePartitions } from '../../src/data/store/partitionIO.ts';
import { inspectStore } from '../../src/data/store/storeCheck.ts';
import { repairStore } from '../../src/data/store/storeRepair.ts';
import type { SeriesKey } from '../../src/domain/series.ts';
import { runCli } from '../support/cli.ts';
import { useTempDirs } from '../support/tempDir.ts';

const MINUTE = 60_000;
const FEB = Date.UTC(2024, 1, 1);
const MAR = Date.UTC(2024, 2, 1);
const APR = Date.UTC(2024, 3, 1);
const bars1m: SeriesKey = { table: 'bars', venue: 'binance', symbol: 'BTC/USDT:USDT', timeframe: '1m' };
const funding: SeriesKey = { table: 'funding', venue: 'binance', symbol: 'BTC/USDT:USDT', timeframe: null };
const quotes: SeriesKey = { table: 'quotes', venue: 'binance', symbol: 'BTC/USDT', timeframe: null };

function series(key: SeriesKey, times: number[], value: (i: number) => Record<string, number> = () => ({})) {
  const b = new SeriesBuilder(key, 'test');
  times.forEach((ts, i) => {
    const price = 100 + i;
    const row =
      key.table === 'funding'
        ? { ts, rate: 0.0001, interval_ms: 8 * 3_600_000, mark_price: price }
        : key.table === 'quotes'
          ? { ts, bid: price, bid_size: 1, ask: price + 1, ask_size: 1, last: price }
          : { ts, open: price, high: price + 1, low: price - 1, close: price, volume: 1 };
    b.push(i + 1, { ...row, ...value(i) });
  });
  return b.build();
}

const minutes = (startMs: number, count: number) => Array.from({ length: count }, (_, i) => startMs + i * MINUTE);
const settlements = (startMs: number, count: number) => Array.from({ length: count }, (_, i) => startMs + i * 8 * 3_600_000);

/** Bars and funding in February and March 2024, quotes in March; downloads.json says bars and funding of both months were downloaded. */
async function buildStore(root: string): Promise<MarketStore> {
  const store = new MarketStore(root);
  const tx = store.begin();
  await tx.write(series(bars1m, [...minutes(FEB, 30), ...minutes(MAR, 20)]));
  await tx.write(series(funding, [...settlements(FEB, 6), ...settlements(MAR, 9)]));
  await tx.write(series(quotes, minutes(MAR + 5 * MINUTE, 7)));
  tx.commit();
  const coverage = new DownloadCoverage(root);
  coverage.add('bars/binance/BTC/USDT:USDT/1m', [{ fromMs: FEB, toMs: APR }]);
  coverage.add('funding/binance/BTC/USDT:USDT', [{ fromMs: FEB, toMs: APR }]);
  return store;
}

const fileOf = (store: MarketStore, key: SeriesKey, month: string) => store.partitions(key).find((p) => p.month === month)!.file;

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

/** Adds a partition file and entry by hand, as a bug or an editor could leave them (entry fields overridable). */
async function addRawPartition(root: string, key: SeriesKey, month: string, times: number[], value?: (i: number) => Record<string, number>, entry: Record<string, unknown> = {}) {
  const file = `series/${key.table}/binance/BTC_USDT__USDT/${key.timeframe ?? '_'}/${month}.50.0.parquet`;
  mkdirSync(dirname(join(root, file)), { recursive: true });
  await writePartitions(series(key, times, value), [{ fromMs: -8.64e15, toMs: 8.64e15, path: join(root, file) }]);
  const manifest = JSON.parse(readFileSync(join(root, 'manifest.json'), 'utf8'));
  manifest.partitions.push({ ...key, month, file, rows: times.length, firstTs: Math.min(...times), lastTs: Math.max(...times), ...entry });
  writeFileSync(join(root, 'manifest.json'), JSON.stringify(manifest));
  return file;
}

describe('perp-arb data check and --repair: a deleted, a truncated and an orphaned file', () => {
  const tempDir = useTempDirs();

  it('check lists all three (exit 1, --json problems); --repair quarantines, drops the entries, prints the ranges; then the store is OK and reads as before', async () => {
    const root = tempDir();
    const store = await buildStore(root);
    const deleted = fileOf(store, bars1m, '2024-02');
    const damaged = fileOf(store, funding, '2024-03');
    const orphan = 'series/bars/binance/BTC_USDT__USDT/1m/2024-04.7.0.parquet';
    const keptBefore = { bars: await store.read(bars1m, { fromMs: MAR }), funding: await store.read(funding, { toMs: MAR - 1 }), quotes: await store.read(quotes) };
    rmSync(join(root, deleted));
    truncateSync(join(root, damaged), 300);
    copyFileSync(join(root, fileOf(store, bars1m, '2024-03')), join(root, orphan));
    const damagedBytes = readFileSync(join(root, damaged));
    const orphanBytes = readFileSync(join(root, orphan));

    const check = await runCli(['data', 'check', '--store', root]);
    expect(check.code).toBe(1);
    expect(check.stdout.trim().split('\n')).toEqual([
      `missing-file bars/binance/BTC/USDT:USDT/1m 2024-02 (${deleted}): the file is missing`,
      `unreadable-file funding/binance/BTC/USDT:USDT 2024-03 (${damaged}): cannot be read (Invalid Input Error: No magic bytes found at end of file '${damaged}')`,
      `orphan ${orphan}: no manifest entry lists this file`,
      '',
      `3 problems in 5 partitions of ${root}; repair with: perp-arb data check --store ${root} --repair`,
    ]);

    const json = await runCli(['data', 'check', '--store', root, '--json']);
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout);
    expect(report).toMatchObject({ store: root, ok: false, partitions: 5, notes: [] });
    expect(report.problems.map((p: Record<string, unknown>) => [p.kind, p.partition, p.file])).toEqual([
      ['missing-file', 'bars/binance/BTC/USDT:USDT/1m 2024-02', deleted],
      ['unreadable-file', 'funding/binance/BTC/USDT:USDT 2024-03', damaged],
      ['orphan', null, orphan],
    ]);
    expect(report.problems.map((p: { message: string }) => p.message)).toEqual(check.stdout.trim().split('\n').slice(0, 3));

    const repair = await runCli(['data', 'check', '--store', root, '--repair']);
    expect(repair.code, repair.stderr).toBe(0);
    const quarantine = join(root, 'quarantine');
    const [stamp] = readdirSync(quarantine);
    expect(stamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}Z$/);
    const lines = repair.stdout.trim().split('\n');
    expect(lines.slice(3)).toEqual([
      `quarantined ${damaged}`,
      `quarantined ${orphan}`,
      'removed from the manifest: bars/binance/BTC/USDT:USDT/1m 2024-02',
      'removed from the manifest: funding/binance/BTC/USDT:USDT 2024-03',
      're-download (or re-import from its source) bars/binance/BTC/USDT:USDT/1m 2024-02-01T00:00:00.000Z .. 2024-03-01T00:00:00.000Z: ' +
        `perp-arb data download --store ${root} --venue binance --symbol BTC/USDT:USDT --kind ohlcv --timeframe 1m --from 2024-02-01T00:00:00.000Z --to 2024-03-01T00:00:00.000Z`,
      're-download (or re-import from its source) funding/binance/BTC/USDT:USDT 2024-03-01T00:00:00.000Z .. 2024-04-01T00:00:00.000Z: ' +
        `perp-arb data download --store ${root} --venue binance --symbol BTC/USDT:USDT --kind funding --from 2024-03-01T00:00:00.000Z --to 2024-04-01T00:00:00.000Z`,
      '',
      `repaired ${root}: 2 files moved to ${join(quarantine, stamp)}, 2 manifest entries removed (version 2)`,
    ]);
    // Moved, never deleted: the same bytes under quarantine/<time>/, beside repair.json.
    expect(filesUnder(join(quarantine, stamp))).toEqual(['repair.json', damaged, orphan].sort());
    expect(readFileSync(join(quarantine, stamp, damaged))).toEqual(damagedBytes);
    expect(readFileSync(join(quarantine, stamp, orphan))).toEqual(orphanBytes);
    expect(JSON.parse(readFileSync(join(quarantine, stamp, 'repair.json'), 'utf8')).removedEntries.map((e: { file: string }) => e.file)).toEqual([deleted, damaged]);
    // The download record forgets the repaired months, so data download fetches them again.
    expect(JSON.parse(readFileSync(join(root, 'downloads.json'), 'utf8')).series).toEqual({
      'bars/binance/BTC/USDT:USDT/1m': [[MAR, APR]],
      'funding/binance/BTC/USDT:USDT': [[FEB, MAR]],
    });

    const after = await runCli(['data', 'check', '--store', root]);
    expect(after.code, after.stdout).toBe(0);
    expect(after.stdout.trim()).toBe('store OK: 3 partitions, 33 rows checked');
    const repaired = new MarketStore(root);
    expect(repaired.listSeries().map((s) => [s.id, s.rows])).toEqual([
      ['bars/binance/BTC/USDT:USDT/1m', 20],
      ['funding/binance/BTC/USDT:USDT', 6],
      ['quotes/binance/BTC/USDT', 7],
    ]);
    expect((await repaired.read(bars1m)).columns).toEqual(keptBefore.bars.columns);
    expect((await repaired.read(funding)).columns).toEqual(keptBefore.funding.columns);
    expect((await repaired.read(quotes)).columns).toEqual(keptBefore.quotes.columns);
  }, 90_000);

  it('names every other kind of damage: counts and times unlike the manifest, rows outside the month, out of order, duplicate or invalid, an entry it cannot read', async () => {
    const root = tempDir();
    await buildStore(root);
    const feb10 = FEB + 10 * 86_400_000;
    await addRawPartition(root, bars1m, '2024-05', minutes(Date.UTC(2024, 4, 1), 3), undefined, { rows: 4 });
    await addRawPartition(root, bars1m, '2024-06', minutes(Date.UTC(2024, 5, 1), 3), undefined, { lastTs: Date.UTC(2024, 5, 1) });
    await addRawPartition(root, bars1m, '2024-07', [Date.UTC(2024, 6, 31, 23, 59), Date.UTC(2024, 7, 1)]);
    await addRawPartition(root, bars1m, '2024-08', [Date.UTC(2024, 7, 1, 0, 2), Date.UTC(2024, 7, 1, 0, 1), Date.UTC(2024, 7, 1, 0, 1)]);
    await addRawPartition(root, funding, '2024-09', settlements(Date.UTC(2024, 8, 1), 2), (i): Record<string, number> => (i === 1 ? { mark_price: -5 } : {}));
    await addRawPartition(root, bars1m, '2024-10', [feb10], undefined, { month: '2024-13' });
    const { report, damaged } = await inspectStore(root);
    expect(report.problems.map((p) => p.message.replace(/ \(series\/[^)]*\)/, ''))).toEqual([
      "unreadable-entry bars/binance/BTC/USDT:USDT/1m 2024-13: the manifest entry cannot be read (month: must be 'YYYY-MM' with a 4-digit year)",
      'row-count bars/binance/BTC/USDT:USDT/1m 2024-05: the file holds 3 rows, the manifest says 4',
      'ts-range bars/binance/BTC/USDT:USDT/1m 2024-06: its rows span 2024-06-01T00:00:00.000Z to 2024-06-01T00:02:00.000Z, the manifest says 2024-06-01T00:00:00.000Z to 2024-06-01T00:00:00.000Z',
      `outside-month bars/binance/BTC/USDT:USDT/1m 2024-07: 1 rows outside 2024-07, first row 2 at ts ${Date.UTC(2024, 7, 1)}`,
      'invalid-rows bars/binance/BTC/USDT:USDT/1m 2024-08: 2 rows fail validation: row 2: out of order: 2024-08-01T00:01:00.000Z comes after 2024-08-01T00:02:00.000Z (line 1); ' +
        'row 3: out of order: 2024-08-01T00:01:00.000Z comes after 2024-08-01T00:02:00.000Z (line 1)',
      'invalid-rows funding/binance/BTC/USDT:USDT 2024-09: 1 rows fail validation: row 2: mark_price must be > 0 (-5)',
    ]);
    expect(damaged).toHaveLength(6);
    // The sound partitions are all read: 50 bars, 15 settlements, 7 quotes and the damaged files' 13 rows.
    expect(report).toMatchObject({ partitions: 11, rows: 85 });
    const repair = await repairStore(root, Date.UTC(2030, 0, 2, 3, 4, 5));
    expect(repair.quarantineDir).toBe(join(root, 'quarantine', '2030-01-02T03-04-05.000Z'));
    expect(repair.quarantined).toHaveLength(6);
    expect(repair.lost.map((r) => [r.series, r.span && new Date(r.span.fromMs).toISOString(), r.span && new Date(r.span.toMs).toISOString(), r.partitions.length])).toEqual([
      // The unreadable entry's '2024-13' is no month, so its first and last ts tell it (February); May to August join into one range.
      ['bars/binance/BTC/USDT:USDT/1m', '2024-02-01T00:00:00.000Z', '2024-03-01T00:00:00.000Z', 1],
      ['bars/binance/BTC/USDT:USDT/1m', '2024-05-01T00:00:00.000Z', '2024-09-01T00:00:00.000Z', 4],
      ['funding/binance/BTC/USDT:USDT', '2024-09-01T00:00:00.000Z', '2024-10-01T00:00:00.000Z', 1],
    ]);
    expect((await inspectStore(root)).report.problems).toEqual([]);
    // Only the unreadable entry (whose ts says February) left: the store's own February partition stays.
    expect(new MarketStore(root).partitions(bars1m).map((p) => p.month)).toEqual(['2024-02', '2024-03']);
  });

  it('while another process holds the writer lock, unlisted files may be its transaction: check reports a note, repair refuses', async () => {
    const root = tempDir();
    await buildStore(root);
    const staged = 'series/bars/binance/BTC_USDT__USDT/1m/2024-04.2.0.parquet';
    writeFileSync(join(root, staged), 'being written');
    writeFileSync(join(root, '.lock'), String(process.pid)); // a live process
    const { report } = await inspectStore(root);
    expect(report.problems).toEqual([]);
    expect(report.notes).toEqual([`process ${process.pid} holds the store lock: 1 files not in the manifest may be its transaction's and are not reported; check again when it is done`]);
    await expect(repairStore(root)).rejects.toThrow(`the store is in use by process ${process.pid}`);
    expect(existsSync(join(root, staged))).toBe(true);
    // Once the writer is gone, the file is an orphan.
    rmSync(join(root, '.lock'));
    expect((await inspectStore(root)).report.problems.map((p) => [p.kind, p.file])).toEqual([['orphan', staged]]);
  });
});
