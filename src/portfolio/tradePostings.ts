import { cashAccount, counterpartyAccount, pnlAccount, positionAccount } from './accounts.ts';
import { signedValue, type ContractTerms } from './contractTerms.ts';
import type { PostingList } from './journal.ts';
import { absMinor, scaleMinor, type ExactDecimal, type Minor } from './money.ts';

/** A position before a trade: signed quantity and cost (signed entry value), minor units. */
export interface PositionAtCost {
  quantity: Minor;
  cost: Minor;
}

/**
 * The postings of trading a signed quantity `delta` at `price` against `position`, by average cost:
 * - the fill's signed value v = value(delta, price) is rounded once (contractTerms.ts);
 * - a reducing fill releases cost pro rata, cost * closed / held, rounded half even (all of the
 *   cost when it closes the whole position); a fill that crosses zero closes the whole position
 *   and opens the rest, and v is split: closing part value(-held, price), opening part the rest;
 * - realised PnL = -(closing value) - released cost; the position's cost changes by
 *   (opening value) - released cost.
 * Spot: cash of the base asset gets delta, cash of the quote pays v, and the position account (a
 * trading account) holds -delta base units against the cost. Derivatives: the position holds
 * +delta (base units or inverse contracts) and the cost against the counterparty (the venue's side), and only the
 * realised PnL moves cash. Returns the realised PnL (cost asset).
 */
export function tradePostings(postings: PostingList, terms: ContractTerms, position: PositionAtCost, delta: Minor, price: ExactDecimal): Minor {
  const { quantity, cost } = position;
  const fillValue = signedValue(terms, delta, price);
  let closingValue = 0n;
  let released = 0n;
  if (quantity !== 0n && quantity > 0n !== delta > 0n) {
    const closes = absMinor(delta) >= absMinor(quantity) ? -quantity : delta;
    closingValue = closes === delta ? fillValue : signedValue(terms, closes, price);
    released = closes === -quantity ? cost : scaleMinor(cost, absMinor(closes), absMinor(quantity));
  }
  const openingValue = fillValue - closingValue;
  const realised = -closingValue - released;
  const costChange = openingValue - released;
  const account = positionAccount(terms.venue, terms.symbol);
  const pnl = pnlAccount(terms.venue, terms.symbol);
  if (terms.kind === 'spot') {
    postings.transfer(cashAccount(terms.venue, terms.base), account, terms.base, delta);
    postings.add(cashAccount(terms.venue, terms.quote), terms.quote, -fillValue);
    postings.add(account, terms.quote, costChange);
    postings.add(pnl, terms.quote, -realised);
  } else {
    const counterparty = counterpartyAccount(terms.venue, terms.symbol);
    postings.transfer(account, counterparty, terms.unitAsset, delta);
    postings.transfer(account, counterparty, terms.costAsset, costChange);
    postings.transfer(cashAccount(terms.venue, terms.costAsset), pnl, terms.costAsset, realised);
  }
  return realised;
}
