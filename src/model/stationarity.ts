/**
 * Is the basis mean-reverting? Three views (DESIGN.md, "The spread model"): the augmented
 * Dickey-Fuller test, the Lo-MacKinlay variance ratio and a Hurst exponent, and a verdict combining them.
 */
import { FitError, firstNonFinite } from './ar1.ts';
import { normalCdf, normalSf } from './normal.ts';

// ---------------------------------------------------------------------------------------------
// MacKinnon response surfaces, regression with a constant, one series (N = 1).
//
// p-values: J. G. MacKinnon (1994), "Approximate asymptotic distribution functions for unit-root and
// cointegration tests", Journal of Business and Economic Statistics 12(2), 167-176: p = Phi(poly(tau)),
// a quadratic in tau below tau* and a cubic above it, clamped outside [tau_min, tau_max]. Coefficients
// as tabulated there (and in statsmodels' tsa/adfvalues.py, scaling applied).
// Critical values: J. G. MacKinnon (2010), "Critical values for cointegration tests", Queen's
// Economics Department Working Paper 1227, Table 2 (tau_c, N = 1): c(T) = b0 + b1/T + b2/T^2 + b3/T^3.
// ---------------------------------------------------------------------------------------------
const TAU_STAR_C = -1.61;
const TAU_MIN_C = -18.83;
const TAU_MAX_C = 2.74;
const SMALL_P_C = [2.1659, 1.4412, 0.038269];
const LARGE_P_C = [1.7339, 0.93202, -0.12745, -0.010368];
const CRITICAL_C: Record<'1%' | '5%' | '10%', number[]> = {
  '1%': [-3.43035, -6.5393, -16.786, -79.433],
  '5%': [-2.86154, -2.8903, -4.234, -40.04],
  '10%': [-2.56677, -1.5384, -2.809, 0],
};

function polynomial(coefficients: number[], x: number): number {
  let value = 0;
  for (let i = coefficients.length - 1; i >= 0; i--) value = value * x + coefficients[i];
  return value;
}

/** MacKinnon (1994) approximate asymptotic p-value of an ADF tau statistic (constant, no trend). */
export function mackinnonPValue(tau: number): number {
  if (Number.isNaN(tau)) return Number.NaN;
  if (tau > TAU_MAX_C) return 1;
  if (tau < TAU_MIN_C) return 0;
  return normalCdf(polynomial(tau <= TAU_STAR_C ? SMALL_P_C : LARGE_P_C, tau));
}

export interface CriticalValues {
  '1%': number;
  '5%': number;
  '10%': number;
}

/** MacKinnon (2010) finite-sample critical values of tau for a regression on `observations` rows. */
export function mackinnonCriticalValues(observations: number): CriticalValues {
  const at = (c: number[]) => c[0] + c[1] / observations + c[2] / observations ** 2 + c[3] / observations ** 3;
  return { '1%': at(CRITICAL_C['1%']), '5%': at(CRITICAL_C['5%']), '10%': at(CRITICAL_C['10%']) };
}

// ---------------------------------------------------------------------------------------------
// Augmented Dickey-Fuller: d[t] = alpha + gamma y[t-1] + sum_{j=1..p} delta_j d[t-j] + e[t].
// ---------------------------------------------------------------------------------------------

export interface AdfOptions {
  /** Fixed lag order p. Without it, p minimises AIC over 0..maxLag (all on the same sample). */
  lag?: number;
  /** Largest lag tried. Default ceil(12 (n/100)^(1/4)) (Schwert), as statsmodels. Cost O(n maxLag). */
  maxLag?: number;
}

export interface AdfResult {
  /** The tau statistic, gamma / se(gamma). */
  statistic: number;
  pValue: number;
  /** Coefficient of y[t-1] (b - 1 of an AR(1)). */
  gamma: number;
  usedLag: number;
  lagSelection: 'aic' | 'fixed';
  /** Rows of the final regression. */
  observations: number;
  criticalValues: CriticalValues;
}

export function defaultAdfMaxLag(points: number): number {
  return Math.max(0, Math.min(Math.floor(points / 2) - 2, Math.ceil(12 * Math.pow(points / 100, 0.25))));
}

/**
 * Centred cross-product matrix of the ADF regression over rows t0..N-1, columns in `order`: 'y' is
 * y[t-1], j >= 1 is d[t-j] and 0 is the response d[t]. Returns K x K row-major.
 */
function adfGram(y: Float64Array, d: Float64Array, shift: number, lags: number, t0: number, order: ('y' | number)[]): Float64Array {
  const points = y.length;
  const rows = points - t0;
  const sumL = new Float64Array(lags + 1);
  for (let j = 0; j <= lags; j++) sumL[j] = y[points - 1 - j] - y[t0 - 1 - j]; // telescoping sum of d
  let sumY = 0;
  let yy = 0;
  for (let t = t0; t < points; t++) {
    const level = y[t - 1] - shift;
    sumY += level;
    yy += level * level;
  }
  const yl = new Float64Array(lags + 1);
  for (let j = 0; j <= lags; j++) {
    let s = 0;
    for (let t = t0; t < points; t++) s += (y[t - 1] - shift) * d[t - j];
    yl[j] = s;
  }
  // ll[i][i+h]: sum d[t-i] d[t-i-h]; row i+1 follows from row i by moving the window one step back.
  const width = lags + 1;
  const ll = new Float64Array(width * width);
  for (let h = 0; h <= lags; h++) {
    let s = 0;
    for (let t = t0; t < points; t++) s += d[t] * d[t - h];
    ll[h] = s;
  }
  for (let i = 0; i < lags; i++) {
    for (let h = 0; i + 1 + h <= lags; h++) {
      const j = i + h;
      ll[(i + 1) * width + j + 1] = ll[i * width + j] + d[t0 - 1 - i] * d[t0 - 1 - j] - d[points - 1 - i] * d[points - 1 - j];
    }
  }
  const k = order.length;
  const gram = new Float64Array(k * k);
  const sumOf = (c: 'y' | number) => (c === 'y' ? sumY : sumL[c]);
  for (let u = 0; u < k; u++) {
    for (let v = u; v < k; v++) {
      const cu = order[u];
      const cv = order[v];
      let raw: number;
      if (cu === 'y' && cv === 'y') raw = yy;
      else if (cu === 'y') raw = yl[cv as number];
      else if (cv === 'y') raw = yl[cu];
      else raw = ll[Math.min(cu, cv as number) * width + Math.max(cu, cv as number)];
      gram[u * k + v] = gram[v * k + u] = raw - (sumOf(cu) * sumOf(cv)) / rows;
    }
  }
  return gram;
}

/** Upper Cholesky factor R of G = R'R, row-major; throws if G is singular. */
function choleskyUpper(gram: Float64Array, k: number): Float64Array {
  const r = new Float64Array(k * k);
  for (let i = 0; i < k; i++) {
    let diagonal = gram[i * k + i];
    for (let m = 0; m < i; m++) diagonal -= r[m * k + i] * r[m * k + i];
    if (!(diagonal > 1e-13 * gram[i * k + i]) || !(diagonal > 0)) {
      throw new FitError('constant', 'ADF regressors are collinear: the series or its increments are constant');
    }
    const rii = Math.sqrt(diagonal);
    r[i * k + i] = rii;
    for (let j = i + 1; j < k; j++) {
      let s = gram[i * k + j];
      for (let m = 0; m < i; m++) s -= r[m * k + i] * r[m * k + j];
      r[i * k + j] = s / rii;
    }
  }
  return r;
}

export function adfTest(values: Float64Array, options: AdfOptions = {}): AdfResult {
  const points = values.length;
  if (points < 10) throw new FitError('too-short', `ADF test needs at least 10 points (got ${points})`);
  const bad = firstNonFinite(values);
  if (bad >= 0) throw new FitError('not-finite', `value at index ${bad} is ${values[bad]}`);
  const limit = Math.floor(points / 2) - 2;
  const checkLag = (name: string, lag: number) => {
    if (!Number.isInteger(lag) || lag < 0 || lag > limit) throw new RangeError(`${name} must be an integer in [0, ${limit}] (got ${lag})`);
  };
  const d = new Float64Array(points);
  let shift = 0;
  for (let t = 1; t < points; t++) d[t] = values[t] - values[t - 1];
  for (let t = 0; t < points; t++) shift += values[t];
  shift /= points;

  let usedLag: number;
  let lagSelection: 'aic' | 'fixed';
  if (options.lag !== undefined) {
    checkLag('lag', options.lag);
    usedLag = options.lag;
    lagSelection = 'fixed';
  } else {
    const maxLag = options.maxLag ?? defaultAdfMaxLag(points);
    checkLag('maxLag', maxLag);
    usedLag = selectLagByAic(values, d, shift, maxLag);
    lagSelection = 'aic';
  }

  const t0 = usedLag + 1;
  const rows = points - t0;
  const order: ('y' | number)[] = [];
  for (let j = 1; j <= usedLag; j++) order.push(j);
  order.push('y', 0);
  const k = order.length;
  const r = choleskyUpper(adfGram(values, d, shift, usedLag, t0, order), k);
  const yAt = k - 2;
  const residualVariance = (r[(k - 1) * k + (k - 1)] ** 2) / (rows - (usedLag + 2));
  const gamma = r[yAt * k + (k - 1)] / r[yAt * k + yAt];
  const statistic = r[yAt * k + (k - 1)] / Math.sqrt(residualVariance);
  return {
    statistic,
    pValue: mackinnonPValue(statistic),
    gamma,
    usedLag,
    lagSelection,
    observations: rows,
    criticalValues: mackinnonCriticalValues(rows),
  };
}

/** AIC over lags 0..maxLag on the common sample t >= maxLag + 1; one Cholesky gives every nested model. */
function selectLagByAic(values: Float64Array, d: Float64Array, shift: number, maxLag: number): number {
  const t0 = maxLag + 1;
  const rows = values.length - t0;
  const order: ('y' | number)[] = ['y'];
  for (let j = 1; j <= maxLag; j++) order.push(j);
  order.push(0);
  const k = order.length;
  const r = choleskyUpper(adfGram(values, d, shift, maxLag, t0, order), k);
  // With columns [y, d1..dp, response], the rss of the model on the first 1 + p columns is the
  // response's squared Cholesky entries from row 1 + p down.
  let rss = r[(k - 1) * k + (k - 1)] ** 2;
  let best = maxLag;
  let bestAic = Number.POSITIVE_INFINITY;
  for (let p = maxLag; p >= 0; p--) {
    if (p < maxLag) rss += r[(p + 1) * k + (k - 1)] ** 2;
    const aic = rows * Math.log(rss / rows) + 2 * (p + 2);
    if (aic <= bestAic) {
      bestAic = aic;
      best = p; // `<=` walking down: ties go to the smaller lag
    }
  }
  return best;
}

// ---------------------------------------------------------------------------------------------
// Lo-MacKinlay variance ratio (A. W. Lo and A. C. MacKinlay (1988), "Stock market prices do not follow
// random walks", Review of Financial Studies 1(1), 41-66): overlapping q-step increments, bias-corrected
// variances, heteroskedasticity-robust z*.
// ---------------------------------------------------------------------------------------------

export interface VarianceRatioResult {
  q: number;
  /** Var(q-step change) / (q Var(1-step change)); 1 for a random walk, < 1 if mean-reverting. */
  ratio: number;
  /** Heteroskedasticity-robust z* (Lo-MacKinlay's theta-hat). */
  z: number;
  /** Two-sided p-value of z*. */
  pValue: number;
  /** The z under homoskedastic increments, for reference. */
  zHomoskedastic: number;
}

export const DEFAULT_VARIANCE_RATIO_QS = [2, 4, 8, 16];

export function varianceRatioTest(values: Float64Array, qs: number[] = DEFAULT_VARIANCE_RATIO_QS): VarianceRatioResult[] {
  const increments = values.length - 1;
  const bad = firstNonFinite(values);
  if (bad >= 0) throw new FitError('not-finite', `value at index ${bad} is ${values[bad]}`);
  for (const q of qs) {
    if (!Number.isInteger(q) || q < 2 || q > increments / 2) throw new RangeError(`q must be an integer in [2, ${Math.floor(increments / 2)}] (got ${q})`);
  }
  const drift = (values[increments] - values[0]) / increments;
  let oneStep = 0;
  for (let t = 1; t <= increments; t++) {
    const e = values[t] - values[t - 1] - drift;
    oneStep += e * e;
  }
  if (!(oneStep > 0)) throw new FitError('constant', 'the increments are constant: no variance to compare');
  const oneStepVariance = oneStep / (increments - 1);
  return qs.map((q) => {
    let qStep = 0;
    for (let t = q; t <= increments; t++) {
      const e = values[t] - values[t - q] - q * drift;
      qStep += e * e;
    }
    const m = q * (increments - q + 1) * (1 - q / increments);
    const ratio = qStep / m / oneStepVariance;
    let thetaHat = 0;
    for (let j = 1; j < q; j++) {
      let s = 0;
      for (let t = j + 1; t <= increments; t++) {
        const a = values[t] - values[t - 1] - drift;
        const b = values[t - j] - values[t - j - 1] - drift;
        s += a * a * b * b;
      }
      const weight = (2 * (q - j)) / q;
      thetaHat += weight * weight * (s / (oneStep * oneStep));
    }
    const z = (ratio - 1) / Math.sqrt(thetaHat);
    const phi = (2 * (2 * q - 1) * (q - 1)) / (3 * q * increments);
    return { q, ratio, z, pValue: 2 * normalSf(Math.abs(z)), zHomoskedastic: (ratio - 1) / Math.sqrt(phi) };
  });
}

// ---------------------------------------------------------------------------------------------
// Hurst exponent from the growth of the variance of lagged differences: Var(s[t+k] - s[t]) ~ k^(2H).
// Chosen over rescaled range (R/S) because it is unbiased for a random walk at any sample size (R/S is
// biased upward in short samples and needs the Anis-Lloyd correction), it measures exactly what a
// spread trader cares about (how fast dispersion grows with the holding horizon), and it costs
// O(n) per lag. For an OU process the exponent depends on the lags: ~0.5 well below the half-life,
// falling towards 0 above it, so the lag range is part of the answer.
// ---------------------------------------------------------------------------------------------

export interface HurstResult {
  hurst: number;
  estimator: 'lagged-difference-variance';
  lags: number[];
  /** Variance of the k-step difference for each lag. */
  variances: number[];
  /** R^2 of the log-log fit. */
  rSquared: number;
}

export interface HurstOptions {
  minLag?: number;
  /** Default min(256, floor(n / 10)). */
  maxLag?: number;
  /** Number of geometrically spaced lags. Default 20. */
  lagCount?: number;
}

export function hurstExponent(values: Float64Array, options: HurstOptions = {}): HurstResult {
  const points = values.length;
  const bad = firstNonFinite(values);
  if (bad >= 0) throw new FitError('not-finite', `value at index ${bad} is ${values[bad]}`);
  const minLag = options.minLag ?? 1;
  const maxLag = options.maxLag ?? Math.min(256, Math.floor(points / 10));
  if (!(Number.isInteger(minLag) && Number.isInteger(maxLag) && minLag >= 1 && maxLag >= minLag + 1 && maxLag <= points / 2)) {
    throw new RangeError(`need integer lags 1 <= minLag < maxLag <= ${Math.floor(points / 2)} (got ${minLag}..${maxLag}; ${points} points)`);
  }
  const lagCount = options.lagCount ?? 20;
  const lags: number[] = [];
  for (let i = 0; i < lagCount; i++) {
    const lag = Math.round(minLag * Math.pow(maxLag / minLag, i / (lagCount - 1)));
    if (lag !== lags[lags.length - 1]) lags.push(lag);
  }
  const variances = lags.map((lag) => {
    const count = points - lag;
    let sum = 0;
    for (let t = lag; t < points; t++) sum += values[t] - values[t - lag];
    const mean = sum / count;
    let ss = 0;
    for (let t = lag; t < points; t++) {
      const e = values[t] - values[t - lag] - mean;
      ss += e * e;
    }
    return ss / count;
  });
  if (variances.some((v) => !(v > 0))) throw new FitError('constant', 'the series has constant differences: no Hurst exponent');
  const xs = lags.map(Math.log);
  const ys = variances.map(Math.log);
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (let i = 0; i < xs.length; i++) {
    sxx += (xs[i] - mx) ** 2;
    sxy += (xs[i] - mx) * (ys[i] - my);
    syy += (ys[i] - my) ** 2;
  }
  const slope = sxy / sxx;
  return { hurst: slope / 2, estimator: 'lagged-difference-variance', lags, variances, rSquared: syy > 0 ? (sxy * sxy) / (sxx * syy) : 1 };
}

// ---------------------------------------------------------------------------------------------
// Verdict
// ---------------------------------------------------------------------------------------------

export type MeanReversionVerdict = 'mean-reverting' | 'not mean-reverting' | 'inconclusive';

export interface VerdictOptions {
  /** Significance level. Default 0.05. The variance-ratio level is split over its q's (Bonferroni). */
  alpha?: number;
  /** H must be below 0.5 - hurstMargin to count: the estimate scatters by a few hundredths even for a random walk. Default 0.05. */
  hurstMargin?: number;
}

export interface MeanReversionEvidence {
  adf: AdfResult;
  varianceRatios: VarianceRatioResult[];
  hurst: HurstResult;
}

/**
 * 'mean-reverting' when ADF rejects a unit root and at least one of the variance ratio and Hurst agrees;
 * 'not mean-reverting' when none of the three points to mean reversion; 'inconclusive' otherwise.
 */
export function meanReversionVerdict(evidence: MeanReversionEvidence, options: VerdictOptions = {}): { verdict: MeanReversionVerdict; reasons: string[] } {
  const alpha = options.alpha ?? 0.05;
  const hurstLimit = 0.5 - (options.hurstMargin ?? 0.05);
  const { adf, varianceRatios, hurst } = evidence;
  const reasons: string[] = [];
  const g = (x: number) => x.toPrecision(3);

  const adfSays = adf.pValue < alpha;
  reasons.push(
    `ADF tau = ${g(adf.statistic)} (lag ${adf.usedLag}, ${adf.observations} rows): p = ${g(adf.pValue)} ` +
      (adfSays ? `< ${alpha}, a unit root is rejected` : `>= ${alpha}, a unit root is not rejected`),
  );

  const vrAlpha = alpha / Math.max(1, varianceRatios.length);
  const below = varianceRatios.filter((v) => v.ratio < 1 && v.pValue < vrAlpha);
  const vrSays = below.length > 0;
  const list = varianceRatios.map((v) => `VR(${v.q}) = ${g(v.ratio)} (z* = ${g(v.z)}, p = ${g(v.pValue)})`).join(', ');
  reasons.push(
    vrSays
      ? `variance ratio significantly below 1 at q = ${below.map((v) => v.q).join(', ')} (p < ${g(vrAlpha)}): ${list}`
      : `variance ratio not significantly below 1 (p < ${g(vrAlpha)} needed): ${list}`,
  );

  const hurstSays = hurst.hurst < hurstLimit;
  const range = `lags ${hurst.lags[0]}-${hurst.lags[hurst.lags.length - 1]}`;
  reasons.push(
    `Hurst exponent ${g(hurst.hurst)} (lagged-difference variance, ${range}) ` +
      (hurstSays ? `< ${hurstLimit}: sub-diffusive, mean-reverting` : `>= ${hurstLimit}: no sign of mean reversion`),
  );

  const votes = Number(adfSays) + Number(vrSays) + Number(hurstSays);
  const verdict: MeanReversionVerdict = adfSays && votes >= 2 ? 'mean-reverting' : votes === 0 ? 'not mean-reverting' : 'inconclusive';
  return { verdict, reasons };
}

export interface MeanReversionAssessment extends MeanReversionEvidence {
  verdict: MeanReversionVerdict;
  reasons: string[];
}

export interface AssessOptions extends VerdictOptions {
  adf?: AdfOptions;
  varianceRatioQs?: number[];
  hurst?: HurstOptions;
}

/** Runs the three tests and the verdict. */
export function assessMeanReversion(values: Float64Array, options: AssessOptions = {}): MeanReversionAssessment {
  const evidence: MeanReversionEvidence = {
    adf: adfTest(values, options.adf),
    varianceRatios: varianceRatioTest(values, options.varianceRatioQs),
    hurst: hurstExponent(values, options.hurst),
  };
  return { ...evidence, ...meanReversionVerdict(evidence, options) };
}
