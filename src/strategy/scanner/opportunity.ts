/**
 * An opportunity slot: one pair of instruments and one trade type, created when the pair becomes
 * known and recomputed in place on every update of either instrument (no allocation). The plain
 * `Opportunity` objects handed to callers are made only when they ask (toOpportunity).
 */
import { isoUtc, YEAR_MS } from '../../core/time.ts';
import { fundingApr } from '../../model/annualisation.ts';
import type { ScanContext } from './context.ts';
import { flagNames } from './flags.ts';
import { legSkewMs, legSkewToleranceMs } from './legTiming.ts';
import { KIND_FUTURE, KIND_PERP, type InstrumentState } from './marketState.ts';
import type { SlotHistory } from './slotHistory.ts';

import { edgeMeasureOf, OPPORTUNITY_TYPES, type EdgeMeasure, type OpportunityType } from './opportunityTypes.ts';

export {
  OPPORTUNITY_TYPES,
  TYPE_BASIS,
  TYPE_CALENDAR_SPREAD,
  TYPE_CROSS_VENUE_SPREAD,
  TYPE_FUNDING_CARRY,
  TYPE_FUNDING_DIFFERENTIAL,
  type OpportunityType,
} from './opportunityTypes.ts';

export class OpportunitySlot {
  readonly slotIndex: number;
  readonly typeCode: number;
  readonly assetKey: string;
  /** The pair, in a fixed order: spot/perp (carry, basis), other/future or near/far (calendar), by index (perp pairs). */
  readonly a: InstrumentState;
  readonly b: InstrumentState;

  /** Whether the inputs it needs are known (prices, funding, time to expiry). */
  computable = false;
  /** Computable and past the type's threshold (and minNetBps when set). */
  active = false;
  /** The leg bought and the leg sold, chosen by the direction of the edge. */
  long: InstrumentState;
  short: InstrumentState;
  /** The type's own edge before costs: the price gap at mids (basis, spreads, calendar) or funding income (carry, differential). */
  grossFraction = Number.NaN;
  /** Expected price convergence earned over the horizon (fraction of notional). */
  convergenceFraction = 0;
  /** Funding received (+) or paid (-) over the horizon, both legs. */
  fundingFraction = 0;
  feesFraction = 0;
  crossingFraction = 0;
  borrowFraction = 0;
  netFraction = Number.NaN;
  horizonMs = Number.NaN;
  apr = Number.NaN;
  expectedProfitUsd = Number.NaN;
  flags = 0;
  /** The legs' prices were observed further apart than the tolerance (legTiming.ts): not compared, not computable. */
  legsApart = false;
  /** The pair's own history (store and snapshot scans; history.ts), null without one. */
  history: SlotHistory | null = null;
  /** How often this slot has been recomputed (tests count them). */
  recomputations = 0;

  constructor(slotIndex: number, typeCode: number, assetKey: string, a: InstrumentState, b: InstrumentState) {
    this.slotIndex = slotIndex;
    this.typeCode = typeCode;
    this.assetKey = assetKey;
    this.a = a;
    this.b = b;
    this.long = a;
    this.short = b;
  }

  get type(): OpportunityType {
    return OPPORTUNITY_TYPES[this.typeCode];
  }
}

export interface OpportunityLeg {
  venue: string;
  symbol: string;
  /** The venue's own name (BTC-1231), null when unknown. */
  venueSymbol: string | null;
  kind: 'spot' | 'perp' | 'future';
  side: 'buy' | 'sell';
  /** Executable price for the target size: the ask (or the book's VWAP) to buy, the bid to sell; a maker rests at its own side. Null when no price is known. */
  price: number | null;
  /** When the leg's price was observed (a bar's close time), and its age at the scan time; null without a price. */
  observedAt: string | null;
  ageMs: number | null;
  /** A perp's last rate, per its own interval (fraction; positive: longs pay shorts). */
  fundingRatePerInterval?: number | null;
  fundingIntervalMs?: number | null;
  /** The same rate as a simple yearly rate: rate x 365 d / fundingIntervalMs. */
  fundingApr?: number | null;
  nextFundingTime?: string | null;
  expiry?: string;
}

/** The pair's own history (history.ts): its price gap before now, bps. */
export interface OpportunityHistory {
  /** basis: (perp - spot) / spot (minus the fit's mu); spread: (rich - cheap) / cheap, negative when the second leg of the pair is the cheap one. */
  measure: EdgeMeasure;
  /** Observations of the pair before the current one. */
  points: number;
  medianAbsBps: number;
  currentBps: number;
  /** Consecutive observations the edge has passed the type's threshold with its current sign, the current one included. */
  observations: number;
  /** How much earlier one leg is observed than the other, as the prices imply (model/leadLag.ts; about 0 for legs observed together), and the step of the history; null without enough history. */
  impliedLagMs: number | null;
  stepMs: number | null;
}

export interface Opportunity {
  id: string;
  type: OpportunityType;
  asset: string;
  legs: OpportunityLeg[];
  /** Target notional of each leg, quote currency. */
  notionalUsd: number;
  grossBps: number;
  netBps: number;
  apr: number;
  expectedProfitUsd: number;
  horizonMs: number;
  horizonDays: number;
  /** netBps = convergenceBps + fundingBps - feesBps - crossingBps - borrowBps. */
  components: { convergenceBps: number; fundingBps: number; feesBps: number; crossingBps: number; borrowBps: number };
  flags: string[];
  /** Time between the legs' observations, and the most the scanner allows (legTiming.ts); null when a leg has no price. */
  legSkewMs: number | null;
  maxLegSkewMs: number;
  history: OpportunityHistory | null;
}

const bps = (fraction: number) => Math.round(fraction * 1e4 * 1e4) / 1e4;
const round = (value: number, digits: number) => {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
};

function leg(s: InstrumentState, side: 'buy' | 'sell', price: number, nowMs: number): OpportunityLeg {
  const observed = s.hasPrice && Number.isFinite(s.quoteTsMs);
  const out: OpportunityLeg = {
    venue: s.venue,
    symbol: s.instrument.symbol,
    venueSymbol: s.instrument.venueSymbol,
    kind: s.instrument.kind,
    side,
    price: s.priceUsable && Number.isFinite(price) ? price : null,
    observedAt: observed ? isoUtc(s.quoteTsMs) : null,
    ageMs: observed ? nowMs - s.quoteTsMs : null,
  };
  if (s.kindCode === KIND_PERP) {
    const known = !Number.isNaN(s.fundingRatePerInterval) && s.fundingIntervalMs > 0;
    out.fundingRatePerInterval = Number.isNaN(s.fundingRatePerInterval) ? null : s.fundingRatePerInterval;
    out.fundingIntervalMs = Number.isNaN(s.fundingIntervalMs) ? null : s.fundingIntervalMs;
    out.fundingApr = known ? round(fundingApr(s.fundingRatePerInterval, s.fundingIntervalMs), 8) : null;
    out.nextFundingTime = Number.isFinite(s.nextSettlementMs) ? isoUtc(s.nextSettlementMs) : null;
  }
  if (s.kindCode === KIND_FUTURE) out.expiry = isoUtc(s.expiryMs);
  return out;
}

function historyOf(slot: OpportunitySlot): OpportunityHistory | null {
  const h = slot.history;
  if (h === null) return null;
  return {
    measure: edgeMeasureOf(slot.typeCode)!,
    points: h.values.length,
    medianAbsBps: bps(h.medianAbs),
    currentBps: bps(h.edge),
    observations: h.observations,
    impliedLagMs: Number.isFinite(h.lagFraction) ? Math.round(h.lagFraction * h.stepMs) : null,
    stepMs: Number.isFinite(h.stepMs) ? h.stepMs : null,
  };
}

/** A plain object for one slot's current values at the scanner's clock (made on request only). */
export function toOpportunity(slot: OpportunitySlot, ctx: Pick<ScanContext, 'nowMs' | 'config'>): Opportunity {
  const skew = legSkewMs(slot.a, slot.b);
  return {
    id: `${slot.type}:${slot.a.id}~${slot.b.id}`,
    type: slot.type,
    asset: slot.assetKey,
    legs: [leg(slot.long, 'buy', slot.long.buyPrice, ctx.nowMs), leg(slot.short, 'sell', slot.short.sellPrice, ctx.nowMs)],
    notionalUsd: ctx.config.notionalUsd,
    grossBps: bps(slot.grossFraction),
    netBps: bps(slot.netFraction),
    apr: round(slot.apr, 6),
    expectedProfitUsd: round(slot.expectedProfitUsd, 2),
    horizonMs: slot.horizonMs,
    horizonDays: round(slot.horizonMs / (YEAR_MS / 365), 4),
    components: {
      convergenceBps: bps(slot.convergenceFraction),
      fundingBps: bps(slot.fundingFraction),
      feesBps: bps(slot.feesFraction),
      crossingBps: bps(slot.crossingFraction),
      borrowBps: bps(slot.borrowFraction),
    },
    flags: flagNames(slot.flags),
    legSkewMs: Number.isFinite(skew) ? skew : null,
    maxLegSkewMs: legSkewToleranceMs(slot.a, slot.b, ctx.config),
    history: historyOf(slot),
  };
}
