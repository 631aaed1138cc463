"""Times the AR(1) least-squares fit of bench/fitBench.ts in numpy; prints one JSON object.

Usage: python3 bench/numpy_fit.py SERIES.f64 [RUNS]
SERIES.f64 holds little-endian float64 values. Each variant is timed best-of-RUNS after a warm-up.

- centred: the same numerics as src/model/ar1.ts (shift by the mean of the first 1024 points, then
  dot-product sums; y sums from the x sums and the end points). numpy has no fused shift-and-dot,
  so the shifted copy is allocated per call, as a self-contained fit function would.
- centredPreallocated: the same, with the shifted copy written into a buffer allocated once outside
  the timing (a reusable workspace).
- raw: dot products of the raw values, no shift: the fastest numpy can do, but it cancels
  catastrophically for a basis of ~1e-3 with a tiny variance (reported for reference only).
"""
import json
import sys
import time

try:
    import numpy as np
except ImportError:
    print(json.dumps({"error": "numpy is not installed"}))
    sys.exit(0)

PILOT = 1024


def finish(n, shift, sx, sxx, sxy, q_first, q_last):
    sy = sx - q_first + q_last
    syy = sxx - q_first * q_first + q_last * q_last
    mx = sx / n
    my = sy / n
    cxx = sxx - sx * mx
    cyy = syy - sy * my
    cxy = sxy - sx * my
    b = cxy / cxx
    a = my - b * mx + shift * (1 - b)
    rss = max(0.0, cyy - b * cxy)
    var = rss / (n - 2)
    mean_x = mx + shift
    b_var = var / cxx
    return {"a": a, "b": b, "residualVariance": var, "aStdError": float(np.sqrt(var / n + mean_x * mean_x * b_var)), "bStdError": float(np.sqrt(b_var))}


def fit_centred(s, out=None):
    pilot = s[:PILOT]
    shift = float(s[0] + (pilot[1:] - s[0]).sum() / len(pilot))
    q = np.subtract(s, shift, out=out)
    x = q[:-1]
    sx = float(x.sum())
    sxx = float(np.dot(x, x))
    sxy = float(np.dot(x, q[1:]))
    return finish(len(s) - 1, shift, sx, sxx, sxy, float(q[0]), float(q[-1]))


def fit_raw(s):
    x = s[:-1]
    sx = float(x.sum())
    sxx = float(np.dot(x, x))
    sxy = float(np.dot(x, s[1:]))
    return finish(len(s) - 1, 0.0, sx, sxx, sxy, float(s[0]), float(s[-1]))


def best_seconds(fn, runs):
    fn()  # warm-up
    best = float("inf")
    result = None
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - started)
    return best, result


def main():
    path = sys.argv[1]
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    s = np.fromfile(path, dtype="<f8")
    n = len(s)
    buffer = np.empty_like(s)
    centred_s, centred = best_seconds(lambda: fit_centred(s), runs)
    prealloc_s, _ = best_seconds(lambda: fit_centred(s, buffer), runs)
    raw_s, raw = best_seconds(lambda: fit_raw(s), runs)
    print(json.dumps({
        "points": n,
        "numpyVersion": np.__version__,
        "centredPointsPerSec": n / centred_s,
        "centredPreallocatedPointsPerSec": n / prealloc_s,
        "rawPointsPerSec": n / raw_s,
        "centred": centred,
        "raw": raw,
    }))


main()
