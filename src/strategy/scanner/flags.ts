/**
 * Risk flags: a bit set per opportunity, so computing them allocates nothing; names on output.
 */
import { freshestMarkPrice } from '../../model/markPrice.ts';
import type { ScanContext } from './context.ts';
import { setFundingHoldLong, setFundingPer8h } from './funding.ts';
import { KIND_FUTURE, KIND_PERP, PRICE_LAST, PRICE_NONE, type InstrumentState } from './marketState.ts';

/** The known depth does not cover the target size (the crossing cost is then a lower bound). */
export const FLAG_THIN_BOOK = 1 << 0;
/** A leg's quote is older than flags.staleQuoteMs at the scan time. */
export const FLAG_STALE_QUOTE = 1 << 1;
/** Funding may change sign: the last two settled rates differ in sign, or the premium (perp against index or spot) disagrees with the rate. */
export const FLAG_FUNDING_SIGN = 1 << 2;
/** A dated future expires within flags.minTimeToExpiryMs. */
export const FLAG_EXPIRY_NEAR = 1 << 3;
/** Sizes are unknown (top of book without sizes, or a last price): the size could not be checked against the book. */
export const FLAG_DEPTH_UNKNOWN = 1 << 4;
/** A perp leg's funding is unknown, so it is not in netBps. */
export const FLAG_FUNDING_UNKNOWN = 1 << 5;
/** The legs are quoted in different USD currencies (e.g. USDT against USD): the gap includes their exchange rate. */
export const FLAG_QUOTE_MISMATCH = 1 << 6;
/** A leg has no price at all: crossing costs are not in netBps and the legs carry no price. */
export const FLAG_NO_QUOTE = 1 << 7;
/** A leg is priced from a trade or bar close (no bid/ask): the crossing cost is unknown. */
export const FLAG_LAST_PRICE_ONLY = 1 << 8;
/** A funding leg's last known settlement is more than two intervals before the scan time. */
export const FLAG_STALE_FUNDING = 1 << 9;
/**
 * The edge has existed for at most suspect.maxObservations observations and is more than
 * suspect.multipleOfMedian times the pair's median over its history: more likely a bad print or
 * misaligned data than a trade. Ranked after the clean opportunities.
 */
export const FLAG_SUSPECT = 1 << 10;
/** A funding opportunity whose legs' prices were observed further apart than the tolerance: its crossing costs mix two instants (price-gap types are not compared at all then). */
export const FLAG_LEGS_APART = 1 << 11;
/**
 * The pair's price history implies one leg is observed more than suspect.maxImpliedLagFraction of
 * a bar before the other (model/leadLag.ts), whatever the timestamps say: its gap is partly the
 * market's move in between. Ranked after the clean opportunities.
 */
export const FLAG_MISALIGNED = 1 << 12;
/** Flags that rank an opportunity after every clean one. */
export const RANKED_LAST_FLAGS = FLAG_SUSPECT | FLAG_MISALIGNED;

export const FLAG_NAMES: readonly [number, string][] = [
  [FLAG_THIN_BOOK, 'thinBook'],
  [FLAG_STALE_QUOTE, 'staleQuote'],
  [FLAG_FUNDING_SIGN, 'fundingMayChangeSign'],
  [FLAG_EXPIRY_NEAR, 'expiryNear'],
  [FLAG_DEPTH_UNKNOWN, 'depthUnknown'],
  [FLAG_FUNDING_UNKNOWN, 'fundingUnknown'],
  [FLAG_QUOTE_MISMATCH, 'quoteMismatch'],
  [FLAG_NO_QUOTE, 'noQuote'],
  [FLAG_LAST_PRICE_ONLY, 'lastPriceOnly'],
  [FLAG_STALE_FUNDING, 'staleFunding'],
  [FLAG_SUSPECT, 'suspect'],
  [FLAG_LEGS_APART, 'legsApart'],
  [FLAG_MISALIGNED, 'legsMisaligned'],
];

export function flagNames(flags: number): string[] {
  const names: string[] = [];
  for (const [bit, name] of FLAG_NAMES) if (flags & bit) names.push(name);
  return names;
}

/** Flags that follow from one leg's price and expiry at the clock (after priceUsable is set). */
export function priceFlags(s: InstrumentState, ctx: ScanContext): number {
  const nowMs = ctx.nowMs;
  let flags = 0;
  if (s.kindCode === KIND_FUTURE && s.expiryMs - nowMs < ctx.config.flags.minTimeToExpiryMs) flags |= FLAG_EXPIRY_NEAR;
  if (s.priceSource === PRICE_NONE) return flags | FLAG_NO_QUOTE;
  if (!s.priceUsable) return flags | FLAG_NO_QUOTE | FLAG_STALE_QUOTE;
  if (s.priceSource === PRICE_LAST) flags |= FLAG_LAST_PRICE_ONLY | FLAG_DEPTH_UNKNOWN;
  else if (s.depthUnknown) flags |= FLAG_DEPTH_UNKNOWN;
  if (s.thin) flags |= FLAG_THIN_BOOK;
  if (nowMs - s.quoteTsMs > ctx.config.flags.staleQuoteMs) flags |= FLAG_STALE_QUOTE;
  return flags;
}

/**
 * Flags of a perp leg whose funding enters the trade (after fundingUsable is set): unknown (or too
 * old to use), stale (last settlement more than two intervals before the clock), or about to change
 * sign (the last two rates differ in sign, or the premium of the mark, else the mid, over the index
 * disagrees with the rate).
 */
export function fundingFlags(s: InstrumentState, ctx: ScanContext): number {
  if (s.kindCode !== KIND_PERP) return 0;
  const rate = s.fundingRatePerInterval;
  if (Number.isNaN(rate)) return FLAG_FUNDING_UNKNOWN;
  let flags = s.fundingUsable ? 0 : FLAG_FUNDING_UNKNOWN;
  const prev = s.prevFundingRatePerInterval;
  if ((rate > 0 && prev < 0) || (rate < 0 && prev > 0)) flags |= FLAG_FUNDING_SIGN;
  const index = s.indexPrice;
  if (index > 0) {
    const price = freshestMarkPrice(s.markPrice, s.markTsMs, s.mid, s.quoteTsMs, Number.NaN, Number.NEGATIVE_INFINITY);
    if ((rate > 0 && price < index) || (rate < 0 && price > index)) flags |= FLAG_FUNDING_SIGN;
  }
  const last = Number.isNaN(s.lastSettlementMs) ? s.nextSettlementMs - s.fundingIntervalMs : s.lastSettlementMs;
  if (ctx.nowMs - last > 2 * s.fundingIntervalMs) flags |= FLAG_STALE_FUNDING;
  return flags;
}

/** FLAG_FUNDING_SIGN when the perp has no index price and its premium over the same venue's spot has the opposite sign to its rate. */
export function spotPremiumFlag(perp: InstrumentState, spot: InstrumentState): number {
  if (perp.indexPrice > 0 || !(spot.mid > 0)) return 0;
  const rate = perp.fundingRatePerInterval;
  const price = freshestMarkPrice(perp.markPrice, perp.markTsMs, perp.mid, perp.quoteTsMs, Number.NaN, Number.NEGATIVE_INFINITY);
  return (rate > 0 && price < spot.mid) || (rate < 0 && price > spot.mid) ? FLAG_FUNDING_SIGN : 0;
}

/**
 * Brings a leg's clock-dependent terms to the clock: whether its price and funding are recent
 * enough to use, its flags, and the funding over the holding period. Computed once per instrument
 * and clock value, then read by all its opportunities.
 */
// Every opportunity kind (basis.ts, fundingCarry.ts, ...) starts alike: legTerms of both legs, then
// a guard of what that kind needs (prices, funding, an expiry); the guards differ, so each keeps its own.
export function legTerms(s: InstrumentState, ctx: ScanContext): void {
  const nowMs = ctx.nowMs;
  if (s.termsNowMs === nowMs) return;
  const config = ctx.config;
  s.priceUsable = s.hasPrice && nowMs - s.quoteTsMs <= config.maxPriceAgeMs;
  s.priceFlagBits = priceFlags(s, ctx);
  s.fundingUsable =
    !Number.isNaN(s.fundingRatePerInterval) && s.fundingIntervalMs > 0 && !(nowMs - s.lastSettlementMs > config.maxFundingAgeMs);
  s.fundingFlagBits = fundingFlags(s, ctx);
  if (s.fundingUsable) {
    setFundingHoldLong(s, ctx);
    setFundingPer8h(s);
  } else {
    s.fundingHoldLong = Number.NaN;
    s.fundingPer8h = Number.NaN;
  }
  s.termsNowMs = nowMs;
}
