/**
 * Calendar spread: a dated future against spot or the perp of the same venue, or two expiries.
 * Buy the cheap leg, sell the rich one; the gap at mids, (rich - cheap) / cheap, converges by
 * expiry, so the horizon is the time to expiry (to the far expiry for two futures: the near one
 * settles first and the hedge must then be held in spot until the far one settles) and the APR is
 * the net annualised over it. A perp leg adds its funding to expiry when known.
 * Threshold: |gap| >= thresholds.minBasisBps. Legs observed too far apart are not compared.
 */
import { apartSlot, clearSlot, settleSlot } from './costs.ts';
import type { ScanContext } from './context.ts';
import { FLAG_FUNDING_UNKNOWN, legTerms } from './flags.ts';
import { settlementsWithin } from './funding.ts';
import { historyFlags } from './history.ts';
import { legsTooFarApart } from './legTiming.ts';
import { KIND_PERP } from './marketState.ts';
import type { OpportunitySlot } from './opportunity.ts';

export function computeCalendarSpread(slot: OpportunitySlot, ctx: ScanContext): void {
  const a = slot.a; // spot, perp or the near future
  const b = slot.b; // the (far) future
  const nowMs = ctx.nowMs;
  const horizonMs = b.expiryMs - nowMs;
  legTerms(a, ctx);
  legTerms(b, ctx);
  if (!a.priceUsable || !b.priceUsable || !(horizonMs > 0) || a.expiryMs <= nowMs) return clearSlot(slot);
  if (a.quoteTsMs !== b.quoteTsMs && legsTooFarApart(a, b, ctx.config)) return apartSlot(slot);
  const cheap = a.mid <= b.mid ? a : b;
  const rich = cheap === a ? b : a;
  const gap = (rich.mid - cheap.mid) / cheap.mid;
  let flags = a.priceFlagBits | b.priceFlagBits;
  let funding = 0;
  if (a.kindCode === KIND_PERP) {
    // Funding of the perp leg until the future's expiry (not the holding period).
    const received = a.fundingUsable ? -a.fundingRatePerInterval * settlementsWithin(a, ctx, b) : Number.NaN; // by a long perp
    funding = a === cheap ? received : -received;
    flags |= a.fundingFlagBits;
    if (Number.isNaN(funding)) {
      funding = 0;
      flags |= FLAG_FUNDING_UNKNOWN;
    }
  }
  if (slot.history !== null) {
    slot.history.edge = cheap === a ? gap : -gap;
    flags |= historyFlags(slot, ctx.config);
  }
  slot.grossFraction = gap;
  slot.convergenceFraction = gap;
  slot.fundingFraction = funding;
  slot.horizonMs = horizonMs;
  settleSlot(slot, cheap, rich, gap * 1e4 >= ctx.config.thresholds.minBasisBps, flags, ctx.config);
}
