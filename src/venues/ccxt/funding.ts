import type { FundingRate, FundingRateHistory } from 'ccxt';
import { isoUtc, type EpochMs } from '../../core/time.ts';
import type { FundingRateEvent } from '../../domain/events.ts';
import { eventTimeProblem, fundingIntervalProblem, fundingRateProblem, markDeviationProblem, nextFundingTimeProblem, priceProblem } from '../../domain/plausibility.ts';
import type { FundingRateQuoteEvent } from '../types.ts';
import { stampTimes } from './eventTime.ts';
import { intervalStringToMs } from './fundingInterval.ts';
import { finiteOrNull, positiveOrNull, requireFinite, requirePlausible, requireSymbol } from './validate.ts';

/**
 * A ccxt funding-rate structure as a quote event. `ts` is the venue's time of the quote, else the
 * receipt time (tsSource says which). Values outside the plausibility bounds (domain/plausibility.ts)
 * are an InputError naming venue, method and symbol.
 */
export function toFundingQuote(venue: string, rate: FundingRate, receivedAt: EpochMs, method = 'fetchFundingRate'): FundingRateQuoteEvent {
  const symbol = requireSymbol(rate.symbol, venue, method);
  const source = `${venue} ${method}`;
  const times = stampTimes(rate.timestamp, receivedAt, source, symbol);
  const fundingRatePerInterval = requireFinite(rate.fundingRate, venue, method, `${symbol} fundingRate`);
  requirePlausible(fundingRateProblem('fundingRate', fundingRatePerInterval), source, symbol);
  // ccxt: fundingTimestamp is the settlement the current fundingRate applies to (the next one).
  const nextFundingTimeMs = finiteOrNull(rate.fundingTimestamp);
  if (nextFundingTimeMs !== null) requirePlausible(nextFundingTimeProblem('fundingTimestamp', nextFundingTimeMs, receivedAt), source, symbol);
  const fundingIntervalMs = intervalStringToMs(rate.interval);
  if (fundingIntervalMs !== null) requirePlausible(fundingIntervalProblem('interval', fundingIntervalMs), source, symbol);
  const markPrice = positiveOrNull(rate.markPrice);
  const indexPrice = positiveOrNull(rate.indexPrice);
  if (markPrice !== null) requirePlausible(priceProblem('markPrice', markPrice), source, symbol);
  if (indexPrice !== null) requirePlausible(priceProblem('indexPrice', indexPrice), source, symbol);
  if (markPrice !== null && indexPrice !== null) requirePlausible(markDeviationProblem(markPrice, indexPrice, 'index'), source, symbol);
  return { type: 'fundingQuote', venue, symbol, ...times, fundingRatePerInterval, nextFundingTimeMs, fundingIntervalMs, markPrice, indexPrice };
}

/**
 * A history row as a settlement. `rateInfoField` reads the rate from the venue's raw row instead of
 * ccxt's `fundingRate`. A settlement time or rate outside the plausibility bounds is an InputError
 * naming venue, method and symbol; `nowMs` is the local clock the time is judged by.
 */
export function toFundingSettlement(venue: string, row: FundingRateHistory, fundingIntervalMs: number | null, rateInfoField?: string, nowMs: EpochMs = Date.now()): FundingRateEvent {
  const method = 'fetchFundingRateHistory';
  const source = `${venue} ${method}`;
  const rawRate: unknown = rateInfoField === undefined ? row.fundingRate : Number((row.info as Record<string, unknown> | undefined)?.[rateInfoField]);
  const symbol = requireSymbol(row.symbol, venue, method);
  const ts = requireFinite(row.timestamp, venue, method, `${symbol} timestamp`);
  requirePlausible(eventTimeProblem('timestamp', ts, nowMs), source, symbol);
  const rateField = rateInfoField ?? 'fundingRate';
  const fundingRatePerInterval = requireFinite(rawRate, venue, method, `${symbol} ${rateField}`);
  requirePlausible(fundingRateProblem(rateField, fundingRatePerInterval), source, `${symbol} settlement at ${isoUtc(ts)}:`);
  return { type: 'funding', venue, symbol, ts, receivedAt: null, fundingRatePerInterval, fundingIntervalMs, markPrice: null };
}
