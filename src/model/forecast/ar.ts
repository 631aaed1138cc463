import { Matrix, solve } from 'ml-matrix';
import { quantileOf } from './stats.ts';
import { INTERVAL_HIGH_Q, INTERVAL_LOW_Q, type FundingForecast, type FundingFrame } from './types.ts';

/**
 * Direct AR(p) on the rate series: rate[i + h] = c + sum_k a_k rate[i - k] + e, fitted by least
 * squares (ml-matrix's QR solve) over the training origins. Direct (one regression per horizon)
 * rather than iterated, so the h-step error is what is fitted. The interval adds the 10% and 90%
 * quantiles of the in-sample residuals (p + 1 parameters over hundreds of points: little overfit).
 */
export interface ArFit {
  order: number;
  horizon: number;
  intercept: number;
  /** a_0 (on rate[i]), a_1 (on rate[i-1]), ... */
  coefficients: number[];
  residualLow: number;
  residualHigh: number;
  pairs: number;
}

/** Fits on origins from..to (inclusive; each needs `order` rates up to it and its target at i + horizon). */
export function fitAr(rates: ArrayLike<number>, from: number, to: number, order: number, horizon: number): ArFit {
  const n = to - from + 1;
  if (n < order + 2) throw new Error(`AR(${order}) needs at least ${order + 2} training pairs, got ${n}`);
  if (from < order - 1 || to + horizon >= rates.length) throw new Error(`AR(${order}) training origins ${from}..${to} outside the series (${rates.length} rates)`);
  const x = new Matrix(n, order + 1);
  const y = new Matrix(n, 1);
  for (let r = 0; r < n; r++) {
    const i = from + r;
    x.set(r, 0, 1);
    for (let k = 0; k < order; k++) x.set(r, k + 1, rates[i - k]);
    y.set(r, 0, rates[i + horizon]);
  }
  // A constant series (a venue pinned at its default rate) makes the lags collinear: fall back to its mean.
  let beta: number[];
  try {
    beta = solve(x, y).getColumn(0);
    if (!beta.every(Number.isFinite)) throw new Error('singular');
  } catch {
    beta = [y.mean(), ...new Array<number>(order).fill(0)];
  }
  const residuals = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    let p = beta[0];
    for (let k = 0; k < order; k++) p += beta[k + 1] * x.get(r, k + 1);
    residuals[r] = y.get(r, 0) - p;
  }
  return {
    order,
    horizon,
    intercept: beta[0],
    coefficients: beta.slice(1),
    residualLow: quantileOf(residuals, INTERVAL_LOW_Q),
    residualHigh: quantileOf(residuals, INTERVAL_HIGH_Q),
    pairs: n,
  };
}

/** The fit's forecast from origin i (rates up to i known). */
export function arForecast(fit: ArFit, rates: ArrayLike<number>, i: number): FundingForecast {
  let rate = fit.intercept;
  for (let k = 0; k < fit.order; k++) rate += fit.coefficients[k] * rates[i - k];
  return { rate, lowRate: rate + fit.residualLow, highRate: rate + fit.residualHigh };
}

export function arForecastFrame(fit: ArFit, frame: FundingFrame, i: number): FundingForecast {
  return arForecast(fit, frame.rate, i);
}
