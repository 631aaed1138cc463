import type { FundingRate } from 'ccxt';
import { timeframeToMs } from '../../core/time.ts';
import { inferIntervalMs } from '../../data/import/fundingInterval.ts';

/** ccxt's `interval` ('8h', '1h', '60m') in ms; null when absent or unreadable. */
export function intervalStringToMs(interval: string | undefined | null): number | null {
  if (typeof interval !== 'string' || interval === '') return null;
  try {
    return timeframeToMs(interval);
  } catch {
    return null;
  }
}

/**
 * The funding interval implied by settlement times in any order: the most frequent gap, rounded to
 * the minute (the rule the importers use, in data/import/fundingInterval.ts). Null with fewer than two.
 */
export function inferIntervalMsFromSettlements(settlementTimesMs: readonly number[]): number | null {
  return inferIntervalMs([...settlementTimesMs].sort((a, b) => a - b));
}

/** Interval per symbol from ccxt's fetchFundingIntervals (a dictionary or a list, depending on the exchange). */
export function intervalsFromFundingRates(rates: Record<string, FundingRate> | FundingRate[]): Map<string, number> {
  const list = Array.isArray(rates) ? rates : Object.values(rates);
  const out = new Map<string, number>();
  for (const rate of list) {
    const ms = intervalStringToMs(rate.interval);
    if (rate.symbol && ms !== null) out.set(rate.symbol, ms);
  }
  return out;
}

export type FundingIntervalSource = 'fetchFundingIntervals' | 'fetchFundingInterval' | 'fetchFundingRate' | 'fundingHistory';

