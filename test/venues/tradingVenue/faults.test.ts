import { describe, expect, it } from 'vitest';
import { HOUR_MS, MINUTE_MS } from '../../../src/core/time.ts';
import { SeriesBuilder } from '../../../src/data/import/seriesBuilder.ts';
import { MarketStore } from '../../../src/data/store/marketStore.ts';
import { startExchangeSim } from '../../../src/venues/exchangeSim/exchangeSim.ts';
import { OrderInFlightError } from '../../../src/venues/orderInFlightError.ts';
import type { TrackedOrderView } from '../../../src/venues/ccxt/trading/trackedOrders.ts';
import { useTempDirs } from '../../support/tempDir.ts';
import { PERP, rawExchange, SPOT, TEST_ACCOUNT, useExchangeSim } from '../exchangeSim/support/simHarness.ts';
import { eventTags, marketOrder, simVenue, until } from './support/tradingHarness.ts';

const market = { kind: 'synthetic' as const, historyMs: HOUR_MS };

async function inFlight(promise: Promise<unknown>): Promise<OrderInFlightError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof OrderInFlightError) return error;
    throw error;
  }
  throw new Error('expected the order to be in flight');
}

describe('429 on submit: refused before it was processed, sent again under the same client id', () => {
  // Seed 2: the rule's first draw hits (429 with Retry-After 1 s), the next ones miss.
  const sim = useExchangeSim({ seed: 2, market, faults: '429@createOrder+bybit:0.5:1' });

  it('the retry after the pause fills the order once', async () => {
    const rig = await simVenue(sim(), 'bybit', { rateLimitRetry: { retries: 2, delayMs: 1_000 } });
    const order = marketOrder('bybit', PERP);
    const sent = rig.venue.submit(order);
    await until(() => rig.reports.some((r) => r.includes('refused unprocessed')), 5_000, 'the 429');
    expect(rig.venue.order(order.clientOrderId)).toMatchObject({ state: 'submitted' });
    // Retry-After is the venue's wall time; the retry waits on the venue's clock.
    await new Promise((r) => setTimeout(r, 1_100));
    rig.clock.fireDueUntil(rig.clock.nowMs() + 1_000);
    expect(await sent).toMatchObject({ status: 'filled', filledQuantity: 0.01 });
    expect(sim().faults.counts['429']).toBe(1);
    expect(sim().httpStats.byEndpoint.createOrder).toBe(2);
    const raw = await rawExchange(sim(), 'bybit', 'swap');
    const trades = await raw.fetchMyTrades(PERP, undefined, undefined, { orderLinkId: order.clientOrderId });
    expect(trades.map((t) => t.amount)).toEqual([0.01]);
    expect(eventTags(rig.events, order.clientOrderId)).toEqual(['order:accepted', 'fill', 'order:filled']);
    await rig.venue.close();
  });
});

describe('5xx on submit with the venue unreadable: in flight, checked 5 times, then handed to reconciliation', () => {
  const sim = useExchangeSim({ market, faults: '5xx@createOrder+binance:1,5xx@fetchOrder+binance:1' });

  it('checks at 5, 7, 9, 11 and 13 s on the clock; never re-sent; reconciliation settles it', async () => {
    const unresolved: [TrackedOrderView, string][] = [];
    const rig = await simVenue(sim(), 'binance', { onUnresolved: (o, why) => unresolved.push([o, why]) });
    const order = marketOrder('binance', PERP);
    const error = await inFlight(rig.venue.submit(order));
    expect(error.message).toMatch(/in flight.*unavailable.*503/);
    expect(rig.venue.inFlightOrders()).toEqual([expect.objectContaining({ clientOrderId: order.clientOrderId, state: 'inFlight', checksMade: 0 })]);
    const fetches = () => sim().httpStats.byEndpoint.fetchOrder ?? 0;
    await rig.step(4_999);
    expect(fetches()).toBe(0);
    await rig.step(1);
    expect(fetches()).toBe(1);
    for (const n of [2, 3, 4, 5]) {
      await rig.step(1_999);
      expect(fetches()).toBe(n - 1);
      await rig.step(1);
      expect(fetches()).toBe(n);
    }
    expect(unresolved).toHaveLength(1);
    expect(unresolved[0][0]).toMatchObject({ clientOrderId: order.clientOrderId, state: 'inFlight', checksMade: 5 });
    expect(unresolved[0][1]).toMatch(/^still unknown after 5 checks: .*unavailable/);
    await rig.step(60_000);
    expect(fetches()).toBe(5);
    expect(sim().httpStats.byEndpoint.createOrder).toBe(1);
    expect(eventTags(rig.events, order.clientOrderId)).toEqual([]);
    await rig.venue.settleFromReconciliation(order.clientOrderId, null, 'the venue has no such order');
    expect(rig.events.filter((e) => e.type === 'order').map((e) => e.type === 'order' && e.update)).toEqual([
      expect.objectContaining({ clientOrderId: order.clientOrderId, status: 'rejected', reason: 'reconciliation: the venue has no such order' }),
    ]);
    expect(rig.venue.inFlightOrders()).toEqual([]);
    await rig.venue.close();
  });
});

describe('timeout on submit: in flight; not found past the receive window, it is rejected', () => {
  const sim = useExchangeSim({ market, faults: 'timeout@createOrder+bybit:1' });

  it('bybit: five checks by client id (recent orders, then history) find nothing; at 13 s, past the 5 s window, rejected', async () => {
    const rig = await simVenue(sim(), 'bybit', { timeoutMs: 500 });
    const order = marketOrder('bybit', PERP);
    const t0 = rig.clock.nowMs();
    expect((await inFlight(rig.venue.submit(order))).message).toMatch(/timeout/);
    await rig.step(5_000 + 4 * 2_000 - 1);
    expect(rig.venue.order(order.clientOrderId)).toMatchObject({ state: 'inFlight', checksMade: 4 });
    await rig.step(1);
    expect(rig.clock.nowMs() - t0).toBe(13_000);
    const [update] = rig.events.filter((e) => e.type === 'order').map((e) => e.type === 'order' && e.update);
    expect(update).toMatchObject({ clientOrderId: order.clientOrderId, status: 'rejected', filledQuantity: 0 });
    expect((update as { reason: string }).reason).toMatch(/^notFound: bybit has no order .* 13\.0 s after it was sent, past its 5 s receive window/);
    expect(sim().httpStats.byEndpoint.fetchOpenOrders).toBe(5);
    expect(sim().httpStats.byEndpoint.fetchClosedOrders).toBe(5);
    expect(sim().httpStats.byEndpoint.createOrder).toBe(1);
    await rig.venue.close();
  });
});

describe('reply lost after the venue took the order', () => {
  const sim = useExchangeSim({ market, faults: 'lostReply@createOrder+binance:1' });

  it('REST: in flight, the first check (5 s) finds it filled; its fill then the update are emitted; it was sent once', async () => {
    const rig = await simVenue(sim(), 'binance');
    const order = marketOrder('binance', PERP, { quantity: 0.02 });
    expect((await inFlight(rig.venue.submit(order))).message).toMatch(/network/);
    expect(eventTags(rig.events, order.clientOrderId)).toEqual([]);
    await rig.step(5_000);
    expect(eventTags(rig.events, order.clientOrderId)).toEqual(['fill', 'order:filled']);
    expect(rig.venue.order(order.clientOrderId)).toMatchObject({ state: 'filled', filledQuantity: 0.02, checksMade: 1 });
    await rig.step(20_000);
    expect(rig.venue.order(order.clientOrderId)?.checksMade).toBe(1);
    const trades = await rig.venue.myTrades(PERP, Date.now() - 60_000);
    expect(trades.filter((t) => t.clientOrderId === order.clientOrderId).map((t) => t.quantity)).toEqual([0.02]);
    expect(sim().httpStats.byEndpoint.createOrder).toBe(1);
    await rig.venue.close();
  });

  it('with the USDⓈ-M user stream: the stream settles it before any check', async () => {
    const rig = await simVenue(sim(), 'binance', { streamAccounts: true });
    await new Promise((r) => setTimeout(r, 300));
    const order = marketOrder('binance', PERP, { side: 'sell', quantity: 0.02 });
    const sent = rig.venue.submit(order);
    // The stream's update may come before or after the failed send: either way the venue's word stands.
    await sent.catch(() => {});
    await until(() => rig.venue.order(order.clientOrderId)?.state === 'filled', 5_000, 'the stream update');
    expect(eventTags(rig.events, order.clientOrderId)).toEqual(['fill', 'order:filled']);
    expect(rig.venue.order(order.clientOrderId)?.checksMade).toBe(0);
    await rig.step(20_000);
    expect(rig.venue.order(order.clientOrderId)?.checksMade).toBe(0);
    expect(eventTags(rig.events, order.clientOrderId)).toEqual(['fill', 'order:filled']);
    await rig.venue.close();
  });
});

describe('websocket: updates stream in; a dropped stream is filled by REST', () => {
  const sim = useExchangeSim({ market, faults: 'drop@ws+binance:1' });

  it('bybit: an order cancelled outside perp-arb is learned from the order stream (the clock never moves: no polling)', async () => {
    const rig = await simVenue(sim(), 'bybit', { streamAccounts: true });
    await new Promise((r) => setTimeout(r, 300));
    const order = marketOrder('bybit', PERP, { type: 'limit', limitPrice: 30_000, timeInForce: 'GTC' });
    expect(await rig.venue.submit(order)).toMatchObject({ status: 'accepted' });
    const raw = await rawExchange(sim(), 'bybit', 'swap');
    await raw.cancelOrder(undefined as unknown as string, PERP, { orderLinkId: order.clientOrderId });
    await until(() => rig.venue.order(order.clientOrderId)?.state === 'canceled', 5_000, 'the stream update');
    expect(eventTags(rig.events, order.clientOrderId)).toEqual(['order:accepted', 'order:canceled']);
    expect(rig.reports.filter((r) => r.includes('stream down'))).toEqual([]);
    await raw.close();
    await rig.venue.close();
  });

  it('binance USDⓈ-M: the user stream drops; the venue reports it and REST polling learns the cancel made meanwhile', async () => {
    const rig = await simVenue(sim(), 'binance', { streamAccounts: true, pollIntervalMs: 1_000 });
    await new Promise((r) => setTimeout(r, 300));
    const order = marketOrder('binance', PERP, { type: 'limit', limitPrice: 30_000, timeInForce: 'GTC' });
    expect(await rig.venue.submit(order)).toMatchObject({ status: 'accepted' });
    await until(() => rig.reports.some((r) => /swap orders stream down/.test(r)), 5_000, 'the stream drop');
    const raw = await rawExchange(sim(), 'binance', 'future');
    await raw.cancelOrder(undefined as unknown as string, PERP, { clientOrderId: order.clientOrderId });
    expect(rig.venue.order(order.clientOrderId)?.state).toBe('accepted');
    await rig.step(1_000);
    expect(rig.venue.order(order.clientOrderId)?.state).toBe('canceled');
    expect(eventTags(rig.events, order.clientOrderId)).toEqual(['order:accepted', 'order:canceled']);
    expect(sim().faults.counts.drop).toBeGreaterThan(0);
    await raw.close();
    await rig.venue.close();
  });
});

describe('partial fills against a market with quoted sizes', () => {
  const tempDir = useTempDirs();
  const T0 = Date.UTC(2024, 5, 1);

  /** Binance BTC/USDT quotes every second, 0.05 BTC at the ask. */
  async function quoteStore(dir: string): Promise<void> {
    const store = new MarketStore(dir);
    const tx = store.begin();
    const b = new SeriesBuilder({ table: 'quotes', venue: 'binance', symbol: 'BTC/USDT', timeframe: null }, 'test');
    for (let i = 0; i < 4 * 3600; i++) b.push(i + 1, { ts: T0 + i * 1000, bid: 59_999, bid_size: 0.05, ask: 60_001, ask_size: 0.05, last: 60_000 });
    await tx.write(b.build());
    tx.commit();
  }

  it('a market buy larger than the ask fills 0.05 and expires the rest; a limit at the ask fills 0.05 and rests (partially filled), then is cancelled', async () => {
    const dir = tempDir();
    await quoteStore(dir);
    const sim = await startExchangeSim({ seed: 1, accounts: [TEST_ACCOUNT], market: { kind: 'store', dir, historyMs: 10 * MINUTE_MS } });
    try {
      const rig = await simVenue(sim, 'binance', { types: ['spot'] });
      const buy = marketOrder('binance', 'BTC/USDT', { quantity: 0.08 });
      expect(await rig.venue.submit(buy)).toMatchObject({ status: 'expired', filledQuantity: 0.05 });
      expect(eventTags(rig.events, buy.clientOrderId)).toEqual(['fill', 'order:expired']);
      const fill = rig.events.find((e) => e.type === 'fill' && e.fill.clientOrderId === buy.clientOrderId)!;
      expect(fill.type === 'fill' && fill.fill).toMatchObject({ quantity: 0.05, price: 60_001, fee: 0.05 * 60_001 * 0.001, feeAsset: 'USDT', liquidity: 'taker' });
      const limit = marketOrder('binance', 'BTC/USDT', { type: 'limit', limitPrice: 60_001, timeInForce: 'GTC', quantity: 0.08 });
      // The market moves on every second: the second order meets a fresh 0.05 at the ask.
      await new Promise((r) => setTimeout(r, 1_100));
      expect(await rig.venue.submit(limit)).toMatchObject({ status: 'partiallyFilled', filledQuantity: 0.05 });
      expect(await rig.venue.cancel(limit.clientOrderId)).toMatchObject({ status: 'canceled', filledQuantity: 0.05 });
      expect(eventTags(rig.events, limit.clientOrderId)).toEqual(['fill', 'order:partiallyFilled', 'order:canceled']);
      await rig.venue.close();
    } finally {
      await sim.close();
    }
  });
});
void SPOT;
