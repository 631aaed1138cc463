/**
 * Least-squares AR(1), s[t+1] = a + b s[t] + e, over a whole series in one pass.
 *
 * Numerics: every value is shifted by c, the mean of the first PILOT_POINTS values, before it is
 * squared, so a basis of ~1e-3 with a standard deviation of ~1e-7 does not lose its variance to
 * cancellation in sum(x^2) - sum(x)^2 / n. The sums run in blocks of BLOCK_PAIRS pairs with fresh
 * accumulators (rounding error grows like the block length plus n / BLOCK_PAIRS, instead of like n). Speed: the loop is
 * unrolled by two with separate accumulators so consecutive additions do not wait on each other;
 * sum(y) and sum(y^2) are not accumulated but derived from the x sums and the two end points.
 */

export type FitErrorCode = 'too-short' | 'not-finite' | 'constant' | 'no-mean-reversion';

/** A series that cannot be fitted; `code` says why, the message says where. */
export class FitError extends Error {
  readonly code: FitErrorCode;
  constructor(code: FitErrorCode, message: string) {
    super(message);
    this.name = 'FitError';
    this.code = code;
  }
}

export interface Ar1Fit {
  /** Number of (s[t], s[t+1]) pairs: values.length - 1. */
  n: number;
  a: number;
  b: number;
  /** Sum of squared residuals. */
  rss: number;
  /** Unbiased residual variance rss / (n - 2), the OLS scale behind the standard errors. */
  residualVariance: number;
  aStdError: number;
  bStdError: number;
  abCovariance: number;
  /** Mean of the regressor s[0..n-1]. */
  meanX: number;
  /** Mean of the response s[1..n]. */
  meanY: number;
  /** sum((x - meanX)^2): with residualVariance, gives the variance of b. */
  sxxCentred: number;
}

const PILOT_POINTS = 1024;
const BLOCK_PAIRS = 8192; // even: the loop takes two pairs per step

/** Sums of q = s - shift: [sum q[0..m-1], sum q^2 over the same, sum q[t] q[t+1] for t < m]. */
function centredSums(values: Float64Array, shift: number, out: Float64Array): void {
  const n = values.length;
  let sx = -0;
  let sxx = -0;
  let sxy = -0;
  let q0 = values[0] - shift;
  let i = 1;
  while (i < n) {
    // -0, not 0: V8 types a literal 0 as a small integer, compiles the loop for that first and
    // deoptimises (about 10x slower); -0 is a double and adds exactly.
    let sxA = -0;
    let sxxA = -0;
    let sxyA = -0;
    let sxB = -0;
    let sxxB = -0;
    let sxyB = -0;
    const pairEnd = Math.min(n - 1, i + BLOCK_PAIRS);
    for (; i < pairEnd; i += 2) {
      const q1 = values[i] - shift;
      const q2 = values[i + 1] - shift;
      sxA += q0;
      sxxA += q0 * q0;
      sxyA += q0 * q1;
      sxB += q1;
      sxxB += q1 * q1;
      sxyB += q1 * q2;
      q0 = q2;
    }
    if (i === n - 1) {
      // one pair left (an odd number of pairs in total)
      const q1 = values[i] - shift;
      sxA += q0;
      sxxA += q0 * q0;
      sxyA += q0 * q1;
      q0 = q1;
      i++;
    }
    sx += sxA + sxB;
    sxx += sxxA + sxxB;
    sxy += sxyA + sxyB;
  }
  out[0] = sx;
  out[1] = sxx;
  out[2] = sxy;
}

const scratch = new Float64Array(3);

/** Index of the first NaN or infinite value, or -1. */
export function firstNonFinite(values: Float64Array): number {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) return i;
  return -1;
}

export function fitAr1(values: Float64Array): Ar1Fit {
  const points = values.length;
  if (points < 4) throw new FitError('too-short', `AR(1) fit needs at least 4 points (got ${points})`);
  const pilot = Math.min(points, PILOT_POINTS);
  // values[0] plus the mean offset from it: exactly values[0] for a constant series, so q is exactly 0.
  let offset = 0;
  for (let i = 1; i < pilot; i++) offset += values[i] - values[0];
  const shift = values[0] + offset / pilot;
  centredSums(values, shift, scratch);
  const sx = scratch[0];
  const sxx = scratch[1];
  const sxy = scratch[2];
  // Non-finite inputs poison the sums; look for them only then, to keep the loop free of checks.
  if (!Number.isFinite(sx + sxx + sxy) || !Number.isFinite(shift)) {
    const bad = firstNonFinite(values);
    if (bad >= 0) throw new FitError('not-finite', `value at index ${bad} is ${values[bad]}`);
    throw new FitError('not-finite', 'values are too large: their sums of squares overflow');
  }
  const pairs = points - 1;
  const qFirst = values[0] - shift;
  const qLast = values[pairs] - shift;
  return ar1FromSums({
    pairs,
    shift,
    sx,
    sy: sx - qFirst + qLast,
    sxx,
    syy: sxx - qFirst * qFirst + qLast * qLast,
    sxy,
  });
}

/** Sums over regressed pairs (x, y) = (s[t], s[t+1]) of q = s - shift. */
export interface PairSums {
  pairs: number;
  shift: number;
  sx: number;
  sy: number;
  sxx: number;
  syy: number;
  sxy: number;
}

/** The least-squares AR(1) from pair sums (any subset of pairs: see volatilityRegimes). */
export function ar1FromSums(sums: PairSums): Ar1Fit {
  const { pairs: n, shift } = sums;
  if (n < 3) throw new FitError('too-short', `AR(1) fit needs at least 3 pairs (got ${n})`);
  const meanQx = sums.sx / n;
  const meanQy = sums.sy / n;
  const sxx = sums.sxx - sums.sx * meanQx;
  const syy = sums.syy - sums.sy * meanQy;
  const sxy = sums.sxy - sums.sx * meanQy;
  if (!(sxx > 0)) {
    const what = syy > 0 ? 'all regressor values (all but the last) are equal' : 'the series is constant';
    throw new FitError('constant', `${what} (${meanQx + shift}): nothing to regress`);
  }
  const b = sxy / sxx;
  // a in the shifted coordinates is meanQy - b meanQx; shifting back adds shift (1 - b).
  const a = meanQy - b * meanQx + shift * (1 - b);
  const rss = Math.max(0, syy - b * sxy);
  const residualVariance = rss / (n - 2);
  const meanX = meanQx + shift;
  const bVariance = residualVariance / sxx;
  return {
    n,
    a,
    b,
    rss,
    residualVariance,
    aStdError: Math.sqrt(residualVariance / n + meanX * meanX * bVariance),
    bStdError: Math.sqrt(bVariance),
    abCovariance: -meanX * bVariance,
    meanX,
    meanY: meanQy + shift,
    sxxCentred: sxx,
  };
}
