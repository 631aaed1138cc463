import { reversionFraction } from './ouExpectation.ts';
import type { OuParams } from './ouParams.ts';

/**
 * Strategy 1 (seed 004, corrected as in DESIGN.md): open when the basis s = (perp - spot)/spot is far from
 * mu, close when it comes back to mu (or the configured exit level) or at the next funding time, whichever
 * is first, so no funding is ever paid or received. All amounts are per unit notional (fractions).
 *
 * Profit per unit notional of short perp / long spot is s_open - s_close (first order in s), so with
 * tau_f = T_f - t: E[P] = (s_0 - mu)(1 - e^{-theta tau_f}) - c. This is exact in expectation for the
 * rule "close at mu or at T_f": (s_t - mu) e^{theta t} is a martingale, so stopping early at mu does not
 * change E[s_close]. With an exit level other than mu it is the value of holding to T_f, not of the rule.
 */

export type PositionSide = 'shortPerpLongSpot' | 'longPerpShortSpot';

/** +1 for short perp / long spot (gains when s falls), -1 for the mirror. */
export function sideSign(side: PositionSide): 1 | -1 {
  return side === 'shortPerpLongSpot' ? 1 : -1;
}

export interface RoundTripCostInputs {
  /** Fee rate (fraction of notional) of each leg: maker or taker, as the order type will be. */
  feeRateSpotOpen: number;
  feeRatePerpOpen: number;
  feeRateSpotClose: number;
  feeRatePerpClose: number;
  /** Half-spreads and slippage paid crossing both books on open and close, as a fraction of notional. */
  crossingCostFraction: number;
}

/** c = the four leg fees + the crossing cost (= 4 f when every fee is f and nothing is crossed). */
export function roundTripCost(inputs: RoundTripCostInputs): number {
  const parts = [inputs.feeRateSpotOpen, inputs.feeRatePerpOpen, inputs.feeRateSpotClose, inputs.feeRatePerpClose, inputs.crossingCostFraction];
  for (const x of parts) if (!(x >= 0) || !Number.isFinite(x)) throw new Error(`cost parts must be finite and >= 0 (got ${x})`);
  return parts.reduce((a, b) => a + b, 0);
}

/** c = 4 f: one fee rate on all four legs, no crossing cost. */
export function roundTripCostFromFeeRate(feeRate: number): number {
  return roundTripCost({ feeRateSpotOpen: feeRate, feeRatePerpOpen: feeRate, feeRateSpotClose: feeRate, feeRatePerpClose: feeRate, crossingCostFraction: 0 });
}

/**
 * E[P] per unit notional of the trade in the profitable direction for s_0:
 * s_0 > mu: short perp / long spot, (s_0 - mu)(1 - e^{-theta tau_f}) - c;
 * s_0 < mu: long perp / short spot, (mu - s_0)(1 - e^{-theta tau_f}) - c.
 */
export function strategy1ExpectedProfit(
  params: OuParams,
  s0: number,
  timeToFundingSeconds: number,
  cost: number,
): { side: PositionSide; expectedProfitFraction: number } {
  const side: PositionSide = s0 >= params.mu ? 'shortPerpLongSpot' : 'longPerpShortSpot';
  return { side, expectedProfitFraction: strategy1ExpectedProfitForSide(params, s0, timeToFundingSeconds, cost, side) };
}

/** E[P] of a given side (negative convergence gain when the side is the wrong way round). */
export function strategy1ExpectedProfitForSide(
  params: OuParams,
  s0: number,
  timeToFundingSeconds: number,
  cost: number,
  side: PositionSide,
): number {
  return sideSign(side) * (s0 - params.mu) * reversionFraction(params, timeToFundingSeconds) - cost;
}

/**
 * Entry thresholds where E[P] = 0: upper = mu + c / (1 - e^{-theta tau_f}) (open short perp above it),
 * lower = mu - c / (1 - e^{-theta tau_f}) (open long perp below it). Infinite when tau_f = 0.
 */
export function strategy1EntryThresholds(
  params: OuParams,
  timeToFundingSeconds: number,
  cost: number,
): { upper: number; lower: number } {
  const width = cost / reversionFraction(params, timeToFundingSeconds);
  return { upper: params.mu + width, lower: params.mu - width };
}

/** The formula with only a fee rate f: entryThreshold = mu + 4 f / (1 - exp(-theta tau)). */
export function entryThresholdFromFeeRate(params: OuParams, timeToFundingSeconds: number, feeRate: number): number {
  return strategy1EntryThresholds(params, timeToFundingSeconds, roundTripCostFromFeeRate(feeRate)).upper;
}

export interface Strategy1Decision {
  open: boolean;
  side: PositionSide;
  expectedProfitFraction: number;
  thresholds: { upper: number; lower: number };
  /** Close when s reaches this level (mu unless configured) or at the funding time. */
  exitLevel: number;
  closeBySeconds: number;
}

/** Open iff s_0 is strictly beyond the threshold on its side (equivalently E[P] > 0). */
export function decideStrategy1(
  params: OuParams,
  s0: number,
  timeToFundingSeconds: number,
  cost: number,
  exitLevel: number = params.mu,
): Strategy1Decision {
  const thresholds = strategy1EntryThresholds(params, timeToFundingSeconds, cost);
  const { side, expectedProfitFraction } = strategy1ExpectedProfit(params, s0, timeToFundingSeconds, cost);
  const open = side === 'shortPerpLongSpot' ? s0 > thresholds.upper : s0 < thresholds.lower;
  return { open, side, expectedProfitFraction, thresholds, exitLevel, closeBySeconds: timeToFundingSeconds };
}

/**
 * The exit rule of an open position: close once s has come back to the exit level (crossed it, from the
 * side the position was opened on) or when the next funding is at most `fundingGuardSeconds` away.
 */
export function strategy1ShouldClose(
  side: PositionSide,
  s: number,
  exitLevel: number,
  timeToFundingSeconds: number,
  fundingGuardSeconds = 0,
): boolean {
  const reached = side === 'shortPerpLongSpot' ? s <= exitLevel : s >= exitLevel;
  return reached || timeToFundingSeconds <= fundingGuardSeconds;
}

/**
 * The seed's E[P] as written, "E[P] = S_open + E[S_close] - 4 Fee" with E[S_close] = mu + (S_open - mu) e^{-theta tau}.
 * Its sign of E[S_close] is wrong, so it differs from the corrected E[P] by 2 mu + 2 (s_0 - mu) e^{-theta tau}:
 * it disagrees even when mu = 0. Kept only for the comparison in the report.
 */
export function seedFormulaExpectedProfitAsWritten(params: OuParams, s0: number, timeToFundingSeconds: number, feeRate: number): number {
  const decay = Math.exp(-params.thetaPerSecond * timeToFundingSeconds);
  return s0 + params.mu + (s0 - params.mu) * decay - 4 * feeRate;
}

/**
 * The E[P] the seed's threshold solves: s_0 - mu - (s_0 + mu) e^{-theta tau} - 4 Fee (the gap to mu decays as
 * (s_0 + mu) instead of (s_0 - mu)). It differs from the corrected E[P] by -2 mu e^{-theta tau}: equal iff mu = 0.
 */
export function seedFormulaExpectedProfitImpliedByThreshold(params: OuParams, s0: number, timeToFundingSeconds: number, feeRate: number): number {
  const decay = Math.exp(-params.thetaPerSecond * timeToFundingSeconds);
  return s0 - params.mu - (s0 + params.mu) * decay - 4 * feeRate;
}

/**
 * The seed's entry threshold (mu (1 + e^{-theta tau}) + 4 Fee) / (1 - e^{-theta tau}). The corrected one is
 * mu + 4 Fee / (1 - e^{-theta tau}) = (mu (1 - e^{-theta tau}) + 4 Fee) / (1 - e^{-theta tau}); they differ by
 * 2 mu e^{-theta tau} / (1 - e^{-theta tau}), so they agree only when mu = 0. With the seed's mu = 0.13 (a
 * positive mean basis) the seed's threshold is far too high.
 */
export function seedFormulaEntryThreshold(params: OuParams, timeToFundingSeconds: number, feeRate: number): number {
  const decay = Math.exp(-params.thetaPerSecond * timeToFundingSeconds);
  return (params.mu * (1 + decay) + 4 * feeRate) / (1 - decay);
}
