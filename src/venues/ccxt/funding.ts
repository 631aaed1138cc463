import type { FundingRate, FundingRateHistory } from 'ccxt';
import type { EpochMs } from '../../core/time.ts';
import type { FundingRateEvent } from '../../domain/events.ts';
import type { FundingRateQuoteEvent } from '../types.ts';
import { stampTimes } from './eventTime.ts';
import { intervalStringToMs } from './fundingInterval.ts';
import { finiteOrNull, positiveOrNull, requireFinite, requireSymbol } from './validate.ts';

/** A ccxt funding-rate structure as a quote event. `ts` is the venue's time of the quote, else the receipt time (tsSource says which). */
export function toFundingQuote(venue: string, rate: FundingRate, receivedAt: EpochMs, method = 'fetchFundingRate'): FundingRateQuoteEvent {
  return {
    type: 'fundingQuote',
    venue,
    symbol: requireSymbol(rate.symbol, venue, method),
    ...stampTimes(rate.timestamp, receivedAt),
    fundingRatePerInterval: requireFinite(rate.fundingRate, venue, method, `${rate.symbol} fundingRate`),
    // ccxt: fundingTimestamp is the settlement the current fundingRate applies to (the next one).
    nextFundingTimeMs: finiteOrNull(rate.fundingTimestamp),
    fundingIntervalMs: intervalStringToMs(rate.interval),
    markPrice: positiveOrNull(rate.markPrice),
    indexPrice: positiveOrNull(rate.indexPrice),
  };
}

/** A history row as a settlement. `rateInfoField` reads the rate from the venue's raw row instead of ccxt's `fundingRate`. */
export function toFundingSettlement(venue: string, row: FundingRateHistory, fundingIntervalMs: number | null, rateInfoField?: string): FundingRateEvent {
  const method = 'fetchFundingRateHistory';
  const rawRate: unknown = rateInfoField === undefined ? row.fundingRate : Number((row.info as Record<string, unknown> | undefined)?.[rateInfoField]);
  return {
    type: 'funding',
    venue,
    symbol: requireSymbol(row.symbol, venue, method),
    ts: requireFinite(row.timestamp, venue, method, `${row.symbol} timestamp`),
    receivedAt: null,
    fundingRatePerInterval: requireFinite(rawRate, venue, method, `${row.symbol} ${rateInfoField ?? 'fundingRate'}`),
    fundingIntervalMs,
    markPrice: null,
  };
}

