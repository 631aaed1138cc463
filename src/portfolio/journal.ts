import { formatMinor, type Minor } from './money.ts';

/**
 * Journal entries: the only way balances change. Every entry's postings sum to zero in every
 * asset (double entry); `assertBalanced` enforces it for entries built here and read back from a
 * store alike.
 */

/** fill: a trade; liquidation / settlement: a venue closing a position (liquidation engine, expiry). */
export type EntryKind = 'fill' | 'funding' | 'borrow' | 'deposit' | 'withdrawal' | 'transfer' | 'liquidation' | 'settlement';

export const ENTRY_KINDS: readonly EntryKind[] = ['fill', 'funding', 'borrow', 'deposit', 'withdrawal', 'transfer', 'liquidation', 'settlement'];

export interface Posting {
  account: string;
  asset: string;
  /** Minor units (1e-8) of `asset`; debit positive. */
  amount: Minor;
}

export interface JournalEntry {
  /** 1, 2, 3, ... in the order applied. */
  seq: number;
  /** Event time, ms UTC. */
  ts: number;
  kind: EntryKind;
  /** The source's id: fill id, or venue:symbol:ts for funding, or a caller's reference. */
  ref: string;
  /** Human-readable facts of the event (side, quantity, price, rate), for audit. */
  memo: string;
  postings: readonly Posting[];
}

/** Throws unless the postings sum to exactly zero in every asset and no amount is zero. */
export function assertBalanced(entry: Pick<JournalEntry, 'seq' | 'kind' | 'ref' | 'postings'>): void {
  const sums = new Map<string, bigint>();
  for (const p of entry.postings) {
    if (typeof p.amount !== 'bigint') throw new Error(`journal entry ${entry.seq} (${entry.kind} ${entry.ref}): amount of ${p.account} is not a bigint`);
    sums.set(p.asset, (sums.get(p.asset) ?? 0n) + p.amount);
  }
  for (const [asset, sum] of sums) {
    if (sum !== 0n) throw new Error(`journal entry ${entry.seq} (${entry.kind} ${entry.ref}) does not balance: ${asset} postings sum to ${formatMinor(sum)}`);
  }
}

/** Collects postings, merging repeats of the same account and asset and dropping zeros. */
export class PostingList {
  // An entry has a handful of postings: a linear search beats hashing a key.
  private readonly postings: Posting[] = [];

  add(account: string, asset: string, amount: Minor): this {
    if (amount === 0n) return this;
    for (const p of this.postings) {
      if (p.account === account && p.asset === asset) {
        p.amount += amount;
        return this;
      }
    }
    this.postings.push({ account, asset, amount });
    return this;
  }

  /** Adds `amount` to `debit` and takes it from `credit`. */
  transfer(debit: string, credit: string, asset: string, amount: Minor): this {
    return this.add(debit, asset, amount).add(credit, asset, -amount);
  }

  toArray(): Posting[] {
    return this.postings.filter((p) => p.amount !== 0n);
  }
}
