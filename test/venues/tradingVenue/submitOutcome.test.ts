import { errors } from 'ccxt';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/core/errors.ts';
import { advancesOrder } from '../../../src/domain/orderLifecycle.ts';
import { toAccountVenueError } from '../../../src/venues/ccxt/accountErrors.ts';
import { classifySubmitFailure } from '../../../src/venues/ccxt/trading/submitOutcome.ts';
import { TradingDisabledError } from '../../../src/venues/ccxt/tradingMode.ts';

const fromCcxt = (ccxtId: string, error: Error) => toAccountVenueError(error, ccxtId, ccxtId, 'createOrder', []);
const outcome = (ccxtId: string, error: unknown) => classifySubmitFailure(error instanceof errors.BaseError ? fromCcxt(ccxtId, error) : error, ccxtId).outcome;

describe('what a failed createOrder says about the order', () => {
  it('a reply that proves the venue refused it is a rejection', () => {
    expect(outcome('binance', new errors.InsufficientFunds('binance {"code":-2019,"msg":"Margin is insufficient."}'))).toBe('rejected');
    expect(outcome('binance', new errors.ExchangeError('binance {"code":-4164,"msg":"Order\'s notional must be no smaller than 100"}'))).toBe('rejected');
    expect(outcome('binance', new errors.InvalidOrder('binance {"code":-1111,"msg":"Precision is over the maximum defined for this asset."}'))).toBe('rejected');
    expect(outcome('bybit', new errors.InvalidOrder('bybit {"retCode":110094,"retMsg":"Order does not meet minimum order value"}'))).toBe('rejected');
    expect(outcome('bybit', new errors.BadSymbol('bybit does not have market symbol NOPE'))).toBe('rejected');
    expect(outcome('okx', new errors.AuthenticationError('okx {"code":"50113","msg":"Invalid Sign"}'))).toBe('rejected');
    expect(outcome('binance', new errors.InvalidNonce('binance {"code":-1021,"msg":"Timestamp for this request is outside of the recvWindow."}'))).toBe('rejected');
    expect(outcome('binance', new InputError({ source: 'binance createOrder x' }, 'quantity 0.0105 is not a multiple of 0.001'))).toBe('rejected');
    expect(outcome('binance', new TradingDisabledError('binance', 'createOrder'))).toBe('rejected');
  });

  it('429 and DDoS protection: turned away before processing, so it may go again under the same id', () => {
    expect(outcome('binance', new errors.RateLimitExceeded('binance {"code":-1003,"msg":"Too many requests"}'))).toBe('retry');
    expect(outcome('bybit', new errors.DDoSProtection('bybit 403 Forbidden'))).toBe('retry');
  });

  it('no proof either way: in flight (timeouts, 5xx, drops, unreadable replies, "execution status unknown" codes, an existing order with the id)', () => {
    expect(outcome('binance', new errors.RequestTimeout('binance POST https://fapi.binance.com/fapi/v1/order request timed out (10000 ms)'))).toBe('inFlight');
    expect(outcome('binance', new errors.ExchangeNotAvailable('binance 503 Service Unavailable'))).toBe('inFlight');
    expect(outcome('bybit', new errors.OnMaintenance('bybit 503 maintenance'))).toBe('inFlight');
    expect(outcome('binance', new errors.NetworkError('binance fetch failed: socket hang up'))).toBe('inFlight');
    expect(outcome('binance', new errors.BadResponse('binance {"code":-1007,"msg":"Timeout waiting for response from backend server. Send status unknown; execution status unknown."}'))).toBe('inFlight');
    expect(outcome('binance', new errors.ExchangeError('binance {"code":-1001,"msg":"Internal error; unable to process your request. Please try again."}'))).toBe('inFlight');
    expect(outcome('binance', new errors.OperationFailed('binance {"code":-1000,"msg":"An unknown error occured while processing the request."}'))).toBe('inFlight');
    expect(outcome('bybit', new errors.ExchangeError('bybit {"retCode":10016,"retMsg":"System error. Please try again later."}'))).toBe('inFlight');
    expect(outcome('binance', new errors.ExchangeError('binance {"code":-4116,"msg":"ClientOrderId is duplicated."}'))).toBe('inFlight');
    expect(outcome('bybit', new errors.InvalidOrder('bybit {"retCode":110072,"retMsg":"OrderLinkedID is duplicate"}'))).toBe('inFlight');
    expect(outcome('binance', new errors.ExchangeError('binance returned an unexpected answer'))).toBe('inFlight');
    expect(outcome('binance', new TypeError("Cannot read properties of undefined (reading 'id')"))).toBe('inFlight');
  });
});

describe('the order lifecycle', () => {
  it('states move forward only; terminal states are final; the filled quantity never shrinks', () => {
    expect(advancesOrder({ state: 'submitted', filledQuantity: 0 }, { status: 'accepted', filledQuantity: 0 })).toBe(true);
    expect(advancesOrder({ state: 'inFlight', filledQuantity: 0 }, { status: 'filled', filledQuantity: 1 })).toBe(true);
    expect(advancesOrder({ state: 'partiallyFilled', filledQuantity: 0.5 }, { status: 'accepted', filledQuantity: 0.5 })).toBe(false);
    expect(advancesOrder({ state: 'partiallyFilled', filledQuantity: 0.5 }, { status: 'partiallyFilled', filledQuantity: 0.7 })).toBe(true);
    expect(advancesOrder({ state: 'partiallyFilled', filledQuantity: 0.5 }, { status: 'partiallyFilled', filledQuantity: 0.5 })).toBe(false);
    expect(advancesOrder({ state: 'partiallyFilled', filledQuantity: 0.5 }, { status: 'canceled', filledQuantity: 0.4 })).toBe(false);
    expect(advancesOrder({ state: 'filled', filledQuantity: 1 }, { status: 'canceled', filledQuantity: 1 })).toBe(false);
    expect(advancesOrder({ state: 'rejected', filledQuantity: 0 }, { status: 'accepted', filledQuantity: 0 })).toBe(false);
  });
});
