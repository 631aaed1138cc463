/**
 * Funding differential: one asset's perps on two venues with different funding. Sell the perp
 * whose rate, scaled to 8 h, is higher (its short receives more, or pays less) and buy the other.
 * Gross = funding received over the holding period by both legs, each counted on its own interval
 * and settlement times; the price gap is assumed to stay. Computable from funding alone: legs
 * without a price are flagged noQuote and their crossing cost is then not counted.
 * Threshold: the difference of the 8 h rates >= thresholds.minFundingRatePer8h. Legs whose prices
 * were observed too far apart are flagged legsApart (the prices only set the crossing cost).
 */
import { clearSlot, settleSlot } from './costs.ts';
import type { ScanContext } from './context.ts';
import { FLAG_LEGS_APART, FLAG_QUOTE_MISMATCH, legTerms } from './flags.ts';
import { legsTooFarApart } from './legTiming.ts';
import type { OpportunitySlot } from './opportunity.ts';

export function computeFundingDifferential(slot: OpportunitySlot, ctx: ScanContext): void {
  const a = slot.a;
  const b = slot.b;
  legTerms(a, ctx);
  legTerms(b, ctx);
  if (!a.fundingUsable || !b.fundingUsable) return clearSlot(slot);
  const ra = a.fundingPer8h;
  const rb = b.fundingPer8h;
  const config = ctx.config;
  const short = ra >= rb ? a : b;
  const long = short === a ? b : a;
  const funding = long.fundingHoldLong - short.fundingHoldLong;
  let flags = a.priceFlagBits | b.priceFlagBits | a.fundingFlagBits | b.fundingFlagBits;
  if (a.instrument.quote !== b.instrument.quote) flags |= FLAG_QUOTE_MISMATCH;
  if (a.quoteTsMs !== b.quoteTsMs && a.priceUsable && b.priceUsable && legsTooFarApart(a, b, config)) flags |= FLAG_LEGS_APART;
  slot.grossFraction = funding;
  slot.convergenceFraction = 0;
  slot.fundingFraction = funding;
  slot.horizonMs = config.holdingPeriodMs;
  settleSlot(slot, long, short, Math.abs(ra - rb) >= config.thresholds.minFundingRatePer8h, flags, config);
}
