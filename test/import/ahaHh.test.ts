import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { HOUR_MS } from '../../src/core/time.ts';
import { ahaHhImporter, ahaHhSymbol } from '../../src/data/import/ahaHh.ts';
import { supervikFundingImporter } from '../../src/data/import/supervikFunding.ts';
import type { ParsedSource, SeriesData } from '../../src/data/import/types.ts';
import { validateSeries } from '../../src/data/import/validateSeries.ts';
import { dataPath } from '../support/paths.ts';
import { useTempDirs } from '../support/tempDir.ts';

const PATH = dataPath('binance_bybit_okx_8h_spot_perp_funding__AHA-HH', 'all_exchanges.csv');
const iso = (ms: number) => new Date(ms).toISOString();
const tsOf = (s: SeriesData) => Array.from(s.columns.ts as Float64Array);
const find = (p: ParsedSource, table: string, venue: string, symbol: string) => {
  const s = p.series.find((x) => x.key.table === table && x.key.venue === venue && x.key.symbol === symbol);
  if (!s) throw new Error(`no ${table} ${venue} ${symbol}`);
  return s;
};
const valueAt = (s: SeriesData, column: string, isoTime: string) => (s.columns[column] as Float64Array)[tsOf(s).indexOf(Date.parse(isoTime))];

describe('AHA-HH importer on the real file', () => {
  let parsed: ParsedSource;
  let rawLines: string[];
  beforeAll(async () => {
    parsed = await ahaHhImporter.parse(PATH, {});
    rawLines = readFileSync(PATH, 'utf8').split('\n');
  });

  it('gives 18 bar series and 12 funding series of 1,642 rows from 29,556 data rows', () => {
    expect(parsed.rowsRead).toBe(29_556);
    expect(parsed.rejections).toEqual([]);
    const bars = parsed.series.filter((s) => s.key.table === 'bars');
    const funding = parsed.series.filter((s) => s.key.table === 'funding');
    expect(bars).toHaveLength(18);
    expect(funding).toHaveLength(12);
    for (const s of parsed.series) {
      expect(s.rows).toBe(1642);
      expect(validateSeries(s).rejections).toEqual([]);
    }
    expect(new Set(bars.map((s) => s.key.symbol))).toEqual(new Set(['BTC/USDT', 'BTC/USDT:USDT', 'BTC/USD:BTC', 'ETH/USDT', 'ETH/USDT:USDT', 'ETH/USD:ETH']));
    expect(new Set(bars.map((s) => s.key.venue))).toEqual(new Set(['binance', 'bybit', 'okx']));
    expect(bars.every((s) => s.key.timeframe === '8h')).toBe(true);
    expect(new Set(funding.map((s) => s.key.symbol))).toEqual(new Set(['BTC/USDT:USDT', 'BTC/USD:BTC', 'ETH/USDT:USDT', 'ETH/USD:ETH']));
  });

  it('puts every bar on the 8h UTC grid, 8h apart, across the clock changes', () => {
    for (const s of parsed.series) {
      const ts = tsOf(s);
      expect(iso(ts[0])).toBe('2023-01-01T00:00:00.000Z');
      expect(iso(ts.at(-1)!)).toBe('2024-07-01T00:00:00.000Z');
      expect(ts.every((t) => t % (8 * HOUR_MS) === 0)).toBe(true);
      expect(ts.every((t, i) => i === 0 || t - ts[i - 1] === 8 * HOUR_MS)).toBe(true);
    }
  });

  it('reads the UK local times around 2023-03-26 and 2023-10-29 as the right UTC instants', () => {
    const s = find(parsed, 'bars', 'okx', 'ETH/USD:ETH');
    const textAt = (isoTime: string) => rawLines[s.lines[tsOf(s).indexOf(Date.parse(isoTime))] - 1].slice(0, 19);
    expect(textAt('2023-03-26T00:00:00Z')).toBe('2023-03-26 00:00:00');
    expect(textAt('2023-03-26T08:00:00Z')).toBe('2023-03-26 09:00:00');
    expect(textAt('2023-03-26T16:00:00Z')).toBe('2023-03-26 17:00:00');
    expect(textAt('2023-10-28T16:00:00Z')).toBe('2023-10-28 17:00:00');
    expect(textAt('2023-10-29T00:00:00Z')).toBe('2023-10-29 01:00:00'); // the repeated hour, summer-time reading
    expect(textAt('2023-10-29T08:00:00Z')).toBe('2023-10-29 08:00:00');
    expect(textAt('2024-03-31T08:00:00Z')).toBe('2024-03-31 09:00:00');
    expect(valueAt(s, 'open', '2023-10-29T00:00:00Z')).toBe(1778.31);
    expect(valueAt(find(parsed, 'funding', 'okx', 'ETH/USD:ETH'), 'rate', '2023-10-29T00:00:00Z')).toBe(0.0001670601562177);
  });

  it('keeps known values', () => {
    const spot = find(parsed, 'bars', 'binance', 'BTC/USDT');
    expect(valueAt(spot, 'open', '2023-01-01T00:00:00Z')).toBe(16541.77);
    expect(valueAt(spot, 'close', '2023-01-01T00:00:00Z')).toBe(16526.19);
    expect(valueAt(spot, 'volume', '2023-01-01T00:00:00Z')).toBe(32048.06442);
    expect(valueAt(find(parsed, 'funding', 'binance', 'BTC/USD:BTC'), 'rate', '2023-01-01T00:00:00Z')).toBe(-1.609e-5);
    expect(valueAt(find(parsed, 'funding', 'okx', 'ETH/USDT:USDT'), 'rate', '2024-07-01T00:00:00Z')).toBe(-6.85589116179e-5);
    const perp = find(parsed, 'funding', 'bybit', 'BTC/USDT:USDT');
    expect(Array.from(new Set(perp.columns.interval_ms as Float64Array))).toEqual([8 * HOUR_MS]);
  });

  it('describes the instruments', () => {
    const byId = new Map(parsed.instruments.map((i) => [`${i.venue} ${i.symbol}`, i]));
    expect(byId.size).toBe(18);
    expect(byId.get('binance BTC/USD:BTC')).toMatchObject({ kind: 'perp', linear: false, settle: 'BTC', fundingIntervalMs: 8 * HOUR_MS });
    expect(byId.get('okx ETH/USDT:USDT')).toMatchObject({ kind: 'perp', linear: true, fundingIntervalMs: 8 * HOUR_MS });
    expect(byId.get('bybit BTC/USDT')).toMatchObject({ kind: 'spot', fundingIntervalMs: null });
  });

  it("a perp row's rate is the funding settled at its open time: equal to Binance's and Bybit's own history", async () => {
    for (const venue of ['binance', 'bybit']) {
      for (const coin of ['BTC', 'ETH']) {
        const start = venue === 'binance' ? '2020' : '2021';
        const path = dataPath('funding_history_7_exchanges__supervik', `${coin}-USDT`, `${coin}-USDT_${venue}_${start}-01-01_2024-01-01_funding_history.csv`);
        const history = (await supervikFundingImporter.parse(path, {})).series[0];
        // Binance stamps settlements a few ms late; the settlement is the whole second.
        const bySecond = new Map(tsOf(history).map((t, i) => [Math.floor(t / 1000) * 1000, (history.columns.rate as Float64Array)[i]]));
        const aha = find(parsed, 'funding', venue, `${coin}/USDT:USDT`);
        const rates = aha.columns.rate as Float64Array;
        const compare = (shiftMs: number) => {
          let both = 0;
          let equal = 0;
          tsOf(aha).forEach((t, i) => {
            const other = bySecond.get(t + shiftMs);
            if (other === undefined) return;
            both++;
            if (other === rates[i]) equal++;
          });
          return { both, equal };
        };
        // The first few dozen, then the whole overlap (all of 2023: 1,095 settlements).
        for (let k = 0; k < 36; k++) {
          const t = Date.parse('2023-01-01T00:00:00Z') + k * 8 * HOUR_MS;
          expect(rates[tsOf(aha).indexOf(t)]).toBe(bySecond.get(t));
        }
        expect(compare(0)).toEqual({ both: 1095, equal: 1095 });
        // Shifted by one interval (the rate settled at the bar's close) most do not match.
        expect(compare(8 * HOUR_MS).equal).toBeLessThan(600);
      }
    }
  });

  it('detects its header', () => {
    expect(ahaHhImporter.detect('x.csv', readFileSync(PATH).subarray(0, 300))).toBe(true);
    expect(ahaHhImporter.detect('x.csv', Buffer.from('Symbol,Date,Funding Rate\n'))).toBe(false);
  });

  it('maps its pair labels', () => {
    expect(ahaHhSymbol('BTC/USDT', 'spot')).toBe('BTC/USDT');
    expect(ahaHhSymbol('ETHUSDT', 'perpetual')).toBe('ETH/USDT:USDT');
    expect(ahaHhSymbol('ETHUSDCM', 'perpetual')).toBe('ETH/USD:ETH');
    expect(ahaHhSymbol('BTCUSDT', 'spot')).toBeNull();
    expect(ahaHhSymbol('BTCUSD', 'future')).toBeNull();
  });
});

describe('AHA-HH importer on a broken copy', () => {
  const tempDir = useTempDirs();
  it('reports every bad row with its line and reason', async () => {
    const real = readFileSync(PATH, 'utf8').split('\n');
    const perp = real.filter((l) => l.includes(',binance,bitcoin,BTCUSDT,perpetual,'));
    const spot = real.filter((l) => l.includes(',binance,bitcoin,BTC/USDT,spot,'));
    const lines = [
      real[0],
      perp[0], // 2: 2023-01-01 00:00
      perp[1].replace(',16519.5,', ',-16519.5,'), // 3: negative open
      perp[2].replace(',16618.8,', ',NaN,'), // 4: high not a number
      perp[3].replace('2023-01-02 00:00:00', '2023-01-02 0:00'), // 5: malformed time
      perp[4].replace(/,[^,]*$/, ','), // 6: empty funding on a perp
      perp[5], // 7: 2023-01-02 16:00
      perp[5], // 8: duplicate
      perp[1], // 9: out of order
      spot[6], // 10: spot, empty funding as expected
      perp[6].replace('2023-01-03 00:00:00', '2023-03-26 01:00:00'), // 11: skipped by the clock change
      perp[6].replace('BTCUSDT,perpetual', 'BTCUSD,future'), // 12: unknown contract
      perp[6].replace(/,[^,]*$/, ',abc'), // 13: funding not a number
      spot[7].replace(/,$/, ',0.0001'), // 14: funding on a spot row
      perp[7].split(',').slice(0, 9).join(','), // 15: short row
    ];
    const path = join(tempDir(), 'all_exchanges.csv');
    writeFileSync(path, lines.join('\n') + '\n');

    const parsed = await ahaHhImporter.parse(path, {});
    expect(parsed.rowsRead).toBe(14);
    const bars = validateSeries(find(parsed, 'bars', 'binance', 'BTC/USDT:USDT'));
    const funding = validateSeries(find(parsed, 'funding', 'binance', 'BTC/USDT:USDT'));
    expect(Array.from(bars.data.lines)).toEqual([2, 6, 7, 13]);
    expect(Array.from(funding.data.lines)).toEqual([2, 3, 4, 7]);
    expect(validateSeries(find(parsed, 'bars', 'binance', 'BTC/USDT')).rejections).toEqual([]);
    const all = [...parsed.rejections, ...bars.rejections, ...funding.rejections];
    expect(all.every((r) => r.source === path)).toBe(true);
    const byLine = all.map((r) => [r.line, r.reason]).sort((a, b) => Number(a[0]) - Number(b[0]) || String(a[1]).localeCompare(String(b[1])));
    expect(byLine).toEqual([
      [3, 'open must be > 0 (-16519.5)'],
      [4, "high 'NaN' is not a number"],
      [5, "time: cannot read time '2023-01-02 0:00' (expected YYYY-MM-DD HH:mm:ss[.SSS] or YYYYMMDD HH:mm:ss)"],
      [6, 'funding rate is empty on a perpetual row (the bar is taken)'],
      [8, 'duplicate of line 7 (2023-01-02T16:00:00.000Z)'],
      [8, 'duplicate of line 7 (2023-01-02T16:00:00.000Z)'],
      [9, 'out of order: 2023-01-01T08:00:00.000Z comes after 2023-01-02T16:00:00.000Z (line 7)'],
      [9, 'out of order: 2023-01-01T08:00:00.000Z comes after 2023-01-02T16:00:00.000Z (line 7)'],
      [11, "time: local time '2023-03-26 01:00:00' does not exist in Europe/London (skipped by a clock change)"],
      [12, "unknown exchange/pair/contract 'binance/BTCUSD/future'"],
      [13, "funding rate 'abc' is not a number"],
      [14, "funding rate '0.0001' on a spot row (not taken)"],
      [15, 'expected 11 fields, got 9'],
    ]);
  });

  it('refuses a file with another header', async () => {
    const path = join(tempDir(), 'x.csv');
    writeFileSync(path, 'time,exchange,crypto,pair,contract,open,high,low,close\n');
    await expect(ahaHhImporter.parse(path, {})).rejects.toThrow(`${path}:1: header is`);
  });
});
