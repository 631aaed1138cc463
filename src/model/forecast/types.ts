/**
 * Funding-rate forecasts. Rates are fractions per settlement interval (positive: longs pay shorts).
 * A forecast is made at an ORIGIN settlement (once its rate is known) for the settlement `horizon`
 * intervals later, from data known at the origin only.
 */

/** A point forecast with an 80% interval (the 10% and 90% quantiles of the forecast's error added to it). */
export interface FundingForecast {
  rate: number;
  lowRate: number;
  highRate: number;
}

/** The quantiles the interval spans: 10% and 90%. */
export const INTERVAL_LOW_Q = 0.1;
export const INTERVAL_HIGH_Q = 0.9;

/**
 * What is known of one funding series at each settlement: its rates, intervals, and exogenous
 * features already aligned to the settlement times (the value known at each settlement, NaN
 * where unknown). Built from the store by data/forecast/fundingFrame.ts.
 */
export interface FundingFrame {
  venue: string;
  symbol: string;
  /** Settlement times, ascending (ms UTC). */
  tsMs: Float64Array;
  /** Settled rate per interval. */
  rate: Float64Array;
  /** Interval of each settlement (ms). */
  intervalMs: Float64Array;
  /** Exogenous features at each settlement time, e.g. basis, premium, volume, other markets' rates. */
  features: readonly FrameFeature[];
  /**
   * The venue's last quoted (predicted) rate for settlement i before it settled, NaN where the store
   * holds no quote for it; `predictedTsMs` is when that quote was taken.
   */
  predicted: Float64Array;
  predictedTsMs: Float64Array;
}

export interface FrameFeature {
  name: string;
  values: Float64Array;
}

/** A fitted model: forecasts from a feature row built at an origin. */
export interface FittedForecaster {
  forecast(origin: number): FundingForecast;
}
