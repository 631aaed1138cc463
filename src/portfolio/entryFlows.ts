import { parseAccount } from './accounts.ts';
import { addTo, type AssetAmounts } from './balances.ts';
import type { ContractTerms } from './contractTerms.ts';
import type { JournalEntry } from './journal.ts';
import type { Minor } from './money.ts';

/**
 * What one journal entry did to equity, read from its postings (accounts.ts), in natural signs:
 * each part is the amount by which it moved equity, per asset, so fees, borrow and liquidation
 * fees are negative when paid and funding is positive when received.
 */
export interface EntryCashFlows {
  fundingNet: AssetAmounts;
  fees: AssetAmounts;
  borrow: AssetAmounts;
  liquidationFees: AssetAmounts;
  /** Deposits minus withdrawals (owner's money, not PnL). */
  netDeposits: AssetAmounts;
}

/** Funding, fee, borrow, liquidation-penalty and external postings of an entry, signed as they moved equity. */
export function entryCashFlows(entry: JournalEntry): EntryCashFlows {
  const flows: EntryCashFlows = { fundingNet: {}, fees: {}, borrow: {}, liquidationFees: {}, netDeposits: {} };
  for (const p of entry.postings) {
    // Debit-positive accounts: what an account has earned is negative, what it spent positive.
    const type = p.account.slice(0, p.account.indexOf(':'));
    if (type === 'funding') addTo(flows.fundingNet, p.asset, -p.amount);
    else if (type === 'fee') addTo(flows.fees, p.asset, -p.amount);
    else if (type === 'borrow') addTo(flows.borrow, p.asset, -p.amount);
    else if (type === 'liquidation') addTo(flows.liquidationFees, p.asset, -p.amount);
    else if (type === 'external') addTo(flows.netDeposits, p.asset, -p.amount);
  }
  return flows;
}

/** The instrument (`venue:symbol`) of an entry's first funding posting, or null. */
export function fundingInstrumentOf(entry: JournalEntry): string | null {
  for (const p of entry.postings) {
    if (!p.account.startsWith('funding:')) continue;
    const account = parseAccount(p.account);
    return `${account.venue}:${account.key}`;
  }
  return null;
}

/** A trade (fill, liquidation or expiry settlement) of one instrument, as its entry booked it. */
export interface EntryTrade {
  /** Signed change of the position, minor units of base units (spot, linear) or contracts (inverse). */
  quantity: Minor;
  /**
   * The trade's signed value in the cost asset, v = value(quantity, price) of contractTerms.ts,
   * rounded once as the ledger did: the price PnL of trades is value(held, mark) - sum of v.
   */
  value: Minor;
}

/**
 * Reads the trade of `terms`' instrument from a trade entry. tradePostings.ts books the position's
 * cost change (opening value - released cost) and the realised PnL (-closing value - released
 * cost, credited to the pnl account), so v = cost change + pnl posting.
 */
export function entryTrade(entry: JournalEntry, terms: ContractTerms): EntryTrade {
  const position = `position:${terms.venue}:${terms.symbol}`;
  const pnl = `pnl:${terms.venue}:${terms.symbol}`;
  let unitPosting = 0n;
  let value = 0n;
  for (const p of entry.postings) {
    if (p.account === position && p.asset === terms.unitAsset) unitPosting += p.amount;
    else if ((p.account === position || p.account === pnl) && p.asset === terms.costAsset) value += p.amount;
  }
  // Spot: the position (trading) account holds -delta base units against the cash it bought.
  return { quantity: terms.kind === 'spot' ? -unitPosting : unitPosting, value };
}
