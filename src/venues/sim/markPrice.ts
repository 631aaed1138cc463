import { freshestMarkPrice, freshestMarkSource, type FreshestMarkSource } from '../../model/markPrice.ts';

/** The simulated venue's view of a market's prices for the rule of model/markPrice.ts. */

/** The prices known for one market (see above). */
export interface MarkSources {
  /** The venue's latest mark: a mark-price bar's close or a funding row's mark_price. */
  markBarClose: number;
  markBarTime: number;
  /** Mid of the latest quote. */
  quoteMid: number;
  quoteTime: number;
  /** Latest trade price: a trade, a quote's `last`, or a trade bar's close. */
  lastTradePrice: number;
  lastTradeTime: number;
}

export type MarkSource = 'funding' | FreshestMarkSource;

/**
 * The mark price of a market: at a funding settlement the row's own mark_price when it carries one
 * (the price the venue settled at), otherwise the freshest candidate.
 */
export function selectMarkPrice(sources: MarkSources, fundingRowMarkPrice = Number.NaN): { price: number; source: MarkSource | null } {
  if (fundingRowMarkPrice > 0) return { price: fundingRowMarkPrice, source: 'funding' };
  const s = sources;
  return {
    price: freshestMarkPrice(s.markBarClose, s.markBarTime, s.quoteMid, s.quoteTime, s.lastTradePrice, s.lastTradeTime),
    source: freshestMarkSource(s.markBarClose, s.markBarTime, s.quoteMid, s.quoteTime, s.lastTradePrice, s.lastTradeTime),
  };
}
