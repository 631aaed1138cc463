/**
 * OU fit speed: fitOu on a seeded 10M-point OU series against the same AR(1) regression in numpy
 * (bench/numpy_fit.py, run with python3 on the same values). Progress goes to stderr.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Rng } from '../src/data/synthetic/rng.ts';
import { fitOu } from '../src/model/ouFit.ts';

const NUMPY_SCRIPT = fileURLToPath(new URL('numpy_fit.py', import.meta.url));

export interface FitBenchResult {
  fitPoints: number;
  /** fitOu without residual diagnostics: the same computation as the numpy side. */
  fitPointsPerSec: number;
  /** fitOu with its residual diagnostics (one more pass with Ljung-Box lags). */
  fitWithDiagnosticsPointsPerSec: number;
  /** numpy, same numerics (shifted copy allocated per call), best of 3. */
  numpyFitPointsPerSec: number | null;
  numpyPreallocatedFitPointsPerSec: number | null;
  /** numpy on raw, unshifted values: fastest, numerically unsafe; for reference. */
  numpyRawFitPointsPerSec: number | null;
  fitToNumpyRatio: number | null;
  /** |b(fitOu) - b(numpy, same numerics)| / b. */
  fitVsNumpyRelDiffB: number | null;
  numpyNote?: string;
}

/** Exact discretisation of ds = theta (mu - s) dt + sigma dW. */
export function seededOuSeries(points: number, seed: number, thetaPerSecond: number, mu: number, sigmaPerSqrtSecond: number, dtSeconds: number): Float64Array {
  const rng = new Rng(seed);
  const b = Math.exp(-thetaPerSecond * dtSeconds);
  const noise = sigmaPerSqrtSecond * Math.sqrt((1 - b * b) / (2 * thetaPerSecond));
  const stationaryStd = sigmaPerSqrtSecond / Math.sqrt(2 * thetaPerSecond);
  const out = new Float64Array(points);
  let s = mu + stationaryStd * rng.normal();
  for (let i = 0; i < points; i++) {
    out[i] = s;
    s = mu + (s - mu) * b + noise * rng.normal();
  }
  return out;
}

function bestOf(runs: number, fn: () => void): number {
  fn(); // warm-up
  let best = Number.POSITIVE_INFINITY;
  for (let run = 0; run < runs; run++) {
    const started = process.hrtime.bigint();
    fn();
    best = Math.min(best, Number(process.hrtime.bigint() - started) / 1e9);
  }
  return best;
}

interface NumpyOutput {
  error?: string;
  centredPointsPerSec: number;
  centredPreallocatedPointsPerSec: number;
  rawPointsPerSec: number;
  centred: { b: number };
}

function runNumpy(series: Float64Array): NumpyOutput | { error: string } {
  const dir = mkdtempSync(join(tmpdir(), 'perp-arb-fit-bench-'));
  try {
    const file = join(dir, 'series.f64');
    // Float64Array is in platform byte order; every platform Node supports is little-endian.
    writeFileSync(file, new Uint8Array(series.buffer, series.byteOffset, series.byteLength));
    const stdout = execFileSync('python3', [NUMPY_SCRIPT, file, '3'], { encoding: 'utf8', timeout: 600_000, stdio: ['ignore', 'pipe', 'pipe'] });
    return JSON.parse(stdout) as NumpyOutput;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { error: code === 'ENOENT' ? 'python3 not found' : `numpy run failed: ${(error as Error).message.split('\n')[0]}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function benchFit(points = 10_000_000): FitBenchResult {
  const log = (text: string) => process.stderr.write(`${text}\n`);
  const dtSeconds = 1;
  log(`fit: generating a seeded OU series of ${points} points ...`);
  // A basis of ~5 bps with a stationary standard deviation of ~0.1 bp: the cancellation-prone case.
  const series = seededOuSeries(points, 20_240_601, 1 / 600, 5e-4, 1e-5 * Math.sqrt(2 / 600), dtSeconds);
  let b = Number.NaN;
  const seconds = bestOf(3, () => {
    b = fitOu(series, dtSeconds, { diagnostics: false }).b;
  });
  const withDiagnostics = bestOf(3, () => fitOu(series, dtSeconds));
  log('fit: the same regression in numpy ...');
  const numpy = runNumpy(series);
  const base = { fitPoints: points, fitPointsPerSec: points / seconds, fitWithDiagnosticsPointsPerSec: points / withDiagnostics };
  if ('error' in numpy && numpy.error !== undefined) {
    return { ...base, numpyFitPointsPerSec: null, numpyPreallocatedFitPointsPerSec: null, numpyRawFitPointsPerSec: null, fitToNumpyRatio: null, fitVsNumpyRelDiffB: null, numpyNote: numpy.error };
  }
  const np = numpy as NumpyOutput;
  return {
    ...base,
    numpyFitPointsPerSec: np.centredPointsPerSec,
    numpyPreallocatedFitPointsPerSec: np.centredPreallocatedPointsPerSec,
    numpyRawFitPointsPerSec: np.rawPointsPerSec,
    fitToNumpyRatio: base.fitPointsPerSec / np.centredPointsPerSec,
    fitVsNumpyRelDiffB: Math.abs(b - np.centred.b) / Math.abs(b),
  };
}
