import type { OuParams } from './ouParams.ts';

/**
 * Leung & Li (2015), "Optimal mean reversion trading with transaction costs and stop-loss exit",
 * Int. J. Theor. Appl. Finance 18(3): the case without stop-loss.
 *
 * NOTATION. They write dX = mu (theta - X) dt + sigma dB: THEIR mu is OUR thetaPerSecond (the speed) and
 * THEIR theta is OUR mu (the level); sigma is the same. r is their discount rate (here per second).
 *
 * Exit: V(x) = sup_tau E_x[e^{-r tau} (X_tau - c_s)] = (b* - c_s) F(x) / F(b*) below b*, x - c_s above,
 *   with b* the root of F(b) - (b - c_s) F'(b) = 0 (b* > c_s).
 * Entry: J(x) = sup_nu E_x[e^{-r^ nu} (V(X_nu) - X_nu - c_b)]: enter when X <= d*, the root below b* of
 *   G^(d) (V'(d) - 1) - G^'(d) (V(d) - d - c_b) = 0, G^ being G with r^.
 * F(x) = int_0^inf u^{r/mu - 1} e^{sqrt(2 mu / sigma^2) (x - theta) u - u^2/2} du (increasing in x),
 * G(x) = the same with (theta - x) (decreasing); both solve (sigma^2/2) f'' + mu (theta - x) f' = r f.
 *
 * On the basis: X = s is the value of a long-basis position (long perp / short spot), so d* and b* are its
 * entry and exit levels; a short-basis position is X = -s (mean -mu), see `side`. The model discounts the
 * LEVEL of X (it treats X as the price paid on entry and received on exit), so unlike Bertram the levels
 * are not translation invariant in mu; costs are per transaction: c_b (open: two legs' fees, half the
 * crossing) and c_s (close).
 */

export interface LeungLiInputs {
  /** Exit (liquidation) cost c_s per unit notional. */
  costExit: number;
  /** Entry cost c_b; default costExit. */
  costEntry?: number;
  /** r, per second (> 0). */
  discountRatePerSecond: number;
  /** r^ for the entry problem; default discountRatePerSecond. */
  entryDiscountRatePerSecond?: number;
  /** 'longBasis' (default): buy the basis low, sell high. 'shortBasis': the mirror, on X = -s. */
  side?: 'longBasis' | 'shortBasis';
}

export interface LeungLiLevels {
  side: 'longBasis' | 'shortBasis';
  /** Level of s at which to open: s <= entry for longBasis, s >= entry for shortBasis. */
  entry: number;
  /** Level of s at which to close: s >= exit for longBasis, s <= exit for shortBasis. */
  exit: number;
  /** In Leung-Li's own X (X = s or -s): d* and b*, with d* < b*. */
  dStar: number;
  bStar: number;
  /** Residuals of the first-order conditions, each divided by F(b*) resp. G^(d*). */
  exitFocResidual: number;
  entryFocResidual: number;
}

/** The Leung-Li functions of one OU in their notation: level theta, speed mu, and discount rate r. */
export interface LeungLiFunctions {
  F(x: number): number;
  dF(x: number): number;
  G(x: number): number;
  dG(x: number): number;
}

export function leungLiFunctions(params: OuParams, discountRatePerSecond: number): LeungLiFunctions {
  const speed = params.thetaPerSecond;
  const level = params.mu;
  const kappa = Math.sqrt(2 * speed) / params.sigmaPerSqrtSecond;
  const nu = discountRatePerSecond / speed;
  if (!(nu > 0) || !Number.isFinite(nu)) throw new Error(`discount rate and speed must be > 0 (r/mu = ${nu})`);
  return {
    F: (x) => integralI(nu, kappa * (x - level)),
    dF: (x) => kappa * integralI(nu + 1, kappa * (x - level)),
    G: (x) => integralI(nu, kappa * (level - x)),
    dG: (x) => -kappa * integralI(nu + 1, kappa * (level - x)),
  };
}

/** b* and d* (no stop-loss). */
export function leungLiOptimalLevels(params: OuParams, inputs: LeungLiInputs): LeungLiLevels {
  const side = inputs.side ?? 'longBasis';
  const x: OuParams = side === 'longBasis' ? params : { ...params, mu: -params.mu };
  const cs = inputs.costExit;
  const cb = inputs.costEntry ?? cs;
  if (!(cs >= 0) || !(cb >= 0)) throw new Error('costs must be >= 0');
  const exitFns = leungLiFunctions(x, inputs.discountRatePerSecond);
  const entryFns = leungLiFunctions(x, inputs.entryDiscountRatePerSecond ?? inputs.discountRatePerSecond);
  const sd = params.sigmaPerSqrtSecond / Math.sqrt(2 * params.thetaPerSecond);

  const bStar = leungLiOptimalExit(exitFns, cs, sd);
  const scale = (bStar - cs) / exitFns.F(bStar);
  const value = (d: number) => scale * exitFns.F(d);
  const slope = (d: number) => scale * exitFns.dF(d);
  const entryFoc = (d: number) => entryFns.G(d) * (slope(d) - 1) - entryFns.dG(d) * (value(d) - d - cb);
  // entryFoc(b*) = c_b G^'(b*) < 0 and entryFoc -> +inf as d -> -inf: step down from b* to bracket.
  let high = bStar;
  let low = bStar - sd;
  for (let i = 0; entryFoc(low) <= 0; i++) {
    if (i > 200) throw new Error('Leung-Li: no entry level found below b*');
    high = low;
    low -= sd * 2 ** Math.min(i, 6);
  }
  const dStar = bisect(entryFoc, low, high);

  const toS = (level: number) => (side === 'longBasis' ? level : -level);
  return {
    side,
    entry: toS(dStar),
    exit: toS(bStar),
    dStar,
    bStar,
    exitFocResidual: (exitFns.F(bStar) - (bStar - cs) * exitFns.dF(bStar)) / exitFns.F(bStar),
    entryFocResidual: entryFoc(dStar) / entryFns.G(dStar),
  };
}

/** b*: root of (b - c) F'(b) - F(b), which is -F(c) < 0 at b = c and increasing above c (F is convex). */
export function leungLiOptimalExit(fns: LeungLiFunctions, cost: number, stepSize: number): number {
  const foc = (b: number) => (b - cost) * fns.dF(b) - fns.F(b);
  let low = cost;
  let high = cost + stepSize;
  for (let i = 0; foc(high) <= 0; i++) {
    if (i > 200) throw new Error('Leung-Li: no exit level found');
    low = high;
    high += stepSize * 2 ** Math.min(i, 6);
  }
  return bisect(foc, low, high);
}

/** Root of f on [low, high] where f(low) and f(high) differ in sign, to the last representable bit. */
function bisect(f: (x: number) => number, low: number, high: number): number {
  let fLow = f(low);
  for (let i = 0; i < 200; i++) {
    const mid = (low + high) / 2;
    if (mid === low || mid === high) break;
    const fMid = f(mid);
    if (fMid === 0) return mid;
    if (fMid < 0 === fLow < 0) {
      low = mid;
      fLow = fMid;
    } else {
      high = mid;
    }
  }
  return (low + high) / 2;
}

/**
 * I_p(z) = int_0^inf u^{p-1} e^{z u - u^2/2} du for p > 0 (F = I_nu(z), F' = kappa I_{nu+1}(z)).
 * - [0, 1]: e^{z u - u^2/2} = sum_n He_n(z) u^n / n! (the generating function of the Hermite polynomials
 *   He_n), so int_0^1 u^{p-1} e^{z u - u^2/2} du = sum_n He_n(z) / (n! (p + n)): exact in the singular
 *   factor u^{p-1} however small p = r/mu is. For z < -6 the alternating terms would cancel badly, and
 *   1/p + int_0^1 u^{p-1} expm1(z u - u^2/2) du (bounded integrand) is taken by adaptive Simpson instead.
 * - [1, max(1, z) + 14] (beyond, the integrand is < e^{-98} of its peak): 20-point Gauss-Legendre on
 *   panels of width 1/2, exact to rounding for this smooth Gaussian-shaped integrand.
 */
export function integralI(p: number, z: number): number {
  if (!(p > 0)) throw new Error(`p must be > 0 (got ${p})`);
  if (!(Math.abs(z) <= 35)) throw new Error(`|z| = ${Math.abs(z)} sds from the mean is out of range`);
  return headIntegral(p, z) + tailIntegral(p, z);
}

function headIntegral(p: number, z: number): number {
  if (z < -6) {
    const bounded = (u: number) => (u === 0 ? 0 : u ** (p - 1) * Math.expm1(z * u - (u * u) / 2));
    return 1 / p + adaptiveSimpson(bounded, 0, 1, 1e-13);
  }
  // c_n = He_n(z) / n!: c_{n+1} = (z c_n - c_{n-1}) / (n + 1)
  let previous = 1;
  let current = z;
  let sum = 1 / p + z / (p + 1);
  for (let n = 1; n < 500; n++) {
    const next = (z * current - previous) / (n + 1);
    previous = current;
    current = next;
    const term = current / (p + n + 1);
    sum += term;
    if (n > 2 * Math.abs(z) + 10 && Math.abs(term) <= 1e-17 * Math.abs(sum) && Math.abs(previous) <= 1e-17 * Math.abs(sum)) break;
  }
  return sum;
}

function tailIntegral(p: number, z: number): number {
  const upper = Math.max(1, z) + 14;
  const panels = Math.ceil((upper - 1) * 2);
  const width = (upper - 1) / panels;
  let sum = 0;
  for (let j = 0; j < panels; j++) {
    const mid = 1 + (j + 0.5) * width;
    for (let i = 0; i < GL_NODES.length; i++) {
      const u = mid + (width / 2) * GL_NODES[i];
      sum += GL_WEIGHTS[i] * u ** (p - 1) * Math.exp(z * u - (u * u) / 2);
    }
  }
  return (sum * width) / 2;
}

/** Gauss-Legendre nodes and weights on [-1, 1] by Newton's method on P_n. */
function gaussLegendre(n: number): { nodes: Float64Array; weights: Float64Array } {
  const nodes = new Float64Array(n);
  const weights = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let x = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    let derivative = 0;
    for (let iter = 0; iter < 100; iter++) {
      let p0 = 1;
      let p1 = x;
      for (let k = 2; k <= n; k++) {
        const p2 = ((2 * k - 1) * x * p1 - (k - 1) * p0) / k;
        p0 = p1;
        p1 = p2;
      }
      derivative = (n * (x * p1 - p0)) / (x * x - 1);
      const dx = p1 / derivative;
      x -= dx;
      if (Math.abs(dx) < 1e-16) break;
    }
    nodes[i] = x;
    weights[i] = 2 / ((1 - x * x) * derivative * derivative);
  }
  return { nodes, weights };
}

const { nodes: GL_NODES, weights: GL_WEIGHTS } = gaussLegendre(20);

function adaptiveSimpson(f: (x: number) => number, a: number, b: number, relTol: number): number {
  const fa = f(a);
  const fb = f(b);
  const fm = f((a + b) / 2);
  const whole = ((b - a) / 6) * (fa + 4 * fm + fb);
  let scale = Math.abs(whole);
  for (let i = 1; i < 64; i++) scale = Math.max(scale, (Math.abs(f(a + ((b - a) * i) / 64)) * (b - a)) / 64);
  return recurse(a, b, fa, fm, fb, whole, Math.max(relTol * scale, Number.MIN_VALUE), 50);

  function recurse(lo: number, hi: number, flo: number, fmid: number, fhi: number, s: number, tol: number, depth: number): number {
    const mid = (lo + hi) / 2;
    const fl = f((lo + mid) / 2);
    const fr = f((mid + hi) / 2);
    const sLeft = ((mid - lo) / 6) * (flo + 4 * fl + fmid);
    const sRight = ((hi - mid) / 6) * (fmid + 4 * fr + fhi);
    const delta = sLeft + sRight - s;
    if (depth <= 0 || Math.abs(delta) <= 15 * tol) return sLeft + sRight + delta / 15;
    return recurse(lo, mid, flo, fl, fmid, sLeft, tol / 2, depth - 1) + recurse(mid, hi, fmid, fr, fhi, sRight, tol / 2, depth - 1);
  }
}
