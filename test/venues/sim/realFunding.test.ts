import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { replay } from '../../../src/data/replay/replay.ts';
import { storeSources } from '../../../src/data/replay/storeSources.ts';
import { MarketStore } from '../../../src/data/store/marketStore.ts';
import type { SeriesKey } from '../../../src/domain/series.ts';
import type { FundingPayment } from '../../../src/domain/trading.ts';
import { SimulatedVenue } from '../../../src/venues/sim/simulatedVenue.ts';
import { dataPath } from '../../support/paths.ts';
import { lastClosedAtOrBefore } from '../../support/bars.ts';
import { importIntoStore } from '../../support/cli.ts';
import { useTempDirs } from '../../support/tempDir.ts';

const DATASET = dataPath('binance_usdm_perp_1m__TheSnowGuru_Market-Swarm-Agents');
const SYMBOL = 'BTC/USDT:USDT';
const MARK_KEY: SeriesKey = { table: 'mark_bars', venue: 'binance', symbol: SYMBOL, timeframe: '8h' };
const BARS_KEY: SeriesKey = { table: 'bars', venue: 'binance', symbol: SYMBOL, timeframe: '1m' };
const FUNDING_KEY: SeriesKey = { table: 'funding', venue: 'binance', symbol: SYMBOL, timeframe: null };
const EIGHT_HOURS = 8 * 3_600_000;
const MINUTE = 60_000;

describe('simulated venue on real Binance data (USD-M BTCUSDT perp, 1m bars, 8h funding and mark, 2025-05/06)', () => {
  const tempDir = useTempDirs();
  let store: MarketStore;

  beforeAll(async () => {
    const root = join(tempDir(), 'store');
    await importIntoStore(root, [DATASET]);
    store = new MarketStore(root);
  });

  it('a 1 BTC short held through every settlement receives exactly sum(rate * mark * 1) computed from the files', async () => {
    const instrument = store.instruments().find((i) => i.venue === 'binance' && i.symbol === SYMBOL)!;
    // The freqtrade files carry no fees, tick or lot size: fees are given, sizes are left unchecked.
    expect(instrument).toMatchObject({ kind: 'perp', linear: true, makerFeeRate: null, lotSize: null });
    const venue = new SimulatedVenue({
      venue: 'binance',
      instruments: [instrument],
      balances: { USDT: 1_000_000 },
      fees: { bySymbol: { [SYMBOL]: { makerFeeRate: 0.0002, takerFeeRate: 0.0005 } } },
      margin: { defaults: { leverage: 5 } },
    });
    const payments: FundingPayment[] = [];
    const fees: number[] = [];
    let liquidations = 0;
    venue.subscribe((e) => {
      if (e.type === 'funding') payments.push(e.payment);
      if (e.type === 'fill') fees.push(e.fill.fee);
      if (e.type === 'liquidation') liquidations++;
    });

    // Prices before funding: at equal times the mark bar and the 1m bar closing at a settlement count.
    let openedAt = Number.NaN;
    const stats = await replay(storeSources(store, [MARK_KEY, BARS_KEY, FUNDING_KEY]), (cursor) => {
      venue.onMarketData(cursor);
      if (Number.isNaN(openedAt) && cursor.key.table === 'bars') {
        openedAt = cursor.time;
        void venue.submit({ clientOrderId: 'short', venue: 'binance', symbol: SYMBOL, side: 'sell', type: 'market', quantity: 1, limitPrice: null, timeInForce: 'IOC', reduceOnly: false, ts: cursor.time });
      }
    });
    venue.advanceTo(stats.lastTime!);
    expect(liquidations).toBe(0);
    expect(fees).toHaveLength(1);

    // Independently, from the stored rows: for each settlement, the latest 8h mark close at or before
    // it, unless a 1m trade close is newer (only the first settlement, before any mark bar closed).
    const [fundingRows, marks, bars] = await Promise.all([store.read(FUNDING_KEY), store.read(MARK_KEY), store.read(BARS_KEY)]);
    const fundingTs = fundingRows.columns.ts as Float64Array;
    const rates = fundingRows.columns.rate as Float64Array;
    const markTs = marks.columns.ts as Float64Array;
    const markClose = marks.columns.close as Float64Array;
    const barTs = bars.columns.ts as Float64Array;
    const barClose = bars.columns.close as Float64Array;
    let expected = 0;
    let fromBars = 0;
    const expectedMarks: number[] = [];
    for (let i = 0; i < fundingRows.rows; i++) {
      expect(fundingTs[i]).toBeGreaterThan(openedAt);
      const m = lastClosedAtOrBefore(markTs, EIGHT_HOURS, fundingTs[i]);
      const b = lastClosedAtOrBefore(barTs, MINUTE, fundingTs[i]);
      const useMark = m >= 0 && markTs[m] + EIGHT_HOURS >= barTs[b] + MINUTE;
      const mark = useMark ? markClose[m] : barClose[b];
      if (!useMark) fromBars++;
      expectedMarks.push(mark);
      expected += rates[i] * mark * 1;
    }
    expect(fundingRows.rows).toBe(89);
    expect(fromBars).toBe(1);
    expect(payments).toHaveLength(89);
    expect(payments.map((p) => p.ts)).toEqual([...fundingTs]);
    expect(payments.map((p) => p.markPrice)).toEqual(expectedMarks);
    expect(payments.every((p) => p.positionQty === -1 && p.asset === 'USDT')).toBe(true);
    const received = payments.reduce((sum, p) => sum + p.amount, 0);
    expect(Math.abs(received - expected) / Math.abs(expected)).toBeLessThan(1e-9);
    expect(expected).toBeGreaterThan(0);

    // The venue's wallet moved by exactly the fee and the funding.
    const usdt = (await venue.balances()).find((b) => b.asset === 'USDT')!;
    expect(usdt.walletBalance).toBeCloseTo(1_000_000 - fees[0] + received, 6);
  });
});
