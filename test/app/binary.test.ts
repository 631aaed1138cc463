import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/app/cli/commandTable.ts';
import { PACKAGE_VERSION } from '../../src/app/cli/version.ts';
import { spawnCli } from '../support/cli.ts';
import { PROJECT_ROOT } from '../support/paths.ts';
import { useTempDirs } from '../support/tempDir.ts';

const tempDir = useTempDirs();

// The built binary as its own process (dist/, built from the current sources by the test setup).
describe('the perp-arb binary', () => {
  it('--version prints the version of package.json', async () => {
    const packageVersion = (JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    expect(PACKAGE_VERSION).toBe(packageVersion);
    const result = await spawnCli(['--version']);
    expect(result).toEqual({ stdout: `${packageVersion}\n`, stderr: '', code: 0 });
  });

  it('--help lists every command with its summary and the exit codes', async () => {
    const result = await spawnCli(['--help']);
    expect(result.code).toBe(0);
    for (const command of COMMANDS) expect(result.stdout).toMatch(new RegExp(`^  ${command.name} `, 'm'));
    expect(result.stdout).toContain('Exit codes: 0 done, 1 the work failed, 2 bad usage or configuration, 130');
  });

  it('exit codes: 2 for bad usage, 1 for failed work, each one line; --debug adds the stack', async () => {
    const store = tempDir();
    const unknown = await spawnCli(['data', 'ls', '--store', store, '--bogus']);
    expect(unknown).toEqual({ stdout: '', stderr: "error: unknown option '--bogus' (see --help)\n", code: 2 });
    const noCommand = await spawnCli(['nosuchcommand']);
    expect(noCommand.code).toBe(2);
    expect(noCommand.stderr.trim().split('\n')).toHaveLength(1);
    const missing = await spawnCli(['data', 'show', 'binance', 'BTC/USDT', '--store', store]);
    expect(missing).toEqual({ stdout: '', stderr: 'error: no bars for binance BTC/USDT (see perp-arb data ls)\n', code: 1 });
    const debug = await spawnCli(['data', 'show', 'binance', 'BTC/USDT', '--store', store, '--debug']);
    expect(debug.code).toBe(1);
    expect(debug.stderr.split('\n')[0]).toBe('error: no bars for binance BTC/USDT (see perp-arb data ls)');
    expect(debug.stderr).toMatch(/\n\s+at .*dataCommands/);
  });

  it('the quick start: `perp-arb start` on an empty store backtests the SYNTHETIC market and writes the reports', async () => {
    const dir = tempDir();
    const result = await spawnCli(['start', '--store', join(dir, 'store'), '--report-dir', join(dir, 'reports'), '--json']);
    expect(result.code, result.stderr).toBe(0);
    const out = JSON.parse(result.stdout) as { data: string; runs: { strategy: string; report: string }[] };
    expect(out.data).toBe('synthetic');
    expect(out.runs.map((r) => r.strategy)).toEqual(['fundingCarry', 'ouBasis']);
    for (const run of out.runs) expect(readFileSync(run.report, 'utf8')).toMatch(/^<!doctype html>/i);
  }, 60_000);
});
