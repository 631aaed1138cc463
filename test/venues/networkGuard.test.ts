import { blockedConnections } from '../support/noInternet.ts';
import { describe, expect, it } from 'vitest';
import { CcxtMarketDataVenue } from '../../src/venues/ccxt/ccxtMarketDataVenue.ts';

describe('the venue tests cannot reach the internet', () => {
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
