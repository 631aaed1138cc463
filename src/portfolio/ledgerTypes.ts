import type { Instrument } from '../domain/instrument.ts';
import type { AssetAmounts } from './balances.ts';
import type { JournalEntry } from './journal.ts';
import type { Minor } from './money.ts';

/** The inputs and outputs of the Ledger's API (ledger.ts). Amounts are minor units (1e-8) unless a field says otherwise. */

/** Receives every instrument first used and every entry applied (e.g. a SqliteLedgerStore). */
export interface LedgerSink {
  instrument(instrument: Instrument): void;
  entry(entry: JournalEntry): void;
}

export interface LedgerOptions {
  instruments?: Iterable<Instrument>;
  sink?: LedgerSink | null;
}

export interface BorrowCharge {
  venue: string;
  /** The borrowed asset in which interest is charged. */
  asset: string;
  /** Interest charged (> 0), in `asset` units (float or decimal text) or minor units (bigint); borrowInterest() computes it from a rate. */
  amount: number | string | Minor;
  ts: number;
  ref?: string;
}

export interface CashMovement {
  venue: string;
  asset: string;
  /** > 0, in `asset` units (float or decimal text) or minor units (bigint). */
  amount: number | string | Minor;
  ts: number;
  ref?: string;
}

export interface Transfer {
  fromVenue: string;
  toVenue: string;
  asset: string;
  /** > 0, in `asset` units (float or decimal text) or minor units (bigint). */
  amount: number | string | Minor;
  ts: number;
  ref?: string;
}

export interface ForcedClose {
  venue: string;
  symbol: string;
  /** Liquidation or settlement price. */
  price: number;
  ts: number;
  ref: string;
  /** Base units (linear) or contracts (inverse) closed, absolute; the whole position when omitted. */
  quantity?: number;
  /** Liquidation penalty (>= 0) kept by the venue, in penaltyAsset (default: the cost asset). */
  penalty?: number;
  penaltyAsset?: string;
}

export interface FundingOptions {
  /**
   * 'rate' (default): book -q * contractSize * mark * rate (inverse: -q * contractSize * rate / mark)
   * computed exactly on the payment's positionQty, rounded once, after checking that positionQty
   * agrees with the ledger's position to the 1e-8 rounding of each trade since it was flat, and
   * that the amount agrees with the exact one (within 1e-8 + 1e-12 relative). 'reported': book payment.amount as the venue
   * says (live trading, where the venue's own rounding is authoritative).
   */
  amountFrom?: 'rate' | 'reported';
}

export interface LedgerPosition {
  venue: string;
  symbol: string;
  instrumentId: string;
  kind: Instrument['kind'];
  /** Signed, minor units (1e-8) of base units (spot, linear) or contracts (inverse). */
  quantity: Minor;
  costAsset: string;
  /** Signed entry value at average cost (contractTerms.ts): q p, or -q cs / p for inverse. */
  cost: Minor;
  /** Average entry price, for display (float from the exact cost and quantity); null when flat. */
  averageEntryPrice: number | null;
  /** Realised PnL of this instrument so far, in costAsset (profit > 0). */
  realisedPnl: Minor;
  /** Net funding of this instrument so far, in costAsset (received > 0). */
  fundingNet: Minor;
  /** value(quantity, mark) - cost, when a mark was given. */
  unrealisedPnl: Minor | null;
}

export interface CashBalance {
  venue: string;
  asset: string;
  amount: Minor;
}

/** Natural signs: paid and received amounts positive, realisedPnl profit positive, netDeposits deposits minus withdrawals. */
export interface LedgerTotals {
  feesPaid: AssetAmounts;
  fundingReceived: AssetAmounts;
  fundingPaid: AssetAmounts;
  /** fundingReceived - fundingPaid. */
  fundingNet: AssetAmounts;
  borrowPaid: AssetAmounts;
  liquidationPenaltiesPaid: AssetAmounts;
  realisedPnl: AssetAmounts;
  netDeposits: AssetAmounts;
}
