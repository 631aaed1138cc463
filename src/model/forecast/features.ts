import type { FundingFrame } from './types.ts';

/**
 * The feature row of an origin settlement i for the settlement i + horizon: what is known once
 * rate[i] has settled.
 * - lag0..lag{L-1}: rate[i], rate[i-1], ... (the series' own recent rates);
 * - mean{M}: the mean of the last M rates (a slower level);
 * - hourSin, hourCos: the UTC time of day of the target settlement (some venues' rates differ by hour);
 * - the frame's exogenous features at i (basis, premium, volume, other markets' rates), where used.
 */
export interface FeatureSpec {
  lags: number;
  meanWindow: number;
  /** Indices into frame.features of the exogenous columns to include. */
  exogenous: readonly number[];
}

export function featureNames(frame: FundingFrame, spec: FeatureSpec): string[] {
  const names: string[] = [];
  for (let k = 0; k < spec.lags; k++) names.push(`lag${k}`);
  names.push(`mean${spec.meanWindow}`, 'hourSin', 'hourCos');
  for (const j of spec.exogenous) names.push(frame.features[j].name);
  return names;
}

/** The first origin index with every lag and the mean window available. */
export function firstOrigin(spec: FeatureSpec): number {
  return Math.max(spec.lags, spec.meanWindow) - 1;
}

export function featureRow(frame: FundingFrame, i: number, horizon: number, spec: FeatureSpec): number[] {
  const row: number[] = [];
  for (let k = 0; k < spec.lags; k++) row.push(frame.rate[i - k]);
  let sum = 0;
  for (let k = 0; k < spec.meanWindow; k++) sum += frame.rate[i - k];
  row.push(sum / spec.meanWindow);
  const targetMs = frame.tsMs[i] + horizon * frame.intervalMs[i];
  const angle = (2 * Math.PI * (((targetMs % 86_400_000) + 86_400_000) % 86_400_000)) / 86_400_000;
  row.push(Math.sin(angle), Math.cos(angle));
  for (const j of spec.exogenous) row.push(frame.features[j].values[i]);
  return row;
}

/**
 * The exogenous columns usable for a fit whose training origins are [from, to] and which will
 * forecast from `origin`: those known at the origin and at every training origin (a column with a
 * gap would leave rows to impute; they are left out instead, and named in the result).
 */
export function usableExogenous(frame: FundingFrame, from: number, to: number, origin: number): number[] {
  const out: number[] = [];
  frame.features.forEach((f, j) => {
    if (!Number.isFinite(f.values[origin])) return;
    for (let i = from; i <= to; i++) if (!Number.isFinite(f.values[i])) return;
    out.push(j);
  });
  return out;
}
