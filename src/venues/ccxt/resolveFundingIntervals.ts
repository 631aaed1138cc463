import type { Exchange, FundingRateHistory } from 'ccxt';
import { DAY_MS, type EpochMs } from '../../core/time.ts';
import { methodSupport } from './capabilities.ts';
import { inferIntervalMsFromSettlements, intervalsFromFundingRates, intervalStringToMs, type FundingIntervalSource } from './fundingInterval.ts';

export interface FundingIntervalResolution {
  intervalMs: number;
  source: FundingIntervalSource;
}

export interface ResolveFundingIntervalsArgs {
  exchange: Exchange;
  perpSymbols: string[];
  /** Allow one or more requests per symbol (single interval, funding rate, funding history). */
  perSymbol: boolean;
  call: <T>(method: string, run: () => Promise<T>) => Promise<T>;
  history: (symbol: string, sinceMs: EpochMs, untilMs: EpochMs) => Promise<FundingRateHistory[]>;
  now: () => EpochMs;
  /** How far back to look when inferring from history (default 3 days: 72 settlements at 1h, 9 at 8h). */
  historyLookbackMs?: number;
}

/**
 * Funding interval per perp, from the best source the venue has, in order:
 * fetchFundingIntervals (one request), fetchFundingInterval (native only, per symbol),
 * the `interval` of fetchFundingRate (per symbol), the gaps between recent settlements (per symbol).
 * A perp no source answers for is left out (its interval stays null: never guessed).
 */
export async function resolveFundingIntervals(args: ResolveFundingIntervalsArgs): Promise<Map<string, FundingIntervalResolution>> {
  const { exchange, perpSymbols, call } = args;
  const out = new Map<string, FundingIntervalResolution>();
  if (perpSymbols.length === 0) return out;
  const remaining = () => perpSymbols.filter((s) => !out.has(s));
  let bulkDone = false;
  if (methodSupport(exchange, 'fetchFundingIntervals') !== 'missing') {
    const symbols = args.perSymbol ? perpSymbols : undefined;
    const intervals = intervalsFromFundingRates(await call('fetchFundingIntervals', () => exchange.fetchFundingIntervals(symbols)));
    for (const symbol of perpSymbols) {
      const intervalMs = intervals.get(symbol);
      if (intervalMs !== undefined) out.set(symbol, { intervalMs, source: 'fetchFundingIntervals' });
    }
    bulkDone = true;
  }
  if (!args.perSymbol) return out;
  if (!bulkDone && methodSupport(exchange, 'fetchFundingInterval') === 'native') {
    for (const symbol of remaining()) {
      const intervalMs = intervalStringToMs((await call('fetchFundingInterval', () => exchange.fetchFundingInterval(symbol))).interval);
      if (intervalMs !== null) out.set(symbol, { intervalMs, source: 'fetchFundingInterval' });
    }
  }
  if (methodSupport(exchange, 'fetchFundingRate') !== 'missing') {
    for (const symbol of remaining()) {
      const intervalMs = intervalStringToMs((await call('fetchFundingRate', () => exchange.fetchFundingRate(symbol))).interval);
      if (intervalMs !== null) out.set(symbol, { intervalMs, source: 'fetchFundingRate' });
    }
  }
  if (methodSupport(exchange, 'fetchFundingRateHistory') !== 'missing') {
    const untilMs = args.now();
    const sinceMs = untilMs - (args.historyLookbackMs ?? 3 * DAY_MS);
    for (const symbol of remaining()) {
      const rows = await args.history(symbol, sinceMs, untilMs);
      const intervalMs = inferIntervalMsFromSettlements(rows.map((r) => r.timestamp).filter((t): t is number => typeof t === 'number'));
      if (intervalMs !== null) out.set(symbol, { intervalMs, source: 'fundingHistory' });
    }
  }
  return out;
}
