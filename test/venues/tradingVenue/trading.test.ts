import { describe, expect, it } from 'vitest';
import { HOUR_MS } from '../../../src/core/time.ts';
import type { Fill } from '../../../src/domain/trading.ts';
import { SimulatedClock } from '../../../src/engine/clock.ts';
import { CcxtAccount } from '../../../src/venues/ccxt/ccxtAccount.ts';
import { VenueCredentials } from '../../../src/venues/ccxt/credentials.ts';
import { CcxtTradingVenue } from '../../../src/venues/ccxt/trading/ccxtTradingVenue.ts';
import { KEYS, PERP, rawExchange, SPOT, useExchangeSim } from '../exchangeSim/support/simHarness.ts';
import { eventTags, marketOrder, simVenue } from './support/tradingHarness.ts';

const fillsOf = (events: { type: string }[], id: string) => events.filter((e): e is { type: 'fill'; fill: Fill } => e.type === 'fill' && (e as unknown as { fill: Fill }).fill.clientOrderId === id).map((e) => e.fill);

describe('CcxtTradingVenue on exchange-sim: orders, fills and fees', () => {
  const sim = useExchangeSim({ market: { kind: 'synthetic', historyMs: HOUR_MS } });

  // Binance answers a market order with its fills done; Bybit with the ids alone (accepted), then the fetch tells the rest.
  for (const [name, type, symbol, quantity, takerFeeRate] of [
    ['binance', 'swap', PERP, 0.01, 0.0005],
    ['binance', 'spot', SPOT, 0.02, 0.001],
    ['bybit', 'swap', PERP, 0.02, 0.00055],
    ['bybit', 'spot', SPOT, 0.02, 0.001],
  ] as const) {
    it(`${name} ${type}: a market order fills; its fill (price, fee at the ${takerFeeRate * 100}% taker rate, taker) is emitted before the filled update`, async () => {
      const rig = await simVenue(sim(), name, { types: [type] });
      const order = marketOrder(name, symbol, { quantity });
      const update = await rig.venue.submit(order);
      expect(update).toMatchObject({ clientOrderId: order.clientOrderId, venue: name, symbol, status: 'filled', filledQuantity: quantity, reason: null });
      expect(eventTags(rig.events, order.clientOrderId)).toEqual(name === 'binance' ? ['fill', 'order:filled'] : ['order:accepted', 'fill', 'order:filled']);
      const [fill] = fillsOf(rig.events, order.clientOrderId);
      expect(fill).toMatchObject({ venue: name, symbol, side: 'buy', quantity, feeAsset: 'USDT', liquidity: 'taker' });
      expect(fill.fee).toBeCloseTo(quantity * fill.price * takerFeeRate, 12);
      expect(fill.price).toBeGreaterThan(40_000);
      // The venue's own trade list agrees: one trade, at that price.
      const trades = await rig.venue.myTrades(symbol, Date.now() - 60_000);
      expect(trades.filter((t) => t.clientOrderId === order.clientOrderId)).toEqual([{ ...fill }]);
      expect(rig.venue.order(order.clientOrderId)).toMatchObject({ state: 'filled', filledQuantity: quantity, checksMade: 0 });
      await rig.venue.close();
    });
  }

  for (const name of ['binance', 'bybit'] as const) {
    it(`${name}: a resting limit order is accepted, listed open, fetched by client id and cancelled`, async () => {
      const rig = await simVenue(sim(), name);
      const order = marketOrder(name, PERP, { type: 'limit', limitPrice: 30_000, timeInForce: 'GTC' });
      expect(await rig.venue.submit(order)).toMatchObject({ status: 'accepted', filledQuantity: 0 });
      const open = await rig.venue.openOrders(PERP);
      expect(open.filter((o) => o.request.clientOrderId === order.clientOrderId)).toEqual([expect.objectContaining({ status: 'accepted', filledQuantity: 0, remainingQuantity: 0.01 })]);
      expect(await rig.venue.fetchOrder(order.clientOrderId)).toMatchObject({ clientOrderId: order.clientOrderId, status: 'accepted', limitPrice: 30_000, quantity: 0.01 });
      expect(await rig.venue.cancel(order.clientOrderId)).toMatchObject({ status: 'canceled', filledQuantity: 0, reason: null });
      expect(eventTags(rig.events, order.clientOrderId)).toEqual(['order:accepted', 'order:canceled']);
      // A second cancel: the order is done, nothing is sent.
      expect(await rig.venue.cancel(order.clientOrderId)).toMatchObject({ status: 'canceled', reason: 'cancel rejected: order is canceled' });
      expect(await rig.venue.cancel('tvNeverSent')).toMatchObject({ status: 'rejected', reason: 'cancel rejected: unknown order tvNeverSent' });
      expect(await rig.venue.fetchOrder('tvNeverSent', PERP)).toBeNull();
      await rig.venue.close();
    });
  }

  it('rejections: insufficient balance and minimum notional are rejected by the venue (events, no order placed); a bad client id and a reused one never leave', async () => {
    const rig = await simVenue(sim(), 'binance');
    const stats = sim().httpStats.byEndpoint;
    const big = marketOrder('binance', PERP, { quantity: 100 });
    const rejected = await rig.venue.submit(big);
    expect(rejected).toMatchObject({ status: 'rejected', filledQuantity: 0, reason: expect.stringMatching(/insufficientFunds.*-2019/) });
    expect(eventTags(rig.events, big.clientOrderId)).toEqual(['order:rejected']);
    const small = marketOrder('binance', PERP, { quantity: 0.001 });
    expect(await rig.venue.submit(small)).toMatchObject({ status: 'rejected', reason: expect.stringMatching(/-4164/) });
    expect(await rig.venue.fetchOrder(small.clientOrderId)).toBeNull();
    const sent = stats.createOrder;
    const bad = marketOrder('binance', PERP, { clientOrderId: 'has spaces!' });
    expect(await rig.venue.submit(bad)).toMatchObject({ status: 'rejected', reason: expect.stringMatching(/^invalidOrder: binance client order ids are 1 to 36 characters/) });
    expect(await rig.venue.submit({ ...big, quantity: 0.01 })).toMatchObject({ status: 'rejected', reason: expect.stringMatching(/^duplicateClientOrderId/) });
    expect(stats.createOrder).toBe(sent);
    // The reused id's rejection is only returned: the original's events stay as they were.
    expect(eventTags(rig.events, big.clientOrderId)).toEqual(['order:rejected']);
    await rig.venue.close();
  });

  it('a read-only account sends nothing: submit is rejected (TradingDisabledError), no request leaves', async () => {
    const account = new CcxtAccount('binance', { mode: 'readOnly', credentials: new VenueCredentials('binance', 'test', KEYS.binance), loopbackBaseUrl: sim().baseUrl, timeoutMs: 3_000, rateLimitMs: 5 });
    const venue = new CcxtTradingVenue({ accounts: [account], clock: new SimulatedClock(Date.now()) });
    await venue.start();
    const sent = sim().httpStats.byEndpoint.createOrder ?? 0;
    expect(await venue.submit(marketOrder('binance', PERP))).toMatchObject({ status: 'rejected', reason: expect.stringMatching(/refused, the account client is read-only.*nothing was sent/) });
    expect(sim().httpStats.byEndpoint.createOrder ?? 0).toBe(sent);
    await venue.close();
  });

  it('bybit: rejection for balance (110007) and minimum order value (110094)', async () => {
    const rig = await simVenue(sim(), 'bybit');
    expect(await rig.venue.submit(marketOrder('bybit', PERP, { quantity: 100 }))).toMatchObject({ status: 'rejected', reason: expect.stringMatching(/110007/) });
    expect(await rig.venue.submit(marketOrder('bybit', PERP, { type: 'limit', limitPrice: 1000, quantity: 0.001, timeInForce: 'GTC' }))).toMatchObject({ status: 'rejected', reason: expect.stringMatching(/110094/) });
    await rig.venue.close();
  });

  it('order rules, the pre-trade need, balances, positions, leverage and margin mode', async () => {
    const rig = await simVenue(sim(), 'binance', { types: ['spot', 'swap'] });
    expect(rig.venue.orderRules(PERP)).toEqual({ symbol: PERP, lotSize: expect.any(Number), minQuantity: expect.any(Number), maxQuantity: expect.any(Number), minNotional: 100 });
    expect(rig.venue.orderRules(SPOT)).toMatchObject({ minNotional: 5 });
    await rig.venue.setLeverage(PERP, 5);
    const need = rig.venue.orderNeed({ symbol: PERP, side: 'sell', quantity: 0.1, price: 50_000, reduceOnly: false })!;
    expect(need).toMatchObject({ wallet: 'binance:swap', asset: 'USDT' });
    expect(need.amount).toBeCloseTo(5_000 / 5 + 5_000 * 0.0005, 9);
    expect(need.available).toBeGreaterThan(0);
    const spotNeed = rig.venue.orderNeed({ symbol: SPOT, side: 'buy', quantity: 0.1, price: 50_000, reduceOnly: false })!;
    expect(spotNeed).toMatchObject({ wallet: 'binance:spot', asset: 'USDT' });
    expect(spotNeed.amount).toBeCloseTo(5_000 * 1.001, 9);
    expect(rig.venue.orderNeed({ symbol: PERP, side: 'buy', quantity: 0.1, price: 50_000, reduceOnly: true })!.amount).toBe(0);
    const raw = await rawExchange(sim(), 'binance', 'future');
    const [risk] = (await raw.fapiPrivateV2GetPositionRisk({ symbol: 'SYNUSDT' })) as { leverage: string; marginType: string }[];
    expect(risk).toMatchObject({ leverage: '5', marginType: 'cross' });
    const before = (await rig.venue.positions()).find((p) => p.symbol === PERP)?.quantity ?? 0;
    await rig.venue.submit(marketOrder('binance', PERP, { side: 'sell', quantity: 0.02 }));
    const position = (await rig.venue.positions()).find((p) => p.symbol === PERP)!;
    expect(position).toMatchObject({ leverage: 5, marginMode: 'cross', settleAsset: 'USDT' });
    expect(position.quantity).toBeCloseTo(before - 0.02, 12);
    // With a position open the venue refuses a margin-mode change (-4048), as Binance does.
    await expect(rig.venue.setMarginMode(PERP, 'isolated')).rejects.toThrow(/-4048/);
    const balances = await rig.venue.balances();
    expect(balances.filter((b) => b.asset === 'USDT').map((b) => b.wallet).sort()).toEqual(['binance:spot', 'binance:swap']);
    expect((await rig.venue.instruments()).map((i) => i.symbol)).toEqual([SPOT, PERP]);
    await rig.venue.close();
  });
});
