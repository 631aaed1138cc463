/** Index of the last bar whose close time (ts + timeframe) is at or before `time`, -1 if none. */
export function lastClosedAtOrBefore(ts: Float64Array, timeframeMs: number, time: number): number {
  let found = -1;
  for (let i = 0; i < ts.length && ts[i] + timeframeMs <= time; i++) found = i;
  return found;
}
