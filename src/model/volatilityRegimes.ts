/**
 * Low and high volatility regimes of a series, each with its own OU fit.
 *
 * The volatility at point t is the standard deviation of the last `windowPoints` increments
 * s[k] - s[k-1], k in (t - windowPoints, t]: known at t, no look-ahead. A point is 'high' when that is
 * above a threshold, by default the median over the series: it splits the labelled time in two equal
 * halves whatever the distribution of volatility, and one outburst cannot move it (the mean would).
 * The median itself is a whole-sample statistic; for a tradeable split pass `thresholdStd` fixed in advance.
 *
 * Each regime's OU fit regresses only the pairs (s[t], s[t+1]) whose t carries its label, so no pair
 * straddles the gap between two stretches of the same regime.
 */
import { type PairSums, FitError, ar1FromSums, firstNonFinite } from './ar1.ts';
import { MIN_FIT_POINTS, type OuFit, ouFromAr1 } from './ouFit.ts';

export const REGIME_LOW = 0;
export const REGIME_HIGH = 1;
export const REGIME_UNKNOWN = 255;

export interface VolatilityRegimeOptions {
  /** Increments in the trailing volatility window. */
  windowPoints: number;
  /** Quantile of the rolling volatility used as threshold when thresholdStd is not given. Default 0.5. */
  thresholdQuantile?: number;
  /** Fixed threshold on the rolling standard deviation of increments. */
  thresholdStd?: number;
}

export interface RegimeFit {
  /** Pairs (s[t], s[t+1]) regressed. */
  pairs: number;
  /** Share of the labelled points. */
  fraction: number;
  /** null when the regime's pairs cannot be fitted; `error` says why. */
  fit: OuFit | null;
  error: string | null;
}

export interface VolatilityRegimes {
  /** REGIME_LOW, REGIME_HIGH, or REGIME_UNKNOWN for the first windowPoints points. */
  labels: Uint8Array;
  /** Rolling standard deviation of increments; NaN where unknown. */
  rollingStd: Float64Array;
  thresholdStd: number;
  low: RegimeFit;
  high: RegimeFit;
}

export function rollingIncrementStd(values: Float64Array, windowPoints: number): Float64Array {
  const out = new Float64Array(values.length).fill(Number.NaN);
  let sum = 0;
  let sumSquares = 0;
  for (let k = 1; k < values.length; k++) {
    const d = values[k] - values[k - 1];
    sum += d;
    sumSquares += d * d;
    if (k > windowPoints) {
      const old = values[k - windowPoints] - values[k - windowPoints - 1];
      sum -= old;
      sumSquares -= old * old;
    }
    if (k >= windowPoints) {
      const mean = sum / windowPoints;
      out[k] = Math.sqrt(Math.max(0, sumSquares / windowPoints - mean * mean));
    }
  }
  return out;
}

export function volatilityRegimes(values: Float64Array, dtSeconds: number, options: VolatilityRegimeOptions): VolatilityRegimes {
  const { windowPoints } = options;
  if (!Number.isInteger(windowPoints) || windowPoints < 2) throw new RangeError(`windowPoints must be an integer >= 2 (got ${windowPoints})`);
  if (values.length < windowPoints + MIN_FIT_POINTS) {
    throw new FitError('too-short', `regimes need at least windowPoints + ${MIN_FIT_POINTS} = ${windowPoints + MIN_FIT_POINTS} points (got ${values.length})`);
  }
  const bad = firstNonFinite(values);
  if (bad >= 0) throw new FitError('not-finite', `value at index ${bad} is ${values[bad]}`);
  const rollingStd = rollingIncrementStd(values, windowPoints);
  const thresholdStd = options.thresholdStd ?? quantile(rollingStd.subarray(windowPoints), options.thresholdQuantile ?? 0.5);
  const labels = new Uint8Array(values.length).fill(REGIME_UNKNOWN);
  for (let t = windowPoints; t < values.length; t++) labels[t] = rollingStd[t] > thresholdStd ? REGIME_HIGH : REGIME_LOW;
  const labelled = values.length - windowPoints;
  return {
    labels,
    rollingStd,
    thresholdStd,
    low: fitRegime(values, labels, REGIME_LOW, dtSeconds, labelled),
    high: fitRegime(values, labels, REGIME_HIGH, dtSeconds, labelled),
  };
}

function fitRegime(values: Float64Array, labels: Uint8Array, label: number, dtSeconds: number, labelled: number): RegimeFit {
  let shift = Number.NaN;
  let count = 0;
  let pairs = 0;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (let t = 0; t < values.length; t++) {
    if (labels[t] !== label) continue;
    count++;
    if (t + 1 >= values.length) continue;
    if (Number.isNaN(shift)) shift = values[t];
    const x = values[t] - shift;
    const y = values[t + 1] - shift;
    pairs++;
    sx += x;
    sy += y;
    sxx += x * x;
    syy += y * y;
    sxy += x * y;
  }
  const base = { pairs, fraction: count / labelled };
  if (pairs + 1 < MIN_FIT_POINTS) return { ...base, fit: null, error: `only ${pairs} pairs (need ${MIN_FIT_POINTS - 1})` };
  try {
    const sums: PairSums = { pairs, shift, sx, sy, sxx, syy, sxy };
    return { ...base, fit: ouFromAr1(ar1FromSums(sums), dtSeconds), error: null };
  } catch (error) {
    if (error instanceof FitError) return { ...base, fit: null, error: error.message };
    throw error;
  }
}

function quantile(values: Float64Array, q: number): number {
  if (!(q > 0 && q < 1)) throw new RangeError(`thresholdQuantile must be in (0, 1) (got ${q})`);
  const sorted = Float64Array.from(values).sort();
  const position = q * (sorted.length - 1);
  const below = Math.floor(position);
  const above = Math.min(sorted.length - 1, below + 1);
  return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
}
