import { describe, expect, it } from 'vitest';
import { HOUR_MS } from '../../src/core/time.ts';
import { CcxtMarketDataVenue } from '../../src/venues/ccxt/ccxtMarketDataVenue.ts';
import { SUPPORTED_VENUES } from '../../src/venues/ccxt/supportedVenues.ts';
import { internetAllowed } from '../support/noInternet.ts';
import { VENUE_CASES } from './support/venueCases.ts';

/**
 * Smoke tests against the REAL exchanges (public endpoints, no keys): run them with
 *   PERP_ARB_SMOKE=1 npx vitest run test/venues/smoke.test.ts
 * Only then does test/support/noInternet.ts let connections out. Values are live, so the checks are
 * about shape and sanity (a perp is there, the rate is a plausible fraction, the book is not crossed).
 */
const SKIP_REASON = 'skipped: needs the internet; set PERP_ARB_SMOKE=1 to run against the real exchanges';
const TIMEOUT_MS = 120_000;

describe('smoke: the seven venues through ccxt, live', () => {
  it('covers every supported venue', (context) => {
    if (!internetAllowed) context.skip(SKIP_REASON);
    expect(VENUE_CASES.map((c) => c.venue).sort()).toEqual(SUPPORTED_VENUES.map((v) => v.venue).sort());
  });

  for (const c of VENUE_CASES) {
    const perp = c.perp.symbol;
    it(
      `${c.venue}: instruments, funding rate, order book and a page of funding history for ${perp}`,
      async (context) => {
        if (!internetAllowed) context.skip(SKIP_REASON);
        const venue = new CcxtMarketDataVenue(c.ccxtId, { timeoutMs: 30_000 });
        try {
          const instruments = await venue.loadInstruments({ symbols: [perp] });
          expect(instruments).toHaveLength(1);
          const instrument = instruments[0];
          expect(instrument).toMatchObject({ venue: c.venue, symbol: perp, kind: 'perp', base: 'BTC', settle: c.perp.settle, linear: c.perp.linear });
          expect(instrument.contractSize).toBeGreaterThan(0);
          expect(instrument.tickSize).toBeGreaterThan(0);
          expect(instrument.fundingIntervalMs! % HOUR_MS).toBe(0);
          expect(instrument.fundingIntervalMs).toBeGreaterThan(0);

          const started = Date.now();
          const quote = await venue.fetchFundingRate(perp);
          expect(Math.abs(quote.fundingRatePerInterval)).toBeLessThan(0.05);
          expect(['venue', 'receipt']).toContain(quote.tsSource);
          expect(quote.receivedAt).toBeGreaterThanOrEqual(started);
          if (quote.nextFundingTimeMs !== null) expect(quote.nextFundingTimeMs).toBeGreaterThan(started - HOUR_MS);

          const book = await venue.fetchOrderBook(perp, 5);
          expect(book.bids.length).toBeGreaterThan(0);
          expect(book.asks.length).toBeGreaterThan(0);
          expect(book.bids[0].price).toBeLessThan(book.asks[0].price);

          const untilMs = Date.now();
          const sinceMs = untilMs - 2 * 24 * HOUR_MS; // 6 settlements at 8h, 48 at 1h: one page everywhere
          const history = await venue.fetchFundingHistory(perp, sinceMs, untilMs);
          expect(history.length).toBeGreaterThan(0);
          const times = history.map((r) => r.ts);
          expect(times).toEqual([...new Set(times)].sort((a, b) => a - b));
          expect(times[0]).toBeGreaterThanOrEqual(sinceMs);
          expect(times.at(-1)!).toBeLessThan(untilMs);
        } finally {
          await venue.close();
        }
      },
      TIMEOUT_MS,
    );
  }
});
