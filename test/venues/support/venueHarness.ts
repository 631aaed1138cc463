import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { CcxtMarketDataVenue, type CcxtVenueOptions } from '../../../src/venues/ccxt/ccxtMarketDataVenue.ts';
import { loadVenueFixtures } from './fixtureFiles.ts';
import { describeRequest, startLoopbackServer, type LoopbackServer } from './loopbackServer.ts';
import { NOW_MS } from './venueCases.ts';

export interface Harness {
  server: () => LoopbackServer;
  venue: (options?: CcxtVenueOptions) => CcxtMarketDataVenue;
}

/**
 * Starts a loopback server with one venue's fixtures for the enclosing describe block, builds
 * venues pointed at it (fixed clock, short timeout, ccxt's throttle on with a 1 ms rate limit), and
 * fails any test during which ccxt sent a request no fixture matched.
 */
export function useVenueHarness(fixtureDir: string, ccxtId = fixtureDir): Harness {
  let server: LoopbackServer;
  const made: CcxtMarketDataVenue[] = [];
  beforeAll(async () => {
    server = await startLoopbackServer(loadVenueFixtures(fixtureDir));
  });
  afterEach(async () => {
    server.clearOverrides();
    const unmatched = server.unmatched.splice(0).map(describeRequest);
    await Promise.all(made.splice(0).map((v) => v.close()));
    expect(unmatched, 'requests with no fixture').toEqual([]);
  });
  afterAll(async () => {
    await server?.close();
  });
  return {
    server: () => server,
    venue: (options = {}) => {
      const venue = new CcxtMarketDataVenue(ccxtId, { loopbackBaseUrl: server.baseUrl, timeoutMs: 2_000, rateLimitMs: 1, now: () => NOW_MS, ...options });
      made.push(venue);
      return venue;
    },
  };
}

/**
 * ccxt's own clock set to the tests' (2024-06-03), where ccxt makes up a time from it: Hyperliquid's
 * next funding time is the next whole hour of ccxt's clock, and the plausibility bound (at most one
 * funding interval ahead) judges it by the venue's receipt clock, which the harness fixes at NOW_MS.
 */
export function atTestClock(venue: CcxtMarketDataVenue): CcxtMarketDataVenue {
  (venue.exchange as unknown as { milliseconds: () => number }).milliseconds = () => NOW_MS;
  return venue;
}
