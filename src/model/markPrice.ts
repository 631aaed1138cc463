/**
 * The one rule that says which price values a derivative. The simulated venue uses it for margin,
 * liquidation, funding and expiry, the engine for equity and the scanner for premiums, so they cannot
 * disagree.
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

/** Which candidate values the derivative. */
export type FreshestMarkSource = 'markBar' | 'quoteMid' | 'lastTrade';

/** Which candidate is the mark (null when none is known); plain numbers, so hot paths allocate nothing. */
export function freshestMarkSource(
  markPrice: number,
  markTime: number,
  quoteMid: number,
  quoteTime: number,
  tradePrice: number,
  tradeTime: number,
): FreshestMarkSource | null {
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

