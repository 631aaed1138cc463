import { arForecast, fitAr } from './ar.ts';
import { firstOrigin, featureNames, type FeatureSpec } from './features.ts';
import { DEFAULT_FOREST, fitForest, forestForecast } from './forest.ts';
import { quantileOf } from './stats.ts';
import { INTERVAL_HIGH_Q, INTERVAL_LOW_Q, type FittedForecaster, type FundingFrame } from './types.ts';

/**
 * The forecasting models by name. Each is fitted at an origin on the training origins before it
 * (targets settled at or before the origin) and then forecasts from that origin and the following
 * ones until the next refit.
 */
export interface ForecastModel {
  name: string;
  description: string;
  /** Training origins used per fit: the most recent ones. */
  trainWindow: number;
  /** Fewest training pairs before the first forecast. */
  minTrainPairs: number;
  /** Refit after this many origins. */
  refitEvery: number;
  /** First origin whose features are all defined. */
  firstOrigin: number;
  /** Fit on training origins from..to for forecasts from `origin` (to + horizon <= origin). */
  fit(frame: FundingFrame, from: number, to: number, origin: number, horizon: number): FittedModel;
}

export interface FittedModel extends FittedForecaster {
  /** Features the fit used (for the report). */
  features: readonly string[];
}

export const AR_ORDER = 3;
const FOREST_SPEC: Omit<FeatureSpec, 'exogenous'> = { lags: 6, meanWindow: 21 };

export const persistenceModel: ForecastModel = {
  name: 'persistence',
  description: 'the last settled rate; interval from the quantiles of past h-step changes',
  trainWindow: 720,
  minTrainPairs: 30,
  refitEvery: 1,
  firstOrigin: 0,
  fit(frame, from, to, _origin, horizon) {
    const changes: number[] = [];
    for (let i = from; i <= to; i++) changes.push(frame.rate[i + horizon] - frame.rate[i]);
    const low = quantileOf(changes, INTERVAL_LOW_Q);
    const high = quantileOf(changes, INTERVAL_HIGH_Q);
    return { features: ['lag0'], forecast: (i) => ({ rate: frame.rate[i], lowRate: frame.rate[i] + low, highRate: frame.rate[i] + high }) };
  },
};

export const arModel: ForecastModel = {
  name: 'ar',
  description: `direct AR(${AR_ORDER}) on the rate series, least squares over the last 720 settlements, refitted every settlement`,
  trainWindow: 720,
  minTrainPairs: 60,
  refitEvery: 1,
  firstOrigin: AR_ORDER - 1,
  fit(frame, from, to, _origin, horizon) {
    const fit = fitAr(frame.rate, from, to, AR_ORDER, horizon);
    return { features: Array.from({ length: AR_ORDER }, (_, k) => `lag${k}`), forecast: (i) => arForecast(fit, frame.rate, i) };
  },
};

export const forestModel: ForecastModel = {
  name: 'forest',
  description: `random forest (ml-random-forest, ${DEFAULT_FOREST.trees} trees, depth ${DEFAULT_FOREST.maxDepth}) on lags, a ${FOREST_SPEC.meanWindow}-settlement mean, time of day and the exogenous features; last 600 settlements, refitted every 90`,
  trainWindow: 600,
  minTrainPairs: 120,
  refitEvery: 90,
  firstOrigin: firstOrigin({ ...FOREST_SPEC, exogenous: [] }),
  fit(frame, from, to, origin, horizon) {
    const fit = fitForest(frame, from, to, origin, horizon, FOREST_SPEC);
    return { features: featureNames(frame, fit.spec), forecast: (i) => forestForecast(fit, frame, i) };
  },
};

export const FORECAST_MODELS: readonly ForecastModel[] = [arModel, forestModel, persistenceModel];

export function forecastModel(name: string): ForecastModel {
  const model = FORECAST_MODELS.find((m) => m.name === name);
  if (!model) throw new Error(`unknown forecast model '${name}' (one of ${FORECAST_MODELS.map((m) => m.name).join(', ')})`);
  return model;
}
