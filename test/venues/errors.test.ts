import { errors } from 'ccxt';
import { describe, expect, it } from 'vitest';
import { CcxtMarketDataVenue } from '../../src/venues/ccxt/ccxtMarketDataVenue.ts';
import { redactSecrets, toVenueError } from '../../src/venues/ccxt/errors.ts';
import { UnsupportedMethodError, VenueError } from '../../src/venues/types.ts';
import { useVenueHarness } from './support/venueHarness.ts';

async function venueError(run: () => Promise<unknown>): Promise<VenueError> {
  try {
    await run();
  } catch (error) {
    expect(error).toBeInstanceOf(VenueError);
    return error as VenueError;
  }
  throw new Error('expected a VenueError');
}

const json = (status: number, body: unknown) => (res: import('node:http').ServerResponse) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

describe('binance error payloads through ccxt', () => {
  const harness = useVenueHarness('binance');
  const API_KEY = 'vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A';

  it('HTTP 429 with code -1003 is a retryable rateLimited error naming venue and method, without the API key', async () => {
    const venue = harness.venue();
    venue.exchange.apiKey = API_KEY;
    harness.server().override((req, res) => {
      if (req.path !== '/fapi/v1/depth') return false;
      json(429, { code: -1003, msg: 'Too many requests; current limit of IP(127.0.0.1) is 2400 requests per minute. Please use the websocket for live updates to avoid polling the API.' })(res);
      return true;
    });
    const error = await venueError(() => venue.fetchOrderBook('BTC/USDT:USDT', 5));
    expect(error).toMatchObject({ venue: 'binance', method: 'fetchOrderBook', kind: 'rateLimited', retryable: true });
    expect(error.message).toMatch(/^binance fetchOrderBook: rateLimited: /);
    expect(error.message).not.toContain(API_KEY);
  });

  it('a symbol the venue rejects (-1121 Invalid symbol) is a badSymbol error', async () => {
    const venue = harness.venue();
    harness.server().override((req, res) => {
      if (req.path !== '/fapi/v1/premiumIndex') return false;
      json(400, { code: -1121, msg: 'Invalid symbol.' })(res);
      return true;
    });
    const error = await venueError(() => venue.fetchFundingRate('BTC/USDT:USDT'));
    expect(error).toMatchObject({ venue: 'binance', method: 'fetchFundingRate', kind: 'badSymbol', retryable: false });
  });

  it('a symbol ccxt does not know is a badSymbol error before any request', async () => {
    const venue = harness.venue();
    await venue.loadInstruments({ skipFundingIntervals: true });
    const before = harness.server().requests.length;
    const error = await venueError(() => venue.fetchOrderBook('NOPE/USDT:USDT'));
    expect(error).toMatchObject({ venue: 'binance', method: 'fetchOrderBook', kind: 'badSymbol' });
    expect(harness.server().requests.length).toBe(before);
    await expect(venue.loadInstruments({ symbols: ['NOPE/USDT'] })).rejects.toMatchObject({ kind: 'badSymbol', method: 'loadInstruments' });
  });

  it('a server that never answers is a timeout after the configured timeout', async () => {
    const venue = harness.venue({ timeoutMs: 300 });
    harness.server().override((req) => req.path === '/fapi/v1/depth'); // handled: never answered
    const started = Date.now();
    const error = await venueError(() => venue.fetchOrderBook('BTC/USDT:USDT', 5));
    expect(error).toMatchObject({ venue: 'binance', method: 'fetchOrderBook', kind: 'timeout', retryable: true });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('a 503 is an unavailable error; a closed port is a network error', async () => {
    const venue = harness.venue();
    harness.server().override((req, res) => {
      if (req.path !== '/fapi/v1/depth') return false;
      res.writeHead(503, { 'content-type': 'text/html' });
      res.end('<html>Service Unavailable</html>');
      return true;
    });
    expect(await venueError(() => venue.fetchOrderBook('BTC/USDT:USDT', 5))).toMatchObject({ kind: 'unavailable', retryable: true });
    const closed = new CcxtMarketDataVenue('binance', { loopbackBaseUrl: 'http://127.0.0.1:9', timeoutMs: 1_000, rateLimitMs: 1 });
    expect(await venueError(() => closed.loadInstruments())).toMatchObject({ venue: 'binance', method: 'loadMarkets', retryable: true });
  });
});

describe('okx error payloads through ccxt', () => {
  const harness = useVenueHarness('okx');

  it('OKX 50011 (rate limit) and 51001 (instrument does not exist) map to rateLimited and badSymbol', async () => {
    const venue = harness.venue();
    harness.server().override((req, res) => {
      if (req.path === '/api/v5/market/books') {
        json(429, { code: '50011', msg: 'Rate limit reached. Please refer to API documentation and throttle requests accordingly.', data: [] })(res);
        return true;
      }
      if (req.path === '/api/v5/public/funding-rate') {
        json(200, { code: '51001', msg: "Instrument ID, Instrument ID code, or Spread ID doesn't exist.", data: [] })(res);
        return true;
      }
      return false;
    });
    expect(await venueError(() => venue.fetchOrderBook('BTC/USDT:USDT', 5))).toMatchObject({ venue: 'okx', method: 'fetchOrderBook', kind: 'rateLimited' });
    expect(await venueError(() => venue.fetchFundingRate('BTC/USDT:USDT'))).toMatchObject({ venue: 'okx', method: 'fetchFundingRate', kind: 'badSymbol' });
  });
});

describe('error mapping', () => {
  it('maps every ccxt error class the brief names, and scrubs credentials', () => {
    const secret = 'sEcReT-9f8e7d6c5b4a';
    const cases: [Error, string, boolean][] = [
      [new errors.RateLimitExceeded('429'), 'rateLimited', true],
      [new errors.BadSymbol('bad'), 'badSymbol', false],
      [new errors.InsufficientFunds(`margin is insufficient, key ${secret}`), 'insufficientFunds', false],
      [new errors.RequestTimeout('timed out'), 'timeout', true],
      [new errors.NetworkError('ECONNRESET'), 'network', true],
      [new errors.ExchangeNotAvailable('503'), 'unavailable', true],
      [new errors.ChecksumError('crc'), 'invalidNonce', true],
      [new errors.NotSupported('no'), 'unsupported', false],
      [new errors.ExchangeError('other'), 'exchange', false],
    ];
    for (const [error, kind, retryable] of cases) {
      const mapped = toVenueError(error, 'bybit', 'createOrder', [secret]);
      expect(mapped).toMatchObject({ venue: 'bybit', method: 'createOrder', kind, retryable });
      expect(mapped.message).not.toContain(secret);
      expect(mapped.message.startsWith('bybit createOrder: ')).toBe(true);
    }
    expect(redactSecrets('GET /api?symbol=BTC&signature=abc123&apiKey=K1 {"X-MBX-APIKEY": "zzz"}')).toBe('GET /api?symbol=BTC&signature=[redacted]&apiKey=[redacted] {"X-MBX-APIKEY": "[redacted]"}');
  });

  it('a method the exchange lacks is a clear error naming the venue and the method, without a request', async () => {
    const venue = new CcxtMarketDataVenue('kraken', { loopbackBaseUrl: 'http://127.0.0.1:9' });
    const error = await venueError(() => venue.fetchFundingRate('BTC/USD'));
    expect(error).toBeInstanceOf(UnsupportedMethodError);
    expect(error.message).toBe("kraken fetchFundingRate: unsupported: ccxt 'kraken' has no fetchFundingRate (exchange.has.fetchFundingRate is false)");
    expect(venue.capabilities()).toMatchObject({ usable: false, missing: ['fetchFundingRate', 'fetchFundingRateHistory'] });
  });
});
