import { isoUtc } from '../../core/time.ts';
import type { OrderRequest } from '../../domain/trading.ts';
import { isMultipleOf } from './contractMath.ts';
import type { SimInstrumentSpec } from './simConfig.ts';

/**
 * Why the venue rejects an order. Every rejection reason is `<code>: <detail>`, so callers can
 * branch on the code and log the detail.
 */
export type RejectCode =
  | 'wrongVenue'
  | 'unknownSymbol'
  | 'duplicateClientOrderId'
  | 'invalidOrder'
  | 'invalidQuantity'
  | 'lotSize'
  | 'invalidPrice'
  | 'tickSize'
  | 'marketClosed'
  | 'noMarketData'
  | 'reduceOnlyWouldIncrease'
  | 'postOnlyWouldTake'
  | 'insufficientBalance'
  | 'insufficientMargin';

export function rejectReason(code: RejectCode, detail: string): string {
  return `${code}: ${detail}`;
}

/** The code of a reason produced by rejectReason (null for other text). */
export function rejectCodeOf(reason: string | null): RejectCode | null {
  if (reason === null) return null;
  const colon = reason.indexOf(':');
  return colon > 0 ? (reason.slice(0, colon) as RejectCode) : null;
}

/**
 * The checks an exchange makes on the order alone (before looking at the market or the account):
 * venue, symbol, order shape, quantity on the lot grid, price on the tick grid, market open.
 * Tick and lot sizes the instrument does not give (null) are not checked. Returns the reason or null.
 */
export function validateOrderShape(order: OrderRequest, venue: string, spec: SimInstrumentSpec | undefined, arrivalMs: number): string | null {
  if (order.venue !== venue) return rejectReason('wrongVenue', `order for venue ${order.venue} sent to ${venue}`);
  if (!spec) return rejectReason('unknownSymbol', `${venue} does not list ${order.symbol}`);
  if (!Number.isFinite(order.ts)) return rejectReason('invalidOrder', `ts must be a time in ms (got ${order.ts})`);
  const inst = spec.instrument;
  if (order.side !== 'buy' && order.side !== 'sell') return rejectReason('invalidOrder', `side must be buy or sell (got ${String(order.side)})`);
  if (order.type === 'market') {
    if (order.limitPrice !== null) return rejectReason('invalidOrder', 'a market order takes no limit price');
    if (order.timeInForce === 'PO') return rejectReason('invalidOrder', 'post-only needs a limit order');
  } else if (order.type === 'limit') {
    if (order.limitPrice === null) return rejectReason('invalidOrder', 'a limit order needs a limit price');
  } else return rejectReason('invalidOrder', `type must be market or limit (got ${String(order.type)})`);
  if (!['GTC', 'IOC', 'PO'].includes(order.timeInForce)) return rejectReason('invalidOrder', `timeInForce must be GTC, IOC or PO (got ${String(order.timeInForce)})`);
  if (order.reduceOnly && spec.margin === null) return rejectReason('invalidOrder', `reduce-only applies to derivatives, ${order.symbol} is spot`);

  const qty = order.quantity;
  if (!(qty > 0) || !Number.isFinite(qty)) return rejectReason('invalidQuantity', `quantity must be finite and > 0 (got ${qty})`);
  if (inst.lotSize !== null) {
    if (qty < inst.lotSize * (1 - 1e-9)) return rejectReason('lotSize', `quantity ${qty} is below the lot size ${inst.lotSize}`);
    if (!isMultipleOf(qty, inst.lotSize)) return rejectReason('lotSize', `quantity ${qty} is not a multiple of the lot size ${inst.lotSize}`);
  }
  if (order.limitPrice !== null) {
    const price = order.limitPrice;
    if (!(price > 0) || !Number.isFinite(price)) return rejectReason('invalidPrice', `limit price must be finite and > 0 (got ${price})`);
    if (inst.tickSize !== null && !isMultipleOf(price, inst.tickSize)) return rejectReason('tickSize', `price ${price} is not on the tick size ${inst.tickSize}`);
  }
  if (inst.expiryMs !== null && arrivalMs >= inst.expiryMs) return rejectReason('marketClosed', `${order.symbol} expired at ${isoUtc(inst.expiryMs)}`);
  return null;
}

/** Reduce-only: the order must shrink the position without flipping it. */
export function checkReduceOnly(order: OrderRequest, positionQty: number): string | null {
  const signed = order.side === 'buy' ? order.quantity : -order.quantity;
  if (positionQty === 0) return rejectReason('reduceOnlyWouldIncrease', `reduce-only ${order.side} ${order.quantity} with no position`);
  if (Math.sign(signed) === Math.sign(positionQty)) return rejectReason('reduceOnlyWouldIncrease', `reduce-only ${order.side} ${order.quantity} would increase the position ${positionQty}`);
  if (order.quantity > Math.abs(positionQty) * (1 + 1e-9)) return rejectReason('reduceOnlyWouldIncrease', `reduce-only ${order.side} ${order.quantity} would flip the position ${positionQty}`);
  return null;
}
