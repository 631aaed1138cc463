import { describe, expect, it } from 'vitest';
import { HOUR_MS } from '../../../src/core/time.ts';
import type { OrderRequest } from '../../../src/domain/trading.ts';
import { FaultInjector } from '../../../src/venues/exchangeSim/faults/faultInjector.ts';
import { parseFaultSpec } from '../../../src/venues/exchangeSim/faults/faultSpec.ts';
import { clientId, PERP, simAccount, useExchangeSim, venueError } from './support/simHarness.ts';

const marketBuy = (venue: string, clientOrderId: string): OrderRequest => ({ clientOrderId, venue, symbol: PERP, side: 'buy', type: 'market', quantity: 0.01, limitPrice: null, timeInForce: 'GTC', reduceOnly: false, ts: 0 });

describe('--faults: parsing and seeded draws', () => {
  it('parses kinds, scopes, rates and arguments, and refuses bad rules with the rule named', () => {
    expect(parseFaultSpec('429:0.05,5xx:0.02:502,timeout@binance+createOrder:0.01,drop@ws:0.5,lostReply@/fapi/v1/order:1')).toEqual([
      { kind: '429', scopes: [], rate: 0.05, arg: 1, text: '429:0.05' },
      { kind: '5xx', scopes: [], rate: 0.02, arg: 502, text: '5xx:0.02:502' },
      { kind: 'timeout', scopes: ['binance', 'createOrder'], rate: 0.01, arg: 0, text: 'timeout@binance+createOrder:0.01' },
      { kind: 'drop', scopes: ['ws'], rate: 0.5, arg: 0, text: 'drop@ws:0.5' },
      { kind: 'lostReply', scopes: ['/fapi/v1/order'], rate: 1, arg: 0, text: 'lostReply@/fapi/v1/order:1' },
    ]);
    expect(() => parseFaultSpec('418:0.1')).toThrow(/'418:0.1': unknown kind '418'/);
    expect(() => parseFaultSpec('429:1.5')).toThrow(/rate '1.5' is not a probability/);
    expect(() => parseFaultSpec('5xx:0.1:404')).toThrow(/status '404' is not 500 to 599/);
    expect(() => parseFaultSpec('timeout:0.1:5')).toThrow(/timeout takes no argument/);
  });

  it('the same seed and requests give the same faults, at about the given rate', () => {
    const ctx = { venue: 'binance' as const, endpoint: 'fetchBalance', path: '/fapi/v3/account', isPrivate: true };
    const draw = (seed: number) => {
      const injector = new FaultInjector(parseFaultSpec('5xx:0.3'), seed);
      return Array.from({ length: 2000 }, () => injector.decide(ctx)?.kind ?? '-');
    };
    expect(draw(5)).toEqual(draw(5));
    expect(draw(5)).not.toEqual(draw(6));
    const hits = draw(5).filter((k) => k === '5xx').length;
    expect(hits / 2000).toBeGreaterThan(0.26);
    expect(hits / 2000).toBeLessThan(0.34);
  });
});

describe('each fault kind through ccxt and CcxtAccount', () => {
  const sim = useExchangeSim({
    market: { kind: 'synthetic', historyMs: HOUR_MS },
    faults: '429@bybit+createOrder:1:1,5xx@fetchBalance+binance:1,timeout@fetchPositions+binance:1,drop@fetchOpenOrders+binance:1,lostReply@createOrder+binance:1',
  });

  it('429: Retry-After and the venue body; every request waits out the window, then the venue answers again', async () => {
    const raw = await fetch(`${sim().baseUrl}/api.bybit.com/v5/order/create`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    expect(raw.status).toBe(429);
    expect(raw.headers.get('retry-after')).toBe('1');
    expect(await raw.json()).toMatchObject({ retCode: 10006, retMsg: 'Too many visits!' });
    const account = simAccount(sim(), 'bybit');
    await new Promise((r) => setTimeout(r, 1100));
    const error = await venueError(() => account.createOrder(marketBuy('bybit', clientId())));
    expect(error).toMatchObject({ kind: 'rateLimited', retryable: true });
    // Within Retry-After even a balance read is refused ...
    expect(await venueError(() => account.fetchBalances())).toMatchObject({ kind: 'rateLimited' });
    // ... and after it the venue answers.
    await new Promise((r) => setTimeout(r, 1100));
    expect((await account.fetchBalances()).find((b) => b.asset === 'USDT')?.total).toBe(100_000);
    await account.close();
  });

  it('5xx: a gateway error page becomes kind unavailable (retryable)', async () => {
    const account = simAccount(sim(), 'binance');
    expect(await venueError(() => account.fetchBalances())).toMatchObject({ kind: 'unavailable', retryable: true });
    await account.close();
  });

  it('timeout: no answer; ccxt gives up after its timeout (kind timeout)', async () => {
    const account = simAccount(sim(), 'binance', 'swap', undefined, 800);
    const t0 = Date.now();
    expect(await venueError(() => account.fetchPositions([PERP]))).toMatchObject({ kind: 'timeout', retryable: true });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(700);
    await account.close();
  });

  it('drop: the socket closes before an answer (kind network)', async () => {
    const account = simAccount(sim(), 'binance');
    expect(await venueError(() => account.fetchOpenOrders(PERP))).toMatchObject({ kind: 'network', retryable: true });
    await account.close();
  });

  it('lostReply: the order is placed but the reply never comes; fetched by client order id it exists, filled', async () => {
    const account = simAccount(sim(), 'binance');
    const id = clientId('lost');
    expect(await venueError(() => account.createOrder(marketBuy('binance', id)))).toMatchObject({ kind: 'network', retryable: true });
    const found = await account.fetchOrder({ clientOrderId: id }, PERP);
    expect(found).toMatchObject({ clientOrderId: id, status: 'filled', filledQuantity: 0.01 });
    expect(sim().faults.counts).toMatchObject({ '429': expect.any(Number), '5xx': 1, timeout: 1, drop: 1, lostReply: 1 });
    await account.close();
  });
});
