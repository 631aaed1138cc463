import type { FundingRate } from 'ccxt';
import { MINUTE_MS, timeframeToMs } from '../../core/time.ts';

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
 * The funding interval implied by settlement times: the most frequent gap between consecutive
 * settlements, rounded to the minute (venues stamp settlements a few ms late). Null with fewer
 * than two settlements. Ties go to the shorter gap (a missing settlement doubles a gap, never halves it).
 */
export function inferIntervalMsFromSettlements(settlementTimesMs: readonly number[]): number | null {
  const sorted = [...settlementTimesMs].sort((a, b) => a - b);
  const counts = new Map<number, number>();
  for (let k = 1; k < sorted.length; k++) {
    const gap = Math.round((sorted[k] - sorted[k - 1]) / MINUTE_MS) * MINUTE_MS;
    if (gap > 0) counts.set(gap, (counts.get(gap) ?? 0) + 1);
  }
  let best: number | null = null;
  let bestCount = 0;
  for (const [gap, count] of counts) {
    if (count > bestCount || (count === bestCount && best !== null && gap < best)) {
      best = gap;
      bestCount = count;
    }
  }
  return best;
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

