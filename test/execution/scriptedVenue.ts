import type { Instrument } from '../../src/domain/instrument.ts';
import type { OrderRequest, OrderUpdate } from '../../src/domain/trading.ts';
import { instrumentFromSymbol } from '../../src/domain/instrument.ts';
import { OrderInFlightError } from '../../src/venues/orderInFlightError.ts';
import type { OrderNeed, OrderRules, OrderSketch, TradingVenue, TradingVenueEvent, TradingVenueListener, VenueBalance, VenueOrder, VenuePosition } from '../../src/venues/tradingTypes.ts';
import type { InstrumentSnapshot, MarketView } from '../../src/strategy/types.ts';

/** What the scripted venue does with the next order: fill it, reject it, leave it resting, or leave it in flight (the send "times out"). */
export type Script = 'fill' | 'reject' | 'rest' | 'inFlight';

/**
 * A TradingVenue that answers as scripted, synchronously (events before the reply, fills before
 * the update), at a fixed price. `settle` later tells the outcome of an order left in flight.
 */
export class ScriptedVenue implements TradingVenue {
  readonly sent: OrderRequest[] = [];
  readonly cancels: string[] = [];
  readonly script: Script[] = [];
  rules: OrderRules | null = null;
  need: ((order: OrderSketch) => OrderNeed | null) | null = null;
  /** Called as each order is submitted (a test reads the journal there). */
  onSubmit: ((order: OrderRequest) => void) | null = null;
  private readonly listeners: TradingVenueListener[] = [];
  private fills = 0;

  constructor(
    readonly venue: string,
    private readonly price: number,
    private readonly nowMs: () => number,
  ) {}

  orderRules = (symbol: string): OrderRules | null => (this.rules ? { ...this.rules, symbol } : null);
  orderNeed = (order: OrderSketch): OrderNeed | null => this.need?.(order) ?? null;

  async instruments(): Promise<Instrument[]> {
    return [];
  }

  submit(order: OrderRequest): Promise<OrderUpdate> {
    this.sent.push(order);
    this.onSubmit?.(order);
    const what = this.script.shift() ?? 'fill';
    if (what === 'inFlight') return Promise.reject(new OrderInFlightError(this.venue, order.clientOrderId, 'timeout'));
    if (what === 'reject') return Promise.resolve(this.update(order, 'rejected', 0, 'insufficientFunds: scripted'));
    if (what === 'rest') return Promise.resolve(this.update(order, 'accepted', 0, null));
    return Promise.resolve(this.fill(order));
  }

  /** The outcome of an order left in flight, as the venue's checks would learn it. */
  settle(clientOrderId: string, outcome: 'fill' | 'reject'): void {
    const order = this.sent.find((o) => o.clientOrderId === clientOrderId)!;
    if (outcome === 'fill') this.fill(order);
    else this.update(order, 'rejected', 0, 'notFound: scripted');
  }

  cancel(clientOrderId: string): Promise<OrderUpdate> {
    this.cancels.push(clientOrderId);
    const order = this.sent.find((o) => o.clientOrderId === clientOrderId)!;
    return Promise.resolve(this.update(order, 'canceled', 0, null));
  }

  async openOrders(): Promise<VenueOrder[]> {
    return [];
  }
  async positions(): Promise<VenuePosition[]> {
    return [];
  }
  async balances(): Promise<VenueBalance[]> {
    return [];
  }
  async setLeverage(): Promise<void> {}
  async setMarginMode(): Promise<void> {}
  subscribe(listener: TradingVenueListener): () => void {
    this.listeners.push(listener);
    return () => {};
  }
  onMarketData(): void {}
  advanceTo(): void {}

  private fill(order: OrderRequest): OrderUpdate {
    this.emit({ type: 'fill', fill: { fillId: `${this.venue}-${++this.fills}`, clientOrderId: order.clientOrderId, venue: this.venue, symbol: order.symbol, side: order.side, quantity: order.quantity, price: this.price, fee: 0, feeAsset: 'USDT', liquidity: 'taker', ts: this.nowMs() } });
    return this.update(order, 'filled', order.quantity, null);
  }

  private update(order: OrderRequest, status: OrderUpdate['status'], filledQuantity: number, reason: string | null): OrderUpdate {
    const update: OrderUpdate = { clientOrderId: order.clientOrderId, venue: this.venue, symbol: order.symbol, status, filledQuantity, reason, ts: this.nowMs() };
    this.emit({ type: 'order', update });
    return update;
  }

  private emit(event: TradingVenueEvent): void {
    for (const l of this.listeners) l(event);
  }
}

/** A market view with fixed prices (one instrument per venue: a perp). */
export function fixedMarket(instruments: readonly Instrument[], prices: Record<string, number>): MarketView {
  return {
    get: (venue, symbol) => ({ price: prices[`${venue}:${symbol}`] }) as unknown as InstrumentSnapshot,
    instrument: (venue, symbol) => instruments.find((i) => i.venue === venue && i.symbol === symbol),
  };
}

export function perpOn(venue: string, lotSize = 0.001): Instrument {
  return { ...instrumentFromSymbol(venue, 'BTC/USDT:USDT'), contractSize: 1, lotSize, tickSize: 0.1, takerFeeRate: 0.0005, makerFeeRate: 0.0002 };
}
