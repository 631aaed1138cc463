import type { ReplayCursor, ReplayStats } from '../data/replay/types.ts';
import type { Instrument } from '../domain/instrument.ts';
import type { Fill, FundingPayment, OrderStatus } from '../domain/trading.ts';
import type { ExecutionEvent, OrderOwner } from '../execution/pairExecutor.ts';
import type { JournalEntry } from '../portfolio/journal.ts';
import type { Minor } from '../portfolio/money.ts';
import type { TradingStateChange } from '../risk/tradingState.ts';
import type { RiskAction } from '../risk/riskTypes.ts';
import type { Intent } from '../strategy/types.ts';
import type { BorrowInterestEvent, ExpirySettlementEvent, LiquidationEvent } from '../venues/tradingTypes.ts';

/** An order's state as the stream reports it: the venue's statuses, plus sent and unknown (a send whose outcome is not known). */
export type OrderEventStatus = 'submitted' | 'unknown' | OrderStatus;

/**
 * Everything the engine does, as one typed stream (Engine.events). Times are the engine clock's
 * (simulated in backtests, wall time in paper and live), ms.
 */
export type EngineEvent =
  /** A market event consumed. The cursor is reused: read it inside the listener. Built only when someone listens. */
  | { type: 'market'; cursor: ReplayCursor }
  /** Something a strategy measured and wants shown (context.signal). */
  | { type: 'signal'; ts: number; strategy: string; name: string; values: Readonly<Record<string, number>> }
  /** An intent of the strategy; `dropped` says why it was not executed (the warm-up, a trading state: a denial). */
  | { type: 'intent'; ts: number; intent: Intent; dropped: string | null }
  | { type: 'order'; ts: number; clientOrderId: string; venue: string; symbol: string; status: OrderEventStatus; filledQuantity: number; reason: string | null }
  /** The pair executor's account of a pair: opened, rehedged, failed, closed, retries, legs closed by the venue. */
  | { type: 'execution'; event: ExecutionEvent }
  /**
   * A fill, booked: `entry` is its ledger entry (kind fill, or liquidation / settlement when the
   * venue closed the position itself, fill.origin); `order` the executor's pair and leg it traded
   * (null for the venue's own fills). feeUsd is the trading fee; a liquidation's fee is
   * liquidationFeeUsd instead.
   */
  | { type: 'fill'; fill: Fill; notionalUsd: number; feeUsd: number; liquidationFeeUsd: number; entry: JournalEntry; order: OrderOwner | null }
  | { type: 'funding'; payment: FundingPayment; amountUsd: number }
  | { type: 'borrow'; interest: BorrowInterestEvent }
  | { type: 'liquidation'; liquidation: LiquidationEvent }
  | { type: 'expiry'; settlement: ExpirySettlementEvent }
  /** Equity at the current marks, sampled every equitySampleMs and at the end. */
  | { type: 'equity'; ts: number; equityUsd: number; equityMinor: Minor }
  /** The ledger booked an entry (exact amounts) or registered an instrument: what a journal writes. */
  | { type: 'ledgerEntry'; entry: JournalEntry }
  | { type: 'ledgerInstrument'; instrument: Instrument }
  /** A trading state changed or new entries were paused or resumed (an operator's or the risk engine's action). */
  | { type: 'tradingState'; change: TradingStateChange }
  /** The risk layer acted (a denial, a transfer, a shrink, add or close, a rebalance, a breaker), with the figures that made it. */
  | { type: 'risk'; action: RiskAction }
  /** A strategy timer fired. */
  | { type: 'timer'; ts: number; timerId: number; tag: string }
  /** The market input moved on (once per batch): what a progress bar shows. */
  | { type: 'progress'; stats: ReplayStats }
  /** A subscriber failed (and was detached), or something the engine could not do. */
  | { type: 'error'; ts: number; source: string; message: string };

export type EngineEventType = EngineEvent['type'];
