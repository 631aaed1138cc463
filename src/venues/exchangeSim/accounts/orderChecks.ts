import { isMultipleOf } from '../../sim/contractMath.ts';
import type { Listing } from '../listings.ts';

/** Why an order breaks a listing's filters, checked before it reaches the simulated venue. */
export type FilterFailure = 'lotSize' | 'minQty' | 'maxQty' | 'tickSize' | 'minNotional';

export function filterFailure(l: Listing, quantity: number, price: number | null, referencePrice: number, reduceOnly: boolean): FilterFailure | null {
  if (quantity < l.minQty * (1 - 1e-9)) return 'minQty';
  if (quantity > l.maxQty * (1 + 1e-9)) return 'maxQty';
  if (!isMultipleOf(quantity, l.lotSize)) return 'lotSize';
  if (price !== null && !isMultipleOf(price, l.tickSize)) return 'tickSize';
  const notionalPrice = price ?? referencePrice;
  // The venues waive the minimum for reduce-only orders (Binance: "unless you choose reduce only").
  if (!reduceOnly && notionalPrice > 0 && quantity * notionalPrice < l.minNotional * (1 - 1e-9)) return 'minNotional';
  return null;
}

/** A positive finite decimal parameter, or null. */
export function positiveNumber(text: string | undefined): number | null {
  if (text === undefined || !/^\d+(\.\d+)?$/.test(text.trim())) return null;
  const n = Number(text);
  return n > 0 && Number.isFinite(n) ? n : null;
}
