/**
 * Basis: a perp's premium or discount against spot on the same venue, s = (perp - spot) / spot at
 * mids. Premium: sell the perp, buy spot; discount: buy the perp, sell spot (borrowed). Gross = the
 * expected convergence over the holding period: all of s without a model (the seed's assumption,
 * that the basis returns to 0), or (s - mu)(1 - e^{-theta t}) with an OU fit of this pair.
 * Funding over the holding period is added with the position's sign when known.
 * Threshold: |s| (|s - mu| with a fit) >= thresholds.minBasisBps. Legs observed too far apart are
 * not compared (legTiming.ts).
 */
import type { OuParams } from '../../model/ouParams.ts';
import { apartSlot, clearSlot, settleSlot } from './costs.ts';
import type { ScanContext } from './context.ts';
import { FLAG_FUNDING_UNKNOWN, legTerms, spotPremiumFlag } from './flags.ts';
import { historyFlags } from './history.ts';
import { legsTooFarApart } from './legTiming.ts';
import type { OpportunitySlot } from './opportunity.ts';

/** OU: E[s_t] = mu + (s0 - mu) e^{-theta t}, so the basis is expected to fall by (s0 - mu) times this factor over t. */
export function basisMoveFactor(fit: OuParams, horizonMs: number): number {
  return 1 - Math.exp(-fit.thetaPerSecond * (horizonMs / 1000));
}

export function computeBasis(slot: OpportunitySlot, ctx: ScanContext): void {
  const spot = slot.a;
  const perp = slot.b;
  legTerms(spot, ctx);
  legTerms(perp, ctx);
  if (!spot.priceUsable || !perp.priceUsable) return clearSlot(slot);
  const config = ctx.config;
  if (spot.quoteTsMs !== perp.quoteTsMs && legsTooFarApart(spot, perp, config)) return apartSlot(slot);
  const basis = (perp.mid - spot.mid) / spot.mid;
  const fit = ctx.fits === null ? undefined : ctx.fits.get(perp.id);
  const deviation = fit ? basis - fit.mu : basis;
  const shortPerp = deviation >= 0;
  const expected = fit ? deviation * basisMoveFactor(fit, config.holdingPeriodMs) : deviation;
  const convergence = shortPerp ? expected : -expected;
  let funding = shortPerp ? -perp.fundingHoldLong : perp.fundingHoldLong;
  let flags = spot.priceFlagBits | perp.priceFlagBits | perp.fundingFlagBits;
  if (Number.isNaN(funding)) {
    funding = 0;
    flags |= FLAG_FUNDING_UNKNOWN;
  } else flags |= spotPremiumFlag(perp, spot);
  if (slot.history !== null) {
    slot.history.edge = deviation;
    flags |= historyFlags(slot, config);
  }
  slot.grossFraction = convergence;
  slot.convergenceFraction = convergence;
  slot.fundingFraction = funding;
  slot.horizonMs = config.holdingPeriodMs;
  const passes = Math.abs(deviation) * 1e4 >= config.thresholds.minBasisBps;
  if (shortPerp) settleSlot(slot, spot, perp, passes, flags, config);
  else settleSlot(slot, perp, spot, passes, flags, config);
}
