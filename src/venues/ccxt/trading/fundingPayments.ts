import type { FundingPayment } from '../../../domain/trading.ts';
import type { AccountFundingRow } from '../../tradingTypes.ts';

/** What a funding row lacks, filled from elsewhere: the public settled rate and mark, and the position perp-arb tracked. */
export interface FundingRowContext {
  settled: { fundingRatePerInterval: number; markPrice: number | null } | null;
  /** The position the venue holds as perp-arb's fills say (signed), null when unknown. */
  trackedPositionQty: number | null;
  /** Step of the position, to round a position derived from the payment; null when unknown. */
  lotSize: number | null;
}

/**
 * A funding row of the account as the FundingPayment the ledger books. Rate and mark come from the
 * row (Bybit) or the venue's public funding history at the settlement; the position from the row,
 * else from the payment itself (-amount / (mark x rate), on the lot grid: the venue paid on its own
 * position), else from perp-arb's fills (a zero rate pays nothing on any position). Returns the
 * reason instead when the row cannot be completed yet (the public history lags: try again later).
 */
export function fundingPaymentOf(row: AccountFundingRow, context: FundingRowContext): FundingPayment | string {
  const rate = row.fundingRatePerInterval ?? context.settled?.fundingRatePerInterval ?? null;
  const mark = row.markPrice ?? context.settled?.markPrice ?? null;
  if (rate === null) return `${row.symbol} funding at ${row.venueTimeMs}: no settled rate for it yet`;
  if (mark === null || !(mark > 0)) return `${row.symbol} funding at ${row.venueTimeMs}: no mark price for it`;
  let positionQty = row.positionQty;
  if (positionQty === null && rate !== 0 && row.amount !== 0) {
    const derived = -row.amount / (mark * rate);
    positionQty = context.lotSize !== null && context.lotSize > 0 ? Number((Math.round(derived / context.lotSize) * context.lotSize).toPrecision(12)) : derived;
  }
  positionQty ??= context.trackedPositionQty;
  if (positionQty === null) return `${row.symbol} funding at ${row.venueTimeMs}: the position it was paid on is unknown`;
  return { venue: row.venue, symbol: row.symbol, ts: row.venueTimeMs, fundingRatePerInterval: rate, markPrice: mark, positionQty, amount: row.amount, asset: row.asset };
}
