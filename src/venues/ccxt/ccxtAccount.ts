import type { Exchange, FundingHistory, MarketInterface as Market, Order, Position, Trade } from 'ccxt';
import { inspect } from 'node:util';
import { InputError } from '../../core/errors.ts';
import type { OrderRequest } from '../../domain/trading.ts';
import type { AccountBalance, AccountFundingRow, AccountOrder, AccountPosition, AccountTrade, MarginMode, OrderRef, OrderRules, PositionMode } from '../tradingTypes.ts';
import { UnsupportedMethodError, VenueError } from '../types.ts';
import { isCcxtError } from './errors.ts';
import { toAccountFundingRow, toAccountTrade } from './accountTrades.ts';
import { quantityToContracts, toAccountBalances, toAccountOrder, toAccountPosition, venueBalanceFields, venueOrderFields, venuePositionFields } from './accountMapping.ts';
import { hasMethod } from './capabilities.ts';
import { requiredCredentialFields, type VenueCredentials } from './credentials.ts';
import { toAccountVenueError } from './accountErrors.ts';
import { createCcxtExchange, hasProClass, type CcxtExchangeOptions } from './exchangeFactory.ts';
import { rewriteApiUrls } from './loopbackUrls.ts';
import { venueSpec } from './supportedVenues.ts';
import { TradingDisabledError, type AccountMode } from './tradingMode.ts';
import { amountUnitSize } from './amountUnits.ts';
import { precisionToStep } from './precision.ts';

/** The private methods perp-arb uses, by ccxt name. */
export const ACCOUNT_METHODS = [
  'fetchBalance',
  'fetchPositions',
  'fetchOpenOrders',
  'createOrder',
  'cancelOrder',
  'fetchOrder',
  'setLeverage',
  'setMarginMode',
  'setPositionMode',
  'fetchClosedOrders',
  'fetchMyTrades',
  'fetchFundingHistory',
  'fetchFundingRateHistory',
  'watchOrders',
  'watchMyTrades',
] as const;
export type AccountMethod = (typeof ACCOUNT_METHODS)[number];

/**
 * How a venue carries perp-arb's client order id where ccxt's unified `clientOrderId` param does not
 * do it all. Defaults: sent as `clientOrderId` (ccxt names it newClientOrderId, clOrdId, clientOid ...),
 * looked up by the same param, read back from ccxt's `order.clientOrderId`.
 */
interface ClientIdRule {
  /** The createOrder params that carry the id. */
  create?: (id: string) => Record<string, unknown>;
  /** cancelOrder / fetchOrder by client id: ccxt's id argument and params; a string: why ccxt cannot (refused, nothing sent). */
  lookup?: ((id: string) => [string | undefined, Record<string, unknown>]) | string;
  /** Ids the venue accepts (checked before anything is sent). */
  valid?: { pattern: RegExp; rule: string };
}

const CLIENT_ID_RULES: Record<string, ClientIdRule> = {
  // ccxt's bybit cancel and fetch read `orderLinkId` only.
  bybit: { lookup: (id) => [undefined, { orderLinkId: id }] },
  // Gate's `text` must start with "t-" (ccxt adds it only to ids not starting with "t", and refuses
  // more than 28 characters with it); gate takes "t-<id>" in place of the order id to cancel or fetch
  // an order (while it is open, and for 60 s after it ends: after that only by the venue's id).
  // ccxt's cancelOrder ignores a clientOrderId param (it would DELETE .../orders/undefined).
  gate: {
    create: (id) => ({ text: `t-${id}` }),
    lookup: (id) => [`t-${id}`, {}],
    valid: { pattern: /^[0-9A-Za-z_.-]{1,26}$/, rule: '1 to 26 characters of 0-9 A-Z a-z _ - . (sent as text "t-<id>")' },
  },
  // Deribit's client id is the order `label` (up to 64 characters), which ccxt's createOrder does not
  // map from clientOrderId (it would send clientOrderId on as an unknown parameter) nor read back.
  // Deribit looks orders up by label only through its own get_order_state_by_label / cancel_by_label,
  // which ccxt's unified fetchOrder / cancelOrder do not use: by the venue's order id only.
  deribit: {
    create: (id) => ({ label: id }),
    lookup: 'ccxt cancels and fetches Deribit orders by the venue order id only (Deribit keeps the client id as the order label): use the orderId createOrder returned',
    valid: { pattern: /^.{1,64}$/, rule: '1 to 64 characters (sent as the order label)' },
  },
};

/** The fetchMyTrades parameter that names one order (ccxt passes it on to the venue). */
const ORDER_TRADES_PARAM: Record<string, string> = { binance: 'orderId', bybit: 'orderId', okx: 'ordId', gate: 'order_id', bitget: 'orderId' };

/** Extra parameters some venues require on fetchOrder. */
const FETCH_ORDER_PARAMS: Record<string, Record<string, unknown>> = {
  // ccxt refuses bybit's fetchOrder (it only sees the last 500 orders) unless told the caller knows.
  bybit: { acknowledged: true },
};

/**
 * ccxt options for the private client. Binance would otherwise load its margin pairs (sapi, signed)
 * with the markets, and refuse open orders of all symbols (a heavier request: perp-arb asks for it knowingly).
 */
const ACCOUNT_CCXT_OPTIONS: Record<string, Record<string, unknown>> = {
  binance: { fetchMargins: false, warnOnFetchOpenOrdersWithoutSymbol: false },
};

/** Venues that set the margin mode together with a leverage (OKX: set-leverage with mgnMode and lever). */
const MARGIN_MODE_WITH_LEVERAGE = new Set(['okx']);

/**
 * Venues whose leverage call takes a margin mode (elsewhere ccxt would send it on as an unknown
 * request parameter), and the ccxt params that carry it. OKX: optional, ccxt's default is cross.
 * Gate: required, since Gate's leverage N is an isolated leverage and cross is leverage 0 with
 * cross_leverage_limit N: without a mode ccxt sends leverage N, which turns a cross position
 * isolated. (ccxt's gate also sends a `marginMode` param on to the venue: cross_leverage_limit says it alone.)
 */
const LEVERAGE_MARGIN_MODE: Record<string, { required: boolean; params: (mode: MarginMode, leverage: number) => Record<string, unknown> }> = {
  okx: { required: false, params: (marginMode) => ({ marginMode }) },
  gate: { required: true, params: (mode, leverage) => (mode === 'cross' ? { cross_leverage_limit: String(leverage) } : {}) },
};

export interface CcxtAccountOptions extends Omit<CcxtExchangeOptions, 'pro'> {
  /** Build the ccxt.pro client, so watchOrders / watchMyTrades can stream (REST calls are the same). Default false. */
  streams?: boolean;
  /** Required, never defaulted to a trading mode: 'readOnly' refuses every call that changes the account. */
  mode: AccountMode;
  credentials: VenueCredentials;
  /** perp-arb venue id (default: from SUPPORTED_VENUES, else the ccxt id). */
  venue?: string;
  /** The ccxt account type balances, positions and orders are read from (default 'swap': the perp account). */
  accountType?: 'swap' | 'spot';
}

/**
 * One venue's private API through ccxt: balances, positions, orders, leverage, margin and position
 * mode, normalised to perp-arb's account types. The exchange (which holds the credentials as plain
 * properties) is private, and inspecting the client shows no credential.
 */
export class CcxtAccount {
  readonly venue: string;
  readonly mode: AccountMode;
  readonly accountType: 'swap' | 'spot';
  /** Built on ccxt.pro (see CcxtAccountOptions.streams). */
  readonly streams: boolean;
  readonly #exchange: Exchange;
  #agentLoaded = false;
  readonly #secrets: string[];

  constructor(ccxtId: string, options: CcxtAccountOptions) {
    if (options.mode !== 'readOnly' && options.mode !== 'testnet' && options.mode !== 'live') {
      throw new Error(`account mode must be 'readOnly', 'testnet' or 'live' (got ${String(options.mode)})`);
    }
    const spec = venueSpec(ccxtId);
    this.venue = options.venue ?? spec?.venue ?? ccxtId;
    this.mode = options.mode;
    this.accountType = options.accountType ?? 'swap';
    const { loopbackBaseUrl, loopbackWsBaseUrl, streams, ...rest } = options;
    this.streams = streams === true && hasProClass(ccxtId);
    const exchange = createCcxtExchange(ccxtId, {
      ...rest,
      pro: this.streams,
      options: { ...spec?.options, ...ACCOUNT_CCXT_OPTIONS[ccxtId], defaultType: this.accountType, ...options.options },
    });
    if (options.mode === 'testnet') exchange.setSandboxMode(true);
    if (loopbackBaseUrl && !options.urlsOverride) {
      exchange.urls = { ...exchange.urls, api: rewriteApiUrls(exchange.urls.api, loopbackBaseUrl, exchange.hostname, loopbackWsBaseUrl) as typeof exchange.urls.api };
    }
    const required = requiredCredentialFields(exchange.requiredCredentials as unknown as Record<string, boolean>);
    const missing = required.filter((f) => options.credentials.get(f) === undefined);
    if (missing.length) throw new Error(`${this.venue}: credentials from ${options.credentials.source} lack ${missing.join(', ')}`);
    options.credentials.applyTo(exchange as unknown as Record<string, string>);
    this.#exchange = exchange;
    this.#secrets = options.credentials.secrets();
  }

  /** ccxt's API URLs in use (the sandbox's in testnet mode). */
  apiUrls(): unknown {
    return this.#exchange.urls.api;
  }

  /** Extra headers ccxt sends (OKX's demo trading adds x-simulated-trading). */
  headers(): Record<string, string> {
    return { ...(this.#exchange.headers as Record<string, string>) };
  }

  get sandbox(): boolean {
    return this.#exchange.isSandboxModeEnabled === true;
  }

  supports(method: AccountMethod): boolean {
    return hasMethod(this.#exchange, method);
  }

  toString(): string {
    return `CcxtAccount(${this.venue}, ${this.mode})`;
  }

  [inspect.custom](): string {
    return this.toString();
  }

  async fetchBalances(): Promise<AccountBalance[]> {
    const balances = await this.call('fetchBalance', () => this.#exchange.fetchBalance());
    return toAccountBalances(this.venue, venueBalanceFields(this.#exchange.id, balances));
  }

  async fetchPositions(symbols?: string[]): Promise<AccountPosition[]> {
    const positions = await this.call('fetchPositions', () => this.#exchange.fetchPositions(symbols));
    const out: AccountPosition[] = [];
    for (const position of positions) {
      const mapped = toAccountPosition(this.venue, venuePositionFields(this.#exchange.id, position) as Position, this.market('fetchPositions', position.symbol));
      if (mapped) out.push(mapped);
    }
    return out.sort((a, b) => a.symbol.localeCompare(b.symbol));
  }

  /** One symbol's, or (no symbol) every open order of the account type. */
  async fetchOpenOrders(symbol?: string): Promise<AccountOrder[]> {
    // Without a symbol Binance falls back to spot whatever the default type: name it (OKX would send it on as a query parameter).
    const params = symbol === undefined && this.#exchange.id === 'binance' ? { type: this.accountType } : {};
    const orders = await this.call('fetchOpenOrders', () => this.#exchange.fetchOpenOrders(symbol, undefined, undefined, params));
    return orders.map((o) => this.toOrder('fetchOpenOrders', o, this.market('fetchOpenOrders', o.symbol)));
  }

  /**
   * Sends an order with its clientOrderId (ccxt's unified param, which each venue's request carries
   * under its own name: newClientOrderId, orderLinkId, clOrdId, clientOid; Gate's `text` "t-<id>" is
   * set here). PO is post-only, IOC immediate-or-cancel.
   */
  async createOrder(order: OrderRequest): Promise<AccountOrder> {
    this.requireTrading('createOrder');
    const where = { source: `${this.venue} createOrder ${order.clientOrderId}` };
    if (order.venue !== this.venue) throw new InputError(where, `order is for venue '${order.venue}', this client is ${this.venue}`);
    if (order.clientOrderId === '') throw new InputError(where, 'clientOrderId is empty');
    if (!(order.quantity > 0)) throw new InputError(where, `quantity must be positive (got ${order.quantity})`);
    if (order.type === 'limit' && !(order.limitPrice !== null && order.limitPrice > 0)) throw new InputError(where, 'a limit order needs a positive limitPrice');
    if (order.type === 'market' && order.timeInForce === 'PO') throw new InputError(where, 'a market order cannot be post-only');
    const rule = CLIENT_ID_RULES[this.#exchange.id];
    if (rule?.valid && !rule.valid.pattern.test(order.clientOrderId)) throw new InputError(where, `${this.venue} client order ids are ${rule.valid.rule}`);
    await this.loadMarkets();
    const market = this.market('createOrder', order.symbol);
    const amount = quantityToContracts(order.quantity, market, this.venue);
    const rounded = await this.call('createOrder', async () => Number(this.#exchange.amountToPrecision(market.symbol, amount)));
    if (rounded !== amount) {
      throw new InputError(where, `quantity ${order.quantity} is ${amount} contracts of ${amountUnitSize(this.venue, market)}; ${this.venue} ${market.symbol} takes multiples of ${String(market.precision.amount)} (nearest below: ${rounded})`);
    }
    const params: Record<string, unknown> = rule?.create ? rule.create(order.clientOrderId) : { clientOrderId: order.clientOrderId };
    if (order.reduceOnly) params.reduceOnly = true;
    if (order.timeInForce === 'PO') params.postOnly = true;
    if (order.timeInForce === 'IOC') params.timeInForce = 'IOC';
    const price = order.type === 'limit' ? (order.limitPrice ?? undefined) : undefined;
    const placed = await this.call('createOrder', () => this.#exchange.createOrder(market.symbol, order.type, order.side, amount, price, params));
    return this.withClientId(this.toOrder('createOrder', placed, market), order.clientOrderId);
  }

  async cancelOrder(ref: OrderRef, symbol: string): Promise<AccountOrder> {
    this.requireTrading('cancelOrder');
    const [id, params] = this.refArgs(ref, 'cancelOrder');
    const canceled = await this.call('cancelOrder', () => this.#exchange.cancelOrder(id as string, symbol, params));
    return this.withClientId(this.toOrder('cancelOrder', canceled, this.market('cancelOrder', symbol)), 'clientOrderId' in ref ? ref.clientOrderId : null);
  }

  async fetchOrder(ref: OrderRef, symbol: string): Promise<AccountOrder> {
    const [id, params] = this.refArgs(ref, 'fetchOrder');
    const order = await this.call('fetchOrder', () => this.#exchange.fetchOrder(id as string, symbol, { ...FETCH_ORDER_PARAMS[this.#exchange.id], ...params }));
    return this.toOrder('fetchOrder', order, this.market('fetchOrder', symbol));
  }

  /**
   * The order with that id, or null when the venue answers that it has none (ccxt's OrderNotFound).
   * Bybit is asked through its order lists (the recent orders, then the history), which answer an
   * empty list for an unknown id where ccxt 4.5.84's fetchOrder fails on it.
   */
  async findOrder(ref: OrderRef, symbol: string): Promise<AccountOrder | null> {
    if (this.#exchange.id === 'bybit') {
      await this.loadMarkets();
      const params = 'orderId' in ref ? { orderId: ref.orderId } : { orderLinkId: ref.clientOrderId };
      const market = this.market('fetchOpenOrders', symbol);
      for (const [method, run] of [
        ['fetchOpenOrders', () => this.#exchange.fetchOpenOrders(symbol, undefined, undefined, params)],
        ['fetchClosedOrders', () => this.#exchange.fetchClosedOrders(symbol, undefined, undefined, params)],
      ] as const) {
        const found = (await this.call(method, run)).filter((o) => ('orderId' in ref ? o.id === ref.orderId : o.clientOrderId === ref.clientOrderId));
        if (found.length > 0) return this.toOrder(method, found[0], market);
      }
      return null;
    }
    try {
      return await this.fetchOrder(ref, symbol);
    } catch (error) {
      if (isCcxtError(error, 'OrderNotFound')) return null;
      throw error;
    }
  }

  /** The account's trades on a symbol: of one order (by the venue's order id), or since a time; oldest first. */
  async fetchMyTrades(symbol: string, options: { orderId?: string; sinceMs?: number; limit?: number } = {}): Promise<AccountTrade[]> {
    await this.loadMarkets();
    const market = this.market('fetchMyTrades', symbol);
    const param = ORDER_TRADES_PARAM[this.#exchange.id];
    const params = options.orderId !== undefined && param !== undefined ? { [param]: options.orderId } : {};
    const trades = await this.call('fetchMyTrades', () => this.#exchange.fetchMyTrades(symbol, options.sinceMs, options.limit, params));
    return this.toTrades('fetchMyTrades', trades, market).filter((t) => options.orderId === undefined || t.orderId === options.orderId);
  }

  /** The account's funding settlements on a perp since a time, oldest first. */
  async fetchFundingHistory(symbol: string, sinceMs?: number): Promise<AccountFundingRow[]> {
    await this.loadMarkets();
    const market = this.market('fetchFundingHistory', symbol);
    const rows = await this.call('fetchFundingHistory', () => this.#exchange.fetchFundingHistory(symbol, sinceMs) as Promise<FundingHistory[]>);
    return rows
      .filter((r) => r.symbol === undefined || r.symbol === symbol)
      .map((r) => toAccountFundingRow(this.#exchange.id, this.venue, r, market))
      .sort((a, b) => a.venueTimeMs - b.venueTimeMs);
  }

  /** The settled rate and mark of a perp's settlement at `timeMs` (public funding history), null when the venue lists none there. */
  async fetchSettledFunding(symbol: string, timeMs: number): Promise<{ fundingRatePerInterval: number; markPrice: number | null } | null> {
    const rows = await this.call('fetchFundingRateHistory', () => this.#exchange.fetchFundingRateHistory(symbol, timeMs - 1000, 5));
    const row = rows.find((r) => r.timestamp === timeMs);
    const rate = row?.fundingRate;
    if (row === undefined || typeof rate !== 'number' || !Number.isFinite(rate)) return null;
    const mark = Number((row.info as Record<string, unknown> | undefined)?.markPrice);
    return { fundingRatePerInterval: rate, markPrice: Number.isFinite(mark) && mark > 0 ? mark : null };
  }

  /** Whether order and trade streams are there (ccxt.pro client with watchOrders and watchMyTrades). */
  canStream(): boolean {
    return this.streams && hasMethod(this.#exchange, 'watchOrders') && hasMethod(this.#exchange, 'watchMyTrades');
  }

  /** The next batch of order updates of the account type (ccxt.pro): resolves when the venue pushes some. */
  async watchOrders(): Promise<AccountOrder[]> {
    await this.streamReady();
    const orders = await this.call('watchOrders', () => this.#exchange.watchOrders());
    return orders.filter((o) => typeof o.symbol === 'string' && this.#exchange.markets?.[o.symbol] !== undefined).map((o) => this.toOrder('watchOrders', o, this.market('watchOrders', o.symbol)));
  }

  /** The next batch of the account's trades (ccxt.pro). */
  async watchMyTrades(): Promise<AccountTrade[]> {
    await this.streamReady();
    const trades = await this.call('watchMyTrades', () => this.#exchange.watchMyTrades());
    return trades.filter((t) => typeof t.symbol === 'string' && this.#exchange.markets?.[t.symbol] !== undefined).flatMap((t) => this.toTrades('watchMyTrades', [t], this.market('watchMyTrades', t.symbol!)));
  }

  /** The venue's order-size rules of a market in OrderRequest units (ccxt `limits`, the lot from its amount precision); null when the market is unknown (markets not loaded). */
  orderRules(symbol: string): OrderRules | null {
    const market = this.#exchange.markets?.[symbol];
    if (!market) return null;
    const limits = market.limits ?? {};
    const unit = market.contract && !market.inverse ? amountUnitSize(this.venue, market) : 1;
    const units = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? Number((v * unit).toPrecision(12)) : null);
    const cost = limits.cost?.min;
    return {
      symbol,
      lotSize: units(precisionToStep(market.precision?.amount, this.precisionMode)),
      minQuantity: units(limits.amount?.min),
      maxQuantity: units(limits.amount?.max),
      minNotional: typeof cost === 'number' && Number.isFinite(cost) && cost > 0 ? cost : null,
    };
  }

  get ccxtId(): string {
    return this.#exchange.id;
  }

  /** The ccxt market of a symbol (markets loaded), undefined when unknown. */
  marketOf(symbol: string): Market | undefined {
    return this.#exchange.markets?.[symbol];
  }

  /** Every market ccxt loaded (loadMarkets first). */
  markets(): Market[] {
    return Object.values(this.#exchange.markets ?? {});
  }

  /** ccxt's precision mode (for marketToInstrument). */
  get precisionMode(): number {
    return this.#exchange.precisionMode ?? Number.NaN;
  }

  /** The venue's receive window, ms: a signed request older than this when it arrives is refused (Binance, Bybit); null where ccxt sends none. */
  get recvWindowMs(): number | null {
    const value = (this.#exchange.options as Record<string, unknown>).recvWindow;
    return typeof value === 'number' && value > 0 ? value : null;
  }

  /**
   * The margin mode is taken where the venue's leverage call sets it too: OKX (optional, ccxt's
   * default cross) and Gate (required: cross sends leverage 0 with cross_leverage_limit, isolated the
   * leverage itself; Gate has no other margin-mode call in ccxt). Elsewhere it is refused: set it with
   * setMarginMode.
   */
  async setLeverage(symbol: string, leverage: number, marginMode?: MarginMode): Promise<void> {
    this.requireTrading('setLeverage');
    const where = { source: `${this.venue} setLeverage ${symbol}` };
    if (!Number.isInteger(leverage) || leverage < 1) throw new InputError(where, `leverage must be a positive integer (got ${leverage})`);
    const withMode = LEVERAGE_MARGIN_MODE[this.#exchange.id];
    if (withMode === undefined && marginMode !== undefined) throw new InputError(where, `${this.venue} sets the leverage alone: set the margin mode with setMarginMode`);
    if (withMode?.required && marginMode === undefined) {
      throw new InputError(where, `${this.venue} sets the margin mode with the leverage (a leverage alone is isolated there): give 'cross' or 'isolated'`);
    }
    const params = withMode && marginMode ? withMode.params(marginMode, leverage) : {};
    await this.call('setLeverage', () => this.#exchange.setLeverage(leverage, symbol, params));
  }

  /** OKX sets the margin mode together with a leverage (required there, refused elsewhere). */
  async setMarginMode(symbol: string, mode: MarginMode, leverage?: number): Promise<void> {
    this.requireTrading('setMarginMode');
    const where = { source: `${this.venue} setMarginMode ${symbol}` };
    const withLeverage = MARGIN_MODE_WITH_LEVERAGE.has(this.#exchange.id);
    if (withLeverage && leverage === undefined) throw new InputError(where, `${this.venue} sets the margin mode together with a leverage: give one`);
    if (!withLeverage && leverage !== undefined) throw new InputError(where, `${this.venue} sets the margin mode alone: set the leverage with setLeverage`);
    await this.call('setMarginMode', () => this.#exchange.setMarginMode(mode, symbol, leverage === undefined ? {} : { leverage }));
  }

  async setPositionMode(mode: PositionMode, symbol?: string): Promise<void> {
    this.requireTrading('setPositionMode');
    await this.call('setPositionMode', () => this.#exchange.setPositionMode(mode === 'hedged', symbol));
  }

  async loadMarkets(): Promise<void> {
    await this.call('loadMarkets', () => this.#exchange.loadMarkets());
  }

  async close(): Promise<void> {
    await this.#exchange.close();
  }

  /** Runs a ccxt call after checking ccxt's `has`, mapping any failure to a VenueError without credentials. */
  private async call<T>(method: string, run: () => Promise<T>): Promise<T> {
    if ((ACCOUNT_METHODS as readonly string[]).includes(method) && !hasMethod(this.#exchange, method)) {
      throw new UnsupportedMethodError(this.venue, method, this.#exchange.id);
    }
    try {
      return await run();
    } catch (error) {
      throw toAccountVenueError(error, this.#exchange.id, this.venue, method, this.#secrets);
    }
  }

  private requireTrading(method: AccountMethod): void {
    if (this.mode !== 'live' && this.mode !== 'testnet') throw new TradingDisabledError(this.venue, method);
  }

  private market(method: string, symbol: string | undefined): Market {
    const market = symbol === undefined ? undefined : this.#exchange.markets?.[symbol];
    if (!market) throw new VenueError(this.venue, method, 'badResponse', `the answer names a market ccxt does not know (${String(symbol)})`, false);
    return market;
  }

  private refArgs(ref: OrderRef, method: AccountMethod): [string | undefined, Record<string, unknown>] {
    if ('orderId' in ref) return [ref.orderId, {}];
    const lookup = CLIENT_ID_RULES[this.#exchange.id]?.lookup;
    if (typeof lookup === 'string') throw new VenueError(this.venue, method, 'unsupported', `by client order id ${ref.clientOrderId}: ${lookup}`, false);
    return lookup ? lookup(ref.clientOrderId) : [undefined, { clientOrderId: ref.clientOrderId }];
  }

  /** A ccxt order, with the venue's own reading of the client id (Gate's "t-" prefix, Deribit's label) applied. */
  private toOrder(method: string, order: Order, market: Market): AccountOrder {
    return toAccountOrder(this.venue, method, venueOrderFields(this.#exchange.id, order) as Order, market);
  }

  private toTrades(method: string, trades: Trade[], market: Market): AccountTrade[] {
    return trades.map((t) => toAccountTrade(this.#exchange.id, this.venue, method, t, market)).sort((a, b) => (a.venueTimeMs ?? 0) - (b.venueTimeMs ?? 0));
  }

  private async streamReady(): Promise<void> {
    if (!this.streams) throw new UnsupportedMethodError(this.venue, 'watchOrders', this.#exchange.id);
    await this.loadMarkets();
    // ccxt needs an http agent for plain ws:// URLs (a loopback exchange); harmless for wss://.
    if (!this.#agentLoaded) await this.#exchange.loadHttpProxyAgent();
    this.#agentLoaded = true;
  }

  /** Acknowledgements that do not echo the client id (Binance's cancel does; OKX's may not) keep the one sent. */
  private withClientId(order: AccountOrder, clientOrderId: string | null): AccountOrder {
    return order.clientOrderId === null && clientOrderId !== null ? { ...order, clientOrderId } : order;
  }
}
