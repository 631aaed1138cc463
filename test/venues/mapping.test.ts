import { describe, expect, it } from 'vitest';
import ccxt, { type MarketInterface } from 'ccxt';
import { HOUR_MS } from '../../src/core/time.ts';
import { backoffDelayMs } from '../../src/core/retry.ts';
import { inferIntervalMsFromSettlements, intervalStringToMs } from '../../src/venues/ccxt/fundingInterval.ts';
import { isSkipped, marketToInstrument } from '../../src/venues/ccxt/instruments.ts';
import { rewriteApiUrls } from '../../src/venues/ccxt/loopbackUrls.ts';
import { precisionToStep } from '../../src/venues/ccxt/precision.ts';

describe('ccxt precision to step sizes', () => {
  it('TICK_SIZE is the step; DECIMAL_PLACES is a number of decimals; SIGNIFICANT_DIGITS has no step', () => {
    expect(precisionToStep(0.1, ccxt.TICK_SIZE)).toBe(0.1);
    expect(precisionToStep(2, ccxt.DECIMAL_PLACES)).toBe(0.01);
    expect(precisionToStep(8, ccxt.DECIMAL_PLACES)).toBe(1e-8);
    expect(precisionToStep(0, ccxt.DECIMAL_PLACES)).toBe(1);
    expect(precisionToStep(5, ccxt.SIGNIFICANT_DIGITS)).toBeNull();
    expect(precisionToStep(undefined, ccxt.TICK_SIZE)).toBeNull();
  });

  it('maps a dated future with its expiry, and skips an option', () => {
    const base = { base: 'BTC', quote: 'USDT', settle: 'USDT', linear: true, contractSize: 1, precision: { price: 1, amount: 3 }, maker: 0.0002, taker: 0.0005 };
    const future = marketToInstrument('x', { ...base, id: 'BTCUSDT_240628', symbol: 'BTC/USDT:USDT-240628', type: 'future', future: true, contract: true, expiry: 1719561600000 } as unknown as MarketInterface, ccxt.DECIMAL_PLACES);
    expect(isSkipped(future) ? null : future).toMatchObject({ kind: 'future', expiryMs: 1719561600000, tickSize: 0.1, lotSize: 0.001, fundingIntervalMs: null });
    const option = marketToInstrument('x', { ...base, id: 'o', symbol: 'BTC/USDT:USDT-240628-70000-C', type: 'option', option: true } as unknown as MarketInterface, ccxt.TICK_SIZE);
    expect(isSkipped(option)).toBe(true);
  });
});

describe('funding interval inference', () => {
  it('takes the most frequent gap between settlements, rounded to the minute', () => {
    const t0 = 1_717_113_600_000;
    expect(inferIntervalMsFromSettlements([t0, t0 + 8 * HOUR_MS + 3, t0 + 16 * HOUR_MS + 1, t0 + 32 * HOUR_MS])).toBe(8 * HOUR_MS);
    expect(inferIntervalMsFromSettlements([t0])).toBeNull();
    expect(inferIntervalMsFromSettlements([t0, t0 + HOUR_MS, t0 + 5 * HOUR_MS])).toBe(HOUR_MS);
    expect(intervalStringToMs('8h')).toBe(8 * HOUR_MS);
    expect(intervalStringToMs('nonsense')).toBeNull();
  });
});

describe('loopback URL rewriting and backoff', () => {
  it('rewrites every https and wss URL of a nested ccxt urls.api tree, filling {hostname}', () => {
    const api = { rest: 'https://{hostname}', ws: { public: 'wss://ws.okx.com:8443/ws/v5/public' }, list: ['https://a.example/x'] };
    expect(rewriteApiUrls(api, 'http://127.0.0.1:5000', 'www.okx.com')).toEqual({
      rest: 'http://127.0.0.1:5000/www.okx.com',
      ws: { public: 'ws://127.0.0.1:5000/ws.okx.com:8443/ws/v5/public' },
      list: ['http://127.0.0.1:5000/a.example/x'],
    });
  });

  it('doubles the delay per attempt up to the cap, jitter only shortening it', () => {
    const policy = { initialDelayMs: 100, maxDelayMs: 1_000, jitterFraction: 0.5 };
    expect([1, 2, 3, 4, 5, 10].map((a) => backoffDelayMs(a, policy, () => 0))).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(backoffDelayMs(2, policy, () => 1)).toBe(100);
  });
});
