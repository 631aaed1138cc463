import type { Instrument } from '../domain/instrument.ts';
import type { Fill, OrderSide, OrderUpdate } from '../domain/trading.ts';
import type { ClosePairIntent, InstrumentRef, Intent, MarketView, OpenPairIntent, PairStatus, PairView, PositionView } from '../strategy/types.ts';
import type { ExpirySettlementEvent, LiquidationEvent, PositionClosedByVenue, TradingVenue } from '../venues/tradingTypes.ts';

/**
 * Two-leg execution. An openPair intent becomes two market IOC orders sent AT ONCE (neither waits for
 * the other), sized in base units from the notional at current prices and rounded DOWN to the lot
 * sizes of both legs, so both legs ask for the same quantity. When both orders are done (filled,
 * expired, rejected or canceled; learned from the venues' order events, so it works with and
 * without latency), the executor compares the filled quantities and, if they differ, sends a market
 * order that takes the excess off the bigger leg (an unwind when one leg got nothing). No naked leg
 * is left, unlike Hummingbot's spot-perp strategy (issues #3831, #6960). A close sends both
 * reducing orders at once; a leg that fails to close is retried on the next market event (up to
 * `maxCloseRetries`), and every outcome is reported as an ExecutionEvent. When a venue closes a
 * leg itself (a liquidation, onLiquidation, or a dated future's expiry settlement, onExpiry), the
 * pair loses that leg and the executor closes the other one at once, so no naked leg remains.
 */

export type ExecutionEvent =
  | { type: 'pairOpened'; id: string; ts: number; quantity: number; longPrice: number; shortPrice: number }
  | { type: 'pairRehedged'; id: string; ts: number; leg: 'long' | 'short'; excess: number; longFilled: number; shortFilled: number; reasons: string[] }
  | { type: 'pairOpenFailed'; id: string; ts: number; reasons: string[]; longFilled: number; shortFilled: number }
  | { type: 'pairClosed'; id: string; ts: number }
  | { type: 'closeRetry'; id: string; ts: number; leg: 'long' | 'short'; remaining: number; reason: string }
  | { type: 'legLiquidated'; id: string; ts: number; leg: 'long' | 'short'; quantity: number; price: number }
  | { type: 'legExpired'; id: string; ts: number; leg: 'long' | 'short'; quantity: number; price: number }
  | { type: 'intentIgnored'; id: string; ts: number; reason: string };

export type ExecutionListener = (event: ExecutionEvent) => void;

/**
 * An order the executor sent ('submitted'), or one whose send failed without a venue reply that
 * proves it was not taken ('unknown': it stays in flight, never assumed failed, until an order
 * update or reconciliation settles it).
 */
export interface OrderSendEvent {
  status: 'submitted' | 'unknown';
  clientOrderId: string;
  venue: string;
  symbol: string;
  ts: number;
  reason: string | null;
}

export type OrderSendListener = (event: OrderSendEvent) => void;

type Leg = 'long' | 'short';
type Purpose = 'open' | 'rehedge' | 'close';

/** Which pair and leg an order of the executor trades, and why (its fills belong to that pair). */
export interface OrderOwner {
  pairId: string;
  leg: Leg;
  purpose: Purpose;
}

interface PendingOrder {
  pairId: string;
  leg: Leg;
  purpose: Purpose;
  side: OrderSide;
  filled: number;
  status: OrderUpdate['status'] | 'sent';
  reason: string | null;
}

interface PairState {
  id: string;
  /** Creation order: retries run in it. */
  seq: number;
  long: InstrumentRef;
  short: InstrumentRef;
  status: PairStatus;
  /** Net quantity held per leg (long leg >= 0, short leg expressed as a positive quantity short). */
  longQty: number;
  shortQty: number;
  openedAtMs: number | null;
  openOrders: Set<string>;
  reasons: string[];
  closeRetries: number;
  needsCloseRetry: boolean;
  retryDue: boolean;
  /** What pair() returns: the same object every time, refreshed by each call. */
  view: MutablePairView;
}

type MutablePairView = { -readonly [K in keyof PairView]: PairView[K] };

const TERMINAL = new Set(['rejected', 'filled', 'canceled', 'expired']);
const QTY_EPS = 1e-12;

export interface PairExecutorOptions {
  venues: readonly TradingVenue[];
  instruments: readonly Instrument[];
  market: MarketView;
  maxCloseRetries?: number;
}

/** Rounds q down to a multiple of every given lot size (lot sizes of two legs; null: unchecked). */
export function roundDownToLots(quantity: number, lots: readonly (number | null)[]): number {
  let q = quantity;
  for (let pass = 0; pass < 3; pass++) {
    for (const lot of lots) {
      if (lot === null || !(lot > 0)) continue;
      const units = Math.floor(q / lot + 1e-9);
      q = Number((units * lot).toPrecision(12));
    }
  }
  return q > 0 ? q : 0;
}

export class PairExecutor implements PositionView {
  private readonly venues = new Map<string, TradingVenue>();
  private readonly instruments = new Map<string, Instrument>();
  private readonly market: MarketView;
  private readonly pairs = new Map<string, PairState>();
  /** Pairs whose needsCloseRetry is set: onTime has work only while this is not empty. */
  private readonly retries = new Set<PairState>();
  private pairSeq = 0;
  private readonly orders = new Map<string, PendingOrder>();
  private readonly listeners: ExecutionListener[] = [];
  private readonly orderListeners: OrderSendListener[] = [];
  private readonly maxCloseRetries: number;
  private orderSeq = 0;
  private nowMs = 0;

  constructor(options: PairExecutorOptions) {
    for (const v of options.venues) this.venues.set(v.venue, v);
    for (const i of options.instruments) this.instruments.set(`${i.venue}:${i.symbol}`, i);
    this.market = options.market;
    this.maxCloseRetries = options.maxCloseRetries ?? 10;
  }

  subscribe(listener: ExecutionListener): void {
    this.listeners.push(listener);
  }

  subscribeOrders(listener: OrderSendListener): void {
    this.orderListeners.push(listener);
  }

  // ---- PositionView --------------------------------------------------------------------------

  activePairs(): readonly PairView[] {
    const out: PairView[] = [];
    for (const p of this.pairs.values()) if (p.status !== 'closed' && p.status !== 'failed') out.push(refreshView(p));
    return out;
  }

  /** The pair's view: one object per pair, refreshed in place by every call (no allocation per call). */
  pair(id: string): PairView | undefined {
    const p = this.pairs.get(id);
    return p ? refreshView(p) : undefined;
  }

  /** The pair, leg and purpose of an order the executor sent and that is not done yet; undefined for others (a venue's liquidation, say). */
  orderOwner(clientOrderId: string): OrderOwner | undefined {
    const order = this.orders.get(clientOrderId);
    return order === undefined ? undefined : { pairId: order.pairId, leg: order.leg, purpose: order.purpose };
  }

  // ---- intents -------------------------------------------------------------------------------

  execute(intent: Intent, nowMs: number): void {
    this.nowMs = nowMs;
    if (intent.kind === 'openPair') this.open(intent);
    else this.close(intent);
  }

  /** Called by the engine on every market event: retries closes that failed (nothing to do, at once, when none did). */
  onTime(nowMs: number): void {
    this.nowMs = nowMs;
    if (this.retries.size === 0) return;
    // One attempt per pair per call, in creation order; a retry that fails again re-flags its pair
    // for the next call (a snapshot, so it is not revisited now).
    const due = [...this.retries].sort((a, b) => a.seq - b.seq);
    for (const p of due) {
      if (!p.needsCloseRetry || p.openOrders.size !== 0) continue;
      p.needsCloseRetry = false;
      this.retries.delete(p);
      if (p.status === 'opening') this.settle(p, nowMs);
      else this.sendCloseOrders(p);
    }
  }

  /** Venue order updates (all of them; others' ids are ignored). */
  onOrderUpdate(update: OrderUpdate): void {
    const order = this.orders.get(update.clientOrderId);
    if (!order) return;
    order.status = update.status;
    if (update.reason) order.reason = update.reason;
    if (!TERMINAL.has(update.status)) return;
    this.orders.delete(update.clientOrderId);
    const pair = this.pairs.get(order.pairId)!;
    pair.openOrders.delete(update.clientOrderId);
    if (update.status === 'rejected' || (update.status !== 'filled' && order.filled < QTY_EPS)) {
      pair.reasons.push(`${order.leg} ${order.purpose}: ${update.status}${order.reason ? ` (${order.reason})` : ''}`);
    }
    if (pair.openOrders.size === 0) this.settle(pair, update.ts);
  }

  /** Venue fills: the held quantity of each leg follows the fills. */
  onFill(fill: Fill): void {
    const order = this.orders.get(fill.clientOrderId);
    if (!order) return;
    order.filled += fill.quantity;
    const pair = this.pairs.get(order.pairId)!;
    const signed = fill.side === 'buy' ? fill.quantity : -fill.quantity;
    if (order.leg === 'long') pair.longQty = clean(pair.longQty + signed);
    else pair.shortQty = clean(pair.shortQty - signed);
  }

  /** The venue liquidated a position: see onLegClosedByVenue. */
  onLiquidation(event: LiquidationEvent): void {
    this.onLegClosedByVenue(event, 'legLiquidated');
  }

  /** A dated future expired and the venue settled the position: see onLegClosedByVenue. */
  onExpiry(event: ExpirySettlementEvent): void {
    this.onLegClosedByVenue(event, 'legExpired');
  }

  /**
   * The venue closed a position itself (liquidation or expiry settlement): the pairs holding it
   * (oldest first, up to the closed quantity) lose that leg, and whatever remains of them is closed
   * now (the venue's closing fill is not one of the executor's orders, so onFill does not see it).
   */
  private onLegClosedByVenue(event: PositionClosedByVenue, type: 'legLiquidated' | 'legExpired'): void {
    if (event.ts > this.nowMs) this.nowMs = event.ts;
    const closedSign = Math.sign(event.positionQty);
    let remaining = Math.abs(event.positionQty);
    for (const pair of this.pairs.values()) {
      if (remaining <= QTY_EPS) break;
      if (pair.status === 'closed' || pair.status === 'failed') continue;
      let hit = false;
      for (const leg of ['long', 'short'] as const) {
        const ref = leg === 'long' ? pair.long : pair.short;
        if (ref.venue !== event.venue || ref.symbol !== event.symbol) continue;
        // The leg's signed holding on the venue: the long leg +longQty, the short leg -shortQty.
        const held = leg === 'long' ? pair.longQty : -pair.shortQty;
        if (Math.abs(held) <= QTY_EPS || Math.sign(held) !== closedSign) continue;
        const cut = Math.min(Math.abs(held), remaining);
        remaining -= cut;
        const left = clean(held - closedSign * cut);
        if (leg === 'long') pair.longQty = left;
        else pair.shortQty = clean(-left);
        hit = true;
        this.emit({ type, id: pair.id, ts: event.ts, leg, quantity: cut, price: event.price });
      }
      if (!hit || pair.status === 'opening') continue; // an opening pair is settled when its orders are done
      pair.status = 'closing';
      pair.closeRetries = 0;
      if (pair.openOrders.size === 0) this.sendCloseOrders(pair);
    }
  }

  // ---- internals -----------------------------------------------------------------------------

  private open(intent: OpenPairIntent): void {
    if (this.pairs.has(intent.id)) return this.emit({ type: 'intentIgnored', id: intent.id, ts: this.nowMs, reason: 'pair id already used' });
    const longSnap = this.market.get(intent.long.venue, intent.long.symbol);
    const shortSnap = this.market.get(intent.short.venue, intent.short.symbol);
    const longInst = this.instruments.get(`${intent.long.venue}:${intent.long.symbol}`);
    const shortInst = this.instruments.get(`${intent.short.venue}:${intent.short.symbol}`);
    const fail = (reason: string) => this.emit({ type: 'pairOpenFailed', id: intent.id, ts: this.nowMs, reasons: [reason], longFilled: 0, shortFilled: 0 });
    if (!longInst || !shortInst) return fail('unknown instrument');
    if (!this.venues.has(intent.long.venue) || !this.venues.has(intent.short.venue)) return fail('unknown venue');
    if (!longSnap || !shortSnap || !(longSnap.price > 0) || !(shortSnap.price > 0)) return fail('no price for a leg');
    const price = Math.max(longSnap.price, shortSnap.price);
    const quantity = roundDownToLots(intent.notionalUsd / price, [longInst.lotSize, shortInst.lotSize]);
    const pair: PairState = {
      id: intent.id,
      seq: ++this.pairSeq,
      long: intent.long,
      short: intent.short,
      status: 'opening',
      longQty: 0,
      shortQty: 0,
      openedAtMs: null,
      openOrders: new Set(),
      reasons: [],
      closeRetries: 0,
      needsCloseRetry: false,
      retryDue: false,
      view: { id: intent.id, long: intent.long, short: intent.short, status: 'opening', longQty: 0, shortQty: 0, openedAtMs: null },
    };
    this.pairs.set(intent.id, pair);
    if (!(quantity > 0)) {
      pair.status = 'failed';
      return this.emit({ type: 'pairOpenFailed', id: intent.id, ts: this.nowMs, reasons: ['quantity rounds to zero at the lot sizes'], longFilled: 0, shortFilled: 0 });
    }
    // Both legs at once: register both before sending either (a synchronous venue may reply inside submit).
    const longId = this.register(pair, 'long', 'open', 'buy');
    const shortId = this.register(pair, 'short', 'open', 'sell');
    this.send(longId, intent.long, 'buy', quantity, false);
    this.send(shortId, intent.short, 'sell', quantity, false);
  }

  private close(intent: ClosePairIntent): void {
    const pair = this.pairs.get(intent.id);
    if (!pair || pair.status === 'closed' || pair.status === 'failed') {
      return this.emit({ type: 'intentIgnored', id: intent.id, ts: this.nowMs, reason: 'no such open pair' });
    }
    pair.status = 'closing';
    pair.closeRetries = 0;
    if (pair.openOrders.size === 0) this.sendCloseOrders(pair);
    // else: settle() sends them once the open orders are done.
  }

  private sendCloseOrders(pair: PairState): void {
    const legs: { leg: Leg; ref: InstrumentRef; side: OrderSide; qty: number }[] = [];
    if (Math.abs(pair.longQty) > QTY_EPS) legs.push({ leg: 'long', ref: pair.long, side: pair.longQty > 0 ? 'sell' : 'buy', qty: Math.abs(pair.longQty) });
    if (Math.abs(pair.shortQty) > QTY_EPS) legs.push({ leg: 'short', ref: pair.short, side: pair.shortQty > 0 ? 'buy' : 'sell', qty: Math.abs(pair.shortQty) });
    if (legs.length === 0) {
      pair.status = 'closed';
      return this.emit({ type: 'pairClosed', id: pair.id, ts: this.nowMs });
    }
    const ids = legs.map((l) => this.register(pair, l.leg, 'close', l.side));
    legs.forEach((l, k) => this.send(ids[k], l.ref, l.side, l.qty, this.isDerivative(l.ref)));
  }

  /** All orders of the pair are done: decide what comes next. */
  private settle(pair: PairState, ts: number): void {
    const longFilled = pair.longQty;
    const shortFilled = pair.shortQty;
    if (pair.status === 'opening') {
      const excess = longFilled - shortFilled;
      if (Math.abs(excess) <= QTY_EPS) {
        if (longFilled <= QTY_EPS) {
          pair.status = 'failed';
          return this.emit({ type: 'pairOpenFailed', id: pair.id, ts, reasons: pair.reasons.splice(0), longFilled, shortFilled });
        }
        pair.status = 'open';
        pair.openedAtMs = ts;
        const l = this.market.get(pair.long.venue, pair.long.symbol);
        const s = this.market.get(pair.short.venue, pair.short.symbol);
        return this.emit({ type: 'pairOpened', id: pair.id, ts, quantity: longFilled, longPrice: l?.price ?? Number.NaN, shortPrice: s?.price ?? Number.NaN });
      }
      // Unequal legs: take the excess off the bigger leg (an unwind when the other got nothing).
      // The first attempt goes at once; a failed one is retried on the next market event.
      if (pair.closeRetries > 0 && !pair.retryDue) {
        if (pair.closeRetries > this.maxCloseRetries) return;
        this.flagRetry(pair);
        pair.retryDue = true;
        return;
      }
      pair.retryDue = false;
      pair.closeRetries++;
      const leg: Leg = excess > 0 ? 'long' : 'short';
      const ref = leg === 'long' ? pair.long : pair.short;
      const side: OrderSide = leg === 'long' ? 'sell' : 'buy';
      const reasons = [...pair.reasons];
      this.emit({ type: 'pairRehedged', id: pair.id, ts, leg, excess: Math.abs(excess), longFilled, shortFilled, reasons });
      if (Math.min(longFilled, shortFilled) <= QTY_EPS) pair.status = 'closing';
      const id = this.register(pair, leg, 'rehedge', side);
      this.send(id, ref, side, Math.abs(excess), this.isDerivative(ref));
      return;
    }
    if (pair.status === 'closing') {
      const flat = Math.abs(pair.longQty) <= QTY_EPS && Math.abs(pair.shortQty) <= QTY_EPS;
      if (flat) {
        const failedOpen = pair.openedAtMs === null;
        pair.status = failedOpen ? 'failed' : 'closed';
        if (failedOpen) return this.emit({ type: 'pairOpenFailed', id: pair.id, ts, reasons: pair.reasons.splice(0), longFilled: 0, shortFilled: 0 });
        return this.emit({ type: 'pairClosed', id: pair.id, ts });
      }
      if (pair.closeRetries++ < this.maxCloseRetries) {
        const leg: Leg = Math.abs(pair.longQty) > QTY_EPS ? 'long' : 'short';
        this.emit({ type: 'closeRetry', id: pair.id, ts, leg, remaining: leg === 'long' ? pair.longQty : pair.shortQty, reason: pair.reasons.splice(0).join('; ') });
        this.flagRetry(pair);
      }
      return;
    }
    if (pair.status === 'open') {
      // A re-hedge completed on a pair that kept both legs.
      if (Math.abs(pair.longQty - pair.shortQty) <= QTY_EPS) return;
    }
  }

  private flagRetry(pair: PairState): void {
    pair.needsCloseRetry = true;
    this.retries.add(pair);
  }

  private register(pair: PairState, leg: Leg, purpose: Purpose, side: OrderSide): string {
    const id = `${pair.id}/${purpose}/${leg}/${++this.orderSeq}`;
    this.orders.set(id, { pairId: pair.id, leg, purpose, side, filled: 0, status: 'sent', reason: null });
    pair.openOrders.add(id);
    return id;
  }

  private send(clientOrderId: string, ref: InstrumentRef, side: OrderSide, quantity: number, reduceOnly: boolean): void {
    const venue = this.venues.get(ref.venue)!;
    const sentAt = this.nowMs;
    for (const l of this.orderListeners) l({ status: 'submitted', clientOrderId, venue: ref.venue, symbol: ref.symbol, ts: sentAt, reason: null });
    // Not awaited: order events report the outcome (see the class comment).
    venue.submit({ clientOrderId, venue: ref.venue, symbol: ref.symbol, side, type: 'market', quantity, limitPrice: null, timeInForce: 'IOC', reduceOnly, ts: sentAt }).then(
      (update) => {
        // A reply that was not emitted as an event (a reused id) still ends the order.
        if (this.orders.has(clientOrderId) && TERMINAL.has(update.status)) this.onOrderUpdate(update);
      },
      (error: unknown) => {
        // No reply proves the venue did not take the order: it stays in flight (status 'sent').
        const reason = error instanceof Error ? error.message : String(error);
        for (const l of this.orderListeners) l({ status: 'unknown', clientOrderId, venue: ref.venue, symbol: ref.symbol, ts: this.nowMs, reason });
      },
    );
  }

  private isDerivative(ref: InstrumentRef): boolean {
    return this.instruments.get(`${ref.venue}:${ref.symbol}`)?.kind !== 'spot';
  }

  private emit(event: ExecutionEvent): void {
    for (const l of this.listeners) l(event);
  }
}

function refreshView(p: PairState): PairView {
  const v = p.view;
  v.status = p.status;
  v.longQty = p.longQty;
  v.shortQty = p.shortQty;
  v.openedAtMs = p.openedAtMs;
  return v;
}

function clean(x: number): number {
  return Math.abs(x) < QTY_EPS ? 0 : x;
}
