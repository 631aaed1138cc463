/**
 * Funding carry: spot against perp on one venue. Positive funding: buy spot, sell the perp (the
 * short receives); negative: sell spot (borrowed) and buy the perp. Gross = funding received over
 * the holding period; the basis is assumed unchanged unless an OU fit says where it goes.
 * Threshold: |rate| scaled to 8 h >= thresholds.minFundingRatePer8h. Legs observed too far apart
 * are flagged legsApart (their prices only set the crossing cost), or not compared with a fit.
 */
import { basisMoveFactor } from './basis.ts';
import { apartSlot, clearSlot, settleSlot } from './costs.ts';
import type { ScanContext } from './context.ts';
import { FLAG_LEGS_APART, legTerms, spotPremiumFlag } from './flags.ts';
import { legsTooFarApart } from './legTiming.ts';
import type { OpportunitySlot } from './opportunity.ts';

export function computeFundingCarry(slot: OpportunitySlot, ctx: ScanContext): void {
  const spot = slot.a;
  const perp = slot.b;
  legTerms(spot, ctx);
  legTerms(perp, ctx);
  if (!spot.priceUsable || !perp.priceUsable || !perp.fundingUsable) return clearSlot(slot);
  const rate = perp.fundingRatePerInterval;
  const config = ctx.config;
  const shortPerp = rate >= 0;
  const funding = shortPerp ? -perp.fundingHoldLong : perp.fundingHoldLong;
  let convergence = 0;
  const fit = ctx.fits === null ? undefined : ctx.fits.get(perp.id);
  const apart = spot.quoteTsMs !== perp.quoteTsMs && legsTooFarApart(spot, perp, config);
  // With a fit the basis enters the gross: two prices from different instants are no basis.
  if (apart && fit) return apartSlot(slot);
  if (fit) {
    const move = ((perp.mid - spot.mid) / spot.mid - fit.mu) * basisMoveFactor(fit, config.holdingPeriodMs);
    convergence = shortPerp ? move : -move;
  }
  slot.grossFraction = funding;
  slot.convergenceFraction = convergence;
  slot.fundingFraction = funding;
  slot.horizonMs = config.holdingPeriodMs;
  const passes = Math.abs(perp.fundingPer8h) >= config.thresholds.minFundingRatePer8h;
  let flags = spot.priceFlagBits | perp.priceFlagBits | perp.fundingFlagBits | spotPremiumFlag(perp, spot);
  if (apart) flags |= FLAG_LEGS_APART;
  if (shortPerp) settleSlot(slot, spot, perp, passes, flags, config);
  else settleSlot(slot, perp, spot, passes, flags, config);
}
