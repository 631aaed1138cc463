import { describe, expect, it } from 'vitest';
import { loadFundingFrame } from '../../src/data/forecast/fundingFrame.ts';
import { SeriesBuilder } from '../../src/data/import/seriesBuilder.ts';
import { MarketStore } from '../../src/data/store/marketStore.ts';
import type { SeriesKey, SeriesTable } from '../../src/domain/series.ts';
import { useTempDirs } from '../support/tempDir.ts';

const H8 = 8 * 3_600_000;
const T0 = Date.UTC(2023, 0, 1);
const PERP = 'BTC/USDT:USDT';

function series(table: SeriesTable, venue: string, symbol: string, timeframe: string | null, rows: Record<string, number>[]) {
  const key: SeriesKey = { table, venue, symbol, timeframe };
  const b = new SeriesBuilder(key, `${table}.csv`);
  rows.forEach((row, i) => b.push(i + 2, row));
  return b.build();
}

describe('a funding series of the store as a forecasting frame', () => {
  const tempDir = useTempDirs();

  async function storeWith() {
    const store = new MarketStore(tempDir());
    const tx = store.begin();
    // 4 settlements on binance, 8 h apart
    await tx.write(series('funding', 'binance', PERP, null, [1e-4, 2e-4, 3e-4, 4e-4].map((rate, i) => ({ ts: T0 + i * H8, rate, interval_ms: H8 }))));
    // bybit settles 4-hourly: its rate per 8 h is twice its rate per 4 h
    await tx.write(series('funding', 'bybit', PERP, null, [0, 1, 2, 3, 4, 5, 6].map((i) => ({ ts: T0 + i * 4 * 3_600_000, rate: 2e-5, interval_ms: 4 * 3_600_000 }))));
    // 8h bars (open times): the bar opened at T0 closes at T0 + 8h and is known at the second settlement
    await tx.write(series('bars', 'binance', PERP, '8h', [0, 1].map((i) => ({ ts: T0 + i * H8, open: 100, high: 100, low: 100, close: 101 + i, volume: 80 }))));
    await tx.write(series('bars', 'binance', 'BTC/USDT', '8h', [0, 1].map((i) => ({ ts: T0 + i * H8, open: 100, high: 100, low: 100, close: 100, volume: 5 }))));
    // quotes for the 3rd settlement (T0 + 16h): two taken after the 2nd, the later one counts; one for the 4th announced elsewhere is ignored
    await tx.write(
      series('funding_quotes', 'binance', PERP, null, [
        { ts: T0 + H8 + 1000, rate: 2.5e-4, next_funding_ms: T0 + 2 * H8 },
        { ts: T0 + 2 * H8 - 1000, rate: 2.9e-4, next_funding_ms: T0 + 2 * H8 },
        { ts: T0 + 2 * H8 + 1000, rate: 9e-4, next_funding_ms: T0 + 5 * H8 },
      ]),
    );
    tx.commit();
    return store;
  }

  it('aligns features to what was known at each settlement, and the venue quote to the settlement it was for', async () => {
    const frame = await loadFundingFrame(await storeWith(), 'binance', PERP);
    expect(Array.from(frame.rate)).toEqual([1e-4, 2e-4, 3e-4, 4e-4]);
    const byName = Object.fromEntries(frame.features.map((f) => [f.name, Array.from(f.values)]));
    expect(Object.keys(byName)).toEqual(['otherMarketsRatePer8h', 'basis', 'logVolumePerHour']);
    // bybit's latest at each binance settlement: 2e-5 per 4 h = 4e-5 per 8 h
    expect(byName.otherMarketsRatePer8h.map((v) => v.toFixed(8))).toEqual(['0.00004000', '0.00004000', '0.00004000', '0.00004000']);
    // at T0 no bar has closed; at T0+8h the first (close 101 vs 100), at T0+16h the second (102), at T0+24h the second is 16 h old (within 2 intervals)
    expect(byName.basis[0]).toBeNaN();
    expect(byName.basis.slice(1).map((v) => v.toFixed(4))).toEqual(['0.0100', '0.0200', '0.0200']);
    expect(byName.logVolumePerHour[1]).toBeCloseTo(Math.log1p(10), 12); // 80 per 8 h
    expect(Number.isNaN(frame.predicted[0]) && Number.isNaN(frame.predicted[1]) && Number.isNaN(frame.predicted[3])).toBe(true);
    expect(frame.predicted[2]).toBe(2.9e-4);
    expect(frame.predictedTsMs[2]).toBe(T0 + 2 * H8 - 1000);
  });

  it('names what the store has when the venue or symbol is unknown', async () => {
    const store = await storeWith();
    await expect(loadFundingFrame(store, 'okx', PERP)).rejects.toThrow(`unknown venue 'okx': the store ${store.root} has funding for binance, bybit`);
    await expect(loadFundingFrame(store, 'binance', 'ETH/USDT:USDT')).rejects.toThrow(`no funding for 'ETH/USDT:USDT' on binance in ${store.root}; binance has funding for BTC/USDT:USDT`);
  });
});
