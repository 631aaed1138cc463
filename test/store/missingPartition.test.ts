import { cpSync, mkdtempSync, rmSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basisFromStore } from '../../src/data/basisFromStore.ts';
import { importPath } from '../../src/data/import/importPath.ts';
import { replay } from '../../src/data/replay/replay.ts';
import { storeSources } from '../../src/data/replay/storeSources.ts';
import { MarketStore } from '../../src/data/store/marketStore.ts';
import { StorePartitionError } from '../../src/data/store/storeErrors.ts';
import type { SeriesKey } from '../../src/domain/series.ts';
import { PROJECT_ROOT, dataPath } from '../support/paths.ts';
import { runCli } from '../support/cli.ts';

const perp1m: SeriesKey = { table: 'bars', venue: 'binance', symbol: 'BTC/USDT:USDT', timeframe: '1m' };
const JUNE_FILE_RE = /^series\/bars\/binance\/BTC_USDT__USDT\/1m\/2025-06\.\d+\.\d+\.parquet$/;

describe('a store whose Parquet file went missing or was truncated (real Binance spot and perp, 2025-05/06)', () => {
  let pristine: string;
  let missing: string;
  let truncated: string;
  let juneFile: string;

  beforeAll(async () => {
    pristine = mkdtempSync(join(tmpdir(), 'perp-arb-missing-'));
    const store = new MarketStore(pristine);
    for (const dir of ['binance_spot_1m__Filimonov-Eremeyka_freqtrade', 'binance_usdm_perp_1m__TheSnowGuru_Market-Swarm-Agents']) {
      await importPath(store, dataPath(dir), { venue: 'binance' });
    }
    const june = store.partitions(perp1m).find((p) => p.month === '2025-06')!;
    juneFile = june.file;
    expect(juneFile).toMatch(JUNE_FILE_RE);
    missing = mkdtempSync(join(tmpdir(), 'perp-arb-missing-'));
    cpSync(pristine, missing, { recursive: true });
    rmSync(join(missing, juneFile));
    truncated = mkdtempSync(join(tmpdir(), 'perp-arb-missing-'));
    cpSync(pristine, truncated, { recursive: true });
    truncateSync(join(truncated, juneFile), 200);
  }, 120_000);

  afterAll(() => {
    for (const dir of [pristine, missing, truncated]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const missingLine = (root: string) =>
    `${root}: partition bars/binance/BTC/USDT:USDT/1m 2025-06 (${juneFile}) is missing its file; repair with: perp-arb data check --store ${root} --repair`;

  it('every store read names the partition (venue, symbol, table, month) and the repair command, not DuckDB', async () => {
    const store = new MarketStore(missing);
    const line = missingLine(missing);
    const june10 = { fromMs: Date.UTC(2025, 5, 10), toMs: Date.UTC(2025, 5, 10, 0, 5) };
    await expect(store.read(perp1m, june10)).rejects.toThrow(line);
    const error = await store.read(perp1m).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorePartitionError);
    expect((error as Error).message).toBe(line);
    await expect(store.lastRows([{ key: perp1m, beforeMs: june10.toMs }], 2)).rejects.toThrow(line);
    await expect(replay(storeSources(store, [perp1m]), () => {})).rejects.toThrow(line);
    await expect(basisFromStore(store, { spotId: 'binance:BTC/USDT', perpId: 'binance:BTC/USDT:USDT' })).rejects.toThrow(line);
    // May is another file: it still reads.
    const may = { toMs: Date.UTC(2025, 5, 1) }; // [start, June 1): May's rows only
    const [left, before] = await Promise.all([store.read(perp1m, may), new MarketStore(pristine).read(perp1m, may)]);
    expect(left.rows).toBe(9_447); // 2025-05-25 10:33 .. 05-31 23:59
    expect(left.columns.close).toEqual(before.columns.close);
  });

  it('a truncated file is named the same way, with the reason in one line', async () => {
    const store = new MarketStore(truncated);
    const error = await store.read(perp1m).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorePartitionError);
    const message = (error as Error).message;
    expect(message).toBe(
      `${truncated}: partition bars/binance/BTC/USDT:USDT/1m 2025-06 (${juneFile}) cannot be read (Invalid Input Error: No magic bytes found at end of file '${juneFile}'); ` +
        `repair with: perp-arb data check --store ${truncated} --repair`,
    );
    await expect(store.lastRows([{ key: perp1m, beforeMs: Date.UTC(2025, 5, 10) }], 2)).rejects.toThrow(message);
  });

  it('data show, a store backtest and a scan fail with that one line and exit 1', async () => {
    const expected = `error: ${missingLine(missing)}`;
    const show = await runCli(['data', 'show', 'binance', 'BTC/USDT:USDT', '--timeframe', '1m', '--from', '2025-06-10', '--store', missing]);
    const backtest = await runCli(['backtest', '--config', join(PROJECT_ROOT, 'examples', 'backtest-carry-binance.json'), '--store', missing]);
    const scan = await runCli(['scan', '--store', missing, '--at', '2025-06-10']);
    for (const result of [show, backtest, scan]) {
      expect(result.code).toBe(1);
      expect(result.stderr.trim()).toBe(expected);
      expect(result.stderr + result.stdout).not.toMatch(/IO Error|No files found/);
    }
  }, 90_000);
});
