/**
 * Error function and the standard normal distribution, to about 1e-15 (relative for erfc, so the
 * tails keep their accuracy). W. J. Cody, "Rational Chebyshev approximations for the error function",
 * Mathematics of Computation 23 (1969) 631-637; coefficients of Netlib SPECFUN CALERF.
 */

const A = [3.1611237438705656, 113.864154151050156, 377.485237685302021, 3209.37758913846947, 0.185777706184603153];
const B = [23.6012909523441209, 244.024637934444173, 1282.61652607737228, 2844.23683343917062];
const C = [
  0.564188496988670089, 8.88314979438837594, 66.1191906371416295, 298.635138197400131, 881.95222124176909,
  1712.04761263407058, 2051.07837782607147, 1230.33935479799725, 2.15311535474403846e-8,
];
const D = [
  15.7449261107098347, 117.693950891312499, 537.181101862009858, 1621.38957456669019, 3290.79923573345963,
  4362.61909014324716, 3439.36767414372164, 1230.33935480374942,
];
const P = [0.305326634961232344, 0.360344899949804439, 0.125781726111229246, 0.0160837851487422766, 6.58749161529837803e-4, 0.0163153871373020978];
const Q = [2.56852019228982242, 1.87295284992346047, 0.527905102951428412, 0.0605183413124413191, 2.33520497626869185e-3];
const ONE_OVER_SQRT_PI = 0.56418958354775628695;

/** erf(x) for |x| <= 0.46875. */
function erfSmall(x: number): number {
  const ysq = x * x;
  let num = A[4] * ysq;
  let den = ysq;
  for (let i = 0; i < 3; i++) {
    num = (num + A[i]) * ysq;
    den = (den + B[i]) * ysq;
  }
  return (x * (num + A[3])) / (den + B[3]);
}

/** exp(y^2) erfc(y) for y > 0.46875: a smooth factor, insensitive to rounding in y. */
function erfcScaledPositive(y: number): number {
  if (y <= 4) {
    let num = C[8] * y;
    let den = y;
    for (let i = 0; i < 7; i++) {
      num = (num + C[i]) * y;
      den = (den + D[i]) * y;
    }
    return (num + C[7]) / (den + D[7]);
  }
  const ysq = 1 / (y * y);
  let num = P[5] * ysq;
  let den = ysq;
  for (let i = 0; i < 4; i++) {
    num = (num + P[i]) * ysq;
    den = (den + Q[i]) * ysq;
  }
  return (ONE_OVER_SQRT_PI - (ysq * (num + P[4])) / (den + Q[4])) / y;
}

/**
 * exp(-z^2 / 2) for z >= 0 without the rounding of z^2: z = k + d with k a multiple of 1/16, so k^2 is
 * exact and z^2 / 2 = k^2 / 2 + d (z + k) / 2.
 */
function expHalfSquare(z: number): number {
  const k = Math.trunc(16 * z) / 16;
  return Math.exp((-k * k) / 2) * Math.exp((-(z - k) * (z + k)) / 2);
}

function erfcPositive(y: number): number {
  const k = Math.trunc(16 * y) / 16; // exp(-y^2) the same way as expHalfSquare
  return Math.exp(-k * k) * Math.exp(-(y - k) * (y + k)) * erfcScaledPositive(y);
}

export function erf(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  const y = Math.abs(x);
  if (y <= 0.46875) return erfSmall(x);
  const r = 1 - erfcPositive(y);
  return x < 0 ? -r : r;
}

export function erfc(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  const y = Math.abs(x);
  if (y <= 0.46875) return 1 - erfSmall(x);
  const r = erfcPositive(y);
  return x < 0 ? 2 - r : r;
}

/** P(Z > x) for a standard normal Z (accurate in the upper tail, unlike 1 - normalCdf). */
export function normalSf(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  const z = Math.abs(x);
  const y = z / Math.SQRT2;
  // The exponential factor comes from z itself, so y's rounding does not cost ~z^2 ulps in the tail.
  const upper = y <= 0.46875 ? 0.5 - 0.5 * erfSmall(y) : 0.5 * expHalfSquare(z) * erfcScaledPositive(y);
  return x < 0 ? 1 - upper : upper;
}

/** P(Z <= x) for a standard normal Z. */
export function normalCdf(x: number): number {
  return normalSf(-x);
}

