import type { Instrument } from '../domain/instrument.ts';

/**
 * The strategy contract. A strategy reads market state and its positions through a StrategyContext
 * and answers with INTENTS: plain data that the executor turns into orders. It never calls a venue
 * and cannot tell a backtest from paper or live trading (the context is the same in every mode).
 */

/** One market on one venue. */
export interface InstrumentRef {
  venue: string;
  symbol: string;
}

/**
 * Why a strategy opens a pair, machine-readable (the intent's `reason` says it in words):
 * - threshold: a signal crossed its entry threshold (funding APR above the cost hurdle, the basis
 *   beyond its band, a funding differential above the margin);
 * - expectedProfit: a model's expected profit over the holding horizon beats the minimum (OU strategy 2).
 */
export type EntryReasonCode = 'threshold' | 'expectedProfit';

/**
 * Why a pair is closed, machine-readable. Strategies close with:
 * - meanReversion: the spread came back to its exit level;
 * - beforeFunding: closing ahead of a funding settlement (OU strategy 1);
 * - fundingReversal: the funding carry (or differential) fell below the exit level;
 * - stopLoss, maxHolding: risk exits (the risk layer, src/risk/, also closes with fundingReversal);
 * - liquidationRisk, basisRisk, deltaDrift: the risk layer's liquidation-distance, basis and delta monitors.
 * The engine adds what no strategy decides: liquidation and expiry (the venue closed a leg) and
 * endOfData (still open when the run ended; see src/engine/roundTrips.ts).
 */
export type StrategyExitReasonCode = 'meanReversion' | 'beforeFunding' | 'fundingReversal' | 'stopLoss' | 'maxHolding' | 'flatten' | RiskReasonCode;
/** Why the risk layer acted (src/risk/): its closes, resizes and rebalances carry one. */
export type RiskReasonCode = 'liquidationRisk' | 'basisRisk' | 'deltaDrift' | 'stopLoss' | 'maxHolding' | 'fundingReversal';
export type ExitReasonCode = StrategyExitReasonCode | 'liquidation' | 'expiry' | 'endOfData';

/** Open a two-leg position: buy `long`, sell `short`, each leg worth about notionalUsd at current prices. */
export interface OpenPairIntent {
  kind: 'openPair';
  /** Chosen by the strategy, unique per pair; later intents and execution events name it. */
  id: string;
  long: InstrumentRef;
  short: InstrumentRef;
  notionalUsd: number;
  /** Why (for logs and reports), e.g. 'funding APR 12.3% > entry 8%'. */
  reason: string;
  reasonCode: EntryReasonCode;
}

/** Close both legs of a pair opened before. */
export interface ClosePairIntent {
  kind: 'closePair';
  id: string;
  reason: string;
  reasonCode: StrategyExitReasonCode;
}

/**
 * Resize both legs of an open pair to `scale` times their current quantity (< 1 shrinks, > 1 adds),
 * rounded down to the lots; the legs stay equal (delta neutral). The risk layer's.
 */
export interface ResizePairIntent {
  kind: 'resizePair';
  id: string;
  scale: number;
  reason: string;
  reasonCode: RiskReasonCode;
}

/** Change one leg's held quantity by `quantity` (signed: > 0 holds more), to bring the pair's delta back. The risk layer's. */
export interface RebalanceLegIntent {
  kind: 'rebalanceLeg';
  id: string;
  leg: 'long' | 'short';
  quantity: number;
  reason: string;
  reasonCode: RiskReasonCode;
}

export type Intent = OpenPairIntent | ClosePairIntent | ResizePairIntent | RebalanceLegIntent;

/** Latest known state of one instrument. NaN where not known yet. */
export interface InstrumentSnapshot {
  readonly venue: string;
  readonly symbol: string;
  /** Latest trade price (bar close, or quote mid when quotes are replayed). */
  readonly price: number;
  readonly priceTs: number;
  /** Latest top of book (NaN without quotes). */
  readonly bid: number;
  readonly ask: number;
  /**
   * Latest mark price the venue published (a mark bar's close or a funding row's mark_price,
   * whichever came last) and its event time; NaN when unknown. Without mark bars it can be hours
   * old: compare markTs with priceTs before relying on it.
   */
  readonly markPrice: number;
  readonly markTs: number;
  /** Last settled funding rate (fraction per interval), its interval and its settlement time. */
  readonly fundingRatePerInterval: number;
  readonly fundingIntervalMs: number;
  readonly fundingTs: number;
  /**
   * The venue's current (predicted) rate for the next settlement and when it was quoted: live and
   * paper runs, and stores that recorded `funding_quotes`; NaN otherwise.
   */
  readonly predictedFundingRatePerInterval: number;
  readonly predictedFundingTs: number;
  /** Next settlement time: the venue's announcement, else the last settlement plus the interval; NaN when unknown. */
  readonly nextFundingTimeMs: number;
}

export interface MarketView {
  /** The instrument's latest state, undefined when the engine does not track it. */
  get(venue: string, symbol: string): InstrumentSnapshot | undefined;
  instrument(venue: string, symbol: string): Instrument | undefined;
}

export type PairStatus = 'opening' | 'open' | 'closing' | 'closed' | 'failed';

/** A pair as the executor knows it (quantities filled so far, base units / contracts). */
export interface PairView {
  readonly id: string;
  readonly long: InstrumentRef;
  readonly short: InstrumentRef;
  readonly status: PairStatus;
  readonly longQty: number;
  readonly shortQty: number;
  readonly openedAtMs: number | null;
}

export interface PositionView {
  /** Pairs not yet closed or failed. */
  activePairs(): readonly PairView[];
  pair(id: string): PairView | undefined;
}

/** What just happened in the market (the strategy's trigger). */
export interface MarketUpdate {
  kind: 'price' | 'funding';
  venue: string;
  symbol: string;
  timeMs: number;
}

/** A strategy's timer that fired (see StrategyContext.setTimer). */
export interface StrategyTimer {
  readonly id: number;
  readonly tag: string;
  readonly atMs: number;
}

export interface StrategyContext {
  /** Current time of the engine's clock (ms). */
  readonly nowMs: number;
  readonly market: MarketView;
  readonly positions: PositionView;
  /**
   * Asks for `strategy.onTimer` at `atMs` (engine clock: simulated in backtests, wall time in paper
   * and live); `tag` comes back with it. Returns the timer's id.
   */
  setTimer(atMs: number, tag: string): number;
  cancelTimer(id: number): void;
  /** Publishes a measurement on the engine's event stream (dashboard, logs), e.g. the basis and its bands. */
  signal(name: string, values: Readonly<Record<string, number>>): void;
  /** Whether anyone listens to signals (a strategy may skip computing them when not); absent: false. */
  readonly wantsSignals?: boolean;
}

export const NO_INTENTS: readonly Intent[] = Object.freeze([]) as readonly Intent[];

export interface Strategy {
  readonly name: string;
  /** Instruments whose market data the strategy needs. */
  instruments(): readonly InstrumentRef[];
  /** Called for every market update of a tracked instrument; returns intents (often NO_INTENTS). */
  onEvent(update: MarketUpdate, context: StrategyContext): readonly Intent[];
  /** Called when a timer the strategy set fires; returns intents. */
  onTimer?(timer: StrategyTimer, context: StrategyContext): readonly Intent[];
  /** Told when one of its intents was denied (a trading state, a pre-trade risk check), with the reason. */
  onDenied?(intent: Intent, reason: string, context: StrategyContext): void;
  /**
   * What a restarted live session must not forget (its pair ids and the pair it holds), as JSON;
   * saved after every intent. Models refit from the market after a restart.
   */
  saveState?(): unknown;
  /** Takes back what saveState gave (a restart, before the first market event). */
  restoreState?(state: unknown): void;
}
