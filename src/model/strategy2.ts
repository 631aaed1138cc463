import { closeProbabilitiesByWindow, type FirstPassageGrid, type WindowCloseProbabilities } from './firstPassage.ts';
import type { OuParams } from './ouParams.ts';
import { sideSign, type PositionSide } from './strategy1.ts';

/**
 * Strategy 2 (seed 004 section 2.2, corrected): hold across funding windows until s first reaches the exit
 * level. Window k is (tau_f + (k-2) dT, tau_f + (k-1) dT] (window 1 = [0, tau_f]); closing in window k
 * crosses k - 1 funding settlements. Per unit notional, for the side that gains from convergence
 * (d = +1 short perp / long spot when s_0 > exit, d = -1 long perp / short spot when s_0 < exit):
 *   E[P]_k = d (s_0 - exit) - c + d * sum_{j=1}^{k-1} rate_j,      E[P] = sum_k p_k E[P]_k,
 * since the close happens exactly at the exit level. Funding sign (DESIGN.md): payment to the holder is
 * -qty * markPrice * rate, so a short perp (qty < 0) RECEIVES +rate per unit notional per settlement and a
 * long perp pays it. The seed writes "- (k-1) E[Funding]_k" for the short perp, i.e. it subtracts as a cost
 * the funding a short perp receives when the rate is positive; it also uses S_open instead of S_open - mu.
 * Funding is valued on the entry notional (the mark price drift over the hold is second order).
 */

export interface Strategy2Input {
  params: OuParams;
  s0: number;
  /** Close when s reaches this level. Default mu. */
  exitLevel?: number;
  /** Round-trip cost c per unit notional (strategy1.roundTripCost). */
  cost: number;
  /**
   * Expected funding rate of each settlement, fraction per interval, positive = longs pay shorts.
   * A number is used for every settlement; an array gives settlement j at index j - 1 and its last
   * value is repeated beyond its end.
   */
  fundingRatePerInterval: number | readonly number[];
  fundingIntervalSeconds: number;
  timeToFundingSeconds: number;
  /** Stop summing once p_k |E[P]_k| and the tail probability times |E[P]_{k+1}| are both below it. Default 1e-12. */
  tolerance?: number;
  /** Most windows summed. Default 10_000. */
  maxWindows?: number;
  /** p_k model; default the OU first passage to the exit level (firstPassage.closeProbabilitiesByWindow). */
  closeModel?: CloseProbabilityModel;
  grid?: FirstPassageGrid;
}

/** Probabilities of closing in windows 1..N and the probability of not closing within them. */
export type CloseProbabilityModel = (windows: number) => { probabilities: ArrayLike<number>; remainder: number };

export interface Strategy2Window {
  /** Window number, from 1. */
  k: number;
  probability: number;
  /** Funding received (+) or paid (-) over the k - 1 settlements crossed, per unit notional. */
  fundingFraction: number;
  /** E[P]_k: the profit if the position closes in this window. */
  expectedProfitIfClosedFraction: number;
}

export interface Strategy2Result {
  side: PositionSide;
  /** sum over the windows used of p_k E[P]_k (the tail is left out; see tailProbability). */
  expectedProfitFraction: number;
  termsUsed: number;
  /** P(not closed within termsUsed windows). */
  tailProbability: number;
  /** False if maxWindows was reached before the tolerance was met. */
  converged: boolean;
  windows: Strategy2Window[];
}

export function strategy2ExpectedProfit(input: Strategy2Input): Strategy2Result {
  return evaluate(input).result;
}

/** Cumulative signed funding for 0..n settlements: index j = funding received over the first j. */
export function cumulativeFunding(side: PositionSide, fundingRatePerInterval: number | readonly number[], n: number): Float64Array {
  const out = new Float64Array(n + 1);
  const sign = sideSign(side);
  for (let j = 1; j <= n; j++) out[j] = out[j - 1] + sign * fundingRate(fundingRatePerInterval, j);
  return out;
}

function fundingRate(rates: number | readonly number[], settlement: number): number {
  if (typeof rates === 'number') return rates;
  if (rates.length === 0) throw new Error('fundingRatePerInterval: empty array');
  return rates[Math.min(settlement, rates.length) - 1];
}

interface Evaluation {
  result: Strategy2Result;
  /** The OU window probabilities (with the gaps needed for commit values) when the default model was used. */
  ou?: WindowCloseProbabilities;
  exitLevel: number;
}

function evaluate(input: Strategy2Input): Evaluation {
  const { params, s0, cost, fundingIntervalSeconds, timeToFundingSeconds } = input;
  const exitLevel = input.exitLevel ?? params.mu;
  const tolerance = input.tolerance ?? 1e-12;
  const maxWindows = input.maxWindows ?? 10_000;
  if (!(cost >= 0)) throw new Error(`cost must be >= 0 (got ${cost})`);
  const side: PositionSide = s0 >= exitLevel ? 'shortPerpLongSpot' : 'longPerpShortSpot';
  const gain = sideSign(side) * (s0 - exitLevel);
  for (let windows = Math.min(16, maxWindows); ; windows = Math.min(2 * windows, maxWindows)) {
    let ou: WindowCloseProbabilities | undefined;
    const model =
      input.closeModel ??
      ((n: number) => (ou = closeProbabilitiesByWindow(params, s0, exitLevel, timeToFundingSeconds, fundingIntervalSeconds, n, { grid: input.grid })));
    const { probabilities } = model(windows);
    const funding = cumulativeFunding(side, input.fundingRatePerInterval, windows);
    const rows: Strategy2Window[] = [];
    let sum = 0;
    let cumulative = 0;
    for (let k = 1; k <= windows; k++) {
      const p = probabilities[k - 1];
      const profit = gain - cost + funding[k - 1];
      sum += p * profit;
      cumulative += p;
      rows.push({ k, probability: p, fundingFraction: funding[k - 1], expectedProfitIfClosedFraction: profit });
      const tail = Math.max(0, 1 - cumulative);
      const nextProfit = Math.abs(gain - cost + funding[k]);
      if (Math.abs(p * profit) < tolerance && tail * Math.max(nextProfit, Math.abs(profit)) < tolerance) {
        return { result: { side, expectedProfitFraction: sum, termsUsed: k, tailProbability: tail, converged: true, windows: rows }, ou, exitLevel };
      }
    }
    if (windows === maxWindows) {
      const tail = Math.max(0, 1 - cumulative);
      return { result: { side, expectedProfitFraction: sum, termsUsed: windows, tailProbability: tail, converged: false, windows: rows }, ou, exitLevel };
    }
  }
}

export interface Strategy2Decision {
  open: boolean;
  side: PositionSide;
  /** Hold until the exit level, however long: E[P] of strategy2ExpectedProfit. */
  expectedProfitHoldToExitFraction: number;
  /** The K maximising commitValueFraction[K - 1]. */
  bestCloseByWindow: number;
  bestCommitValueFraction: number;
  /** V_K for K = 1..termsUsed (index K - 1); see decideStrategy2. */
  commitValueFraction: Float64Array;
  termsUsed: number;
  tailProbability: number;
}

/**
 * Whether to open, on which side, and by which window to close.
 *
 * "Commit to close by window K" means: close at the first time s reaches the exit level b if that happens
 * by t_K = tau_f + (K-1) dT (the end of window K, just before the K-th settlement), otherwise close at
 * t_K at the spread s_{t_K} then prevailing. Its expected profit per unit notional is
 *   V_K = d [(s_0 - b) - E[(s_{t_K} - b) 1{T > t_K}]] + sum_{k<=K} p_k F_{k-1} + q_K F_{K-1} - c,
 * with F_j the signed funding of j settlements and q_K = P(T > t_K). (Closing at b when T <= t_K and at
 * s_{t_K} otherwise gives d(s_0 - b)(1 - q_K) + d E[(s_0 - s_{t_K}) 1{T > t_K}], which simplifies to the
 * first term.) For b = mu the first term is d (s_0 - mu)(1 - e^{-theta t_K}), so V_1 is strategy 1's E[P].
 * As K grows V_K tends to the hold-to-exit E[P]. Open iff max_K V_K > minExpectedProfitFraction (default 0).
 * Uses the OU first-passage model (closed form for b = mu, numerical otherwise).
 */
export function decideStrategy2(
  input: Omit<Strategy2Input, 'closeModel'> & { minExpectedProfitFraction?: number },
): Strategy2Decision {
  const { result, ou, exitLevel } = evaluate(input);
  if (!ou) throw new Error('decideStrategy2 needs the OU close model');
  const { s0, cost } = input;
  const d = sideSign(result.side);
  const n = result.termsUsed;
  const funding = cumulativeFunding(result.side, input.fundingRatePerInterval, n);
  const values = new Float64Array(n);
  let best = 0;
  let fundingIfClosed = 0;
  let cumulative = 0;
  for (let k = 1; k <= n; k++) {
    const p = ou.probabilities[k - 1];
    fundingIfClosed += p * funding[k - 1];
    cumulative += p;
    const tail = Math.max(0, 1 - cumulative);
    const convergence = d * (s0 - exitLevel - ou.expectedGapIfNotReached[k - 1]);
    values[k - 1] = convergence + fundingIfClosed + tail * funding[k - 1] - cost;
    if (values[k - 1] > values[best]) best = k - 1;
  }
  return {
    open: values[best] > (input.minExpectedProfitFraction ?? 0),
    side: result.side,
    expectedProfitHoldToExitFraction: result.expectedProfitFraction,
    bestCloseByWindow: best + 1,
    bestCommitValueFraction: values[best],
    commitValueFraction: values,
    termsUsed: n,
    tailProbability: result.tailProbability,
  };
}
