import { z } from 'zod';
import { instrumentIdSchema } from './instrumentIdSchema.ts';
import { parseConfig } from '../domain/config/issue.ts';
import { numberIn } from '../domain/config/range.ts';
import { RANGES } from '../domain/config/ranges.ts';
import { HOUR_MS } from '../core/time.ts';
import { FitError } from '../model/ar1.ts';
import { fitOu, MIN_FIT_POINTS } from '../model/ouFit.ts';
import type { OuParams } from '../model/ouParams.ts';
import { reversionFraction } from '../model/ouExpectation.ts';
import { decideStrategy1, roundTripCost, strategy1ShouldClose, type PositionSide } from '../model/strategy1.ts';
import { decideStrategy2 } from '../model/strategy2.ts';
import { NO_INTENTS, type EntryReasonCode, type InstrumentRef, type InstrumentSnapshot, type Intent, type MarketUpdate, type MarketView, type Strategy, type StrategyContext } from './types.ts';

/**
 * OU basis strategies of seed 004 (corrected, docs/spread-model.md and src/model/strategy1.ts, strategy2.ts).
 *
 * On each perp price update (bar close) the basis s = (perp - spot) / spot is computed from the latest
 * spot and perp prices and pushed into a ring buffer of the last `fitWindowPoints` values. Every
 * `refitEveryPoints` points (once the buffer is full) the OU process is refitted on that window ONLY,
 * so the fit used at time t is computed from points up to t (no look-ahead). A failed fit (no mean
 * reversion, constant window) clears the model: no new entries until the next successful refit;
 * `failedFits` counts them. Open positions keep the exit level they were opened with.
 *
 * Round-trip cost per unit notional: c = 4 feeRate + crossingCostFraction.
 *
 * mode 'closeBeforeFunding' (strategy 1): tau = time to the perp's next funding settlement (multiples
 *   of the funding interval since the epoch: 00/08/16 UTC for 8 h). Open short perp / long spot when
 *   s > mu + c / (1 - e^{-theta tau}) (and E[P] > minExpectedProfitFraction); the mirror (long perp / short spot) when s < mu - c / (...) and
 *   `allowShortSpot`. Close when s crosses back to the entry fit's mu, or `closeBeforeFundingSeconds`
 *   before the settlement (so no funding is paid or received).
 * mode 'holdAcrossFunding' (strategy 2): open when decideStrategy2 (latest settled funding rate taken
 *   as the expected rate of every future settlement) says so; close when s crosses back to mu.
 */

export const OuBasisConfigSchema = z.strictObject({
  /** Spot leg, 'venue:BASE/QUOTE'. */
  spot: instrumentIdSchema,
  /** Perpetual leg, 'venue:BASE/QUOTE:SETTLE'. */
  perp: instrumentIdSchema,
  /** Notional of each leg, USD. */
  notionalUsd: numberIn(RANGES.notionalUsd),
  mode: z.enum(['closeBeforeFunding', 'holdAcrossFunding']).default('closeBeforeFunding'),
  /** Fee rate of each of the four fills (fraction of notional); round-trip cost 4 feeRate + crossingCostFraction. */
  feeRate: numberIn({ ...RANGES.feeRate, min: 0, why: `${RANGES.feeRate.why}; the strategy's own cost estimate, so not negative` }),
  /** Half-spreads and slippage of the four fills together, fraction of notional. */
  crossingCostFraction: numberIn(RANGES.crossingCostRate).default(0),
  /** Basis points (one per perp price update) in the fit window. */
  fitWindowPoints: numberIn({ ...RANGES.fitWindowPoints, min: MIN_FIT_POINTS }).default(1440),
  /** Points between refits. */
  refitEveryPoints: numberIn(RANGES.refitEveryPoints).default(60),
  /** Seconds between basis points for the fit; null: inferred from the first two perp updates. */
  sampleSeconds: numberIn(RANGES.sampleSeconds).nullable().default(null),
  /** Strategy 1: close this long before the funding settlement, seconds. */
  closeBeforeFundingSeconds: numberIn(RANGES.closeBeforeFundingSeconds).default(60),
  /** Allow the mirror trade (long perp / short spot) when s is below mu. */
  allowShortSpot: z.boolean().default(false),
  /**
   * Open only when the expected profit after costs exceeds this (fraction of notional): strategy 1's E[P]
   * (0: at the break-even thresholds), strategy 2's best commit value.
   */
  minExpectedProfitFraction: numberIn(RANGES.expectedProfitFraction).default(0),
  /** Funding interval when the data does not give one, hours. */
  defaultFundingIntervalHours: numberIn(RANGES.fundingIntervalHours).default(8),
});

export type OuBasisConfigInput = z.input<typeof OuBasisConfigSchema>;
export type OuBasisConfig = z.output<typeof OuBasisConfigSchema>;

export function parseOuBasisConfig(value: unknown): OuBasisConfig {
  return parseConfig(OuBasisConfigSchema, value, 'ouBasis config');
}

/** The fit in force, with the index of the last basis point it used (0-based count of points - 1). */
export interface OuBasisFit extends OuParams {
  /** Index of the last basis point of the window (the fit saw points lastIndex - window + 1 .. lastIndex). */
  lastIndex: number;
  timeMs: number;
}

/** One entry or exit decision, for tests and reports. */
export interface OuBasisDecision {
  kind: 'open' | 'close';
  id: string;
  timeMs: number;
  /** Index of the basis point that triggered it. */
  pointIndex: number;
  basis: number;
  side: PositionSide;
  /** Fit in force (open) or the entry fit (close). */
  fit: OuBasisFit;
  /** Strategy 1 thresholds at the decision (open, closeBeforeFunding), else NaN. */
  upper: number;
  lower: number;
  timeToFundingSeconds: number;
  reason: string;
}

/** Time to the next settlement at a multiple of intervalMs since the epoch (0 exactly on one). */
export function timeToNextFundingMs(nowMs: number, intervalMs: number): number {
  return Math.ceil(nowMs / intervalMs) * intervalMs - nowMs;
}

export class OuBasisStrategy implements Strategy {
  readonly name = 'ouBasis';
  readonly config: OuBasisConfig;
  readonly cost: number;
  private readonly spot: InstrumentRef;
  private readonly perp: InstrumentRef;
  private readonly ring: Float64Array;
  private readonly window: Float64Array;
  private points = 0;
  private firstPointMs = Number.NaN;
  private dtSeconds: number;
  private model: OuBasisFit | null = null;
  private active: { id: string; side: PositionSide; exitLevel: number; fit: OuBasisFit } | null = null;
  private pairSeq = 0;
  /** Refits attempted, and those that failed (not mean-reverting or degenerate). */
  fits = 0;
  failedFits = 0;
  /** Pairs the executor failed to open; each blocks new entries until the next refit. */
  failedOpens = 0;
  private blockedUntilRefit = false;
  private snapshotsOf: MarketView | null = null;
  private perpSymbolSeen = '';
  private perpVenueSeen = '';
  /** Ring slot of the next point, and the point count at which the next refit is due. */
  private ringSlot = 0;
  private nextRefitAt: number;
  private perpSnapshot: InstrumentSnapshot | undefined = undefined;
  private spotSnapshot: InstrumentSnapshot | undefined = undefined;
  readonly failuresByCode: Record<string, number> = {};
  readonly decisions: OuBasisDecision[] = [];

  constructor(config: OuBasisConfigInput | OuBasisConfig) {
    this.config = typeof config.spot === 'object' ? (config as OuBasisConfig) : parseOuBasisConfig(config);
    if (this.config.fitWindowPoints < MIN_FIT_POINTS) throw new Error(`ouBasis: fitWindowPoints must be >= ${MIN_FIT_POINTS}`);
    this.spot = this.config.spot;
    this.perp = this.config.perp;
    this.cost = roundTripCost({
      feeRateSpotOpen: this.config.feeRate,
      feeRatePerpOpen: this.config.feeRate,
      feeRateSpotClose: this.config.feeRate,
      feeRatePerpClose: this.config.feeRate,
      crossingCostFraction: this.config.crossingCostFraction,
    });
    this.ring = new Float64Array(this.config.fitWindowPoints);
    this.window = new Float64Array(this.config.fitWindowPoints);
    this.dtSeconds = this.config.sampleSeconds ?? Number.NaN;
    this.nextRefitAt = this.config.fitWindowPoints;
  }

  instruments(): readonly InstrumentRef[] {
    return [this.spot, this.perp];
  }

  /** The fit in force (null before the first successful fit and after a failed one). */
  get currentFit(): OuBasisFit | null {
    return this.model;
  }

  /** Basis points seen so far. */
  get pointCount(): number {
    return this.points;
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
    if (update.kind !== 'price') return NO_INTENTS;
    if (update.symbol !== this.perpSymbolSeen || update.venue !== this.perpVenueSeen) {
      if (update.symbol !== this.perp.symbol || update.venue !== this.perp.venue) return NO_INTENTS;
      // Same text, the caller's string objects: the next check of this update is a pointer compare.
      this.perpSymbolSeen = update.symbol;
      this.perpVenueSeen = update.venue;
    }
    // A market view's snapshots are live (they change in place), so they are looked up once per view.
    if (context.market !== this.snapshotsOf) {
      this.perpSnapshot = context.market.get(this.perp.venue, this.perp.symbol);
      this.spotSnapshot = context.market.get(this.spot.venue, this.spot.symbol);
      this.snapshotsOf = context.market;
    }
    const perp = this.perpSnapshot;
    const spot = this.spotSnapshot;
    if (!perp || !spot || !(perp.price > 0) || !(spot.price > 0)) return NO_INTENTS;
    const s = (perp.price - spot.price) / spot.price;
    const now = context.nowMs;
    const index = this.push(s, now);

    if (this.active) {
      const view = context.positions.pair(this.active.id);
      if (!view || view.status === 'failed' || view.status === 'closed') {
        // An open the executor could not complete (e.g. spot not borrowable): wait for the next refit.
        if (!view || view.status === 'failed') {
          this.failedOpens++;
          this.blockedUntilRefit = true;
        }
        this.active = null;
      }
    }
    const intervalMs = perp.fundingIntervalMs > 0 ? perp.fundingIntervalMs : this.config.defaultFundingIntervalHours * HOUR_MS;
    const tauSeconds = timeToNextFundingMs(now, intervalMs) / 1000;
    if (context.wantsSignals === true) context.signal('basis', this.bands(s, tauSeconds));

    if (this.active) return this.exit(s, now, index, tauSeconds);
    const fit = this.model;
    if (!fit || this.blockedUntilRefit) return NO_INTENTS;
    return this.config.mode === 'closeBeforeFunding'
      ? this.enterStrategy1(fit, s, now, index, tauSeconds)
      : this.enterStrategy2(fit, s, now, index, tauSeconds, perp.fundingRatePerInterval, intervalMs / 1000);
  }

  /**
   * The basis with the model's mean and entry bands (fractions), as the dashboard charts them:
   * strategy 1's thresholds mu +- c / (1 - e^{-theta tau}) at this time to funding; strategy 2's
   * break-even band mu +- c (funding can pay for entries inside it). Only the basis before a fit.
   */
  private bands(s: number, tauSeconds: number): Record<string, number> {
    const fit = this.model;
    if (fit === null) return { basis: s };
    const width = this.config.mode === 'closeBeforeFunding' ? this.cost / reversionFraction(fit, tauSeconds) : this.cost;
    if (!Number.isFinite(width)) return { basis: s, mu: fit.mu };
    return { basis: s, mu: fit.mu, upper: fit.mu + width, lower: fit.mu - width };
  }

  /** Adds a basis point; refits when due. Returns the point's index. */
  private push(s: number, now: number): number {
    const index = this.points++;
    this.ring[this.ringSlot] = s;
    if (++this.ringSlot === this.ring.length) this.ringSlot = 0;
    if (index === 0) this.firstPointMs = now;
    else if (index === 1 && !(this.dtSeconds > 0)) this.dtSeconds = (now - this.firstPointMs) / 1000;
    // A refit once the window is full, then every refitEveryPoints points.
    if (index + 1 === this.nextRefitAt) {
      this.nextRefitAt += this.config.refitEveryPoints;
      if (this.dtSeconds > 0) this.refit(index, now);
    }
    return index;
  }

  private refit(lastIndex: number, now: number): void {
    const w = this.config.fitWindowPoints;
    const start = (lastIndex + 1) % w; // oldest point in the ring
    this.window.set(this.ring.subarray(start), 0);
    this.window.set(this.ring.subarray(0, start), w - start);
    this.fits++;
    this.blockedUntilRefit = false;
    try {
      const fit = fitOu(this.window, this.dtSeconds, { diagnostics: false });
      if (!(fit.sigmaPerSqrtSecond > 0) || !Number.isFinite(fit.mu)) throw new FitError('no-mean-reversion', 'degenerate fit');
      this.model = { thetaPerSecond: fit.thetaPerSecond, mu: fit.mu, sigmaPerSqrtSecond: fit.sigmaPerSqrtSecond, lastIndex, timeMs: now };
    } catch (error) {
      if (!(error instanceof FitError)) throw error;
      this.failedFits++;
      const code = error.code;
      this.failuresByCode[code] = (this.failuresByCode[code] ?? 0) + 1;
      this.model = null;
    }
  }

  private open(side: PositionSide, fit: OuBasisFit, s: number, now: number, index: number, tau: number, upper: number, lower: number, reason: string, reasonCode: EntryReasonCode): readonly Intent[] {
    const id = `ou-${++this.pairSeq}`;
    this.active = { id, side, exitLevel: fit.mu, fit };
    this.decisions.push({ kind: 'open', id, timeMs: now, pointIndex: index, basis: s, side, fit, upper, lower, timeToFundingSeconds: tau, reason });
    return [
      side === 'shortPerpLongSpot'
        ? { kind: 'openPair', id, long: this.spot, short: this.perp, notionalUsd: this.config.notionalUsd, reason, reasonCode }
        : { kind: 'openPair', id, long: this.perp, short: this.spot, notionalUsd: this.config.notionalUsd, reason, reasonCode },
    ];
  }

  private enterStrategy1(fit: OuBasisFit, s: number, now: number, index: number, tau: number): readonly Intent[] {
    if (!(tau > this.config.closeBeforeFundingSeconds)) return NO_INTENTS;
    // Most points are inside the thresholds: the same arithmetic as decideStrategy1 (same operations,
    // so the same doubles) rules them out without building its result objects.
    // width >= cost, since 0 <= 1 - e^{-theta tau} <= 1 and rounding is monotonic: a point within cost
    // of mu is inside the thresholds too, and the exponential is not needed to tell.
    const mu = fit.mu;
    if (s >= mu ? !(s > mu + this.cost) : !(s < mu - this.cost)) return NO_INTENTS;
    const reversion = reversionFraction(fit, tau);
    const width = this.cost / reversion;
    const short = s >= mu;
    if (short ? !(s > mu + width) : !(s < mu - width)) return NO_INTENTS;
    if (!short && !this.config.allowShortSpot) return NO_INTENTS;
    // E[P] as strategy1ExpectedProfitForSide computes it (the side's sign times the gap, times the reversion, less the cost).
    if (!((short ? 1 : -1) * (s - mu) * reversion - this.cost > this.config.minExpectedProfitFraction)) return NO_INTENTS;
    const d = decideStrategy1(fit, s, tau, this.cost);
    if (!d.open || !(d.expectedProfitFraction > this.config.minExpectedProfitFraction)) return NO_INTENTS;
    if (d.side === 'longPerpShortSpot' && !this.config.allowShortSpot) return NO_INTENTS;
    const { upper, lower } = d.thresholds;
    const reason = `s ${bps(s)} ${d.side === 'shortPerpLongSpot' ? `> upper ${bps(upper)}` : `< lower ${bps(lower)}`} (mu ${bps(fit.mu)}, tau ${Math.round(tau)} s, E[P] ${bps(d.expectedProfitFraction)})`;
    return this.open(d.side, fit, s, now, index, tau, upper, lower, reason, 'threshold');
  }

  private enterStrategy2(fit: OuBasisFit, s: number, now: number, index: number, tau: number, rate: number, intervalSeconds: number): readonly Intent[] {
    // Cheap filter: the convergence gain alone must beat the cost unless funding can pay for it.
    const gap = Math.abs(s - fit.mu);
    const fundingRate = Number.isFinite(rate) ? rate : 0;
    if (gap <= this.cost && fundingRate === 0) return NO_INTENTS;
    const side: PositionSide = s >= fit.mu ? 'shortPerpLongSpot' : 'longPerpShortSpot';
    if (side === 'longPerpShortSpot' && !this.config.allowShortSpot) return NO_INTENTS;
    if (!(tau > 0)) return NO_INTENTS;
    // Funding received per settlement by this side; with none, the gap must cover the cost.
    const carry = (side === 'shortPerpLongSpot' ? 1 : -1) * fundingRate;
    if (carry <= 0 && gap <= this.cost) return NO_INTENTS;
    const d = decideStrategy2({
      params: fit,
      s0: s,
      cost: this.cost,
      fundingRatePerInterval: fundingRate,
      fundingIntervalSeconds: intervalSeconds,
      timeToFundingSeconds: tau,
      maxWindows: 256,
      minExpectedProfitFraction: this.config.minExpectedProfitFraction,
    });
    if (!d.open) return NO_INTENTS;
    const reason = `s ${bps(s)} vs mu ${bps(fit.mu)}, funding ${bps(fundingRate)}/interval: commit value ${bps(d.bestCommitValueFraction)} (close by window ${d.bestCloseByWindow})`;
    return this.open(d.side, fit, s, now, index, tau, Number.NaN, Number.NaN, reason, 'expectedProfit');
  }

  private exit(s: number, now: number, index: number, tau: number): readonly Intent[] {
    const a = this.active!;
    const guard = this.config.mode === 'closeBeforeFunding' ? this.config.closeBeforeFundingSeconds : Number.NEGATIVE_INFINITY;
    if (!strategy1ShouldClose(a.side, s, a.exitLevel, this.config.mode === 'closeBeforeFunding' ? tau : Number.POSITIVE_INFINITY, guard)) return NO_INTENTS;
    const reached = a.side === 'shortPerpLongSpot' ? s <= a.exitLevel : s >= a.exitLevel;
    const reason = reached ? `s ${bps(s)} back to mu ${bps(a.exitLevel)}` : `funding in ${Math.round(tau)} s`;
    this.decisions.push({ kind: 'close', id: a.id, timeMs: now, pointIndex: index, basis: s, side: a.side, fit: a.fit, upper: Number.NaN, lower: Number.NaN, timeToFundingSeconds: tau, reason });
    this.active = null;
    return [{ kind: 'closePair', id: a.id, reason, reasonCode: reached ? 'meanReversion' : 'beforeFunding' }];
  }
}

function bps(x: number): string {
  return `${(x * 1e4).toFixed(2)} bps`;
}
