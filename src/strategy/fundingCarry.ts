import { z } from 'zod';
import { instrumentIdSchema } from './instrumentIdSchema.ts';
import { parseConfig } from '../domain/config/issue.ts';
import { numberIn } from '../domain/config/range.ts';
import { RANGES } from '../domain/config/ranges.ts';
import { DAY_MS, HOUR_MS } from '../core/time.ts';
import { annualised, fundingApr } from '../model/annualisation.ts';
import type { FundingForecaster } from '../model/forecast/onlineForecaster.ts';
import { forecasterOf, FundingForecastConfigSchema } from './fundingForecastConfig.ts';
import { NO_INTENTS, type InstrumentRef, type Intent, type MarketUpdate, type Strategy, type StrategyContext } from './types.ts';

/**
 * Seed 000 funding carry. Holds spot against the perp of the same asset and collects funding:
 * - funding positive (longs pay shorts): long spot / short perp;
 * - funding negative: short spot / long perp, only when `allowShortSpot` (the spot leg is borrowed).
 *
 * Signal: the last settled funding rate, annualised by its own interval,
 *   fundingApr = rate * YEAR / intervalMs   (0.01% per 8h = 10.95% APR).
 * Cost: the round trip (four taker fills plus crossing, `roundTripCostRate`, a fraction of the
 * notional of one leg) amortised over the expected holding period:
 *   costApr = roundTripCostRate * YEAR / expectedHoldingMs.
 * Open when |fundingApr| - costApr >= entryMarginApr (with the sign allowed); close when the
 * carry's signed APR (fundingApr for long-spot/short-perp, -fundingApr for the mirror) falls below
 * exitApr. Decisions are taken on each funding settlement, and on the first price update after a
 * settlement that found prices missing.
 * With `forecast`, the signal is the mean of the forecast rates of the next `forecastWindows`
 * settlements instead of the last settled rate (no decision before the forecaster's minHistory).
 */

export const FundingCarryConfigSchema = z.strictObject({
  /** Spot leg, 'venue:BASE/QUOTE'. */
  spot: instrumentIdSchema,
  /** Perpetual leg, 'venue:BASE/QUOTE:SETTLE'. */
  perp: instrumentIdSchema,
  /** Notional of each leg, USD. */
  notionalUsd: numberIn(RANGES.notionalUsd),
  /** Round-trip cost as a fraction of one leg's notional: open and close both legs (4 fees) plus crossing. */
  roundTripCostRate: numberIn(RANGES.roundTripCostRate).default(0.003),
  /** Expected holding period over which the round-trip cost is amortised, days. */
  expectedHoldingDays: numberIn(RANGES.holdingDays).default(30),
  /** Extra annualised margin the carry must beat after costs to open (fraction, 0.02 = 2%). */
  entryMarginApr: numberIn(RANGES.apr).default(0),
  /** Close when the carry's signed funding APR falls below this (fraction). */
  exitApr: numberIn(RANGES.apr).default(0),
  /** Allow the mirror trade (short spot / long perp) when funding is negative. */
  allowShortSpot: z.boolean().default(false),
  /** Funding interval when the data does not give one, hours. */
  defaultFundingIntervalHours: numberIn(RANGES.fundingIntervalHours).default(8),
  /** Decide on a funding forecast (src/strategy/fundingForecastConfig.ts) instead of the last settled rate; absent: the last settled rate. */
  forecast: FundingForecastConfigSchema.optional(),
  /** With `forecast`: settlements whose forecast rates are averaged into the signal. */
  forecastWindows: numberIn(RANGES.forecastWindows).default(21),
});

export type FundingCarryConfigInput = z.input<typeof FundingCarryConfigSchema>;
export type FundingCarryConfig = z.output<typeof FundingCarryConfigSchema>;

export function parseFundingCarryConfig(value: unknown): FundingCarryConfig {
  return parseConfig(FundingCarryConfigSchema, value, 'fundingCarry config');
}

type Side = 'longSpot' | 'shortSpot';

export class FundingCarryStrategy implements Strategy {
  readonly name = 'fundingCarry';
  readonly config: FundingCarryConfig;
  private readonly spot: InstrumentRef;
  private readonly perp: InstrumentRef;
  private readonly costApr: number;
  private active: { id: string; side: Side } | null = null;
  private pairSeq = 0;
  private pendingDecision = false;
  private readonly forecaster: FundingForecaster | null;
  private readonly history: number[] = [];
  private lastSettlementMs = Number.NEGATIVE_INFINITY;

  /** Takes the raw config (validated here) or one already parsed by FundingCarryConfigSchema. */
  constructor(config: FundingCarryConfigInput | FundingCarryConfig) {
    this.config = typeof config.spot === 'object' ? (config as FundingCarryConfig) : parseFundingCarryConfig(config);
    this.spot = this.config.spot;
    this.perp = this.config.perp;
    this.costApr = annualised(this.config.roundTripCostRate, this.config.expectedHoldingDays * DAY_MS);
    this.forecaster = this.config.forecast ? forecasterOf(this.config.forecast) : null;
  }

  instruments(): readonly InstrumentRef[] {
    return [this.spot, this.perp];
  }

  /** Annualised cost hurdle (fraction). */
  get costAprHurdle(): number {
    return this.costApr;
  }

  saveState(): unknown {
    return { pairSeq: this.pairSeq, active: this.active };
  }

  restoreState(state: unknown): void {
    const s = state as { pairSeq?: unknown; active?: unknown };
    if (typeof s?.pairSeq !== 'number') throw new Error(`${this.name} state: no pairSeq (got ${JSON.stringify(state)})`);
    this.pairSeq = s.pairSeq;
    this.active = (s.active ?? null) as never;
  }

  onEvent(update: MarketUpdate, context: StrategyContext): readonly Intent[] {
    if (update.kind === 'funding') {
      if (update.venue !== this.perp.venue || update.symbol !== this.perp.symbol) return NO_INTENTS;
      return this.decide(context);
    }
    if (this.pendingDecision) return this.decide(context);
    return NO_INTENTS;
  }

  private decide(context: StrategyContext): readonly Intent[] {
    const perp = context.market.get(this.perp.venue, this.perp.symbol);
    const spot = context.market.get(this.spot.venue, this.spot.symbol);
    if (!perp || !Number.isFinite(perp.fundingRatePerInterval)) return NO_INTENTS;
    const intervalMs = perp.fundingIntervalMs > 0 ? perp.fundingIntervalMs : this.config.defaultFundingIntervalHours * HOUR_MS;
    let rate = perp.fundingRatePerInterval;
    if (this.forecaster) {
      if (perp.fundingTs > this.lastSettlementMs) {
        this.lastSettlementMs = perp.fundingTs;
        this.history.push(rate);
        const keep = this.config.forecast!.trainWindow + this.config.forecastWindows;
        if (this.history.length > 2 * keep) this.history.splice(0, this.history.length - keep);
      }
      const path = this.forecaster.forecastPath(this.history, this.config.forecastWindows);
      if (path === null) return NO_INTENTS;
      rate = path.reduce((sum, f) => sum + f.rate, 0) / path.length;
    }
    const apr = fundingApr(rate, intervalMs);

    if (this.active) {
      // Forget a pair the executor could not open (or that is gone).
      const view = context.positions.pair(this.active.id);
      if (!view || view.status === 'failed' || view.status === 'closed') this.active = null;
    }
    if (this.active) {
      this.pendingDecision = false;
      const carryApr = this.active.side === 'longSpot' ? apr : -apr;
      if (carryApr < this.config.exitApr) {
        const id = this.active.id;
        this.active = null;
        return [{ kind: 'closePair', id, reason: `funding APR ${pct(carryApr)} (${perInterval(rate, intervalMs)}) < exit ${pct(this.config.exitApr)}`, reasonCode: 'fundingReversal' }];
      }
      return NO_INTENTS;
    }
    if (!spot || !(spot.price > 0) || !(perp.price > 0)) {
      this.pendingDecision = true;
      return NO_INTENTS;
    }
    this.pendingDecision = false;
    const hurdle = this.costApr + this.config.entryMarginApr;
    let side: Side | null = null;
    if (apr - hurdle >= 0 && apr > this.config.exitApr) side = 'longSpot';
    else if (this.config.allowShortSpot && -apr - hurdle >= 0 && -apr > this.config.exitApr) side = 'shortSpot';
    if (side === null) return NO_INTENTS;
    const id = `carry-${++this.pairSeq}`;
    this.active = { id, side };
    const reason = `${this.forecaster ? 'forecast ' : ''}funding APR ${pct(apr)} (${perInterval(rate, intervalMs)}) vs cost ${pct(this.costApr)} + margin ${pct(this.config.entryMarginApr)}`;
    return [
      side === 'longSpot'
        ? { kind: 'openPair', id, long: this.spot, short: this.perp, notionalUsd: this.config.notionalUsd, reason, reasonCode: 'threshold' }
        : { kind: 'openPair', id, long: this.perp, short: this.spot, notionalUsd: this.config.notionalUsd, reason, reasonCode: 'threshold' },
    ];
  }
}

function pct(x: number): string {
  return `${(x * 100).toFixed(2)}%`;
}

/** A rate with its interval, as the APR beside it was computed from: '0.0100% per 8h'. */
function perInterval(ratePerInterval: number, intervalMs: number): string {
  const hours = intervalMs / 3_600_000;
  return `${(ratePerInterval * 100).toFixed(4)}% per ${Number.isInteger(hours) ? `${hours}h` : `${intervalMs} ms`}`;
}
