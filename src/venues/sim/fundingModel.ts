import type { ContractTerms } from './contractMath.ts';

/**
 * Funding settlement. At each settlement of the venue's funding series (ts = settlement time, rate
 * per interval, positive: longs pay shorts), every open perp position receives
 *   linear:  amount = -positionQty * markPrice * rate                      (settle asset)
 *   inverse: amount = -positionQty * contractSize * rate / markPrice       (base asset)
 * i.e. -sign(position) * mark-price notional * rate, so a short receives a positive rate.
 * (DESIGN.md writes -positionQty * contractSize * markPrice * rate with the position in contracts;
 * perp-arb keeps linear quantities in base units, where that contractSize factor is already applied.)
 */
export function fundingPaymentAmount(terms: ContractTerms, positionQty: number, markPrice: number, fundingRatePerInterval: number): number {
  if (!(markPrice > 0)) throw new Error(`funding needs a mark price > 0 (got ${markPrice})`);
  return terms.linear
    ? -positionQty * markPrice * fundingRatePerInterval
    : (-positionQty * terms.contractSize * fundingRatePerInterval) / markPrice;
}

/** The prices the venue has seen for a market, each with the event time it became known (NaN / -Infinity when never). */
export interface MarkSources {
  /** Close of the latest mark-price bar. */
  markBarClose: number;
  markBarTime: number;
  /** Mid of the latest quote. */
  quoteMid: number;
  quoteTime: number;
  /** Latest trade price: a trade, a quote's `last`, or a trade bar's close. */
  lastTradePrice: number;
  lastTradeTime: number;
}

export type MarkSource = 'funding' | 'markBar' | 'quoteMid' | 'lastTrade';

/**
 * The mark price used for funding, margin and PnL: the venue's own mark price when the funding row
 * carries one; else the latest mark-bar close; but a quote mid or trade price strictly NEWER than
 * that bar wins (an 8h mark bar would otherwise hide an intraday move from the margin checks), the
 * quote mid before the trade price when equally new. All are at or before the settlement time,
 * because the venue only knows events already replayed. NaN when the market has no price yet.
 */
export function selectMarkPrice(sources: MarkSources, fundingRowMarkPrice = Number.NaN): { price: number; source: MarkSource | null } {
  if (fundingRowMarkPrice > 0) return { price: fundingRowMarkPrice, source: 'funding' };
  const { markBarTime, quoteTime, lastTradeTime } = sources;
  const hasMark = sources.markBarClose > 0;
  const hasMid = sources.quoteMid > 0;
  const hasTrade = sources.lastTradePrice > 0;
  if (hasMark && (!hasMid || markBarTime >= quoteTime) && (!hasTrade || markBarTime >= lastTradeTime)) return { price: sources.markBarClose, source: 'markBar' };
  if (hasMid && (!hasTrade || quoteTime >= lastTradeTime)) return { price: sources.quoteMid, source: 'quoteMid' };
  if (hasTrade) return { price: sources.lastTradePrice, source: 'lastTrade' };
  return { price: Number.NaN, source: null };
}
