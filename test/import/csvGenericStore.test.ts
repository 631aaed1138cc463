import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MarketStore } from '../../src/data/store/marketStore.ts';
import { importIntoStore, runCli } from '../support/cli.ts';
import { dataPath } from '../support/paths.ts';
import { useTempDirs } from '../support/tempDir.ts';

/**
 * Real funding files (supervik, Binance BTC and ETH, 2020-2023: 4,383 settlements each) imported by
 * their own importer, then the same settlements re-expressed as a generic CSV (epoch ms, the rate
 * text as written) and imported after them.
 */
const SUPERVIK = (asset: string) => dataPath('funding_history_7_exchanges__supervik', `${asset}-USDT`, `${asset}-USDT_binance_2020-01-01_2024-01-01_funding_history.csv`);
const SETTLEMENTS = 4_383;

interface Settlement {
  ms: number;
  symbol: string;
  rate: string;
}

/** The supervik rows as settlements: Date is UTC+3 for Binance (SOURCES.md). */
function settlements(asset: string): Settlement[] {
  const lines = readFileSync(SUPERVIK(asset), 'utf8').trim().split('\n').slice(1);
  return lines.map((line) => {
    const [, date, rate] = line.split(',');
    return { ms: Date.parse(`${date.replace(' ', 'T')}+03:00`), symbol: `${asset}/USDT:USDT`, rate };
  });
}

function writeGeneric(path: string, rows: Settlement[], withSymbol: boolean): string {
  const header = withSymbol ? 'funding_time_ms,symbol,funding_rate' : 'funding_time_ms,funding_rate';
  writeFileSync(path, `${[header, ...rows.map((r) => (withSymbol ? `${r.ms},${r.symbol},${r.rate}` : `${r.ms},${r.rate}`))].join('\n')}\n`);
  return path;
}

interface ImportJson {
  rowsRead: number;
  added: number;
  unchanged: number;
  rejected: number;
  files: { rejections: { source: string; line: number; reason: string }[]; notes: string[]; series: { id: string; taken: number; unchanged: number }[] }[];
}

async function importCsv(store: string, path: string, extra: string[]): Promise<{ code: number; body: ImportJson; stderr: string }> {
  const result = await runCli(['data', 'import', path, '--store', store, '--format', 'csv', '--venue', 'binance', '--table', 'funding', '--quiet', '--json', ...extra]);
  return { code: result.code, body: JSON.parse(result.stdout), stderr: result.stderr };
}

describe('generic CSV funding after the same settlements from another source', () => {
  const tempDir = useTempDirs();

  it('derives the interval from the spacing of the settlements: all 4,383 Binance BTC settlements are unchanged, none a conflict', async () => {
    const store = tempDir();
    await importIntoStore(store, [SUPERVIK('BTC')]);
    const csv = writeGeneric(join(tempDir(), 'binance_btc_funding.csv'), settlements('BTC'), false);
    const { code, body } = await importCsv(store, csv, ['--symbol', 'BTC/USDT:USDT', '--map', 'ts=funding_time_ms:ms,rate=funding_rate']);
    expect(code).toBe(0);
    expect({ rowsRead: body.rowsRead, added: body.added, unchanged: body.unchanged, rejected: body.rejected }).toEqual({ rowsRead: SETTLEMENTS, added: 0, unchanged: SETTLEMENTS, rejected: 0 });
    expect(body.files[0].notes).toContain('binance BTC/USDT:USDT: funding interval 8h inferred from the most common gap between rows');
  });

  it('a single settlement takes the interval of the contract the store knows, and is unchanged', async () => {
    const store = tempDir();
    await importIntoStore(store, [SUPERVIK('BTC')]);
    const csv = writeGeneric(join(tempDir(), 'one.csv'), settlements('BTC').slice(100, 101), false);
    const { code, body } = await importCsv(store, csv, ['--symbol', 'BTC/USDT:USDT', '--map', 'ts=funding_time_ms:ms,rate=funding_rate']);
    expect(code).toBe(0);
    expect({ added: body.added, unchanged: body.unchanged, rejected: body.rejected }).toEqual({ added: 0, unchanged: 1, rejected: 0 });
    expect(body.files[0].notes).toContain('binance BTC/USDT:USDT: funding interval 8h from the instrument the store knows (too few rows to infer it)');
  });
});

describe('generic CSV with a symbol column (symbol=COLUMN in --map)', () => {
  const tempDir = useTempDirs();
  // BTC and ETH settlements interleaved in time order, one file.
  const both = [...settlements('BTC'), ...settlements('ETH')].sort((a, b) => a.ms - b.ms || a.symbol.localeCompare(b.symbol));
  const MAP = 'ts=funding_time_ms:ms,rate=funding_rate,symbol=symbol';

  it('routes the rows to one series per symbol, equal to the series of the original files', async () => {
    const original = tempDir();
    await importIntoStore(original, [SUPERVIK('BTC'), SUPERVIK('ETH')]);
    const csv = writeGeneric(join(tempDir(), 'binance_funding.csv'), both, true);
    const again = await importCsv(original, csv, ['--map', MAP]);
    expect(again.code).toBe(0);
    expect({ added: again.body.added, unchanged: again.body.unchanged, rejected: again.body.rejected }).toEqual({ added: 0, unchanged: 2 * SETTLEMENTS, rejected: 0 });
    expect(again.body.files[0].series.map((s) => [s.id, s.taken, s.unchanged])).toEqual([
      ['funding/binance/BTC/USDT:USDT', SETTLEMENTS, SETTLEMENTS],
      ['funding/binance/ETH/USDT:USDT', SETTLEMENTS, SETTLEMENTS],
    ]);

    const fresh = tempDir();
    const first = await importCsv(fresh, csv, ['--map', MAP]);
    expect(first.code).toBe(0);
    expect(first.body.added).toBe(2 * SETTLEMENTS);
    for (const symbol of ['BTC/USDT:USDT', 'ETH/USDT:USDT']) {
      const key = { table: 'funding' as const, venue: 'binance', symbol, timeframe: null };
      const [a, b] = await Promise.all([new MarketStore(fresh).read(key), new MarketStore(original).read(key)]);
      expect(a.rows).toBe(SETTLEMENTS);
      for (const column of ['ts', 'rate', 'interval_ms']) expect(Array.from(a.columns[column] as Float64Array), `${symbol} ${column}`).toEqual(Array.from(b.columns[column] as Float64Array));
    }
  });

  it('with --symbol too, a row of another symbol is rejected with file and line; the others are imported', async () => {
    const store = tempDir();
    const csv = writeGeneric(join(tempDir(), 'binance_funding.csv'), both, true);
    const { code, body } = await importCsv(store, csv, ['--symbol', 'BTC/USDT:USDT', '--map', MAP]);
    expect(code).toBe(0);
    expect({ rowsRead: body.rowsRead, added: body.added, rejected: body.rejected }).toEqual({ rowsRead: 2 * SETTLEMENTS, added: SETTLEMENTS, rejected: SETTLEMENTS });
    const ethLine = both.findIndex((r) => r.symbol === 'ETH/USDT:USDT') + 2; // 1-based, after the header
    expect(body.files[0].rejections[0]).toEqual({ source: csv, line: ethLine, reason: "column symbol (symbol): 'ETH/USDT:USDT' disagrees with --symbol BTC/USDT:USDT" });
    expect(body.files[0].series.map((s) => s.id)).toEqual(['funding/binance/BTC/USDT:USDT']);
  });

  it('a symbol that is not a unified symbol is a rejected row naming file and line', async () => {
    const dir = tempDir();
    const csv = join(dir, 'mixed.csv');
    writeFileSync(csv, 'funding_time_ms,symbol,funding_rate\n1700006400000,BTC/USDT:USDT,0.0001\n1700006400000,BTCUSDT,0.0001\n1700035200000,BTC/USDT:USDT,0.0002\n');
    const { code, body } = await importCsv(tempDir(), csv, ['--map', MAP]);
    expect(code).toBe(0);
    expect(body.added).toBe(2);
    expect(body.files[0].rejections).toEqual([
      { source: csv, line: 3, reason: "column symbol (symbol): 'BTCUSDT' is not a unified symbol (expected BASE/QUOTE, BASE/QUOTE:SETTLE or BASE/QUOTE:SETTLE-YYMMDD)" },
    ]);
  });
});
