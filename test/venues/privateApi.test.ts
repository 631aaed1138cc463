import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect, promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { OrderRequest } from '../../src/domain/trading.ts';
import { CcxtAccount } from '../../src/venues/ccxt/ccxtAccount.ts';
import { credentialEnvName, credentialsFromEnv, credentialsFromKeyFile, VenueCredentials } from '../../src/venues/ccxt/credentials.ts';
import { TradingDisabledError, type AccountMode } from '../../src/venues/ccxt/tradingMode.ts';
import type { AccountBalance, AccountOrder, AccountPosition } from '../../src/venues/tradingTypes.ts';
import { UnsupportedMethodError, VenueError } from '../../src/venues/types.ts';
import { CLI } from '../support/cli.ts';
import { FIXTURES_DIR, loadVenueFixtures, type RestFixture } from './support/fixtureFiles.ts';
import { describeRequest, startLoopbackServer, type LoggedRequest, type LoopbackServer } from './support/loopbackServer.ts';

const run = promisify(execFile);

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
  /** The request parameter that carries the client order id on create. */
  clientIdParam: string;
  /** Reads the create request's parameters (Binance: form body; Bybit: JSON; OKX: a JSON array of one order). */
  createParams: (request: LoggedRequest) => Record<string, unknown>;
  balances: AccountBalance[];
  position: AccountPosition;
  openOrder: AccountOrder;
  createAck: Partial<AccountOrder>;
  cancelAck: Partial<AccountOrder>;
  fetchById: { orderId: string; expected: Partial<AccountOrder> };
  /** ccxt's request path for each account call, in order. */
  paths: { create: string; cancel: string; leverage: string; marginMode: string; positionMode: string };
  marginModeLeverage?: number;
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
    expect(params[c.clientIdParam]).toBe('paarb0001');
    expectNoSecret(JSON.stringify(sent(from)));
  });

  it('cancelOrder and fetchOrder by client order id, fetchOrder by venue id', async () => {
    const a = account('live');
    const canceled = await a.cancelOrder({ clientOrderId: 'paarb0000' }, SYMBOL);
    expect(canceled).toMatchObject({ venue: c.venue, symbol: SYMBOL, ...c.cancelAck });
    expect(await a.fetchOrder({ clientOrderId: 'paarb0000' }, SYMBOL)).toEqual(c.openOrder);
    expect(await a.fetchOrder({ orderId: c.fetchById.orderId }, SYMBOL)).toMatchObject({ venue: c.venue, symbol: SYMBOL, ...c.fetchById.expected });
  });

  it('setLeverage, setMarginMode, setPositionMode reach their endpoints', async () => {
    const a = account('live');
    const from = server.requests.length;
    await a.setLeverage(SYMBOL, 5);
    await a.setMarginMode(SYMBOL, 'isolated', c.marginModeLeverage);
    await a.setPositionMode('oneWay');
    const posts = sent(from).filter((r) => r.method === 'POST');
    expect(posts.map((r) => r.path)).toEqual([c.paths.leverage, c.paths.marginMode, c.paths.positionMode]);
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
    await expect(a.setLeverage(SYMBOL, 5)).rejects.toBeInstanceOf(TradingDisabledError);
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
    expect(message).toContain('binance: unknown field(s) apiSecret');
    expectNoSecret(message);
  });
});

describe('perp-arb account (the CLI, against the loopback server)', () => {
  let server: LoopbackServer;
  const env = { ...process.env, PERP_ARB_BINANCE_API_KEY: API_KEY, PERP_ARB_BINANCE_SECRET: SECRET, PERP_ARB_DEBUG: '' };
  const cli = async (args: string[], extraEnv: Record<string, string> = {}) => {
    try {
      const { stdout, stderr } = await run('node', [CLI, 'account', ...args], { env: { ...env, ...extraEnv } });
      return { stdout, stderr, code: 0 };
    } catch (error) {
      const e = error as { stdout: string; stderr: string; code: number };
      return { stdout: e.stdout, stderr: e.stderr, code: e.code };
    }
  };
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
});

describe('fixtures', () => {
  it('each insufficient-margin payload is the venue-documented one', () => {
    const body = (venue: string) => JSON.parse(readFileSync(join(FIXTURES_DIR, venue, 'private-error-insufficient-margin.json'), 'utf8')).response.body;
    expect(body('binance')).toEqual({ code: -2019, msg: 'Margin is insufficient.' });
    expect(body('bybit')).toMatchObject({ retCode: 110007 });
    expect(body('okx').data[0]).toMatchObject({ sCode: '51008' });
  });
});
