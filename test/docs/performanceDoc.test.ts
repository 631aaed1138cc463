import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dataPath, PROJECT_ROOT } from '../support/paths.ts';

/**
 * docs/performance-expectations.md must not go stale: a few of its headline numbers are recomputed
 * here straight from the raw CSV files (no store, no project module), and compared with the doc's
 * tables. If the data or the doc changes, rerun `bash docs/performance/reproduce.sh` and update the doc.
 */

const DOC = readFileSync(join(PROJECT_ROOT, 'docs', 'performance-expectations.md'), 'utf8');
const YEAR_HOURS = 365 * 24;

/** The cell of the first markdown table whose header starts with `firstHeader` and has `column`, at the row whose first cell is `rowKey`. */
function docCell(firstHeader: string, rowKey: string, column: string): string {
  const lines = DOC.split('\n');
  const cells = (line: string) => line.split('|').slice(1, -1).map((c) => c.trim());
  const start = lines.findIndex((l) => l.startsWith(`| ${firstHeader} |`) && cells(l).includes(column));
  if (start < 0) throw new Error(`docs/performance-expectations.md: no table whose header starts with '${firstHeader}' and has a column '${column}'`);
  const col = cells(lines[start]).indexOf(column);
  for (let i = start + 2; i < lines.length && lines[i].startsWith('|'); i++) {
    const row = cells(lines[i]);
    if (row[0] === rowKey) return row[col];
  }
  throw new Error(`table '${firstHeader}' (column '${column}'): no row '${rowKey}'`);
}

/** APR in percent of a list of rates per interval: sum / (n x interval) x 365 d. */
const aprPercent = (rates: number[], intervalHours: number) => (100 * rates.reduce((a, r) => a + r, 0) * YEAR_HOURS) / (rates.length * intervalHours);

function csvRows(path: string): string[][] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .slice(1)
    .filter((l) => l.trim() !== '')
    .map((l) => l.split(','));
}

describe('docs/performance-expectations.md against the raw data', () => {
  it('binance BTC 2023 funding APR (AHA-HH all_exchanges.csv)', () => {
    // Winter time at both year ends, so the UK-local year is the UTC year.
    const rows = csvRows(dataPath('binance_bybit_okx_8h_spot_perp_funding__AHA-HH', 'all_exchanges.csv'));
    const rates = rows.filter((r) => r[1] === 'binance' && r[3] === 'BTCUSDT' && r[4] === 'perpetual' && r[0].startsWith('2023-')).map((r) => Number(r[10]));
    expect(rates).toHaveLength(1095);
    const apr = aprPercent(rates, 8);
    expect(apr).toBeGreaterThan(7);
    expect(docCell('venue asset', 'binance BTC', '2023')).toBe(`${apr.toFixed(1)}%`);
    expect(docCell('venue asset', 'binance BTC', '2023 gross / net')).toBe(`${apr.toFixed(2)}% / ${(apr - 0.32).toFixed(2)}%`);
  });

  it('okx ETH 2023 funding APR (AHA-HH)', () => {
    const rows = csvRows(dataPath('binance_bybit_okx_8h_spot_perp_funding__AHA-HH', 'all_exchanges.csv'));
    const rates = rows.filter((r) => r[1] === 'okx' && r[3] === 'ETHUSDT' && r[4] === 'perpetual' && r[0].startsWith('2023-')).map((r) => Number(r[10]));
    expect(rates).toHaveLength(1095);
    expect(docCell('venue asset', 'okx ETH', '2023')).toBe(`${aprPercent(rates, 8).toFixed(1)}%`);
  });

  it('gate BTC 2021 funding APR (supervik, times in UTC)', () => {
    const rows = csvRows(dataPath('funding_history_7_exchanges__supervik', 'BTC-USDT', 'BTC-USDT_gate_2020-01-01_2024-01-01_funding_history.csv'));
    const rates = rows.filter((r) => r[1].startsWith('2021-')).map((r) => Number(r[2]));
    expect(rates).toHaveLength(1095);
    expect(docCell('venue asset', 'gate BTC', '2021')).toBe(`${aprPercent(rates, 8).toFixed(1)}%`);
  });

  it('dydx ETH 2022 funding APR (supervik, hourly)', () => {
    const rows = csvRows(dataPath('funding_history_7_exchanges__supervik', 'ETH-USDT', 'ETH-USDT_dydx_2022-01-01_2024-01-01_funding_history.csv'));
    const rates = rows.filter((r) => r[1].startsWith('2022-')).map((r) => Number(r[2]));
    expect(rates).toHaveLength(8760);
    const apr = aprPercent(rates, 1);
    expect(apr).toBeLessThan(0);
    expect(docCell('venue asset', 'dydx ETH', '2022')).toBe(`${apr.toFixed(1)}%`);
  });

  it('Binance BTC 1m basis, May-June 2025: max |basis| and no point at 0.1% or more (derived joined CSV)', () => {
    const path = dataPath('derived_binance_1m_joined', 'binance_BTCUSDT_spot_vs_usdm_perp_1m_2025-05-25_2025-06-24.csv');
    const lines = readFileSync(path, 'utf8').split('\n').filter((l) => l.trim() !== '');
    const header = lines[0].split(',');
    const spot = header.indexOf('spot_close');
    const perp = header.indexOf('perp_close');
    let maxAbs = 0;
    let atLeast10Bps = 0;
    for (const line of lines.slice(1)) {
      const cells = line.split(',');
      const s = Math.abs(Number(cells[perp]) / Number(cells[spot]) - 1);
      maxAbs = Math.max(maxAbs, s);
      if (s >= 0.001) atLeast10Bps++;
    }
    expect(lines.length - 1).toBe(43_199);
    const row = 'binance BTC 1m, 2025-05-25..06-24';
    expect(docCell('series', row, 'points')).toBe('43199');
    expect(docCell('series', row, 'max abs')).toBe(`${(maxAbs * 1e4).toFixed(1)} bps`);
    expect(atLeast10Bps).toBe(0);
    expect(docCell('series', row, 'abs >= 0.1%')).toBe('0');
  });

  it("the seed's arithmetic quoted in the doc", () => {
    expect((0.0005 * 3 * 365 * 100).toFixed(2)).toBe('54.75');
    expect((0.0001 * 3 * 365 * 100).toFixed(2)).toBe('10.95');
    expect(DOC).toContain('0.05% x 3 x 365 = 54.75%');
    expect(DOC).toContain('2% x 365/7 = 104%');
  });
});
