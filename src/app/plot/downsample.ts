/** A long series reduced for drawing: the min and the max of each time bucket, in time order. */
export interface Downsampled {
  tsMs: Float64Array;
  values: Float64Array;
  /** Points in the input. */
  inputPoints: number;
  /** Buckets used (0 when the input was short enough to keep whole). */
  buckets: number;
}

/**
 * Min/max per bucket: the series is cut into `buckets` equal time spans and each keeps its lowest
 * and highest point (in their time order), so spikes survive the reduction. Series with at most
 * 2 * buckets points are returned unchanged.
 */
export function downsampleMinMax(tsMs: Float64Array, values: Float64Array, buckets: number): Downsampled {
  const n = tsMs.length;
  if (n <= 2 * buckets || n < 2) return { tsMs, values, inputPoints: n, buckets: 0 };
  const outTs: number[] = [];
  const outValues: number[] = [];
  const first = tsMs[0];
  const span = tsMs[n - 1] - first || 1;
  let i = 0;
  for (let b = 0; b < buckets && i < n; b++) {
    const end = b === buckets - 1 ? Infinity : first + (span * (b + 1)) / buckets;
    let lo = -1;
    let hi = -1;
    for (; i < n && tsMs[i] < end; i++) {
      const v = values[i];
      if (!Number.isFinite(v)) continue;
      if (lo < 0 || v < values[lo]) lo = i;
      if (hi < 0 || v > values[hi]) hi = i;
    }
    if (lo < 0) continue;
    for (const k of lo === hi ? [lo] : lo < hi ? [lo, hi] : [hi, lo]) {
      outTs.push(tsMs[k]);
      outValues.push(values[k]);
    }
  }
  return { tsMs: Float64Array.from(outTs), values: Float64Array.from(outValues), inputPoints: n, buckets };
}
