import { RandomForestRegression } from 'ml-random-forest';
import { featureRow, usableExogenous, type FeatureSpec } from './features.ts';
import { quantileOf } from './stats.ts';
import { INTERVAL_HIGH_Q, INTERVAL_LOW_Q, type FundingForecast, type FundingFrame } from './types.ts';

/**
 * Random-forest regression (ml-random-forest, bagged CART trees) of the CHANGE rate[i + h] - rate[i]
 * on the feature row of origin i; the forecast is rate[i] plus the predicted change. (Trees fitted to
 * the level give piecewise-constant forecasts that lose to persistence on a slowly moving rate;
 * fitted to the change, they start from persistence and correct it.) The interval adds the 10% and 90% quantiles of the OUT-OF-BAG residuals (each
 * training row predicted only by the trees that did not see it), not the in-sample ones, which a
 * forest fits almost exactly.
 */
export interface ForestOptions {
  trees: number;
  maxDepth: number;
  minLeafSamples: number;
  /** Fraction of the features each tree sees. */
  featureFraction: number;
  seed: number;
}

export const DEFAULT_FOREST: ForestOptions = { trees: 25, maxDepth: 5, minLeafSamples: 10, featureFraction: 0.6, seed: 17 };

export interface ForestFit {
  forest: RandomForestRegression;
  spec: FeatureSpec;
  horizon: number;
  residualLow: number;
  residualHigh: number;
  pairs: number;
}

export function fitForest(frame: FundingFrame, from: number, to: number, origin: number, horizon: number, base: Omit<FeatureSpec, 'exogenous'>, options: ForestOptions = DEFAULT_FOREST): ForestFit {
  const spec: FeatureSpec = { ...base, exogenous: usableExogenous(frame, from, to, origin) };
  const x: number[][] = [];
  const y: number[] = [];
  for (let i = from; i <= to; i++) {
    x.push(featureRow(frame, i, horizon, spec));
    y.push(frame.rate[i + horizon] - frame.rate[i]);
  }
  if (x.length < 20) throw new Error(`the forest needs at least 20 training pairs, got ${x.length}`);
  const forest = new RandomForestRegression({
    nEstimators: options.trees,
    maxFeatures: options.featureFraction,
    replacement: false,
    seed: options.seed,
    useSampleBagging: true,
    treeOptions: { maxDepth: options.maxDepth, minNumSamples: options.minLeafSamples },
  });
  forest.train(x, y);
  const oob = forest.predictOOB();
  const residuals: number[] = [];
  oob.forEach((p, r) => {
    if (Number.isFinite(p)) residuals.push(y[r] - p);
  });
  return { forest, spec, horizon, residualLow: quantileOf(residuals, INTERVAL_LOW_Q), residualHigh: quantileOf(residuals, INTERVAL_HIGH_Q), pairs: x.length };
}

export function forestForecast(fit: ForestFit, frame: FundingFrame, i: number): FundingForecast {
  const [change] = fit.forest.predict([featureRow(frame, i, fit.horizon, fit.spec)]);
  const rate = frame.rate[i] + change;
  return { rate, lowRate: rate + fit.residualLow, highRate: rate + fit.residualHigh };
}
