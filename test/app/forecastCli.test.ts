import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importIntoStore, runCli } from '../support/cli.ts';
import { dataPath } from '../support/paths.ts';
import { useTempDirs } from '../support/tempDir.ts';
import { tmpdir } from 'node:os';

const SUPERVIK_BTC = dataPath('funding_history_7_exchanges__supervik', 'BTC-USDT');

/** The binance CSV's settlements as UTC ms (its Date is UTC+3, SOURCES.md) and rates. */
function binanceRows(): { ms: number; rate: number }[] {
  const text = readFileSync(join(SUPERVIK_BTC, 'BTC-USDT_binance_2020-01-01_2024-01-01_funding_history.csv'), 'utf8');
  return text
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => {
      const [, date, rate] = line.split(',');
      return { ms: Date.parse(`${date.replace(' ', 'T')}+03:00`), rate: Number(rate) };
    });
}

describe('perp-arb forecast evaluate (supervik BTC funding, imported with perp-arb data import)', () => {
  let store: string;
  beforeAll(async () => {
    store = mkdtempSync(join(tmpdir(), 'perp-arb-forecast-cli-'));
    await importIntoStore(store, [SUPERVIK_BTC]);
  }, 120_000);
  afterAll(() => rmSync(store, { recursive: true, force: true }));
  const tempDir = useTempDirs();

  it('--json: n and persistence as computed from the CSV; the AR model with its skill ratio', async () => {
    const from = Date.UTC(2023, 0, 1);
    const to = Date.UTC(2023, 3, 1);
    const rows = binanceRows();
    let n = 0;
    let abs = 0;
    let sq = 0;
    for (let j = 1; j < rows.length; j++) {
      if (rows[j].ms < from || rows[j].ms >= to) continue;
      n++;
      abs += Math.abs(rows[j].rate - rows[j - 1].rate);
      sq += (rows[j].rate - rows[j - 1].rate) ** 2;
    }
    expect(n).toBe(270); // 90 days x 3
    const res = await runCli(['forecast', 'evaluate', '--store', store, '--venue', 'binance', '--symbol', 'BTC/USDT:USDT', '--test-from', '2023-01-01', '--test-to', '2023-04-01', '--json']);
    expect(res.code, res.stderr).toBe(0);
    const out = JSON.parse(res.stdout);
    expect(out.n).toBe(n);
    expect(out.baseline.name).toBe('persistence');
    expect(out.baseline.mae).toBeCloseTo(abs / n, 14);
    expect(out.baseline.rmse).toBeCloseTo(Math.sqrt(sq / n), 14);
    expect(out.model.name).toBe('ar');
    expect(out.skillRatio).toBeCloseTo(out.model.mae / out.baseline.mae, 12);
    expect(out.model.intervalCoverage).toBeGreaterThan(0.5);
    expect(out.predicted).toBeNull(); // supervik has settlements only, no venue quotes
    expect(out.points).toBeUndefined();
  });

  it('the forest uses the other venues of the store as a feature', async () => {
    const res = await runCli(['forecast', 'evaluate', '--store', store, '--venue', 'bybit', '--symbol', 'BTC/USDT:USDT', '--test-from', '2023-06-01', '--test-to', '2023-07-01', '--model', 'forest', '--json']);
    expect(res.code, res.stderr).toBe(0);
    const out = JSON.parse(res.stdout);
    expect(out.n).toBe(90);
    expect(out.model.features).toContain('otherMarketsRatePer8h');
    expect(out.model.fits).toBe(1);
  });

  it('clear one-line errors: unknown venue, symbol, model, empty window, too little history, no store', async () => {
    const base = ['forecast', 'evaluate', '--store', store, '--json'];
    const cases: [string[], string][] = [
      [['--venue', 'ftx', '--symbol', 'BTC/USDT:USDT', '--test-from', '2023-01-01', '--test-to', '2023-02-01'], "unknown venue 'ftx': the store"],
      [['--venue', 'binance', '--symbol', 'SOL/USDT:USDT', '--test-from', '2023-01-01', '--test-to', '2023-02-01'], "no funding for 'SOL/USDT:USDT' on binance"],
      [['--venue', 'binance', '--symbol', 'BTC/USDT:USDT', '--test-from', '2023-01-01', '--test-to', '2023-02-01', '--model', 'lstm'], "--model: unknown forecast model 'lstm' (one of ar, forest, persistence)"],
      [['--venue', 'binance', '--symbol', 'BTC/USDT:USDT', '--test-from', '2025-01-01', '--test-to', '2025-02-01'], 'no binance BTC/USDT:USDT settlement in [2025-01-01T00:00:00.000Z, 2025-02-01T00:00:00.000Z)'],
      [['--venue', 'dydx', '--symbol', 'BTC/USD:USDC', '--test-from', '2022-01-02', '--test-to', '2022-02-01'], 'too little history for ar on dydx BTC/USD:USDC'],
      [['--venue', 'binance', '--symbol', 'BTC/USDT:USDT', '--test-from', '2023-02-01', '--test-to', '2023-01-01'], 'the test window is empty'],
    ];
    for (const [args, message] of cases) {
      const res = await runCli([...base, ...args]);
      expect(res.code, args.join(' ')).toBe(2);
      expect(JSON.parse(res.stdout).error).toContain(message);
    }
    const none = await runCli(['forecast', 'evaluate', '--store', tempDir(), '--venue', 'binance', '--symbol', 'BTC/USDT:USDT', '--test-from', '2023-01-01', '--test-to', '2023-02-01']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no market-data store there');
  });
});
