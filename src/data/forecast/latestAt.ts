/**
 * The value of a time series known at time t: the last value whose knownMs <= t, NaN when there is
 * none or it is older than maxAgeMs. knownMs ascending.
 */
export function latestAt(knownMs: Float64Array, values: Float64Array, t: number, maxAgeMs: number): number {
  let lo = 0;
  let hi = knownMs.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (knownMs[mid] <= t) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  if (found < 0 || t - knownMs[found] > maxAgeMs) return Number.NaN;
  return values[found];
}
