import type { OrderStatus } from './trading.ts';

/**
 * An order's life as perp-arb tracks it: created (not sent yet), submitted (sent, no reply yet),
 * inFlight (the send ended without a reply that proves what happened: a timeout, a 5xx, a dropped
 * connection, a lost reply), then the venue's states. Only a reply that proves the venue did not
 * take the order makes it 'rejected'; an order in flight is settled by the venue's word (an update,
 * a fetch by client id, reconciliation), never assumed failed and never re-sent under a new id.
 */
export type OrderLifecycleState = 'created' | 'submitted' | 'inFlight' | OrderStatus;

export const TERMINAL_ORDER_STATES: ReadonlySet<OrderLifecycleState> = new Set(['filled', 'canceled', 'rejected', 'expired']);

export function isTerminalOrderState(state: OrderLifecycleState): boolean {
  return TERMINAL_ORDER_STATES.has(state);
}

const RANK: Record<OrderLifecycleState, number> = { created: 0, submitted: 1, inFlight: 1, accepted: 2, partiallyFilled: 3, filled: 4, canceled: 4, rejected: 4, expired: 4 };

/** Relative tolerance under which two filled quantities are the same (float sums of fills). */
const FILLED_EPS = 1e-9;

/**
 * Whether a report of the venue moves an order on. Terminal states are final; a state never goes
 * back (accepted after partiallyFilled is an old report); the filled quantity never shrinks;
 * partiallyFilled again moves on only with more filled.
 */
export function advancesOrder(current: { state: OrderLifecycleState; filledQuantity: number }, next: { status: OrderStatus; filledQuantity: number }): boolean {
  if (isTerminalOrderState(current.state)) return false;
  const more = next.filledQuantity > current.filledQuantity * (1 + FILLED_EPS) + 1e-15;
  const less = next.filledQuantity < current.filledQuantity * (1 - FILLED_EPS) - 1e-15;
  if (less) return false;
  if (RANK[next.status] > RANK[current.state]) return true;
  return next.status === current.state && next.status === 'partiallyFilled' && more;
}
