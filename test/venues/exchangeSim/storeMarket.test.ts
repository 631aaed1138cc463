import { describe, expect, it } from 'vitest';
import { HOUR_MS, MINUTE_MS } from '../../../src/core/time.ts';
import { SeriesBuilder } from '../../../src/data/import/seriesBuilder.ts';
import { MarketStore } from '../../../src/data/store/marketStore.ts';
import { startExchangeSim } from '../../../src/venues/exchangeSim/exchangeSim.ts';
import { useTempDirs } from '../../support/tempDir.ts';
import { KEYS, simAccount, TEST_ACCOUNT } from './support/simHarness.ts';

const T0 = Date.UTC(2024, 5, 1);
const PERP = 'BTC/USDT:USDT';

/** Two hours of 1m BTC bars for binance spot and perp (perp 10 USDT above), and funding at 00:00 and 01:00 (fake hourly settlements). */
async function writeStore(dir: string): Promise<void> {
  const store = new MarketStore(dir);
  const tx = store.begin();
  for (const [symbol, offset] of [['BTC/USDT', 0], [PERP, 10]] as const) {
    const b = new SeriesBuilder({ table: 'bars', venue: 'binance', symbol, timeframe: '1m' }, 'test');
    for (let i = 0; i < 120; i++) {
      const close = 60_000 + offset + i;
      b.push(i + 1, { ts: T0 + i * MINUTE_MS, open: close - 1, high: close + 2, low: close - 2, close, volume: 5 });
    }
    await tx.write(b.build());
  }
  const f = new SeriesBuilder({ table: 'funding', venue: 'binance', symbol: PERP, timeframe: null }, 'test');
  [0.0001, 0.0002, 0.0003].forEach((rate, i) => f.push(i + 1, { ts: T0 + i * HOUR_MS, rate, interval_ms: HOUR_MS, mark_price: 60_010 + i * 60 }));
  await tx.write(f.build());
  tx.commit();
}

describe('exchange-sim on a store', () => {
  const tempDir = useTempDirs();

  it('lists the stored binance markets, plays their bars from --from, and fills against the stored price', async () => {
    const dir = tempDir();
    await writeStore(dir);
    const sim = await startExchangeSim({ seed: 1, accounts: [TEST_ACCOUNT], market: { kind: 'store', dir, historyMs: 30 * MINUTE_MS } });
    try {
      expect(sim.context.listings.all.map((l) => `${l.venue} ${l.symbol} ${l.fundingIntervalMs}`)).toEqual(['binance BTC/USDT null', `binance BTC/USDT:USDT ${HOUR_MS}`]);
      // The market clock is the data's: history ends at 00:30.
      expect(sim.context.clock.nowMs).toBe(T0 + 30 * MINUTE_MS);
      // The live part starts with a store read of its own: wait until it has delivered the bar that closes at 00:30.
      for (let i = 0; i < 100 && sim.context.board.market('binance', PERP)!.lastEventMs < T0 + 30 * MINUTE_MS; i++) await new Promise((r) => setTimeout(r, 50));
      expect(sim.context.board.market('binance', PERP)!.lastEventMs).toBe(T0 + 30 * MINUTE_MS);
      const account = simAccount(sim, 'binance', 'swap', KEYS.binance);
      const placed = await account.createOrder({ clientOrderId: 'storeBuy', venue: 'binance', symbol: PERP, side: 'buy', type: 'market', quantity: 0.002, limitPrice: null, timeInForce: 'GTC', reduceOnly: false, ts: 0 });
      // Bar close 60,039 plus the fill model's half spread (0.5 bps) and size slippage.
      expect(placed.averageFillPrice!).toBeGreaterThan(60_039);
      expect(placed.averageFillPrice!).toBeLessThan(60_039 * 1.0002);
      const history = (await fetch(`${sim.baseUrl}/fapi/v1/fundingRate?symbol=BTCUSDT`).then((r) => r.json())) as { fundingTime: number; fundingRate: string }[];
      expect(history).toEqual([{ symbol: 'BTCUSDT', fundingTime: T0, fundingRate: '0.0001', markPrice: '60010' }]);
      await account.close();
    } finally {
      await sim.close();
    }
  });
});
