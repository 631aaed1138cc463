import type { EntryReasonCode, ExitReasonCode } from '../strategy/types.ts';

/**
 * One round trip: a pair of a strategy from its first opening fill to its close (or to the end of
 * the run, still open). Amounts in USD, each signed as it moved equity (fees, borrow and
 * liquidation fees negative when paid), converted once from exact minor units, so
 *   netPnlUsd = pricePnlUsd + fundingUsd + feesUsd + borrowUsd + liquidationFeesUsd   (exactly).
 * pricePnlUsd is value(held, mark) - sum of the signed values of the pair's fills, per leg: for a
 * closed pair what its fills realised; for a pair still open it includes the legs at the run's
 * final marks (the marks of the last equity point).
 */
export interface RoundTripRecord {
  /** The pair id the strategy chose. */
  id: string;
  strategy: string;
  legs: RoundTripLeg[];
  /** When the executor had both legs (pairOpened), ms UTC. */
  openedAt: number;
  /** When both legs were flat again (pairClosed), ms UTC; null while still open at the end. */
  closedAt: number | null;
  /** closedAt (or the run's last equity point) - openedAt. */
  holdingMs: number;
  netPnlUsd: number;
  pricePnlUsd: number;
  fundingUsd: number;
  feesUsd: number;
  borrowUsd: number;
  liquidationFeesUsd: number;
  entryReason: EntryReasonCode;
  exitReason: ExitReasonCode;
  /** The strategy's words for the entry and the exit (null: the exit was not a strategy's). */
  entryReasonText: string;
  exitReasonText: string | null;
  /** The risk layer's actions that kept the pair open (shrink, add, rebalance, transfer: 'kind:rule'); absent when none. */
  riskActions?: string[];
}

export interface RoundTripLeg {
  /** `venue:symbol`. */
  instrument: string;
  side: 'long' | 'short';
  /** Quantity opened (base units; contracts for inverse contracts), re-hedged excess included. */
  quantity: number;
  /** Average price of the opening fills (by value, as the ledger's average cost). */
  averageEntryPrice: number | null;
  /** Average price of the closing fills (re-hedge, close, liquidation, expiry); null when none. */
  averageExitPrice: number | null;
}
