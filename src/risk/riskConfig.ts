import { z } from 'zod';
import { numberIn, type NumberRange } from '../domain/config/range.ts';

/**
 * The `risk` section of backtest, sweep and run configs (README "Risk"). Absent: only the safety
 * minimum applies (every leg's minimums before any leg is sent, in the pair executor, and the order
 * rate limit, which denies). Present, even as `{}`: every rule below with its default. Each number
 * has a range with its reason (docs/config-reference.md); unknown keys are rejected at every level.
 * A limit given as null is off.
 */

const range = (min: number, max: number, unit: string, why: string, extra: Partial<NumberRange> = {}): NumberRange => ({ min, max, unit, why, ...extra });

export const RISK_RANGES = {
  notionalUsd: range(0, 1e12, 'USD', 'a limit above a trillion USD is no limit (the largest perps hold tens of billions)', { minExclusive: true }),
  leverage: range(0, 200, 'x equity', 'gross notional over equity; venues allow at most 100x to 200x', { minExclusive: true }),
  equityShare: range(0, 1, 'fraction of equity', 'a share of the total: 1 allows everything on one venue', { minExclusive: true }),
  priceBand: range(0, 1, 'fraction of the mark', "venues refuse orders 5% to 10% away from the mark (Binance's price protection); 100% is no band", { minExclusive: true }),
  ordersPerSecond: range(1, 100_000, 'orders per second', 'NautilusTrader defaults to 100/s; venues allow 10 to 300 per second per account', { integer: true }),
  marginMultiple: range(1, 100, 'x maintenance margin', 'at 1x the venue liquidates; the seed keeps 2x', { minExclusive: true }),
  liquidationDistance: range(0, 1, 'fraction of the mark', 'how far the mark may move before the liquidation price; 100% is the whole price'),
  keepFraction: range(0, 1, 'fraction of the pair', 'what a shrink keeps: 0 would be a close, 1 no shrink', { minExclusive: true }),
  driftFraction: range(0, 1, 'fraction of notional', "the seed's rebalance_threshold is 2%; 100% would allow a naked leg", { minExclusive: true }),
  basisMove: range(0, 1, 'fraction', 'a basis move of 100% of the price is no perp', { minExclusive: true }),
  addFraction: range(0, 1, 'fraction of the pair', 'adding more than doubles a pair is a new entry, not an add', { minExclusive: true }),
  lossFraction: range(0, 10, 'fraction', 'a loss of 10x the notional or equity is no stop', { minExclusive: true }),
  holdingDays: range(0, 3650, 'days', 'at most 10 years (the longest data span)', { minExclusive: true }),
  intervals: range(1, 1000, 'funding intervals', 'from one settlement to a year of 8-hour settlements', { integer: true }),
  minutes: range(0, 525_600, 'minutes', 'from at once to a year'),
  windowMinutes: range(0, 10_080, 'minutes', 'a window of up to a week', { minExclusive: true }),
  orders: range(1, 1_000_000, 'orders', 'a count of orders in the window', { integer: true }),
} satisfies Record<string, NumberRange>;

const R = RISK_RANGES;
const state = z.enum(['REDUCING', 'HALTED']);
const limit = (r: NumberRange, fallback: number | null) => numberIn(r).nullable().default(fallback);

export const PreTradeRiskSchema = z.strictObject({
  /** Notional of one leg of a new pair, USD. */
  maxNotionalUsdPerPair: limit(R.notionalUsd, null),
  /** Gross notional of every leg on one venue after the order, USD. */
  maxNotionalUsdPerVenue: limit(R.notionalUsd, null),
  /** Gross notional of every leg on every venue after the order, USD. */
  maxNotionalUsdTotal: limit(R.notionalUsd, null),
  /** Gross notional after the order / total equity. */
  maxLeverage: limit(R.leverage, 5),
  /** A venue holding more than this share of total equity takes no new entries (diversification); 1: off. */
  maxVenueEquityShare: numberIn(R.equityShare).default(1),
  /** A leg's last price farther than this from its mark is refused (a bad print, a flash move). */
  priceBandFraction: limit(R.priceBand, 0.05),
  /** The venue's free collateral after the new legs (spot cost, initial margin, taker fees) must stay >= 0. */
  checkMarginAfterOrder: z.boolean().default(true),
  /** Orders per second per venue; beyond it an intent is DENIED, never queued. */
  maxOrdersPerSecond: numberIn(R.ordersPerSecond).default(100),
});

export const LiquidationRiskSchema = z.strictObject({
  /** Act when equity / maintenance margin of a derivative leg falls below this (seed: 2x). */
  marginBufferMultiple: numberIn(R.marginMultiple).default(2),
  /** Act when the mark is closer than this to the leg's liquidation price (one 8h BTC bar moves up to 10%). */
  minLiquidationDistance: numberIn(R.liquidationDistance).default(0.15),
  /** Close instead of shrinking when closer than this (or below 1.25x maintenance). */
  closeLiquidationDistance: numberIn(R.liquidationDistance).default(0.05),
  /** A shrink keeps this share of both legs. */
  shrinkKeepFraction: numberIn(R.keepFraction).default(0.5),
  /** First move collateral to the derivatives wallet where the venue keeps separate wallets and allows transfers. */
  transferCollateral: z.boolean().default(true),
});

export const DeltaRiskSchema = z.strictObject({
  /** Resize the cheaper leg when |net delta| exceeds this share of the pair's notional (seed: rebalance_threshold 2%); null: off. */
  maxDriftFraction: limit(R.driftFraction, 0.02),
});

export const BasisRiskSchema = z.strictObject({
  /** Halve (adverseKeepFraction) a pair when its spread moved this much against it since entry (seed: 0.5%); null: off. */
  adverseMove: limit(R.basisMove, 0.005),
  adverseKeepFraction: numberIn(R.keepFraction).default(0.5),
  /** Add favourableAddFraction to a profitable pair whose spread moved this much in its favour (seed: 1%, +25%). */
  favourableMove: numberIn(R.basisMove).default(0.01),
  favourableAddFraction: numberIn(R.addFraction).default(0.25),
  /** Off by default: adding to a winner is a bet, not a risk control. */
  addOnFavourable: z.boolean().default(false),
});

export const ExitRiskSchema = z.strictObject({
  /** Close a pair whose loss (price + funding - fees) exceeds this share of its notional; null: off. */
  stopLossFraction: limit(R.lossFraction, 0.1),
  /** Close a pair held longer than this; null: off. */
  maxHoldingDays: limit(R.holdingDays, null),
  /** Close a pair when funding (the settled rate, and the predicted one where known) ran against it this many settlements in a row; null: off. */
  fundingReversalIntervals: limit(R.intervals, 3),
});

const breaker = <T extends z.ZodRawShape>(shape: T, action: 'REDUCING' | 'HALTED', cooldownMinutes: number) =>
  z.strictObject({ ...shape, action: state.default(action), cooldownMinutes: numberIn(R.minutes).default(cooldownMinutes) });

export const BreakersSchema = z.strictObject({
  /** Loss since the UTC day's first equity point, a share of it. */
  dailyLoss: breaker({ limitFraction: limit(R.lossFraction, 0.05) }, 'REDUCING', 1440).prefault({}),
  /** Fall from the equity peak, a share of the peak. */
  drawdown: breaker({ limitFraction: limit(R.lossFraction, 0.2) }, 'HALTED', 1440).prefault({}),
  /** A venue whose newest market event is older than this when the clock moves on takes no new entries. */
  staleData: breaker({ maxAgeMinutes: limit(R.windowMinutes, 10) }, 'REDUCING', 0).prefault({}),
  /** Share of a venue's orders rejected in the window (with at least minOrders done). */
  rejectRate: breaker({ maxRejectFraction: limit(R.equityShare, 0.5), minOrders: numberIn(R.orders).default(10), windowMinutes: numberIn(R.windowMinutes).default(60) }, 'REDUCING', 60).prefault({}),
  /** A price that moved more than this within the window. */
  priceMove: breaker({ maxMoveFraction: limit(R.basisMove, 0.1), windowMinutes: numberIn(R.windowMinutes).default(1) }, 'REDUCING', 60).prefault({}),
  /** A venue whose reconciliation failed (reported by the live runtime). */
  reconciliation: breaker({ enabled: z.boolean().default(true) }, 'HALTED', 0).prefault({}),
});

export const RiskConfigSchema = z.strictObject({
  preTrade: PreTradeRiskSchema.prefault({}),
  liquidation: LiquidationRiskSchema.prefault({}),
  delta: DeltaRiskSchema.prefault({}),
  basis: BasisRiskSchema.prefault({}),
  exits: ExitRiskSchema.prefault({}),
  breakers: BreakersSchema.prefault({}),
});

export type RiskConfig = z.output<typeof RiskConfigSchema>;
export type RiskConfigInput = z.input<typeof RiskConfigSchema>;
export type BreakerName = keyof RiskConfig['breakers'];

/** The default risk section (a config's `"risk": {}`). */
export const DEFAULT_RISK_CONFIG: RiskConfig = RiskConfigSchema.parse({});

/** Without a risk section: the order rate limit of the safety minimum (the leg minimums are the executor's). */
export const SAFETY_MINIMUM_ORDERS_PER_SECOND = 100;
