import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, type CliResult } from '../support/cli.ts';
import { dataPath } from '../support/paths.ts';
import { useTempDirs } from '../support/tempDir.ts';

const FUNDING = dataPath('binance_usdm_perp_1m__TheSnowGuru_Market-Swarm-Agents', 'BTC_USDT_USDT-8h-funding_rate.feather');
/** C0 (but the line break ending a line), DEL, C1 and bidi controls: none may reach the terminal raw. */
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

const oneLine = (result: CliResult) => {
  const lines = result.stderr.trim().split('\n');
  expect(lines, result.stderr).toHaveLength(1);
  return lines[0];
};

describe('CLI messages', () => {
  const tempDir = useTempDirs();

  it('a path too long for the file system is a usage error naming the option, not ENAMETOOLONG', async () => {
    const store = tempDir();
    const longName = `/tmp/${'a'.repeat(300)}`;
    const longPath = `/tmp/${'ab/'.repeat(1400)}x`;
    const cases: [string[], string][] = [
      [['data', 'import', longName, '--store', store], 'data import <path>'],
      [['data', 'import', FUNDING, '--venue', 'binance', '--store', longName], '--store'],
      [['data', 'import', FUNDING, '--venue', 'binance', '--store', store, '--rejects', longPath], '--rejects'],
      [['data', 'ls', '--store', longName], '--store'],
      [['data', 'show', 'binance', 'BTC/USDT', '--store', longPath], '--store'],
      [['backtest', '--config', longName], '--config'],
      [['sweep', '--config', longPath], '--config'],
      [['scan', '--config', longName], '--config'],
    ];
    for (const [args, option] of cases) {
      const result = await runCli(args);
      expect(result.code, args.join(' ')).toBe(2);
      const line = oneLine(result);
      expect(line.startsWith(`error: ${option}: `), line).toBe(true);
      expect(line).toMatch(/is too long \(\d+ bytes; at most (255 per file or directory name|4095)\)$/);
      expect(line).not.toContain('ENAMETOOLONG');
      expect(line.length).toBeLessThan(200);
    }
  });

  it('refuses --venue, --symbol and show arguments with control characters, printing them escaped', async () => {
    const store = tempDir();
    const cases: [string[], string][] = [
      [['data', 'import', FUNDING, '--store', store, '--venue', '\u001b[31mbinance'], "error: --venue: '\\x1b[31mbinance' is not a venue id"],
      [['data', 'import', FUNDING, '--store', store, '--symbol', 'BTC/USDT\u001b]0;owned\u0007'], "error: --symbol: 'BTC/USDT\\x1b]0;owned\\x07' is not a unified symbol"],
      [['data', 'show', 'bin\u009bance', 'BTC/USDT', '--store', store], "error: <venue>: 'bin\\x9bance' is not a venue id"],
      [['data', 'show', 'binance', 'BTC/\u202eTDSU', '--store', store], "error: <symbol>: 'BTC/\\u{202e}TDSU' is not a unified symbol"],
      [['data', 'import', FUNDING, '--store', store, '--timezone', 'Mars/\u001b[5mBase'], "error: --timezone: unknown time zone 'Mars/\\x1b[5mBase'"],
    ];
    for (const [args, start] of cases) {
      const result = await runCli(args);
      expect(result.code, start).toBe(2);
      const line = oneLine(result);
      expect(line.startsWith(start), line).toBe(true);
      expect(line).not.toMatch(RAW_CONTROL);
    }
  });

  it('escapes names from files in errors and in data ls', async () => {
    const root = tempDir();
    const store = tempDir();
    const dir = join(root, 'binance');
    mkdirSync(dir);
    const evil = join(dir, 'BTC_USDT_USDT-8h-\u001b[2Jmark.feather');
    writeFileSync(evil, 'not arrow');
    const failed = await runCli(['data', 'import', evil, '--store', store, '--quiet']);
    expect(failed.code).toBe(1);
    expect(oneLine(failed)).toContain('BTC_USDT_USDT-8h-\\x1b[2Jmark.feather');
    expect(failed.stderr).not.toMatch(RAW_CONTROL);

    const imported = await runCli(['data', 'import', FUNDING, '--venue', 'binance', '--store', store, '--quiet']);
    expect(imported.code, imported.stderr).toBe(0);
    // A store written by something else (or edited) is outside input too.
    const manifestPath = join(store, 'manifest.json');
    writeFileSync(manifestPath, readFileSync(manifestPath, 'utf8').replaceAll('"symbol": "BTC/USDT:USDT"', '"symbol": "BTC/USDT:USDT\\u001b[2J"'));
    const ls = await runCli(['data', 'ls', '--store', store]);
    expect(`${ls.stdout}${ls.stderr}`).not.toMatch(RAW_CONTROL);
    expect(`${ls.stdout}${ls.stderr}`).toContain('BTC/USDT:USDT\\x1b[2J');
  });
});
