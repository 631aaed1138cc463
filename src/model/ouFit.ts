/**
 * Ornstein-Uhlenbeck fit by the exact discretisation (DESIGN.md, "The spread model"): the AR(1)
 * regression s[t+1] = a + b s[t] + e with b = exp(-theta dt) gives theta = -ln(b) / dt,
 * mu = a / (1 - b) and sigma^2 = Var(e) 2 theta / (1 - b^2). This is the conditional maximum
 * likelihood estimate, so Var(e) is rss / n here (not the unbiased rss / (n - 2)).
 *
 * Standard errors by the delta method from the AR(1) ones. For sigma, b and Var(e) are
 * asymptotically independent and Var(Var(e)-hat) = 2 Var(e)^2 / n under Gaussian noise; with fat
 * tails (see residuals.excessKurtosis = k) it is (2 + k) Var(e)^2 / n, so the sigma error here is then
 * too small by about sqrt(1 + k / 2).
 */
import { type Ar1Fit, FitError, fitAr1 } from './ar1.ts';
import { normalSf } from './normal.ts';
import type { OuParams } from './ouParams.ts';

export const MIN_FIT_POINTS = 10;
const DIAGNOSTIC_BLOCK = 4096;

export interface OuStdErrors {
  thetaPerSecond: number;
  mu: number;
  sigmaPerSqrtSecond: number;
  halfLifeSeconds: number;
}

export interface ResidualDiagnostics {
  mean: number;
  /** Population standard deviation (divisor n). */
  std: number;
  skewness: number;
  excessKurtosis: number;
  jarqueBera: number;
  /** Chi-square with 2 degrees of freedom. */
  jarqueBeraPValue: number;
  lag1Autocorrelation: number;
  ljungBoxLags: number;
  ljungBoxQ: number;
  /** Chi-square with ljungBoxLags - 1 degrees of freedom (one AR coefficient was fitted). */
  ljungBoxPValue: number;
}

export interface OuFit extends OuParams {
  halfLifeSeconds: number;
  dtSeconds: number;
  /** Points in the series (pairs regressed: points - 1). */
  points: number;
  /** AR(1) slope exp(-theta dt). */
  b: number;
  /** Maximum-likelihood variance of the one-step noise, rss / n. */
  noiseVariance: number;
  stdErrors: OuStdErrors;
  ar1: Ar1Fit;
  /** null when fitted with { diagnostics: false }. */
  residuals: ResidualDiagnostics | null;
}

export interface FitOuOptions {
  /** Compute residual diagnostics (one more pass over the data). Default true. */
  diagnostics?: boolean;
  /** Ljung-Box lags. Default 10. */
  ljungBoxLags?: number;
}

export function fitOu(values: Float64Array, dtSeconds: number, options: FitOuOptions = {}): OuFit {
  if (!(dtSeconds > 0) || !Number.isFinite(dtSeconds)) throw new RangeError(`dtSeconds must be a positive finite number (got ${dtSeconds})`);
  if (values.length < MIN_FIT_POINTS) {
    throw new FitError('too-short', `OU fit needs at least ${MIN_FIT_POINTS} points (got ${values.length})`);
  }
  const ar1 = fitAr1(values);
  const fit = ouFromAr1(ar1, dtSeconds);
  if (options.diagnostics !== false) fit.residuals = residualDiagnostics(values, ar1.a, ar1.b, options.ljungBoxLags ?? 10);
  return fit;
}

/** OU parameters from an AR(1) fit; throws FitError('no-mean-reversion') unless 0 < b < 1. */
export function ouFromAr1(ar1: Ar1Fit, dtSeconds: number): OuFit {
  const { a, b, n } = ar1;
  if (!(b > 0 && b < 1)) {
    const why =
      b >= 1
        ? 'a unit root or explosive series, no mean reversion'
        : 'negative lag-one autocorrelation: the series flips sign each step, which no OU process does (sample less often)';
    throw new FitError('no-mean-reversion', `AR(1) slope b = ${b} is outside (0, 1): ${why}`);
  }
  const logB = Math.log(b);
  const thetaPerSecond = -logB / dtSeconds;
  const oneMinusB = 1 - b;
  const mu = a / oneMinusB;
  const noiseVariance = ar1.rss / n;
  const oneMinusB2 = oneMinusB * (1 + b);
  const sigmaPerSqrtSecond = Math.sqrt((noiseVariance * 2 * thetaPerSecond) / oneMinusB2);
  const halfLifeSeconds = Math.LN2 / thetaPerSecond;

  const thetaSe = ar1.bStdError / (b * dtSeconds);
  // Var(a / (1 - b)) expanded around meanX: the form that does not cancel when mu >> its error.
  const gap = ar1.meanX - mu;
  const muSe = Math.sqrt(ar1.residualVariance * (1 / n + (gap * gap) / ar1.sxxCentred)) / oneMinusB;
  const dLogSigma2dB = 1 / (b * logB) + (2 * b) / oneMinusB2;
  const logSigma2Variance = dLogSigma2dB * dLogSigma2dB * ar1.bStdError * ar1.bStdError + 2 / n;
  const sigmaSe = (sigmaPerSqrtSecond / 2) * Math.sqrt(logSigma2Variance);
  return {
    thetaPerSecond,
    mu,
    sigmaPerSqrtSecond,
    halfLifeSeconds,
    dtSeconds,
    points: n + 1,
    b,
    noiseVariance,
    stdErrors: { thetaPerSecond: thetaSe, mu: muSe, sigmaPerSqrtSecond: sigmaSe, halfLifeSeconds: (halfLifeSeconds * thetaSe) / thetaPerSecond },
    ar1,
    residuals: null,
  };
}

/** Diagnostics of the residuals e[t] = s[t+1] - a - b s[t], t = 0 .. n-1. Two passes, no allocation of n. */
export function residualDiagnostics(values: Float64Array, a: number, b: number, ljungBoxLags = 10): ResidualDiagnostics {
  const n = values.length - 1;
  if (!Number.isInteger(ljungBoxLags) || ljungBoxLags < 2 || ljungBoxLags >= n) {
    throw new RangeError(`ljungBoxLags must be an integer in [2, ${n - 1}] (got ${ljungBoxLags})`);
  }
  let sum = -0;
  for (let t = 0; t < n; t++) sum += values[t + 1] - a - b * values[t];
  const mean = sum / n;

  const lags = ljungBoxLags;
  // Residuals go block by block into a small buffer that stays in cache, led by the previous block's
  // last `lags` (zeros before the start add nothing); each lag is then a tight dot product.
  const buffer = new Float64Array(lags + DIAGNOSTIC_BLOCK);
  const lagSums = new Float64Array(lags + 1);
  let m2 = -0;
  let m3 = -0;
  let m4 = -0;
  for (let start = 0; start < n; start += DIAGNOSTIC_BLOCK) {
    const length = Math.min(DIAGNOSTIC_BLOCK, n - start);
    for (let i = 0; i < length; i++) {
      const t = start + i;
      const e = values[t + 1] - a - b * values[t] - mean;
      buffer[lags + i] = e;
      const e2 = e * e;
      m2 += e2;
      m3 += e2 * e;
      m4 += e2 * e2;
    }
    const end = lags + length;
    for (let k = 1; k <= lags; k++) {
      let even = -0;
      let odd = -0;
      let i = lags;
      for (; i + 1 < end; i += 2) {
        even += buffer[i] * buffer[i - k];
        odd += buffer[i + 1] * buffer[i + 1 - k];
      }
      if (i < end) even += buffer[i] * buffer[i - k];
      lagSums[k] += even + odd;
    }
    buffer.copyWithin(0, length, length + lags);
  }
  m2 /= n;
  m3 /= n;
  m4 /= n;
  const skewness = m3 / Math.pow(m2, 1.5);
  const excessKurtosis = m4 / (m2 * m2) - 3;
  const jarqueBera = (n / 6) * (skewness * skewness + (excessKurtosis * excessKurtosis) / 4);
  const total = m2 * n;
  let q = 0;
  for (let k = 1; k <= lags; k++) {
    const r = lagSums[k] / total;
    q += (r * r) / (n - k);
  }
  q *= n * (n + 2);
  return {
    mean,
    std: Math.sqrt(m2),
    skewness,
    excessKurtosis,
    jarqueBera,
    jarqueBeraPValue: Math.exp(-jarqueBera / 2),
    lag1Autocorrelation: lagSums[1] / total,
    ljungBoxLags: lags,
    ljungBoxQ: q,
    ljungBoxPValue: chiSquareSf(q, lags - 1),
  };
}

/** P(X > x) for X chi-square with an integer number of degrees of freedom (Abramowitz-Stegun 26.4.4-5). */
export function chiSquareSf(x: number, degreesOfFreedom: number): number {
  if (!Number.isInteger(degreesOfFreedom) || degreesOfFreedom < 1) throw new RangeError(`degrees of freedom must be a positive integer (got ${degreesOfFreedom})`);
  if (Number.isNaN(x)) return Number.NaN;
  if (x <= 0) return 1;
  if (degreesOfFreedom % 2 === 0) {
    let term = 1;
    let series = 1;
    for (let r = 1; r < degreesOfFreedom / 2; r++) {
      term *= x / (2 * r);
      series += term;
    }
    return Math.min(1, Math.exp(-x / 2) * series);
  }
  const chi = Math.sqrt(x);
  let term = chi;
  let series = 0;
  for (let r = 1; r <= (degreesOfFreedom - 1) / 2; r++) {
    if (r > 1) term *= x / (2 * r - 1);
    series += term;
  }
  const density = Math.exp(-x / 2) / Math.sqrt(2 * Math.PI);
  return Math.min(1, 2 * normalSf(chi) + 2 * density * series);
}
