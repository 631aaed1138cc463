import type { Fill, FundingPayment } from '../domain/trading.ts';
import type { LiquidationEvent } from '../venues/tradingTypes.ts';

/**
 * What the risk layer did, journalled on the engine's event stream (`risk` events) with the figures
 * that made it act: a pre-trade denial, a collateral transfer, a shrink, add or close of a pair, a
 * leg rebalance, a breaker tripped or cleared.
 */
export type RiskActionKind = 'denied' | 'transfer' | 'shrink' | 'add' | 'close' | 'rebalance' | 'breakerTripped' | 'breakerCleared';

export interface RiskAction {
  ts: number;
  kind: RiskActionKind;
  /** The rule: a pre-trade limit (maxLeverage, ...), a monitor (liquidationRisk, deltaDrift, basisRisk, stopLoss, maxHolding, fundingReversal, rateLimit) or a breaker (dailyLoss, ...). */
  rule: string;
  pairId: string | null;
  venue: string | null;
  reason: string;
  figures: Record<string, number>;
}

/**
 * The engine events the risk layer reads (a structural subset of src/engine/events.ts, which it may
 * not import: the engine is below it).
 */
export type RiskInputEvent =
  | { type: 'order'; ts: number; venue: string; symbol: string; status: string; reason: string | null }
  | { type: 'fill'; fill: Fill; feeUsd: number; order: { pairId: string; leg: 'long' | 'short' } | null }
  | { type: 'funding'; payment: FundingPayment; amountUsd: number }
  | { type: 'equity'; ts: number; equityUsd: number }
  | { type: 'liquidation'; liquidation: LiquidationEvent };

export const RISK_INPUT_TYPES = ['order', 'fill', 'funding', 'equity', 'liquidation'] as const;
