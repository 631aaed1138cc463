import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { VenueError } from '../../src/venues/types.ts';
import { useVenueHarness } from './support/venueHarness.ts';

/**
 * Error payloads of the venues added after the first seven, in each venue's documented error format
 * (codes and messages from its error-code documentation, as ccxt's `exceptions` table quotes them),
 * through ccxt's own error handling to a VenueError.
 */
async function venueError(run: () => Promise<unknown>): Promise<VenueError> {
  try {
    await run();
  } catch (error) {
    expect(error).toBeInstanceOf(VenueError);
    return error as VenueError;
  }
  throw new Error('expected a VenueError');
}

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

describe('kucoin (KuCoin Futures) error payloads through ccxt', () => {
  const harness = useVenueHarness('kucoinfutures');

  it('HTTP 429 with code 429000 is a retryable rateLimited error naming venue and method', async () => {
    const venue = harness.venue();
    harness.server().override((req, res) => {
      if (req.path !== '/api/v1/level2/depth20') return false;
      json(res, 429, { code: '429000', msg: 'Too many requests in a short period of time, please retry later.' });
      return true;
    });
    const error = await venueError(() => venue.fetchOrderBook('BTC/USDT:USDT', 5));
    expect(error).toMatchObject({ venue: 'kucoin', method: 'fetchOrderBook', kind: 'rateLimited', retryable: true });
    expect(error.message).toMatch(/^kucoin fetchOrderBook: rateLimited: /);
  });

  it('code 500000 (internal server error) is a retryable unavailable error', async () => {
    const venue = harness.venue();
    harness.server().override((req, res) => {
      if (req.path !== '/api/v1/funding-rate/XBTUSDTM/current') return false;
      json(res, 500, { code: '500000', msg: 'Internal Server Error' });
      return true;
    });
    const error = await venueError(() => venue.fetchFundingRate('BTC/USDT:USDT'));
    expect(error).toMatchObject({ venue: 'kucoin', method: 'fetchFundingRate', kind: 'unavailable', retryable: true });
  });
});

describe('mexc error payloads through ccxt', () => {
  const harness = useVenueHarness('mexc');

  it('contract code 510 (requests too frequent) is a retryable rateLimited error; 1001 (contract does not exist) a badSymbol error', async () => {
    const venue = harness.venue();
    harness.server().override((req, res) => {
      if (req.path === '/api/v1/contract/depth/BTC_USDT') {
        json(res, 200, { success: false, code: 510, message: 'Requests are too frequent, please try again later' });
        return true;
      }
      if (req.path === '/api/v1/contract/funding_rate/BTC_USDT') {
        json(res, 200, { success: false, code: 1001, message: 'Contract does not exist!' });
        return true;
      }
      return false;
    });
    expect(await venueError(() => venue.fetchOrderBook('BTC/USDT:USDT', 5))).toMatchObject({ venue: 'mexc', method: 'fetchOrderBook', kind: 'rateLimited', retryable: true });
    expect(await venueError(() => venue.fetchFundingRate('BTC/USDT:USDT'))).toMatchObject({ venue: 'mexc', method: 'fetchFundingRate', kind: 'badSymbol', retryable: false });
  });
});

describe('bingx error payloads through ccxt', () => {
  const harness = useVenueHarness('bingx');

  it('code 100410 (system busy) is a retryable error; 100421 (pair restricted from API trading) a badSymbol error', async () => {
    const venue = harness.venue();
    harness.server().override((req, res) => {
      if (req.path === '/openApi/swap/v2/quote/depth') {
        json(res, 200, { code: 100410, msg: 'The current system is busy, please try again later', debugMsg: '' });
        return true;
      }
      if (req.path === '/openApi/swap/v2/quote/premiumIndex') {
        json(res, 200, { code: 100421, msg: 'This pair is currently restricted from API trading', debugMsg: '' });
        return true;
      }
      return false;
    });
    expect(await venueError(() => venue.fetchOrderBook('BTC/USDT:USDT', 5))).toMatchObject({ venue: 'bingx', method: 'fetchOrderBook', kind: 'network', retryable: true });
    expect(await venueError(() => venue.fetchFundingRate('BTC/USDT:USDT'))).toMatchObject({ venue: 'bingx', method: 'fetchFundingRate', kind: 'badSymbol', retryable: false });
  });
});

describe('htx error payloads through ccxt', () => {
  const harness = useVenueHarness('htx');

  it('a rate limit (rate-too-many-requests) is retryable rateLimited; err_code 1013 (contract does not exist) a badSymbol error', async () => {
    const venue = harness.venue();
    harness.server().override((req, res) => {
      if (req.path === '/linear-swap-ex/market/depth') {
        json(res, 200, { status: 'error', 'err-code': 'rate-too-many-requests', 'err-msg': 'exceeded rate limit', data: null });
        return true;
      }
      if (req.path === '/v5/market/funding_rate') {
        json(res, 200, { status: 'error', err_code: 1013, err_msg: "This contract symbol doesn't exist.", ts: 1717372799000 });
        return true;
      }
      return false;
    });
    expect(await venueError(() => venue.fetchOrderBook('BTC/USDT:USDT', 5))).toMatchObject({ venue: 'htx', method: 'fetchOrderBook', kind: 'rateLimited', retryable: true });
    expect(await venueError(() => venue.fetchFundingRate('BTC/USDT:USDT'))).toMatchObject({ venue: 'htx', method: 'fetchFundingRate', kind: 'badSymbol', retryable: false });
  });
});
