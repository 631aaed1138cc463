/**
 * An opportunity slot: one pair of instruments and one trade type, created when the pair becomes
 * known and recomputed in place on every update of either instrument (no allocation). The plain
 * `Opportunity` objects handed to callers are made only when they ask (toOpportunity).
 */
import { isoUtc, YEAR_MS } from '../../core/time.ts';
import { flagNames } from './flags.ts';
import { KIND_FUTURE, KIND_PERP, type InstrumentState } from './marketState.ts';

export type OpportunityType = 'fundingCarry' | 'basis' | 'crossVenueSpread' | 'fundingDifferential' | 'calendarSpread';

export const OPPORTUNITY_TYPES: readonly OpportunityType[] = ['fundingCarry', 'basis', 'crossVenueSpread', 'fundingDifferential', 'calendarSpread'];

export const TYPE_FUNDING_CARRY = 0;
export const TYPE_BASIS = 1;
export const TYPE_CROSS_VENUE_SPREAD = 2;
export const TYPE_FUNDING_DIFFERENTIAL = 3;
export const TYPE_CALENDAR_SPREAD = 4;

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
  fundingRatePerInterval?: number | null;
  fundingIntervalMs?: number | null;
  nextFundingTime?: string | null;
  expiry?: string;
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
}

const bps = (fraction: number) => Math.round(fraction * 1e4 * 1e4) / 1e4;
const round = (value: number, digits: number) => {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
};

function leg(s: InstrumentState, side: 'buy' | 'sell', price: number): OpportunityLeg {
  const out: OpportunityLeg = {
    venue: s.venue,
    symbol: s.instrument.symbol,
    venueSymbol: s.instrument.venueSymbol,
    kind: s.instrument.kind,
    side,
    price: s.priceUsable && Number.isFinite(price) ? price : null,
  };
  if (s.kindCode === KIND_PERP) {
    out.fundingRatePerInterval = Number.isNaN(s.fundingRatePerInterval) ? null : s.fundingRatePerInterval;
    out.fundingIntervalMs = Number.isNaN(s.fundingIntervalMs) ? null : s.fundingIntervalMs;
    out.nextFundingTime = Number.isFinite(s.nextSettlementMs) ? isoUtc(s.nextSettlementMs) : null;
  }
  if (s.kindCode === KIND_FUTURE) out.expiry = isoUtc(s.expiryMs);
  return out;
}

/** A plain object for one slot's current values (made on request only). */
export function toOpportunity(slot: OpportunitySlot, notionalUsd: number): Opportunity {
  return {
    id: `${slot.type}:${slot.a.id}~${slot.b.id}`,
    type: slot.type,
    asset: slot.assetKey,
    legs: [leg(slot.long, 'buy', slot.long.buyPrice), leg(slot.short, 'sell', slot.short.sellPrice)],
    notionalUsd,
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
  };
}
