import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError, UsageError } from '../../src/core/errors.ts';
import { HOUR_MS } from '../../src/core/time.ts';
import { csvImporter, parseCsvMappingSpec } from '../../src/data/import/csvGeneric.ts';
import { freqtradeImporter } from '../../src/data/import/freqtrade.ts';
import type { ImportOptions, ParsedSource } from '../../src/data/import/types.ts';
import { validateSeries } from '../../src/data/import/validateSeries.ts';
import { dataPath } from '../support/paths.ts';

const JOINED = dataPath('derived_binance_1m_joined', 'binance_BTCUSDT_spot_vs_usdm_perp_1m_2025-05-25_2025-06-24.csv');
const FUNDING_CSV = dataPath('derived_binance_1m_joined', 'binance_BTCUSDT_usdm_funding_8h_and_mark_8h_2025-05-25_2025-06-24.csv');
const PERP_DIR = 'binance_usdm_perp_1m__TheSnowGuru_Market-Swarm-Agents';
const PERP_FEATHER = dataPath(PERP_DIR, 'BTC_USDT_USDT-1m-futures.feather');
const SPOT_FEATHER = dataPath('binance_spot_1m__Filimonov-Eremeyka_freqtrade', 'BTC_USDT-1m.feather');
const PERP_MAP = 'ts=open_time_ms:ms,open=perp_open,high=perp_high,low=perp_low,close=perp_close,volume=perp_volume';
const OHLCV = ['ts', 'open', 'high', 'low', 'close', 'volume'];

const tmp = mkdtempSync(join(tmpdir(), 'csvimport-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const f64 = (parsed: ParsedSource, name: string) => parsed.series[0].columns[name] as Float64Array;

/** Where two columns first differ, as 'row i: a vs b' ('' when equal); deep-equal on 43k-row arrays is slow. */
function columnDifference(a: Float64Array, b: Float64Array): string {
  if (a.length !== b.length) return `length ${a.length} vs ${b.length}`;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return `row ${i}: ${a[i]} vs ${b[i]}`;
  return '';
}
const perpOptions = (spec = PERP_MAP, extra: ImportOptions = {}): ImportOptions => ({
  venue: 'binance',
  symbol: 'BTC/USDT:USDT',
  csvMapping: parseCsvMappingSpec(spec, 'bars', '1m'),
  ...extra,
});

function writeTemp(name: string, text: string): string {
  const path = join(tmp, name);
  writeFileSync(path, text);
  return path;
}

/** Parser and validation rejections together, as [line, reason], by line. */
async function allRejections(path: string, options: ImportOptions): Promise<[number | null, string][]> {
  const parsed = await csvImporter.parse(path, options);
  const rejections = [...parsed.rejections, ...validateSeries(parsed.series[0]).rejections];
  return rejections.map((r): [number | null, string] => [r.line, r.reason]).sort((a, b) => (a[0] ?? 0) - (b[0] ?? 0));
}

describe('generic CSV importer on the derived joined Binance file', () => {
  it('gives the perp columns equal, row for row, to the perp feather file', async () => {
    const parsed = await csvImporter.parse(JOINED, perpOptions());
    const feather = await freqtradeImporter.parse(PERP_FEATHER, {});
    expect(parsed.series[0].key).toEqual({ table: 'bars', venue: 'binance', symbol: 'BTC/USDT:USDT', timeframe: '1m' });
    expect(parsed.rowsRead).toBe(43_199);
    expect(parsed.rejections).toEqual([]);
    expect(validateSeries(parsed.series[0]).rejections).toEqual([]);
    for (const name of OHLCV) expect(columnDifference(f64(parsed, name), f64(feather, name)), name).toBe('');
    expect(Array.from(parsed.series[0].lines.subarray(0, 3))).toEqual([2, 3, 4]);
    expect(parsed.instruments).toMatchObject([{ venue: 'binance', symbol: 'BTC/USDT:USDT', kind: 'perp' }]);
  });

  it('gives the spot columns equal to the matching span of the spot feather file', async () => {
    const spec = 'ts=open_time_ms:ms,open=spot_open,high=spot_high,low=spot_low,close=spot_close,volume=spot_volume';
    const parsed = await csvImporter.parse(JOINED, { venue: 'binance', symbol: 'BTC/USDT', csvMapping: parseCsvMappingSpec(spec, 'bars', '1m') });
    const feather = await freqtradeImporter.parse(SPOT_FEATHER, {});
    const start = f64(feather, 'ts').indexOf(f64(parsed, 'ts')[0]);
    expect(start).toBeGreaterThan(0);
    for (const name of OHLCV) expect(columnDifference(f64(parsed, name), f64(feather, name).slice(start, start + 43_199)), name).toBe('');
  });

  it('reads the ISO time column to the same ms', async () => {
    const parsed = await csvImporter.parse(JOINED, perpOptions(PERP_MAP.replace('open_time_ms:ms', 'open_time_utc:iso')));
    const byMs = await csvImporter.parse(JOINED, perpOptions());
    expect(columnDifference(f64(parsed, 'ts'), f64(byMs, 'ts'))).toBe('');
    expect(parsed.notes).toEqual([]);
  });

  it('imports funding rates with a funding mapping', async () => {
    const parsed = await csvImporter.parse(FUNDING_CSV, {
      venue: 'binance',
      symbol: 'BTC/USDT:USDT',
      csvMapping: parseCsvMappingSpec('ts=funding_time_ms:ms,rate=funding_rate', 'funding', null),
    });
    expect(parsed.series[0].key).toEqual({ table: 'funding', venue: 'binance', symbol: 'BTC/USDT:USDT', timeframe: null });
    expect(parsed.series[0].rows).toBe(89);
    expect(validateSeries(parsed.series[0]).rejections).toEqual([]);
    expect(new Date(f64(parsed, 'ts')[0]).toISOString()).toBe('2025-05-25T16:00:00.000Z');
    expect(f64(parsed, 'rate')[0]).toBe(0.00003651);
    expect(f64(parsed, 'ts').every((t) => t % (8 * HOUR_MS) < 1_000)).toBe(true);
  });
});

describe('generic CSV importer on broken copies', () => {
  const T0 = Date.UTC(2025, 5, 1);
  const row = (minute: number, close: string, fields?: string) => fields ?? `${T0 + minute * 60_000},100,101,99,${close},5`;
  const brokenLines = [
    'open_time_ms,open,high,low,close,volume',
    row(0, '100'), // 2
    row(1, 'NaN'), // 3: NaN close
    `${T0 + 2 * 60_000},12.3.4,101,99,100,5`, // 4: malformed number
    `${T0 + 3 * 60_000},100,101`, // 5: missing fields
    row(5, '100'), // 6
    row(4, '100'), // 7: out of order
    row(5, '100'), // 8: duplicate of line 6
    `${T0 + 6 * 60_000},100,101,99,100,`, // 9: empty volume is null, allowed
  ];
  const expected: [number, string][] = [
    [3, 'close is missing or not a number'],
    [4, "column open (open): '12.3.4' is not a number"],
    [5, 'has 3 fields, the header has 6'],
    [7, 'out of order: 2025-06-01T00:04:00.000Z comes after 2025-06-01T00:05:00.000Z (line 6)'],
    [8, 'duplicate of line 6 (2025-06-01T00:05:00.000Z)'],
  ];
  const options = () => perpOptions('ts=open_time_ms:ms,open=open,high=high,low=low,close=close,volume=volume');

  it('rejects each bad row with its line and reason, and keeps the rest', async () => {
    const path = writeTemp('broken.csv', `${brokenLines.join('\n')}\n`);
    const parsed = await csvImporter.parse(path, options());
    expect(parsed.rowsRead).toBe(8);
    expect(parsed.rejections.every((r) => r.source === path)).toBe(true);
    expect(await allRejections(path, options())).toEqual(expected);
    const { data } = validateSeries(parsed.series[0]);
    expect(Array.from(data.lines)).toEqual([2, 6, 9]);
    expect(Number.isNaN((data.columns.volume as Float64Array)[2])).toBe(true);
  });

  it('gives the same lines through csv-parse (quoted fields, CRLF, blank line, BOM)', async () => {
    const quoted = brokenLines.map((line, i) => (i === 0 ? line.split(',').map((n) => `"${n}"`).join(',') : line));
    quoted.splice(1, 0, '');
    const path = writeTemp('quoted.csv', `\uFEFF${quoted.join('\r\n')}\r\n`);
    const shifted = expected.map(([line, reason]): [number, string] => [line + 1, reason.replace('line 6', 'line 7')]);
    expect(await allRejections(path, options())).toEqual(shifted);
  });

  it('throws on a header without a mapped column, listing the columns', async () => {
    const path = writeTemp('header.csv', 'time,open,high,low,close\n1,1,1,1,1\n');
    const error = await csvImporter.parse(path, options()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toBe(`${path}:1: column 'open_time_ms' is not in the header (columns: time, open, high, low, close)`);
  });

  it('throws on an unclosed quote, naming file and line', async () => {
    const path = writeTemp('quote.csv', 'open_time_ms,open,high,low,close,volume\n1,"2,3,4,5,6\n');
    await expect(csvImporter.parse(path, options())).rejects.toThrow(new RegExp(`^${path}:\\d+: malformed CSV`));
  });

  it('asks for --venue, --symbol and --map', async () => {
    const path = writeTemp('ok.csv', `${brokenLines.slice(0, 2).join('\n')}\n`);
    const { venue, symbol, csvMapping } = options();
    await expect(csvImporter.parse(path, { symbol, csvMapping })).rejects.toThrow(/--venue/);
    await expect(csvImporter.parse(path, { venue, csvMapping })).rejects.toThrow(/--symbol/);
    await expect(csvImporter.parse(path, { venue, symbol })).rejects.toThrow(/--map/);
    await expect(csvImporter.parse(path, { venue, symbol: 'BTCUSDT', csvMapping })).rejects.toThrow(UsageError);
    expect(csvImporter.detect(path, Buffer.from(brokenLines[0]))).toBe(false);
  });
});

describe('generic CSV times', () => {
  const isoOptions = (extra: ImportOptions = {}) =>
    perpOptions('ts=time:iso,open=p,high=p,low=p,close=p', extra);
  const csv = (name: string, times: string[]) => writeTemp(name, `time,p\n${times.map((t) => `${t},100`).join('\n')}\n`);
  const ts = async (path: string, options: ImportOptions) => Array.from(f64(await csvImporter.parse(path, options), 'ts'));

  it('refuses an ISO time without zone unless --timezone is given, naming the line', async () => {
    const path = csv('naive.csv', ['2025-06-01T00:00:00Z', '2025-06-01 00:01:00']);
    const error = await csvImporter.parse(path, isoOptions()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).location).toEqual({ source: path, line: 3 });
    expect((error as Error).message).toMatch(/has no zone.*--timezone/);
    expect(await ts(path, isoOptions({ timezone: '+03:00' }))).toEqual([Date.UTC(2025, 5, 1), Date.UTC(2025, 4, 31, 21, 1)]);
    const london = await csvImporter.parse(path, isoOptions({ timezone: 'Europe/London' }));
    expect(f64(london, 'ts')[1]).toBe(Date.UTC(2025, 4, 31, 23, 1));
    expect(london.notes).toEqual(['1 times without zone read as Europe/London and converted to UTC']);
  });

  it('rejects local times that a clock change skips or repeats', async () => {
    const path = csv('dst.csv', ['2025-03-30T00:30:00', '2025-03-30T01:30:00', '2025-10-26T01:30:00', '2025-10-26T02:30:00']);
    expect(await allRejections(path, isoOptions({ timezone: 'Europe/London' }))).toEqual([
      [3, "column time (ts): '2025-03-30T01:30:00' does not exist or is ambiguous in Europe/London (clock change)"],
      [4, "column time (ts): '2025-10-26T01:30:00' does not exist or is ambiguous in Europe/London (clock change)"],
    ]);
    expect(await ts(path, perpOptions('ts=time:iso,open=p,high=p,low=p,close=p', { timezone: 'Europe/London' }))).toEqual([
      Date.UTC(2025, 2, 30, 0, 30),
      Date.UTC(2025, 9, 26, 2, 30),
    ]);
  });

  it('reads ISO offsets and rejects impossible dates', async () => {
    const path = csv('offsets.csv', ['2025-06-01T03:00:00+03:00', '2025-06-01T00:00:00.5Z', '2025-02-30T00:00:00Z', 'yesterday']);
    expect(await ts(path, isoOptions())).toEqual([Date.UTC(2025, 5, 1), Date.UTC(2025, 5, 1) + 500]);
    expect(await allRejections(path, isoOptions())).toEqual([
      [3, 'ts 2025-06-01T00:00:00.500Z is not on the 1m grid'],
      [4, "column time (ts): '2025-02-30T00:00:00Z' is not a time in format iso"],
      [5, "column time (ts): 'yesterday' is not a time in format iso"],
    ]);
  });

  it('reads s, us and ns exactly, flooring sub-ms parts', async () => {
    const spec = (format: string) => `ts=time:${format},open=p,high=p,low=p,close=p`;
    const seconds = csv('s.csv', ['1748169180', '1748169240.123', '1748169300.1239']);
    const parsed = await csvImporter.parse(seconds, perpOptions(spec('s')));
    expect(Array.from(f64(parsed, 'ts'))).toEqual([1_748_169_180_000, 1_748_169_240_123, 1_748_169_300_123]);
    expect(parsed.notes).toEqual(['1 times had sub-millisecond parts, truncated to ms']);
    const nanos = csv('ns.csv', ['1748169180000000000', '1748169240000999999']);
    expect(await ts(nanos, perpOptions(spec('ns')))).toEqual([1_748_169_180_000, 1_748_169_240_000]);
    const micros = csv('us.csv', ['1748169180000000', '1.74816924e15']);
    expect(await ts(micros, perpOptions(spec('us')))).toEqual([1_748_169_180_000, 1_748_169_240_000]);
  });
});

describe('parseCsvMappingSpec', () => {
  it('parses the CLI spec', () => {
    expect(parseCsvMappingSpec(PERP_MAP, 'bars', '1m')).toEqual({
      table: 'bars',
      timeframe: '1m',
      timeColumn: 'open_time_ms',
      timeFormat: 'ms',
      columns: { open: 'perp_open', high: 'perp_high', low: 'perp_low', close: 'perp_close', volume: 'perp_volume' },
    });
  });

  it('takes symbol=COLUMN as the column that routes rows per symbol, for any table', () => {
    expect(parseCsvMappingSpec('ts=t:ms,rate=r,symbol=sym', 'funding', null)).toEqual({
      table: 'funding',
      timeframe: null,
      timeColumn: 't',
      timeFormat: 'ms',
      columns: { rate: 'r' },
      symbolColumn: 'sym',
    });
    expect(() => parseCsvMappingSpec('ts=t:ms,rate=r,symbol=a,symbol=b', 'funding', null)).toThrow('--map: symbol is given twice');
  });

  it('explains what is wrong', () => {
    const cases: [string, string, string | null, RegExp][] = [
      ['open=o,high=h,low=l,close=c', 'bars', '1m', /no time entry ts=COLUMN:FORMAT/],
      ['ts=t:minutes,open=o,high=h,low=l,close=c', 'bars', '1m', /FORMAT one of ms, s, us, ns, iso/],
      ['ts=t:ms,open=o,high=h,low=l,close=c,vwap=v', 'bars', '1m', /vwap not a column of bars/],
      ['ts=t:ms,open=o,high=h,low=l', 'bars', '1m', /bars needs close/],
      ['ts=t:ms,open=o,high=h,low=l,close=c', 'bars', null, /--timeframe/],
      ['ts=t:ms,rate=r', 'funding', '8h', /--timeframe applies to bar tables only/],
      ['ts=t:ms,open', 'bars', '1m', /'open' is not NAME=COLUMN/],
      ['ts=t:ms,rate=r', 'fundings', null, /--table 'fundings'/],
    ];
    for (const [spec, table, timeframe, message] of cases) {
      expect(() => parseCsvMappingSpec(spec, table, timeframe)).toThrow(message);
      expect(() => parseCsvMappingSpec(spec, table, timeframe)).toThrow(UsageError);
    }
  });
});
