/** Small statistics for forecasts: quantiles of errors, and error metrics. */

/** The q-quantile (0..1) of the values, linear interpolation between order statistics; NaN when empty. */
export function quantileOf(values: ArrayLike<number>, q: number): number {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const pos = q * (n - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export interface ErrorMetrics {
  mae: number;
  rmse: number;
  /** Share of settlements with a non-zero rate whose sign the forecast got right (a zero forecast counts as wrong). */
  directionalAccuracy: number;
}

/** MAE, RMSE and directional accuracy of forecasts against actual rates (same length, > 0). */
export function errorMetrics(forecast: ArrayLike<number>, actual: ArrayLike<number>): ErrorMetrics {
  const n = actual.length;
  let abs = 0;
  let sq = 0;
  let signed = 0;
  let hits = 0;
  for (let i = 0; i < n; i++) {
    const e = forecast[i] - actual[i];
    abs += Math.abs(e);
    sq += e * e;
    if (actual[i] !== 0) {
      signed++;
      if (Math.sign(forecast[i]) === Math.sign(actual[i])) hits++;
    }
  }
  return { mae: abs / n, rmse: Math.sqrt(sq / n), directionalAccuracy: signed ? hits / signed : Number.NaN };
}
