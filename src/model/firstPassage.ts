import { erfc } from './normal.ts';
import type { OuParams } from './ouParams.ts';

/**
 * First passage of the OU basis to a level: T = inf{t >= 0 : s_t = level}, started at s_0.
 *
 * To the mean there is a closed form (DESIGN.md "The spread model"): s_t - mu = e^{-theta t} (x0 + B(A(t)))
 * with B a Brownian motion run on the clock A(t) = sigma^2 (e^{2 theta t} - 1) / (2 theta), so s reaches mu
 * exactly when B reaches -x0, and by the reflection principle P(T <= t) = erfc(|x0| / sqrt(2 A(t))).
 * Any other level needs a numerical method: see `firstPassageProfile`.
 */

/** P(T <= t) for the first time s reaches mu, from s_0 (closed form). */
export function probabilityReachMeanBy(params: OuParams, s0: number, tSeconds: number): number {
  const x0 = Math.abs(s0 - params.mu);
  if (x0 === 0) return 1;
  if (!(tSeconds > 0)) return 0;
  const clock = brownianClock(params, tSeconds);
  return erfc(x0 / Math.sqrt(2 * clock));
}

/** A(t) = sigma^2 (e^{2 theta t} - 1) / (2 theta); sigma^2 t when theta = 0; Infinity once e^{2 theta t} overflows. */
export function brownianClock(params: OuParams, tSeconds: number): number {
  const { thetaPerSecond: theta, sigmaPerSqrtSecond: sigma } = params;
  if (theta === 0) return sigma * sigma * tSeconds;
  return (sigma * sigma * Math.expm1(2 * theta * tSeconds)) / (2 * theta);
}

/** Grid of the numerical method, in the dimensionless units z = (s - mu) / sd (sd = sigma / sqrt(2 theta)) and t' = theta t. */
export interface FirstPassageGrid {
  /** Space step, in stationary standard deviations. Default 0.01 (refined for short horizons and near starts). */
  spaceStepSd?: number;
  /** Largest time step, in units of 1 / theta. Default 0.005. */
  maxTimeStepTheta?: number;
  /** The reflecting boundary sits this many sds beyond max(start, mean), away from the level. Default 8. */
  farBoundarySd?: number;
}

export interface FirstPassageProfile {
  /** The requested times, seconds. */
  timesSeconds: Float64Array;
  /** P(T <= t) at each time. */
  probabilityReached: Float64Array;
  /**
   * E[(s_t - level) 1{T > t}] at each time (fraction): the expected distance from the level on the paths
   * that have not reached it yet. Strategy 2 needs it to value a forced close.
   */
  expectedGapIfNotReached: Float64Array;
  method: 'closedForm' | 'numerical';
  /** Numerical method only: space nodes and time steps used. */
  nodes?: number;
  timeSteps?: number;
}

/**
 * P(T <= t) for the first time s reaches `level` from s0 (numerical method; see `firstPassageProfile`).
 * Agrees with `probabilityReachMeanBy` to about 1e-5 when level = mu (tested to 1e-3).
 */
export function probabilityReachLevelBy(
  params: OuParams,
  s0: number,
  level: number,
  tSeconds: number,
  grid?: FirstPassageGrid,
): number {
  return firstPassageProfile(params, s0, level, [tSeconds], { method: 'numerical', grid }).probabilityReached[0];
}

/**
 * P(T <= t) and E[(s_t - level) 1{T > t}] at several times with one solve.
 *
 * method 'auto' (default) uses the closed forms when level = mu (then E[(s_t - mu) 1{T > t}] =
 * (s_0 - mu) e^{-theta t}, because (s_t - mu) e^{theta t} is a martingale that is 0 once stopped at T),
 * and otherwise the numerical method:
 *
 * Backward Kolmogorov equation in z = (s - mu)/sd, t' = theta t, where dz = -z dt' + sqrt(2) dW:
 *   u_t' = -z u_z + u_zz on (z_level, z_far], u(z_level, t') = 0 (absorbing), u_z(z_far, t') = 0 (reflecting),
 * with u(z, 0) = 1 for the survival P_z(T > t') and u(z, 0) = z - z_level for E_z[(z_t' - z_level) 1{T > t'}].
 * If the start is below the level the axis is flipped (the OU is symmetric about mu).
 * - Space: uniform step h = min(spaceStepSd, (z0 - z_level)/4, sqrt(t'_min)/4), at least 1e-4 and at most
 *   200k nodes; central differences (cell Peclet number |z| h / 2 << 1); the value at z0 by cubic
 *   Lagrange interpolation. The far boundary is 8 sd beyond max(z0, 0): paths from z0 reach it with
 *   probability below 1e-14, so its condition does not matter.
 * - Time: Crank-Nicolson; the first interval is graded (t'_k = t'_1 (k/n)^2, n >= 200) and the first
 *   4 steps are implicit Euler (Rannacher start) to damp the oscillation CN would keep from the jump
 *   of u at the absorbing boundary; later steps <= maxTimeStepTheta * min(max(1, t'), 10) (each
 *   requested interval is cut evenly); stops early once the survival is below 1e-17 everywhere.
 * Error against the closed form at level = mu: about 1e-5 (see test/model/firstPassage.test.ts).
 */
export function firstPassageProfile(
  params: OuParams,
  s0: number,
  level: number,
  timesSeconds: readonly number[],
  options: { method?: 'auto' | 'closedForm' | 'numerical'; grid?: FirstPassageGrid } = {},
): FirstPassageProfile {
  checkParams(params);
  for (const t of timesSeconds) {
    if (!(t >= 0) || !Number.isFinite(t)) throw new Error(`times must be finite and >= 0 seconds (got ${t})`);
  }
  const times = Float64Array.from(timesSeconds);
  const method = options.method ?? 'auto';
  const sd = params.sigmaPerSqrtSecond / Math.sqrt(2 * params.thetaPerSecond);
  const atMean = Math.abs(level - params.mu) <= 1e-12 * sd;
  if (method === 'closedForm' && !atMean) throw new Error('the closed form holds only for level = mu');
  if (method === 'closedForm' || (method === 'auto' && atMean)) {
    const reached = times.map((t) => probabilityReachMeanBy(params, s0, t));
    const gap = times.map((t) => (s0 - params.mu) * Math.exp(-params.thetaPerSecond * t));
    return { timesSeconds: times, probabilityReached: reached, expectedGapIfNotReached: gap, method: 'closedForm' };
  }
  const orientation = s0 >= level ? 1 : -1;
  const z0 = (orientation * (s0 - params.mu)) / sd;
  const zLevel = (orientation * (level - params.mu)) / sd;
  const scaled = Array.from(times, (t) => t * params.thetaPerSecond);
  const solved = solveSurvival(z0, zLevel, scaled, options.grid ?? {});
  return {
    timesSeconds: times,
    probabilityReached: solved.survival.map((u) => 1 - u),
    expectedGapIfNotReached: solved.gap.map((g) => orientation * sd * g),
    method: 'numerical',
    nodes: solved.nodes,
    timeSteps: solved.timeSteps,
  };
}

export interface WindowCloseProbabilities {
  /** p_k, k = 1..N (index k - 1): the probability of first reaching the exit level in funding window k. */
  probabilities: Float64Array;
  /** End of window k (index k - 1), seconds from now: tau_f + (k - 1) dT. */
  windowEndsSeconds: Float64Array;
  /** P(T > tau_f + (N - 1) dT): not closed within the N windows. */
  remainder: number;
  /** E[(s - exit) 1{T > t}] at each window end (see FirstPassageProfile). */
  expectedGapIfNotReached: Float64Array;
  method: 'closedForm' | 'numerical';
}

/**
 * Window k runs from the (k-1)-th funding settlement to the k-th: (tau_f + (k-2) dT, tau_f + (k-1) dT],
 * window 1 being [0, tau_f]. p_k = P(T <= tau_f + (k-1) dT) - P(T <= tau_f + (k-2) dT), with
 * P(T <= tau_f - dT) := 0, so sum_k p_k + remainder = 1.
 */
export function closeProbabilitiesByWindow(
  params: OuParams,
  s0: number,
  exitLevel: number,
  timeToFundingSeconds: number,
  fundingIntervalSeconds: number,
  windows: number,
  options: { method?: 'auto' | 'closedForm' | 'numerical'; grid?: FirstPassageGrid } = {},
): WindowCloseProbabilities {
  if (!(timeToFundingSeconds >= 0)) throw new Error(`timeToFundingSeconds must be >= 0 (got ${timeToFundingSeconds})`);
  if (!(fundingIntervalSeconds > 0)) throw new Error(`fundingIntervalSeconds must be > 0 (got ${fundingIntervalSeconds})`);
  if (!Number.isInteger(windows) || windows < 1) throw new Error(`windows must be an integer >= 1 (got ${windows})`);
  const ends = Array.from({ length: windows }, (_, i) => timeToFundingSeconds + i * fundingIntervalSeconds);
  const profile = firstPassageProfile(params, s0, exitLevel, ends, options);
  const cdf = profile.probabilityReached;
  const probabilities = new Float64Array(windows);
  let previous = 0;
  for (let k = 0; k < windows; k++) {
    // max(., previous): the numerical CDF can wobble by ~1e-15 once it has converged
    const current = Math.max(cdf[k], previous);
    probabilities[k] = current - previous;
    previous = current;
  }
  return {
    probabilities,
    windowEndsSeconds: Float64Array.from(ends),
    remainder: 1 - previous,
    expectedGapIfNotReached: profile.expectedGapIfNotReached,
    method: profile.method,
  };
}

function checkParams(params: OuParams): void {
  const { thetaPerSecond, mu, sigmaPerSqrtSecond } = params;
  if (!(thetaPerSecond > 0) || !Number.isFinite(thetaPerSecond)) throw new Error(`thetaPerSecond must be > 0 (got ${thetaPerSecond})`);
  if (!(sigmaPerSqrtSecond > 0) || !Number.isFinite(sigmaPerSqrtSecond)) throw new Error(`sigmaPerSqrtSecond must be > 0 (got ${sigmaPerSqrtSecond})`);
  if (!Number.isFinite(mu)) throw new Error(`mu must be finite (got ${mu})`);
}

interface SurvivalSolution {
  survival: Float64Array;
  gap: Float64Array;
  nodes: number;
  timeSteps: number;
}

const MAX_NODES = 200_000;
const MIN_SPACE_STEP = 1e-4;
const RANNACHER_STEPS = 4;
const MIN_FIRST_INTERVAL_STEPS = 200;

/** Dimensionless solve with z0 >= zLevel (see firstPassageProfile). */
function solveSurvival(z0: number, zLevel: number, times: number[], grid: FirstPassageGrid): SurvivalSolution {
  const n = times.length;
  const survival = new Float64Array(n);
  const gap = new Float64Array(n);
  const distance = z0 - zLevel;
  if (distance === 0) return { survival, gap, nodes: 0, timeSteps: 0 };
  const positiveTimes = times.filter((t) => t > 0);
  if (positiveTimes.length === 0) {
    survival.fill(1);
    gap.fill(distance);
    return { survival, gap, nodes: 0, timeSteps: 0 };
  }
  for (const [key, value] of Object.entries(grid)) {
    if (value !== undefined && !(value > 0)) throw new Error(`grid.${key} must be > 0 (got ${value})`);
  }
  const zFar = Math.max(z0, 0) + (grid.farBoundarySd ?? 8);
  const length = zFar - zLevel;
  let h = Math.min(grid.spaceStepSd ?? 0.01, distance / 4, Math.sqrt(Math.min(...positiveTimes)) / 4);
  h = Math.max(h, MIN_SPACE_STEP, length / MAX_NODES);
  const m = Math.max(4, Math.ceil(length / h)); // unknowns at nodes 1..m (node 0 is the absorbing level)
  h = length / m;
  const dtMax = grid.maxTimeStepTheta ?? 0.005;

  const z = new Float64Array(m + 1);
  for (let i = 0; i <= m; i++) z[i] = zLevel + i * h;
  // L u_i = lower_i u_{i-1} + diag_i u_i + upper_i u_{i+1}; at node m the ghost u_{m+1} = u_{m-1}.
  const lower = new Float64Array(m + 1);
  const diag = new Float64Array(m + 1);
  const upper = new Float64Array(m + 1);
  const invH2 = 1 / (h * h);
  for (let i = 1; i < m; i++) {
    lower[i] = invH2 + z[i] / (2 * h);
    diag[i] = -2 * invH2;
    upper[i] = invH2 - z[i] / (2 * h);
  }
  lower[m] = 2 * invH2;
  diag[m] = -2 * invH2;

  let u = new Float64Array(m + 1);
  let v = new Float64Array(m + 1);
  for (let i = 1; i <= m; i++) {
    u[i] = 1;
    v[i] = z[i] - zLevel;
  }
  let uNext = new Float64Array(m + 1);
  let vNext = new Float64Array(m + 1);
  const rhsU = new Float64Array(m + 1);
  const rhsV = new Float64Array(m + 1);
  const cPrime = new Float64Array(m + 1);

  const order = Array.from(times.keys()).sort((a, b) => times[a] - times[b]);
  let t = 0;
  let steps = 0;
  let dead = false;
  for (const idx of order) {
    const target = times[idx];
    if (!dead && target > t) {
      const span = target - t;
      const graded = t === 0;
      // Past t' = 1 the survival is a smooth decaying profile: the step may grow with t' (up to 10 dtMax).
      const dtHere = dtMax * Math.min(Math.max(1, t), 10);
      const count = Math.max(Math.ceil(span / dtHere), graded ? MIN_FIRST_INTERVAL_STEPS : 1);
      const start = t;
      for (let k = 1; k <= count; k++) {
        const tk = graded ? start + span * (k / count) ** 2 : start + span * (k / count);
        const dt = tk - t;
        const implicitWeight = steps < RANNACHER_STEPS ? 1 : 0.5;
        step(dt, implicitWeight);
        t = tk;
        steps++;
        if (maxAbs(u) < 1e-17) {
          dead = true;
          break;
        }
      }
      t = target;
    }
    survival[idx] = dead ? 0 : Math.min(1, Math.max(0, interpolate(u, z0, zLevel, h, m)));
    gap[idx] = dead ? 0 : interpolate(v, z0, zLevel, h, m);
  }
  return { survival, gap, nodes: m + 1, timeSteps: steps };

  /** One theta-scheme step: (I - w dt L) x' = (I + (1 - w) dt L) x, for u and v together. */
  function step(dt: number, w: number): void {
    const a = w * dt;
    const b = (1 - w) * dt;
    for (let i = 1; i <= m; i++) {
      const upU = i < m ? u[i + 1] : 0;
      const upV = i < m ? v[i + 1] : 0;
      rhsU[i] = u[i] + b * (lower[i] * u[i - 1] + diag[i] * u[i] + upper[i] * upU);
      rhsV[i] = v[i] + b * (lower[i] * v[i - 1] + diag[i] * v[i] + upper[i] * upV);
    }
    // Thomas algorithm on rows 1..m (u_0 = v_0 = 0 so the first row has no lower term).
    let denom = 1 - a * diag[1];
    cPrime[1] = (-a * upper[1]) / denom;
    uNext[1] = rhsU[1] / denom;
    vNext[1] = rhsV[1] / denom;
    for (let i = 2; i <= m; i++) {
      const li = -a * lower[i];
      denom = 1 - a * diag[i] - li * cPrime[i - 1];
      cPrime[i] = i < m ? (-a * upper[i]) / denom : 0;
      uNext[i] = (rhsU[i] - li * uNext[i - 1]) / denom;
      vNext[i] = (rhsV[i] - li * vNext[i - 1]) / denom;
    }
    for (let i = m - 1; i >= 1; i--) {
      uNext[i] -= cPrime[i] * uNext[i + 1];
      vNext[i] -= cPrime[i] * vNext[i + 1];
    }
    [u, uNext] = [uNext, u];
    [v, vNext] = [vNext, v];
  }
}

function maxAbs(x: Float64Array): number {
  let max = 0;
  for (let i = 0; i < x.length; i++) max = Math.max(max, Math.abs(x[i]));
  return max;
}

/** Cubic Lagrange interpolation of nodal values at z0 (nodes zLevel + i h, i = 0..m). */
function interpolate(values: Float64Array, z0: number, zLevel: number, h: number, m: number): number {
  const position = (z0 - zLevel) / h;
  const first = Math.min(Math.max(Math.floor(position) - 1, 0), m - 3);
  let sum = 0;
  for (let j = 0; j < 4; j++) {
    let weight = 1;
    for (let k = 0; k < 4; k++) {
      if (k !== j) weight *= (position - (first + k)) / (j - k);
    }
    sum += weight * values[first + j];
  }
  return sum;
}
