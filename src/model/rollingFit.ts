/**
 * Rolling OU refit without look-ahead: the fit reported at end index e uses values[e - window + 1 .. e]
 * only, so a strategy at time e could have computed it.
 */
import { FitError, firstNonFinite, fitAr1 } from './ar1.ts';
import { MIN_FIT_POINTS, ouFromAr1 } from './ouFit.ts';

export interface RollingFitOptions {
  windowPoints: number;
  /** Points between consecutive fits. Default 1. */
  stepPoints?: number;
}

export interface RollingOuFit {
  /** Last index (inclusive) of each window. */
  endIndex: Int32Array;
  thetaPerSecond: Float64Array;
  mu: Float64Array;
  sigmaPerSqrtSecond: Float64Array;
  halfLifeSeconds: Float64Array;
  /** AR(1) slope; NaN where the window could not be regressed (constant). */
  b: Float64Array;
  /** Windows whose OU parameters are NaN (b outside (0, 1) or a constant window). */
  failedWindows: number;
}

export function rollingOuFit(values: Float64Array, dtSeconds: number, options: RollingFitOptions): RollingOuFit {
  const { windowPoints } = options;
  const stepPoints = options.stepPoints ?? 1;
  if (!Number.isInteger(windowPoints) || windowPoints < MIN_FIT_POINTS) {
    throw new RangeError(`windowPoints must be an integer >= ${MIN_FIT_POINTS} (got ${windowPoints})`);
  }
  if (!Number.isInteger(stepPoints) || stepPoints < 1) throw new RangeError(`stepPoints must be a positive integer (got ${stepPoints})`);
  if (!(dtSeconds > 0) || !Number.isFinite(dtSeconds)) throw new RangeError(`dtSeconds must be a positive finite number (got ${dtSeconds})`);
  // Checked here, not per window, so the error names the index in the whole series.
  const bad = firstNonFinite(values);
  if (bad >= 0) throw new FitError('not-finite', `value at index ${bad} is ${values[bad]}`);
  const count = values.length < windowPoints ? 0 : Math.floor((values.length - windowPoints) / stepPoints) + 1;
  const result: RollingOuFit = {
    endIndex: new Int32Array(count),
    thetaPerSecond: new Float64Array(count).fill(Number.NaN),
    mu: new Float64Array(count).fill(Number.NaN),
    sigmaPerSqrtSecond: new Float64Array(count).fill(Number.NaN),
    halfLifeSeconds: new Float64Array(count).fill(Number.NaN),
    b: new Float64Array(count).fill(Number.NaN),
    failedWindows: 0,
  };
  for (let k = 0; k < count; k++) {
    const end = windowPoints - 1 + k * stepPoints;
    result.endIndex[k] = end;
    try {
      const ar1 = fitAr1(values.subarray(end - windowPoints + 1, end + 1));
      result.b[k] = ar1.b;
      const fit = ouFromAr1(ar1, dtSeconds);
      result.thetaPerSecond[k] = fit.thetaPerSecond;
      result.mu[k] = fit.mu;
      result.sigmaPerSqrtSecond[k] = fit.sigmaPerSqrtSecond;
      result.halfLifeSeconds[k] = fit.halfLifeSeconds;
    } catch (error) {
      if (!(error instanceof FitError)) throw error;
      result.failedWindows++;
    }
  }
  return result;
}
