import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeData, makeVector, Table, tableToIPC, TimestampMillisecond } from 'apache-arrow';
import { strToU8, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { importPath, type ImportReport } from '../../src/data/import/importPath.ts';
import { MarketStore } from '../../src/data/store/marketStore.ts';
import type { SeriesKey } from '../../src/domain/series.ts';
import { runCli } from '../support/cli.ts';
import { useTempDirs } from '../support/tempDir.ts';
import { brokenCopy, FTX_FILE, OKX_REST_FILE } from './cryptofeed/support.ts';

/** 10000-01-01T00:00Z: toISOString() writes '+010000-01-01...', a partition name the store cannot read back. */
const YEAR_10000_MS = 253_402_300_800_000;
/** The clock of these imports: 2025-07-01T00:00Z. */
const NOW_MS = Date.UTC(2025, 6, 1);
const T = Date.UTC(2025, 5, 1); // 2025-06-01T00:00Z, a plausible event time

const rejectionsOf = (report: ImportReport) => report.files.flatMap((f) => f.rejections).map((r) => [r.line, r.reason]);

async function storedTs(store: MarketStore, key: SeriesKey): Promise<number[]> {
  return Array.from((await store.read(key)).columns.ts as Float64Array);
}

describe('event times outside 2009-01-03 .. now + 1 day are rejected rows (file and line), never stored', () => {
  const tempDir = useTempDirs();

  it('generic CSV (CLI): a year-10000 row is rejected, the rest imported, and data ls / data show still work', async () => {
    const root = tempDir();
    const csv = join(root, 'bars.csv');
    const store = join(root, 'store');
    writeFileSync(csv, ['ts,o,h,l,c,v', `${T},100,101,99,100,1`, `${YEAR_10000_MS},100,101,99,100,1`, `${T + 60_000},100,102,99,101,2`].join('\n'));
    const map = 'ts=ts:ms,open=o,high=h,low=l,close=c,volume=v';
    const imported = await runCli(['data', 'import', csv, '--format', 'csv', '--venue', 'binance', '--symbol', 'BTC/USDT', '--table', 'bars', '--timeframe', '1m', '--map', map, '--store', store, '--json']);
    expect(imported.code, imported.stderr).toBe(0);
    const report = JSON.parse(imported.stdout) as ImportReport;
    expect([report.added, report.rejected]).toEqual([2, 1]);
    expect(report.files[0].rejections).toHaveLength(1);
    expect(report.files[0].rejections[0]).toMatchObject({ source: csv, line: 3 });
    expect(report.files[0].rejections[0].reason).toMatch(/^ts \+010000-01-01T00:00:00\.000Z is more than a day after now \(20\d\d-/);

    const ls = await runCli(['data', 'ls', '--store', store, '--json']);
    expect(ls.code, ls.stderr).toBe(0);
    expect(JSON.parse(ls.stdout).series).toMatchObject([{ id: 'bars/binance/BTC/USDT/1m', rows: 2, from: '2025-06-01T00:00:00.000Z', to: '2025-06-01T00:01:00.000Z' }]);
    const show = await runCli(['data', 'show', 'binance', 'BTC/USDT', '--timeframe', '1m', '--limit', '0', '--store', store, '--json']);
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toContain('2025-06-01T00:01:00.000Z');
    expect(show.stdout).not.toContain('10000');
  });

  it('generic CSV: a time before 2009-01-03 (seconds read as ms) and one a day and a minute ahead of the clock are rejected; now + 1 day is kept', async () => {
    const root = tempDir();
    const csv = join(root, 'funding.csv');
    const day = 86_400_000;
    writeFileSync(csv, ['t,r', '1748736000,0.0001', `${T},0.0001`, `${NOW_MS + day},0.0001`, `${NOW_MS + day + 60_000},0.0001`].join('\n'));
    const store = new MarketStore(join(root, 'store'));
    const report = await importPath(store, csv, {
      format: 'csv',
      venue: 'binance',
      symbol: 'BTC/USDT:USDT',
      csvMapping: { table: 'funding', timeframe: null, timeColumn: 't', timeFormat: 'ms', columns: { rate: 'r' } },
      nowMs: NOW_MS,
    });
    expect(rejectionsOf(report)).toEqual([
      [2, 'ts 1970-01-21T05:45:36.000Z is before 2009-01-03, when no crypto market existed'],
      [5, 'ts 2025-07-02T00:01:00.000Z is more than a day after now (2025-07-01T00:00:00.000Z)'],
    ]);
    expect(await storedTs(store, { table: 'funding', venue: 'binance', symbol: 'BTC/USDT:USDT', timeframe: null })).toEqual([T, NOW_MS + day]);
  });

  it('freqtrade feather: a candle dated year 10000 is rejected by record number', async () => {
    const dir = join(tempDir(), 'binance');
    mkdirSync(dir, { recursive: true });
    const prices = () => makeVector(new Float64Array([100, 100, 100]));
    const dates = new BigInt64Array([BigInt(T), BigInt(T + 60_000), BigInt(YEAR_10000_MS)]);
    const date = makeVector(makeData({ type: new TimestampMillisecond('UTC'), length: 3, data: dates }));
    const path = join(dir, 'BTC_USDT-1m.feather');
    writeFileSync(path, tableToIPC(new Table({ date, open: prices(), high: prices(), low: prices(), close: prices(), volume: prices() }), 'file'));
    const store = new MarketStore(join(tempDir(), 'store'));
    const report = await importPath(store, path, { nowMs: NOW_MS });
    expect(rejectionsOf(report)).toEqual([[3, 'ts +010000-01-01T00:00:00.000Z is more than a day after now (2025-07-01T00:00:00.000Z)']]);
    expect(await storedTs(store, { table: 'bars', venue: 'binance', symbol: 'BTC/USDT', timeframe: '1m' })).toEqual([T, T + 60_000]);
  });

  it('supervik funding: a date past the clock is rejected naming the line', async () => {
    const root = join(tempDir(), 'funding_history');
    mkdirSync(root, { recursive: true });
    const path = join(root, 'BTC-USDT_gate_2020-01-01_2024-01-01_funding_history.csv');
    writeFileSync(path, ['Symbol,Date,Funding Rate', 'BTC-USDT,2023-12-31 00:00:00.000,0.0001', 'BTC-USDT,2023-12-31 08:00:00.000,0.0001', 'BTC-USDT,2099-12-31 16:00:00.000,0.0001', ''].join('\n'));
    const store = new MarketStore(join(tempDir(), 'store'));
    const report = await importPath(store, path, { nowMs: NOW_MS });
    expect(rejectionsOf(report)).toEqual([[4, 'ts 2099-12-31T16:00:00.000Z is more than a day after now (2025-07-01T00:00:00.000Z)']]);
    expect(await storedTs(store, { table: 'funding', venue: 'gate', symbol: 'BTC/USDT:USDT', timeframe: null })).toEqual([Date.UTC(2023, 11, 31, 0), Date.UTC(2023, 11, 31, 8)]);
  });

  it('AHA-HH: a bar and its funding dated 2099 are rejected, the others stored', async () => {
    const root = tempDir();
    const path = join(root, 'all_exchanges.csv');
    const header = 'time,exchange,crypto,pair,contract,open,high,low,close,volume,funding rate';
    const row = (time: string) => `${time},binance,bitcoin,BTCUSDT,perpetual,16531.2,16545.7,16486.6,16515.5,4362.5,-1.609e-05`;
    writeFileSync(path, [header, row('2023-01-01 00:00:00'), row('2023-01-01 08:00:00'), row('2099-01-01 00:00:00'), ''].join('\n'));
    const store = new MarketStore(join(root, 'store'));
    const report = await importPath(store, path, { format: 'aha-hh', nowMs: NOW_MS });
    const reason = 'ts 2099-01-01T00:00:00.000Z is more than a day after now (2025-07-01T00:00:00.000Z)';
    expect(rejectionsOf(report)).toEqual([[4, reason], [4, reason]]);
    expect(await storedTs(store, { table: 'funding', venue: 'binance', symbol: 'BTC/USDT:USDT', timeframe: null })).toEqual([Date.UTC(2023, 0, 1), Date.UTC(2023, 0, 1, 8)]);
  });

  it('LEAN: a day file dated 2099 has every row rejected (zip member and line); the 2022 day beside it is stored', async () => {
    const root = tempDir();
    const rows = ['0,17194,17199.5,17193.5,17199,78.677', '60000,17199,17200,17198,17199,1'].join('\n');
    const zip = (day: string) => {
      const path = join(root, `Data/crypto/bybit/minute/btcusdt/${day}_trade.zip`);
      mkdirSync(join(path, '..'), { recursive: true });
      writeFileSync(path, zipSync({ [`${day}_btcusdt_minute_trade.csv`]: strToU8(rows) }));
      return path;
    };
    zip('20221213');
    const future = zip('20991213');
    const store = new MarketStore(join(tempDir(), 'store'));
    const report = await importPath(store, join(root, 'Data'), { nowMs: NOW_MS });
    const rejections = report.files.flatMap((f) => f.rejections);
    expect(rejections).toEqual([
      { source: `${future}!20991213_btcusdt_minute_trade.csv`, line: 1, reason: 'ts 2099-12-13T00:00:00.000Z is more than a day after now (2025-07-01T00:00:00.000Z)' },
      { source: `${future}!20991213_btcusdt_minute_trade.csv`, line: 2, reason: 'ts 2099-12-13T00:01:00.000Z is more than a day after now (2025-07-01T00:00:00.000Z)' },
    ]);
    expect(await storedTs(store, { table: 'bars', venue: 'bybit', symbol: 'BTC/USDT', timeframe: '1m' })).toEqual([Date.UTC(2022, 11, 13), Date.UTC(2022, 11, 13, 0, 1)]);
  });

  it('cryptofeed OKX websocket: a ticker stamped year 10000 is rejected by line, the good one stored', async () => {
    const root = tempDir();
    const path = join(root, 'OKX.ws.1.0');
    const ticker = (ts: number) =>
      `{"arg":{"channel":"tickers","instId":"BTC-USDT"},"data":[{"instType":"SPOT","instId":"BTC-USDT","last":"30218.8","lastSz":"1","askPx":"30220.1","askSz":"3","bidPx":"30210.4","bidSz":"4","ts":"${ts}"}]}`;
    writeFileSync(path, ['wss://ws.okx.com:8443/ws/v5/public <-> 1652459224.5', `1652459225.1: ${ticker(1_652_459_223_003)}`, `1652459225.2: ${ticker(YEAR_10000_MS)}`, ''].join('\n'));
    const store = new MarketStore(join(root, 'store'));
    const report = await importPath(store, path, { nowMs: NOW_MS });
    expect(rejectionsOf(report)).toEqual([[3, 'ts +010000-01-01T00:00:00.000Z is more than a day after now (2025-07-01T00:00:00.000Z)']]);
    expect(await storedTs(store, { table: 'quotes', venue: 'okx', symbol: 'BTC/USDT', timeframe: null })).toEqual([1_652_459_223_003]);
  });

  it('cryptofeed Binance depth: a snapshot with T in year 10000 is rejected (book and quote), the other stored', async () => {
    const root = tempDir();
    const path = join(root, 'BINANCE_FUTURES.http.0.0');
    const depth = (symbol: string, t: number) =>
      `https://fapi.binance.com/fapi/v1/depth?symbol=${symbol}&limit=1000 -> 1626992741.301402: {"lastUpdateId":600859605926,"E":${t},"T":${t},"bids":[["7.6110","6"]],"asks":[["7.6120","5"]]}`;
    writeFileSync(path, [depth('SUSHIUSDT', 1_626_992_741_261), depth('AKROUSDT', YEAR_10000_MS), ''].join('\n'));
    const store = new MarketStore(join(root, 'store'));
    const report = await importPath(store, path, { nowMs: NOW_MS });
    const reason = 'ts +010000-01-01T00:00:00.000Z is more than a day after now (2025-07-01T00:00:00.000Z)';
    expect(rejectionsOf(report)).toEqual([[2, reason], [2, reason]]);
    expect(store.listSeries().map((s) => s.id).sort()).toEqual(['books/binance/SUSHI/USDT:USDT', 'quotes/binance/SUSHI/USDT:USDT']);
  });

  it('cryptofeed FTX markets captured "in year 10000": every quote rejected by line, dated futures refused for their expiry, nothing stored', async () => {
    const path = brokenCopy(FTX_FILE, 'FTX.0', (lines) => {
      lines[0] = lines[0].replace(/ -> \d+\.\d+: /, ' -> 253402300800.5: ');
    });
    const store = new MarketStore(join(tempDir(), 'store'));
    const report = await importPath(store, path, { nowMs: NOW_MS });
    const reasons = report.files[0].rejections.map((r) => r.reason);
    expect(report.added).toBe(0);
    expect(store.listSeries()).toEqual([]);
    expect(reasons.filter((r) => r === 'ts +010000-01-01T00:00:00.500Z is more than a day after now (2025-07-01T00:00:00.000Z)').length).toBeGreaterThan(400);
    expect(reasons).toContain('FTX market BTC-0924: expiry +010000-09-24T03:00:00.000Z is after 2100-01-01, beyond any contract');
    expect(store.instruments().filter((i) => i.kind === 'future')).toEqual([]);
  });

  it('OKX instruments: a future expiring in 2200 (its instId dated to agree) is refused with its line, never noted; the rest are', async () => {
    const expiry2200 = Date.UTC(2200, 5, 24, 8);
    const path = brokenCopy(OKX_REST_FILE, 'OKX.0', (lines) => {
      const real = '"expTime":"1656057600000","instId":"BTC-USD-220624"';
      if (!lines.some((l) => l.includes(real))) throw new Error('BTC-USD-220624 not in the capture');
      lines.forEach((l, i) => (lines[i] = l.replaceAll(real, `"expTime":"${expiry2200}","instId":"BTC-USD-000624"`)));
    });
    const store = new MarketStore(join(tempDir(), 'store'));
    const report = await importPath(store, path, { nowMs: NOW_MS });
    const bad = report.files[0].rejections.filter((r) => r.reason.includes('000624'));
    expect(bad.length).toBeGreaterThan(0);
    for (const r of bad) expect(r).toMatchObject({ source: path, line: expect.any(Number), reason: 'OKX FUTURES BTC-USD-000624: expiry 2200-06-24T08:00:00.000Z is after 2100-01-01, beyond any contract' });
    const symbols = store.instruments().map((i) => i.symbol);
    expect(symbols).toContain('BTC/USD:BTC-220527');
    expect(symbols.filter((s) => s.endsWith('000624'))).toEqual([]);
  });
});

describe('plausibility bounds on values: rejected rows with the reason, never stored', () => {
  const tempDir = useTempDirs();

  it('supervik funding: a rate of 5 per interval (500 %) is rejected with the reason; 0.1 is kept', async () => {
    const root = join(tempDir(), 'funding_history');
    mkdirSync(root, { recursive: true });
    const path = join(root, 'BTC-USDT_gate_2020-01-01_2024-01-01_funding_history.csv');
    writeFileSync(path, ['Symbol,Date,Funding Rate', 'BTC-USDT,2023-12-31 00:00:00.000,0.0001', 'BTC-USDT,2023-12-31 08:00:00.000,5', 'BTC-USDT,2023-12-31 16:00:00.000,-0.1', ''].join('\n'));
    const store = new MarketStore(join(tempDir(), 'store'));
    const report = await importPath(store, path, { nowMs: NOW_MS });
    expect(rejectionsOf(report)).toEqual([[3, 'rate 5 per interval is beyond ±0.1 (venues cap funding at a few percent)']]);
    const stored = await store.read({ table: 'funding', venue: 'gate', symbol: 'BTC/USDT:USDT', timeframe: null });
    expect(Array.from(stored.columns.rate as Float64Array)).toEqual([0.0001, -0.1]);
  });

  it('generic CSV (CLI): funding rate 5, a 30-day interval and a mark price of 0 are rejected, listed in --rejects', async () => {
    const root = tempDir();
    const csv = join(root, 'funding.csv');
    const store = join(root, 'store');
    const rejectsFile = join(root, 'rejects.jsonl');
    const h8 = 8 * 3_600_000;
    writeFileSync(
      csv,
      ['t,rate,interval,mark', `${T},0.0001,${h8},67000`, `${T + h8},5,${h8},67000`, `${T + 2 * h8},0.0001,${30 * 86_400_000},67000`, `${T + 3 * h8},0.0001,${h8},0`, `${T + 4 * h8},0.0002,${h8},1e13`, `${T + 5 * h8},0.0003,${h8},67010`].join('\n'),
    );
    const map = 'ts=t:ms,rate=rate,interval_ms=interval,mark_price=mark';
    const result = await runCli(['data', 'import', csv, '--format', 'csv', '--venue', 'binance', '--symbol', 'BTC/USDT:USDT', '--table', 'funding', '--map', map, '--store', store, '--rejects', rejectsFile, '--json']);
    expect(result.code, result.stderr).toBe(0);
    const rejects = readFileSync(rejectsFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { line: number; reason: string });
    expect(rejects.map((r) => [r.line, r.reason])).toEqual([
      [3, 'rate 5 per interval is beyond ±0.1 (venues cap funding at a few percent)'],
      [4, 'interval_ms 2592000000 is outside 1 minute .. 7 days (60000..604800000 ms)'],
      [5, 'mark_price must be > 0 (0)'],
      [6, "mark_price 10000000000000 is above 1000000000000, no market's price"],
    ]);
    const stored = await new MarketStore(store).read({ table: 'funding', venue: 'binance', symbol: 'BTC/USDT:USDT', timeframe: null });
    expect(Array.from(stored.columns.rate as Float64Array)).toEqual([0.0001, 0.0003]);
  });

  it('generic CSV: a bar price above the ceiling (a ms time in a price column) is rejected', async () => {
    const root = tempDir();
    const csv = join(root, 'bars.csv');
    writeFileSync(csv, ['ts,o,h,l,c', `${T},100,101,99,100`, `${T + 60_000},100,${T},99,100`].join('\n'));
    const store = new MarketStore(join(root, 'store'));
    const report = await importPath(store, csv, {
      format: 'csv',
      venue: 'binance',
      symbol: 'BTC/USDT',
      csvMapping: { table: 'bars', timeframe: '1m', timeColumn: 'ts', timeFormat: 'ms', columns: { open: 'o', high: 'h', low: 'l', close: 'c' } },
      nowMs: NOW_MS,
    });
    expect(rejectionsOf(report)).toEqual([[3, "high 1748736000000 is above 1000000000000, no market's price"]]);
  });
});
