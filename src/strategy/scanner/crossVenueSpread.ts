/**
 * Cross-venue perp spread: one asset's perps on two venues (or two perps of one venue) at
 * different prices. Buy the cheap one, sell the rich one; gross = (rich - cheap) / cheap at mids,
 * assumed to converge within the holding period (both track the same index). Funding of both legs
 * over that period is added when both are known.
 * Threshold: gross >= thresholds.minSpreadBps. Legs observed too far apart are not compared.
 */
import { apartSlot, clearSlot, settleSlot } from './costs.ts';
import type { ScanContext } from './context.ts';
import { FLAG_FUNDING_UNKNOWN, FLAG_QUOTE_MISMATCH, legTerms } from './flags.ts';
import { historyFlags } from './history.ts';
import { legsTooFarApart } from './legTiming.ts';
import type { OpportunitySlot } from './opportunity.ts';

export function computeCrossVenueSpread(slot: OpportunitySlot, ctx: ScanContext): void {
  const a = slot.a;
  const b = slot.b;
  legTerms(a, ctx);
  legTerms(b, ctx);
  if (!a.priceUsable || !b.priceUsable) return clearSlot(slot);
  const config = ctx.config;
  if (a.quoteTsMs !== b.quoteTsMs && legsTooFarApart(a, b, config)) return apartSlot(slot);
  const cheap = a.mid <= b.mid ? a : b;
  const rich = cheap === a ? b : a;
  const gap = (rich.mid - cheap.mid) / cheap.mid;
  let funding = cheap.fundingHoldLong - rich.fundingHoldLong;
  let flags = a.priceFlagBits | b.priceFlagBits | a.fundingFlagBits | b.fundingFlagBits;
  if (Number.isNaN(funding)) {
    funding = 0;
    flags |= FLAG_FUNDING_UNKNOWN;
  }
  if (a.instrument.quote !== b.instrument.quote) flags |= FLAG_QUOTE_MISMATCH;
  if (slot.history !== null) {
    slot.history.edge = cheap === a ? gap : -gap;
    flags |= historyFlags(slot, config);
  }
  slot.grossFraction = gap;
  slot.convergenceFraction = gap;
  slot.fundingFraction = funding;
  slot.horizonMs = config.holdingPeriodMs;
  settleSlot(slot, cheap, rich, gap * 1e4 >= config.thresholds.minSpreadBps, flags, config);
}
