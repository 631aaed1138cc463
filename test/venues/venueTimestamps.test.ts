import { describe, expect, it } from 'vitest';
import type { FundingRate, OrderBook } from 'ccxt';
import { toBookSnapshot } from '../../src/venues/ccxt/books.ts';
import { toFundingQuote } from '../../src/venues/ccxt/funding.ts';
import { venueTimestamp } from '../../src/venues/types.ts';
import { NOW_MS, VENUE_CASES } from './support/venueCases.ts';
import { atTestClock, useVenueHarness } from './support/venueHarness.ts';

const RECEIVED_AT = 1_717_372_800_123;

describe('ts says whether it is the venue time or the receipt time', () => {
  const book = (timestamp: number | undefined) => ({ bids: [[67750.1, 1]], asks: [[67750.2, 2]], timestamp, nonce: 7 }) as unknown as OrderBook;
  const rate = (timestamp: number | undefined) => ({ symbol: 'BTC/USDT:USDT', fundingRate: 0.0001, timestamp, fundingTimestamp: 1_717_401_600_000 }) as unknown as FundingRate;

  it('a book with a venue timestamp keeps it (tsSource venue); one without gets the receipt time, marked receipt', () => {
    const stamped = toBookSnapshot('x', 'BTC/USDT:USDT', book(1_717_372_799_975), RECEIVED_AT);
    expect([stamped.ts, stamped.receivedAt, stamped.tsSource]).toEqual([1_717_372_799_975, RECEIVED_AT, 'venue']);
    expect(venueTimestamp(stamped)).toBe(1_717_372_799_975);
    const unstamped = toBookSnapshot('x', 'BTC/USDT:USDT', book(undefined), RECEIVED_AT);
    expect([unstamped.ts, unstamped.receivedAt, unstamped.tsSource]).toEqual([RECEIVED_AT, RECEIVED_AT, 'receipt']);
    expect(venueTimestamp(unstamped)).toBeNull();
  });

  it('a funding quote: same rule; a zero timestamp is no venue time', () => {
    expect(toFundingQuote('x', rate(1_717_372_799_000), RECEIVED_AT)).toMatchObject({ ts: 1_717_372_799_000, tsSource: 'venue' });
    expect(toFundingQuote('x', rate(undefined), RECEIVED_AT)).toMatchObject({ ts: RECEIVED_AT, tsSource: 'receipt' });
    expect(toFundingQuote('x', rate(0), RECEIVED_AT)).toMatchObject({ ts: RECEIVED_AT, tsSource: 'receipt' });
  });

  it('stored and historical events carry no tsSource: their ts is the source time', () => {
    expect(venueTimestamp({ venue: 'x', symbol: 'BTC/USDT', ts: 5, receivedAt: null })).toBe(5);
  });
});

/** What each venue's recorded answer stamps (ccxt's `timestamp`): the receipt time stands in where it gives none. */
const EXPECTED: Record<string, { funding: 'venue' | 'receipt'; mark: 'venue' | 'receipt'; book: 'venue' | 'receipt' }> = {
  binance: { funding: 'venue', mark: 'venue', book: 'venue' }, // premiumIndex `time`, depth `T`
  bybit: { funding: 'venue', mark: 'receipt', book: 'venue' }, // funding from the tickers answer's `time`; ccxt's ticker has no time
  okx: { funding: 'receipt', mark: 'venue', book: 'venue' }, // funding-rate has no `ts` in ccxt's parse
  deribit: { funding: 'receipt', mark: 'venue', book: 'venue' },
  hyperliquid: { funding: 'receipt', mark: 'receipt', book: 'venue' }, // metaAndAssetCtxs carries no time
  bitget: { funding: 'receipt', mark: 'venue', book: 'venue' },
  gate: { funding: 'receipt', mark: 'receipt', book: 'venue' },
  kucoin: { funding: 'receipt', mark: 'receipt', book: 'venue' }, // funding-rate/current: timePoint is the last settlement, not the quote's time; ccxt reads no time from mark-price
  mexc: { funding: 'venue', mark: 'venue', book: 'venue' },
  bingx: { funding: 'receipt', mark: 'receipt', book: 'venue' }, // premiumIndex carries no time; depth `T`
  htx: { funding: 'receipt', mark: 'venue', book: 'venue' }, // mark: the latest mark candle's open time
};

for (const c of VENUE_CASES) {
  describe(`${c.venue}: tsSource of the recorded REST answers`, () => {
    const harness = useVenueHarness(c.ccxtId);
    it('funding quote, mark price and book say where ts came from', async () => {
      const venue = atTestClock(harness.venue());
      const want = EXPECTED[c.venue];
      const funding = await venue.fetchFundingRate(c.perp.symbol);
      const mark = await venue.fetchMarkPrice(c.perp.symbol);
      const book = await venue.fetchOrderBook(c.perp.symbol, 5);
      expect({ funding: funding.tsSource, mark: mark.tsSource, book: book.tsSource }).toEqual(want);
      for (const event of [funding, mark, book]) {
        expect(event.receivedAt).toBe(NOW_MS);
        if (event.tsSource === 'receipt') expect(event.ts).toBe(NOW_MS);
        else expect(event.ts).toBeLessThanOrEqual(NOW_MS);
      }
    });
  });
}
