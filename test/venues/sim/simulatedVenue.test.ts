import { describe, expect, it } from 'vitest';
import { HOUR, MINUTE, PERP, SPOT, bar, funding, harness, order, perpInstrument, quote, spotInstrument } from './simSupport.ts';

describe('simulated venue: fills against quotes', () => {
  it('a market buy takes the ask and pays the taker fee', async () => {
    const h = harness();
    h.venue.onMarketData(quote(1000, 100, 100.5, { bidSize: 5, askSize: 5 }));
    const reply = await h.venue.submit(order({ side: 'buy', quantity: 2, ts: 1000 }));
    expect(reply).toMatchObject({ status: 'filled', filledQuantity: 2, reason: null, ts: 1000 });
    const [fill] = h.of('fill').map((e) => e.fill);
    // 2 * 100.5 * 0.0005 = 0.1005 USDT.
    expect(fill).toMatchObject({ side: 'buy', quantity: 2, price: 100.5, liquidity: 'taker', feeAsset: 'USDT', ts: 1000 });
    expect(fill.fee).toBeCloseTo(0.1005, 15);
    expect(h.of('order').map((e) => e.update.status)).toEqual(['accepted', 'filled']);
    const [position] = await h.venue.positions();
    expect(position).toMatchObject({ symbol: PERP, quantity: 2, entryPrice: 100.5, marginMode: 'cross', leverage: 1 });
    const [usdt] = await h.venue.balances();
    expect(usdt.walletBalance).toBeCloseTo(10_000 - 0.1005, 12);
  });

  it('a limit order rests, then fills at its limit as a maker when the ask crosses it', async () => {
    const h = harness();
    h.venue.onMarketData(quote(1000, 99, 100, { bidSize: 5, askSize: 5 }));
    expect(await h.venue.submit(order({ side: 'buy', quantity: 1, limitPrice: 99.5, ts: 1000 }))).toMatchObject({ status: 'accepted' });
    expect(await h.venue.openOrders()).toHaveLength(1);
    h.venue.onMarketData(quote(2000, 99.2, 99.8, { bidSize: 5, askSize: 5 }));
    expect(h.of('fill')).toHaveLength(0);
    h.venue.onMarketData(quote(3000, 99.1, 99.4, { bidSize: 5, askSize: 5 }));
    const [fill] = h.of('fill').map((e) => e.fill);
    // Fills at its own limit 99.5 (not the better ask 99.4); maker fee 1 * 99.5 * 0.0002 = 0.0199.
    expect(fill).toMatchObject({ quantity: 1, price: 99.5, liquidity: 'maker', ts: 3000 });
    expect(fill.fee).toBeCloseTo(0.0199, 15);
    expect(h.of('order').map((e) => e.update.status)).toEqual(['accepted', 'filled']);
    expect(await h.venue.openOrders()).toHaveLength(0);
  });

  it('post-only: rejected when it would take, rests when it would not', async () => {
    const h = harness();
    h.venue.onMarketData(quote(1000, 100, 100.5));
    const taking = await h.venue.submit(order({ side: 'buy', quantity: 1, limitPrice: 100.5, timeInForce: 'PO', ts: 1000 }));
    expect(taking.status).toBe('rejected');
    expect(taking.reason).toMatch(/^postOnlyWouldTake: post-only buy at 100.5 would take the ask 100.5/);
    expect(h.of('fill')).toHaveLength(0);
    const making = await h.venue.submit(order({ side: 'buy', quantity: 1, limitPrice: 100.4, timeInForce: 'PO', ts: 1000 }));
    expect(making.status).toBe('accepted');
  });

  it('IOC: fills the quoted size, the rest expires', async () => {
    const h = harness();
    h.venue.onMarketData(quote(1000, 99.9, 100, { bidSize: 1, askSize: 0.3 }));
    const reply = await h.venue.submit(order({ side: 'buy', quantity: 0.5, limitPrice: 100.5, timeInForce: 'IOC', ts: 1000 }));
    expect(reply).toMatchObject({ status: 'expired', filledQuantity: 0.3 });
    expect(h.of('fill').map((e) => [e.fill.quantity, e.fill.price])).toEqual([[0.3, 100]]);
    expect(h.of('order').map((e) => e.update.status)).toEqual(['accepted', 'partiallyFilled', 'expired']);
    expect(await h.venue.openOrders()).toHaveLength(0);
  });

  it('a cancel removes a resting order; cancelling a filled or unknown order is refused with a reason', async () => {
    const h = harness();
    h.venue.onMarketData(quote(1000, 99, 100));
    const resting = order({ side: 'sell', quantity: 1, limitPrice: 101, ts: 1000 });
    await h.venue.submit(resting);
    expect(await h.venue.cancel(resting.clientOrderId)).toMatchObject({ status: 'canceled', reason: null });
    expect(await h.venue.openOrders()).toHaveLength(0);
    expect((await h.venue.cancel(resting.clientOrderId)).reason).toBe('cancel rejected: order is canceled');
    expect(await h.venue.cancel('nope')).toMatchObject({ status: 'rejected', reason: 'cancel rejected: unknown order nope' });
  });
});

describe('simulated venue: fills against bars', () => {
  it('a market buy pays the crossing cost and the size slippage; a resting limit fills on a later bar that trades through', async () => {
    const h = harness({ fill: { halfSpreadBps: 2, slippageCoefficientBps: 10, slippageExponent: 0.5 } });
    h.venue.onMarketData(bar(0, { open: 99, high: 101, low: 98, close: 100, volume: 50 }));
    // 2 of 50 traded: 10 * sqrt(0.04) = 2 bps slippage + 2 bps half-spread: 100 * 1.0004 = 100.04.
    const reply = await h.venue.submit(order({ side: 'buy', quantity: 2, ts: MINUTE }));
    expect(reply.status).toBe('filled');
    const [fill] = h.of('fill').map((e) => e.fill);
    expect(fill.price).toBeCloseTo(100.04, 12);
    expect(fill.fee).toBeCloseTo(2 * 100.04 * 0.0005, 15);

    await h.venue.submit(order({ side: 'sell', quantity: 2, limitPrice: 100.6, ts: MINUTE }));
    h.venue.onMarketData(bar(MINUTE, { open: 100, high: 100.5, low: 99.8, close: 100.2, volume: 40 }));
    expect(h.of('fill')).toHaveLength(1);
    h.venue.onMarketData(bar(2 * MINUTE, { open: 100.2, high: 100.7, low: 100.1, close: 100.3, volume: 40 }));
    const second = h.of('fill')[1].fill;
    expect(second).toMatchObject({ side: 'sell', quantity: 2, price: 100.6, liquidity: 'maker', ts: 3 * MINUTE });
    expect(await h.venue.positions()).toEqual([]);
  });
});

describe('simulated venue: latency', () => {
  it('an order sent at t arrives at t + latency and fills against the market of that time', async () => {
    const h = harness({ latency: { kind: 'fixed', latencyMs: 200 } });
    h.venue.onMarketData(quote(1000, 99.9, 100));
    let replied = false;
    const reply = h.venue.submit(order({ side: 'buy', quantity: 1, ts: 1000 })).then((u) => ((replied = true), u));
    h.venue.onMarketData(quote(1100, 100.9, 101));
    await Promise.resolve();
    expect(replied).toBe(false);
    expect(h.of('fill')).toHaveLength(0);
    // The quote at 1300 moves the clock past the arrival at 1200, where the ask was 101 (not 100, not 102).
    h.venue.onMarketData(quote(1300, 101.9, 102));
    expect(await reply).toMatchObject({ status: 'filled', ts: 1200 });
    expect(h.of('fill')[0].fill).toMatchObject({ price: 101, ts: 1200 });
  });

  it('a resting order counts only bars that open after it arrived', async () => {
    const h = harness({ latency: { kind: 'fixed', latencyMs: 30_000 } });
    h.venue.onMarketData(bar(0, { open: 100, high: 100, low: 100, close: 100 }));
    void h.venue.submit(order({ side: 'buy', quantity: 1, limitPrice: 99, ts: MINUTE }));
    // Arrives at 90 s, inside the candle [60 s, 120 s) whose low 98 may have come before: not filled.
    h.venue.onMarketData(bar(MINUTE, { open: 100, high: 100, low: 98, close: 100 }));
    expect(h.of('order').map((e) => [e.update.status, e.update.ts])).toEqual([['accepted', 90_000]]);
    expect(h.of('fill')).toHaveLength(0);
    h.venue.onMarketData(bar(2 * MINUTE, { open: 100, high: 100, low: 98.5, close: 99.5 }));
    expect(h.of('fill')[0].fill).toMatchObject({ price: 99, quantity: 1, liquidity: 'maker', ts: 3 * MINUTE });
  });
});

describe('simulated venue: funding', () => {
  it('one settlement on a short perp: 0.5 * 64,250.5 * 0.000125 = 4.01565625 USDT received', async () => {
    const h = harness({ balances: { USDT: 100_000 } });
    h.venue.onMarketData(quote(1000, 64_000, 64_000.5));
    await h.venue.submit(order({ side: 'sell', quantity: 0.5, ts: 1000 }));
    h.venue.onMarketData(bar(0, { open: 64_100, high: 64_400, low: 63_900, close: 64_250.5 }, PERP, 'mark_bars', 8 * HOUR));
    h.venue.onMarketData(funding(8 * HOUR, 0.000125));
    const [payment] = h.of('funding').map((e) => e.payment);
    expect(payment).toMatchObject({ symbol: PERP, ts: 8 * HOUR, fundingRatePerInterval: 0.000125, markPrice: 64_250.5, positionQty: -0.5, asset: 'USDT' });
    expect(payment.amount).toBeCloseTo(4.01565625, 10);
    const [usdt] = await h.venue.balances();
    // Taker fee on the sale: 0.5 * 64,000 * 0.0005 = 16.
    expect(usdt.walletBalance).toBeCloseTo(100_000 - 16 + 4.01565625, 9);
  });

  it('the funding row mark price wins; positions of zero pay nothing; no price with a position is an error', async () => {
    const h = harness();
    h.venue.onMarketData(funding(1000, 0.0001));
    expect(h.of('funding')).toHaveLength(0);
    h.venue.onMarketData(quote(2000, 100, 100.1));
    await h.venue.submit(order({ side: 'buy', quantity: 1, ts: 2000 }));
    h.venue.onMarketData(funding(3000, 0.0001, PERP, 102));
    expect(h.of('funding')[0].payment).toMatchObject({ markPrice: 102, positionQty: 1 });
    expect(h.of('funding')[0].payment.amount).toBeCloseTo(-0.0102, 15);
  });
});

describe('simulated venue: liquidation', () => {
  it('a 10x isolated long is liquidated at P = (E - C/q) / (1 - m) when the mark passes through it', async () => {
    const h = harness({
      balances: { USDT: 1000 },
      margin: { defaults: { leverage: 10, maintenanceMarginRate: 0.005, marginMode: 'isolated' }, liquidationFeeRate: 0.01 },
    });
    h.venue.onMarketData(quote(1000, 99.9, 100));
    await h.venue.submit(order({ side: 'buy', quantity: 1, ts: 1000 }));
    // Entry 100, isolated margin 1 * 100 / 10 = 10: P = (100 - 10) / (1 - 0.005) = 90.4522613065...
    const liquidationPrice = 90 / 0.995;
    const [before] = await h.venue.positions();
    expect(before).toMatchObject({ quantity: 1, entryPrice: 100, isolatedMargin: 10, marginMode: 'isolated' });
    expect(before.liquidationPrice).toBeCloseTo(liquidationPrice, 10);

    h.venue.onMarketData(bar(0, { open: 100, high: 100, low: 94, close: 95 }, PERP, 'mark_bars'));
    expect(h.of('liquidation')).toHaveLength(0);
    h.venue.onMarketData(bar(MINUTE, { open: 95, high: 95, low: 89, close: 90 }, PERP, 'mark_bars'));
    const [liq] = h.of('liquidation').map((e) => e.liquidation);
    expect(liq).toMatchObject({ symbol: PERP, positionQty: 1, marginMode: 'isolated', ts: 2 * MINUTE, feeAsset: 'USDT' });
    expect(liq.price).toBeCloseTo(liquidationPrice, 10);
    // At the trigger equity = 10 + (P - 100) equals maintenance 0.005 P.
    expect(liq.equityAtTrigger).toBeCloseTo(0.005 * liquidationPrice, 10);
    expect(liq.maintenanceMarginAtTrigger).toBeCloseTo(0.005 * liquidationPrice, 10);
    // The closing fill: sell 1 at P, liquidation fee 1% of P.
    const closing = h.of('fill')[1].fill;
    expect(closing.fillId).toBe(liq.fillId);
    expect(closing).toMatchObject({ side: 'sell', quantity: 1, liquidity: 'taker' });
    expect(closing.fee).toBeCloseTo(0.01 * liquidationPrice, 10);
    expect(await h.venue.positions()).toEqual([]);
    // Wallet: 1000 - taker fee 0.05 + (P - 100) - 0.01 P.
    const [usdt] = await h.venue.balances();
    expect(usdt.walletBalance).toBeCloseTo(1000 - 0.05 + (liquidationPrice - 100) - 0.01 * liquidationPrice, 9);
  });

  it('a cross short whose mark gaps above its liquidation price is closed at the gap price', async () => {
    const h = harness({ balances: { USDT: 100 }, margin: { defaults: { leverage: 5 } } });
    h.venue.onMarketData(quote(1000, 100, 100.1));
    await h.venue.submit(order({ side: 'sell', quantity: 1, ts: 1000 }));
    // Cross: collateral is the whole wallet, 100 - 0.05 fee: P = (100 + 99.95) / 1.004.
    const [position] = await h.venue.positions();
    expect(position.liquidationPrice).toBeCloseTo(199.95 / 1.004, 10);
    h.venue.onMarketData(bar(0, { open: 250, high: 260, low: 240, close: 255 }, PERP, 'mark_bars'));
    const [liq] = h.of('liquidation').map((e) => e.liquidation);
    expect(liq).toMatchObject({ price: 250, positionQty: -1, marginMode: 'cross' });
    const [usdt] = await h.venue.balances();
    // 99.95 - 150 loss - 0.5% of 250: negative (bankruptcy is not socialised here).
    expect(usdt.walletBalance).toBeCloseTo(99.95 - 150 - 1.25, 9);
  });
});

describe('simulated venue: short spot borrow', () => {
  it('selling BTC the account does not hold borrows it and pays debt * 8.76% / 8760 every whole hour, compounding', async () => {
    const h = harness({
      instruments: [spotInstrument()],
      balances: { USDT: 10_000 },
      borrow: { borrowRateAnnualByAsset: { BTC: 0.0876 } },
    });
    const t0 = 10 * HOUR + 30 * MINUTE;
    h.venue.onMarketData(quote(t0, 100, 100.1, {}, SPOT));
    expect(await h.venue.submit(order({ symbol: SPOT, side: 'sell', quantity: 1, ts: t0 }))).toMatchObject({ status: 'filled' });
    let balances = await h.venue.balances();
    expect(balances.find((b) => b.asset === 'BTC')).toMatchObject({ walletBalance: -1, borrowed: 1 });
    // 100 proceeds - 0.1 fee; collateral 0.5 * 1 * 100.05 (mid) held against the borrow.
    const usdt = balances.find((b) => b.asset === 'USDT')!;
    expect(usdt.walletBalance).toBeCloseTo(10_099.9, 9);
    expect(usdt.borrowMargin).toBeCloseTo(50.025, 9);

    h.venue.onMarketData(quote(t0 + 29 * MINUTE, 100, 100.1, {}, SPOT));
    expect(h.of('borrowInterest')).toHaveLength(0);
    h.venue.onMarketData(quote(t0 + 60 * MINUTE, 100, 100.1, {}, SPOT));
    h.venue.advanceTo(12 * HOUR);
    const charges = h.of('borrowInterest').map((e) => e.interest);
    expect(charges.map((c) => c.ts)).toEqual([11 * HOUR, 12 * HOUR]);
    expect(charges[0]).toMatchObject({ asset: 'BTC', borrowedQuantity: 1, borrowRateAnnual: 0.0876 });
    expect(charges[0].interest).toBeCloseTo(0.00001, 18);
    expect(charges[1].borrowedQuantity).toBeCloseTo(1.00001, 15);
    expect(charges[1].interest).toBeCloseTo(0.0000100001, 18);
    balances = await h.venue.balances();
    expect(balances.find((b) => b.asset === 'BTC')!.walletBalance).toBeCloseTo(-1.0000200001, 15);

    // Buying the debt back stops the interest.
    await h.venue.submit(order({ symbol: SPOT, side: 'buy', quantity: 1.0000200001, ts: 12 * HOUR }));
    h.venue.advanceTo(15 * HOUR);
    expect(h.of('borrowInterest')).toHaveLength(2);
  });
});

describe('simulated venue: dated futures expire', () => {
  it('positions settle at the mark at expiry; later orders are refused as market closed', async () => {
    const future = 'BTC/USDT:USDT-250926';
    const expiryMs = Date.UTC(2025, 8, 26, 8);
    const h = harness({ instruments: [perpInstrument({ symbol: future, kind: 'future', expiryMs })] });
    h.venue.onMarketData(quote(expiryMs - 1000, 100, 100.1, {}, future));
    await h.venue.submit(order({ symbol: future, side: 'buy', quantity: 1, ts: expiryMs - 1000 }));
    await h.venue.submit(order({ symbol: future, side: 'sell', quantity: 1, limitPrice: 120, ts: expiryMs - 1000 }));
    h.venue.advanceTo(expiryMs);
    const [settlement] = h.of('expiry').map((e) => e.settlement);
    expect(settlement).toMatchObject({ symbol: future, positionQty: 1, price: 100.05, ts: expiryMs });
    expect(h.of('fill')[1].fill).toMatchObject({ fillId: settlement.fillId, side: 'sell', price: 100.05, fee: 0 });
    expect(h.of('order').at(-1)!.update).toMatchObject({ status: 'expired' });
    expect(await h.venue.positions()).toEqual([]);
    const late = await h.venue.submit(order({ symbol: future, side: 'buy', quantity: 1, ts: expiryMs }));
    expect(late.reason).toMatch(/^marketClosed: BTC\/USDT:USDT-250926 expired at 2025-09-26T08:00:00.000Z/);
  });
});

describe('simulated venue: events and re-entrancy', () => {
  it('a listener may submit from an event; events arrive in order after the state is consistent', async () => {
    const h = harness();
    h.venue.onMarketData(quote(1000, 100, 100.5));
    const seen: string[] = [];
    h.venue.subscribe((e) => {
      seen.push(e.type === 'order' ? `${e.update.clientOrderId}:${e.update.status}` : e.type);
      if (e.type === 'fill' && e.fill.clientOrderId === 'first') void h.venue.submit(order({ clientOrderId: 'hedge', side: 'sell', quantity: 1, ts: 1000 }));
    });
    await h.venue.submit(order({ clientOrderId: 'first', side: 'buy', quantity: 1, ts: 1000 }));
    expect(seen).toEqual(['first:accepted', 'fill', 'first:filled', 'hedge:accepted', 'fill', 'hedge:filled']);
    expect(await h.venue.positions()).toEqual([]);
  });
});

describe('simulated venue: leverage and margin mode', () => {
  it('leverage sets the initial margin rate; the margin mode cannot change under an open position', async () => {
    const h = harness();
    h.venue.onMarketData(quote(1000, 100, 100.5));
    await h.venue.setLeverage(PERP, 4);
    await expect(h.venue.setLeverage(PERP, 0.5)).rejects.toThrow(/sim setLeverage: exchange: .*leverage must be finite and >= 1/);
    await expect(h.venue.setLeverage('ETH/USDT:USDT', 2)).rejects.toThrow(/badSymbol/);
    await h.venue.submit(order({ side: 'buy', quantity: 2, ts: 1000 }));
    const [position] = await h.venue.positions();
    // Cross at 4x: initial margin 2 * mark 100.25 / 4.
    expect(position).toMatchObject({ leverage: 4, marginMode: 'cross', markPrice: 100.25 });
    expect(position.initialMargin).toBeCloseTo(50.125, 12);
    await expect(h.venue.setMarginMode(PERP, 'isolated')).rejects.toThrow(/open position or order/);
  });

  it('a resting order fills partly on each quote that offers part of its size', async () => {
    const h = harness();
    h.venue.onMarketData(quote(1000, 99, 100));
    await h.venue.submit(order({ side: 'buy', quantity: 1, limitPrice: 99.5, ts: 1000 }));
    h.venue.onMarketData(quote(2000, 99, 99.5, { askSize: 0.4 }));
    h.venue.onMarketData(quote(3000, 99, 99.4, { askSize: 2 }));
    expect(h.of('fill').map((e) => e.fill.quantity)).toEqual([0.4, 0.6]);
    expect(h.of('order').map((e) => e.update.status)).toEqual(['accepted', 'partiallyFilled', 'filled']);
  });
});
