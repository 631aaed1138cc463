import { blockedConnections, internetAllowed } from '../support/noInternet.ts';
import { describe, expect, it } from 'vitest';
import { CcxtMarketDataVenue } from '../../src/venues/ccxt/ccxtMarketDataVenue.ts';

// With PERP_ARB_SMOKE=1 the guard is deliberately not installed (the smoke tests reach the real exchanges),
// so there is nothing to check here and these tests would really connect: skipped, with the reason in the name.
const title = `the venue tests cannot reach the internet${internetAllowed ? ' (SKIPPED: PERP_ARB_SMOKE=1 turns the network guard off)' : ''}`;

describe.skipIf(internetAllowed)(title, () => {
  it('refuses a connection to a non-loopback address', async () => {
    await expect(fetch('http://192.0.2.1/')).rejects.toThrow();
    expect(blockedConnections).toContain('192.0.2.1');
  });

  it('refuses a real exchange host: a venue without the loopback override fails without leaving the machine', async () => {
    const venue = new CcxtMarketDataVenue('binance', { timeoutMs: 2_000 });
    await expect(venue.loadInstruments()).rejects.toMatchObject({ venue: 'binance', method: 'loadMarkets' });
    expect(blockedConnections.some((h) => h.endsWith('binance.com'))).toBe(true);
  });
});
