import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeData, makeVector, Table, tableToIPC, Timestamp, TimestampMicrosecond, TimeUnit } from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError, UsageError } from '../../src/core/errors.ts';
import { HOUR_MS, MINUTE_MS } from '../../src/core/time.ts';
import { freqtradeImporter, parseFreqtradeFileName } from '../../src/data/import/freqtrade.ts';
import type { ImportOptions, ParsedSource } from '../../src/data/import/types.ts';
import { validateSeries } from '../../src/data/import/validateSeries.ts';
import { inferVenueFromPath } from '../../src/data/import/venueFromPath.ts';
import { dataPath } from '../support/paths.ts';

const SPOT = dataPath('binance_spot_1m__Filimonov-Eremeyka_freqtrade', 'BTC_USDT-1m.feather');
const PERP_DIR = 'binance_usdm_perp_1m__TheSnowGuru_Market-Swarm-Agents';
const PERP = dataPath(PERP_DIR, 'BTC_USDT_USDT-1m-futures.feather');
const FUNDING = dataPath(PERP_DIR, 'BTC_USDT_USDT-8h-funding_rate.feather');
const MARK = dataPath(PERP_DIR, 'BTC_USDT_USDT-8h-mark.feather');
const DERIVED_FUNDING_MARK = dataPath('derived_binance_1m_joined', 'binance_BTCUSDT_usdm_funding_8h_and_mark_8h_2025-05-25_2025-06-24.csv');

const tmp = mkdtempSync(join(tmpdir(), 'ftimport-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const iso = (ms: number) => new Date(ms).toISOString();
const f64 = (parsed: ParsedSource, name: string) => parsed.series[0].columns[name] as Float64Array;

/** Parses, then checks that validation rejects nothing. */
async function parseValid(path: string, options: ImportOptions = {}): Promise<ParsedSource> {
  const parsed = await freqtradeImporter.parse(path, options);
  expect(parsed.rejections).toEqual([]);
  expect(validateSeries(parsed.series[0]).rejections).toEqual([]);
  return parsed;
}

/** The derived funding+mark CSV as rows of numbers keyed by header name (plain CSV, no quotes). */
function readDerivedCsv(path: string): Record<string, number>[] {
  const [header, ...lines] = readFileSync(path, 'utf8').trim().split('\n');
  const names = header.split(',');
  return lines.map((line) => Object.fromEntries(line.split(',').map((v, i) => [names[i], Number(v)])));
}

describe('freqtrade feather importer on real Binance files', () => {
  it('reads the spot 1m file: 130,708 gap-free rows from 2025-05-20T00:00Z', async () => {
    const parsed = await parseValid(SPOT);
    const [series] = parsed.series;
    expect(series.key).toEqual({ table: 'bars', venue: 'binance', symbol: 'BTC/USDT', timeframe: '1m' });
    expect(parsed.rowsRead).toBe(130_708);
    expect(series.rows).toBe(130_708);
    const ts = f64(parsed, 'ts');
    expect(iso(ts[0])).toBe('2025-05-20T00:00:00.000Z');
    expect(iso(ts[ts.length - 1])).toBe('2025-08-18T18:27:00.000Z');
    expect(ts.every((t, i) => i === 0 || t - ts[i - 1] === MINUTE_MS)).toBe(true);
    expect([f64(parsed, 'open')[0], f64(parsed, 'close')[0], f64(parsed, 'volume')[0]]).toEqual([105573.73, 105554.32, 10.82647]);
    expect(parsed.notes).toContain('venue binance inferred from path');
    expect(parsed.instruments).toMatchObject([{ venue: 'binance', symbol: 'BTC/USDT', kind: 'spot', fundingIntervalMs: null }]);
    expect(Array.from(series.lines.subarray(0, 2))).toEqual([1, 2]);
  });

  it('reads the USDT-M perp 1m file: 43,199 rows 2025-05-25T10:33Z..2025-06-24T10:31Z', async () => {
    const parsed = await parseValid(PERP);
    expect(parsed.series[0].key).toEqual({ table: 'bars', venue: 'binance', symbol: 'BTC/USDT:USDT', timeframe: '1m' });
    expect(parsed.rowsRead).toBe(43_199);
    const ts = f64(parsed, 'ts');
    expect(iso(ts[0])).toBe('2025-05-25T10:33:00.000Z');
    expect(iso(ts[ts.length - 1])).toBe('2025-06-24T10:31:00.000Z');
    expect(parsed.instruments).toMatchObject([{ kind: 'perp', base: 'BTC', quote: 'USDT', settle: 'USDT', linear: true }]);
  });

  it('reads the funding file: 89 settlements at 00/08/16 UTC whose rates match the derived CSV', async () => {
    const parsed = await parseValid(FUNDING);
    const [series] = parsed.series;
    expect(series.key).toEqual({ table: 'funding', venue: 'binance', symbol: 'BTC/USDT:USDT', timeframe: null });
    expect(series.rows).toBe(89);
    const ts = f64(parsed, 'ts');
    // Binance stamps settlements a few ms after the hour; the importer keeps them as published.
    for (const t of ts) {
      expect([0, 8, 16]).toContain(new Date(t).getUTCHours());
      expect(t % (8 * HOUR_MS)).toBeLessThan(1_000);
    }
    expect(iso(ts[0])).toBe('2025-05-25T16:00:00.000Z');
    expect(f64(parsed, 'rate')[0]).toBe(0.00003651);
    expect(Array.from(f64(parsed, 'interval_ms')).every((v) => v === 8 * HOUR_MS)).toBe(true);
    expect(Number.isNaN(f64(parsed, 'mark_price')[0])).toBe(true);
    expect(parsed.instruments[0].fundingIntervalMs).toBe(8 * HOUR_MS);
    expect(parsed.notes.some((n) => /funding times are not exactly on the 8h boundary/.test(n))).toBe(true);

    const derived = readDerivedCsv(DERIVED_FUNDING_MARK);
    expect(derived).toHaveLength(89);
    expect(Array.from(ts)).toEqual(derived.map((r) => r.funding_time_ms));
    expect(Array.from(f64(parsed, 'rate'))).toEqual(derived.map((r) => r.funding_rate));
  });

  it('reads the 8h mark file as mark_bars matching the derived CSV, with no volume', async () => {
    const parsed = await parseValid(MARK);
    const [series] = parsed.series;
    expect(series.key).toEqual({ table: 'mark_bars', venue: 'binance', symbol: 'BTC/USDT:USDT', timeframe: '8h' });
    expect(series.rows).toBe(89);
    const derived = readDerivedCsv(DERIVED_FUNDING_MARK);
    const ts = f64(parsed, 'ts');
    expect(iso(ts[0])).toBe('2025-05-25T16:00:00.000Z');
    expect(iso(ts[88])).toBe('2025-06-24T00:00:00.000Z');
    // The derived file joins mark bars to settlement times (ms-jittered); bar open times are exact.
    expect(Array.from(ts)).toEqual(derived.map((r) => Math.floor(r.funding_time_ms / HOUR_MS) * HOUR_MS));
    for (const name of ['open', 'high', 'low', 'close']) {
      expect(Array.from(f64(parsed, name))).toEqual(derived.map((r) => r[`mark_${name}`]));
    }
    expect(f64(parsed, 'volume').every(Number.isNaN)).toBe(true);
  });

  it('uses --venue over the path and says nothing about inference', async () => {
    const parsed = await freqtradeImporter.parse(FUNDING, { venue: 'okx' });
    expect(parsed.series[0].key.venue).toBe('okx');
    expect(parsed.instruments[0].venue).toBe('okx');
    expect(parsed.notes.some((n) => n.includes('inferred'))).toBe(false);
  });

  it('detects feather files by name, so a damaged one fails instead of being skipped', () => {
    const head = readFileSync(SPOT).subarray(0, 64);
    expect(freqtradeImporter.detect(SPOT, head)).toBe(true);
    expect(freqtradeImporter.detect('x.csv', head)).toBe(false);
    expect(freqtradeImporter.detect('x.feather', Buffer.from('date,open\n'))).toBe(true);
  });
});

describe('freqtrade importer on bad input', () => {
  it('names the file of a truncated copy', async () => {
    const dir = join(tmp, 'binance');
    mkdirSync(dir, { recursive: true });
    const bytes = readFileSync(PERP);
    for (const size of [0, 100, Math.floor(bytes.length / 2), bytes.length - 1]) {
      const path = join(dir, 'BTC_USDT_USDT-1m-futures.feather');
      writeFileSync(path, bytes.subarray(0, size));
      const error = await freqtradeImporter.parse(path, {}).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InputError);
      expect((error as InputError).message).toContain(path);
      expect((error as InputError).message).toMatch(/Arrow IPC/);
    }
  });

  it('asks for --venue when the path names none', async () => {
    const dir = mkdtempSync(join(tmp, 'novenue-'));
    const path = join(dir, 'BTC_USDT-1m.feather');
    writeFileSync(path, readFileSync(SPOT));
    const error = await freqtradeImporter.parse(path, {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toContain('--venue');
  });

  it('rejects file names outside the convention with the expected pattern', async () => {
    const error = await freqtradeImporter.parse(join(tmp, 'binance', 'btc-1m.feather'), {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toContain('btc-1m.feather');
    expect((error as Error).message).toContain('PAIR-TIMEFRAME[-CANDLETYPE].feather');
  });

  it('parses freqtrade file names, dated futures included', () => {
    expect(parseFreqtradeFileName('/d/BTC_USDT-1m.feather')).toMatchObject({ symbol: 'BTC/USDT', table: 'bars', timeframe: '1m' });
    expect(parseFreqtradeFileName('BTC_USDT_USDT-8h-funding_rate.feather')).toMatchObject({ symbol: 'BTC/USDT:USDT', table: 'funding', timeframeMs: 8 * HOUR_MS });
    expect(parseFreqtradeFileName('BTC_USDT_USDT-250926-1h-futures.feather')).toMatchObject({ symbol: 'BTC/USDT:USDT-250926', table: 'bars' });
    expect(parseFreqtradeFileName('ETH_USD_ETH-1d-index.feather')).toMatchObject({ symbol: 'ETH/USD:ETH', table: 'index_bars' });
    const bad: [string, RegExp][] = [
      ['BTC_USDT-1m-futures.feather', /must be BASE_QUOTE_SETTLE/],
      ['BTC_USDT_USDT-1m.feather', /must be BASE_QUOTE/],
      ['BTC_USDT-trades.feather', /trades files are not supported/],
      ['BTC_USDT_USDT-8h-premiumIndex.feather', /premium-index/],
      ['BTC_USDT-1Mo.feather', /timeframe '1Mo' is not supported/],
      ['BTC_USDT_USDT-1m-weird.feather', /unknown candle type 'weird'/],
    ];
    for (const [name, reason] of bad) expect(() => parseFreqtradeFileName(name)).toThrow(reason);
  });

  it('reads the time unit from the Arrow type, keeps nulls as NaN and needs a zone', async () => {
    const dir = join(tmp, 'bybit');
    mkdirSync(dir, { recursive: true });
    // One vector per column: apache-arrow 21 writes garbage when one vector object backs several columns.
    const prices = () => makeVector(new Float64Array([1, 2, 3]));
    const write = (name: string, date: ReturnType<typeof makeVector>) => {
      const path = join(dir, name);
      const table = new Table({ date, open: prices(), high: prices(), low: prices(), close: prices(), volume: prices() });
      writeFileSync(path, tableToIPC(table, 'file'));
      return path;
    };
    const micros = new BigInt64Array([1_748_169_180_000_000n, 1_748_169_240_000_500n, 0n]);
    const path = write('ETH_USDT-1m.feather', makeVector(makeData({ type: new TimestampMicrosecond('UTC'), length: 3, data: micros, nullBitmap: new Uint8Array([0b011]) })));
    const parsed = await freqtradeImporter.parse(path, {});
    expect(parsed.series[0].key.venue).toBe('bybit');
    expect(Array.from(f64(parsed, 'ts'))).toEqual([1_748_169_180_000, 1_748_169_240_000, Number.NaN]);
    expect(parsed.notes).toContain('1 timestamps had sub-millisecond parts, truncated to ms');
    expect(validateSeries(parsed.series[0]).rejections.map((r) => [r.line, r.reason])).toEqual([[3, 'ts is missing or not a number']]);

    const seconds = makeVector(makeData({ type: new Timestamp(TimeUnit.SECOND, null), length: 3, data: new BigInt64Array([1_748_169_180n, 1_748_169_240n, 1_748_169_300n]) }));
    const naive = write('SOL_USDT-1m.feather', seconds);
    await expect(freqtradeImporter.parse(naive, {})).rejects.toThrow(/without time zone.*--timezone UTC/);
    const confirmed = await freqtradeImporter.parse(naive, { timezone: 'UTC' });
    expect(Array.from(f64(confirmed, 'ts'))).toEqual([1_748_169_180_000, 1_748_169_240_000, 1_748_169_300_000]);
  });
});

describe('inferVenueFromPath', () => {
  it('finds the first known venue token', () => {
    expect(inferVenueFromPath('/x/binance_usdm_perp_1m__TheSnowGuru_Market-Swarm-Agents/BTC_USDT_USDT-1m-futures.feather')).toBe('binance');
    expect(inferVenueFromPath('user_data/data/OKX/futures/BTC_USDT_USDT-1h-futures.feather')).toBe('okx');
    expect(inferVenueFromPath('/data/binanceusdm/x.feather')).toBe('binance');
    expect(inferVenueFromPath('/data/gateway/x.feather')).toBeNull();
    expect(inferVenueFromPath('/tmp/BTC_USDT-1m.feather')).toBeNull();
  });
});
