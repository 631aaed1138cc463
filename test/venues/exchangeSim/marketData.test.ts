import { describe, expect, it } from 'vitest';
import { HOUR_MS } from '../../../src/core/time.ts';
import { CcxtMarketDataVenue } from '../../../src/venues/ccxt/ccxtMarketDataVenue.ts';
import type { BookSnapshotEvent } from '../../../src/domain/events.ts';
import { PERP, SPOT, useExchangeSim } from './support/simHarness.ts';

const EIGHT_HOURS_MS = 8 * HOUR_MS;

function onGrid(value: number, step: number): boolean {
  const units = value / step;
  return Math.abs(units - Math.round(units)) < 1e-6;
}

describe('exchange-sim market data through perp-arb CcxtMarketDataVenue', () => {
  const sim = useExchangeSim();

  for (const venue of ['binance', 'bybit'] as const) {
    it(`${venue}: instruments, book, funding rate and history, mark price`, async () => {
      const md = new CcxtMarketDataVenue(venue, { loopbackBaseUrl: sim().baseUrl, rateLimitMs: 5, pro: false });
      const instruments = await md.loadInstruments({ symbols: [SPOT, PERP] });
      const perp = instruments.find((i) => i.symbol === PERP)!;
      const spot = instruments.find((i) => i.symbol === SPOT)!;
      // perp-arb reads ccxt's published base tier (Bybit 0.06%); the simulator charges Bybit's current 0.055% (its fee-rate endpoint says so).
      const taker = venue === 'binance' ? 0.0005 : 0.0006;
      expect(perp).toMatchObject({ venue, kind: 'perp', venueSymbol: 'SYNUSDT', base: 'SYN', quote: 'USDT', settle: 'USDT', linear: true, tickSize: 0.1, lotSize: 0.001, takerFeeRate: taker, fundingIntervalMs: EIGHT_HOURS_MS });
      expect(spot).toMatchObject({ kind: 'spot', tickSize: 0.01, lotSize: venue === 'binance' ? 0.00001 : 0.000001 });

      const book: BookSnapshotEvent = await md.fetchOrderBook(PERP, 5);
      expect(book.bids).toHaveLength(5);
      expect(book.asks).toHaveLength(5);
      expect(book.bids[0].price).toBeLessThan(book.asks[0].price);
      for (const level of [...book.bids, ...book.asks]) expect(onGrid(level.price, 0.1)).toBe(true);
      // The touch is the fill model's: the bar close -+ 0.5 bps, rounded outwards to the tick.
      const spreadBps = ((book.asks[0].price - book.bids[0].price) / book.bids[0].price) * 1e4;
      expect(spreadBps).toBeGreaterThan(0.9);
      expect(spreadBps).toBeLessThan(1.2);

      const quote = await md.fetchFundingRate(PERP);
      expect(quote.nextFundingTimeMs! % EIGHT_HOURS_MS).toBe(0);
      expect(quote.nextFundingTimeMs! - sim().context.clock.nowMs).toBeLessThanOrEqual(EIGHT_HOURS_MS);
      expect(Math.abs(quote.fundingRatePerInterval)).toBeLessThanOrEqual(0.0075);
      expect(quote.markPrice! / quote.indexPrice! - 1).toBeLessThan(0.01);

      const now = sim().context.clock.nowMs;
      const history = await md.fetchFundingHistory(PERP, now - 2 * 24 * HOUR_MS, now);
      // One day of history was played before the exchange opened: 3 or 4 settlements, each on the 8 h grid.
      expect(history.length).toBeGreaterThanOrEqual(3);
      for (const row of history) expect(row.ts % EIGHT_HOURS_MS).toBe(0);
      const settled = sim().context.board.market(venue, PERP)!.funding;
      expect(history.map((r) => r.fundingRatePerInterval)).toEqual(settled.map((f) => f.rate));

      const mark = await md.fetchMarkPrice(PERP);
      expect(mark.markPrice).toBeGreaterThan(book.bids[0].price * 0.99);
      expect(mark.markPrice).toBeLessThan(book.asks[0].price * 1.01);
      await md.close();
    });
  }

  it('binance USDⓈ-M diff depth through ccxt.pro watchOrderBook stays equal to the REST book of the same update id', async () => {
    const md = new CcxtMarketDataVenue('binance', { loopbackBaseUrl: sim().baseUrl, loopbackWsBaseUrl: sim().wsBaseUrl, rateLimitMs: 5, options: { defaultType: 'future' } });
    await md.loadInstruments({ symbols: [PERP], skipFundingIntervals: true });
    const stream = md.watchOrderBook(PERP, { depth: 1000 })[Symbol.asyncIterator]();
    let matched = 0;
    for (let i = 0; i < 6 && matched < 2; i++) {
      const event = (await stream.next()).value as BookSnapshotEvent;
      expect(event.type).toBe('book');
      const rest = await md.fetchOrderBook(PERP, 1000);
      if (rest.sequence !== event.sequence) continue;
      expect(event.bids.slice(0, 20)).toEqual(rest.bids.slice(0, 20));
      expect(event.asks.slice(0, 20)).toEqual(rest.asks.slice(0, 20));
      matched++;
    }
    expect(matched).toBe(2);
    await stream.return?.();
    await md.close();
  });
});
