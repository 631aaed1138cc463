import { normalCdf } from './normal.ts';

/**
 * The seed's approach to p_k (section 2.2.3), kept for comparison with the OU first passage: measure on a
 * historical basis series the times from each excursion beyond a band until the series first returns to
 * mu, fit a normal N(mean, sd) to those times, and read p_k off that normal.
 *
 * Caveats the comparison should show: the times are positive and right-skewed (for OU the first passage
 * has an exponential tail), so a normal puts mass below 0 and too little in the tail; the seed's p_1 =
 * Phi((tau_f - mean)/sd) even counts the mass at negative times. Sampling every dt also misses crossings
 * between samples, which lengthens the measured times by O(sqrt(dt)) relative to the continuous process.
 */

/** Which excursions start a measurement. */
export type ExcursionBand =
  /** |s - mu| > k * stationarySd, on either side; stationarySd defaults to the sample sd of the series. */
  | { kind: 'kSigma'; k: number; stationarySd?: number }
  /** s beyond an entry level on its side of mu (above it if entryLevel > mu, below it if entryLevel < mu). */
  | { kind: 'entryLevel'; entryLevel: number };

export interface ReversionTimes {
  /** Time from the first sample beyond the band to the first sample at or across mu, seconds, in order. */
  timesSeconds: Float64Array;
  /** Sample index where each measured excursion started. */
  startIndices: Int32Array;
  /** Excursions still open at the end of the series (left out of timesSeconds: right-censored). */
  censored: number;
  /** The band half-width used, |entry - mu| (fraction). */
  bandHalfWidth: number;
}

export function measureReversionTimes(series: Float64Array, dtSeconds: number, mu: number, band: ExcursionBand): ReversionTimes {
  if (!(dtSeconds > 0)) throw new Error(`dtSeconds must be > 0 (got ${dtSeconds})`);
  for (let i = 0; i < series.length; i++) {
    if (!Number.isFinite(series[i])) throw new Error(`series[${i}] is not finite (${series[i]})`);
  }
  let halfWidth: number;
  let sides: -1 | 0 | 1; // 0: both sides
  if (band.kind === 'kSigma') {
    if (!(band.k >= 0)) throw new Error(`k must be >= 0 (got ${band.k})`);
    halfWidth = band.k * (band.stationarySd ?? sampleSd(series));
    sides = 0;
  } else {
    halfWidth = Math.abs(band.entryLevel - mu);
    sides = band.entryLevel >= mu ? 1 : -1;
  }
  const times: number[] = [];
  const starts: number[] = [];
  let start = -1;
  let startSign = 0;
  for (let i = 0; i < series.length; i++) {
    const x = series[i] - mu;
    if (start < 0) {
      const sign = Math.sign(x);
      if (Math.abs(x) > halfWidth && sign !== 0 && (sides === 0 || sign === sides)) {
        start = i;
        startSign = sign;
      }
    } else if (startSign * x <= 0) {
      times.push((i - start) * dtSeconds);
      starts.push(start);
      start = -1;
    }
  }
  return {
    timesSeconds: Float64Array.from(times),
    startIndices: Int32Array.from(starts),
    censored: start >= 0 ? 1 : 0,
    bandHalfWidth: halfWidth,
  };
}

export interface NormalFit {
  meanSeconds: number;
  /** Sample standard deviation (n - 1). */
  sdSeconds: number;
  count: number;
}

export function fitNormalToTimes(timesSeconds: ArrayLike<number>): NormalFit {
  const n = timesSeconds.length;
  if (n < 2) throw new Error(`need at least 2 reversion times to fit a normal (got ${n})`);
  let mean = 0;
  for (let i = 0; i < n; i++) mean += timesSeconds[i];
  mean /= n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (timesSeconds[i] - mean) ** 2;
  return { meanSeconds: mean, sdSeconds: Math.sqrt(ss / (n - 1)), count: n };
}

/**
 * The seed's p_k: p_1 = Phi((tau_f - m)/sd), p_k = Phi((tau_f + (k-1) dT - m)/sd) - Phi((tau_f + (k-2) dT - m)/sd)
 * (the seed's "T_F - t" and "2 T_F - t" are tau_f and tau_f + dT). remainder = 1 - Phi((tau_f + (N-1) dT - m)/sd).
 */
export function normalCloseProbabilitiesByWindow(
  fit: Pick<NormalFit, 'meanSeconds' | 'sdSeconds'>,
  timeToFundingSeconds: number,
  fundingIntervalSeconds: number,
  windows: number,
): { probabilities: Float64Array; remainder: number } {
  return fromCdf((t) => normalCdf((t - fit.meanSeconds) / fit.sdSeconds), timeToFundingSeconds, fundingIntervalSeconds, windows);
}

/** The same windows from the empirical distribution of the measured times (no normal assumption). */
export function empiricalCloseProbabilitiesByWindow(
  timesSeconds: ArrayLike<number>,
  timeToFundingSeconds: number,
  fundingIntervalSeconds: number,
  windows: number,
): { probabilities: Float64Array; remainder: number } {
  const sorted = Float64Array.from(timesSeconds).sort();
  if (sorted.length === 0) throw new Error('no reversion times');
  const cdf = (t: number) => upperBound(sorted, t) / sorted.length;
  return fromCdf(cdf, timeToFundingSeconds, fundingIntervalSeconds, windows);
}

function fromCdf(
  cdf: (t: number) => number,
  timeToFundingSeconds: number,
  fundingIntervalSeconds: number,
  windows: number,
): { probabilities: Float64Array; remainder: number } {
  if (!Number.isInteger(windows) || windows < 1) throw new Error(`windows must be an integer >= 1 (got ${windows})`);
  const probabilities = new Float64Array(windows);
  let previous = 0;
  for (let k = 1; k <= windows; k++) {
    const current = cdf(timeToFundingSeconds + (k - 1) * fundingIntervalSeconds);
    probabilities[k - 1] = current - previous;
    previous = current;
  }
  return { probabilities, remainder: 1 - previous };
}

/** Number of elements <= t in a sorted array. */
function upperBound(sorted: Float64Array, t: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function sampleSd(series: Float64Array): number {
  const n = series.length;
  if (n < 2) throw new Error('need at least 2 points for a sample sd');
  let mean = 0;
  for (let i = 0; i < n; i++) mean += series[i];
  mean /= n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (series[i] - mean) ** 2;
  return Math.sqrt(ss / (n - 1));
}
