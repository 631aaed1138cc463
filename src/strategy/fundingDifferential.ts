import { z } from 'zod';
import { DAY_MS, HOUR_MS } from '../core/time.ts';
import { annualised, fundingApr } from '../model/annualisation.ts';
import { instrumentIdSchema } from './instrumentIdSchema.ts';
import { ConfigError } from '../core/errors.ts';
import { parseConfig } from '../domain/config/issue.ts';
import { numberIn } from '../domain/config/range.ts';
import { RANGES } from '../domain/config/ranges.ts';
import { NO_INTENTS, type InstrumentRef, type Intent, type MarketUpdate, type MarketView, type Strategy, type StrategyContext } from './types.ts';

/**
 * Cross-venue funding differential: perps of one asset on two or more venues. Short the perp whose
 * funding is high (its short receives more, or pays less) and long the one whose funding is low;
 * the prices of the two legs offset, the funding difference is the income (the opportunity the
 * scanner ranks as `fundingDifferential`, src/strategy/scanner/fundingDifferential.ts).
 *
 * Signal: each leg's last settled rate annualised by its OWN interval (fundingApr: 0.01% per 8h and
 * 0.00125% per 1h are both 10.95% APR), differentialApr = apr(short) - apr(long).
 * Cost: the round trip (four taker fills plus crossing) as a fraction of one leg's notional, either
 * `roundTripCostRate` or, when null, 2 * (takerFeeRate(long) + takerFeeRate(short)) + crossingCostRate
 * (the scanner's fee rule: one fee per leg to open and one to close), amortised over the expected
 * holding period: costApr = roundTripCost * YEAR / expectedHoldingMs.
 * Flat: over every pair of the configured perps with known rates (short = the higher APR, ties
 * short the earlier-listed perp), take the pair with the largest differentialApr - costApr, and
 * open it when that is >= entryMarginApr. Holding: close when the held pair's differentialApr
 * (with the current rates, same legs) falls below exitApr. A held pair is not switched for a
 * better one.
 *
 * Decisions are taken at funding settlements, once the rates of that settlement time are in for
 * every leg (a leg with no rate yet, or whose next settlement, last + interval, is not after the
 * clock, is still to come: venues with 8h and 1h intervals settle together every 8h), else on the
 * first event after it; and on the first price update after a decision that found a price missing.
 */

/** Every pair of perps is a candidate at each decision (n(n-1)/2): 20 perps, 190 pairs, is more venues than list one asset. */
const MAX_PERPS = 20;

export const FundingDifferentialConfigSchema = z.strictObject({
  /** The perps, 'venue:BASE/QUOTE:SETTLE', at least two, one asset. */
  perps: z.array(instrumentIdSchema).min(2).max(MAX_PERPS),
  /** Notional of each leg, USD. */
  notionalUsd: numberIn(RANGES.notionalUsd),
  /** Round-trip cost as a fraction of one leg's notional (4 fills plus crossing); null: from the legs' taker fee rates plus crossingCostRate. */
  roundTripCostRate: numberIn(RANGES.roundTripCostRate).nullable().default(null),
  /** Crossing cost of the round trip (4 crossings of half the spread), fraction of one leg's notional, added to the fees when roundTripCostRate is null. */
  crossingCostRate: numberIn(RANGES.crossingCostRate).default(0.0002),
  /** Expected holding period over which the round-trip cost is amortised, days. */
  expectedHoldingDays: numberIn(RANGES.holdingDays).default(30),
  /** Extra annualised margin the differential must beat after costs to open (fraction, 0.02 = 2%). */
  entryMarginApr: numberIn(RANGES.apr).default(0),
  /** Close when the held pair's differential APR falls below this (fraction). */
  exitApr: numberIn(RANGES.apr).default(0),
  /** Funding interval when neither the data nor the instrument gives one, hours. */
  defaultFundingIntervalHours: numberIn(RANGES.fundingIntervalHours).default(8),
});

export type FundingDifferentialConfigInput = z.input<typeof FundingDifferentialConfigSchema>;
export type FundingDifferentialConfig = z.output<typeof FundingDifferentialConfigSchema>;

export function parseFundingDifferentialConfig(value: unknown): FundingDifferentialConfig {
  const parsed = parseConfig(FundingDifferentialConfigSchema, value, 'fundingDifferential config');
  const ids = parsed.perps.map((p) => `${p.venue}:${p.symbol}`);
  const dup = ids.find((id, k) => ids.indexOf(id) !== k);
  if (dup) throw new ConfigError('fundingDifferential config', [`perps: ${dup} is listed twice`]);
  return parsed;
}

/** One candidate trade: short `short`, long `long`. */
export interface DifferentialCandidate {
  long: InstrumentRef;
  short: InstrumentRef;
  /** apr(short) - apr(long), fraction per year. */
  differentialApr: number;
  /** Amortised round-trip cost, fraction per year. */
  costApr: number;
  /** differentialApr - costApr. */
  netApr: number;
}

export class FundingDifferentialStrategy implements Strategy {
  readonly name = 'fundingDifferential';
  readonly config: FundingDifferentialConfig;
  private readonly perps: readonly InstrumentRef[];
  private readonly holdingMs: number;
  private active: { id: string; long: InstrumentRef; short: InstrumentRef } | null = null;
  private pairSeq = 0;
  /** A decision waits for prices (next price update) or for the other legs' rates of a settlement (until the clock passes it). */
  private pendingPrices = false;
  private pendingSettlementMs = Number.NaN;
  private checked = false;

  /** Takes the raw config (validated here) or one already parsed by FundingDifferentialConfigSchema. */
  constructor(config: FundingDifferentialConfigInput | FundingDifferentialConfig) {
    const parsedAlready = Array.isArray(config.perps) && config.perps.every((p) => typeof p === 'object');
    this.config = parsedAlready ? (config as FundingDifferentialConfig) : parseFundingDifferentialConfig(config);
    this.perps = this.config.perps;
    this.holdingMs = this.config.expectedHoldingDays * DAY_MS;
  }

  instruments(): readonly InstrumentRef[] {
    return this.perps;
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
    if (!this.checked) this.checkInstruments(context.market);
    if (update.kind === 'funding') {
      if (!this.isLeg(update)) return NO_INTENTS;
      if (!this.allRatesCurrent(context.market, update.timeMs)) {
        this.pendingSettlementMs = update.timeMs;
        return NO_INTENTS;
      }
      this.pendingSettlementMs = Number.NaN;
      return this.decide(context);
    }
    if (update.timeMs > this.pendingSettlementMs) {
      // A leg's rate for that settlement never came: decide with what is known.
      this.pendingSettlementMs = Number.NaN;
      return this.decide(context);
    }
    if (this.pendingPrices && Number.isNaN(this.pendingSettlementMs)) return this.decide(context);
    return NO_INTENTS;
  }

  /** Annualised funding of one perp (NaN when no rate is known yet). */
  legApr(market: MarketView, ref: InstrumentRef): number {
    const snap = market.get(ref.venue, ref.symbol);
    if (!snap || !Number.isFinite(snap.fundingRatePerInterval)) return Number.NaN;
    return fundingApr(snap.fundingRatePerInterval, this.intervalMs(market, ref));
  }

  /** Round-trip cost of a pair, fraction of one leg's notional. */
  roundTripCost(market: MarketView, a: InstrumentRef, b: InstrumentRef): number {
    if (this.config.roundTripCostRate !== null) return this.config.roundTripCostRate;
    const taker = (ref: InstrumentRef) => {
      const rate = market.instrument(ref.venue, ref.symbol)?.takerFeeRate;
      if (rate === null || rate === undefined) throw new Error(`fundingDifferential: ${ref.venue}:${ref.symbol} has no taker fee rate; give it in the instruments or set roundTripCostRate`);
      return rate;
    };
    return 2 * (taker(a) + taker(b)) + this.config.crossingCostRate;
  }

  /** Every pair with known rates, best (largest netApr) first. */
  candidates(market: MarketView): DifferentialCandidate[] {
    const out: DifferentialCandidate[] = [];
    const aprs = this.perps.map((p) => this.legApr(market, p));
    for (let i = 0; i < this.perps.length; i++) {
      for (let j = i + 1; j < this.perps.length; j++) {
        if (Number.isNaN(aprs[i]) || Number.isNaN(aprs[j])) continue;
        // As the scanner: short the leg whose rate is higher, the first on a tie.
        const [s, l] = aprs[i] >= aprs[j] ? [i, j] : [j, i];
        const differentialApr = aprs[s] - aprs[l];
        const costApr = annualised(this.roundTripCost(market, this.perps[s], this.perps[l]), this.holdingMs);
        out.push({ long: this.perps[l], short: this.perps[s], differentialApr, costApr, netApr: differentialApr - costApr });
      }
    }
    // Stable: among equal nets the earlier-listed pair stays first.
    return out.sort((x, y) => y.netApr - x.netApr);
  }

  private decide(context: StrategyContext): readonly Intent[] {
    const market = context.market;
    if (this.active) {
      const view = context.positions.pair(this.active.id);
      if (!view || view.status === 'failed' || view.status === 'closed') this.active = null;
    }
    if (this.active) {
      this.pendingPrices = false;
      const differentialApr = this.legApr(market, this.active.short) - this.legApr(market, this.active.long);
      if (differentialApr < this.config.exitApr) {
        const id = this.active.id;
        this.active = null;
        return [{ kind: 'closePair', id, reason: `funding differential APR ${pct(differentialApr)} (each leg's rate x 365 d / its own interval) < exit ${pct(this.config.exitApr)}`, reasonCode: 'fundingReversal' }];
      }
      return NO_INTENTS;
    }
    const best = this.candidates(market)[0];
    if (!best || best.netApr < this.config.entryMarginApr) {
      this.pendingPrices = false;
      return NO_INTENTS;
    }
    const longSnap = market.get(best.long.venue, best.long.symbol);
    const shortSnap = market.get(best.short.venue, best.short.symbol);
    if (!(longSnap && longSnap.price > 0) || !(shortSnap && shortSnap.price > 0)) {
      this.pendingPrices = true;
      return NO_INTENTS;
    }
    this.pendingPrices = false;
    const id = `fdiff-${++this.pairSeq}`;
    this.active = { id, long: best.long, short: best.short };
    const reason = `funding differential APR ${pct(best.differentialApr)} (each leg's rate x 365 d / its own interval; short ${ref(best.short)}, long ${ref(best.long)}) vs cost ${pct(best.costApr)} + margin ${pct(this.config.entryMarginApr)}`;
    return [{ kind: 'openPair', id, long: best.long, short: best.short, notionalUsd: this.config.notionalUsd, reason, reasonCode: 'threshold' }];
  }

  /** Whether every leg's latest rate belongs to the settlement period containing `nowMs` (its next settlement is after it). */
  private allRatesCurrent(market: MarketView, nowMs: number): boolean {
    for (const p of this.perps) {
      const snap = market.get(p.venue, p.symbol);
      // No rate yet: it may come at this same time (the next event after it decides anyway).
      if (!snap || !Number.isFinite(snap.fundingTs)) return false;
      if (snap.fundingTs + this.intervalMs(market, p) <= nowMs) return false;
    }
    return true;
  }

  private intervalMs(market: MarketView, ref: InstrumentRef): number {
    const snap = market.get(ref.venue, ref.symbol);
    if (snap && snap.fundingIntervalMs > 0) return snap.fundingIntervalMs;
    const own = market.instrument(ref.venue, ref.symbol)?.fundingIntervalMs;
    return own !== null && own !== undefined && own > 0 ? own : this.config.defaultFundingIntervalHours * HOUR_MS;
  }

  private isLeg(update: MarketUpdate): boolean {
    for (const p of this.perps) if (p.venue === update.venue && p.symbol === update.symbol) return true;
    return false;
  }

  /** The configured legs must be perps of one base asset (checked once, against the engine's instruments). */
  private checkInstruments(market: MarketView): void {
    this.checked = true;
    let base: string | null = null;
    for (const p of this.perps) {
      const inst = market.instrument(p.venue, p.symbol);
      if (!inst) throw new Error(`fundingDifferential: ${ref(p)} is not an instrument of the run`);
      if (inst.kind !== 'perp') throw new Error(`fundingDifferential: ${ref(p)} is a ${inst.kind}, not a perp`);
      if (base !== null && inst.base !== base) throw new Error(`fundingDifferential: ${ref(p)} is on ${inst.base}, the other legs on ${base}`);
      base = inst.base;
    }
  }
}

function ref(r: InstrumentRef): string {
  return `${r.venue}:${r.symbol}`;
}

function pct(x: number): string {
  return `${(x * 100).toFixed(2)}%`;
}
