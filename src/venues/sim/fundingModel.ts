import type { ContractSizing } from './contractMath.ts';

/**
 * Funding settlement. At each settlement of the venue's funding series (ts = settlement time, rate
 * per interval, positive: longs pay shorts), every open perp position receives
 *   linear:  amount = -positionQty * markPrice * rate                      (settle asset)
 *   inverse: amount = -positionQty * contractSize * rate / markPrice       (base asset)
 * i.e. -sign(position) * mark-price notional * rate, so a short receives a positive rate.
 * (DESIGN.md writes -positionQty * contractSize * markPrice * rate with the position in contracts;
 * perp-arb keeps linear quantities in base units, where that contractSize factor is already applied.)
 */
export function fundingPaymentAmount(terms: ContractSizing, positionQty: number, markPrice: number, fundingRatePerInterval: number): number {
  if (!(markPrice > 0)) throw new Error(`funding needs a mark price > 0 (got ${markPrice})`);
  return terms.linear
    ? -positionQty * markPrice * fundingRatePerInterval
    : (-positionQty * terms.contractSize * fundingRatePerInterval) / markPrice;
}

// The mark-price rule lives in markPrice.ts (shared with the engine's equity); re-exported here for its callers.
export { selectMarkPrice, type MarkSource, type MarkSources } from './markPrice.ts';
