import { describe, expect, it } from 'vitest';
import { SeriesBuilder } from '../../src/data/import/seriesBuilder.ts';
import { MarketStore } from '../../src/data/store/marketStore.ts';
import { useTempDirs } from '../support/tempDir.ts';

const key = { table: 'funding' as const, venue: 'binance', symbol: 'BTC/USDT:USDT', timeframe: null };
const H8 = 8 * 3_600_000;
const T0 = Date.UTC(2023, 0, 1);

function funding(source: string, rows: [tsMs: number, rate: number][]) {
  const b = new SeriesBuilder(key, source);
  rows.forEach(([ts, rate], i) => b.push(i + 2, { ts, rate, interval_ms: H8, mark_price: Number.NaN }));
  return b.build();
}

describe('funding settlements from sources that stamp them differently', () => {
  const tempDir = useTempDirs();

  it('a row within a minute of a stored settlement is that settlement: same rate unchanged, another rate a conflict', async () => {
    const store = new MarketStore(tempDir());
    let tx = store.begin();
    // Binance's API: 1-47 ms after the hour.
    await tx.write(funding('api.csv', [[T0 + 18, 0.0001], [T0 + H8 + 16, 0.0002], [T0 + 2 * H8 + 1, 0.0003]]));
    tx.commit();
    tx = store.begin();
    const result = await tx.write(funding('exact.csv', [[T0, 0.0001], [T0 + H8, 0.00025], [T0 + 2 * H8 + 1, 0.0003], [T0 + 3 * H8, 0.0004]]));
    tx.commit();
    expect(result.added).toBe(1);
    expect(result.unchanged).toBe(2);
    expect(result.conflicts).toEqual([
      { source: 'exact.csv', line: 3, reason: 'the settlement at 2023-01-01T08:00:00.000Z is stored at 2023-01-01T08:00:00.016Z with rate 0.0002 (this row: 0.00025); stored row kept' },
    ]);
    const back = await store.read(key);
    expect(Array.from(back.columns.ts as Float64Array)).toEqual([T0 + 18, T0 + H8 + 16, T0 + 2 * H8 + 1, T0 + 3 * H8]);
    expect(Array.from(back.columns.rate as Float64Array)).toEqual([0.0001, 0.0002, 0.0003, 0.0004]);
  });
});
