import { describe, expect, it } from 'vitest';
import { HOUR_MS } from '../../../src/core/time.ts';
import { PERP, rawExchange, useExchangeSim } from './support/simHarness.ts';

interface WatchedOrder {
  clientOrderId: string;
  status: string;
  filled: number;
  average: number;
}

describe('private websocket streams through ccxt.pro', () => {
  const sim = useExchangeSim({ market: { kind: 'synthetic', historyMs: HOUR_MS } });
  /** Until the sim has taken this many private subscriptions: an order placed before would not be streamed. */
  const subscribed = async (count: number) => {
    for (let waited = 0; sim().context.streamStats.privateSubscriptions < count; waited += 10) {
      if (waited > 10_000) throw new Error(`the sim took ${sim().context.streamStats.privateSubscriptions} private subscriptions in 10 s, expected ${count}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };

  it('bybit v5 private: auth, then order and execution updates of a market order placed over REST', async () => {
    const pro = await rawExchange(sim(), 'bybit', 'swap', true);
    const before = sim().context.streamStats.privateSubscriptions;
    const orders = pro.watchOrders(PERP);
    const trades = pro.watchMyTrades(PERP);
    await subscribed(before + 2);
    const placed = await pro.createOrder(PERP, 'market', 'buy', 0.01, undefined, { clientOrderId: 'wsBybit1' });
    const [order] = (await orders) as unknown as WatchedOrder[];
    expect(order).toMatchObject({ clientOrderId: 'wsBybit1', status: 'closed', filled: 0.01 });
    const [trade] = await trades;
    expect(trade).toMatchObject({ order: placed.id, amount: 0.01, side: 'buy', takerOrMaker: 'taker', fee: { currency: 'USDT', rate: 0.00055 } });
    expect(trade.price).toBe(order.average);
    await pro.close();
  });

  it('bybit v5 private: a wrong signature is refused at auth', async () => {
    const pro = await rawExchange(sim(), 'bybit', 'swap', true);
    pro.secret = 'notTheSecretnotTheSecretnotTheSecret';
    // Known unified account: ccxt goes straight to the websocket auth (no signed REST call first).
    Object.assign(pro.options, { enableUnifiedMargin: false, enableUnifiedAccount: true });
    await expect(pro.watchOrders(PERP)).rejects.toThrow(/Invalid sign/);
    await pro.close();
  });

  it('binance USDⓈ-M user data: a listen key, then ORDER_TRADE_UPDATE for a resting limit and its cancel', async () => {
    const pro = await rawExchange(sim(), 'binance', 'future', true);
    const before = sim().context.streamStats.privateSubscriptions;
    const first = pro.watchOrders(PERP);
    await subscribed(before + 1);
    await pro.createOrder(PERP, 'limit', 'buy', 0.01, 30000, { clientOrderId: 'wsBinance1' });
    expect((await first)[0]).toMatchObject({ clientOrderId: 'wsBinance1', status: 'open', price: 30000, amount: 0.01 });
    const next = pro.watchOrders(PERP);
    await pro.cancelOrder(undefined as unknown as string, PERP, { clientOrderId: 'wsBinance1' });
    const updates = await next;
    expect(updates[updates.length - 1]).toMatchObject({ clientOrderId: 'wsBinance1', status: 'canceled' });
    await pro.close();
  });
});
