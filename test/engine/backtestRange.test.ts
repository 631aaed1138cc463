import { describe, expect, it } from 'vitest';
import { SeriesBuilder } from '../../src/data/import/seriesBuilder.ts';
import { MarketStore } from '../../src/data/store/marketStore.ts';
import type { SeriesKey } from '../../src/domain/series.ts';
import { parseBacktestConfig, runBacktest } from '../../src/engine/backtest.ts';
import { useTempDirs } from '../support/tempDir.ts';

const T0 = Date.UTC(2025, 5, 1);
const MINUTE = 60_000;

function bars(key: SeriesKey, count: number) {
  const b = new SeriesBuilder(key, 'test.csv');
  for (let i = 0; i < count; i++) b.push(i + 2, { ts: T0 + i * MINUTE, open: 100, high: 101, low: 99, close: 100, volume: 1 });
  return b.build();
}

describe('backtest data.from / data.to', () => {
  const tempDir = useTempDirs();

  it('replays the bars opening in [from, to): one at from is replayed, one at to is not', async () => {
    const root = tempDir();
    const store = new MarketStore(root);
    const tx = store.begin();
    for (const symbol of ['BTC/USDT', 'BTC/USDT:USDT']) await tx.write(bars({ table: 'bars', venue: 'binance', symbol, timeframe: '1m' }, 10));
    tx.commit();
    const config = parseBacktestConfig({
      strategy: { type: 'fundingCarry', params: { spot: 'binance:BTC/USDT', perp: 'binance:BTC/USDT:USDT', notionalUsd: 1_000 } },
      data: { source: 'store', from: new Date(T0 + 2 * MINUTE).toISOString(), to: new Date(T0 + 5 * MINUTE).toISOString() },
      instruments: ['binance:BTC/USDT', 'binance:BTC/USDT:USDT'].map((id) => ({ id, takerFeeRate: 0.001, makerFeeRate: 0.001, lotSize: 0.00001 })),
      venues: [{ venue: 'binance', balances: { USDT: 10_000 } }],
    });
    const { summary, span } = await runBacktest(config, { storeDir: root });
    // Bars opening at 00:02, 00:03 and 00:04 on both legs; the 00:05 bar is outside.
    expect(summary.events).toBe(6);
    // Bars are events at their close: the first closes at 00:03.
    expect(span?.fromMs).toBe(T0 + 3 * MINUTE);
  });
});
