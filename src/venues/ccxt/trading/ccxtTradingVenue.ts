import type { Clock } from '../../../core/timers.ts';
import type { Instrument } from '../../../domain/instrument.ts';
import { advancesOrder, isTerminalOrderState } from '../../../domain/orderLifecycle.ts';
import type { Fill, OrderRequest, OrderStatus, OrderUpdate } from '../../../domain/trading.ts';
import { OrderInFlightError } from '../../orderInFlightError.ts';
import type {
  AccountBalance,
  AccountOrder,
  AccountPosition,
  AccountTrade,
  MarginMode,
  OrderNeed,
  OrderRules,
  OrderSketch,
  TradingVenue,
  TradingVenueEvent,
  TradingVenueListener,
  VenueBalance,
  VenueOrder,
  VenuePosition,
} from '../../tradingTypes.ts';
import { VenueError } from '../../types.ts';
import type { CcxtAccount } from '../ccxtAccount.ts';
import { isSkipped, marketToInstrument } from '../instruments.ts';
import { AccountFunds, isUnifiedAccountVenue, orderNeedOf, walletName } from './accountFunds.ts';
import { AccountStreams, type ReconnectBackoff } from './accountStreams.ts';
import { clientOrderIdProblem } from './clientOrderIds.ts';
import { ClockDelays } from './clockDelay.ts';
import { fundingPaymentOf } from './fundingPayments.ts';
import { classifySubmitFailure } from './submitOutcome.ts';
import { TrackedOrders, viewOf, type TrackedOrder, type TrackedOrderView } from './trackedOrders.ts';

/** How an order in flight is checked: fetched by client id after `firstCheckAfterMs`, then every `checkEveryMs`, `checks` times in all. */
export interface InFlightPolicy {
  firstCheckAfterMs: number;
  checkEveryMs: number;
  checks: number;
}

export const DEFAULT_IN_FLIGHT_POLICY: Readonly<InFlightPolicy> = Object.freeze({ firstCheckAfterMs: 5_000, checkEveryMs: 2_000, checks: 5 });

export interface CcxtTradingVenueOptions {
  /**
   * The venue's account clients (mode 'live' or 'testnet' to trade; a read-only one refuses every
   * order, nothing sent). Binance: a 'spot' and a 'swap' account (two wallets); Bybit and OKX: one
   * unified account, as one client or one per type. The venue owns them (close() closes them).
   */
  accounts: readonly CcxtAccount[];
  clock: Clock;
  /** The markets traded (default: every market the accounts load). */
  symbols?: readonly string[];
  inFlight?: Partial<InFlightPolicy>;
  /** A createOrder refused with 429 (not processed) goes again under the same client id after delayMs x 2^n, `retries` times. Default 2 retries, 1 s. */
  rateLimitRetry?: { retries: number; delayMs: number };
  /** Stream order and trade updates where the account can (ccxt.pro watchOrders / watchMyTrades). Default true. */
  streams?: boolean;
  /** REST polling of open orders when an account does not stream, or while its stream is down. Default 1 s. */
  pollIntervalMs?: number;
  /** How often the account's funding history is read. Default 60 s. */
  fundingPollMs?: number;
  /** Funding settled since this time is read (a restarted session: its first start, so payments made while it was down are booked). Default: start(). */
  fundingSinceMs?: number;
  /** How often balances are re-read for the pre-trade check (and shortly after fills). Default 30 s. */
  balanceRefreshMs?: number;
  /** Leverage the pre-trade margin estimate uses where neither a setLeverage nor a position told it. Default 1 (conservative). */
  defaultLeverage?: number;
  reconnect?: ReconnectBackoff;
  /**
   * An order in flight that the checks could not settle (the venue kept failing, or it has no
   * receive window that makes "not found" final): the runtime reconciles it and calls
   * settleFromReconciliation. Until then it stays in flight.
   */
  onUnresolved?: (order: TrackedOrderView, why: string) => void;
  /** One line per notable event (a stream down and up, a fill without a fee, a listener that threw). Never carries secrets. */
  onReport?: (line: string) => void;
}

const QTY_EPS = 1e-12;

/**
 * A live venue behind the TradingVenue interface: orders, fills, funding and account views through
 * ccxt (CcxtAccount), with the order lifecycle of src/domain/orderLifecycle.ts.
 *
 * - submit sends with the caller's client order id (checked against the venue's rules first). A
 *   reply proves the order taken (its state is settled by the reply, or a fetch when the reply
 *   carries only ids); a refusal is a rejection; a 429 is retried under the same id; anything else
 *   (timeout, 5xx, dropped connection, lost reply) leaves the order IN FLIGHT: submit rejects with
 *   OrderInFlightError and the order is fetched by client id after 5 s, then every 2 s, 5 times (the
 *   clock's timers). Not found by then, past the venue's receive window, it is rejected (a request
 *   that old can no longer be accepted); otherwise it is handed to reconciliation (onUnresolved).
 * - Fills come from the order's trades (REST, by order id) and the trade stream, each once by trade
 *   id, always before the order update that reports them; order updates from the stream or, where
 *   there is none or it is down, from REST polling. A stream that drops is resubscribed after a
 *   backoff while polling fills the gap.
 * - Funding payments come from the account's funding history (fundingPayments.ts).
 * - The venue's own market is its exchange's: onMarketData and advanceTo do nothing.
 */
export class CcxtTradingVenue implements TradingVenue {
  readonly venue: string;
  private readonly accounts: readonly CcxtAccount[];
  private readonly clock: Clock;
  private readonly delays: ClockDelays;
  private readonly orders = new TrackedOrders();
  private readonly listeners: TradingVenueListener[] = [];
  private readonly pending = new Set<Promise<unknown>>();
  private readonly policy: InFlightPolicy;
  private readonly options: CcxtTradingVenueOptions;
  private readonly funds = new AccountFunds();
  private readonly streams = new Map<CcxtAccount, AccountStreams>();
  private readonly leverage = new Map<string, number>();
  private readonly marginModes = new Map<string, MarginMode>();
  /** Signed position per derivative symbol: the venue's at start, moved by the fills emitted since. */
  private readonly positionQty = new Map<string, number>();
  private readonly fundingSeen = new Set<string>();
  private readonly foreignSeen = new Set<string>();
  private fundingSinceMs = 0;
  private balanceRefreshTimer: number | null = null;
  private started = false;
  private closed = false;

  constructor(options: CcxtTradingVenueOptions) {
    if (options.accounts.length === 0) throw new Error('CcxtTradingVenue: give at least one account');
    const venues = new Set(options.accounts.map((a) => a.venue));
    if (venues.size !== 1) throw new Error(`CcxtTradingVenue: the accounts are of several venues (${[...venues].join(', ')})`);
    this.venue = options.accounts[0].venue;
    this.accounts = options.accounts;
    this.clock = options.clock;
    this.delays = new ClockDelays(options.clock);
    this.policy = { ...DEFAULT_IN_FLIGHT_POLICY, ...options.inFlight };
    this.options = options;
  }

  // ---- start and stop -----------------------------------------------------------------------

  /** Loads the markets, reads balances and positions, and starts the streams, polling and funding timers. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    for (const account of this.accounts) await account.loadMarkets();
    this.fundingSinceMs = this.options.fundingSinceMs ?? this.clock.nowMs();
    await this.refreshBalances();
    for (const account of this.derivativeAccounts()) {
      for (const p of await account.fetchPositions()) {
        this.positionQty.set(p.symbol, p.quantity);
        if (p.leverage !== null) this.leverage.set(p.symbol, p.leverage);
        if (p.marginMode !== null) this.marginModes.set(p.symbol, p.marginMode);
      }
    }
    // Funding of the traded perps is read from fundingSinceMs even where no position is open now.
    for (const symbol of this.options.symbols ?? []) if (this.accountFor(symbol)?.marketOf(symbol)?.swap === true && !this.positionQty.has(symbol)) this.positionQty.set(symbol, 0);
    if (this.options.streams !== false) {
      for (const account of this.accounts) {
        if (!account.canStream()) continue;
        const streams = new AccountStreams(
          account,
          this.delays,
          {
            orders: (orders) => orders.forEach((o) => this.onStreamOrder(o)),
            trades: (trades) => trades.forEach((t) => this.onStreamTrade(t)),
            down: (stream, reason) => {
              this.report(`${this.venue} ${account.accountType} ${stream} stream down (REST polling fills the gap): ${reason}`);
              this.track(this.pollOrders());
            },
            up: (stream) => this.report(`${this.venue} ${account.accountType} ${stream} stream up again`),
          },
          this.options.reconnect,
        );
        this.streams.set(account, streams);
        streams.start();
      }
    }
    this.every(this.options.pollIntervalMs ?? 1_000, () => this.pollOrders(true));
    this.every(this.options.fundingPollMs ?? 60_000, () => this.pollFunding());
    this.every(this.options.balanceRefreshMs ?? 30_000, () => this.refreshBalances());
  }

  /** Resolves once no request of the venue is pending (stream loops aside). */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  /** Stops streams and timers, waits for pending requests and closes the accounts. Orders still in flight stay so (see inFlightOrders). */
  async close(): Promise<void> {
    this.closed = true;
    for (const s of this.streams.values()) s.stop();
    this.delays.cancelAll();
    await this.idle();
    for (const account of this.accounts) await account.close();
  }

  // ---- TradingVenue: requests -------------------------------------------------------------

  async instruments(): Promise<Instrument[]> {
    const out = new Map<string, Instrument>();
    const wanted = this.options.symbols ? new Set(this.options.symbols) : null;
    for (const account of this.accounts) {
      await account.loadMarkets();
      for (const market of account.markets()) {
        if (wanted !== null && !wanted.has(market.symbol)) continue;
        if (out.has(market.symbol) || this.accountFor(market.symbol) !== account) continue;
        const instrument = marketToInstrument(this.venue, market, account.precisionMode);
        if (!isSkipped(instrument)) out.set(market.symbol, instrument);
      }
    }
    return [...out.values()].sort((a, b) => a.symbol.localeCompare(b.symbol));
  }

  submit(order: OrderRequest): Promise<OrderUpdate> {
    return this.track(this.submitNow(order));
  }

  cancel(clientOrderId: string): Promise<OrderUpdate> {
    return this.track(this.cancelNow(clientOrderId));
  }

  async openOrders(symbol?: string): Promise<VenueOrder[]> {
    const accounts = symbol === undefined ? this.accounts : [this.requireAccount(symbol, 'fetchOpenOrders')];
    const out: VenueOrder[] = [];
    for (const account of accounts) {
      for (const o of await account.fetchOpenOrders(symbol)) out.push(this.venueOrderOf(o));
    }
    return out;
  }

  /** The order with that client order id as the venue has it now, or null when it has none. */
  async fetchOrder(clientOrderId: string, symbol?: string): Promise<AccountOrder | null> {
    const where = symbol ?? this.orders.get(clientOrderId)?.request.symbol;
    if (where === undefined) throw new VenueError(this.venue, 'fetchOrder', 'exchange', `order ${clientOrderId}: name its symbol (perp-arb did not send it in this session)`, false);
    return this.requireAccount(where, 'fetchOrder').findOrder({ clientOrderId }, where);
  }

  /** The account's fills on a symbol since a time, as Fill records (reconciliation: fills while down). */
  async myTrades(symbol: string, sinceMs: number): Promise<Fill[]> {
    const trades = await this.requireAccount(symbol, 'fetchMyTrades').fetchMyTrades(symbol, { sinceMs });
    return trades.map((t) => this.fillOf(t, (t.orderId !== null ? this.orders.byOrderId(t.orderId)?.request.clientOrderId : undefined) ?? t.clientOrderId ?? ''));
  }

  /** Positions as the venue reports them, nulls kept (reconciliation). */
  async accountPositions(): Promise<AccountPosition[]> {
    const out: AccountPosition[] = [];
    for (const account of this.derivativeAccounts()) out.push(...(await account.fetchPositions()));
    return out;
  }

  /** Balances per wallet as the venue reports them, nulls kept (reconciliation). */
  async accountBalances(): Promise<{ wallet: string; balances: AccountBalance[] }[]> {
    const out: { wallet: string; balances: AccountBalance[] }[] = [];
    for (const [wallet, account] of this.walletAccounts()) out.push({ wallet, balances: await account.fetchBalances() });
    return out;
  }

  /** Positions in the TradingVenue shape; a figure the venue does not give is NaN (accountPositions keeps nulls). */
  async positions(): Promise<VenuePosition[]> {
    return (await this.accountPositions()).map((p) => ({
      venue: p.venue,
      symbol: p.symbol,
      quantity: p.quantity,
      entryPrice: p.entryPrice ?? Number.NaN,
      markPrice: p.markPrice ?? Number.NaN,
      unrealisedPnl: p.unrealisedPnl ?? Number.NaN,
      settleAsset: p.settleAsset,
      marginMode: p.marginMode ?? this.marginModes.get(p.symbol) ?? 'cross',
      leverage: p.leverage ?? this.leverage.get(p.symbol) ?? Number.NaN,
      initialMargin: p.initialMargin ?? Number.NaN,
      maintenanceMargin: p.maintenanceMargin ?? Number.NaN,
      isolatedMargin: p.isolatedMargin,
      liquidationPrice: p.liquidationPrice,
    }));
  }

  /**
   * Balances in the TradingVenue shape, one row per wallet and asset: ccxt's total as the wallet
   * balance and equity, its free as available; what ccxt does not split (position, order and
   * maintenance margin, unrealised PnL) is NaN.
   */
  async balances(): Promise<VenueBalance[]> {
    const out: VenueBalance[] = [];
    for (const { wallet, balances } of await this.accountBalances()) {
      this.funds.set(wallet, balances);
      for (const b of balances) {
        const nan = Number.NaN;
        out.push({ asset: b.asset, walletBalance: b.total ?? nan, unrealisedPnl: nan, equity: b.total ?? nan, positionMargin: nan, orderMargin: nan, borrowMargin: nan, maintenanceMargin: nan, available: b.free ?? nan, borrowed: nan, wallet });
      }
    }
    return out;
  }

  /** Gate sets its leverage with the margin mode (the one set here before, else cross). */
  async setLeverage(symbol: string, leverage: number): Promise<void> {
    const account = this.requireAccount(symbol, 'setLeverage');
    await account.setLeverage(symbol, leverage, account.ccxtId === 'gate' ? (this.marginModes.get(symbol) ?? 'cross') : undefined);
    this.leverage.set(symbol, leverage);
  }

  /** OKX sets the margin mode with a leverage (the one known), Gate through its leverage call. */
  async setMarginMode(symbol: string, mode: MarginMode): Promise<void> {
    const account = this.requireAccount(symbol, 'setMarginMode');
    const leverage = this.leverage.get(symbol);
    if (account.ccxtId === 'gate' || account.ccxtId === 'okx') {
      if (leverage === undefined) throw new VenueError(this.venue, 'setMarginMode', 'exchange', `${symbol}: ${this.venue} sets the margin mode with a leverage: call setLeverage first`, false);
      if (account.ccxtId === 'gate') await account.setLeverage(symbol, leverage, mode);
      else await account.setMarginMode(symbol, mode, leverage);
    } else await account.setMarginMode(symbol, mode);
    this.marginModes.set(symbol, mode);
  }

  subscribe(listener: TradingVenueListener): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  onMarketData(): void {}

  advanceTo(): void {}

  orderRules(symbol: string): OrderRules | null {
    return this.accountFor(symbol)?.orderRules(symbol) ?? null;
  }

  orderNeed(order: OrderSketch): OrderNeed | null {
    const account = this.accountFor(order.symbol);
    const market = account?.marketOf(order.symbol);
    if (account === undefined || market === undefined) return null;
    return orderNeedOf(market, order, {
      wallet: walletName(this.venue, account.accountType),
      leverage: this.leverage.get(order.symbol) ?? this.options.defaultLeverage ?? 1,
      takerFeeRate: typeof market.taker === 'number' ? market.taker : 0,
      contractSize: typeof market.contractSize === 'number' ? market.contractSize : 1,
      available: (wallet, asset) => this.funds.available(wallet, asset),
    });
  }

  // ---- order lifecycle: views and hooks for status, flatten and reconciliation ---------------

  order(clientOrderId: string): TrackedOrderView | undefined {
    const o = this.orders.get(clientOrderId);
    return o === undefined ? undefined : viewOf(o);
  }

  /** Orders whose outcome is not known yet (submitted without a reply, or in flight). */
  inFlightOrders(): TrackedOrderView[] {
    return this.orders.live().filter((o) => o.state === 'submitted' || o.state === 'inFlight').map(viewOf);
  }

  /**
   * Takes over an order a journal says was sent but whose outcome was never learned (a restart):
   * it is in flight, checked by client id as if just sent (the first check at once when its send is
   * older than the first delay). `orderId`: the venue's id when the journal has it (then it is
   * looked up by that id).
   */
  adopt(request: OrderRequest, sentAtMs: number, orderId: string | null = null): void {
    if (request.venue !== this.venue) throw new Error(`adopt: order ${request.clientOrderId} is for ${request.venue}, this venue is ${this.venue}`);
    if (this.orders.get(request.clientOrderId) !== undefined) return;
    const order = this.orders.add(request);
    if (orderId !== null) this.orders.setOrderId(order, orderId);
    order.state = 'inFlight';
    order.sentAtMs = sentAtMs;
    order.checkGridFromMs = Math.min(sentAtMs, this.clock.nowMs() - this.policy.firstCheckAfterMs);
    this.scheduleCheck(order);
  }

  /** Reconciliation's answer for an order in flight: the venue's order, or null when it has none (then rejected with `reason`). */
  settleFromReconciliation(clientOrderId: string, found: AccountOrder | null, reason: string): Promise<void> {
    const order = this.orders.get(clientOrderId);
    if (order === undefined) return Promise.resolve();
    if (found !== null) return this.track(this.apply(order, found));
    return this.track(this.serial(order, async () => this.emitUpdate(order, 'rejected', `reconciliation: ${reason}`)));
  }

  /** Reads the account's funding history now (also on its timer) and emits the new settlements. */
  async pollFunding(): Promise<void> {
    for (const symbol of [...this.positionQty.keys()]) {
      const account = this.accountFor(symbol);
      if (account === undefined || account.marketOf(symbol)?.swap !== true) continue;
      const rows = await account.fetchFundingHistory(symbol, this.fundingSinceMs);
      for (const row of rows) {
        const key = `${row.symbol}:${row.id}`;
        if (this.fundingSeen.has(key) || row.venueTimeMs < this.fundingSinceMs) continue;
        const complete = row.fundingRatePerInterval !== null && row.markPrice !== null;
        const settled = complete ? null : await account.fetchSettledFunding(symbol, row.venueTimeMs);
        const payment = fundingPaymentOf(row, { settled, trackedPositionQty: this.positionQty.get(symbol) ?? null, lotSize: account.orderRules(symbol)?.lotSize ?? null });
        if (typeof payment === 'string') {
          this.report(`${this.venue} funding: ${payment} (read again on the next poll)`);
          continue;
        }
        this.fundingSeen.add(key);
        this.emit({ type: 'funding', payment });
      }
    }
  }

  // ---- internals: sending ------------------------------------------------------------------

  private async submitNow(request: OrderRequest): Promise<OrderUpdate> {
    const refuse = (reason: string, emit: boolean): OrderUpdate => {
      const update = this.updateOf(request, 'rejected', 0, reason);
      if (emit) this.emit({ type: 'order', update });
      return update;
    };
    if (this.orders.get(request.clientOrderId) !== undefined) return refuse(`duplicateClientOrderId: ${request.clientOrderId} was sent before`, false);
    if (request.venue !== this.venue) return refuse(`wrongVenue: order for venue ${request.venue} sent to ${this.venue}`, true);
    const problem = clientOrderIdProblem(this.venue, request.clientOrderId);
    if (problem !== null) return refuse(`invalidOrder: ${problem}`, true);
    const account = this.accountFor(request.symbol);
    if (account === undefined) return refuse(`unknownSymbol: ${this.venue} does not list ${request.symbol}`, true);
    this.orders.prune(this.clock.nowMs());
    const order = this.orders.add(request);
    order.state = 'submitted';
    order.sentAtMs = this.clock.nowMs();
    this.positionQty.set(request.symbol, this.positionQty.get(request.symbol) ?? 0);
    const retry = this.options.rateLimitRetry ?? { retries: 2, delayMs: 1_000 };
    for (let attempt = 0; ; attempt++) {
      let ack: AccountOrder;
      try {
        ack = await account.createOrder(request);
      } catch (error) {
        // A stream may have settled the order while the send failed (a lost reply): its word stands.
        if (order.state !== 'submitted') return this.currentUpdate(order);
        const failure = classifySubmitFailure(error, account.ccxtId);
        if (failure.outcome === 'retry' && attempt < retry.retries && !this.closed) {
          this.report(`${this.venue} order ${request.clientOrderId}: refused unprocessed (${failure.reason}); sent again under the same id in ${retry.delayMs * 2 ** attempt} ms`);
          await this.delays.wait(retry.delayMs * 2 ** attempt);
          continue;
        }
        if (failure.outcome !== 'inFlight') {
          await this.serial(order, async () => this.emitUpdate(order, 'rejected', failure.reason));
          return this.currentUpdate(order);
        }
        order.state = 'inFlight';
        order.reason = failure.reason;
        this.scheduleCheck(order);
        throw new OrderInFlightError(this.venue, request.clientOrderId, failure.reason);
      }
      await this.apply(order, ack);
      // An acknowledgement with the ids alone (Bybit, OKX) proves the order taken: its state comes from a fetch.
      if (ack.status === null) await this.refresh(order).catch((e: unknown) => this.report(`${this.venue} order ${request.clientOrderId}: taken, state not read yet (${(e as Error).message})`));
      return this.currentUpdate(order);
    }
  }

  private async cancelNow(clientOrderId: string): Promise<OrderUpdate> {
    const order = this.orders.get(clientOrderId);
    if (order === undefined) return { clientOrderId, venue: this.venue, symbol: '', status: 'rejected', filledQuantity: 0, reason: `cancel rejected: unknown order ${clientOrderId}`, ts: this.clock.nowMs() };
    if (isTerminalOrderState(order.state)) return { ...this.currentUpdate(order), reason: `cancel rejected: order is ${order.state}` };
    const account = this.requireAccount(order.request.symbol, 'cancelOrder');
    let refused: string | null = null;
    try {
      const ack = await account.cancelOrder({ clientOrderId }, order.request.symbol);
      if (ack.status !== null) await this.apply(order, ack);
    } catch (error) {
      refused = error instanceof Error ? error.message : String(error);
    }
    if (order.state !== 'canceled') await this.refresh(order).catch(() => {});
    const update = this.currentUpdate(order);
    if (update.status === 'canceled') return update;
    return { ...update, reason: `cancel rejected: ${refused ?? `order is ${order.state}`}` };
  }

  // ---- internals: learning an order's state ---------------------------------------------------

  /** Runs work on one order after the work already queued on it. */
  private serial(order: TrackedOrder, run: () => Promise<void>): Promise<void> {
    const next = order.chain.then(run);
    order.chain = next.catch((error: unknown) => this.report(`${this.venue} order ${order.request.clientOrderId}: ${(error as Error).message}`));
    return next;
  }

  /** The venue's report of the order: its fills first (fetched by order id up to the reported quantity), then the update. */
  private apply(order: TrackedOrder, report: AccountOrder): Promise<void> {
    return this.serial(order, async () => {
      if (report.orderId !== '') this.orders.setOrderId(order, report.orderId);
      if (isTerminalOrderState(order.state)) return;
      const status: OrderStatus = report.status ?? 'accepted';
      const venueFilled = report.filledQuantity ?? (status === 'filled' ? order.request.quantity : 0);
      if (venueFilled > order.venueFilledQuantity) order.venueFilledQuantity = venueFilled;
      if (order.venueFilledQuantity > order.filledQuantity + QTY_EPS) await this.bookTrades(order);
      if (isTerminalOrderState(status) && order.filledQuantity < order.venueFilledQuantity - QTY_EPS) {
        // The trade list lags the order: say what is booked, and read again until every fill is.
        if (order.filledQuantity > 0) this.emitUpdate(order, 'partiallyFilled', null);
        this.delays.after(this.options.pollIntervalMs ?? 1_000, () => this.track(this.refresh(order)));
        return;
      }
      this.emitUpdate(order, status, status === 'rejected' ? 'rejected by the venue' : null);
    });
  }

  private async refresh(order: TrackedOrder): Promise<void> {
    const found = await this.requireAccount(order.request.symbol, 'fetchOrder').findOrder(order.orderId !== null ? { orderId: order.orderId } : { clientOrderId: order.request.clientOrderId }, order.request.symbol);
    if (found !== null) await this.apply(order, found);
  }

  private async bookTrades(order: TrackedOrder): Promise<void> {
    const account = this.requireAccount(order.request.symbol, 'fetchMyTrades');
    const trades =
      order.orderId !== null
        ? await account.fetchMyTrades(order.request.symbol, { orderId: order.orderId })
        : (await account.fetchMyTrades(order.request.symbol, { sinceMs: (order.sentAtMs ?? this.clock.nowMs()) - 60_000 })).filter((t) => t.clientOrderId === order.request.clientOrderId);
    for (const trade of trades) this.bookTrade(order, trade);
  }

  private bookTrade(order: TrackedOrder, trade: AccountTrade): void {
    if (order.tradeIds.has(trade.tradeId)) return;
    order.tradeIds.add(trade.tradeId);
    const fill = this.fillOf(trade, order.request.clientOrderId);
    order.filledQuantity = Number((order.filledQuantity + fill.quantity).toPrecision(15));
    if (order.filledQuantity > order.venueFilledQuantity) order.venueFilledQuantity = order.filledQuantity;
    if (this.accountFor(fill.symbol)?.marketOf(fill.symbol)?.spot !== true) {
      const signed = fill.side === 'buy' ? fill.quantity : -fill.quantity;
      this.positionQty.set(fill.symbol, Number(((this.positionQty.get(fill.symbol) ?? 0) + signed).toPrecision(15)));
    }
    this.emit({ type: 'fill', fill });
    this.soonRefreshBalances();
  }

  private fillOf(trade: AccountTrade, clientOrderId: string): Fill {
    const market = this.accountFor(trade.symbol)?.marketOf(trade.symbol);
    let fee = trade.fee;
    let feeAsset = trade.feeAsset;
    if (fee === null || feeAsset === null) {
      this.report(`${this.venue} trade ${trade.tradeId} of ${trade.symbol}: the venue gave no fee; booked as 0`);
      fee ??= 0;
      feeAsset ??= market?.settle ?? market?.quote ?? 'USDT';
    }
    if (trade.liquidity === null) this.report(`${this.venue} trade ${trade.tradeId}: the venue did not say maker or taker; booked as taker`);
    return { fillId: `${this.venue}:${trade.symbol}:${trade.tradeId}`, clientOrderId, venue: this.venue, symbol: trade.symbol, side: trade.side, quantity: trade.quantity, price: trade.price, fee, feeAsset, liquidity: trade.liquidity ?? 'taker', ts: trade.venueTimeMs ?? this.clock.nowMs() };
  }

  private onStreamOrder(report: AccountOrder): void {
    const order = (report.clientOrderId !== null ? this.orders.get(report.clientOrderId) : undefined) ?? this.orders.byOrderId(report.orderId);
    if (order === undefined) return this.foreign(`order ${report.clientOrderId ?? report.orderId}`);
    this.track(this.apply(order, report));
  }

  private onStreamTrade(trade: AccountTrade): void {
    const order = (trade.orderId !== null ? this.orders.byOrderId(trade.orderId) : undefined) ?? (trade.clientOrderId !== null ? this.orders.get(trade.clientOrderId) : undefined);
    if (order === undefined) return this.foreign(`trade ${trade.tradeId} of order ${trade.orderId ?? '?'}`);
    this.track(
      this.serial(order, async () => {
        if (trade.orderId !== null) this.orders.setOrderId(order, trade.orderId);
        this.bookTrade(order, trade);
      }),
    );
  }

  /** Activity of an order perp-arb did not send in this session: reconciliation's business. Reported once. */
  private foreign(what: string): void {
    if (this.foreignSeen.has(what)) return;
    this.foreignSeen.add(what);
    this.report(`${this.venue}: ${what} is not one of this session's orders (left to reconciliation)`);
  }

  /** Open orders of the accounts without a live stream (all of them when `onlyUnstreamed` is false) are read by REST. */
  private async pollOrders(onlyUnstreamed = false): Promise<void> {
    const live = this.orders.live().filter((o) => o.state === 'accepted' || o.state === 'partiallyFilled');
    for (const order of live) {
      const account = this.accountFor(order.request.symbol);
      const streams = account === undefined ? undefined : this.streams.get(account);
      if (onlyUnstreamed && streams !== undefined && !streams.isDown()) continue;
      await this.refresh(order).catch((e: unknown) => this.report(`${this.venue} order ${order.request.clientOrderId}: poll failed (${(e as Error).message})`));
    }
  }

  // ---- internals: in-flight checks --------------------------------------------------------------

  /** The checks keep to their grid (first after firstCheckAfterMs from the send, then every checkEveryMs), however long each fetch takes. */
  private scheduleCheck(order: TrackedOrder): void {
    const fromMs = order.checkGridFromMs ?? order.sentAtMs ?? this.clock.nowMs();
    const atMs = fromMs + this.policy.firstCheckAfterMs + order.checksMade * this.policy.checkEveryMs;
    order.checkTimer = this.delays.after(Math.max(0, atMs - this.clock.nowMs()), () => {
      order.checkTimer = null;
      this.track(this.check(order));
    });
  }

  private async check(order: TrackedOrder): Promise<void> {
    if (order.state !== 'inFlight' || this.closed) return;
    order.checksMade++;
    let notFound = false;
    let failure: string | null = null;
    try {
      const ref = order.orderId !== null ? { orderId: order.orderId } : { clientOrderId: order.request.clientOrderId };
      const found = await this.requireAccount(order.request.symbol, 'fetchOrder').findOrder(ref, order.request.symbol);
      if (found !== null) return await this.apply(order, found);
      notFound = true;
    } catch (error) {
      failure = error instanceof Error ? error.message : String(error);
    }
    if (order.state !== 'inFlight') return;
    if (order.checksMade < this.policy.checks) return this.scheduleCheck(order);
    const account = this.requireAccount(order.request.symbol, 'fetchOrder');
    const ageMs = this.clock.nowMs() - (order.sentAtMs ?? this.clock.nowMs());
    const windowMs = account.recvWindowMs;
    if (notFound && windowMs !== null && ageMs > windowMs) {
      const reason = `notFound: ${this.venue} has no order ${order.request.clientOrderId} ${(ageMs / 1000).toFixed(1)} s after it was sent, past its ${windowMs / 1000} s receive window: it was never taken`;
      return this.serial(order, async () => this.emitUpdate(order, 'rejected', reason));
    }
    const why = notFound ? `not found after ${order.checksMade} checks (${this.venue} has no receive window that makes it final)` : `still unknown after ${order.checksMade} checks: ${failure}`;
    this.report(`${this.venue} order ${order.request.clientOrderId} in flight, handed to reconciliation: ${why}`);
    this.options.onUnresolved?.(viewOf(order), why);
  }

  // ---- internals: events, accounts, timers -------------------------------------------------------

  private emitUpdate(order: TrackedOrder, status: OrderStatus, reason: string | null): void {
    const before = { state: order.state, filledQuantity: order.reportedFilledQuantity };
    if (!advancesOrder(before, { status, filledQuantity: order.filledQuantity })) return;
    order.state = status;
    order.reportedFilledQuantity = order.filledQuantity;
    if (reason !== null) order.reason = reason;
    if (isTerminalOrderState(status)) {
      this.orders.markEnded(order, this.clock.nowMs());
      if (order.checkTimer !== null) this.delays.cancel(order.checkTimer);
      order.checkTimer = null;
    }
    this.emit({ type: 'order', update: this.currentUpdate(order) });
  }

  private currentUpdate(order: TrackedOrder): OrderUpdate {
    const status: OrderStatus = order.state === 'created' || order.state === 'submitted' || order.state === 'inFlight' ? 'accepted' : order.state;
    return this.updateOf(order.request, status, order.filledQuantity, order.reason);
  }

  private updateOf(request: OrderRequest, status: OrderStatus, filledQuantity: number, reason: string | null): OrderUpdate {
    return { clientOrderId: request.clientOrderId, venue: this.venue, symbol: request.symbol, status, filledQuantity, reason, ts: this.clock.nowMs() };
  }

  private emit(event: TradingVenueEvent): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch (error) {
        this.report(`${this.venue}: a listener of ${event.type} events threw: ${(error as Error).message}`);
      }
    }
  }

  private report(line: string): void {
    this.options.onReport?.(line);
  }

  private track<T>(promise: Promise<T>): Promise<T> {
    this.pending.add(promise);
    const done = () => this.pending.delete(promise);
    promise.then(done, done);
    return promise;
  }

  /** Runs `run` every `ms` on the clock, one run at a time. */
  private every(ms: number, run: () => Promise<void>): void {
    const tick = () => {
      if (this.closed) return;
      this.track(run().catch((e: unknown) => this.report(`${this.venue}: ${(e as Error).message}`))).finally(() => {
        if (!this.closed) this.delays.after(ms, tick);
      });
    };
    this.delays.after(ms, tick);
  }

  private soonRefreshBalances(): void {
    if (this.balanceRefreshTimer !== null || this.closed) return;
    this.balanceRefreshTimer = this.delays.after(250, () => {
      this.balanceRefreshTimer = null;
      this.track(this.refreshBalances().catch((e: unknown) => this.report(`${this.venue} balances: ${(e as Error).message}`)));
    });
  }

  private async refreshBalances(): Promise<void> {
    for (const [wallet, account] of this.walletAccounts()) this.funds.set(wallet, await account.fetchBalances());
  }

  /** One account per wallet (a unified account is read once). */
  private walletAccounts(): [string, CcxtAccount][] {
    const out = new Map<string, CcxtAccount>();
    for (const account of this.accounts) {
      const wallet = walletName(this.venue, account.accountType);
      if (!out.has(wallet) || account.accountType === 'swap') out.set(wallet, account);
    }
    return [...out.entries()];
  }

  private derivativeAccounts(): CcxtAccount[] {
    const swaps = this.accounts.filter((a) => a.accountType === 'swap');
    return swaps.length > 0 ? swaps : [];
  }

  /** The account that trades a symbol: the spot account for spot markets, the swap account for derivatives (a unified account: any). */
  private accountFor(symbol: string): CcxtAccount | undefined {
    let fallback: CcxtAccount | undefined;
    for (const account of this.accounts) {
      const market = account.marketOf(symbol);
      if (market === undefined) continue;
      const type = market.spot ? 'spot' : 'swap';
      if (account.accountType === type) return account;
      if (isUnifiedAccountVenue(this.venue)) fallback ??= account;
    }
    return fallback;
  }

  private requireAccount(symbol: string, method: string): CcxtAccount {
    const account = this.accountFor(symbol);
    if (account === undefined) throw new VenueError(this.venue, method, 'badSymbol', `${symbol}: no account of this venue trades it (markets loaded? start() first)`, false);
    return account;
  }

  private venueOrderOf(o: AccountOrder): VenueOrder {
    const tracked = o.clientOrderId !== null ? this.orders.get(o.clientOrderId) : undefined;
    const request: OrderRequest = tracked?.request ?? {
      clientOrderId: o.clientOrderId ?? '',
      venue: this.venue,
      symbol: o.symbol,
      side: o.side ?? 'buy',
      type: o.type === 'market' ? 'market' : 'limit',
      quantity: o.quantity ?? Number.NaN,
      limitPrice: o.limitPrice,
      timeInForce: o.timeInForce ?? 'GTC',
      reduceOnly: o.reduceOnly ?? false,
      ts: o.venueTimeMs ?? Number.NaN,
    };
    const filled = o.filledQuantity ?? 0;
    return { request, status: o.status ?? 'accepted', filledQuantity: filled, remainingQuantity: o.remainingQuantity ?? Math.max(0, (o.quantity ?? 0) - filled), acceptedAtMs: o.venueTimeMs ?? Number.NaN };
  }
}
