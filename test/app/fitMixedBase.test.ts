import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importIntoStore, runCli } from '../support/cli.ts';
import { dataPath } from '../support/paths.ts';

/** AHA-HH 8h bars and funding of binance, bybit, okx, BTC and ETH (2023-01 .. 2024-07). */
const AHA = dataPath('binance_bybit_okx_8h_spot_perp_funding__AHA-HH');
const MIXED = ['fit', '--spot', 'binance:ETH/USDT', '--perp', 'binance:BTC/USDT:USDT'];
const WARNING = 'mixed base assets: ETH spot against BTC perp; this basis is the ratio of two prices, not a converging spread, and no trade on it is market-neutral';

describe('perp-arb fit on legs of different base assets (AHA-HH 8h, ETH spot against BTC perp)', () => {
  let store: string;

  beforeAll(async () => {
    store = mkdtempSync(join(tmpdir(), 'perp-arb-fit-mixed-'));
    await importIntoStore(store, [AHA]);
  }, 120_000);

  afterAll(() => rmSync(store, { recursive: true, force: true }));

  it('is refused with exit 2 and one line saying why, before any fit', async () => {
    const result = await runCli([...MIXED, '--store', store]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      'error: --spot binance:ETH/USDT and --perp binance:BTC/USDT:USDT have different base assets (ETH and BTC): their basis is the ratio of two prices, ' +
        'not a spread that converges, and no trade on it is market-neutral; give --allow-mixed-base to fit it anyway\n',
    );
    const json = await runCli([...MIXED, '--store', store, '--json']);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout).error).toMatch(/^--spot binance:ETH\/USDT and --perp binance:BTC\/USDT:USDT have different base assets \(ETH and BTC\)/);
  });

  it('with --allow-mixed-base every line of the report carries the warning', async () => {
    const result = await runCli([...MIXED, '--store', store, '--allow-mixed-base']);
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(40);
    expect(lines[0]).toBe(`[WARNING: mixed base] WARNING: ${WARNING}`);
    expect(lines.filter((line) => !line.startsWith('[WARNING: mixed base]'))).toEqual([]);
  });

  it('with --allow-mixed-base --json carries a warnings array', async () => {
    const result = await runCli([...MIXED, '--store', store, '--allow-mixed-base', '--json']);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).warnings).toEqual([WARNING]);
  });

  it('a spot and a perp of one asset have no warning; the funding rate says its interval, per day and APR', async () => {
    const json = await runCli(['fit', '--spot', 'binance:BTC/USDT', '--perp', 'binance:BTC/USDT:USDT', '--store', store, '--json']);
    expect(json.code, json.stderr).toBe(0);
    const fit = JSON.parse(json.stdout);
    expect(fit.warnings).toEqual([]);
    expect(fit.fundingIntervalSeconds).toBe(28_800);
    expect(fit.fundingApr).toBeCloseTo(fit.fundingRatePerInterval * 3 * 365, 15);
    const human = await runCli(['fit', '--spot', 'binance:BTC/USDT', '--perp', 'binance:BTC/USDT:USDT', '--store', store]);
    expect(human.stdout).not.toContain('WARNING');
    const perDay = fit.fundingRatePerInterval * 3;
    expect(human.stdout).toContain(
      `  funding rate ${(fit.fundingRatePerInterval * 100).toFixed(4)}% per 8 h interval = ${(perDay * 100).toFixed(4)}% per day = ${(fit.fundingApr * 100).toFixed(2)}% APR (mean of the 1642 settlements in the store over the span)`,
    );
  });
});
