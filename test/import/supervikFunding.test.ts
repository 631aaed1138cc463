import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HOUR_MS } from '../../src/core/time.ts';
import { supervikFundingImporter } from '../../src/data/import/supervikFunding.ts';
import type { ParsedSource, SeriesData } from '../../src/data/import/types.ts';
import { validateSeries } from '../../src/data/import/validateSeries.ts';
import { dataPath } from '../support/paths.ts';
import { useTempDirs } from '../support/tempDir.ts';

const tempDir = useTempDirs();

const DIR = 'funding_history_7_exchanges__supervik';
const file = (coin: string, venue: string) => {
  const start = venue === 'binance' || venue === 'gate' ? '2020' : venue === 'dydx' ? '2022' : '2021';
  return dataPath(DIR, `${coin}-USDT`, `${coin}-USDT_${venue}_${start}-01-01_2024-01-01_funding_history.csv`);
};
const parse = (path: string, timezone?: string) => supervikFundingImporter.parse(path, timezone ? { timezone } : {});
const only = (parsed: ParsedSource): SeriesData => {
  expect(parsed.series).toHaveLength(1);
  return parsed.series[0];
};
const tsOf = (s: SeriesData) => Array.from(s.columns.ts as Float64Array);
const iso = (ms: number) => new Date(ms).toISOString();
const utcHours = (s: SeriesData) => new Set(tsOf(s).map((t) => new Date(t).getUTCHours()));
const dataLines = (path: string) => readFileSync(path, 'utf8').split('\n').filter((l) => l !== '').length - 1;

describe('supervik funding importer on the real files', () => {
  it('takes every data line of all 14 files, and validation rejects none', async () => {
    for (const coin of ['BTC', 'ETH']) {
      const names = readdirSync(dataPath(DIR, `${coin}-USDT`));
      expect(names).toHaveLength(7);
      for (const name of names) {
        const path = dataPath(DIR, `${coin}-USDT`, name);
        const parsed = await parse(path);
        const series = only(parsed);
        expect(parsed.rejections).toEqual([]);
        expect(parsed.rowsRead).toBe(dataLines(path));
        expect(series.rows).toBe(parsed.rowsRead);
        expect(validateSeries(series).rejections).toEqual([]);
      }
    }
  });

  it('binance: UTC+3 in the file, settlements at 00/08/16 UTC', async () => {
    const parsed = await parse(file('BTC', 'binance'));
    const s = only(parsed);
    expect(s.key).toEqual({ table: 'funding', venue: 'binance', symbol: 'BTC/USDT:USDT', timeframe: null });
    expect(s.rows).toBe(4383);
    expect(utcHours(s)).toEqual(new Set([0, 8, 16]));
    // Binance reports fundingTime a few ms late (up to 47 ms here); the times are kept as given.
    expect(tsOf(s).every((t) => t % 1000 < 100 && Math.floor(t / 1000) % 60 === 0)).toBe(true);
    expect(iso(tsOf(s)[0])).toBe('2020-01-01T00:00:00.000Z');
    expect(iso(tsOf(s).at(-1)!)).toBe('2023-12-31T16:00:00.000Z');
    expect(iso(tsOf(s).at(-2)!)).toBe('2023-12-31T08:00:00.001Z');
    const rate = s.columns.rate as Float64Array;
    expect(rate[0]).toBe(-0.00012359);
    expect(rate[s.rows - 1]).toBe(0.00033597);
    expect(Array.from(new Set(s.columns.interval_ms as Float64Array))).toEqual([8 * HOUR_MS]);
    expect(parsed.instruments).toEqual([
      expect.objectContaining({ venue: 'binance', symbol: 'BTC/USDT:USDT', kind: 'perp', linear: true, fundingIntervalMs: 8 * HOUR_MS }),
    ]);
    expect(parsed.notes).toContain('Date read as UTC+03:00 (fixed offset), converted to UTC');
    expect(parsed.notes).toContain('binance BTC/USDT:USDT: funding interval 8h inferred from the most common gap between rows');
  });

  it('the UTC+3 venues: binance, bybit, mexc at 00/08/16 UTC, kucoin at 04/12/20 UTC', async () => {
    for (const coin of ['BTC', 'ETH']) {
      for (const venue of ['binance', 'bybit', 'mexc']) expect(utcHours(only(await parse(file(coin, venue))))).toEqual(new Set([0, 8, 16]));
      const kucoin = only(await parse(file(coin, 'kucoin')));
      expect(utcHours(kucoin)).toEqual(new Set([4, 12, 20]));
      expect(iso(tsOf(kucoin)[0])).toBe('2021-01-01T04:00:00.000Z');
      expect(kucoin.rows).toBe(3285);
    }
  });

  it('htx: UTC+3, mostly 00/08/16 UTC, with 7 irregular settlements per coin', async () => {
    const s = only(await parse(file('BTC', 'htx')));
    const off = tsOf(s).filter((t) => ![0, 8, 16].includes(new Date(t).getUTCHours()));
    expect(off.map(iso)).toEqual([
      '2021-04-07T18:00:00.000Z',
      '2021-05-06T10:00:00.000Z',
      '2021-05-19T18:00:00.000Z',
      '2021-05-30T18:00:00.000Z',
      '2021-10-28T03:00:00.000Z',
      '2022-10-19T19:00:00.000Z',
      '2023-04-12T09:00:00.000Z',
    ]);
  });

  it('gate: UTC, with a month missing (2020-12)', async () => {
    const parsed = await parse(file('BTC', 'gate'));
    const s = only(parsed);
    expect(s.rows).toBe(4290);
    expect(utcHours(s)).toEqual(new Set([0, 8, 16]));
    expect(iso(tsOf(s)[0])).toBe('2020-01-01T00:00:00.000Z');
    expect(parsed.notes).toContain(
      'gate BTC/USDT:USDT: funding interval 8h inferred from the most common gap between rows; 1 of 4289 gaps differ (largest 752h, before line 1007)',
    );
  });

  it('dydx is UTC: 24 * 730 hourly rows from 00:00 of the start date to 23:00 before the end date', async () => {
    for (const coin of ['BTC', 'ETH']) {
      const parsed = await parse(file(coin, 'dydx'));
      const s = only(parsed);
      const ts = tsOf(s);
      expect(s.rows).toBe(24 * 730);
      expect(iso(ts[0])).toBe('2022-01-01T00:00:00.000Z');
      expect(iso(ts.at(-1)!)).toBe('2023-12-31T23:00:00.000Z');
      expect(ts.every((t, i) => i === 0 || t - ts[i - 1] === HOUR_MS)).toBe(true);
      expect(s.key.symbol).toBe(`${coin}/USD:USDC`);
      expect(parsed.instruments[0]).toMatchObject({ linear: true, settle: 'USDC', fundingIntervalMs: HOUR_MS });
    }
    // Read as UTC+3 like the other venues, the file would start at 2021-12-31 21:00 UTC, before its own range.
    expect(iso(tsOf(only(await parse(file('BTC', 'dydx'), '+03:00')))[0])).toBe('2021-12-31T21:00:00.000Z');
  });

  it('a given time zone overrides the venue default', async () => {
    const s = only(await parse(file('BTC', 'binance'), 'UTC'));
    expect(iso(tsOf(s)[0])).toBe('2020-01-01T03:00:00.000Z');
  });

  it('detects its header only', () => {
    expect(supervikFundingImporter.detect('x.csv', readFileSync(file('BTC', 'gate')).subarray(0, 200))).toBe(true);
    expect(supervikFundingImporter.detect('x.csv', Buffer.from('Symbol,Date,Funding Rate\r\nBTC-USDT,2020-01-01 00:00:00,0.0001'))).toBe(true);
    expect(supervikFundingImporter.detect('x.csv', Buffer.from('Symbol,Date,Funding Rate,Extra\n'))).toBe(false);
    expect(supervikFundingImporter.detect('x.csv', Buffer.from('time,exchange,crypto,pair,contract\n'))).toBe(false);
  });
});

describe('supervik funding importer on a broken copy', () => {
  it('reports every bad row with its line and reason', async () => {
    const real = readFileSync(file('BTC', 'binance'), 'utf8').split('\n');
    const row = (i: number) => real[i]; // real[1] is the first data row
    const lines = [
      real[0],
      row(1), // 2
      row(2).replace(/,[^,]+$/, ',NaN'), // 3
      row(3).replace('2020-01-01 19:00', '2020-01-32 19:00'), // 4
      row(4), // 5
      row(5), // 6
      row(5), // 7 duplicate
      row(1), // 8 out of order
      row(5).replace(/,[^,]+$/, ',0.05'), // 9 conflicting duplicate
      row(6), // 10
      'BTC-USDT,2020-01-02 19:00:00.000', // 11
      'BTC-USDT,2020-01-03 03:00:00.000,', // 12
      'BTCUSDT,2020-01-03 11:00:00.000,0.0001', // 13
    ];
    const dir = tempDir();
    const path = join(dir, 'BTC-USDT_binance_2020-01-01_2024-01-01_funding_history.csv');
    writeFileSync(path, lines.join('\n') + '\n');

    const parsed = await parse(path);
    const { data, rejections } = validateSeries(only(parsed));
    expect(parsed.rowsRead).toBe(12);
    expect(Array.from(data.lines)).toEqual([2, 5, 6, 10]);
    const all = [...parsed.rejections, ...rejections].sort((a, b) => a.line! - b.line!);
    expect(all.every((r) => r.source === path)).toBe(true);
    expect(all.map((r) => [r.line, r.reason])).toEqual([
      [3, "Funding Rate 'NaN' is not a number"],
      [4, "Date: invalid date or time '2020-01-32 19:00:00.000'"],
      [7, 'duplicate of line 6 (2020-01-02T08:00:00.000Z)'],
      [8, 'out of order: 2020-01-01T00:00:00.000Z comes after 2020-01-02T08:00:00.000Z (line 6)'],
      [9, 'conflicting duplicate of line 6 (2020-01-02T08:00:00.000Z)'],
      [11, 'expected 3 fields (Symbol,Date,Funding Rate), got 2'],
      [12, 'Funding Rate is empty'],
      [13, "Symbol 'BTCUSDT' is not BASE-QUOTE"],
    ]);
  });

  it('refuses a venue whose time zone is unknown unless one is given', async () => {
    const dir = tempDir();
    const path = join(dir, 'BTC-USDT_okx_2021-01-01_2024-01-01_funding_history.csv');
    writeFileSync(path, 'Symbol,Date,Funding Rate\nBTC-USDT,2021-01-01 00:00:00,0.0001\n');
    await expect(parse(path)).rejects.toThrow("the Date time zone of venue 'okx' is not known");
    expect(tsOf(only(await parse(path, 'UTC')))).toEqual([Date.parse('2021-01-01T00:00:00Z')]);
  });
});
