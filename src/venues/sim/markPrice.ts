/**
 * The one rule that says which price values a derivative. The simulated venue uses it for margin,
 * liquidation, funding and expiry, and the engine uses it for equity, so the two cannot disagree.
 *
 * The candidates, each with the event time it became known (NaN price / -Infinity time when never):
 * - the venue's mark: the close of the latest mark-price bar or the mark_price of the latest funding
 *   row, whichever was replayed last;
 * - the mid of the latest quote;
 * - the latest trade price (a trade, a quote's `last`, or a trade bar's close).
 * The freshest wins; on equal times the mark, then the quote mid, then the trade. A mark is only
 * as good as its age: funding rows come every 1-8 h, so without mark bars a minute's trade bar is
 * a better price than the last funding row's mark.
 */

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

export type MarkSource = 'funding' | 'markBar' | 'quoteMid' | 'lastTrade';

/** Which candidate is the mark (null when none is known); plain numbers, so hot paths allocate nothing. */
export function freshestMarkSource(
  markPrice: number,
  markTime: number,
  quoteMid: number,
  quoteTime: number,
  tradePrice: number,
  tradeTime: number,
): Exclude<MarkSource, 'funding'> | null {
  const hasMark = markPrice > 0;
  const hasMid = quoteMid > 0;
  const hasTrade = tradePrice > 0;
  if (hasMark && (!hasMid || markTime >= quoteTime) && (!hasTrade || markTime >= tradeTime)) return 'markBar';
  if (hasMid && (!hasTrade || quoteTime >= tradeTime)) return 'quoteMid';
  if (hasTrade) return 'lastTrade';
  return null;
}

/** The mark price by freshestMarkSource; NaN when no price is known. */
export function freshestMarkPrice(markPrice: number, markTime: number, quoteMid: number, quoteTime: number, tradePrice: number, tradeTime: number): number {
  switch (freshestMarkSource(markPrice, markTime, quoteMid, quoteTime, tradePrice, tradeTime)) {
    case 'markBar':
      return markPrice;
    case 'quoteMid':
      return quoteMid;
    case 'lastTrade':
      return tradePrice;
    default:
      return Number.NaN;
  }
}

/**
 * The mark price of a market: at a funding settlement the row's own mark_price when it carries one
 * (the price the venue settled at), otherwise the freshest candidate.
 */
export function selectMarkPrice(sources: MarkSources, fundingRowMarkPrice = Number.NaN): { price: number; source: MarkSource | null } {
  if (fundingRowMarkPrice > 0) return { price: fundingRowMarkPrice, source: 'funding' };
  const s = sources;
  const source = freshestMarkSource(s.markBarClose, s.markBarTime, s.quoteMid, s.quoteTime, s.lastTradePrice, s.lastTradeTime);
  const price = source === 'markBar' ? s.markBarClose : source === 'quoteMid' ? s.quoteMid : source === 'lastTrade' ? s.lastTradePrice : Number.NaN;
  return { price, source };
}
