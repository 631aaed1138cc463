import { describe, expect, it } from 'vitest';
import type { OrderRequest } from '../../../src/domain/trading.ts';
import { rejectCodeOf } from '../../../src/venues/sim/validateOrder.ts';
import { PERP, SPOT, harness, order, perpInstrument, quote, spotInstrument, type Harness } from './simSupport.ts';

const FUTURE = 'BTC/USDT:USDT-250926';
const EXPIRY_MS = Date.UTC(2025, 8, 26, 8);
const NOW = EXPIRY_MS + 1000;

/** A venue with a perp, a spot market and an expired future, all quoted at 100 / 100.5. */
function market(): Harness {
  const h = harness({
    instruments: [perpInstrument(), spotInstrument(), perpInstrument({ symbol: FUTURE, kind: 'future', expiryMs: EXPIRY_MS })],
    balances: { USDT: 10_000 },
  });
  for (const symbol of [PERP, SPOT, FUTURE]) h.venue.onMarketData(quote(NOW, 100, 100.5, { bidSize: 1000, askSize: 1000 }, symbol));
  return h;
}

async function rejected(h: Harness, request: Partial<OrderRequest> & Pick<OrderRequest, 'side' | 'quantity'>): Promise<string> {
  const reply = await h.venue.submit(order({ ts: NOW, ...request }));
  expect(reply.status).toBe('rejected');
  return reply.reason!;
}

describe('simulated venue: rejections are order updates with a reason, never exceptions', () => {
  it('each reason, as an exchange gives it', async () => {
    const h = market();
    const cases: [Partial<OrderRequest> & Pick<OrderRequest, 'side' | 'quantity'>, RegExp][] = [
      [{ venue: 'other', side: 'buy', quantity: 1 }, /^wrongVenue: order for venue other sent to sim$/],
      [{ symbol: 'ETH/USDT:USDT', side: 'buy', quantity: 1 }, /^unknownSymbol: sim does not list ETH\/USDT:USDT$/],
      [{ type: 'limit', limitPrice: null, side: 'buy', quantity: 1 }, /^invalidOrder: a limit order needs a limit price$/],
      [{ type: 'market', limitPrice: 100, side: 'buy', quantity: 1 }, /^invalidOrder: a market order takes no limit price$/],
      [{ type: 'market', timeInForce: 'PO', side: 'buy', quantity: 1 }, /^invalidOrder: post-only needs a limit order$/],
      [{ symbol: SPOT, reduceOnly: true, side: 'sell', quantity: 1 }, /^invalidOrder: reduce-only applies to derivatives/],
      [{ side: 'buy', quantity: 1, ts: Number.NaN }, /^invalidOrder: ts must be a time in ms \(got NaN\)$/],
      [{ side: 'buy', quantity: 0 }, /^invalidQuantity: quantity must be finite and > 0 \(got 0\)$/],
      [{ side: 'buy', quantity: -1 }, /^invalidQuantity/],
      [{ side: 'buy', quantity: Number.NaN }, /^invalidQuantity/],
      [{ side: 'buy', quantity: 0.0005 }, /^lotSize: quantity 0.0005 is below the lot size 0.001$/],
      [{ side: 'buy', quantity: 0.0015 }, /^lotSize: quantity 0.0015 is not a multiple of the lot size 0.001$/],
      [{ side: 'buy', quantity: 1, limitPrice: -5 }, /^invalidPrice: limit price must be finite and > 0 \(got -5\)$/],
      [{ side: 'buy', quantity: 1, limitPrice: 100.05 }, /^tickSize: price 100.05 is not on the tick size 0.1$/],
      [{ symbol: FUTURE, side: 'buy', quantity: 1 }, /^marketClosed: BTC\/USDT:USDT-250926 expired at 2025-09-26T08:00:00.000Z$/],
      [{ side: 'sell', quantity: 1, reduceOnly: true }, /^reduceOnlyWouldIncrease: reduce-only sell 1 with no position$/],
      [{ side: 'buy', quantity: 1, limitPrice: 100.5, timeInForce: 'PO' }, /^postOnlyWouldTake: post-only buy at 100.5 would take the ask 100.5$/],
      [{ symbol: SPOT, side: 'buy', quantity: 200 }, /^insufficientBalance: needs 20120.1 USDT, available 10000$/],
      [{ symbol: SPOT, side: 'sell', quantity: 1 }, /^insufficientBalance: needs 1 BTC, available 0 \(BTC cannot be borrowed here\)$/],
      // 1x: 101 BTC at 100.5 needs 10150.5 of margin + 5.075... fee; 10000 available.
      [{ side: 'buy', quantity: 101 }, /^insufficientMargin: needs 10155\.57525 USDT of initial margin and fee, available 10000$/],
    ];
    for (const [request, reason] of cases) expect(await rejected(h, request)).toMatch(reason);
    // Each was also emitted as an order event, and nothing filled.
    expect(h.of('order').map((e) => e.update.status)).toEqual(cases.map(() => 'rejected'));
    expect(h.of('fill')).toHaveLength(0);
    expect(rejectCodeOf(h.of('order')[0].update.reason)).toBe('wrongVenue');
  });

  it('no market data yet', async () => {
    const h = harness();
    // The clock must reach the order's time (an order stamped ahead of the venue's clock waits for it).
    h.venue.advanceTo(NOW);
    expect(await rejected(h, { side: 'buy', quantity: 1 })).toBe('noMarketData: sim has no price for BTC/USDT:USDT yet');
  });

  it('a reused clientOrderId is refused (returned, not emitted as news of the original)', async () => {
    const h = market();
    const first = order({ clientOrderId: 'same', side: 'buy', quantity: 1, limitPrice: 99, ts: NOW });
    expect((await h.venue.submit(first)).status).toBe('accepted');
    expect(await rejected(h, { clientOrderId: 'same', side: 'buy', quantity: 2 })).toBe('duplicateClientOrderId: same was already used');
    expect(h.of('order').map((e) => e.update.status)).toEqual(['accepted']);
    expect(await h.venue.openOrders()).toHaveLength(1);
  });

  it('reduce-only that would increase or flip the position', async () => {
    const h = market();
    await h.venue.submit(order({ side: 'buy', quantity: 1, ts: NOW }));
    expect(await rejected(h, { side: 'buy', quantity: 0.5, reduceOnly: true })).toBe('reduceOnlyWouldIncrease: reduce-only buy 0.5 would increase the position 1');
    expect(await rejected(h, { side: 'sell', quantity: 1.5, reduceOnly: true })).toBe('reduceOnlyWouldIncrease: reduce-only sell 1.5 would flip the position 1');
    expect((await h.venue.submit(order({ side: 'sell', quantity: 1, reduceOnly: true, ts: NOW }))).status).toBe('filled');
  });

  it('resting orders reserve margin: a second order beyond what is left is refused', async () => {
    const h = market();
    // Limit buy 60 at 99 (1x) reserves 5940 USDT of initial margin.
    expect((await h.venue.submit(order({ side: 'buy', quantity: 60, limitPrice: 99, ts: NOW }))).status).toBe('accepted');
    const [usdt] = await h.venue.balances();
    expect(usdt.orderMargin).toBeCloseTo(5940, 9);
    expect(await rejected(h, { side: 'buy', quantity: 50 })).toMatch(/^insufficientMargin: needs 5027\.5125 USDT of initial margin and fee, available 4060$/);
    // Reducing needs no margin: selling into the position is never refused for margin.
    expect((await h.venue.submit(order({ side: 'sell', quantity: 40, ts: NOW }))).status).toBe('filled');
  });
});
