import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { OrderRequest } from '../../src/domain/trading.ts';
import { CcxtAccount } from '../../src/venues/ccxt/ccxtAccount.ts';
import { credentialEnvName, credentialsFromEnv, credentialsFromKeyFile, VenueCredentials } from '../../src/venues/ccxt/credentials.ts';
import { TradingDisabledError, type AccountMode } from '../../src/venues/ccxt/tradingMode.ts';
import type { AccountBalance, AccountOrder, AccountPosition, MarginMode } from '../../src/venues/tradingTypes.ts';
import { UnsupportedMethodError, VenueError } from '../../src/venues/types.ts';
import { runCli } from '../support/cli.ts';
import { FIXTURES_DIR, loadVenueFixtures, type RestFixture } from './support/fixtureFiles.ts';
import { describeRequest, startLoopbackServer, type LoggedRequest, type LoopbackServer } from './support/loopbackServer.ts';


// Planted credentials: none of them may appear in any message, output or inspection.
const API_KEY = 'plantedKEYvmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y';
const SECRET = 'plantedSECRETNhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0';
const PASSWORD = 'plantedPASSPHRASE9f3k';
const SECRETS = [API_KEY, SECRET, PASSWORD];
const credentials = (venue: string) => new VenueCredentials(venue, 'test', { apiKey: API_KEY, secret: SECRET, password: PASSWORD });

const SYMBOL = 'BTC/USDT:USDT';
const isErrorFixture = (f: RestFixture) => f.name.includes('/private-error-');

function expectNoSecret(text: string): void {
  for (const secret of SECRETS) expect(text).not.toContain(secret);
}

async function venueError(run: () => Promise<unknown>): Promise<VenueError> {
  try {
    await run();
  } catch (error) {
    expect(error).toBeInstanceOf(VenueError);
    return error as VenueError;
  }
  throw new Error('expected a VenueError');
}

function serveFixture(res: ServerResponse, fixture: RestFixture): void {
  res.writeHead(fixture.response.status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(fixture.response.body));
}

function order(venue: string, overrides: Partial<OrderRequest> = {}): OrderRequest {
  return { clientOrderId: 'paarb0001', venue, symbol: SYMBOL, side: 'buy', type: 'limit', quantity: 0.01, limitPrice: 60000, timeInForce: 'GTC', reduceOnly: false, ts: 0, ...overrides };
}

interface PrivateCase {
  venue: string;
  /** The request parameter that carries the client order id on create, and its value for 'paarb0001' (default the id itself). */
  clientIdParam: string;
  clientIdSent?: string;
  /** Reads the create request's parameters (Binance: form body; Bybit: JSON; OKX: a JSON array of one order). */
  createParams: (request: LoggedRequest) => Record<string, unknown>;
  balances: AccountBalance[];
  position: AccountPosition;
  openOrder: AccountOrder;
  createAck: Partial<AccountOrder>;
  cancelAck: Partial<AccountOrder>;
  fetchById: { orderId: string; expected: Partial<AccountOrder> };
  /** ccxt's request path for each account call, in order; marginMode null: ccxt has no setMarginMode for the venue. */
  paths: { create: string; cancel: string; leverage: string; marginMode: string | null; positionMode: string };
  marginModeLeverage?: number;
  /** The margin mode setLeverage needs (Gate sets both in one call). */
  leverageMarginMode?: MarginMode;
}

const formBody = (r: LoggedRequest) => Object.fromEntries(new URLSearchParams(r.body as string));
const openOrderBase = { venue: '', symbol: SYMBOL, clientOrderId: 'paarb0000', status: 'accepted', side: 'buy', type: 'limit', reduceOnly: false, quantity: 0.01, limitPrice: 60000, filledQuantity: 0, remainingQuantity: 0.01, averageFillPrice: null, venueTimeMs: 1_717_372_500_000 } as const;
const shortPosition = { symbol: SYMBOL, quantity: -0.05, entryPrice: 67000, markPrice: 67750.2, unrealisedPnl: -37.51, settleAsset: 'USDT', initialMargin: 677.502, isolatedMargin: null, positionSide: 'both' } as const;
const partialIocSell = { clientOrderId: 'paarb0002', status: 'partiallyFilled', side: 'sell', type: 'limit', timeInForce: 'IOC', reduceOnly: true, quantity: 0.02, limitPrice: 67750, averageFillPrice: 67749.9, venueTimeMs: 1_717_372_790_000 } as const;

const CASES: PrivateCase[] = [
  {
    venue: 'binance',
    clientIdParam: 'newClientOrderId',
    createParams: formBody,
    // free = availableBalance, used = initialMargin (positions 677.502 + orders 120), total = marginBalance.
    balances: [{ venue: 'binance', asset: 'USDT', free: 9164.988, used: 797.502, total: 9962.49 }],
    // positionRisk v3 carries no leverage.
    position: { ...shortPosition, venue: 'binance', contracts: 0.05, contractSize: 1, marginMode: 'cross', leverage: null, maintenanceMargin: 13.55004, liquidationPrice: 265936.25498008, venueTimeMs: 1_717_372_700_000 },
    openOrder: { ...openOrderBase, venue: 'binance', orderId: '4075233390', timeInForce: 'GTC' },
    createAck: { orderId: '4075233391', clientOrderId: 'paarb0001', status: 'accepted', quantity: 0.01, limitPrice: 60000, filledQuantity: 0 },
    cancelAck: { orderId: '4075233390', clientOrderId: 'paarb0000', status: 'canceled', filledQuantity: 0 },
    fetchById: { orderId: '4075233392', expected: { ...partialIocSell, orderId: '4075233392', filledQuantity: 0.005, remainingQuantity: 0.015 } },
    paths: { create: '/fapi/v1/order', cancel: '/fapi/v1/order', leverage: '/fapi/v1/leverage', marginMode: '/fapi/v1/marginType', positionMode: '/fapi/v1/positionSide/dual' },
  },
  {
    venue: 'bybit',
    clientIdParam: 'orderLinkId',
    createParams: (r) => r.body as Record<string, unknown>,
    // Unified account: free = availableToWithdraw, total = walletBalance, used = total - free.
    balances: [{ venue: 'bybit', asset: 'USDT', free: 9164.988, used: 835.012, total: 10000 }],
    position: { ...shortPosition, venue: 'bybit', contracts: 0.05, contractSize: 1, marginMode: null, leverage: 5, maintenanceMargin: null, liquidationPrice: 265936.25, venueTimeMs: 1_717_300_000_000 },
    openOrder: { ...openOrderBase, venue: 'bybit', orderId: 'fd4300ae-7847-404e-b947-b46980a4d140', timeInForce: 'GTC' },
    // Bybit acknowledges with the two ids only.
    createAck: { orderId: '1321003749386327552', clientOrderId: 'paarb0001', status: null, quantity: null, filledQuantity: null },
    cancelAck: { orderId: 'fd4300ae-7847-404e-b947-b46980a4d140', clientOrderId: 'paarb0000', status: null },
    fetchById: { orderId: '1321003749386327553', expected: { ...partialIocSell, orderId: '1321003749386327553', filledQuantity: 0.005, remainingQuantity: 0.015 } },
    paths: { create: '/v5/order/create', cancel: '/v5/order/cancel', leverage: '/v5/position/set-leverage', marginMode: '/v5/account/set-margin-mode', positionMode: '/v5/position/switch-mode' },
  },
  {
    venue: 'okx',
    clientIdParam: 'clOrdId',
    createParams: (r) => (r.body as Record<string, unknown>[])[0],
    // free = availBal, used = frozenBal, total = eq.
    balances: [{ venue: 'okx', asset: 'USDT', free: 9164.988, used: 797.502, total: 9962.49 }],
    // 5 contracts of 0.01 BTC short = -0.05 BTC.
    position: { ...shortPosition, venue: 'okx', contracts: 5, contractSize: 0.01, marginMode: 'cross', leverage: 5, maintenanceMargin: 13.55004, liquidationPrice: 265936.25, venueTimeMs: 1_717_300_000_000 },
    openOrder: { ...openOrderBase, venue: 'okx', orderId: '1506193458209898496', timeInForce: null },
    createAck: { orderId: '1506193458209898497', clientOrderId: 'paarb0001', status: null, quantity: null, filledQuantity: null },
    cancelAck: { orderId: '1506193458209898496', clientOrderId: 'paarb0000', status: null },
    // 2 contracts IOC, 1 filled: 0.02 BTC, 0.01 filled.
    fetchById: { orderId: '1506193458209898498', expected: { ...partialIocSell, orderId: '1506193458209898498', filledQuantity: 0.01, remainingQuantity: 0.01 } },
    paths: { create: '/api/v5/trade/batch-orders', cancel: '/api/v5/trade/cancel-order', leverage: '/api/v5/account/set-leverage', marginMode: '/api/v5/account/set-leverage', positionMode: '/api/v5/account/set-position-mode' },
    marginModeLeverage: 5,
  },
  {
    venue: 'gate',
    clientIdParam: 'text',
    clientIdSent: 't-paarb0001',
    createParams: (r) => r.body as Record<string, unknown>,
    // USDT futures account: free = available, total = total (position margin + order margin + available, no uPnL), used = total - free.
    balances: [{ venue: 'gate', asset: 'USDT', free: 9202.498, used: 797.502, total: 10000 }],
    // size -500 contracts of 0.0001 BTC; cross (leverage "0") at cross_leverage_limit 5; mode single (one-way).
    position: { ...shortPosition, venue: 'gate', contracts: 500, contractSize: 0.0001, marginMode: 'cross', leverage: 5, maintenanceMargin: 13.55004, liquidationPrice: 265936.25, venueTimeMs: 1_717_300_000_000 },
    openOrder: { ...openOrderBase, venue: 'gate', orderId: '58828255210', timeInForce: 'GTC' },
    // Gate answers create and cancel with the whole order; text "t-paarb0001" is read back as paarb0001.
    createAck: { orderId: '58828255211', clientOrderId: 'paarb0001', status: 'accepted', quantity: 0.01, limitPrice: 60000, filledQuantity: 0, remainingQuantity: 0.01, venueTimeMs: 1_717_372_800_120 },
    cancelAck: { orderId: '58828255210', clientOrderId: 'paarb0000', status: 'canceled', quantity: 0.01, filledQuantity: 0 },
    // 200 contracts IOC, 100 filled, the rest cancelled (finish_as ioc): 0.02 BTC, 0.01 filled.
    fetchById: { orderId: '58828255212', expected: { ...partialIocSell, status: 'canceled', orderId: '58828255212', filledQuantity: 0.01, remainingQuantity: 0.01 } },
    paths: { create: '/api/v4/futures/usdt/orders', cancel: '/api/v4/futures/usdt/orders/t-paarb0000', leverage: '/api/v4/futures/usdt/positions/BTC_USDT/leverage', marginMode: null, positionMode: '/api/v4/futures/usdt/dual_mode' },
    leverageMarginMode: 'cross',
  },
  {
    venue: 'bitget',
    clientIdParam: 'clientOid',
    createParams: (r) => r.body as Record<string, unknown>,
    // free = maxTransferOut, total = accountEquity, used = total - free.
    balances: [{ venue: 'bitget', asset: 'USDT', free: 9164.988, used: 797.502, total: 9962.49 }],
    // total 0.05 BTC (contract size 1); ccxt's maintenance margin adds the taker fee to close: 0.004 x 3387.51 + 0.0006 x 3387.51.
    position: { ...shortPosition, venue: 'bitget', contracts: 0.05, contractSize: 1, marginMode: 'cross', leverage: 5, maintenanceMargin: 15.582546, liquidationPrice: 265936.25, venueTimeMs: 1_717_300_000_000 },
    openOrder: { ...openOrderBase, venue: 'bitget', orderId: '1184319521424654336', timeInForce: 'GTC' },
    // Bitget acknowledges with the two ids only.
    createAck: { orderId: '1184319521424654337', clientOrderId: 'paarb0001', status: null, quantity: null, filledQuantity: null },
    cancelAck: { orderId: '1184319521424654336', clientOrderId: 'paarb0000', status: null },
    fetchById: { orderId: '1184319521424654338', expected: { ...partialIocSell, status: 'canceled', orderId: '1184319521424654338', filledQuantity: 0.005, remainingQuantity: 0.015 } },
    paths: { create: '/api/v2/mix/order/place-order', cancel: '/api/v2/mix/order/cancel-order', leverage: '/api/v2/mix/account/set-leverage', marginMode: '/api/v2/mix/account/set-margin-mode', positionMode: '/api/v2/mix/account/set-position-mode' },
  },
];

describe.each(CASES)('$venue private API through ccxt (signed requests, recorded payloads)', (c) => {
  let server: LoopbackServer;
  let errorFixture: RestFixture;
  const made: CcxtAccount[] = [];
  const account = (mode: AccountMode = 'live') => {
    const a = new CcxtAccount(c.venue, { mode, credentials: credentials(c.venue), loopbackBaseUrl: server.baseUrl, timeoutMs: 2_000, rateLimitMs: 1 });
    made.push(a);
    return a;
  };
  const sent = (from: number) => server.requests.slice(from);

  beforeAll(async () => {
    const fixtures = loadVenueFixtures(c.venue);
    errorFixture = fixtures.find((f) => f.name === `${c.venue}/private-error-insufficient-margin.json`)!;
    server = await startLoopbackServer(fixtures.filter((f) => !isErrorFixture(f)));
  });
  afterEach(async () => {
    server.clearOverrides();
    const unmatched = server.unmatched.splice(0).map(describeRequest);
    await Promise.all(made.splice(0).map((a) => a.close()));
    expect(unmatched, 'requests with no fixture').toEqual([]);
  });
  afterAll(async () => {
    await server?.close();
  });

  it('fetchBalances: the settle asset, zero balances left out', async () => {
    expect(await account('readOnly').fetchBalances()).toEqual(c.balances);
  });

  it('fetchPositions: the open short, flat rows left out, quantity in base units', async () => {
    expect(await account('readOnly').fetchPositions()).toEqual([c.position]);
  });

  it('fetchOpenOrders: every open order of the perp account', async () => {
    expect(await account('readOnly').fetchOpenOrders()).toEqual([c.openOrder]);
  });

  it('createOrder sends the client order id under the venue parameter name and returns the acknowledgement', async () => {
    const a = account('live');
    const from = server.requests.length;
    const ack = await a.createOrder(order(c.venue));
    expect(ack).toMatchObject({ venue: c.venue, symbol: SYMBOL, ...c.createAck });
    const create = sent(from).find((r) => r.method === 'POST' && r.path === c.paths.create)!;
    expect(create.fixture).not.toBeNull();
    const params = c.createParams(create);
    expect(params[c.clientIdParam]).toBe(c.clientIdSent ?? 'paarb0001');
    expectNoSecret(JSON.stringify(sent(from)));
  });

  it('cancelOrder and fetchOrder by client order id, fetchOrder by venue id', async () => {
    const a = account('live');
    const canceled = await a.cancelOrder({ clientOrderId: 'paarb0000' }, SYMBOL);
    expect(canceled).toMatchObject({ venue: c.venue, symbol: SYMBOL, ...c.cancelAck });
    expect(await a.fetchOrder({ clientOrderId: 'paarb0000' }, SYMBOL)).toEqual(c.openOrder);
    expect(await a.fetchOrder({ orderId: c.fetchById.orderId }, SYMBOL)).toMatchObject({ venue: c.venue, symbol: SYMBOL, ...c.fetchById.expected });
  });

  it('setLeverage, setMarginMode, setPositionMode reach their endpoints (setMarginMode is unsupported where ccxt lacks it)', async () => {
    const a = account('live');
    const from = server.requests.length;
    await a.setLeverage(SYMBOL, 5, c.leverageMarginMode);
    if (c.paths.marginMode === null) {
      expect(a.supports('setMarginMode')).toBe(false);
      await expect(a.setMarginMode(SYMBOL, 'isolated')).rejects.toBeInstanceOf(UnsupportedMethodError);
    } else {
      await a.setMarginMode(SYMBOL, 'isolated', c.marginModeLeverage);
    }
    await a.setPositionMode('oneWay');
    const posts = sent(from).filter((r) => r.method === 'POST');
    expect(posts.map((r) => r.path)).toEqual([c.paths.leverage, c.paths.marginMode, c.paths.positionMode].filter((p) => p !== null));
    expect(posts.every((r) => r.fixture !== null)).toBe(true);
  });

  it('an insufficient-margin answer is a VenueError of kind insufficientFunds, without credentials', async () => {
    const a = account('live');
    await a.loadMarkets();
    server.override((req, res) => {
      if (req.method !== errorFixture.request.method || req.host !== errorFixture.request.host || req.path !== errorFixture.request.path) return false;
      serveFixture(res, errorFixture);
      return true;
    });
    const error = await venueError(() => a.createOrder(order(c.venue, { clientOrderId: 'paarb0003', quantity: 10 })));
    expect(error).toMatchObject({ venue: c.venue, method: 'createOrder', kind: 'insufficientFunds', retryable: false });
    expectNoSecret(`${error.message} ${error.stack ?? ''} ${inspect(error)}`);
  });

  it('a read-only client refuses every call that changes the account, and sends nothing', async () => {
    const a = account('readOnly');
    const from = server.requests.length;
    await expect(a.createOrder(order(c.venue))).rejects.toBeInstanceOf(TradingDisabledError);
    await expect(a.cancelOrder({ clientOrderId: 'paarb0000' }, SYMBOL)).rejects.toThrow(/refused, the account client is read-only/);
    await expect(a.setLeverage(SYMBOL, 5, c.leverageMarginMode)).rejects.toBeInstanceOf(TradingDisabledError);
    await expect(a.setMarginMode(SYMBOL, 'cross', c.marginModeLeverage)).rejects.toBeInstanceOf(TradingDisabledError);
    await expect(a.setPositionMode('hedged')).rejects.toBeInstanceOf(TradingDisabledError);
    expect(sent(from)).toEqual([]);
  });

  it('inspecting the client or its credentials shows no credential', () => {
    const a = account('live');
    const creds = credentials(c.venue);
    const shown = [inspect(a, { depth: 10, showHidden: true }), String(a), inspect(creds, { depth: 10, showHidden: true }), String(creds), `${creds}`, JSON.stringify(creds), JSON.stringify({ a })].join('\n');
    expectNoSecret(shown);
    expect(inspect(creds)).toContain('apiKey, secret, password [redacted]');
  });
});

describe('binance order parameters (the create fixture answers any order)', () => {
  let server: LoopbackServer;
  let a: CcxtAccount;
  beforeAll(async () => {
    server = await startLoopbackServer(loadVenueFixtures('binance').filter((f) => !isErrorFixture(f)));
    a = new CcxtAccount('binance', { mode: 'live', credentials: credentials('binance'), loopbackBaseUrl: server.baseUrl, timeoutMs: 2_000, rateLimitMs: 1 });
  });
  afterAll(async () => {
    await a?.close();
    await server?.close();
  });
  const lastOrderParams = () => formBody(server.requests.filter((r) => r.path === '/fapi/v1/order' && r.method === 'POST').at(-1)!);

  it('is signed, and maps GTC, post-only (GTX), IOC and reduce-only', async () => {
    await a.createOrder(order('binance'));
    const gtc = lastOrderParams();
    expect(gtc).toMatchObject({ symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', quantity: '0.01', price: '60000', timeInForce: 'GTC', newClientOrderId: 'paarb0001' });
    expect(gtc.signature).toMatch(/^[0-9a-f]{64}$/);
    expect(gtc.reduceOnly).toBeUndefined();
    await a.createOrder(order('binance', { clientOrderId: 'paarb0004', timeInForce: 'PO' }));
    expect(lastOrderParams()).toMatchObject({ timeInForce: 'GTX', newClientOrderId: 'paarb0004' });
    await a.createOrder(order('binance', { clientOrderId: 'paarb0005', side: 'sell', timeInForce: 'IOC', reduceOnly: true, limitPrice: 67750 }));
    expect(lastOrderParams()).toMatchObject({ side: 'SELL', timeInForce: 'IOC', reduceOnly: 'true', newClientOrderId: 'paarb0005' });
    await a.createOrder(order('binance', { clientOrderId: 'paarb0006', type: 'market', limitPrice: null, timeInForce: 'IOC' }));
    expect(lastOrderParams()).toMatchObject({ type: 'MARKET', newClientOrderId: 'paarb0006' });
    expect(lastOrderParams().price).toBeUndefined();
    expect(server.unmatched).toEqual([]);
  });

  it('setLeverage and setMarginMode send the symbol and value; a leverage with setMarginMode is refused before any request', async () => {
    await a.setLeverage(SYMBOL, 5);
    expect(formBody(server.requests.at(-1)!)).toMatchObject({ symbol: 'BTCUSDT', leverage: '5' });
    await a.setMarginMode(SYMBOL, 'isolated');
    expect(formBody(server.requests.at(-1)!)).toMatchObject({ symbol: 'BTCUSDT', marginType: 'ISOLATED' });
    const before = server.requests.length;
    await expect(a.setMarginMode(SYMBOL, 'cross', 5)).rejects.toThrow(/sets the margin mode alone/);
    // ccxt's binance would send marginMode=cross on to /fapi/v1/leverage, an unknown parameter there.
    await expect(a.setLeverage(SYMBOL, 5, 'cross')).rejects.toThrow('binance sets the leverage alone: set the margin mode with setMarginMode');
    expect(server.requests.length).toBe(before);
  });

  it('an authentication failure is kind authentication, and a key the venue echoes is scrubbed', async () => {
    server.override((req, res) => {
      if (req.path !== '/fapi/v3/account') return false;
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ code: -2015, msg: `Invalid API-key, IP, or permissions for action, request ip: 127.0.0.1, key ${API_KEY}` }));
      return true;
    });
    const error = await venueError(() => a.fetchBalances());
    server.clearOverrides();
    expect(error).toMatchObject({ venue: 'binance', method: 'fetchBalance', kind: 'authentication', retryable: false });
    expect(error.message).toContain('Invalid API-key');
    expectNoSecret(error.message);
  });
});

/** One venue's server and live client for a describe block; `answer` serves the venue's order acknowledgement for any order. */
function useVenue(venue: string) {
  const ctx = {} as { server: LoopbackServer; a: CcxtAccount };
  beforeAll(async () => {
    ctx.server = await startLoopbackServer(loadVenueFixtures(venue).filter((f) => !isErrorFixture(f)));
    ctx.a = new CcxtAccount(venue, { mode: 'live', credentials: credentials(venue), loopbackBaseUrl: ctx.server.baseUrl, timeoutMs: 2_000, rateLimitMs: 1 });
  });
  afterEach(() => {
    ctx.server.clearOverrides();
    expect(ctx.server.unmatched.splice(0).map(describeRequest), 'requests with no fixture').toEqual([]);
  });
  afterAll(async () => {
    await ctx.a?.close();
    await ctx.server?.close();
  });
  return ctx;
}

function answerAll(server: LoopbackServer, method: string, path: string, body: (request: LoggedRequest) => unknown): void {
  server.override((req, res) => {
    if (req.method !== method || req.path !== path) return false;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body(req)));
    return true;
  });
}

describe('gate order parameters and client ids', () => {
  const ctx = useVenue('gate');
  const ORDERS = '/api/v4/futures/usdt/orders';
  // Gate answers an order with the order itself.
  const echoOrder = (r: LoggedRequest) => {
    const b = r.body as Record<string, unknown>;
    return { id: 58828255299, user: 12837645, contract: b.contract, create_time: 1717372800.5, size: b.size, left: b.size, price: b.price, fill_price: '0', tif: b.tif ?? 'gtc', is_reduce_only: b.reduce_only === true, text: b.text, status: 'open', finish_as: '' };
  };
  const lastBody = () => ctx.server.requests.filter((r) => r.method === 'POST' && r.path === ORDERS).at(-1)!.body as Record<string, unknown>;

  it('sizes are signed contracts of 0.0001 BTC; post-only is tif poc, IOC ioc with reduce_only; market orders have price 0', async () => {
    answerAll(ctx.server, 'POST', ORDERS, echoOrder);
    const po = await ctx.a.createOrder(order('gate', { clientOrderId: 'paarb0004', timeInForce: 'PO' }));
    expect(lastBody()).toEqual({ contract: 'BTC_USDT', size: 100, price: '60000', tif: 'poc', text: 't-paarb0004' });
    expect(po).toMatchObject({ clientOrderId: 'paarb0004', timeInForce: 'PO', quantity: 0.01, side: 'buy' });
    const ioc = await ctx.a.createOrder(order('gate', { clientOrderId: 'paarb0005', side: 'sell', quantity: 0.02, limitPrice: 67750, timeInForce: 'IOC', reduceOnly: true }));
    expect(lastBody()).toEqual({ contract: 'BTC_USDT', size: -200, price: '67750', tif: 'ioc', reduce_only: true, text: 't-paarb0005' });
    expect(ioc).toMatchObject({ side: 'sell', quantity: 0.02, timeInForce: 'IOC', reduceOnly: true });
    await ctx.a.createOrder(order('gate', { clientOrderId: 'paarb0006', type: 'market', limitPrice: null, timeInForce: 'IOC' }));
    expect(lastBody()).toEqual({ contract: 'BTC_USDT', size: 100, price: '0', tif: 'ioc', text: 't-paarb0006' });
  });

  it('every client id gets the t- prefix (ccxt would send an id starting with "t" as it is, which Gate refuses); a bad id is refused before sending', async () => {
    answerAll(ctx.server, 'POST', ORDERS, echoOrder);
    const ack = await ctx.a.createOrder(order('gate', { clientOrderId: 'trade7' }));
    expect(lastBody().text).toBe('t-trade7');
    expect(ack.clientOrderId).toBe('trade7');
    const before = ctx.server.requests.length;
    const expected = 'gate client order ids are 1 to 26 characters of 0-9 A-Z a-z _ - . (sent as text "t-<id>")';
    await expect(ctx.a.createOrder(order('gate', { clientOrderId: 'x'.repeat(27) }))).rejects.toThrow(expected);
    await expect(ctx.a.createOrder(order('gate', { clientOrderId: 'pa arb/1' }))).rejects.toThrow(expected);
    expect(ctx.server.requests.length).toBe(before);
  });

  it('an order placed elsewhere (text "web", "api") has no client id; fetchOrder by client id asks for t-<id> in place of the order id', async () => {
    answerAll(ctx.server, 'GET', ORDERS, () => [{ id: 58828255300, contract: 'BTC_USDT', create_time: 1717372000, size: -30, left: -30, price: '70000', fill_price: '0', tif: 'gtc', is_reduce_only: false, text: 'web', status: 'open', finish_as: '' }]);
    expect(await ctx.a.fetchOpenOrders()).toEqual([
      { venue: 'gate', symbol: SYMBOL, orderId: '58828255300', clientOrderId: null, status: 'accepted', side: 'sell', type: 'limit', timeInForce: 'GTC', reduceOnly: false, quantity: 0.003, limitPrice: 70000, filledQuantity: 0, remainingQuantity: 0.003, averageFillPrice: null, venueTimeMs: 1_717_372_000_000 },
    ]);
    ctx.server.clearOverrides();
    await ctx.a.fetchOrder({ clientOrderId: 'paarb0000' }, SYMBOL);
    expect(ctx.server.requests.at(-1)).toMatchObject({ method: 'GET', path: '/api/v4/futures/usdt/orders/t-paarb0000' });
  });

  it('setLeverage needs the margin mode (Gate sets both at once): cross sends cross_leverage_limit, isolated the leverage; without one nothing is sent', async () => {
    const path = '/api/v4/futures/usdt/positions/BTC_USDT/leverage';
    answerAll(ctx.server, 'POST', path, () => ({ contract: 'BTC_USDT', size: -500, leverage: '3', mode: 'single', cross_leverage_limit: '0' }));
    await ctx.a.setLeverage(SYMBOL, 3, 'isolated');
    expect(ctx.server.requests.at(-1)).toMatchObject({ method: 'POST', path, query: { leverage: '3' }, body: undefined });
    ctx.server.clearOverrides();
    await ctx.a.setLeverage(SYMBOL, 5, 'cross');
    expect(ctx.server.requests.at(-1)).toMatchObject({ path, query: { leverage: '0', cross_leverage_limit: '5' } });
    const before = ctx.server.requests.length;
    await expect(ctx.a.setLeverage(SYMBOL, 5)).rejects.toThrow("gate sets the margin mode with the leverage (a leverage alone is isolated there): give 'cross' or 'isolated'");
    expect(ctx.server.requests.length).toBe(before);
  });

  it('an isolated dual-mode position: leverage as given, positionSide from the mode, isolated margin = margin + uPnL', async () => {
    answerAll(ctx.server, 'GET', '/api/v4/futures/usdt/positions', () => [
      { contract: 'BTC_USDT', size: 200, leverage: '10', mode: 'dual_long', cross_leverage_limit: '0', value: '1355.004', margin: '135.5004', entry_price: '67500', mark_price: '67750.2', liq_price: '61390.5', initial_margin: '135.5004', maintenance_margin: '5.420016', unrealised_pnl: '5.004', open_time: 1717300000 },
      { contract: 'BTC_USDT', size: 0, leverage: '10', mode: 'dual_short', cross_leverage_limit: '0', value: '0', margin: '0', entry_price: '0', mark_price: '67750.2', liq_price: '0', initial_margin: '0', maintenance_margin: '0', unrealised_pnl: '0', open_time: 0 },
    ]);
    expect(await ctx.a.fetchPositions()).toEqual([
      { venue: 'gate', symbol: SYMBOL, quantity: 0.02, contracts: 200, contractSize: 0.0001, positionSide: 'long', entryPrice: 67500, markPrice: 67750.2, unrealisedPnl: 5.004, settleAsset: 'USDT', marginMode: 'isolated', leverage: 10, initialMargin: 135.5004, maintenanceMargin: 5.420016, isolatedMargin: 140.5044, liquidationPrice: 61390.5, venueTimeMs: 1_717_300_000_000 },
    ]);
  });
});

describe('bitget order parameters', () => {
  const ctx = useVenue('bitget');
  const PLACE = '/api/v2/mix/order/place-order';
  const lastBody = () => ctx.server.requests.filter((r) => r.method === 'POST' && r.path === PLACE).at(-1)!.body as Record<string, unknown>;
  const base = { symbol: 'BTCUSDT', productType: 'USDT-FUTURES', marginMode: 'crossed', marginCoin: 'USDT' };

  it('maps post-only (force post_only), IOC and reduce-only (reduceOnly YES); market orders carry no price; size in BTC', async () => {
    answerAll(ctx.server, 'POST', PLACE, (r) => ({ code: '00000', msg: 'success', requestTime: 1717372800123, data: { orderId: '1184319521424654399', clientOid: (r.body as { clientOid: string }).clientOid } }));
    await ctx.a.createOrder(order('bitget', { clientOrderId: 'paarb0004', timeInForce: 'PO' }));
    expect(lastBody()).toEqual({ ...base, size: '0.01', price: '60000', side: 'buy', orderType: 'limit', force: 'post_only', clientOid: 'paarb0004' });
    await ctx.a.createOrder(order('bitget', { clientOrderId: 'paarb0005', side: 'sell', quantity: 0.02, limitPrice: 67750, timeInForce: 'IOC', reduceOnly: true }));
    expect(lastBody()).toEqual({ ...base, size: '0.02', price: '67750', side: 'sell', orderType: 'limit', force: 'IOC', reduceOnly: 'YES', clientOid: 'paarb0005' });
    const market = await ctx.a.createOrder(order('bitget', { clientOrderId: 'paarb0006', type: 'market', limitPrice: null, timeInForce: 'IOC' }));
    expect(lastBody()).toEqual({ ...base, size: '0.01', side: 'buy', orderType: 'market', force: 'IOC', clientOid: 'paarb0006' });
    expect(market).toMatchObject({ orderId: '1184319521424654399', clientOrderId: 'paarb0006' });
    // ccxt asked once (the first call) whether the key is a unified account; the classic answer routes to v2 mix.
    expect(ctx.server.requests.filter((r) => r.path === '/api/v3/account/settings')).toHaveLength(1);
  });

  it('setLeverage sends no margin mode (Bitget takes it on its own endpoint); one given is refused before sending', async () => {
    const before = ctx.server.requests.length;
    await expect(ctx.a.setLeverage(SYMBOL, 5, 'cross')).rejects.toThrow('bitget sets the leverage alone: set the margin mode with setMarginMode');
    expect(ctx.server.requests.length).toBe(before);
    await ctx.a.setLeverage(SYMBOL, 5);
    expect(ctx.server.requests.at(-1)).toMatchObject({ path: '/api/v2/mix/account/set-leverage', fixture: 'bitget/private-mix-account-set-leverage.json' });
    expect(ctx.server.requests.at(-1)!.body).toEqual({ symbol: 'BTCUSDT', productType: 'USDT-FUTURES', marginCoin: 'USDT', leverage: '5' });
  });
});

describe('deribit private API (BTC-PERPETUAL, inverse; signed requests, recorded payloads)', () => {
  const ctx = useVenue('deribit');
  const PERP = 'BTC/USD:BTC';
  // ccxt's Deribit amounts for BTC-PERPETUAL are USD (its lot is 10 USD, one contract), as in Deribit's
  // API and as perp-arb's Deribit books carry them: quantities here are ccxt's amounts, in USD, so the
  // contract size perp-arb gives them is 1 USD (amountUnits.ts), not the payload's contract_size 10.
  const resting = { venue: 'deribit', symbol: PERP, orderId: '17487231948', clientOrderId: 'paarb0000', status: 'accepted', side: 'buy', type: 'limit', timeInForce: 'GTC', reduceOnly: false, quantity: 600, limitPrice: 60000, filledQuantity: 0, remainingQuantity: 600, averageFillPrice: null, venueTimeMs: 1_717_372_500_000 } as const;
  const dOrder = (overrides: Partial<OrderRequest> = {}) => order('deribit', { symbol: PERP, quantity: 600, ...overrides });

  it('fetchBalances: BTC equity, available funds and the initial margin held (ccxt gives the maintenance margin as used); the zero USDC row left out', async () => {
    expect(await ctx.a.fetchBalances()).toEqual([{ venue: 'deribit', asset: 'BTC', free: 0.1462344, used: 0.00120369, total: 0.14743809 }]);
  });

  it('fetchPositions: the 3,400 USD short, uPnL in BTC, one-way', async () => {
    expect(await ctx.a.fetchPositions()).toEqual([
      { venue: 'deribit', symbol: PERP, quantity: -3400, contracts: 3400, contractSize: 1, positionSide: 'both', entryPrice: 67000, markPrice: 67750.2, unrealisedPnl: -0.00056191, settleAsset: 'BTC', marginMode: null, leverage: 50, initialMargin: 0.00100369, maintenanceMargin: 0.00050184, isolatedMargin: null, liquidationPrice: 264817.5, venueTimeMs: null },
    ]);
  });

  it('fetchOpenOrders reads the client id from the order label', async () => {
    expect(await ctx.a.fetchOpenOrders()).toEqual([resting]);
    expect(ctx.server.requests.at(-1)).toMatchObject({ path: '/api/v2/private/get_open_orders_by_currency', query: { currency: 'BTC' } });
  });

  it('createOrder sends the client id as label (ccxt would send clientOrderId on as is); cancel and fetch by the venue id', async () => {
    const from = ctx.server.requests.length;
    expect(await ctx.a.createOrder(dOrder())).toEqual({ ...resting, orderId: '17487231949', clientOrderId: 'paarb0001', venueTimeMs: 1_717_372_800_120 });
    const buy = ctx.server.requests.slice(from).find((r) => r.path === '/api/v2/private/buy')!;
    expect(buy).toMatchObject({ method: 'GET', fixture: 'deribit/private-buy.json', query: { instrument_name: 'BTC-PERPETUAL', amount: '600', type: 'limit', price: '60000', label: 'paarb0001' } });
    expect(buy.query.clientOrderId).toBeUndefined();
    expect(await ctx.a.cancelOrder({ orderId: '17487231948' }, PERP)).toEqual({ ...resting, status: 'canceled' });
    expect(await ctx.a.fetchOrder({ orderId: '17487231950' }, PERP)).toEqual({
      venue: 'deribit', symbol: PERP, orderId: '17487231950', clientOrderId: 'paarb0002', status: 'canceled', side: 'sell', type: 'limit', timeInForce: 'IOC', reduceOnly: true, quantity: 1200, limitPrice: 67750, filledQuantity: 500, remainingQuantity: 700, averageFillPrice: 67749.9, venueTimeMs: 1_717_372_790_000,
    });
    expectNoSecret(JSON.stringify(ctx.server.requests.slice(from)));
  });

  it('maps post-only (post_only, reject_post_only), IOC and reduce-only; a sell goes to private/sell', async () => {
    answerAll(ctx.server, 'GET', '/api/v2/private/sell', (r) => ({ jsonrpc: '2.0', result: { order: { order_id: '17487231951', label: r.query.label, instrument_name: 'BTC-PERPETUAL', direction: 'sell', order_type: 'limit', order_state: 'open', amount: Number(r.query.amount), filled_amount: 0, price: Number(r.query.price), average_price: 0, time_in_force: r.query.time_in_force ?? 'good_til_cancelled', post_only: r.query.post_only === 'true', reduce_only: r.query.reduce_only === 'true', creation_timestamp: 1717372800500, last_update_timestamp: 1717372800500 }, trades: [] }, testnet: false }));
    const po = await ctx.a.createOrder(dOrder({ clientOrderId: 'paarb0004', side: 'sell', limitPrice: 70000, timeInForce: 'PO' }));
    expect(ctx.server.requests.at(-1)!.query).toEqual({ instrument_name: 'BTC-PERPETUAL', amount: '600', type: 'limit', price: '70000', post_only: 'true', reject_post_only: 'true', label: 'paarb0004' });
    expect(po).toMatchObject({ clientOrderId: 'paarb0004', side: 'sell', timeInForce: 'PO' });
    const ioc = await ctx.a.createOrder(dOrder({ clientOrderId: 'paarb0005', side: 'sell', quantity: 1200, limitPrice: 67750, timeInForce: 'IOC', reduceOnly: true }));
    expect(ctx.server.requests.at(-1)!.query).toEqual({ instrument_name: 'BTC-PERPETUAL', amount: '1200', type: 'limit', price: '67750', reduce_only: 'true', time_in_force: 'immediate_or_cancel', label: 'paarb0005' });
    expect(ioc).toMatchObject({ clientOrderId: 'paarb0005', timeInForce: 'IOC', reduceOnly: true, quantity: 1200 });
  });

  it('by client id, and leverage, margin mode, position mode (ccxt has none for Deribit): refused clearly, nothing sent', async () => {
    const before = ctx.server.requests.length;
    for (const run of [() => ctx.a.cancelOrder({ clientOrderId: 'paarb0000' }, PERP), () => ctx.a.fetchOrder({ clientOrderId: 'paarb0000' }, PERP)]) {
      const error = await venueError(run);
      expect(error.kind).toBe('unsupported');
      expect(error.message).toMatch(/^deribit (cancelOrder|fetchOrder): unsupported: by client order id paarb0000: ccxt cancels and fetches Deribit orders by the venue order id only .*use the orderId createOrder returned$/);
    }
    await expect(ctx.a.setLeverage(PERP, 5)).rejects.toBeInstanceOf(UnsupportedMethodError);
    await expect(ctx.a.setMarginMode(PERP, 'cross')).rejects.toBeInstanceOf(UnsupportedMethodError);
    await expect(ctx.a.setPositionMode('oneWay')).rejects.toBeInstanceOf(UnsupportedMethodError);
    await expect(ctx.a.createOrder(dOrder({ clientOrderId: 'x'.repeat(65) }))).rejects.toThrow('deribit client order ids are 1 to 64 characters (sent as the order label)');
    expect(ctx.server.requests.length).toBe(before);
  });

  it('not_enough_funds (10009) is a VenueError of kind insufficientFunds, without credentials', async () => {
    const errorFixture = loadVenueFixtures('deribit').find((f) => f.name === 'deribit/private-error-insufficient-margin.json')!;
    expect(errorFixture.response.body).toMatchObject({ error: { message: 'not_enough_funds', code: 10009 } });
    ctx.server.override((req, res) => {
      if (req.path !== errorFixture.request.path) return false;
      serveFixture(res, errorFixture);
      return true;
    });
    const error = await venueError(() => ctx.a.createOrder(dOrder({ clientOrderId: 'paarb0003', quantity: 100000 })));
    expect(error).toMatchObject({ venue: 'deribit', method: 'createOrder', kind: 'insufficientFunds', retryable: false });
    expectNoSecret(`${error.message} ${error.stack ?? ''} ${inspect(error)}`);
  });

  it('a read-only client sends nothing for calls that change the account', async () => {
    const ro = new CcxtAccount('deribit', { mode: 'readOnly', credentials: credentials('deribit'), loopbackBaseUrl: ctx.server.baseUrl, timeoutMs: 2_000, rateLimitMs: 1 });
    try {
      const before = ctx.server.requests.length;
      await expect(ro.createOrder(dOrder())).rejects.toBeInstanceOf(TradingDisabledError);
      await expect(ro.cancelOrder({ orderId: '17487231948' }, PERP)).rejects.toBeInstanceOf(TradingDisabledError);
      await expect(ro.setLeverage(PERP, 5)).rejects.toBeInstanceOf(TradingDisabledError);
      expect(ctx.server.requests.length).toBe(before);
    } finally {
      await ro.close();
    }
  });
});

describe('orders checked before anything is sent', () => {
  it('a quantity that is not a multiple of the OKX lot (0.01 contracts of 0.01 BTC) is an error naming the order', async () => {
    const server = await startLoopbackServer(loadVenueFixtures('okx').filter((f) => !isErrorFixture(f)));
    const a = new CcxtAccount('okx', { mode: 'live', credentials: credentials('okx'), loopbackBaseUrl: server.baseUrl, timeoutMs: 2_000, rateLimitMs: 1 });
    try {
      await expect(a.createOrder(order('okx', { quantity: 0.00015 }))).rejects.toThrow(
        'okx createOrder paarb0001: quantity 0.00015 is 0.015 contracts of 0.01; okx BTC/USDT:USDT takes multiples of 0.01 (nearest below: 0.01)',
      );
      await expect(a.createOrder(order('okx', { type: 'limit', limitPrice: null }))).rejects.toThrow(/needs a positive limitPrice/);
      await expect(a.setMarginMode(SYMBOL, 'isolated')).rejects.toThrow(/together with a leverage/);
      expect(server.requests.filter((r) => r.method === 'POST')).toEqual([]);
    } finally {
      await a.close();
      await server.close();
    }
  });

  it("a method the venue lacks (ccxt's has) is an UnsupportedMethodError, before any request", async () => {
    const a = new CcxtAccount('deribit', { mode: 'live', credentials: credentials('deribit'), loopbackBaseUrl: 'http://127.0.0.1:9', timeoutMs: 500 });
    const error = await venueError(() => a.setLeverage('BTC/USD:BTC', 5));
    expect(error).toBeInstanceOf(UnsupportedMethodError);
    expect(error).toMatchObject({ venue: 'deribit', method: 'setLeverage', kind: 'unsupported' });
    expect(a.supports('setPositionMode')).toBe(false);
    expect(a.supports('createOrder')).toBe(true);
  });

  it('the mode must be given explicitly', () => {
    expect(() => new CcxtAccount('binance', { credentials: credentials('binance') } as never)).toThrow(/account mode must be 'readOnly', 'testnet' or 'live'/);
  });
});

describe('testnet switches ccxt to the sandbox (no network)', () => {
  const make = (venue: string, mode: AccountMode) => new CcxtAccount(venue, { mode, credentials: credentials(venue) });

  it('binance USDT-M goes to testnet.binancefuture.com; live and read-only stay on fapi.binance.com', () => {
    const test = make('binance', 'testnet');
    const urls = test.apiUrls() as Record<string, string>;
    expect(test.sandbox).toBe(true);
    expect(urls.fapiPrivate).toBe('https://testnet.binancefuture.com/fapi/v1');
    expect(urls.fapiPrivateV3).toBe('https://testnet.binancefuture.com/fapi/v3');
    for (const mode of ['live', 'readOnly'] as const) {
      const main = make('binance', mode);
      expect(main.sandbox).toBe(false);
      expect((main.apiUrls() as Record<string, string>).fapiPrivate).toBe('https://fapi.binance.com/fapi/v1');
    }
  });

  it('bybit goes to api-testnet; okx keeps its host and adds the demo-trading header', () => {
    expect((make('bybit', 'testnet').apiUrls() as Record<string, string>).private).toBe('https://api-testnet.{hostname}');
    expect((make('bybit', 'live').apiUrls() as Record<string, string>).private).toBe('https://api.{hostname}');
    const okx = make('okx', 'testnet');
    expect(okx.sandbox).toBe(true);
    expect(okx.headers()).toEqual({ 'x-simulated-trading': '1' });
    expect(make('okx', 'live').headers()).toEqual({});
  });
});

describe('credentials', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'perp-arb-keys-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('from the environment: PERP_ARB_<VENUE>_<FIELD>; a missing one is named, no value is', () => {
    const env = { PERP_ARB_OKX_API_KEY: API_KEY, PERP_ARB_OKX_SECRET: SECRET };
    expect(credentialEnvName('okx', 'password')).toBe('PERP_ARB_OKX_PASSWORD');
    let message = '';
    try {
      credentialsFromEnv('okx', ['apiKey', 'secret', 'password'], env);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toBe('okx: missing credentials: set PERP_ARB_OKX_PASSWORD in the environment, or pass --key-file FILE');
    const creds = credentialsFromEnv('okx', ['apiKey', 'secret', 'password'], { ...env, PERP_ARB_OKX_PASSWORD: PASSWORD });
    expect(creds.get('password')).toBe(PASSWORD);
    expect(creds.fields()).toEqual(['apiKey', 'secret', 'password']);
    expectNoSecret(inspect(creds, { showHidden: true }));
  });

  it('a key file readable by group or others is refused; chmod 600 is read', () => {
    const file = join(dir, 'keys.json');
    writeFileSync(file, JSON.stringify({ bybit: { apiKey: API_KEY, secret: SECRET } }));
    chmodSync(file, 0o644);
    expect(() => credentialsFromKeyFile(file, 'bybit', ['apiKey', 'secret'])).toThrow(`key file ${file}: refused, it is readable or writable by group or others (mode 644); run chmod 600 ${file}`);
    chmodSync(file, 0o600);
    const creds = credentialsFromKeyFile(file, 'bybit', ['apiKey', 'secret']);
    expect([creds.get('apiKey'), creds.get('secret'), creds.source]).toEqual([API_KEY, SECRET, file]);
    expect(() => credentialsFromKeyFile(file, 'okx', ['apiKey'])).toThrow(`key file ${file}: no entry for venue 'okx' (it has: bybit)`);
    expect(() => credentialsFromKeyFile(file, 'bybit', ['apiKey', 'secret', 'password'])).toThrow(`key file ${file}: bybit is missing password`);
  });

  it('a malformed key file is reported without quoting its content', () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, `{ "binance": { "apiKey": "${API_KEY}", "secret": "${SECRET}" `, { mode: 0o600 });
    expect(() => credentialsFromKeyFile(bad, 'binance', ['apiKey'])).toThrow(`key file ${bad}: not valid JSON`);
    const unknown = join(dir, 'unknown.json');
    writeFileSync(unknown, JSON.stringify({ binance: { apiKey: API_KEY, apiSecret: SECRET } }), { mode: 0o600 });
    let message = '';
    try {
      credentialsFromKeyFile(unknown, 'binance', ['apiKey']);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain("unknown key 'binance.apiSecret'");
    expectNoSecret(message);
  });
});

describe('perp-arb account (the CLI, against the loopback server)', () => {
  let server: LoopbackServer;
  const env = { ...process.env, PERP_ARB_BINANCE_API_KEY: API_KEY, PERP_ARB_BINANCE_SECRET: SECRET };
  const cli = (args: string[], extraEnv: Record<string, string> = {}) => runCli(['account', ...args], { env: { ...env, ...extraEnv } });
  beforeAll(async () => {
    server = await startLoopbackServer(loadVenueFixtures('binance').filter((f) => !isErrorFixture(f)));
  });
  afterAll(async () => {
    await server?.close();
  });

  it('--json prints balances, positions and open orders, and no credential anywhere', async () => {
    const out = await cli(['--venue', 'binance', '--json', '--loopback-url', server.baseUrl]);
    expect(out.code).toBe(0);
    const snapshot = JSON.parse(out.stdout) as { venue: string; testnet: boolean; credentialsFrom: string; balances: unknown[]; positions: { quantity: number }[]; openOrders: { clientOrderId: string }[] };
    expect(snapshot).toMatchObject({ venue: 'binance', testnet: false, credentialsFrom: 'environment', balances: CASES[0].balances });
    expect(snapshot.positions.map((p) => p.quantity)).toEqual([-0.05]);
    expect(snapshot.openOrders.map((o) => o.clientOrderId)).toEqual(['paarb0000']);
    expectNoSecret(out.stdout + out.stderr);
    expect(server.requests.some((r) => r.method !== 'GET')).toBe(false);
    expect(server.unmatched).toEqual([]);
  });

  it('prints tables; a venue error (rejected key, echoed back) exits 1 with no credential in stdout or stderr', async () => {
    const table = await cli(['--venue', 'binance', '--loopback-url', server.baseUrl]);
    expect(table.stdout).toMatch(/^binance mainnet, read-only; credentials from environment$/m);
    expect(table.stdout).toMatch(/^BTC\/USDT:USDT\s+-0\.05\s+67000\s+67750\.2\s+-37\.51\s+cross/m);
    server.override((req, res) => {
      if (req.path !== '/fapi/v3/account') return false;
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ code: -2015, msg: `Invalid API-key, IP, or permissions for action. key=${API_KEY} secret ${SECRET}` }));
      return true;
    });
    const failed = await cli(['--venue', 'binance', '--loopback-url', server.baseUrl]);
    server.clearOverrides();
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/^error: binance fetchBalance: authentication: /);
    expectNoSecret(failed.stdout + failed.stderr);
  });

  it('missing credentials name the variables; a non-loopback --loopback-url is refused', async () => {
    const missing = await cli(['--venue', 'okx', '--json'], { PERP_ARB_OKX_API_KEY: API_KEY });
    expect(missing.code).toBe(1);
    expect(JSON.parse(missing.stdout)).toEqual({ error: 'okx: missing credentials: set PERP_ARB_OKX_SECRET, PERP_ARB_OKX_PASSWORD in the environment, or pass --key-file FILE' });
    const remote = await cli(['--venue', 'binance', '--loopback-url', 'http://10.0.0.1:80']);
    expect(remote.code).toBe(1);
    expect(remote.stderr).toContain('--loopback-url must be http://127.0.0.1:PORT');
  });

  it('gate and bitget (key file with the Bitget passphrase): the snapshot in base units, GET requests only, no credential anywhere', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'perp-arb-keys-'));
    try {
      const keyFile = join(dir, 'keys.json');
      writeFileSync(keyFile, JSON.stringify({ gate: { apiKey: API_KEY, secret: SECRET }, bitget: { apiKey: API_KEY, secret: SECRET, password: PASSWORD } }), { mode: 0o600 });
      for (const venue of ['gate', 'bitget']) {
        const venueServer = await startLoopbackServer(loadVenueFixtures(venue).filter((f) => !isErrorFixture(f)));
        try {
          const out = await cli(['--venue', venue, '--json', '--key-file', keyFile, '--loopback-url', venueServer.baseUrl]);
          expect(out.code, out.stderr).toBe(0);
          const snapshot = JSON.parse(out.stdout) as { balances: unknown[]; positions: { quantity: number; contracts: number }[]; openOrders: { clientOrderId: string; quantity: number }[] };
          const c = CASES.find((x) => x.venue === venue)!;
          expect(snapshot).toMatchObject({ venue, testnet: false, credentialsFrom: keyFile, balances: c.balances });
          expect(snapshot.positions.map((p) => [p.quantity, p.contracts])).toEqual([[-0.05, c.position.contracts]]);
          expect(snapshot.openOrders.map((o) => [o.clientOrderId, o.quantity])).toEqual([['paarb0000', 0.01]]);
          expectNoSecret(out.stdout + out.stderr);
          expect(venueServer.requests.filter((r) => r.method !== 'GET')).toEqual([]);
          expect(venueServer.unmatched).toEqual([]);
        } finally {
          await venueServer.close();
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('fixtures', () => {
  it('each insufficient-margin payload is the venue-documented one', () => {
    const body = (venue: string) => JSON.parse(readFileSync(join(FIXTURES_DIR, venue, 'private-error-insufficient-margin.json'), 'utf8')).response.body;
    expect(body('binance')).toEqual({ code: -2019, msg: 'Margin is insufficient.' });
    expect(body('bybit')).toMatchObject({ retCode: 110007 });
    expect(body('okx').data[0]).toMatchObject({ sCode: '51008' });
    expect(body('gate')).toMatchObject({ label: 'INSUFFICIENT_AVAILABLE' });
    expect(body('bitget')).toMatchObject({ code: '40762', msg: 'The order amount exceeds the balance', data: null });
  });
});
