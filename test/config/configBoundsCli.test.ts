import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, type CliResult } from '../support/cli.ts';
import { PROJECT_ROOT } from '../support/paths.ts';
import { useTempDirs } from '../support/tempDir.ts';

/**
 * Issue 12, defect 3: an unbounded config value (days: 1e9) ran the process out of memory or for
 * ever. Every such value is now a usage error (exit 2), found before any work starts, whose one-line
 * message names the field, its path and the allowed range.
 */

const tempDir = useTempDirs();
const EXAMPLES = join(PROJECT_ROOT, 'examples');
const DAYS_RANGE = '[0.000694444, 3650] days';
// A bad config must be answered before any work: a 1e9-day backtest that started would never end,
// so each test's timeout is the check (speed figures belong in the benchmarks, not in tests).

const ouBase = () => JSON.parse(readFileSync(join(EXAMPLES, 'backtest-ou-synthetic.json'), 'utf8')) as Record<string, any>;

function writeJson(name: string, value: unknown): string {
  const file = join(tempDir(), name);
  writeFileSync(file, JSON.stringify(value));
  return file;
}

/** The one error line of a --json run. */
const errorOf = (r: CliResult) => (JSON.parse(r.stdout) as { error: string }).error;

describe('config bounds (exit 2, named path and range, before any work)', () => {
  it('backtest: days: 1e9 in a synthetic market', async () => {
    const base = ouBase();
    base.data.days = 1e9;
    const file = writeJson('days.json', base);
    const r = await runCli(['backtest', '--config', file, '--json', '--no-report']);
    expect(r.code, r.stderr).toBe(2);
    expect(errorOf(r)).toBe(`${file}: data.days: must be a number in ${DAYS_RANGE} (got 1e9)`);
  }, 20_000);

  it('sweep: days: 1e9 in the base (inline and as a file), and as a grid value', async () => {
    const base = ouBase();
    base.data.days = 1e9;
    const inline = writeJson('sweep.json', { base, grid: { 'venues.0.halfSpreadBps': [0.5, 1] }, walkForward: { trainDays: 10, testDays: 5 } });
    const r1 = await runCli(['sweep', '--config', inline, '--json']);
    expect(r1.code, r1.stderr).toBe(2);
    expect(errorOf(r1)).toBe(`${inline}: base.data.days: must be a number in ${DAYS_RANGE} (got 1e9)`);

    const baseFile = writeJson('base.json', base);
    const byPath = writeJson('sweep.json', { base: baseFile, grid: { 'venues.0.halfSpreadBps': [0.5, 1] } });
    const r2 = await runCli(['sweep', '--config', byPath]);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toBe(`error: ${baseFile}: data.days: must be a number in ${DAYS_RANGE} (got 1e9)\n`);

    const inGrid = writeJson('sweep.json', { base: ouBase(), grid: { 'venues.0.halfSpreadBps': [0.5], 'data.days': [30, 1e9] }, walkForward: { trainDays: 10, testDays: 5 } });
    const r3 = await runCli(['sweep', '--config', inGrid, '--json']);
    expect(r3.code, r3.stderr).toBe(2);
    expect(errorOf(r3)).toBe(`${inGrid}: grid["data.days"][1] = 1000000000: data.days: must be a number in ${DAYS_RANGE} (got 1e9)`);
  }, 30_000);

  it('a negative or absurd halfSpreadBps, an overflowing number (1e400 reads as Infinity) and an unsafe seed', async () => {
    for (const [value, shown] of [
      [-1, '-1'],
      [5000, '5000'],
    ] as const) {
      const base = ouBase();
      base.venues[0].halfSpreadBps = value;
      const file = writeJson('spread.json', base);
      const r = await runCli(['backtest', '--config', file, '--json', '--no-report']);
      expect(r.code).toBe(2);
      expect(errorOf(r)).toBe(`${file}: venues.0.halfSpreadBps: must be a number in [0, 1000] bps (got ${shown})`);
    }
    const text = JSON.stringify(ouBase()).replace('"notionalUsd":40000', '"notionalUsd":1e400');
    const file = join(tempDir(), 'inf.json');
    writeFileSync(file, text);
    const inf = await runCli(['backtest', '--config', file, '--json', '--no-report']);
    expect(inf.code).toBe(2);
    expect(errorOf(inf)).toBe(`${file}: strategy.params.notionalUsd: must be a number in (0, 1e9] USD (got Infinity)`);
    const seeded = ouBase();
    seeded.data.seed = 2 ** 60;
    const seedFile = writeJson('seed.json', seeded);
    const seed = await runCli(['backtest', '--config', seedFile, '--json', '--no-report']);
    expect(seed.code).toBe(2);
    expect(errorOf(seed)).toMatch(/data\.seed: must be an integer in \[-\(2\^53-1\), 2\^53-1\]/);
  }, 30_000);

  it('unknown nested keys and bad record keys are rejected with their paths', async () => {
    const base = ouBase();
    base.data.options = { gbmVolAnual: 0.5 };
    base.venues[0].balances = { usdt: 100000 };
    const file = writeJson('keys.json', base);
    const r = await runCli(['backtest', '--config', file, '--json', '--no-report']);
    expect(r.code).toBe(2);
    expect(errorOf(r)).toBe(
      `${file}: unknown key 'data.options.gbmVolAnual'; venues.0.balances.usdt: bad key: an asset code in capitals and digits, e.g. USDT or BTC (1 to 20 characters)`,
    );
    // data.options holds the generator's options, but not the ones data sets itself.
    const seeded = ouBase();
    seeded.data.options = { bars: 10 };
    const r2 = await runCli(['backtest', '--config', writeJson('bars.json', seeded), '--json', '--no-report']);
    expect(errorOf(r2)).toMatch(/unknown key 'data\.options\.bars'/);
    // A sweep's grid path into an unknown key.
    const sweep = writeJson('sweep.json', { base: ouBase(), grid: { 'venues.0.fill.halfSpreadBps': [1] } });
    const r3 = await runCli(['sweep', '--config', sweep, '--json']);
    expect(r3.code).toBe(2);
    expect(errorOf(r3)).toBe(`${sweep}: grid["venues.0.fill.halfSpreadBps"][0] = 1: unknown key 'venues.0.fill'`);
    const badPath = writeJson('sweep.json', { base: ouBase(), grid: { 'venues..x': [1] } });
    expect(errorOf(await runCli(['sweep', '--config', badPath, '--json']))).toMatch(/grid\["venues\.\.x"\]: bad key: a dotted path/);
  }, 30_000);

  it('a huge grid, too many folds and too many simulated days are refused before anything runs', async () => {
    const values = (n: number, step: number) => Array.from({ length: n }, (_, k) => k * step);
    const huge = writeJson('huge.json', { base: ouBase(), grid: { 'venues.0.halfSpreadBps': values(100, 0.01), 'strategy.params.minExpectedProfitFraction': values(100, 1e-5), 'venues.0.leverage': values(100, 0.01).map((v) => 1 + v) } });
    const r1 = await runCli(['sweep', '--config', huge, '--json']);
    expect(r1.code).toBe(2);
    expect(errorOf(r1)).toBe(`${huge}: grid: 100 x 100 x 100 = 1000000 combinations; at most 10000 (split the sweep, or list fewer values)`);

    const long = ouBase();
    long.data.days = 3650;
    const folds = writeJson('folds.json', { base: long, grid: { 'venues.0.halfSpreadBps': [1] }, walkForward: { trainDays: 0.001, testDays: 0.001 } });
    const r2 = await runCli(['sweep', '--config', folds, '--json']);
    expect(r2.code).toBe(2);
    expect(errorOf(r2)).toMatch(/^.*folds\.json: walkForward: 3649999 folds over 2024-01-01T00:00:00\.000Z \.\. 2033-12-29T00:00:00\.000Z with stepDays 0\.001; at most 5000/);

    const days = writeJson('days.json', { base: long, grid: { 'venues.0.halfSpreadBps': values(400, 0.01) } });
    const r3 = await runCli(['sweep', '--config', days, '--json']);
    expect(r3.code).toBe(2);
    expect(errorOf(r3)).toBe(`${days}: the sweep would simulate 1,460,000 days (400 combinations); at most 1,000,000 (fewer values, shorter data or a longer walkForward.stepDays)`);
  }, 30_000);

  it('--workers beyond the documented range is a usage error', async () => {
    const r = await runCli(['sweep', '--config', join(EXAMPLES, 'sweep-ou-synthetic.json'), '--workers', '1000']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--workers');
    expect(r.stderr).toContain('must be a whole number in [1, 64]');
  }, 20_000);
});
