import type { OuParams } from './ouParams.ts';

/**
 * Bertram (2010), "Analytic solutions for optimal statistical arbitrage trading", Physica A 389, 2234-2243.
 *
 * His process is dX = -alpha X dt + eta dW (mean 0); ours is the basis s = mu + X with alpha = theta,
 * eta = sigma. The rule: enter long when X = a, exit when X = m (a < m), then wait for X = a again; the
 * trade cycle T is a -> m -> a and each cycle earns r = m - a - c (c = round-trip cost, per unit notional).
 * On the basis, long X is long perp / short spot; the mirror (short perp at mu + |a|, cover at mu - m) has
 * the same numbers by symmetry. With symmetric bands a trader who also flips short at m earns twice per cycle.
 *
 * Dimensionless units: x~ = x sqrt(2 alpha) / eta (stationary sds), t~ = alpha t. Then
 *   E[T] = (pi / alpha) (erfi(m~ / sqrt 2) - erfi(a~ / sqrt 2)),
 *   V[T] = (w1(m~) - w1(a~) - w2(m~) + w2(a~)) / alpha^2,
 *   w1(z) = (1/2 sum_k Gamma(k/2) (sqrt2 z)^k / k!)^2 - (1/2 sum_k (-1)^k Gamma(k/2) (sqrt2 z)^k / k!)^2,
 *   w2(z) = sum_k Gamma(k - 1/2) Psi(k - 1/2) (sqrt2 z)^{2k-1} / (2k-1)!,  Psi(x) = psi(x) - psi(1),
 * the return per unit time has mean r / E[T] and variance r^2 V[T] / E[T]^3. Both optima have symmetric
 * bands a = -m (Bertram), so we search the half-width m~ only.
 */

/** erfi(x) = -i erf(ix) = (2/sqrt pi) sum x^{2n+1} / (n! (2n+1)); all terms share the sign of x (no cancellation). */
export function erfi(x: number): number {
  const x2 = x * x;
  let power = x; // x^{2n+1} / n!
  let sum = x;
  for (let n = 1; n < 1000; n++) {
    power *= x2 / n;
    const term = power / (2 * n + 1);
    sum += term;
    if (Math.abs(term) < 1e-17 * Math.abs(sum) && n > x2) break;
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

/**
 * w1(z) = E(z) O(z) with E, O the sums of the even and odd k terms of sum_k Gamma(k/2) y^k / k!, y = sqrt2 z
 * (since (1/2 (E + O))^2 - (1/2 (E - O))^2 = E O), which avoids the cancellation of the written form.
 */
export function bertramW1(z: number): number {
  const y = Math.SQRT2 * z;
  const y2 = y * y;
  // term_k = Gamma(k/2) y^k / k!; term_{k+2} = term_k * (k/2) y^2 / ((k+1)(k+2))
  let odd = Math.sqrt(Math.PI) * y; // k = 1
  let even = y2 / 2; // k = 2
  let sumOdd = odd;
  let sumEven = even;
  for (let k = 1; k < 4000; k += 2) {
    odd *= ((k / 2) * y2) / ((k + 1) * (k + 2));
    even *= (((k + 1) / 2) * y2) / ((k + 2) * (k + 3));
    sumOdd += odd;
    sumEven += even;
    if (k > y2 && Math.abs(odd) <= 1e-17 * Math.abs(sumOdd) && Math.abs(even) <= 1e-17 * Math.abs(sumEven)) break;
  }
  return sumEven * sumOdd;
}

/** w2(z) = sum_{k>=1} Gamma(k - 1/2) Psi(k - 1/2) y^{2k-1} / (2k-1)!, y = sqrt2 z; Psi(k - 1/2) = -2 ln 2 + sum_{j<k} 2/(2j-1). */
export function bertramW2(z: number): number {
  const y = Math.SQRT2 * z;
  const y2 = y * y;
  let g = Math.sqrt(Math.PI) * y; // Gamma(1/2) y / 1!
  let psi = -2 * Math.LN2;
  let sum = g * psi;
  for (let k = 1; k < 4000; k++) {
    g *= ((k - 0.5) * y2) / (2 * k * (2 * k + 1));
    psi += 2 / (2 * k - 1);
    const term = g * psi;
    sum += term;
    if (k > y2 && Math.abs(term) <= 1e-17 * Math.abs(sum)) break;
  }
  return sum;
}

function scaled(params: OuParams, level: number): number {
  return ((level - params.mu) * Math.sqrt(2 * params.thetaPerSecond)) / params.sigmaPerSqrtSecond;
}

/** E[T] of the cycle entry -> exit -> entry, seconds (entry < exit, levels of s). */
export function bertramExpectedTradeLengthSeconds(params: OuParams, entry: number, exit: number): number {
  const a = scaled(params, entry) / Math.SQRT2;
  const m = scaled(params, exit) / Math.SQRT2;
  return (Math.PI / params.thetaPerSecond) * (erfi(m) - erfi(a));
}

/** V[T] of the cycle, seconds^2. */
export function bertramTradeLengthVarianceSeconds2(params: OuParams, entry: number, exit: number): number {
  const a = scaled(params, entry);
  const m = scaled(params, exit);
  return (bertramW1(m) - bertramW1(a) - bertramW2(m) + bertramW2(a)) / params.thetaPerSecond ** 2;
}

export interface BertramMetrics {
  expectedTradeLengthSeconds: number;
  tradeLengthVarianceSeconds2: number;
  /** r = exit - entry - c per cycle. */
  returnPerTradeFraction: number;
  /** r / E[T]. */
  expectedReturnPerSecond: number;
  /** r^2 V[T] / E[T]^3. */
  returnVariancePerSecond: number;
  /** (r / E[T] - risk-free return per second) / sqrt(r^2 V[T] / E[T]^3), in 1/sqrt(second). */
  sharpePerSqrtSecond: number;
}

/** Risk-free return for the Sharpe ratio: a rate per second and/or a return per trade cycle. */
export interface RiskFreeReturn {
  perSecond?: number;
  perTrade?: number;
}

/**
 * The metrics of the rule (entry, exit) with round-trip cost c. The Sharpe ratio subtracts a risk-free
 * return per unit time, riskFree.perSecond + riskFree.perTrade / E[T]: per unit time is the dimensionally
 * natural reading; per trade (r* = r_f / E[T]) is how arbitragelab reads Bertram. With no risk-free return
 * the Sharpe ratio is sqrt(E[T] / V[T]), which does not depend on c and grows as the bands shrink to c/2:
 * the Sharpe optimum needs a positive risk-free return.
 */
export function bertramMetrics(params: OuParams, entry: number, exit: number, cost: number, riskFree: RiskFreeReturn = {}): BertramMetrics {
  if (!(exit > entry)) throw new Error(`exit (${exit}) must be above entry (${entry})`);
  const e = bertramExpectedTradeLengthSeconds(params, entry, exit);
  const v = bertramTradeLengthVarianceSeconds2(params, entry, exit);
  const r = exit - entry - cost;
  const variance = (r * r * v) / e ** 3;
  const riskFreePerSecond = (riskFree.perSecond ?? 0) + (riskFree.perTrade ?? 0) / e;
  return {
    expectedTradeLengthSeconds: e,
    tradeLengthVarianceSeconds2: v,
    returnPerTradeFraction: r,
    expectedReturnPerSecond: r / e,
    returnVariancePerSecond: variance,
    sharpePerSqrtSecond: (r / e - riskFreePerSecond) / Math.sqrt(variance),
  };
}

export type BertramObjective = 'expectedReturn' | 'sharpe';

export interface BertramBands {
  /** Long X (long perp / short spot) at entry = mu - halfWidth, exit at mu + halfWidth. */
  entry: number;
  exit: number;
  halfWidth: number;
  /** The half-width in stationary sds (Bertram's dimensionless units). */
  halfWidthSd: number;
  metrics: BertramMetrics;
}

/**
 * Symmetric bands mu -/+ h maximising the expected return per unit time or the Sharpe ratio. Search over
 * h~ in (c~/2, c~/2 + maxHalfWidthSd]: a 400-point scan, then golden-section refinement (to ~1e-10 sd)
 * in the bracket around the best scan point.
 */
export function bertramOptimalBands(
  params: OuParams,
  cost: number,
  objective: BertramObjective,
  options: { riskFree?: RiskFreeReturn; maxHalfWidthSd?: number } = {},
): BertramBands {
  if (!(cost >= 0)) throw new Error(`cost must be >= 0 (got ${cost})`);
  if (cost === 0 && objective === 'expectedReturn') {
    // Return per unit time grows without bound as the bands narrow: the optimum is to trade every tick.
    throw new Error('no optimum at zero cost: the bands collapse onto mu (give a positive fee rate)');
  }
  const sd = params.sigmaPerSqrtSecond / Math.sqrt(2 * params.thetaPerSecond);
  const rf = options.riskFree ?? {};
  const value = (hSd: number): number => {
    const m = bertramMetrics(params, params.mu - hSd * sd, params.mu + hSd * sd, cost, rf);
    return objective === 'expectedReturn' ? m.expectedReturnPerSecond : m.sharpePerSqrtSecond;
  };
  const low = cost / sd / 2;
  const high = low + (options.maxHalfWidthSd ?? 8);
  const hSd = maximise(value, low, high);
  const halfWidth = hSd * sd;
  return {
    entry: params.mu - halfWidth,
    exit: params.mu + halfWidth,
    halfWidth,
    halfWidthSd: hSd,
    metrics: bertramMetrics(params, params.mu - halfWidth, params.mu + halfWidth, cost, rf),
  };
}

/**
 * Bertram's first-order condition for the expected-return optimum with symmetric bands, dimensionless:
 * d/dm [(2m - c) / erfi(m / sqrt2)] = 0  <=>  2 erfi(m / sqrt2) - (2m - c) sqrt(2/pi) e^{m^2/2} = 0.
 */
export function bertramExpectedReturnFoc(halfWidthSd: number, costSd: number): number {
  const m = halfWidthSd;
  return 2 * erfi(m / Math.SQRT2) - (2 * m - costSd) * Math.sqrt(2 / Math.PI) * Math.exp((m * m) / 2);
}

const GOLDEN = (Math.sqrt(5) - 1) / 2;

function maximise(f: (x: number) => number, low: number, high: number): number {
  const points = 400;
  let bestIndex = 1;
  let bestValue = -Infinity;
  const step = (high - low) / points;
  for (let i = 1; i <= points; i++) {
    const y = f(low + i * step);
    if (y > bestValue) {
      bestValue = y;
      bestIndex = i;
    }
  }
  let a = low + Math.max(bestIndex - 1, 0) * step;
  let b = low + Math.min(bestIndex + 1, points) * step;
  let c = b - GOLDEN * (b - a);
  let d = a + GOLDEN * (b - a);
  let fc = f(c);
  let fd = f(d);
  while (b - a > 1e-10 * Math.max(1, Math.abs(a))) {
    if (fc > fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - GOLDEN * (b - a);
      fc = f(c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + GOLDEN * (b - a);
      fd = f(d);
    }
  }
  return (a + b) / 2;
}
