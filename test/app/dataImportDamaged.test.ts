import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';
import { dataPath } from '../support/paths.ts';
import { useTempDirs } from '../support/tempDir.ts';

const FREQTRADE = 'binance_usdm_perp_1m__TheSnowGuru_Market-Swarm-Agents';
const LEAN = 'bybit_binance_minute_20221213__QuantConnect_Lean/Data';
const CAPTURES = 'raw_exchange_api_captures__bmoscon_cryptofeed';

/** Deterministic bytes that are no format at all. */
function noiseBytes(length: number, seed: number): Buffer {
  const out = Buffer.alloc(length);
  let x = seed >>> 0;
  for (let i = 0; i < length; i++) {
    x = (Math.imul(x, 1_664_525) + 1_013_904_223) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

const GOOD = {
  funding: 'ft/binance/BTC_USDT_USDT-8h-funding_rate.feather',
  leanTrade: 'lean/Data/cryptofuture/bybit/minute/btcusdt/20221213_trade.zip',
  leanFunding: 'lean/Data/cryptofuture/bybit/margin_interest/btcusdt.csv',
  ftxGz: 'captures/FTX.0.gz',
};
const BAD = {
  truncatedFeather: 'ft/binance/BTC_USDT_USDT-8h-mark.feather',
  randomFeather: 'ft/binance/ETH_USDT_USDT-8h-mark.feather',
  forgedFeather: 'ft/binance/SOL_USDT_USDT-8h-mark.feather',
  truncatedZip: 'lean/Data/cryptofuture/bybit/minute/btcusdt/20221213_quote.zip',
  randomZip: 'lean/Data/crypto/bybit/minute/btcusdt/20221213_trade.zip',
  truncatedGz: 'captures/BINANCE_FUTURES.http.0.0.gz',
};

/** Where each damaged file's good version comes from, to "repair" it. */
const ORIGINALS: Record<keyof typeof BAD, () => Buffer> = {
  truncatedFeather: () => readFileSync(dataPath(FREQTRADE, 'BTC_USDT_USDT-8h-mark.feather')),
  randomFeather: () => readFileSync(dataPath(FREQTRADE, 'BTC_USDT_USDT-8h-mark.feather')),
  forgedFeather: () => readFileSync(dataPath(FREQTRADE, 'BTC_USDT_USDT-8h-mark.feather')),
  truncatedZip: () => readFileSync(dataPath(LEAN, 'cryptofuture/bybit/minute/btcusdt/20221213_quote.zip')),
  randomZip: () => readFileSync(dataPath(LEAN, 'crypto/bybit/minute/btcusdt/20221213_trade.zip')),
  truncatedGz: () => gzipSync(readFileSync(dataPath(CAPTURES, 'at_ce58c2a0015040aa2271e80bac783d74fa2cdcff/BINANCE_FUTURES.http.0.0'))),
};

const REASONS: Record<keyof typeof BAD, RegExp> = {
  truncatedFeather: /Feather.*truncated/,
  randomFeather: /not an Arrow IPC \(Feather v2\) file.*expected/,
  forgedFeather: /malformed Arrow IPC \(Feather v2\) file.*expected/,
  truncatedZip: /not a readable zip.*expected/,
  randomZip: /not a readable zip.*expected/,
  truncatedGz: /gzip.*(truncated|damaged).*expected/,
};

function write(root: string, rel: string, bytes: Uint8Array): string {
  const path = join(root, rel);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, bytes);
  return path;
}

/** Four good files of four formats and six damaged ones (truncated or forged) in one directory tree. */
function damagedTree(root: string): void {
  cpSync(dataPath(FREQTRADE, 'BTC_USDT_USDT-8h-funding_rate.feather'), join(root, GOOD.funding), { recursive: true });
  write(root, GOOD.leanTrade, readFileSync(dataPath(LEAN, 'cryptofuture/bybit/minute/btcusdt/20221213_trade.zip')));
  write(root, GOOD.leanFunding, readFileSync(dataPath(LEAN, 'cryptofuture/bybit/margin_interest/btcusdt.csv')));
  write(root, GOOD.ftxGz, gzipSync(readFileSync(dataPath(CAPTURES, 'at_ad74b11d5de8ad0414231c23dc5d7f73cdbfc5ab/FTX.0'))));

  const mark = ORIGINALS.truncatedFeather();
  write(root, BAD.truncatedFeather, mark.subarray(0, 1000));
  write(root, BAD.randomFeather, noiseBytes(mark.length, 1));
  write(root, BAD.forgedFeather, Buffer.concat([Buffer.from('ARROW1\0\0'), noiseBytes(3000, 2), Buffer.from('ARROW1')]));
  const quote = ORIGINALS.truncatedZip();
  write(root, BAD.truncatedZip, quote.subarray(0, Math.floor(quote.length / 2)));
  write(root, BAD.randomZip, noiseBytes(20_000, 3));
  const gz = ORIGINALS.truncatedGz();
  write(root, BAD.truncatedGz, gz.subarray(0, Math.floor(gz.length / 2)));
}

interface Report {
  files: { source: string }[];
  failedFiles: { source: string; reason: string }[];
  added: number;
  unchanged: number;
  changed: boolean;
}

describe('data import of a directory with damaged files', () => {
  const tempDir = useTempDirs();

  it('imports the good files, lists every damaged one with its reason and exits 1; --skip-bad-files exits 0; a re-run after repair adds only the rest', async () => {
    const root = tempDir();
    const store = tempDir();
    damagedTree(root);

    const first = await runCli(['data', 'import', root, '--store', store, '--json', '--quiet']);
    expect(first.code).toBe(1);
    expect(first.stderr.trim().split('\n')).toHaveLength(1);
    expect(first.stderr).toMatch(/6 of 10 files could not be imported/);
    const report = JSON.parse(first.stdout) as Report;
    expect(report.files.map((f) => f.source).sort()).toEqual(Object.values(GOOD).map((rel) => join(root, rel)).sort());
    expect(report.failedFiles.map((f) => f.source).sort()).toEqual(Object.values(BAD).map((rel) => join(root, rel)).sort());
    for (const [kind, rel] of Object.entries(BAD) as [keyof typeof BAD, string][]) {
      const failed = report.failedFiles.find((f) => f.source === join(root, rel));
      expect(failed?.reason, kind).toMatch(REASONS[kind]);
      expect(failed?.reason, kind).not.toContain('\n');
    }
    expect(report.added).toBeGreaterThan(0);

    const ls = JSON.parse((await runCli(['data', 'ls', '--store', store, '--json'])).stdout) as { series: { id: string; rows: number }[] };
    const rows = Object.fromEntries(ls.series.map((s) => [s.id, s.rows]));
    expect(rows['funding/binance/BTC/USDT:USDT']).toBe(89);
    expect(rows['bars/bybit/BTC/USDT:USDT/1m']).toBe(721);
    expect(rows['funding/bybit/BTC/USDT:USDT']).toBe(3);
    expect(rows['quotes/ftx/BTC/USD:USD-211231']).toBe(1);
    expect(rows['mark_bars/binance/BTC/USDT:USDT/8h']).toBeUndefined();
    expect(rows['quote_bars/bybit/BTC/USDT:USDT/1m']).toBeUndefined();

    const human = await runCli(['data', 'import', root, '--store', store, '--quiet']);
    expect(human.code).toBe(1);
    expect(human.stdout).toMatch(/6 files failed \(not imported\):/);
    for (const rel of Object.values(BAD)) expect(human.stdout).toContain(`failed ${join(root, rel)}: `);

    const skipping = await runCli(['data', 'import', root, '--store', store, '--json', '--quiet', '--skip-bad-files']);
    expect(skipping.code).toBe(0);
    const skipped = JSON.parse(skipping.stdout) as Report;
    expect(skipped.failedFiles).toEqual(report.failedFiles);
    expect(skipped).toMatchObject({ added: 0, changed: false, unchanged: report.added });

    for (const [kind, rel] of Object.entries(BAD) as [keyof typeof BAD, string][]) write(root, rel, ORIGINALS[kind]());
    const repaired = await runCli(['data', 'import', root, '--store', store, '--json', '--quiet']);
    expect(repaired.code, repaired.stderr).toBe(0);
    const after = JSON.parse(repaired.stdout) as Report;
    expect(after.failedFiles).toEqual([]);
    expect(after.unchanged).toBe(report.added);
    expect(after.added).toBeGreaterThan(0);
    const again = await runCli(['data', 'import', root, '--store', store, '--json', '--quiet']);
    expect(JSON.parse(again.stdout)).toMatchObject({ added: 0, changed: false, failedFiles: [] });
  }, 120_000);

  it('a damaged file imported on its own fails with exit 1 and one line naming it', async () => {
    const root = tempDir();
    const store = tempDir();
    damagedTree(root);
    for (const [kind, rel] of Object.entries(BAD) as [keyof typeof BAD, string][]) {
      const path = join(root, rel);
      const result = await runCli(['data', 'import', path, '--store', store, '--quiet']);
      expect(result.code, kind).toBe(1);
      expect(result.stdout, kind).toBe('');
      const lines = result.stderr.trim().split('\n');
      expect(lines, kind).toHaveLength(1);
      expect(lines[0], kind).toContain(path);
      expect(lines[0], kind).toMatch(REASONS[kind]);
    }
  }, 60_000);
});
