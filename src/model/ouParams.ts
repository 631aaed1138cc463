/**
 * Ornstein-Uhlenbeck parameters of the basis s = (perp - spot) / spot, a fraction:
 * ds = theta (mu - s) dt + sigma dW, with time in SECONDS.
 */
export interface OuParams {
  /** Mean-reversion speed, per second. */
  thetaPerSecond: number;
  /** Long-run mean of the basis (fraction). */
  mu: number;
  /** Diffusion, per square-root second (fraction / sqrt(s)). */
  sigmaPerSqrtSecond: number;
}

export function halfLifeSeconds(params: Pick<OuParams, 'thetaPerSecond'>): number {
  return Math.LN2 / params.thetaPerSecond;
}
