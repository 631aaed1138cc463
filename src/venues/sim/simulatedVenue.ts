import { isoUtc, HOUR_MS } from '../../core/time.ts';
import type { ReplayCursor } from '../../data/replay/types.ts';
import type { Instrument } from '../../domain/instrument.ts';
import type { Fill, FillOrigin, Liquidity, OrderRequest, OrderStatus, OrderUpdate } from '../../domain/trading.ts';
import type { MarginMode, TradingVenue, TradingVenueEvent, TradingVenueListener, VenueBalance, VenueOrder, VenuePosition } from '../tradingTypes.ts';
import { VenueError } from '../types.ts';
import { positionInitialMargin, positionMaintenanceMargin, SimAccount, unrealisedPnl, type PositionState } from './account.ts';
import { availableBalance, balanceOf, liquidationGroup, liquidationPriceOf, remainingOf, type MarginContext, type RestingOrder } from './accountMargin.ts';
import { notionalSettle, pnlSettle } from './contractMath.ts';
import { feeAmount, feeRateFor } from './feeModel.ts';
import { matchOnArrival, matchResting, type ArrivalMatch } from './fillModel.ts';
import { fundingPaymentAmount } from './fundingModel.ts';
import { freshestMarkPrice } from '../../model/markPrice.ts';
import { selectMarkPrice } from './markPrice.ts';
import { arrivalTimeMs, createLatencyModel, type LatencyModel } from './latencyModel.ts';
import { checkSimVenueSettings } from './simSettingsSchema.ts';
import {
  checkMarginSettings,
  DEBT_DUST,
  DEFAULT_SPOT_SHORT_MARGIN_RATE,
  exposureIncrease,
  hourlyBorrowInterest,
  initialMarginRate,
  liquidationExecutionPrice,
  nextHourAfter,
} from './marginModel.ts';
import { MarketEventReader, MarketState, newMarketEventScratch } from './marketState.ts';
import { checkStartingBalances, resolveInstrumentSpecs, resolveLiquidationFeeRate, type SimInstrumentSpec, type SimulatedVenueConfig } from './simConfig.ts';
import { checkReduceOnly, rejectReason, validateOrderShape } from './validateOrder.ts';

interface OrderRecord {
  request: OrderRequest;
  status: OrderStatus;
  filledQuantity: number;
}

type InFlight =
  | { kind: 'order'; arrivalMs: number; seq: number; request: OrderRequest; resolve: (update: OrderUpdate) => void }
  | { kind: 'cancel'; arrivalMs: number; seq: number; clientOrderId: string; resolve: (update: OrderUpdate) => void };

interface Route {
  spec: SimInstrumentSpec;
  market: MarketState;
  reader: MarketEventReader;
}

/** The route of the series last seen at a replay series index, kept while the cursor's key is the same object. */
interface RouteSlot {
  key: ReplayCursor['key'];
  route: Route | null;
}

/** Relative remainder below which an order counts as completely filled (float noise of partial fills). */
const FILLED_TOLERANCE = 1e-12;


/**
 * A simulated exchange: the fill, fee, latency, funding and margin models composed behind the
 * TradingVenue interface, with its own account. Driven by market data (onMarketData) in time order;
 * everything it does is stamped with the market-data clock. Processing is synchronous: submit()
 * registers (and, without latency, processes) the order before its promise settles, and events are
 * delivered to listeners after the venue's state is consistent (a listener may submit again).
 *
 * Per market event at time T: first, everything scheduled strictly before T happens at its own time
 * (orders and cancels reaching the venue, hourly borrow interest, expiry of dated futures), against
 * the market as it was then; then the event updates the market; a funding row settles funding; a
 * price event checks liquidation (before matching: conservative) and then fills resting orders.
 * Funding uses the market state at the funding row, so replay price series before the funding
 * series (equal times keep the sources' order).
 *
 * An order is sent at max(order.ts, venue clock) and arrives latency later; one stamped ahead of
 * the venue's clock (e.g. wall-clock time in paper mode, or any order before the first market event)
 * waits until market data or advanceTo() moves the clock to its arrival.
 */
export class SimulatedVenue implements TradingVenue {
  readonly venue: string;
  private readonly specs: Map<string, SimInstrumentSpec>;
  private readonly markets = new Map<string, MarketState>();
  private readonly account: SimAccount;
  private readonly latency: LatencyModel;
  private readonly liquidationFeeRate: number;
  private readonly borrowRates: Map<string, number>;
  private readonly margin: MarginContext;
  private readonly listeners: TradingVenueListener[] = [];
  private readonly queue: TradingVenueEvent[] = [];
  private dispatching = false;
  /** Every order id the venue has seen, with its last state. */
  private readonly orders = new Map<string, OrderRecord>();
  /** Orders sent and not yet arrived (by id), so a cancel of one can name its symbol. */
  private readonly sent = new Map<string, OrderRequest>();
  /** Resting orders per symbol, in time priority. */
  private readonly book = new Map<string, RestingOrder[]>();
  private readonly inFlight: InFlight[] = [];
  private readonly expiries: { expiryMs: number; symbol: string }[];
  private readonly routes = new Map<string, Route | null>();
  private readonly routeSlots: (RouteSlot | undefined)[] = [];
  private readonly scratch = newMarketEventScratch();
  private nowMs = -Infinity;
  private nextBorrowHourMs = Infinity;
  private seq = 0;
  private fillSeq = 0;

  constructor(config: SimulatedVenueConfig) {
    checkSimVenueSettings(config);
    this.venue = config.venue;
    this.specs = resolveInstrumentSpecs(config);
    checkStartingBalances(config);
    for (const symbol of this.specs.keys()) this.markets.set(symbol, new MarketState());
    this.account = new SimAccount(config.balances, config.derivativesBalances);
    this.latency = createLatencyModel(config.latency);
    this.liquidationFeeRate = resolveLiquidationFeeRate(config);
    this.borrowRates = new Map(Object.entries(config.borrow?.borrowRateAnnualByAsset ?? {}));
    const spotShortMarginRate = config.borrow?.spotShortMarginRate ?? DEFAULT_SPOT_SHORT_MARGIN_RATE;
    if (!(spotShortMarginRate >= 0)) throw new Error(`${this.venue}: spotShortMarginRate must be >= 0 (got ${spotShortMarginRate})`);
    this.expiries = [...this.specs.values()]
      .filter((s) => s.instrument.expiryMs !== null)
      .map((s) => ({ expiryMs: s.instrument.expiryMs!, symbol: s.symbol }))
      .sort((a, b) => a.expiryMs - b.expiryMs);
    const spotByBase = new Map<string, SimInstrumentSpec>();
    for (const spec of this.specs.values()) if (spec.margin === null && !spotByBase.has(spec.base)) spotByBase.set(spec.base, spec);
    this.margin = {
      account: this.account,
      markOf: (symbol) => this.markOf(symbol),
      restingOrders: () => this.allResting(),
      spotSpecForBase: (asset) => spotByBase.get(asset) ?? null,
      spotShortMarginRate,
    };
  }

  // ---- TradingVenue: requests -------------------------------------------------------------

  async instruments(): Promise<Instrument[]> {
    return [...this.specs.values()].map((s) => s.instrument);
  }

  submit(order: OrderRequest): Promise<OrderUpdate> {
    // A non-finite ts is rejected on arrival (validateOrderShape); it must not stall the schedule.
    const sentAt = Number.isFinite(order.ts) ? order.ts : Number.isFinite(this.nowMs) ? this.nowMs : 0;
    const arrivalMs = arrivalTimeMs(sentAt, this.latency.nextLatencyMs(), this.nowMs);
    return new Promise<OrderUpdate>((resolve) => {
      const flight: InFlight = { kind: 'order', arrivalMs, seq: ++this.seq, request: order, resolve };
      if (!this.sent.has(order.clientOrderId) && !this.orders.has(order.clientOrderId)) this.sent.set(order.clientOrderId, order);
      this.schedule(flight);
      this.flush();
    });
  }

  cancel(clientOrderId: string): Promise<OrderUpdate> {
    const sentAt = Number.isFinite(this.nowMs) ? this.nowMs : 0;
    const arrivalMs = arrivalTimeMs(sentAt, this.latency.nextLatencyMs(), this.nowMs);
    return new Promise<OrderUpdate>((resolve) => {
      this.schedule({ kind: 'cancel', arrivalMs, seq: ++this.seq, clientOrderId, resolve });
      this.flush();
    });
  }

  async openOrders(symbol?: string): Promise<VenueOrder[]> {
    const out: VenueOrder[] = [];
    for (const order of this.allResting()) {
      if (symbol !== undefined && order.request.symbol !== symbol) continue;
      out.push({
        request: order.request,
        status: order.filledQuantity > 0 ? 'partiallyFilled' : 'accepted',
        filledQuantity: order.filledQuantity,
        remainingQuantity: remainingOf(order),
        acceptedAtMs: order.acceptedAtMs,
      });
    }
    return out;
  }

  async positions(): Promise<VenuePosition[]> {
    return [...this.account.positions.values()].map((p) => this.positionView(p));
  }

  async balances(): Promise<VenueBalance[]> {
    if (this.account.separateWallets) {
      const margin = new Set(this.account.marginAssets());
      for (const p of this.account.positions.values()) margin.add(p.spec.settleAsset);
      return [
        ...[...new Set(this.account.assets())].sort().map((asset) => ({ ...balanceOf(this.margin, asset, 'spot'), wallet: `${this.venue}:spot` })),
        ...[...margin].sort().map((asset) => ({ ...balanceOf(this.margin, asset, 'derivatives'), wallet: `${this.venue}:derivatives` })),
      ];
    }
    const assets = new Set(this.account.assets());
    for (const p of this.account.positions.values()) assets.add(p.spec.settleAsset);
    return [...assets].sort().map((asset) => balanceOf(this.margin, asset));
  }

  /**
   * A wallet's balance now (synchronous: the risk layer reads it on every market event), or null when
   * the venue keeps one wallet (then the ledger's cash is the wallet).
   */
  walletBalance(wallet: 'spot' | 'derivatives', asset: string): number | null {
    if (!this.account.separateWallets) return null;
    return wallet === 'spot' ? this.account.balance(asset) : this.account.marginBalance(asset);
  }

  /**
   * Moves up to `amount` of `asset` from the spot to the derivatives wallet (separate wallets only):
   * what the spot wallet has free (its balance less spot orders' reservations and borrow collateral).
   * Returns the amount moved (0: none). Internal to the venue: the venue's cash (the ledger) is unchanged.
   */
  transferToDerivatives(asset: string, amount: number): number {
    if (!this.account.separateWallets || !(amount > 0)) return 0;
    const free = Math.max(0, availableBalance(this.margin, asset, 'spot'));
    const moved = Math.min(amount, free);
    if (moved > 0) this.account.transfer(asset, moved, 'derivatives');
    return moved;
  }

  async setLeverage(symbol: string, leverage: number): Promise<void> {
    const spec = this.derivativeSpec(symbol, 'setLeverage');
    const next = { ...spec.margin!, leverage };
    try {
      checkMarginSettings(symbol, next);
    } catch (error) {
      throw new VenueError(this.venue, 'setLeverage', 'exchange', (error as Error).message, false);
    }
    if (next.marginMode === 'isolated' && this.account.positions.has(symbol)) {
      throw new VenueError(this.venue, 'setLeverage', 'exchange', `${symbol}: isolated position open; close it before changing leverage`, false);
    }
    spec.margin = next;
  }

  async setMarginMode(symbol: string, mode: MarginMode): Promise<void> {
    const spec = this.derivativeSpec(symbol, 'setMarginMode');
    if (spec.margin!.marginMode === mode) return;
    if (this.account.positions.has(symbol) || (this.book.get(symbol)?.length ?? 0) > 0) {
      throw new VenueError(this.venue, 'setMarginMode', 'exchange', `${symbol}: cannot change the margin mode with an open position or order`, false);
    }
    spec.margin = { ...spec.margin!, marginMode: mode };
  }

  subscribe(listener: TradingVenueListener): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  // ---- TradingVenue: the clock -----------------------------------------------------------

  onMarketData(cursor: ReplayCursor): void {
    const time = cursor.time;
    if (time > this.nowMs) {
      this.runScheduled(time, false);
      this.nowMs = time;
    }
    const slot = this.routeSlots[cursor.seriesIndex];
    const route = slot !== undefined && slot.key === cursor.key ? slot.route : this.route(cursor);
    if (route !== null) {
      const kind = route.reader.apply(route.market, cursor, this.scratch);
      if (kind === 'funding') this.settleFunding(route, time);
      else if (kind !== 'ignored') {
        const position = this.account.positions.get(route.spec.symbol);
        if (position !== undefined) this.checkLiquidation(position, time);
        if (this.scratch.matchable) {
          const resting = this.book.get(route.spec.symbol);
          if (resting !== undefined && resting.length > 0) this.matchBook(route.spec, resting);
        }
      }
    }
    if (this.queue.length > 0) this.flush();
  }

  advanceTo(timeMs: number): void {
    this.runScheduled(timeMs, true);
    if (timeMs > this.nowMs) this.nowMs = timeMs;
    this.flush();
  }

  // ---- scheduling ------------------------------------------------------------------------

  private schedule(flight: InFlight): void {
    if (flight.arrivalMs <= this.nowMs) {
      this.arrive(flight);
      return;
    }
    let i = this.inFlight.length;
    while (i > 0 && this.inFlight[i - 1].arrivalMs > flight.arrivalMs) i--;
    this.inFlight.splice(i, 0, flight);
  }

  /** Runs arrivals, borrow hours and expiries due before `limitMs` (at or before, when inclusive), each at its own time. */
  private runScheduled(limitMs: number, inclusive: boolean): void {
    for (;;) {
      const tArrival = this.inFlight.length > 0 ? this.inFlight[0].arrivalMs : Infinity;
      const tExpiry = this.expiries.length > 0 ? this.expiries[0].expiryMs : Infinity;
      const t = Math.min(tArrival, this.nextBorrowHourMs, tExpiry);
      if (!(inclusive ? t <= limitMs : t < limitMs)) return;
      if (t > this.nowMs) this.nowMs = t;
      if (t === tArrival) this.arrive(this.inFlight.shift()!);
      else if (t === this.nextBorrowHourMs) this.chargeBorrowInterest(t);
      else this.expire(this.expiries.shift()!.symbol);
    }
  }

  private arrive(flight: InFlight): void {
    if (flight.kind === 'order') flight.resolve(this.processOrder(flight.request, flight.arrivalMs));
    else flight.resolve(this.processCancel(flight.clientOrderId));
  }

  // ---- orders ----------------------------------------------------------------------------

  private processOrder(request: OrderRequest, arrivalMs: number): OrderUpdate {
    const ts = Math.max(arrivalMs, this.nowMs);
    if (this.sent.get(request.clientOrderId) === request) this.sent.delete(request.clientOrderId);
    if (this.orders.has(request.clientOrderId)) {
      return this.update(request, 'rejected', 0, rejectReason('duplicateClientOrderId', `${request.clientOrderId} was already used`), ts, false);
    }
    const record: OrderRecord = { request, status: 'accepted', filledQuantity: 0 };
    this.orders.set(request.clientOrderId, record);
    const spec = this.specs.get(request.symbol);
    let reason = validateOrderShape(request, this.venue, spec, ts);
    let matched: ArrivalMatch | null = null;
    if (reason === null) {
      const view = this.markets.get(spec!.symbol)!.fillView();
      if (view === null) reason = rejectReason('noMarketData', `${this.venue} has no price for ${request.symbol} yet`);
      else if (request.reduceOnly) reason = checkReduceOnly(request, this.account.positionQty(spec!.symbol));
      if (reason === null) {
        matched = matchOnArrival(request, view!, spec!.fill);
        if (matched.kind === 'postOnlyWouldTake') reason = rejectReason('postOnlyWouldTake', matched.reason);
        else reason = this.checkFunds(spec!, request, matched);
      }
    }
    if (reason !== null || matched === null || matched.kind !== 'match') {
      record.status = 'rejected';
      return this.update(request, 'rejected', 0, reason, ts);
    }
    let last = this.update(request, 'accepted', 0, null, ts);
    if (matched.takeQuantity > 0) last = this.fill(spec!, record, matched.takeQuantity, matched.takePrice, 'taker', ts);
    if (matched.restQuantity > 0 && record.status !== 'filled') {
      const resting: RestingOrder = { request, spec: spec!, filledQuantity: record.filledQuantity, acceptedAtMs: ts };
      let list = this.book.get(spec!.symbol);
      if (list === undefined) this.book.set(spec!.symbol, (list = []));
      list.push(resting);
    } else if (matched.expireQuantity > 0 && record.status !== 'filled') {
      const why = request.type === 'market' ? 'market order: no more size quoted at arrival' : 'IOC: the rest was not fillable at arrival';
      record.status = 'expired';
      last = this.update(request, 'expired', record.filledQuantity, why, ts);
    }
    return last;
  }

  /** Balance and margin checks at arrival: the initial margin of added exposure, the cost of a spot buy, the base (or borrow collateral) of a spot sell. */
  private checkFunds(spec: SimInstrumentSpec, request: OrderRequest, matched: Extract<ArrivalMatch, { kind: 'match' }>): string | null {
    const price = matched.takeQuantity > 0 ? matched.takePrice : request.limitPrice!;
    const qty = request.quantity;
    const fmt = (x: number) => x.toPrecision(10).replace(/\.?0+$/, '');
    if (spec.margin !== null) {
      const signed = request.side === 'buy' ? qty : -qty;
      const increase = exposureIncrease(this.account.positionQty(spec.symbol), signed);
      if (increase === 0) return null;
      const needed =
        notionalSettle(spec.terms, increase, price) * initialMarginRate(spec.margin.leverage) +
        feeAmount(spec.terms, matched.takeQuantity, price, Math.max(0, spec.fees.takerFeeRate));
      const available = availableBalance(this.margin, spec.settleAsset, 'derivatives');
      return needed > available ? rejectReason('insufficientMargin', `needs ${fmt(needed)} ${spec.settleAsset} of initial margin and fee, available ${fmt(available)}`) : null;
    }
    if (request.side === 'buy') {
      const needed =
        matched.takeQuantity * price * (1 + Math.max(0, spec.fees.takerFeeRate)) +
        matched.restQuantity * request.limitPrice! * (1 + Math.max(0, spec.fees.makerFeeRate));
      const available = availableBalance(this.margin, spec.quote, 'spot');
      return needed > available ? rejectReason('insufficientBalance', `needs ${fmt(needed)} ${spec.quote}, available ${fmt(available)}`) : null;
    }
    const baseAvailable = availableBalance(this.margin, spec.base, 'spot');
    if (qty <= baseAvailable) return null;
    const shortfall = qty - Math.max(0, baseAvailable);
    if (!this.borrowRates.has(spec.base)) {
      return rejectReason('insufficientBalance', `needs ${fmt(qty)} ${spec.base}, available ${fmt(Math.max(0, baseAvailable))} (${spec.base} cannot be borrowed here)`);
    }
    const collateral = shortfall * price * this.margin.spotShortMarginRate;
    const available = availableBalance(this.margin, spec.quote, 'spot');
    return collateral > available ? rejectReason('insufficientMargin', `borrowing ${fmt(shortfall)} ${spec.base} needs ${fmt(collateral)} ${spec.quote} of collateral, available ${fmt(available)}`) : null;
  }

  private fill(spec: SimInstrumentSpec, record: OrderRecord, quantity: number, price: number, liquidity: Liquidity, ts: number): OrderUpdate {
    const { request } = record;
    const fee = feeAmount(spec.terms, quantity, price, feeRateFor(spec.fees, liquidity));
    this.account.applyFill(spec, request.side, quantity, price, fee);
    this.afterBalanceChange();
    record.filledQuantity += quantity;
    const done = request.quantity - record.filledQuantity <= FILLED_TOLERANCE * request.quantity;
    record.status = done ? 'filled' : 'partiallyFilled';
    this.emitFill(request.clientOrderId, spec, request.side, quantity, price, fee, liquidity, ts);
    return this.update(request, record.status, record.filledQuantity, null, ts);
  }

  /** Fills resting orders of one market on the event just applied (see fillModel.ts). */
  private matchBook(spec: SimInstrumentSpec, resting: RestingOrder[]): void {
    const scratch = this.scratch;
    const reach = { ...scratch.reach };
    const ts = this.nowMs;
    for (let i = 0; i < resting.length; ) {
      const order = resting[i];
      const record = this.orders.get(order.request.clientOrderId)!;
      if (scratch.startTime < order.acceptedAtMs) {
        i++;
        continue;
      }
      const hit = matchResting(order.request.side, order.request.limitPrice!, remainingOf(order), reach, spec.fill);
      if (hit === null) {
        i++;
        continue;
      }
      let quantity = hit.quantity;
      if (order.request.reduceOnly) {
        const position = this.account.positionQty(spec.symbol);
        const reducing = position !== 0 && Math.sign(position) !== (order.request.side === 'buy' ? 1 : -1);
        quantity = reducing ? Math.min(quantity, Math.abs(position)) : 0;
        if (quantity === 0) {
          resting.splice(i, 1);
          record.status = 'expired';
          this.update(order.request, 'expired', record.filledQuantity, 'reduce-only: no position left to reduce', ts);
          continue;
        }
      }
      this.fill(spec, record, quantity, hit.price, 'maker', ts);
      order.filledQuantity = record.filledQuantity;
      if (order.request.side === 'buy' && !Number.isNaN(reach.askSize)) reach.askSize -= quantity;
      if (order.request.side === 'sell' && !Number.isNaN(reach.bidSize)) reach.bidSize -= quantity;
      if (record.status === 'filled') resting.splice(i, 1);
      else if (order.request.reduceOnly && this.account.positionQty(spec.symbol) === 0) {
        resting.splice(i, 1);
        record.status = 'expired';
        this.update(order.request, 'expired', record.filledQuantity, 'reduce-only: position closed', ts);
      } else i++;
    }
  }

  private processCancel(clientOrderId: string): OrderUpdate {
    const ts = this.nowMs;
    const record = this.orders.get(clientOrderId);
    if (record === undefined) {
      const request = this.sent.get(clientOrderId);
      const reason = `cancel rejected: unknown order ${clientOrderId}${request ? ' (not on the venue yet)' : ''}`;
      return { clientOrderId, venue: this.venue, symbol: request?.symbol ?? '', status: 'rejected', filledQuantity: 0, reason, ts };
    }
    const list = this.book.get(record.request.symbol);
    const i = list?.findIndex((o) => o.request.clientOrderId === clientOrderId) ?? -1;
    if (i < 0) {
      return this.updateOf(record.request, record.status, record.filledQuantity, `cancel rejected: order is ${record.status}`, ts);
    }
    list!.splice(i, 1);
    record.status = 'canceled';
    return this.update(record.request, 'canceled', record.filledQuantity, null, ts);
  }

  private cancelBook(symbol: string, status: 'canceled' | 'expired', reason: string): void {
    const list = this.book.get(symbol);
    if (list === undefined) return;
    for (const order of list.splice(0)) {
      const record = this.orders.get(order.request.clientOrderId)!;
      record.status = status;
      this.update(order.request, status, record.filledQuantity, reason, this.nowMs);
    }
  }

  // ---- funding, liquidation, borrow, expiry ------------------------------------------------

  private settleFunding(route: Route, ts: number): void {
    const { spec, market } = route;
    if (spec.kind !== 'perp') return;
    const position = this.account.positions.get(spec.symbol);
    if (position === undefined) return;
    const rate = this.scratch.fundingRate;
    const mark = selectMarkPrice(market, this.scratch.fundingMarkPrice).price;
    if (!(mark > 0)) throw new Error(`${this.venue} ${spec.symbol}: funding at ${isoUtc(ts)} with an open position but no mark, quote or trade price yet`);
    const amount = fundingPaymentAmount(spec.terms, position.quantity, mark, rate);
    this.account.creditMargin(spec.settleAsset, amount);
    this.emit({
      type: 'funding',
      payment: { venue: this.venue, symbol: spec.symbol, ts, fundingRatePerInterval: rate, markPrice: mark, positionQty: position.quantity, amount, asset: spec.settleAsset },
    });
  }

  private checkLiquidation(position: PositionState, ts: number): void {
    const liquidationPrice = liquidationPriceOf(this.margin, position);
    const s = this.scratch;
    const price = liquidationExecutionPrice(position.quantity, liquidationPrice, s.open, s.low, s.high);
    if (Number.isNaN(price)) return;
    const group = liquidationGroup(this.account, position);
    const priceOf = (p: PositionState) => (p === position ? price : this.markOf(p.spec.symbol));
    // Equity and maintenance of the group at the trigger, for the event.
    const asset = position.spec.settleAsset;
    let equity = position.spec.margin!.marginMode === 'isolated' ? position.isolatedMargin : this.account.marginBalance(asset);
    if (position.spec.margin!.marginMode === 'cross') {
      for (const p of this.account.positions.values()) if (p.spec.settleAsset === asset && p.spec.margin!.marginMode === 'isolated') equity -= p.isolatedMargin;
    }
    let maintenance = 0;
    for (const p of group) {
      equity += unrealisedPnl(p, priceOf(p));
      maintenance += positionMaintenanceMargin(p, priceOf(p));
    }
    for (const p of group) {
      const qty = p.quantity;
      const at = priceOf(p);
      const fee = notionalSettle(p.spec.terms, qty, at) * this.liquidationFeeRate;
      const side = qty > 0 ? 'sell' : 'buy';
      this.cancelBook(p.spec.symbol, 'canceled', 'canceled by liquidation');
      this.account.applyFill(p.spec, side, Math.abs(qty), at, fee);
      const fillId = this.emitFill(`liquidation:${p.spec.symbol}:${this.fillSeq + 1}`, p.spec, side, Math.abs(qty), at, fee, 'taker', ts, 'liquidation');
      this.emit({
        type: 'liquidation',
        liquidation: {
          venue: this.venue,
          symbol: p.spec.symbol,
          ts,
          fillId,
          positionQty: qty,
          price: at,
          liquidationFee: fee,
          feeAsset: p.spec.settleAsset,
          marginMode: p.spec.margin!.marginMode,
          equityAtTrigger: equity,
          maintenanceMarginAtTrigger: maintenance,
        },
      });
    }
  }

  private chargeBorrowInterest(hourMs: number): void {
    let anyDebt = false;
    for (const [asset, borrowRateAnnual] of this.borrowRates) {
      const debt = -this.account.balance(asset);
      if (!(debt > DEBT_DUST)) continue;
      const interest = hourlyBorrowInterest(debt, borrowRateAnnual);
      this.account.credit(asset, -interest);
      anyDebt = true;
      this.emit({ type: 'borrowInterest', interest: { venue: this.venue, asset, ts: hourMs, borrowedQuantity: debt, borrowRateAnnual, interest } });
    }
    this.nextBorrowHourMs = anyDebt ? hourMs + HOUR_MS : Infinity;
  }

  private afterBalanceChange(): void {
    if (this.nextBorrowHourMs !== Infinity) return;
    for (const asset of this.borrowRates.keys()) {
      if (this.account.balance(asset) < -DEBT_DUST) {
        this.nextBorrowHourMs = nextHourAfter(this.nowMs);
        return;
      }
    }
  }

  private expire(symbol: string): void {
    const spec = this.specs.get(symbol)!;
    this.cancelBook(symbol, 'expired', `marketClosed: ${symbol} expired at ${isoUtc(spec.instrument.expiryMs!)}`);
    const position = this.account.positions.get(symbol);
    if (position === undefined) return;
    const price = this.markOf(symbol);
    if (!(price > 0)) throw new Error(`${this.venue} ${symbol}: expiry with an open position but no price to settle at`);
    const qty = position.quantity;
    const side = qty > 0 ? 'sell' : 'buy';
    this.account.applyFill(spec, side, Math.abs(qty), price, 0);
    const fillId = this.emitFill(`expiry:${symbol}`, spec, side, Math.abs(qty), price, 0, 'taker', this.nowMs, 'expiry');
    this.emit({ type: 'expiry', settlement: { venue: this.venue, symbol, ts: this.nowMs, fillId, positionQty: qty, price } });
  }

  // ---- views and helpers -----------------------------------------------------------------

  private markOf(symbol: string): number {
    const market = this.markets.get(symbol);
    if (market === undefined) return Number.NaN;
    return freshestMarkPrice(market.markBarClose, market.markBarTime, market.quoteMid, market.quoteTime, market.lastTradePrice, market.lastTradeTime);
  }

  private positionView(p: PositionState): VenuePosition {
    const mark = this.markOf(p.spec.symbol);
    const margin = p.spec.margin!;
    return {
      venue: this.venue,
      symbol: p.spec.symbol,
      quantity: p.quantity,
      entryPrice: p.entryPrice,
      markPrice: mark,
      unrealisedPnl: pnlSettle(p.spec.terms, p.quantity, p.entryPrice, mark),
      settleAsset: p.spec.settleAsset,
      marginMode: margin.marginMode,
      leverage: margin.leverage,
      initialMargin: positionInitialMargin(p, mark),
      maintenanceMargin: positionMaintenanceMargin(p, mark),
      isolatedMargin: margin.marginMode === 'isolated' ? p.isolatedMargin : null,
      liquidationPrice: liquidationPriceOf(this.margin, p),
    };
  }

  private *allResting(): Generator<RestingOrder> {
    for (const list of this.book.values()) yield* list;
  }

  private derivativeSpec(symbol: string, method: string): SimInstrumentSpec {
    const spec = this.specs.get(symbol);
    if (spec === undefined) throw new VenueError(this.venue, method, 'badSymbol', `${symbol} is not listed`, false);
    if (spec.margin === null) throw new VenueError(this.venue, method, 'exchange', `${symbol} is spot: no leverage or margin mode`, false);
    return spec;
  }

  private route(cursor: ReplayCursor): Route | null {
    let route = this.routes.get(cursor.seriesId);
    if (route === undefined) {
      const spec = cursor.key.venue === this.venue ? this.specs.get(cursor.key.symbol) : undefined;
      route = spec === undefined ? null : { spec, market: this.markets.get(spec.symbol)!, reader: new MarketEventReader(cursor.key.table) };
      this.routes.set(cursor.seriesId, route);
    }
    this.routeSlots[cursor.seriesIndex] = { key: cursor.key, route };
    return route;
  }

  private updateOf(request: OrderRequest, status: OrderStatus, filledQuantity: number, reason: string | null, ts: number): OrderUpdate {
    return { clientOrderId: request.clientOrderId, venue: this.venue, symbol: request.symbol, status, filledQuantity, reason, ts };
  }

  /** Builds an order update and emits it (unless `emit` is false, for a duplicate id that must not touch the original's stream). */
  private update(request: OrderRequest, status: OrderStatus, filledQuantity: number, reason: string | null, ts: number, emit = true): OrderUpdate {
    const update = this.updateOf(request, status, filledQuantity, reason, ts);
    if (emit) this.emit({ type: 'order', update });
    return update;
  }

  private emitFill(clientOrderId: string, spec: SimInstrumentSpec, side: Fill['side'], quantity: number, price: number, fee: number, liquidity: Liquidity, ts: number, origin: FillOrigin = 'order'): string {
    const fillId = `${this.venue}-${++this.fillSeq}`;
    const fill: Fill = { fillId, clientOrderId, venue: this.venue, symbol: spec.symbol, side, quantity, price, fee, feeAsset: spec.settleAsset, liquidity, ts };
    if (origin !== 'order') fill.origin = origin;
    this.emit({ type: 'fill', fill });
    return fillId;
  }

  private emit(event: TradingVenueEvent): void {
    this.queue.push(event);
  }

  /** Delivers queued events; a listener that calls the venue again only queues more, delivered by this same loop. */
  private flush(): void {
    if (this.dispatching) return;
    this.dispatching = true;
    try {
      for (let i = 0; i < this.queue.length; i++) for (const listener of [...this.listeners]) listener(this.queue[i]);
    } finally {
      this.queue.length = 0;
      this.dispatching = false;
    }
  }
}
