import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { strToU8, unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.ts';
import { HOUR_MS } from '../../src/core/time.ts';
import { leanImporter, leanSymbol } from '../../src/data/import/lean.ts';
import type { ParsedSource, SeriesData } from '../../src/data/import/types.ts';
import { validateSeries } from '../../src/data/import/validateSeries.ts';
import { dataPath } from '../support/paths.ts';
import { useTempDirs } from '../support/tempDir.ts';

const tempDir = useTempDirs();

const DATA = dataPath('bybit_binance_minute_20221213__QuantConnect_Lean', 'Data');
const iso = (ms: number) => new Date(ms).toISOString();
const tsOf = (s: SeriesData) => Array.from(s.columns.ts as Float64Array);
const col = (s: SeriesData, name: string) => s.columns[name] as Float64Array;
const parse = (rel: string) => leanImporter.parse(join(DATA, rel), {});
const only = (parsed: ParsedSource): SeriesData => {
  expect(parsed.series).toHaveLength(1);
  expect(parsed.rejections).toEqual([]);
  const s = parsed.series[0];
  expect(validateSeries(s).rejections).toEqual([]);
  return s;
};

describe('LEAN importer on the real files', () => {
  const cases = [
    { rel: 'crypto/bybit/minute/btcusdt/20221213_trade.zip', member: '20221213_btcusdt_minute_trade.csv', table: 'bars', venue: 'bybit', symbol: 'BTC/USDT', rows: 1440, last: '2022-12-13T23:59:00.000Z' },
    { rel: 'crypto/bybit/minute/btcusdt/20221213_quote.zip', member: '20221213_btcusdt_minute_quote.csv', table: 'quote_bars', venue: 'bybit', symbol: 'BTC/USDT', rows: 721, last: '2022-12-13T12:00:00.000Z' },
    { rel: 'crypto/binance/minute/btcbusd/20221213_trade.zip', member: '20221213_btcbusd_minute_trade.csv', table: 'bars', venue: 'binance', symbol: 'BTC/BUSD', rows: 1440, last: '2022-12-13T23:59:00.000Z' },
    { rel: 'cryptofuture/bybit/minute/btcusdt/20221213_trade.zip', member: '20221213_btcusdt_minute_trade_perp.csv', table: 'bars', venue: 'bybit', symbol: 'BTC/USDT:USDT', rows: 721, last: '2022-12-13T12:00:00.000Z' },
    { rel: 'cryptofuture/bybit/minute/btcusdt/20221213_quote.zip', member: '20221213_btcusdt_minute_quote_perp.csv', table: 'quote_bars', venue: 'bybit', symbol: 'BTC/USDT:USDT', rows: 460, last: '2022-12-13T12:00:00.000Z' },
    { rel: 'cryptofuture/binance/minute/btcusd/20221213_trade.zip', member: '20221213_btcusd_minute_trade_perp.csv', table: 'bars', venue: 'binance', symbol: 'BTC/USD:BTC', rows: 1439, last: '2022-12-13T23:59:00.000Z' },
    { rel: 'cryptofuture/binance/minute/btcusd/20221213_quote.zip', member: '20221213_btcusd_minute_quote_perp.csv', table: 'quote_bars', venue: 'binance', symbol: 'BTC/USD:BTC', rows: 1104, last: '2022-12-13T23:59:00.000Z' },
  ];
  for (const c of cases) {
    it(`${c.rel}: ${c.rows} ${c.table} rows of ${c.venue} ${c.symbol}`, async () => {
      const parsed = await parse(c.rel);
      const s = only(parsed);
      expect(s.key).toEqual({ table: c.table, venue: c.venue, symbol: c.symbol, timeframe: '1m' });
      expect(s.source).toBe(`${join(DATA, c.rel)}!${c.member}`);
      expect(parsed.rowsRead).toBe(c.rows);
      expect(s.rows).toBe(c.rows);
      expect(iso(tsOf(s)[0])).toBe('2022-12-13T00:00:00.000Z');
      expect(iso(tsOf(s).at(-1)!)).toBe(c.last);
      expect(Array.from(s.lines.slice(0, 3))).toEqual([1, 2, 3]);
    });
  }

  it('keeps known values', async () => {
    const spot = only(await parse('crypto/bybit/minute/btcusdt/20221213_trade.zip'));
    expect([col(spot, 'open')[0], col(spot, 'high')[0], col(spot, 'low')[0], col(spot, 'close')[0], col(spot, 'volume')[0]]).toEqual([17208.86, 17212.99, 17205, 17205, 1.549151]);
    expect(col(spot, 'close')[1439]).toBe(17778.49);
    const quote = only(await parse('crypto/bybit/minute/btcusdt/20221213_quote.zip'));
    expect(['bid_open', 'bid_close', 'bid_size', 'ask_open', 'ask_close', 'ask_size'].map((n) => col(quote, n)[0])).toEqual([17207.18, 17205.01, 0.00531, 17208.86, 17206.77, 0.00416]);
    const inverse = only(await parse('cryptofuture/binance/minute/btcusd/20221213_trade.zip'));
    expect(col(inverse, 'volume')[0]).toBe(4242);
    // The one minute missing from the Binance coin-margined trade bars.
    const ts = tsOf(inverse);
    expect(ts.filter((t, i) => i > 0 && t - ts[i - 1] !== 60_000).map(iso)).toEqual(['2022-12-13T04:30:00.000Z']);
  });

  it('maps tickers and says that inverse volume is in contracts', async () => {
    const parsed = await parse('cryptofuture/binance/minute/btcusd/20221213_trade.zip');
    expect(parsed.instruments).toEqual([expect.objectContaining({ venue: 'binance', symbol: 'BTC/USD:BTC', kind: 'perp', linear: false, settle: 'BTC' })]);
    expect(parsed.notes).toContain('BTC/USD:BTC is coin-margined (inverse): volume in contracts, not base units');
    expect(leanSymbol('crypto', 'btcusdt')).toBe('BTC/USDT');
    expect(leanSymbol('crypto', 'btcbusd')).toBe('BTC/BUSD');
    expect(leanSymbol('crypto', 'ethbtc')).toBe('ETH/BTC');
    expect(leanSymbol('crypto', 'btcusd')).toBe('BTC/USD');
    expect(leanSymbol('cryptofuture', 'btcusdt')).toBe('BTC/USDT:USDT');
    expect(leanSymbol('cryptofuture', 'btcusd')).toBe('BTC/USD:BTC');
    expect(leanSymbol('crypto', 'usdt')).toBeNull();
  });

  it('reads the funding files (UTC, 8h)', async () => {
    const bybit = await parse('cryptofuture/bybit/margin_interest/btcusdt.csv');
    const s = only(bybit);
    expect(s.key).toEqual({ table: 'funding', venue: 'bybit', symbol: 'BTC/USDT:USDT', timeframe: null });
    expect(tsOf(s).map(iso)).toEqual(['2022-12-13T00:00:00.000Z', '2022-12-13T08:00:00.000Z', '2022-12-13T16:00:00.000Z']);
    expect(Array.from(col(s, 'rate'))).toEqual([-0.0002016, -0.00022398, -0.00038555]);
    expect(Array.from(col(s, 'interval_ms'))).toEqual([8 * HOUR_MS, 8 * HOUR_MS, 8 * HOUR_MS]);
    expect(bybit.instruments[0]).toMatchObject({ symbol: 'BTC/USDT:USDT', fundingIntervalMs: 8 * HOUR_MS });

    const binance = await parse('cryptofuture/binance/margin_interest/btcusd.csv');
    const b = only(binance);
    expect(b.rows).toBe(12);
    expect(b.key.symbol).toBe('BTC/USD:BTC');
    expect(iso(tsOf(b)[0])).toBe('2020-12-29T00:00:00.000Z');
    expect(iso(tsOf(b)[9])).toBe('2022-12-13T00:00:00.000Z');
    expect(col(b, 'rate')[9]).toBe(-0.00004062);
    expect(binance.notes).toContain(
      'binance BTC/USD:BTC: funding interval 8h inferred from the most common gap between rows; 1 of 11 gaps differ (largest 17072h, before line 10)',
    );
  });

  it('detects LEAN paths only', () => {
    const none = Buffer.alloc(0);
    expect(leanImporter.detect(join(DATA, 'crypto/bybit/minute/btcusdt/20221213_trade.zip'), none)).toBe(true);
    expect(leanImporter.detect('Data/cryptofuture/binance/minute/btcusd/20221213_quote.zip', none)).toBe(true);
    expect(leanImporter.detect(join(DATA, 'cryptofuture/bybit/margin_interest/btcusdt.csv'), none)).toBe(true);
    expect(leanImporter.detect('/x/Data/crypto/bybit/hour/btcusdt_trade.zip', none)).toBe(false);
    expect(leanImporter.detect('/x/Data/equity/usa/minute/spy/20221213_trade.zip', none)).toBe(false);
    expect(leanImporter.detect('/x/all_exchanges.csv', none)).toBe(false);
  });
});

describe('LEAN importer on broken copies', () => {
  const writeZip = (root: string, rel: string, members: Record<string, string>) => {
    const path = join(root, rel);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, zipSync(Object.fromEntries(Object.entries(members).map(([n, t]) => [n, strToU8(t)]))));
    return path;
  };

  it('reports every bad quote row with its line and reason', async () => {
    const realZip = readFileSync(join(DATA, 'crypto/bybit/minute/btcusdt/20221213_quote.zip'));
    const real = new TextDecoder().decode(Object.values(unzipSync(realZip))[0]).split('\n');
    const lines = [
      real[0], // 1
      real[1], // 2
      '120000,17300,17300,17300,17300,1,17200,17200,17200,17200,1', // 3: crossed
      real[3].replace(/^(([^,]+,){8})[^,]+/, '$1-17206'), // 4: negative ask_low
      real[4].replace(/^240000,[^,]+/, '240000,NaN'), // 5: bid_open not a number
      real[5].replace(/^300000/, '30O000'), // 6: malformed time
      real[6], // 7
      real[6], // 8: duplicate
      real[2], // 9: out of order
      real[9].replace(/^540000/, '570000'), // 10: off the minute grid
      '600000,,,,,,17200,17201,17199,17200,1', // 11: no bid side
      '660000,17200,17201', // 12: short row
      '86400000,17300,17300,17300,17300,1,17301,17301,17301,17301,1', // 13: past the day
    ];
    const root = tempDir();
    const member = '20221213_btcusdt_minute_quote.csv';
    const path = writeZip(root, 'Data/crypto/bybit/minute/btcusdt/20221213_quote.zip', { [member]: lines.join('\n') });

    const parsed = await leanImporter.parse(path, {});
    expect(parsed.rowsRead).toBe(13);
    const { data, rejections } = validateSeries(parsed.series[0]);
    expect(Array.from(data.lines)).toEqual([1, 2, 7]);
    const all = [...parsed.rejections, ...rejections].sort((a, b) => a.line! - b.line!);
    expect(all.every((r) => r.source === `${path}!${member}`)).toBe(true);
    expect(all.map((r) => [r.line, r.reason])).toEqual([
      [3, 'crossed: bid_close 17300 > ask_close 17200'],
      [4, 'ask_low must be > 0 (-17206)'],
      [5, "bid_open 'NaN' is not a number"],
      [6, "time '30O000' is not milliseconds within the day"],
      [8, 'duplicate of line 7 (2022-12-13T00:06:00.000Z)'],
      [9, 'out of order: 2022-12-13T00:02:00.000Z comes after 2022-12-13T00:06:00.000Z (line 7)'],
      [10, 'ts 2022-12-13T00:09:30.000Z is not on the 1m grid'],
      [11, 'bid_open is missing or not a number'],
      [12, 'expected 11 fields, got 3'],
      [13, "time '86400000' is not milliseconds within the day"],
    ]);
  });

  it('reports bad trade rows and funding rows', async () => {
    const root = tempDir();
    const member = '20221213_btcusdt_minute_trade_perp.csv';
    const trades = writeZip(root, 'Data/cryptofuture/bybit/minute/btcusdt/20221213_trade.zip', {
      [member]: ['0,17194,17199.5,17193.5,17199,78.677', '60000,17199.5,17212.5,17199,17212.5,-1', '120000,17212,17211,17212,17212,1', '180000,17212,17213,17211,17212,'].join('\n'),
    });
    const parsed = await leanImporter.parse(trades, {});
    const { data, rejections } = validateSeries(parsed.series[0]);
    expect(Array.from(data.lines)).toEqual([1, 4]);
    expect(col(data, 'volume')[1]).toBeNaN(); // an empty volume is null
    expect(rejections.map((r) => [r.line, r.reason])).toEqual([
      [2, 'volume must be >= 0 (-1)'],
      [3, 'high 17211 is below open/close/low'],
    ]);

    const fundingPath = join(root, 'Data/cryptofuture/bybit/margin_interest/btcusdt.csv');
    mkdirSync(join(fundingPath, '..'), { recursive: true });
    writeFileSync(fundingPath, '20221213 00:00:00,-0.0002016\n20221313 08:00:00,0.1\n20221213 16:00:00,x\n20221213 16:00:00,0.0001\n20221213 16:00:00,0.0001\n');
    const funding = await leanImporter.parse(fundingPath, {});
    const checked = validateSeries(funding.series[0]);
    expect([...funding.rejections, ...checked.rejections].map((r) => [r.line, r.reason])).toEqual([
      [2, "time: invalid date or time '20221313 08:00:00'"],
      [3, "rate 'x' is not a number"],
      [5, 'duplicate of line 4 (2022-12-13T16:00:00.000Z)'],
    ]);
  });

  it('refuses a zip without exactly one CSV', async () => {
    const root = tempDir();
    const path = writeZip(root, 'Data/crypto/bybit/minute/btcusdt/20221213_trade.zip', { 'a.csv': '0,1,1,1,1,1', 'b.csv': '0,1,1,1,1,1' });
    await expect(leanImporter.parse(path, {})).rejects.toThrow(`${path}: expected one CSV named 20221213_btcusdt_minute_trade[_perp].csv in the zip, it holds 'a.csv', 'b.csv'`);
  });

  it('says in one line what a zip with unexpected contents holds and what was expected', async () => {
    const root = tempDir();
    const rel = 'Data/crypto/bybit/minute/btcusdt/20221213_trade.zip';
    const message = async (members: Record<string, string>) => {
      const path = writeZip(root, rel, members);
      const error = await leanImporter.parse(path, {}).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InputError);
      expect((error as Error).message).not.toContain('\n');
      return (error as Error).message.slice(path.length);
    };
    const row = '0,17208.86,17212.99,17205,17205,1.549151';
    // Another ticker's file in this ticker's zip: its bars must not be stored as BTC/USDT.
    expect(await message({ '20221213_ethusdt_minute_trade.csv': row })).toBe(
      ": expected one CSV named 20221213_btcusdt_minute_trade[_perp].csv in the zip, it holds '20221213_ethusdt_minute_trade.csv'",
    );
    expect(await message({ 'readme.txt': 'hello' })).toBe(": expected one CSV named 20221213_btcusdt_minute_trade[_perp].csv in the zip, it holds 'readme.txt'");
    expect(await message({})).toBe(': expected one CSV named 20221213_btcusdt_minute_trade[_perp].csv in the zip, it holds nothing');
    // Quote bars (11 fields) under a trade name: one error, not one rejection per row.
    const quotes = Array.from({ length: 5 }, (_, i) => `${i * 60000},1,1,1,1,1,2,2,2,2,1`).join('\n');
    expect(await message({ '20221213_btcusdt_minute_trade.csv': quotes })).toBe(
      '!20221213_btcusdt_minute_trade.csv: no row has the 6 fields of a LEAN minute trade bar (time ms,open,high,low,close,volume); the first row has 11',
    );
    const path = join(root, rel);
    writeFileSync(path, Buffer.from('PK\x03\x04 not really a zip'));
    const error = await leanImporter.parse(path, {}).catch((e: unknown) => e);
    expect((error as Error).message).toBe(
      `${path}: not a readable zip archive (invalid zip data: truncated or damaged?); expected a LEAN minute zip holding one CSV named 20221213_btcusdt_minute_trade[_perp].csv`,
    );
  });

  it('refuses a market folder that is not a venue id (control characters)', async () => {
    const root = tempDir();
    const path = writeZip(root, 'Data/crypto/by\u001b[31mbit/minute/btcusdt/20221213_trade.zip', { '20221213_btcusdt_minute_trade.csv': '0,1,1,1,1,1' });
    await expect(leanImporter.parse(path, {})).rejects.toThrow(/market folder 'by\u001b\[31mbit' is not a venue id \(expected a ccxt id such as binance or bybit, or pass --venue\)$/);
  });
});
