import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../../src/engine/clock.ts';
import type { OrderRequest } from '../../../src/domain/trading.ts';
import { CcxtAccount } from '../../../src/venues/ccxt/ccxtAccount.ts';
import { VenueCredentials } from '../../../src/venues/ccxt/credentials.ts';
import { CcxtTradingVenue } from '../../../src/venues/ccxt/trading/ccxtTradingVenue.ts';
import { OrderInFlightError } from '../../../src/venues/orderInFlightError.ts';
import type { TradingVenueEvent } from '../../../src/venues/tradingTypes.ts';
import { loadVenueFixtures } from '../support/fixtureFiles.ts';
import { startLoopbackServer, type LoopbackServer } from '../support/loopbackServer.ts';
import { eventTags } from './support/tradingHarness.ts';

const SYMBOL = 'BTC/USDT:USDT';
const credentials = new VenueCredentials('okx', 'test', { apiKey: 'okxTestKey0123456789', secret: 'okxTestSecret0123456789', password: 'okxTestPass1' });
const order = (overrides: Partial<OrderRequest>): OrderRequest => ({ clientOrderId: 'paarb0001', venue: 'okx', symbol: SYMBOL, side: 'buy', type: 'limit', quantity: 0.01, limitPrice: 60000, timeInForce: 'GTC', reduceOnly: false, ts: 0, ...overrides });

/** OKX (no exchange-sim for it): recorded-shape payloads on a loopback server, ccxt's real request building and parsing. */
describe('CcxtTradingVenue on OKX payloads', () => {
  let server: LoopbackServer;
  const fixtures = loadVenueFixtures('okx');
  beforeAll(async () => {
    server = await startLoopbackServer(fixtures.filter((f) => !f.name.includes('/private-error-')));
  });
  afterAll(async () => {
    await server.close();
  });

  async function okxVenue(): Promise<{ venue: CcxtTradingVenue; clock: SimulatedClock; events: TradingVenueEvent[] }> {
    const account = new CcxtAccount('okx', { mode: 'live', credentials, loopbackBaseUrl: server.baseUrl, timeoutMs: 500, rateLimitMs: 1 });
    const clock = new SimulatedClock(Date.now());
    const events: TradingVenueEvent[] = [];
    const venue = new CcxtTradingVenue({ accounts: [account], clock, streams: false });
    venue.subscribe((e) => events.push(e));
    await venue.start();
    return { venue, clock, events };
  }

  it('submit: the ids-only acknowledgement proves the order taken; its state is fetched by the venue id (live: accepted)', async () => {
    const { venue, events } = await okxVenue();
    expect(await venue.submit(order({}))).toMatchObject({ clientOrderId: 'paarb0001', status: 'accepted', filledQuantity: 0 });
    expect(eventTags(events, 'paarb0001')).toEqual(['order:accepted']);
    expect(venue.order('paarb0001')).toMatchObject({ orderId: '1506193458209898497', state: 'accepted' });
    expect(await venue.fetchOrder('paarb0000', SYMBOL)).toMatchObject({ clientOrderId: 'paarb0000', status: 'accepted', quantity: 0.01, limitPrice: 60000 });
    expect((await venue.openOrders()).map((o) => o.request.clientOrderId)).toEqual(['paarb0000']);
    expect((await venue.positions())[0]).toMatchObject({ symbol: SYMBOL, quantity: -0.05, leverage: 5, marginMode: 'cross' });
    expect((await venue.balances()).find((b) => b.asset === 'USDT')).toMatchObject({ available: 9164.988, walletBalance: 9962.49, wallet: 'okx:unified' });
    expect(venue.orderRules(SYMBOL)).toMatchObject({ symbol: SYMBOL, lotSize: 0.0001 });
    expect(server.unmatched).toEqual([]);
    await venue.close();
  });

  it('OKX client ids are letters and digits only (32 at most): anything else is refused before sending', async () => {
    const { venue } = await okxVenue();
    const before = server.requests.length;
    expect(await venue.submit(order({ clientOrderId: 'pair-1/open' }))).toMatchObject({ status: 'rejected', reason: expect.stringMatching(/okx client order ids are 1 to 32 letters and digits/) });
    expect(server.requests.length).toBe(before);
    await venue.close();
  });

  it('51008 (sCode in an "All operations failed" answer) is a rejection for balance', async () => {
    const { venue } = await okxVenue();
    const error = fixtures.find((f) => f.name.endsWith('private-error-insufficient-margin.json'))!;
    server.override((request, res) => {
      if (request.path !== '/api/v5/trade/batch-orders') return false;
      res.writeHead(error.response.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(error.response.body));
      return true;
    });
    try {
      expect(await venue.submit(order({ clientOrderId: 'paarb0003' }))).toMatchObject({ status: 'rejected', reason: expect.stringMatching(/insufficientFunds.*51008/) });
    } finally {
      server.clearOverrides();
    }
    await venue.close();
  });

  it('a send that never gets an answer is in flight; the first check (by client id) finds it', async () => {
    const { venue, clock, events } = await okxVenue();
    server.override((request) => request.path === '/api/v5/trade/batch-orders');
    try {
      await expect(venue.submit(order({ clientOrderId: 'paarb0000' }))).rejects.toBeInstanceOf(OrderInFlightError);
    } finally {
      server.clearOverrides();
    }
    clock.fireDueUntil(clock.nowMs() + 5_000);
    await venue.idle();
    expect(eventTags(events, 'paarb0000')).toEqual(['order:accepted']);
    expect(venue.order('paarb0000')).toMatchObject({ state: 'accepted', orderId: '1506193458209898496', checksMade: 1 });
    await venue.close();
  });

  it('an order adopted after a restart (journal: sent, venue id known) is fetched at once; its fill (0.01 BTC, fee 0.3387495 USDT paid) comes before the partially filled update', async () => {
    const { venue, clock, events } = await okxVenue();
    venue.adopt(order({ clientOrderId: 'paarb0002', side: 'sell', quantity: 0.02, limitPrice: 67750, timeInForce: 'IOC', reduceOnly: true }), clock.nowMs() - 60_000, '1506193458209898498');
    expect(venue.inFlightOrders()).toEqual([expect.objectContaining({ clientOrderId: 'paarb0002', state: 'inFlight' })]);
    clock.fireDueUntil(clock.nowMs());
    await venue.idle();
    expect(eventTags(events, 'paarb0002')).toEqual(['fill', 'order:partiallyFilled']);
    const fill = events.find((e) => e.type === 'fill');
    expect(fill?.type === 'fill' && fill.fill).toEqual({
      fillId: 'okx:BTC/USDT:USDT:744876980',
      clientOrderId: 'paarb0002',
      venue: 'okx',
      symbol: SYMBOL,
      side: 'sell',
      quantity: 0.01,
      price: 67749.9,
      fee: 0.3387495,
      feeAsset: 'USDT',
      liquidity: 'taker',
      ts: 1717372790001, // ccxt reads the fill's ts (fillTime is 1 ms earlier)
    });
    expect(venue.order('paarb0002')).toMatchObject({ state: 'partiallyFilled', filledQuantity: 0.01, checksMade: 1 });
    expect(server.unmatched).toEqual([]);
    await venue.close();
  });
});
