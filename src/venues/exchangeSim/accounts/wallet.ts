import type { ReplayCursor } from '../../../data/replay/types.ts';
import type { OrderSide, OrderType, TimeInForce } from '../../../domain/trading.ts';
import { SimulatedVenue } from '../../sim/simulatedVenue.ts';
import { rejectCodeOf, type RejectCode } from '../../sim/validateOrder.ts';
import type { FillModelConfig } from '../../sim/fillModel.ts';
import type { MarginMode, TradingVenueEvent, VenueBalance, VenuePosition } from '../../tradingTypes.ts';
import { listingInstrument, type Listing, type SimVenueId } from '../listings.ts';
import type { WalletId } from './accountSpec.ts';
import { isOpen, type SimFunding, type SimOrder, type SimTrade } from './simOrder.ts';
import type { OrderIds } from './orderIds.ts';

export interface PlaceOrder {
  listing: Listing;
  clientOrderId: string;
  side: OrderSide;
  type: OrderType;
  timeInForce: TimeInForce;
  reduceOnly: boolean;
  quantity: number;
  price: number | null;
}

export type PlaceResult = { ok: true; order: SimOrder } | { ok: false; code: RejectCode | 'unknown'; reason: string };

/** What a wallet tells its websocket subscribers. */
export type WalletEvent = { type: 'order'; order: SimOrder } | { type: 'trade'; order: SimOrder; trade: SimTrade } | { type: 'funding'; funding: SimFunding } | { type: 'balance' };

export interface WalletConfig {
  id: WalletId;
  venue: SimVenueId;
  listings: Listing[];
  balances: Record<string, number>;
  leverage: number;
  maintenanceMarginRate: number;
  fill?: Partial<FillModelConfig>;
}

/** Orders kept after they end, per wallet, for lookups by id (Binance keeps 3 months; enough for a session). */
const MAX_KEPT_ORDERS = 100_000;

/**
 * One wallet of one account: a SimulatedVenue (the fill, fee, margin and funding models of
 * src/venues/sim/) holding its balances and positions, with the venue's order ids, client ids,
 * trades and funding payments kept for the REST and websocket answers. The simulated venue knows
 * each order by the exchange's order id, so a client id can be used again after a rejection, as on
 * the venues.
 */
export class Wallet {
  readonly id: WalletId;
  readonly venue: SimVenueId;
  readonly listings: Listing[];
  readonly sim: SimulatedVenue;
  readonly trades: SimTrade[] = [];
  readonly fundings: SimFunding[] = [];
  readonly leverage = new Map<string, number>();
  readonly marginMode = new Map<string, MarginMode>();
  private readonly byId = new Map<string, SimOrder>();
  private readonly byClientId = new Map<string, SimOrder>();
  private readonly listeners = new Set<(event: WalletEvent) => void>();
  private fundingSeq = 0;

  constructor(
    config: WalletConfig,
    private readonly ids: OrderIds,
    private readonly nowMs: () => number,
  ) {
    this.id = config.id;
    this.venue = config.venue;
    this.listings = config.listings;
    this.sim = new SimulatedVenue({
      venue: config.venue,
      instruments: config.listings.map(listingInstrument),
      balances: config.balances,
      fill: config.fill,
      margin: { defaults: { leverage: config.leverage, maintenanceMarginRate: config.maintenanceMarginRate, marginMode: 'cross' } },
    });
    for (const l of config.listings) {
      if (l.kind !== 'perp') continue;
      this.leverage.set(l.symbol, config.leverage);
      this.marginMode.set(l.symbol, 'cross');
    }
    this.sim.subscribe((event) => this.onVenueEvent(event));
  }

  onMarketData(cursor: ReplayCursor): void {
    this.sim.onMarketData(cursor);
  }

  subscribe(listener: (event: WalletEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  listing(symbol: string): Listing | undefined {
    return this.listings.find((l) => l.symbol === symbol);
  }

  order(ref: { orderId?: string; clientOrderId?: string }): SimOrder | undefined {
    if (ref.orderId !== undefined) {
      const o = this.byId.get(ref.orderId);
      return o !== undefined && (ref.clientOrderId === undefined || o.clientOrderId === ref.clientOrderId) ? o : undefined;
    }
    return ref.clientOrderId === undefined ? undefined : this.byClientId.get(ref.clientOrderId);
  }

  openOrders(listing?: Listing): SimOrder[] {
    return [...this.byId.values()].filter((o) => isOpen(o) && (listing === undefined || o.listing === listing));
  }

  allOrders(listing?: Listing): SimOrder[] {
    return [...this.byId.values()].filter((o) => listing === undefined || o.listing === listing);
  }

  /** A client order id the wallet has seen on an order it kept (rejected orders are not kept). */
  hasClientId(clientOrderId: string): boolean {
    return this.byClientId.has(clientOrderId);
  }

  /**
   * Places an order on the simulated venue. A rejection removes it (the venue's error answers the
   * request), except for the codes in `keepAsCanceled`: Bybit accepts a post-only order that would
   * take and cancels it at once, so it stays, cancelled, with the reason.
   */
  async place(p: PlaceOrder, keepAsCanceled: readonly RejectCode[] = []): Promise<PlaceResult> {
    const now = this.nowMs();
    const orderId = this.venue === 'binance' ? this.ids.nextBinance() : this.ids.nextBybit();
    const order: SimOrder = {
      orderId,
      clientOrderId: p.clientOrderId,
      listing: p.listing,
      side: p.side,
      type: p.type,
      timeInForce: p.timeInForce,
      reduceOnly: p.reduceOnly,
      price: p.price,
      quantity: p.quantity,
      status: 'accepted',
      filledQuantity: 0,
      cumQuote: 0,
      fee: 0,
      feeAsset: p.listing.quote,
      createdMs: now,
      updatedMs: now,
      reason: null,
      lastFill: null,
      fills: [],
    };
    this.byId.set(orderId, order);
    this.byClientId.set(p.clientOrderId, order);
    const update = await this.sim.submit({
      clientOrderId: orderId,
      venue: this.venue,
      symbol: p.listing.symbol,
      side: p.side,
      type: p.type,
      quantity: p.quantity,
      limitPrice: p.price,
      timeInForce: p.timeInForce,
      reduceOnly: p.reduceOnly,
      ts: now,
    });
    if (update.status === 'rejected') {
      const code = rejectCodeOf(update.reason);
      if (code !== null && keepAsCanceled.includes(code)) {
        order.status = 'canceled';
        order.reason = update.reason;
        this.emit({ type: 'order', order });
        return { ok: true, order };
      }
      this.byId.delete(orderId);
      this.byClientId.delete(p.clientOrderId);
      return { ok: false, code: code ?? 'unknown', reason: update.reason ?? 'rejected' };
    }
    this.trimKept();
    return { ok: true, order };
  }

  /** Cancels an open order; false when it is not open (filled, cancelled, expired). */
  async cancel(order: SimOrder): Promise<boolean> {
    if (!isOpen(order)) return false;
    const update = await this.sim.cancel(order.orderId);
    return update.status === 'canceled';
  }

  balances(): Promise<VenueBalance[]> {
    return this.sim.balances();
  }

  positions(): Promise<VenuePosition[]> {
    return this.sim.positions();
  }

  async setLeverage(listing: Listing, leverage: number): Promise<void> {
    await this.sim.setLeverage(listing.symbol, leverage);
    this.leverage.set(listing.symbol, leverage);
  }

  async setMarginMode(listing: Listing, mode: MarginMode): Promise<void> {
    await this.sim.setMarginMode(listing.symbol, mode);
    this.marginMode.set(listing.symbol, mode);
  }

  private onVenueEvent(event: TradingVenueEvent): void {
    switch (event.type) {
      case 'order': {
        const order = this.byId.get(event.update.clientOrderId);
        if (order === undefined) return;
        order.status = event.update.status;
        order.filledQuantity = event.update.filledQuantity;
        order.updatedMs = event.update.ts;
        order.reason = event.update.reason;
        // An order the venue refuses is answered by the request's error alone, as on the venues.
        if (order.status === 'rejected') return;
        const fill = order.lastFill;
        if (fill !== null && (order.status === 'filled' || order.status === 'partiallyFilled')) this.emit({ type: 'trade', order, trade: fill });
        else this.emit({ type: 'order', order });
        order.lastFill = null;
        if (!isOpen(order)) this.emit({ type: 'balance' });
        return;
      }
      case 'fill': {
        const f = event.fill;
        const order = this.byId.get(f.clientOrderId);
        const listing = order?.listing ?? this.listing(f.symbol)!;
        const trade: SimTrade = {
          tradeId: this.ids.nextTrade(),
          orderId: order?.orderId ?? '0',
          clientOrderId: order?.clientOrderId ?? f.clientOrderId,
          listing,
          side: f.side,
          price: f.price,
          quantity: f.quantity,
          fee: f.fee,
          feeAsset: f.feeAsset,
          maker: f.liquidity === 'maker',
          timeMs: f.ts,
        };
        this.trades.push(trade);
        if (order !== undefined) {
          order.cumQuote += f.quantity * f.price;
          order.fee += f.fee;
          order.lastFill = trade;
          order.fills.push(trade);
        }
        return;
      }
      case 'funding': {
        const p = event.payment;
        const funding: SimFunding = { id: ++this.fundingSeq, listing: this.listing(p.symbol)!, timeMs: p.ts, rate: p.fundingRatePerInterval, markPrice: p.markPrice, positionQty: p.positionQty, amount: p.amount, asset: p.asset };
        this.fundings.push(funding);
        this.emit({ type: 'funding', funding });
        this.emit({ type: 'balance' });
        return;
      }
      default:
        this.emit({ type: 'balance' });
    }
  }

  private emit(event: WalletEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  private trimKept(): void {
    if (this.byId.size <= MAX_KEPT_ORDERS) return;
    for (const [id, o] of this.byId) {
      if (this.byId.size <= MAX_KEPT_ORDERS) break;
      if (isOpen(o)) continue;
      this.byId.delete(id);
      if (this.byClientId.get(o.clientOrderId) === o) this.byClientId.delete(o.clientOrderId);
    }
  }
}
