/**
 * Ledger account names: `<type>:<venue>:<asset or symbol>`, e.g. `cash:binance:USDT`,
 * `position:binance:BTC/USDT:USDT`; `external:<asset>` has no venue. Venue names contain no colon
 * (as in instrument ids), so the type and venue are the first two fields and the rest is the asset
 * or symbol.
 *
 * Balances are "debit positive": what the account holds or has spent is positive, what it has
 * earned is negative. So cash, position cost, fees paid and borrow paid are positive, while
 * realised PnL, funding and external (owner's equity) accounts show profits and deposits as
 * negative balances. The Ledger's query API turns these back into natural signs (profit > 0).
 *
 * | type          | per            | holds                                                         |
 * |---------------|----------------|---------------------------------------------------------------|
 * | cash          | venue, asset   | the wallet balance of the asset at the venue                  |
 * | position      | venue, symbol  | quantity (in the instrument's unit asset) and cost (signed entry value, cost asset) |
 * | counterparty  | venue, symbol  | derivatives only: the venue's side of the contract, the mirror of `position` |
 * | pnl           | venue, symbol  | realised PnL (credit = profit), in the cost asset             |
 * | fee           | venue, asset   | trading fees paid (rebates negative)                          |
 * | funding       | venue, symbol  | funding (credit = received)                                   |
 * | borrow        | venue, asset   | borrow interest paid                                          |
 * | liquidation   | venue, asset   | liquidation penalties paid                                    |
 * | external      | asset          | deposits (credit) and withdrawals (debit): owner's equity     |
 */

export type AccountType = 'cash' | 'position' | 'counterparty' | 'pnl' | 'fee' | 'funding' | 'borrow' | 'liquidation' | 'external';

export const ACCOUNT_TYPES: readonly AccountType[] = ['cash', 'position', 'counterparty', 'pnl', 'fee', 'funding', 'borrow', 'liquidation', 'external'];

export const cashAccount = (venue: string, asset: string) => `cash:${venue}:${asset}`;
export const positionAccount = (venue: string, symbol: string) => `position:${venue}:${symbol}`;
export const counterpartyAccount = (venue: string, symbol: string) => `counterparty:${venue}:${symbol}`;
export const pnlAccount = (venue: string, symbol: string) => `pnl:${venue}:${symbol}`;
export const feeAccount = (venue: string, asset: string) => `fee:${venue}:${asset}`;
export const fundingAccount = (venue: string, symbol: string) => `funding:${venue}:${symbol}`;
export const borrowAccount = (venue: string, asset: string) => `borrow:${venue}:${asset}`;
export const liquidationAccount = (venue: string, asset: string) => `liquidation:${venue}:${asset}`;
export const externalAccount = (asset: string) => `external:${asset}`;

/**
 * The asset in which a derivative position's quantity is booked: `<venue>:<symbol>` (base units of
 * that instrument when linear, contracts when inverse). Real asset codes have no colon, so the two
 * never collide.
 */
export const contractUnitAsset = (venue: string, symbol: string) => `${venue}:${symbol}`;

export interface ParsedAccount {
  type: AccountType;
  /** Null for `external`. */
  venue: string | null;
  /** Asset (cash, fee, borrow, liquidation, external) or symbol (position, counterparty, pnl, funding). */
  key: string;
}

export function parseAccount(account: string): ParsedAccount {
  const first = account.indexOf(':');
  const type = account.slice(0, first) as AccountType;
  if (first <= 0 || !ACCOUNT_TYPES.includes(type)) throw new Error(`'${account}' is not a ledger account (type:venue:key)`);
  if (type === 'external') {
    const key = account.slice(first + 1);
    if (!key) throw new Error(`'${account}' names no asset`);
    return { type, venue: null, key };
  }
  const second = account.indexOf(':', first + 1);
  if (second < 0 || second === first + 1 || second === account.length - 1) throw new Error(`'${account}' is not a ledger account (type:venue:key)`);
  return { type, venue: account.slice(first + 1, second), key: account.slice(second + 1) };
}

/** Accounts whose balances are holdings valued at cost (what "cash + positions at cost" sums). */
export function isBalanceSheetAccount(type: AccountType): boolean {
  return type === 'cash' || type === 'position' || type === 'counterparty';
}
