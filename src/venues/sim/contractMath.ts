/**
 * How quantities and prices become money for each kind of market. Spot and linear contracts:
 * quantity in base units, notional = quantity * price in the quote/settle asset. Inverse contracts:
 * quantity in contracts of `contractSize` quote units each, notional = contracts * contractSize /
 * price in the base (settle) asset.
 */
export interface ContractSizing {
  /** true for spot and linear contracts, false for inverse. */
  linear: boolean;
  /** Quote units per contract for inverse contracts; unused (1) for spot and linear. */
  contractSize: number;
}

/** |notional| of `quantity` at `price`, in the settle asset. */
export function notionalSettle(terms: ContractSizing, quantity: number, price: number): number {
  const q = Math.abs(quantity);
  return terms.linear ? q * price : (q * terms.contractSize) / price;
}

/** PnL of a signed position from `entryPrice` to `exitPrice`, in the settle asset. */
export function pnlSettle(terms: ContractSizing, signedQuantity: number, entryPrice: number, exitPrice: number): number {
  return terms.linear
    ? signedQuantity * (exitPrice - entryPrice)
    : signedQuantity * terms.contractSize * (1 / entryPrice - 1 / exitPrice);
}

/**
 * Average entry price after adding `addQty` at `price` to `qty` at `entry` (same sign): the
 * quantity-weighted mean for linear contracts, the harmonic (notional-weighted) mean for inverse.
 */
export function averageEntryPrice(terms: ContractSizing, qty: number, entry: number, addQty: number, price: number): number {
  const a = Math.abs(qty);
  const b = Math.abs(addQty);
  if (a === 0) return price;
  return terms.linear ? (a * entry + b * price) / (a + b) : (a + b) / (a / entry + b / price);
}

/** True when `value` is a whole multiple of `step` (relative tolerance 1e-9 for float steps such as 0.001). */
export function isMultipleOf(value: number, step: number): boolean {
  const ratio = value / step;
  return Math.abs(ratio - Math.round(ratio)) <= 1e-9 * Math.max(1, Math.abs(ratio));
}
