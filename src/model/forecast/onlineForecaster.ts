import { arForecast, fitAr, type ArFit } from './ar.ts';
import { quantileOf } from './stats.ts';
import { INTERVAL_HIGH_Q, INTERVAL_LOW_Q, type FundingForecast } from './types.ts';

/**
 * A funding forecaster a strategy holds: from the settled rates it has seen (oldest first), the
 * forecasts of the next `windows` settlements (index 0: the next one). The same object in
 * backtest, paper and live runs: it sees only what the strategy saw, in the order it saw it.
 * Returns null while the history is shorter than `minHistory`.
 */
export interface FundingForecaster {
  readonly name: string;
  readonly minHistory: number;
  forecastPath(history: readonly number[], windows: number): FundingForecast[] | null;
}

export interface OnlineForecasterOptions {
  model: 'ar' | 'persistence';
  /** Most recent settlements each fit uses. */
  trainWindow: number;
  /** Settlements seen before the first forecast. */
  minHistory: number;
  /** Refit after this many new settlements (1: every settlement). */
  refitEvery: number;
}

export const AR_ONLINE_ORDER = 3;

/** Direct AR(3) per horizon 1..windows, refitted on the last trainWindow settlements. */
class ArForecaster implements FundingForecaster {
  readonly name = 'ar';
  readonly minHistory: number;
  private fits: ArFit[] = [];
  private fittedAtLength = -Infinity;
  constructor(private readonly options: OnlineForecasterOptions) {
    this.minHistory = Math.max(options.minHistory, AR_ONLINE_ORDER + 2 + 20);
  }

  forecastPath(history: readonly number[], windows: number): FundingForecast[] | null {
    const n = history.length;
    if (n < this.minHistory) return null;
    if (this.fits.length !== windows || n - this.fittedAtLength >= this.options.refitEvery) {
      const start = Math.max(0, n - this.options.trainWindow);
      const rates = history.slice(start);
      this.fits = [];
      for (let h = 1; h <= windows; h++) {
        const to = rates.length - 1 - h;
        const from = AR_ONLINE_ORDER - 1;
        // A horizon too long for the history repeats the longest one that fits.
        this.fits.push(to - from + 1 >= AR_ONLINE_ORDER + 2 ? fitAr(rates, from, to, AR_ONLINE_ORDER, h) : this.fits[this.fits.length - 1]);
      }
      this.fittedAtLength = n;
    }
    return this.fits.map((fit) => arForecast(fit, history, n - 1));
  }
}

/** The last settled rate for every window; interval from the quantiles of past h-step changes. */
class PersistenceForecaster implements FundingForecaster {
  readonly name = 'persistence';
  readonly minHistory: number;
  constructor(private readonly options: OnlineForecasterOptions) {
    this.minHistory = Math.max(2, options.minHistory);
  }

  forecastPath(history: readonly number[], windows: number): FundingForecast[] | null {
    const n = history.length;
    if (n < this.minHistory) return null;
    const last = history[n - 1];
    const start = Math.max(0, n - this.options.trainWindow);
    const out: FundingForecast[] = [];
    for (let h = 1; h <= windows; h++) {
      const changes: number[] = [];
      for (let i = start; i + h < n; i++) changes.push(history[i + h] - history[i]);
      const low = changes.length ? quantileOf(changes, INTERVAL_LOW_Q) : 0;
      const high = changes.length ? quantileOf(changes, INTERVAL_HIGH_Q) : 0;
      out.push({ rate: last, lowRate: last + low, highRate: last + high });
    }
    return out;
  }
}

export function createFundingForecaster(options: OnlineForecasterOptions): FundingForecaster {
  return options.model === 'ar' ? new ArForecaster(options) : new PersistenceForecaster(options);
}
