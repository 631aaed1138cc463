import type { Clock, TimerId } from '../core/timers.ts';
import type { Instrument } from '../domain/instrument.ts';
import type { Fill, OrderSide, OrderUpdate } from '../domain/trading.ts';
import type { ClosePairIntent, InstrumentRef, Intent, MarketView, OpenPairIntent, PairStatus, PairView, PositionView, RebalanceLegIntent, ResizePairIntent } from '../strategy/types.ts';
import type { ExpirySettlementEvent, LiquidationEvent, PositionClosedByVenue, TradingVenue } from '../venues/tradingTypes.ts';
import type { PairJournal, PairJournalState, PairOrderPurpose, PairSnapshot } from './pairJournal.ts';
import { lotSizeOf, preTradeProblems } from './preTradeChecks.ts';

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
 *
 * Before sending either leg, both are checked against their venues' order rules (minimum and
 * maximum quantity, minimum notional) and the funds they draw together (preTradeChecks.ts); venues
 * that state none (the simulated venue) answer for themselves.
 *
 * With a leg policy (live and testnet sessions: `execution` of the run config) a lone leg is
 * handled by `onLegFailure`: 'unwind' takes the excess off at once, as above; 'complete' sends the
 * missing quantity on the lagging leg (a new order under a new id: the first one is known to have
 * ended), retried on the next market events, until `legTimeoutMs` after the open; then the excess
 * is unwound. At that timeout an order still resting is cancelled, and an order in flight is waited
 * for: a leg whose outcome is unknown is never unwound (nor its partner) until the venue says what
 * happened. Without a policy (backtests) the excess is unwound at once and no timer is set.
 *
 * With a journal, the pair's state and the order are journalled before every send
 * (pairJournal.ts), and order ends and state changes after.
 */

export type ExecutionEvent =
  | { type: 'pairOpened'; id: string; ts: number; quantity: number; longPrice: number; shortPrice: number }
  | { type: 'pairRehedged'; id: string; ts: number; leg: 'long' | 'short'; excess: number; longFilled: number; shortFilled: number; reasons: string[] }
  /** onLegFailure 'complete': the missing quantity is sent on the lagging leg (attempt 1, 2, ...). */
  | { type: 'legCompletion'; id: string; ts: number; leg: 'long' | 'short'; quantity: number; attempt: number; longFilled: number; shortFilled: number; reasons: string[] }
  /** legTimeoutMs passed with the pair still opening: resting orders are cancelled; orders in flight are waited for. */
  | { type: 'legTimeout'; id: string; ts: number; inFlight: string[]; cancelling: string[] }
  | { type: 'pairOpenFailed'; id: string; ts: number; reasons: string[]; longFilled: number; shortFilled: number }
  | { type: 'pairClosed'; id: string; ts: number }
  | { type: 'closeRetry'; id: string; ts: number; leg: 'long' | 'short'; remaining: number; reason: string }
  | { type: 'legLiquidated'; id: string; ts: number; leg: 'long' | 'short'; quantity: number; price: number }
  | { type: 'legExpired'; id: string; ts: number; leg: 'long' | 'short'; quantity: number; price: number }
  | { type: 'intentIgnored'; id: string; ts: number; reason: string }
  /** A risk resize (both legs to toQty) or rebalance (one leg by a signed quantity) was sent on an open pair. */
  | { type: 'pairResized'; id: string; ts: number; fromQty: number; toQty: number; reasonCode: string }
  | { type: 'legRebalanced'; id: string; ts: number; leg: 'long' | 'short'; quantity: number; reasonCode: string }
  /** The orders of a resize or rebalance are done: what the pair holds now. */
  | { type: 'pairAdjusted'; id: string; ts: number; longQty: number; shortQty: number };

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
type Purpose = PairOrderPurpose;

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
  /** 'sent': no update yet (the reply is coming, or the send failed without one: in flight). */
  status: OrderUpdate['status'] | 'sent';
  reason: string | null;
  venue: string;
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
  /** Completion orders sent (onLegFailure 'complete'). */
  completions: number;
  /** The leg timeout's timer (with a leg policy, while opening). */
  legTimer: TimerId | null;
  /** legTimeoutMs has passed: no more completions, the excess is unwound. */
  timedOut: boolean;
  /** A resize or rebalance of the open pair in progress (a resize ends with equal legs, a rebalance as sent). */
  adjusting: 'resize' | 'rebalance' | 'rehedge' | null;
  /** What pair() returns: the same object every time, refreshed by each call. */
  view: MutablePairView;
}

type MutablePairView = { -readonly [K in keyof PairView]: PairView[K] };

const TERMINAL = new Set(['rejected', 'filled', 'canceled', 'expired']);
const QTY_EPS = 1e-12;

/** What to do with a lone leg, and how long a pair's legs may take (the run config's `execution`). */
export interface LegPolicy {
  onLegFailure: 'complete' | 'unwind';
  legTimeoutMs: number;
}

export interface PairExecutorOptions {
  venues: readonly TradingVenue[];
  instruments: readonly Instrument[];
  market: MarketView;
  maxCloseRetries?: number;
  /** Leg failure policy and timeout (needs `clock`); absent: the excess is unwound at once and no timer is set (backtests). */
  legPolicy?: LegPolicy;
  /** The engine's clock: the leg timeouts are its timers. */
  clock?: Clock;
  /** Journalled before every send (and after order ends and state changes); absent: none. */
  journal?: PairJournal;
  /** Client order ids for the venue (live: ClientOrderIds, valid on every venue and unique across restarts); default `<pair>/<purpose>/<leg>/<n>`. */
  clientOrderId?: (venue: string) => string;
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
  private readonly legPolicy: LegPolicy | null;
  private readonly clock: Clock | null;
  private readonly journal: PairJournal | null;
  private readonly newClientOrderId: ((venue: string) => string) | null;

  constructor(options: PairExecutorOptions) {
    for (const v of options.venues) this.venues.set(v.venue, v);
    for (const i of options.instruments) this.instruments.set(`${i.venue}:${i.symbol}`, i);
    this.market = options.market;
    this.maxCloseRetries = options.maxCloseRetries ?? 10;
    this.legPolicy = options.legPolicy ?? null;
    this.clock = options.clock ?? null;
    if (this.legPolicy !== null && this.clock === null) throw new Error('PairExecutor: a leg policy needs the clock (its timeouts are clock timers)');
    if (this.legPolicy !== null && !(this.legPolicy.legTimeoutMs > 0)) throw new Error(`PairExecutor: legTimeoutMs must be > 0 (got ${this.legPolicy.legTimeoutMs})`);
    this.journal = options.journal ?? null;
    this.newClientOrderId = options.clientOrderId ?? null;
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

  /**
   * A restart: takes over the pairs and the orders in flight a journal left (replayPairJournal).
   * An order in flight is pending again, its outcome to come from its venue (which adopts it);
   * closed and failed pairs are kept for their ids. A pair left opening or closing with nothing in
   * flight is settled on the next onTime: a naked leg completed or unwound by the leg policy, a
   * close sent again; an opening pair gets a new leg timeout.
   */
  restore(state: PairJournalState, nowMs: number): void {
    this.nowMs = nowMs;
    for (const snap of state.pairs.values()) {
      if (this.pairs.has(snap.id)) throw new Error(`restore: pair ${snap.id} is already known`);
      const pair: PairState = {
        ...snap,
        seq: ++this.pairSeq,
        openOrders: new Set(),
        reasons: [],
        closeRetries: 0,
        needsCloseRetry: false,
        retryDue: false,
        completions: 0,
        legTimer: null,
        timedOut: false,
        // A resize or rebalance the journal does not record: its orders in flight come back as the pair's own and settle it.
        adjusting: null,
        view: { id: snap.id, long: snap.long, short: snap.short, status: snap.status, longQty: snap.longQty, shortQty: snap.shortQty, openedAtMs: snap.openedAtMs },
      };
      this.pairs.set(snap.id, pair);
    }
    for (const o of state.openOrders.values()) {
      const pair = this.pairs.get(o.pairId);
      if (pair === undefined) throw new Error(`restore: order ${o.clientOrderId} names pair ${o.pairId}, which the journal does not have`);
      this.orders.set(o.clientOrderId, { pairId: o.pairId, leg: o.leg, purpose: o.purpose, side: o.side, filled: 0, status: 'sent', reason: null, venue: o.venue });
      pair.openOrders.add(o.clientOrderId);
    }
    for (const pair of this.pairs.values()) {
      if (pair.status !== 'opening' && pair.status !== 'closing') continue;
      if (pair.status === 'opening' && this.legPolicy !== null) {
        const clock = this.clock!;
        pair.legTimer = clock.setTimer(clock.nowMs() + this.legPolicy.legTimeoutMs, (atMs) => this.onLegTimeout(pair, atMs));
      }
      if (pair.openOrders.size === 0) {
        this.flagRetry(pair);
        pair.retryDue = true;
      }
    }
  }

  /** Orders sent whose end is not known yet (in flight or resting), with their pair and leg. */
  pendingOrders(): (OrderOwner & { clientOrderId: string; venue: string; status: string })[] {
    return [...this.orders.entries()].map(([clientOrderId, o]) => ({ clientOrderId, pairId: o.pairId, leg: o.leg, purpose: o.purpose, venue: o.venue, status: o.status }));
  }

  // ---- intents -------------------------------------------------------------------------------

  execute(intent: Intent, nowMs: number): void {
    this.nowMs = nowMs;
    if (intent.kind === 'openPair') this.open(intent);
    else if (intent.kind === 'closePair') this.close(intent);
    else if (intent.kind === 'resizePair') this.resize(intent);
    else this.rebalance(intent);
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
    this.journal?.append({ kind: 'orderDone', ts: update.ts, pairId: pair.id, clientOrderId: update.clientOrderId, status: update.status, filledQuantity: order.filled, pair: snapshotOf(pair) });
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
    const longVenue = this.venues.get(intent.long.venue)!;
    const shortVenue = this.venues.get(intent.short.venue)!;
    const quantity = roundDownToLots(intent.notionalUsd / price, [lotSizeOf(longVenue, longInst), lotSizeOf(shortVenue, shortInst)]);
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
      completions: 0,
      legTimer: null,
      timedOut: false,
      adjusting: null,
      view: { id: intent.id, long: intent.long, short: intent.short, status: 'opening', longQty: 0, shortQty: 0, openedAtMs: null },
    };
    this.pairs.set(intent.id, pair);
    if (!(quantity > 0)) {
      pair.status = 'failed';
      return this.emit({ type: 'pairOpenFailed', id: intent.id, ts: this.nowMs, reasons: ['quantity rounds to zero at the lot sizes'], longFilled: 0, shortFilled: 0 });
    }
    const problems = preTradeProblems([
      { leg: 'long', venue: longVenue, instrument: longInst, side: 'buy', quantity, price: longSnap.price },
      { leg: 'short', venue: shortVenue, instrument: shortInst, side: 'sell', quantity, price: shortSnap.price },
    ]);
    if (problems.length > 0) {
      pair.status = 'failed';
      return this.emit({ type: 'pairOpenFailed', id: intent.id, ts: this.nowMs, reasons: problems, longFilled: 0, shortFilled: 0 });
    }
    if (this.legPolicy !== null) {
      const clock = this.clock!;
      pair.legTimer = clock.setTimer(clock.nowMs() + this.legPolicy.legTimeoutMs, (atMs) => this.onLegTimeout(pair, atMs));
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

  /** An open pair with no order outstanding, or why the intent is ignored. */
  private adjustable(id: string): PairState | string {
    const pair = this.pairs.get(id);
    if (!pair || pair.status !== 'open') return 'no such open pair';
    if (pair.openOrders.size > 0 || pair.needsCloseRetry) return 'the pair has orders outstanding';
    return pair;
  }

  private lots(pair: PairState): (number | null)[] {
    return [pair.long, pair.short].map((ref) => lotSizeOf(this.venues.get(ref.venue)!, this.instruments.get(`${ref.venue}:${ref.symbol}`)!));
  }

  /** Both legs to scale x the smaller one, rounded down to both lots: shrinks reduce, adds are checked like an open. */
  private resize(intent: ResizePairIntent): void {
    const pair = this.adjustable(intent.id);
    if (typeof pair === 'string') return this.emit({ type: 'intentIgnored', id: intent.id, ts: this.nowMs, reason: pair });
    const fromQty = Math.min(pair.longQty, pair.shortQty);
    const toQty = roundDownToLots(fromQty * intent.scale, this.lots(pair));
    if (!(toQty > 0)) return this.emit({ type: 'intentIgnored', id: intent.id, ts: this.nowMs, reason: 'the resized pair rounds to zero at the lot sizes (close it instead)' });
    const legs = [
      { leg: 'long' as Leg, ref: pair.long, delta: clean(toQty - pair.longQty) },
      { leg: 'short' as Leg, ref: pair.short, delta: clean(toQty - pair.shortQty) },
    ].filter((l) => Math.abs(l.delta) > QTY_EPS);
    if (legs.length === 0) return this.emit({ type: 'intentIgnored', id: intent.id, ts: this.nowMs, reason: 'the pair already holds that size' });
    const sides = legs.map((l) => ((l.leg === 'long') === l.delta > 0 ? 'buy' : 'sell') as OrderSide);
    const problems = this.increaseProblems(legs.map((l, k) => ({ ...l, side: sides[k] })));
    if (problems.length > 0) return this.emit({ type: 'intentIgnored', id: intent.id, ts: this.nowMs, reason: problems.join('; ') });
    pair.adjusting = 'resize';
    this.emit({ type: 'pairResized', id: pair.id, ts: this.nowMs, fromQty, toQty, reasonCode: intent.reasonCode });
    const ids = legs.map((l, k) => this.register(pair, l.leg, 'resize', sides[k]));
    legs.forEach((l, k) => this.send(ids[k], l.ref, sides[k], Math.abs(l.delta), l.delta < 0 && this.isDerivative(l.ref)));
  }

  /** One leg's held quantity changed by a signed quantity (rounded down to its lot): the risk layer's delta rebalance. */
  private rebalance(intent: RebalanceLegIntent): void {
    const pair = this.adjustable(intent.id);
    if (typeof pair === 'string') return this.emit({ type: 'intentIgnored', id: intent.id, ts: this.nowMs, reason: pair });
    const ref = intent.leg === 'long' ? pair.long : pair.short;
    const lot = this.lots(pair)[intent.leg === 'long' ? 0 : 1];
    const held = intent.leg === 'long' ? pair.longQty : pair.shortQty;
    const size = roundDownToLots(Math.min(Math.abs(intent.quantity), intent.quantity < 0 ? held : Infinity), [lot]);
    if (!(size > 0)) return this.emit({ type: 'intentIgnored', id: intent.id, ts: this.nowMs, reason: 'the rebalance rounds to zero at the lot size' });
    const delta = Math.sign(intent.quantity) * size;
    const side: OrderSide = (intent.leg === 'long') === delta > 0 ? 'buy' : 'sell';
    const problems = this.increaseProblems([{ leg: intent.leg, ref, delta, side }]);
    if (problems.length > 0) return this.emit({ type: 'intentIgnored', id: intent.id, ts: this.nowMs, reason: problems.join('; ') });
    pair.adjusting = 'rebalance';
    this.emit({ type: 'legRebalanced', id: pair.id, ts: this.nowMs, leg: intent.leg, quantity: delta, reasonCode: intent.reasonCode });
    const id = this.register(pair, intent.leg, 'rebalance', side);
    this.send(id, ref, side, size, delta < 0 && this.isDerivative(ref));
  }

  /** The venue rules and funds of the legs that grow (as for an open); reductions need none. */
  private increaseProblems(legs: { leg: Leg; ref: InstrumentRef; delta: number; side: OrderSide }[]): string[] {
    const plans = legs
      .filter((l) => l.delta > 0)
      .map((l) => ({ leg: l.leg, venue: this.venues.get(l.ref.venue)!, instrument: this.instruments.get(`${l.ref.venue}:${l.ref.symbol}`)!, side: l.side, quantity: l.delta, price: this.market.get(l.ref.venue, l.ref.symbol)?.price ?? Number.NaN }));
    return plans.length === 0 ? [] : preTradeProblems(plans);
  }

  private sendCloseOrders(pair: PairState): void {
    const legs: { leg: Leg; ref: InstrumentRef; side: OrderSide; qty: number }[] = [];
    if (Math.abs(pair.longQty) > QTY_EPS) legs.push({ leg: 'long', ref: pair.long, side: pair.longQty > 0 ? 'sell' : 'buy', qty: Math.abs(pair.longQty) });
    if (Math.abs(pair.shortQty) > QTY_EPS) legs.push({ leg: 'short', ref: pair.short, side: pair.shortQty > 0 ? 'buy' : 'sell', qty: Math.abs(pair.shortQty) });
    if (legs.length === 0) {
      pair.status = 'closed';
      this.journalPair(pair, this.nowMs);
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
        this.endLegTimer(pair);
        if (longFilled <= QTY_EPS) {
          pair.status = 'failed';
          this.journalPair(pair, ts);
          return this.emit({ type: 'pairOpenFailed', id: pair.id, ts, reasons: pair.reasons.splice(0), longFilled, shortFilled });
        }
        pair.status = 'open';
        pair.openedAtMs = ts;
        this.journalPair(pair, ts);
        const l = this.market.get(pair.long.venue, pair.long.symbol);
        const s = this.market.get(pair.short.venue, pair.short.symbol);
        return this.emit({ type: 'pairOpened', id: pair.id, ts, quantity: longFilled, longPrice: l?.price ?? Number.NaN, shortPrice: s?.price ?? Number.NaN });
      }
      if (this.legPolicy?.onLegFailure === 'complete' && !pair.timedOut) return this.completeLag(pair, excess, ts);
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
      if (Math.min(longFilled, shortFilled) <= QTY_EPS) {
        pair.status = 'closing';
        this.endLegTimer(pair);
      }
      const id = this.register(pair, leg, 'rehedge', side);
      this.send(id, ref, side, Math.abs(excess), this.isDerivative(ref));
      return;
    }
    if (pair.status === 'closing') {
      const flat = Math.abs(pair.longQty) <= QTY_EPS && Math.abs(pair.shortQty) <= QTY_EPS;
      if (flat) {
        const failedOpen = pair.openedAtMs === null;
        pair.status = failedOpen ? 'failed' : 'closed';
        this.journalPair(pair, ts);
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
      // A resize ends with equal legs: what one leg got more than the other is taken off it (once).
      const wasResize = pair.adjusting === 'resize';
      const excess = pair.longQty - pair.shortQty;
      if (wasResize && Math.abs(excess) > QTY_EPS) {
        pair.adjusting = 'rehedge';
        const leg: Leg = excess > 0 ? 'long' : 'short';
        const ref = leg === 'long' ? pair.long : pair.short;
        const side: OrderSide = leg === 'long' ? 'sell' : 'buy';
        this.emit({ type: 'pairRehedged', id: pair.id, ts, leg, excess: Math.abs(excess), longFilled: pair.longQty, shortFilled: pair.shortQty, reasons: pair.reasons.splice(0) });
        const id = this.register(pair, leg, 'rehedge', side);
        this.send(id, ref, side, Math.abs(excess), this.isDerivative(ref));
        return;
      }
      if (pair.adjusting !== null) {
        pair.adjusting = null;
        pair.reasons.length = 0;
        this.journalPair(pair, ts);
        this.emit({ type: 'pairAdjusted', id: pair.id, ts, longQty: pair.longQty, shortQty: pair.shortQty });
      }
    }
  }

  private flagRetry(pair: PairState): void {
    pair.needsCloseRetry = true;
    this.retries.add(pair);
  }

  private register(pair: PairState, leg: Leg, purpose: Purpose, side: OrderSide): string {
    const venue = (leg === 'long' ? pair.long : pair.short).venue;
    ++this.orderSeq;
    const id = this.newClientOrderId !== null ? this.newClientOrderId(venue) : `${pair.id}/${purpose}/${leg}/${this.orderSeq}`;
    this.orders.set(id, { pairId: pair.id, leg, purpose, side, filled: 0, status: 'sent', reason: null, venue });
    pair.openOrders.add(id);
    return id;
  }

  private send(clientOrderId: string, ref: InstrumentRef, side: OrderSide, quantity: number, reduceOnly: boolean): void {
    const venue = this.venues.get(ref.venue)!;
    const sentAt = this.nowMs;
    const order = this.orders.get(clientOrderId)!;
    if (this.journal !== null) {
      const pair = this.pairs.get(order.pairId)!;
      this.journal.append({ kind: 'send', ts: sentAt, pair: snapshotOf(pair), order: { clientOrderId, pairId: pair.id, leg: order.leg, purpose: order.purpose, venue: ref.venue, symbol: ref.symbol, side, quantity, reduceOnly } });
    }
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

  /**
   * onLegFailure 'complete': send the lagging leg's missing quantity. The first attempt goes at
   * once, a failed one is retried on the next market event; the leg timeout ends the attempts.
   */
  private completeLag(pair: PairState, excess: number, ts: number): void {
    if (pair.completions > 0 && !pair.retryDue) {
      this.flagRetry(pair);
      pair.retryDue = true;
      return;
    }
    pair.retryDue = false;
    pair.completions++;
    const leg: Leg = excess > 0 ? 'short' : 'long';
    const ref = leg === 'long' ? pair.long : pair.short;
    const side: OrderSide = leg === 'long' ? 'buy' : 'sell';
    this.emit({ type: 'legCompletion', id: pair.id, ts, leg, quantity: Math.abs(excess), attempt: pair.completions, longFilled: pair.longQty, shortFilled: pair.shortQty, reasons: [...pair.reasons] });
    const id = this.register(pair, leg, 'complete', side);
    this.send(id, ref, side, Math.abs(excess), false);
  }

  /**
   * legTimeoutMs after the open, the pair still opening: no more completions. Orders resting on a
   * venue are cancelled (their updates settle the pair); orders in flight are waited for, never
   * assumed failed; with nothing outstanding the excess is unwound now.
   */
  private onLegTimeout(pair: PairState, atMs: number): void {
    pair.legTimer = null;
    if (pair.status !== 'opening') return;
    if (atMs > this.nowMs) this.nowMs = atMs;
    pair.timedOut = true;
    const outstanding = [...pair.openOrders].map((id) => ({ id, order: this.orders.get(id)! }));
    const resting = outstanding.filter((o) => o.order.status === 'accepted' || o.order.status === 'partiallyFilled').map((o) => o.id);
    const inFlight = outstanding.filter((o) => o.order.status === 'sent').map((o) => o.id);
    this.emit({ type: 'legTimeout', id: pair.id, ts: atMs, inFlight, cancelling: resting });
    for (const id of resting) {
      this.venues.get(this.orders.get(id)!.venue)!.cancel(id).then(
        (update) => {
          if (this.orders.has(id) && TERMINAL.has(update.status)) this.onOrderUpdate(update);
        },
        () => {},
      );
    }
    if (pair.openOrders.size === 0) {
      // A completion was waiting for its retry: the unwind goes now instead.
      pair.needsCloseRetry = false;
      this.retries.delete(pair);
      pair.retryDue = false;
      this.settle(pair, atMs);
    }
  }

  private endLegTimer(pair: PairState): void {
    if (pair.legTimer === null) return;
    this.clock!.cancelTimer(pair.legTimer);
    pair.legTimer = null;
  }

  private journalPair(pair: PairState, ts: number): void {
    this.journal?.append({ kind: 'pair', ts, pair: snapshotOf(pair) });
  }

  private isDerivative(ref: InstrumentRef): boolean {
    return this.instruments.get(`${ref.venue}:${ref.symbol}`)?.kind !== 'spot';
  }

  private emit(event: ExecutionEvent): void {
    for (const l of this.listeners) l(event);
  }
}

function snapshotOf(p: PairState): PairSnapshot {
  return { id: p.id, status: p.status, long: p.long, short: p.short, longQty: p.longQty, shortQty: p.shortQty, openedAtMs: p.openedAtMs };
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
