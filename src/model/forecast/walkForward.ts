import { forecastModel, type FittedModel, type ForecastModel } from './models.ts';
import { errorMetrics, type ErrorMetrics } from './stats.ts';
import type { FundingFrame } from './types.ts';

/**
 * Walk-forward evaluation of a forecast model on one funding series. For every settlement j with
 * testFromMs <= ts[j] < testToMs (half-open), the forecast is made at the origin o = j - horizon,
 * once rate[o] has settled, by a model fitted on training origins i <= o - horizon (their targets
 * i + horizon settled at or before the origin): nothing after the origin is seen. Persistence
 * (the forecast of settlement j is rate[o], the last settled rate before the forecast) is the
 * baseline; where the store holds the venue's quoted (predicted) rate for j, that is a second one.
 */
export interface WalkForwardOptions {
  testFromMs: number;
  testToMs: number;
  horizon: number;
  model: ForecastModel | string;
  /** Refit after this many origins (default: the model's own). */
  refitEvery?: number;
}

export interface ScoredForecasts {
  name: string;
  mae: number;
  rmse: number;
  directionalAccuracy: number;
}

export interface WalkForwardResult {
  venue: string;
  symbol: string;
  horizon: number;
  testFrom: string;
  testTo: string;
  /** Settlements scored in [testFrom, testTo). */
  n: number;
  baseline: ScoredForecasts;
  model: ScoredForecasts & {
    description: string;
    /** Share of actual rates inside the forecast's 80% interval (0.8 when calibrated). */
    intervalCoverage: number;
    /** Mean width of the 80% interval (rate per interval). */
    meanIntervalWidth: number;
    features: readonly string[];
    fits: number;
  };
  /** model MAE / baseline MAE: below 1, the model beats persistence. */
  skillRatio: number;
  skillRatioRmse: number;
  /** Settlements whose sign differs from the origin's: how often the model called the flip (persistence never does). */
  signFlips: { n: number; modelCalled: number };
  /** The venue's quoted rate as a baseline, on the settlements that have one (null when the store holds none). */
  predicted: (ScoredForecasts & { n: number; modelMae: number; modelRmse: number; skillRatio: number }) | null;
  /** Each scored settlement: time, actual, model forecast and interval, persistence. */
  points: { ts: number; actual: number; forecast: number; lowRate: number; highRate: number; persistence: number; predicted: number | null }[];
}

export class ForecastEvaluationError extends Error {}

function scored(name: string, m: ErrorMetrics): ScoredForecasts {
  return { name, mae: m.mae, rmse: m.rmse, directionalAccuracy: m.directionalAccuracy };
}

export function walkForward(frame: FundingFrame, options: WalkForwardOptions): WalkForwardResult {
  const model = typeof options.model === 'string' ? forecastModel(options.model) : options.model;
  const h = options.horizon;
  const refitEvery = options.refitEvery ?? model.refitEvery;
  if (!Number.isInteger(refitEvery) || refitEvery < 1) throw new ForecastEvaluationError(`refit-every must be a whole number >= 1, got ${refitEvery}`);
  if (!Number.isInteger(h) || h < 1) throw new ForecastEvaluationError(`horizon must be a whole number >= 1, got ${h}`);
  if (!(options.testFromMs < options.testToMs)) throw new ForecastEvaluationError(`the test window is empty: test-from ${iso(options.testFromMs)} is not before test-to ${iso(options.testToMs)}`);
  const where = `${frame.venue} ${frame.symbol}`;
  const targets: number[] = [];
  for (let j = 0; j < frame.tsMs.length; j++) if (frame.tsMs[j] >= options.testFromMs && frame.tsMs[j] < options.testToMs) targets.push(j);
  if (targets.length === 0) {
    const n = frame.tsMs.length;
    throw new ForecastEvaluationError(`no ${where} settlement in [${iso(options.testFromMs)}, ${iso(options.testToMs)}): the series covers ${n ? `${iso(frame.tsMs[0])} to ${iso(frame.tsMs[n - 1])}` : 'nothing'}`);
  }
  // Training pairs available for the first forecast: origins firstOrigin..(o - h) with o = first target - h.
  const firstTrainingOrigin = model.firstOrigin;
  const available = targets[0] - 2 * h - firstTrainingOrigin + 1;
  if (available < model.minTrainPairs) {
    throw new ForecastEvaluationError(
      `too little history for ${model.name} on ${where}: ${targets[0]} settlements before ${iso(frame.tsMs[targets[0]])} give ${Math.max(0, available)} training pairs at horizon ${h}, ` +
        `the model needs ${model.minTrainPairs} (move --test-from later)`,
    );
  }

  const actual = new Float64Array(targets.length);
  const forecast = new Float64Array(targets.length);
  const persistence = new Float64Array(targets.length);
  const points: WalkForwardResult['points'] = [];
  let fitted: FittedModel | null = null;
  let fittedAt = -Infinity;
  let fits = 0;
  let inside = 0;
  let width = 0;
  let flips = 0;
  let flipsCalled = 0;
  const predForecast: number[] = [];
  const predModel: number[] = [];
  const predActual: number[] = [];
  targets.forEach((j, t) => {
    const o = j - h;
    if (fitted === null || o - fittedAt >= refitEvery) {
      const to = o - h;
      const from = Math.max(firstTrainingOrigin, to - model.trainWindow + 1);
      fitted = model.fit(frame, from, to, o, h);
      fittedAt = o;
      fits++;
    }
    const f = fitted.forecast(o);
    actual[t] = frame.rate[j];
    forecast[t] = f.rate;
    persistence[t] = frame.rate[o];
    if (frame.rate[j] >= f.lowRate && frame.rate[j] <= f.highRate) inside++;
    width += f.highRate - f.lowRate;
    if (frame.rate[j] !== 0 && Math.sign(frame.rate[j]) !== Math.sign(frame.rate[o])) {
      flips++;
      if (Math.sign(f.rate) === Math.sign(frame.rate[j])) flipsCalled++;
    }
    const predicted = frame.predicted[j];
    const hasPredicted = Number.isFinite(predicted);
    if (hasPredicted) {
      predForecast.push(predicted);
      predModel.push(f.rate);
      predActual.push(frame.rate[j]);
    }
    points.push({ ts: frame.tsMs[j], actual: frame.rate[j], forecast: f.rate, lowRate: f.lowRate, highRate: f.highRate, persistence: frame.rate[o], predicted: hasPredicted ? predicted : null });
  });

  const modelMetrics = errorMetrics(forecast, actual);
  const baselineMetrics = errorMetrics(persistence, actual);
  let predictedResult: WalkForwardResult['predicted'] = null;
  if (predActual.length > 0) {
    const p = errorMetrics(predForecast, predActual);
    const m = errorMetrics(predModel, predActual);
    predictedResult = { ...scored('venuePredicted', p), n: predActual.length, modelMae: m.mae, modelRmse: m.rmse, skillRatio: m.mae / p.mae };
  }
  const finalFit = fitted as FittedModel | null;
  return {
    venue: frame.venue,
    symbol: frame.symbol,
    horizon: h,
    testFrom: iso(options.testFromMs),
    testTo: iso(options.testToMs),
    n: targets.length,
    baseline: scored('persistence', baselineMetrics),
    model: {
      ...scored(model.name, modelMetrics),
      description: model.description,
      intervalCoverage: inside / targets.length,
      meanIntervalWidth: width / targets.length,
      features: finalFit?.features ?? [],
      fits,
    },
    skillRatio: modelMetrics.mae / baselineMetrics.mae,
    skillRatioRmse: modelMetrics.rmse / baselineMetrics.rmse,
    signFlips: { n: flips, modelCalled: flipsCalled },
    predicted: predictedResult,
    points,
  };
}

const iso = (ms: number) => new Date(ms).toISOString();
