import { z } from 'zod';
import { numberIn } from '../domain/config/range.ts';
import { RANGES } from '../domain/config/ranges.ts';
import { createFundingForecaster, type FundingForecaster } from '../model/forecast/onlineForecaster.ts';

/**
 * The funding forecaster a strategy's params reference (`"forecast": { "model": "ar" }`). It is
 * built from the settlements the strategy sees, so backtest, paper and live runs forecast alike.
 */
export const FundingForecastConfigSchema = z.strictObject({
  /** 'ar': direct AR(3) per horizon (src/model/forecast/onlineForecaster.ts); 'persistence': the last settled rate. */
  model: z.enum(['ar', 'persistence']).default('ar'),
  /** Most recent settlements each fit uses. */
  trainWindow: numberIn(RANGES.forecastTrainPoints).default(720),
  /** Settlements seen before the first forecast (no decision before). */
  minHistory: numberIn(RANGES.forecastMinHistory).default(60),
  /** Refit after this many new settlements. */
  refitEvery: numberIn(RANGES.refitEveryPoints).default(1),
});

export type FundingForecastConfig = z.output<typeof FundingForecastConfigSchema>;

export function forecasterOf(config: FundingForecastConfig): FundingForecaster {
  return createFundingForecaster(config);
}
