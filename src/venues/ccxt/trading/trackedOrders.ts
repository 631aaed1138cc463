import type { TimerId } from '../../../core/timers.ts';
import { isTerminalOrderState, type OrderLifecycleState } from '../../../domain/orderLifecycle.ts';
import type { OrderRequest } from '../../../domain/trading.ts';

/** An order the live venue sent (or adopted from a journal after a restart), and what is known of it. */
export interface TrackedOrder {
  readonly request: OrderRequest;
  state: OrderLifecycleState;
  /** The venue's order id, once a reply or a fetch named it. */
  orderId: string | null;
  /** Filled quantity booked: the sum of the fills emitted. */
  filledQuantity: number;
  /** Filled quantity of the last update emitted. */
  reportedFilledQuantity: number;
  /** Filled quantity the venue last reported (fills are fetched up to it). */
  venueFilledQuantity: number;
  reason: string | null;
  /** Clock time of the send, null while created. */
  sentAtMs: number | null;
  /** Where the grid of in-flight checks starts (the send; for an order adopted after a restart, so that its first check is at once). */
  checkGridFromMs: number | null;
  /** In-flight checks made (fetches by client id). */
  checksMade: number;
  checkTimer: TimerId | null;
  /** Clock time it reached a terminal state (old ones are dropped). */
  endedAtMs: number | null;
  readonly tradeIds: Set<string>;
  /** Serialises the work on this order (reports, trade fetches), so each fill is emitted once and before the update that reports it. */
  chain: Promise<void>;
}

/** What status, flatten and reconciliation read about an order (a copy). */
export interface TrackedOrderView {
  clientOrderId: string;
  orderId: string | null;
  venue: string;
  symbol: string;
  side: OrderRequest['side'];
  quantity: number;
  state: OrderLifecycleState;
  filledQuantity: number;
  reason: string | null;
  sentAtMs: number | null;
  checksMade: number;
}

export function viewOf(order: TrackedOrder): TrackedOrderView {
  const r = order.request;
  return { clientOrderId: r.clientOrderId, orderId: order.orderId, venue: r.venue, symbol: r.symbol, side: r.side, quantity: r.quantity, state: order.state, filledQuantity: order.filledQuantity, reason: order.reason, sentAtMs: order.sentAtMs, checksMade: order.checksMade };
}

/** The orders of one venue by client and venue id. Ended orders are kept `retainEndedMs` (late stream messages still find them), then dropped. */
export class TrackedOrders {
  private readonly byClientId = new Map<string, TrackedOrder>();
  private readonly byVenueId = new Map<string, TrackedOrder>();

  constructor(private readonly retainEndedMs = 10 * 60_000) {}

  add(request: OrderRequest): TrackedOrder {
    const order: TrackedOrder = { request, state: 'created', orderId: null, filledQuantity: 0, reportedFilledQuantity: 0, venueFilledQuantity: 0, reason: null, sentAtMs: null, checkGridFromMs: null, checksMade: 0, checkTimer: null, endedAtMs: null, tradeIds: new Set(), chain: Promise.resolve() };
    this.byClientId.set(request.clientOrderId, order);
    return order;
  }

  get(clientOrderId: string): TrackedOrder | undefined {
    return this.byClientId.get(clientOrderId);
  }

  byOrderId(orderId: string): TrackedOrder | undefined {
    return this.byVenueId.get(orderId);
  }

  setOrderId(order: TrackedOrder, orderId: string): void {
    if (order.orderId === orderId) return;
    order.orderId = orderId;
    this.byVenueId.set(orderId, order);
  }

  markEnded(order: TrackedOrder, nowMs: number): void {
    order.endedAtMs = nowMs;
  }

  /** Orders not in a terminal state. */
  live(): TrackedOrder[] {
    return [...this.byClientId.values()].filter((o) => !isTerminalOrderState(o.state));
  }

  all(): TrackedOrder[] {
    return [...this.byClientId.values()];
  }

  /** Drops orders that ended more than retainEndedMs before `nowMs`. */
  prune(nowMs: number): void {
    for (const [id, order] of this.byClientId) {
      if (order.endedAtMs === null || nowMs - order.endedAtMs <= this.retainEndedMs) continue;
      this.byClientId.delete(id);
      if (order.orderId !== null) this.byVenueId.delete(order.orderId);
    }
  }
}
