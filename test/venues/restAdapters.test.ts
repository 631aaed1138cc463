import { describe, expect, it } from 'vitest';
import { HOUR_MS } from '../../src/core/time.ts';
import { HISTORY_FROM_MS, NOW_MS, VENUE_CASES } from './support/venueCases.ts';
import { atTestClock, useVenueHarness } from './support/venueHarness.ts';

for (const c of VENUE_CASES) {
  describe(`${c.venue} through ccxt against recorded payloads on loopback`, () => {
    const harness = useVenueHarness(c.ccxtId);

    it('loads instruments: BTC spot and perp with contract size, tick, lot, fees and funding interval', async () => {
      const venue = harness.venue();
      const instruments = await venue.loadInstruments({ symbols: c.spot ? [c.spot.symbol, c.perp.symbol] : [c.perp.symbol] });
      const perp = instruments.find((i) => i.symbol === c.perp.symbol);
      if (c.spot) {
        const spot = instruments.find((i) => i.symbol === c.spot!.symbol);
        expect(spot).toMatchObject({ venue: c.venue, kind: 'spot', base: 'BTC', contractSize: 1, settle: null, linear: null, tickSize: c.spot.tickSize, lotSize: c.spot.lotSize, fundingIntervalMs: null });
      }
      const { fundingIntervalSource, ...perpFields } = c.perp;
      expect(perp).toMatchObject({ venue: c.venue, kind: 'perp', base: 'BTC', expiryMs: null, ...perpFields });
      expect(venue.fundingIntervalSources.get(c.perp.symbol)).toBe(fundingIntervalSource);
      expect(venue.skippedMarkets).toEqual([]);
    });

    it('fetches the funding rate with the next settlement time', async () => {
      const quote = await atTestClock(harness.venue()).fetchFundingRate(c.perp.symbol);
      expect(quote).toMatchObject({ type: 'fundingQuote', venue: c.venue, symbol: c.perp.symbol, receivedAt: NOW_MS, fundingRatePerInterval: c.funding.fundingRatePerInterval });
      if (c.funding.nextFundingTimeMs === 'nextWholeHour') {
        // Hyperliquid funds every hour; ccxt computes the next hour from its own clock (here the tests').
        expect(quote.nextFundingTimeMs).toBe(NOW_MS + HOUR_MS);
      } else {
        expect(quote.nextFundingTimeMs).toBe(c.funding.nextFundingTimeMs);
      }
    });

    it('fetches the order book: best bid and ask from the fixture, receivedAt from the local clock', async () => {
      const book = await harness.venue().fetchOrderBook(c.perp.symbol, 5);
      expect(book).toMatchObject({ type: 'book', venue: c.venue, symbol: c.perp.symbol, receivedAt: NOW_MS });
      expect([book.bids[0].price, book.bids[0].size]).toEqual(c.book.bid);
      expect([book.asks[0].price, book.asks[0].size]).toEqual(c.book.ask);
      expect(book.bids[0].price).toBeLessThan(book.asks[0].price);
    });

    it('fetches funding history over two pages: every row once, oldest first', async () => {
      const venue = harness.venue({ fundingPaging: { pageLimit: 4 } });
      const rows = await venue.fetchFundingHistory(c.perp.symbol, HISTORY_FROM_MS, c.history.untilMs);
      const pages = harness.server().requests.map((r) => r.fixture ?? '').filter((f) => /-page\d\.json$/.test(f));
      expect(pages).toEqual([`${c.ccxtId}/${pages[0].split('/')[1].replace('page2', 'page1')}`, pages[0].replace('page1', 'page2')]);
      expect(rows).toHaveLength(c.history.rows);
      const times = rows.map((r) => r.ts);
      expect(times).toEqual([...new Set(times)].sort((a, b) => a - b));
      expect(times[0] - HISTORY_FROM_MS).toBeLessThan(10); // Binance stamps settlements a few ms late
      for (let k = 1; k < times.length; k++) expect(Math.round((times[k] - times[k - 1]) / 1000) * 1000).toBe(c.history.intervalMs);
      expect(rows[0].fundingRatePerInterval).toBeCloseTo(c.history.firstRate, 12);
      expect(rows.at(-1)!.fundingRatePerInterval).toBeCloseTo(c.history.lastRate, 12);
      expect(rows.every((r) => r.venue === c.venue && r.symbol === c.perp.symbol && r.receivedAt === null)).toBe(true);
    });

    it('fetches the mark price', async () => {
      const mark = await harness.venue().fetchMarkPrice(c.perp.symbol);
      expect(mark).toMatchObject({ type: 'mark', venue: c.venue, symbol: c.perp.symbol, receivedAt: NOW_MS });
      expect(mark.markPrice).toBeGreaterThan(60_000);
    });
  });
}
