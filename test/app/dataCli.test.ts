import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MarketStore } from '../../src/data/store/marketStore.ts';
import { replay } from '../../src/data/replay/replay.ts';
import { storeSources } from '../../src/data/replay/storeSources.ts';
import { SHARED_DATA, dataPath } from '../support/paths.ts';
import { runCli } from '../support/cli.ts';
import { useTempDirs } from '../support/tempDir.ts';


interface LsSeries {
  id: string;
  rows: number;
  from: string;
  to: string;
}

describe('perp-arb data (CLI, every dataset in ../shared/data)', () => {
  const tempDir = useTempDirs();
  let store: string;
  let firstImport: { rowsRead: number; added: number; unchanged: number; rejected: number; changed: boolean; files: { source: string; rejected: number }[]; skipped: { source: string }[] };
  let series: Map<string, LsSeries>;

  afterAll(() => rmSync(store, { recursive: true, force: true }));

  beforeAll(async () => {
    store = mkdtempSync(join(tmpdir(), 'perp-arb-cli-'));
    const imported = await runCli(['data', 'import', SHARED_DATA, '--store', store, '--json']);
    expect(imported.code, imported.stderr).toBe(0);
    firstImport = JSON.parse(imported.stdout);
    const ls = await runCli(['data', 'ls', '--store', store, '--json']);
    expect(ls.code, ls.stderr).toBe(0);
    series = new Map((JSON.parse(ls.stdout).series as LsSeries[]).map((s) => [s.id, s]));
  }, 240_000);

  it('imports every format with the row counts SOURCES.md gives, rejecting nothing in the real files', () => {
    expect(firstImport.rejected).toBe(0);
    expect(firstImport.changed).toBe(true);
    expect(series.get('bars/binance/BTC/USDT:USDT/1m')).toMatchObject({ rows: 43_199, from: '2025-05-25T10:33:00.000Z', to: '2025-06-24T10:31:00.000Z' });
    expect(series.get('bars/binance/BTC/USDT/1m')).toMatchObject({ rows: 130_708, from: '2025-05-20T00:00:00.000Z', to: '2025-08-18T18:27:00.000Z' });
    expect(series.get('mark_bars/binance/BTC/USDT:USDT/8h')?.rows).toBe(89);
    // AHA-HH: 18 series of 1,642 8h bars.
    const ahaBars = [...series.values()].filter((s) => s.id.startsWith('bars/') && s.id.endsWith('/8h'));
    expect(ahaBars).toHaveLength(18);
    expect(ahaBars.every((s) => s.rows === 1_642 && s.from === '2023-01-01T00:00:00.000Z')).toBe(true);
    // Funding of seven venues (supervik) plus AHA-HH and freqtrade for binance: overlapping rows agree, so they merge.
    expect(series.get('funding/dydx/BTC/USD:USDC')?.rows).toBe(17_520);
    expect(series.get('funding/kucoin/ETH/USDT:USDT')?.rows).toBe(3_285);
    // LEAN and cryptofeed.
    expect(series.get('bars/bybit/BTC/USDT/1m')?.rows).toBe(1_440);
    expect(series.get('quote_bars/binance/BTC/USD:BTC/1m')?.rows).toBe(1_104);
    expect(series.get('books/okx/BTC/USDT')?.rows).toBe(98);
    expect(series.get('books/binance/SUSHI/USDT:USDT')?.rows).toBe(1);
    expect(series.get('quotes/ftx/BTC/USD:USD-211231')?.rows).toBe(1);
  });

  it('accounts for every row read: added + unchanged + rejected', () => {
    const counted = firstImport.added + firstImport.unchanged + firstImport.rejected;
    // Capture files count messages, not rows, so compare on the row-based sources only.
    expect(firstImport.added).toBeGreaterThan(0);
    expect(counted).toBeGreaterThanOrEqual(130_708 + 43_199 + 29_556);
  });

  it('lists the files it skipped instead of dropping them silently', () => {
    const skipped = firstImport.skipped.map((s) => s.source.slice(SHARED_DATA.length + 1)).sort();
    expect(skipped).toEqual([
      'SOURCES.md',
      'bybit_binance_minute_20221213__QuantConnect_Lean/Data/crypto/readme.md',
      'derived_binance_1m_joined/binance_BTCUSDT_spot_vs_usdm_perp_1m_2025-05-25_2025-06-24.csv',
      'derived_binance_1m_joined/binance_BTCUSDT_usdm_funding_8h_and_mark_8h_2025-05-25_2025-06-24.csv',
    ]);
  });

  it('importing everything again changes nothing', async () => {
    const manifestBefore = readFileSync(join(store, 'manifest.json'), 'utf8');
    const again = await runCli(['data', 'import', SHARED_DATA, '--store', store, '--json']);
    expect(again.code, again.stderr).toBe(0);
    const report = JSON.parse(again.stdout);
    expect(report).toMatchObject({ added: 0, changed: false, rejected: 0 });
    expect(report.unchanged).toBe(firstImport.added + firstImport.unchanged);
    expect(readFileSync(join(store, 'manifest.json'), 'utf8')).toBe(manifestBefore);
  }, 240_000);

  it('the derived joined CSV, mapped with --map, matches the stored perp bars exactly', async () => {
    const csv = dataPath('derived_binance_1m_joined', 'binance_BTCUSDT_spot_vs_usdm_perp_1m_2025-05-25_2025-06-24.csv');
    const map = 'ts=open_time_ms:ms,open=perp_open,high=perp_high,low=perp_low,close=perp_close,volume=perp_volume';
    const result = await runCli(['data', 'import', csv, '--store', store, '--json', '--format', 'csv', '--venue', 'binance', '--symbol', 'BTC/USDT:USDT', '--timeframe', '1m', '--map', map]);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ rowsRead: 43_199, added: 0, unchanged: 43_199, rejected: 0, changed: false });
  });

  it('data show --from/--to is the half-open [from, to): a row at from is shown, a row at to is not', async () => {
    const shown = await runCli(['data', 'show', 'binance', 'BTC/USDT:USDT', '--table', 'funding', '--from', '2025-05-25T16:00Z', '--to', '2025-05-26T00:00Z', '--store', store, '--json']);
    expect(shown.code, shown.stderr).toBe(0);
    const body = JSON.parse(shown.stdout);
    expect(body.rows).toBe(1);
    expect(body.data.map((r: { ts: string }) => r.ts)).toEqual(['2025-05-25T16:00:00.000Z']);
  });

  it('data show prints the rows of a range as JSON and only JSON', async () => {
    const shown = await runCli(['data', 'show', 'binance', 'BTC/USDT:USDT', '--table', 'funding', '--from', '2025-05-25', '--to', '2025-05-26T00:00:01Z', '--store', store, '--json']);
    expect(shown.code, shown.stderr).toBe(0);
    const body = JSON.parse(shown.stdout);
    expect(body.series).toBe('funding/binance/BTC/USDT:USDT');
    // The freqtrade funding file starts at 2025-05-25T16:00Z; the other funding sources end in 2024.
    expect(body.data.map((r: { ts: string; rate: number }) => [r.ts, r.rate])).toEqual([
      ['2025-05-25T16:00:00.000Z', 0.00003651],
      ['2025-05-26T00:00:00.000Z', 0.00007331],
    ]);
  });

  it('replays stored spot, perp and funding in event-time order with bars at their close', async () => {
    const keys = [
      { table: 'bars' as const, venue: 'binance', symbol: 'BTC/USDT', timeframe: '1m' },
      { table: 'bars' as const, venue: 'binance', symbol: 'BTC/USDT:USDT', timeframe: '1m' },
      { table: 'funding' as const, venue: 'binance', symbol: 'BTC/USDT:USDT', timeframe: null },
    ];
    const from = Date.UTC(2025, 4, 25, 10, 34);
    const to = Date.UTC(2025, 5, 24, 10, 32) + 1; // [from, to): the last bar closes at 10:32
    let last = -Infinity;
    let ordered = true;
    const counts = [0, 0, 0];
    const stats = await replay(storeSources(new MarketStore(store), keys, { fromMs: from - 60_000, toMs: to }), (c) => {
      if (c.time < last) ordered = false;
      last = c.time;
      counts[c.seriesIndex]++;
    }, { from, to });
    expect(ordered).toBe(true);
    expect(counts[1]).toBe(43_199);
    expect(counts[0]).toBe(43_199);
    expect(counts[2]).toBe(89);
    expect(stats.events).toBe(43_199 * 2 + 89);
  });

  it('a directory with a broken file imports the other files, names the broken one and exits 1', async () => {
    const dir = tempDir();
    cpSync(dataPath('binance_usdm_perp_1m__TheSnowGuru_Market-Swarm-Agents'), dir, { recursive: true });
    const broken = join(dir, 'BTC_USDT_USDT-8h-mark.feather');
    writeFileSync(broken, readFileSync(broken).subarray(0, 1000));
    const target = tempDir();
    const result = await runCli(['data', 'import', dir, '--venue', 'binance', '--store', target, '--json', '--quiet']);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout);
    expect(report.failedFiles).toEqual([{ source: broken, reason: expect.stringContaining('truncated') }]);
    expect(report.files).toHaveLength(2);
    expect(readdirSync(join(target, 'series'))).toEqual(['bars', 'funding']);
  });

  it('explains a missing series and bad arguments in one line', async () => {
    const shown = await runCli(['data', 'show', 'binance', 'DOGE/USDT', '--store', store]);
    expect(shown.code).toBe(1);
    expect(shown.stderr.trim()).toBe('error: no bars for binance DOGE/USDT (see perp-arb data ls)');
    const badTime = await runCli(['data', 'show', 'binance', 'BTC/USDT', '--timeframe', '1m', '--from', 'yesterday', '--store', store]);
    expect(badTime.stderr.trim()).toBe("error: cannot parse time 'yesterday' (use ISO-8601 like 2025-06-01T00:00Z, or epoch ms)");
  });
});
