import type { OuParams } from './ouParams.ts';

/** E[s_tau | s_0] = mu + (s_0 - mu) e^{-theta tau}. */
export function ouConditionalMean(params: OuParams, s0: number, tauSeconds: number): number {
  return params.mu + (s0 - params.mu) * Math.exp(-params.thetaPerSecond * tauSeconds);
}

/**
 * Var[s_tau | s_0] = sigma^2 (1 - e^{-2 theta tau}) / (2 theta); expm1 keeps it accurate when theta tau is
 * small, and theta -> 0 gives the Brownian limit sigma^2 tau.
 */
export function ouConditionalVariance(params: OuParams, tauSeconds: number): number {
  const { thetaPerSecond: theta, sigmaPerSqrtSecond: sigma } = params;
  if (theta === 0) return sigma * sigma * tauSeconds;
  return (sigma * sigma * -Math.expm1(-2 * theta * tauSeconds)) / (2 * theta);
}

/** Stationary standard deviation sigma / sqrt(2 theta), the scale of the basis around mu. */
export function ouStationarySd(params: OuParams): number {
  return params.sigmaPerSqrtSecond / Math.sqrt(2 * params.thetaPerSecond);
}

/** The fraction of the gap to mu expected to close within tau: 1 - e^{-theta tau}. */
export function reversionFraction(params: Pick<OuParams, 'thetaPerSecond'>, tauSeconds: number): number {
  return -Math.expm1(-params.thetaPerSecond * tauSeconds);
}
