import { describe, expect, it } from 'vitest';
import { SeriesBuilder } from '../src/data/import/seriesBuilder.ts';
import { validateSeries } from '../src/data/import/validateSeries.ts';

const key = { table: 'bars' as const, venue: 'binance', symbol: 'BTC/USDT', timeframe: '1m' };
/** 2024-01-01T00:00Z: row times are offsets from it. */
const T0 = Date.UTC(2024, 0, 1);
const bar = (ts: number, close: number) => ({ ts: T0 + ts, open: close, high: close + 1, low: close - 1, close, volume: 1 });

describe('validateSeries', () => {
  it('rejects NaN, negative price, off-grid, out-of-order and duplicate rows with their lines', () => {
    const b = new SeriesBuilder(key, 'f.csv');
    b.push(2, bar(60_000, 100));
    b.push(3, { ...bar(120_000, 100), close: Number.NaN });
    b.push(4, { ...bar(180_000, 100), low: -5, open: -5 });
    b.push(5, bar(190_000, 100));
    b.push(6, bar(240_000, 100));
    b.push(7, bar(120_000, 100));
    b.push(8, bar(240_000, 100));
    b.push(9, bar(240_000, 101));
    b.push(10, { ...bar(300_000, 100), high: 99 });
    const { data, rejections } = validateSeries(b.build());
    expect(data.rows).toBe(2);
    expect(Array.from(data.columns.ts as Float64Array)).toEqual([T0 + 60_000, T0 + 240_000]);
    expect(Array.from(data.lines)).toEqual([2, 6]);
    expect(rejections.map((r) => [r.line, r.reason])).toEqual([
      [3, 'close is missing or not a number'],
      [4, 'open must be > 0 (-5)'],
      [5, 'ts 2024-01-01T00:03:10.000Z is not on the 1m grid'],
      [7, 'out of order: 2024-01-01T00:02:00.000Z comes after 2024-01-01T00:04:00.000Z (line 6)'],
      [8, 'duplicate of line 6 (2024-01-01T00:04:00.000Z)'],
      [9, 'conflicting duplicate of line 6 (2024-01-01T00:04:00.000Z)'],
      [10, 'high 99 is below open/close/low'],
    ]);
  });

  it('rejects a crossed quote and keeps a locked one', () => {
    const b = new SeriesBuilder({ table: 'quotes', venue: 'ftx', symbol: 'BTC/USD', timeframe: null }, 'q');
    b.push(1, { ts: T0 + 1, bid: 101, ask: 100 });
    b.push(2, { ts: T0 + 2, bid: 100, ask: 100 });
    const { data, rejections } = validateSeries(b.build());
    expect(data.rows).toBe(1);
    expect(rejections[0]).toEqual({ source: 'q', line: 1, reason: 'crossed: bid 101 > ask 100' });
  });
});
