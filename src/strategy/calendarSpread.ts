import { z } from 'zod';
import { ConfigError } from '../core/errors.ts';
import { DAY_MS, HOUR_MS, SECOND_MS, YEAR_MS } from '../core/time.ts';
import { parseConfig } from '../domain/config/issue.ts';
import { numberIn } from '../domain/config/range.ts';
import { RANGES } from '../domain/config/ranges.ts';
import { instrumentIdSchema } from './instrumentIdSchema.ts';
import { NO_INTENTS, type InstrumentRef, type InstrumentSnapshot, type Intent, type MarketUpdate, type MarketView, type Strategy, type StrategyContext } from './types.ts';

/**
 * Calendar spread: a dated future against the perp (or the spot) of the same asset. At expiry the
 * future settles on the underlying, so its basis to the hedge converges; the strategy sells the
 * rich leg, buys the cheap one, and either holds to expiry (the venue settles the future, the pair
 * executor then closes the hedge at once: execution events legExpired, pairClosed) or closes early
 * once the basis has converged to exitBasisBps. The opportunity the scanner ranks as
 * `calendarSpread` (src/strategy/scanner/calendarSpread.ts).
 *
 * At each decision, with tau = expiry - now and executable prices (buy at the ask, sell at the bid;
 * the last price where no quote is known):
 *   contango (future above the hedge): short the future, long the hedge,
 *     basis = (sell(future) - buy(hedge)) / buy(hedge);
 *   backwardation: long the future, short the hedge (a spot hedge only with allowShortSpot),
 *     basis = (sell(hedge) - buy(future)) / buy(future);
 *   cost  = roundTripCostRate, or when null the taker fees of the fills the plan makes plus
 *           crossingCostRate: holding to expiry, one future fill (the settlement is free on the
 *           simulated venue) and two hedge fills; closing early, two of each;
 *   funding (perp hedge) = -+ rate(hedge) x tau / interval(hedge): a long perp pays a positive rate,
 *           a short one receives it (the predicted rate where known, else the last settled, else
 *           fundingRateWhenUnknown; with none of them, no entry);
 *   netApr = (basis - cost + funding) x year / tau.
 * Open when netApr >= entryNetApr and tau >= minDaysToExpiry. Held: with exitBasisBps set, close
 * when the basis at closing prices is at most exitBasisBps; else hold to the expiry settlement.
 * One pair at a time, never re-opened after the expiry.
 *
 * Decisions are taken on price updates, only when both legs' prices are at most
 * maxPriceSkewSeconds apart (0: the same bar time).
 *
 * Two expiries are not a leg pair here: the near future settles first, and the far one has not
 * converged then (its basis to the underlying remains), so the trade is not a convergence trade.
 */

export const CalendarSpreadConfigSchema = z.strictObject({
  /** The dated future, 'venue:BASE/QUOTE:SETTLE-YYMMDD' (its expiry from the instrument). */
  future: instrumentIdSchema,
  /** The hedge: the perp or the spot of the same base asset, on any venue. */
  hedge: instrumentIdSchema,
  /** Notional of each leg, USD. */
  notionalUsd: numberIn(RANGES.notionalUsd),
  /** Round-trip cost as a fraction of one leg's notional; null: from the legs' taker fee rates (see exitBasisBps) plus crossingCostRate. */
  roundTripCostRate: numberIn(RANGES.roundTripCostRate).nullable().default(null),
  /** Crossing cost of the fills, fraction of one leg's notional, added to the fees when roundTripCostRate is null. */
  crossingCostRate: numberIn(RANGES.crossingCostRate).default(0.0002),
  /** Open when the basis net of costs and the hedge's funding to expiry, annualised over the time to expiry, is at least this (0.05 = 5% a year). */
  entryNetApr: numberIn(RANGES.apr).default(0.05),
  /** Close when the basis (at closing prices) has come down to this, bps; null: hold to the expiry settlement. */
  exitBasisBps: numberIn(RANGES.netBps).nullable().default(null),
  /** No new pair with less than this to the expiry, days (a small basis annualised over hours is noise). */
  minDaysToExpiry: numberIn(RANGES.daysToExpiry).default(1),
  /** Allow long future / short spot when the future is below a spot hedge (the spot is borrowed). */
  allowShortSpot: z.boolean().default(false),
  /** Largest age difference between the legs' prices for a decision, seconds (0: same bar time). */
  maxPriceSkewSeconds: numberIn(RANGES.priceSkewSeconds).default(0),
  /**
   * Funding rate per interval assumed for a perp hedge before any is known (neither predicted nor
   * settled); null: no entry until the hedge has a rate.
   */
  fundingRateWhenUnknown: numberIn(RANGES.fundingRatePerInterval).nullable().default(null),
  /** Funding interval of a perp hedge when neither the data nor the instrument gives one, hours. */
  defaultFundingIntervalHours: numberIn(RANGES.fundingIntervalHours).default(8),
});

export type CalendarSpreadConfigInput = z.input<typeof CalendarSpreadConfigSchema>;
export type CalendarSpreadConfig = z.output<typeof CalendarSpreadConfigSchema>;

export function parseCalendarSpreadConfig(value: unknown): CalendarSpreadConfig {
  const parsed = parseConfig(CalendarSpreadConfigSchema, value, 'calendarSpread config');
  if (ref(parsed.future) === ref(parsed.hedge)) throw new ConfigError('calendarSpread config', [`hedge: is the future itself (${ref(parsed.future)})`]);
  return parsed;
}

/** The trade a decision sees now. Fractions of one leg's notional. */
export interface CalendarCandidate {
  side: 'shortFuture' | 'longFuture';
  long: InstrumentRef;
  short: InstrumentRef;
  timeToExpiryMs: number;
  basis: number;
  cost: number;
  funding: number;
  net: number;
  netApr: number;
}

export class CalendarSpreadStrategy implements Strategy {
  readonly name = 'calendarSpread';
  readonly config: CalendarSpreadConfig;
  private readonly future: InstrumentRef;
  private readonly hedge: InstrumentRef;
  private readonly skewMs: number;
  private held: { id: string; side: CalendarCandidate['side'] } | null = null;
  private pairSeq = 0;
  private expiryMs = Number.NaN;
  private hedgeKind: 'spot' | 'perp' = 'perp';

  /** Takes the raw config (validated here) or one already parsed by CalendarSpreadConfigSchema. */
  constructor(config: CalendarSpreadConfigInput | CalendarSpreadConfig) {
    this.config = typeof config.future === 'object' ? (config as CalendarSpreadConfig) : parseCalendarSpreadConfig(config);
    this.future = this.config.future;
    this.hedge = this.config.hedge;
    this.skewMs = this.config.maxPriceSkewSeconds * SECOND_MS;
  }

  instruments(): readonly InstrumentRef[] {
    return [this.future, this.hedge];
  }

  onEvent(update: MarketUpdate, context: StrategyContext): readonly Intent[] {
    if (Number.isNaN(this.expiryMs)) this.checkInstruments(context.market);
    if (update.kind !== 'price') return NO_INTENTS;
    const f = context.market.get(this.future.venue, this.future.symbol);
    const h = context.market.get(this.hedge.venue, this.hedge.symbol);
    if (!f || !h || !(f.price > 0) || !(h.price > 0) || Math.abs(f.priceTs - h.priceTs) > this.skewMs) return NO_INTENTS;
    return this.decide(context, f, h);
  }

  /** The trade the current prices offer (null before both legs have prices, before a perp hedge's funding rate is known, at or after the expiry, or when the only side needs a short spot that is not allowed). */
  candidate(market: MarketView, nowMs: number): CalendarCandidate | null {
    const f = market.get(this.future.venue, this.future.symbol);
    const h = market.get(this.hedge.venue, this.hedge.symbol);
    if (Number.isNaN(this.expiryMs)) this.checkInstruments(market);
    const tau = this.expiryMs - nowMs;
    if (!f || !h || !(tau > 0)) return null;
    const shortFutureBasis = (sellPrice(f) - buyPrice(h)) / buyPrice(h);
    const longFutureBasis = (sellPrice(h) - buyPrice(f)) / buyPrice(f);
    if (!Number.isFinite(shortFutureBasis) || !Number.isFinite(longFutureBasis)) return null;
    const contango = f.price >= h.price;
    if (!contango && this.hedgeKind === 'spot' && !this.config.allowShortSpot) return null;
    const side = contango ? 'shortFuture' : 'longFuture';
    const basis = contango ? shortFutureBasis : longFutureBasis;
    const cost = this.cost(market);
    // The hedge is long when the future is short: it pays a positive rate.
    const rate = this.hedgeKind === 'perp' ? this.hedgeRate(h) : 0;
    if (Number.isNaN(rate)) return null;
    const hedgeFunding = this.hedgeKind === 'perp' ? (rate * tau) / this.hedgeIntervalMs(market, h) : 0;
    const funding = contango ? 0 - hedgeFunding : hedgeFunding; // 0 - x: no -0 without funding
    const net = basis - cost + funding;
    return {
      side,
      long: contango ? this.hedge : this.future,
      short: contango ? this.future : this.hedge,
      timeToExpiryMs: tau,
      basis,
      cost,
      funding,
      net,
      netApr: (net * YEAR_MS) / tau,
    };
  }

  /** Cost of the planned fills, fraction of one leg's notional. */
  cost(market: MarketView): number {
    if (this.config.roundTripCostRate !== null) return this.config.roundTripCostRate;
    const taker = (r: InstrumentRef) => {
      const rate = market.instrument(r.venue, r.symbol)?.takerFeeRate;
      if (rate === null || rate === undefined) throw new Error(`calendarSpread: ${ref(r)} has no taker fee rate; give it in the instruments or set roundTripCostRate`);
      return rate;
    };
    const futureFills = this.config.exitBasisBps === null ? 1 : 2;
    return futureFills * taker(this.future) + 2 * taker(this.hedge) + this.config.crossingCostRate;
  }

  private decide(context: StrategyContext, f: InstrumentSnapshot, h: InstrumentSnapshot): readonly Intent[] {
    if (this.held) {
      const view = context.positions.pair(this.held.id);
      if (!view || view.status === 'failed' || view.status === 'closed') this.held = null;
    }
    if (this.held) {
      const exit = this.config.exitBasisBps;
      if (exit === null) return NO_INTENTS;
      // Closing prices: buy back the short leg at its ask, sell the long leg at its bid.
      const basis = this.held.side === 'shortFuture' ? (buyPrice(f) - sellPrice(h)) / sellPrice(h) : (buyPrice(h) - sellPrice(f)) / sellPrice(f);
      if (basis * 1e4 > exit) return NO_INTENTS;
      const id = this.held.id;
      this.held = null;
      return [{ kind: 'closePair', id, reason: `basis ${bps(basis)} <= exit ${exit} bps`, reasonCode: 'meanReversion' }];
    }
    const c = this.candidate(context.market, context.nowMs);
    if (context.wantsSignals === true && c) context.signal('basis', { basisBps: c.basis * 1e4, costBps: c.cost * 1e4, fundingBps: c.funding * 1e4, netApr: c.netApr, daysToExpiry: c.timeToExpiryMs / DAY_MS });
    if (!c || c.timeToExpiryMs < this.config.minDaysToExpiry * DAY_MS || c.netApr < this.config.entryNetApr) return NO_INTENTS;
    const id = `calendar-${++this.pairSeq}`;
    this.held = { id, side: c.side };
    const days = (c.timeToExpiryMs / DAY_MS).toFixed(2);
    const reason = `basis ${bps(c.basis)} - cost ${bps(c.cost)} + funding ${bps(c.funding)} over ${days} days to expiry = ${pct(c.netApr)} a year >= entry ${pct(this.config.entryNetApr)}`;
    return [{ kind: 'openPair', id, long: c.long, short: c.short, notionalUsd: this.config.notionalUsd, reason, reasonCode: 'threshold' }];
  }

  /** The predicted rate, else the last settled, else fundingRateWhenUnknown; NaN when none. */
  private hedgeRate(h: InstrumentSnapshot): number {
    if (Number.isFinite(h.predictedFundingRatePerInterval)) return h.predictedFundingRatePerInterval;
    if (Number.isFinite(h.fundingRatePerInterval)) return h.fundingRatePerInterval;
    return this.config.fundingRateWhenUnknown ?? Number.NaN;
  }

  private hedgeIntervalMs(market: MarketView, h: InstrumentSnapshot): number {
    if (h.fundingIntervalMs > 0) return h.fundingIntervalMs;
    const own = market.instrument(this.hedge.venue, this.hedge.symbol)?.fundingIntervalMs;
    return own !== null && own !== undefined && own > 0 ? own : this.config.defaultFundingIntervalHours * HOUR_MS;
  }

  /** The future must be a dated future with an expiry, the hedge its perp or spot (checked once). */
  private checkInstruments(market: MarketView): void {
    const f = market.instrument(this.future.venue, this.future.symbol);
    const h = market.instrument(this.hedge.venue, this.hedge.symbol);
    if (!f) throw new Error(`calendarSpread: ${ref(this.future)} is not an instrument of the run`);
    if (!h) throw new Error(`calendarSpread: ${ref(this.hedge)} is not an instrument of the run`);
    if (f.kind !== 'future') throw new Error(`calendarSpread: future ${ref(this.future)} is a ${f.kind}, not a dated future`);
    if (f.expiryMs === null) throw new Error(`calendarSpread: ${ref(this.future)} has no expiry time in the instruments`);
    if (h.kind === 'future') throw new Error(`calendarSpread: hedge ${ref(this.hedge)} is a dated future; the hedge is the perp or the spot (see src/strategy/calendarSpread.ts on two expiries)`);
    if (h.base !== f.base) throw new Error(`calendarSpread: hedge ${ref(this.hedge)} is on ${h.base}, the future on ${f.base}`);
    this.hedgeKind = h.kind;
    this.expiryMs = f.expiryMs;
  }
}

function buyPrice(s: InstrumentSnapshot): number {
  return s.ask > 0 ? s.ask : s.price;
}

function sellPrice(s: InstrumentSnapshot): number {
  return s.bid > 0 ? s.bid : s.price;
}

function ref(r: InstrumentRef): string {
  return `${r.venue}:${r.symbol}`;
}

function bps(x: number): string {
  return `${(x * 1e4).toFixed(2)} bps`;
}

function pct(x: number): string {
  return `${(x * 100).toFixed(2)}%`;
}
