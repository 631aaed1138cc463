import { z } from 'zod';
import { instrumentIdSchema } from './instrumentIdSchema.ts';
import { parseConfig } from '../domain/config/issue.ts';
import { numberIn } from '../domain/config/range.ts';
import { RANGES } from '../domain/config/ranges.ts';
import type { FundingForecaster } from '../model/forecast/onlineForecaster.ts';
import { forecasterOf, FundingForecastConfigSchema } from './fundingForecastConfig.ts';
import { NO_INTENTS, type InstrumentRef, type Intent, type MarketUpdate, type Strategy, type StrategyContext } from './types.ts';

/**
 * Funding flip: trade the reversals of funding's sign with a spot/perp carry.
 * At each settlement of the perp, with r0 the rate just settled and f_1..f_W the forecast of the
 * next W settlements (the forecaster of `forecast`; f_1 is the venue's quoted rate instead when
 * `usePredictedRate` and the quote is for the coming settlement), the expected funding a side
 * collects over the W windows, per unit notional, is
 *   gain(+1) = sum f_k   (long spot / short perp: receives positive funding)
 *   gain(-1) = -sum f_k  (short spot / long perp: receives negative funding).
 * - Flat: open side s = sign(f_1) when sign(f_1) != sign(r0) (the sign is forecast to change) and
 *   gain(s) >= roundTripCostRate + entryMarginRate.
 * - Holding side h: when gain(h) < 0 (the forecast turned against the position) close it; and when
 *   gain(-h) >= roundTripCostRate + entryMarginRate, open -h at once (the flip).
 * The short-spot side needs `allowShortSpot` (the spot leg is borrowed; the venue's borrow rate
 * is charged by the simulated venue). No decision before the forecaster has `minHistory` settlements.
 */

export const FundingFlipConfigSchema = z.strictObject({
  /** Spot leg, 'venue:BASE/QUOTE'. */
  spot: instrumentIdSchema,
  /** Perpetual leg, 'venue:BASE/QUOTE:SETTLE'. */
  perp: instrumentIdSchema,
  /** Notional of each leg, USD. */
  notionalUsd: numberIn(RANGES.notionalUsd),
  /** Round-trip cost as a fraction of one leg's notional: open and close both legs (4 fees) plus crossing. */
  roundTripCostRate: numberIn(RANGES.roundTripCostRate).default(0.003),
  /** Extra expected gain (fraction of notional) beyond the round trip before opening. */
  entryMarginRate: numberIn(RANGES.expectedProfitFraction).default(0),
  /** Settlements over which the expected funding is summed. */
  windows: numberIn(RANGES.forecastWindows).default(21),
  /** Use the venue's quoted rate for the coming settlement when the market has it (live, paper, stores with funding_quotes). */
  usePredictedRate: z.boolean().default(true),
  /** Allow the short-spot / long-perp side (negative funding). */
  allowShortSpot: z.boolean().default(true),
  /** The funding forecaster. */
  forecast: FundingForecastConfigSchema.default({ model: 'ar', trainWindow: 720, minHistory: 60, refitEvery: 1 }),
});

export type FundingFlipConfigInput = z.input<typeof FundingFlipConfigSchema>;
export type FundingFlipConfig = z.output<typeof FundingFlipConfigSchema>;

export function parseFundingFlipConfig(value: unknown): FundingFlipConfig {
  return parseConfig(FundingFlipConfigSchema, value, 'fundingFlip config');
}

type Side = 1 | -1;

/** The decision at one settlement, for tests and signals. */
export interface FlipDecision {
  settledRate: number;
  nextRate: number;
  /** gain(+1) = sum of the forecast rates over the windows. */
  sumRate: number;
  usedPredicted: boolean;
}

export class FundingFlipStrategy implements Strategy {
  readonly name = 'fundingFlip';
  readonly config: FundingFlipConfig;
  readonly forecaster: FundingForecaster;
  private readonly spot: InstrumentRef;
  private readonly perp: InstrumentRef;
  private readonly history: number[] = [];
  private lastSettlementMs = Number.NEGATIVE_INFINITY;
  private active: { id: string; side: Side } | null = null;
  private pairSeq = 0;
  /** The last decision's inputs (null before the first forecast). */
  lastDecision: FlipDecision | null = null;

  constructor(config: FundingFlipConfigInput | FundingFlipConfig) {
    this.config = typeof config.spot === 'object' ? (config as FundingFlipConfig) : parseFundingFlipConfig(config);
    this.spot = this.config.spot;
    this.perp = this.config.perp;
    this.forecaster = forecasterOf(this.config.forecast);
  }

  instruments(): readonly InstrumentRef[] {
    return [this.spot, this.perp];
  }

  onEvent(update: MarketUpdate, context: StrategyContext): readonly Intent[] {
    if (update.kind !== 'funding' || update.venue !== this.perp.venue || update.symbol !== this.perp.symbol) return NO_INTENTS;
    const perp = context.market.get(this.perp.venue, this.perp.symbol);
    if (!perp || !Number.isFinite(perp.fundingRatePerInterval) || !(perp.fundingTs > this.lastSettlementMs)) return NO_INTENTS;
    this.lastSettlementMs = perp.fundingTs;
    this.history.push(perp.fundingRatePerInterval);
    if (this.history.length > 2 * this.config.forecast.trainWindow + this.config.windows) this.history.splice(0, this.history.length - this.config.forecast.trainWindow - this.config.windows);
    return this.decide(context, perp.fundingRatePerInterval, perp.predictedFundingRatePerInterval, perp.predictedFundingTs);
  }

  private decide(context: StrategyContext, settledRate: number, predictedRate: number, predictedTs: number): readonly Intent[] {
    const path = this.forecaster.forecastPath(this.history, this.config.windows);
    if (path === null) return NO_INTENTS;
    const usedPredicted = this.config.usePredictedRate && Number.isFinite(predictedRate) && predictedTs > this.lastSettlementMs;
    const rates = path.map((f) => f.rate);
    if (usedPredicted) rates[0] = predictedRate;
    const sumRate = rates.reduce((a, b) => a + b, 0);
    this.lastDecision = { settledRate, nextRate: rates[0], sumRate, usedPredicted };
    if (context.wantsSignals) context.signal('fundingFlip', { settledRate, nextRate: rates[0], sumRate, lowRate: path[0].lowRate, highRate: path[0].highRate });

    if (this.active) {
      const view = context.positions.pair(this.active.id);
      if (!view || view.status === 'failed' || view.status === 'closed') this.active = null;
    }
    const hurdle = this.config.roundTripCostRate + this.config.entryMarginRate;
    const allowed = (s: Side) => s === 1 || this.config.allowShortSpot;
    const text = `next ${bps(rates[0])}, sum of ${this.config.windows} ${bps(sumRate)} vs cost ${bps(hurdle)}`;
    if (this.active === null) {
      const side: Side = rates[0] >= 0 ? 1 : -1;
      const flipsSign = rates[0] !== 0 && Math.sign(rates[0]) !== Math.sign(settledRate);
      if (!flipsSign || !allowed(side) || side * sumRate < hurdle) return NO_INTENTS;
      return [this.open(side, `funding forecast to turn ${side === 1 ? 'positive' : 'negative'} (settled ${bps(settledRate)}): ${text}`)];
    }
    const held = this.active.side;
    if (held * sumRate >= 0) return NO_INTENTS;
    const intents: Intent[] = [{ kind: 'closePair', id: this.active.id, reason: `forecast against the position: ${text}`, reasonCode: 'fundingReversal' }];
    this.active = null;
    const opposite = -held as Side;
    if (allowed(opposite) && opposite * sumRate >= hurdle) intents.push(this.open(opposite, `flip to ${opposite === 1 ? 'long spot' : 'short spot'}: ${text}`));
    return intents;
  }

  private open(side: Side, reason: string): Intent {
    const id = `flip-${++this.pairSeq}`;
    this.active = { id, side };
    return side === 1
      ? { kind: 'openPair', id, long: this.spot, short: this.perp, notionalUsd: this.config.notionalUsd, reason, reasonCode: 'expectedProfit' }
      : { kind: 'openPair', id, long: this.perp, short: this.spot, notionalUsd: this.config.notionalUsd, reason, reasonCode: 'expectedProfit' };
  }
}

function bps(rate: number): string {
  return `${(rate * 1e4).toFixed(2)} bps`;
}
