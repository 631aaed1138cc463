import type { Exchange } from 'ccxt';
import type { EpochMs } from '../../core/time.ts';
import type { MarkPriceEvent, TsSource } from '../../domain/events.ts';
import { UnsupportedMethodError } from '../types.ts';
import { hasMethod } from './capabilities.ts';
import { markDeviationProblem, priceProblem } from '../../domain/plausibility.ts';
import { stampTimes } from './eventTime.ts';
import { positiveOrNull, requireFinite, requirePlausible } from './validate.ts';
import { venueSpec } from './supportedVenues.ts';

type PriceAnswer = { markPrice?: number; indexPrice?: number; timestamp?: number; info?: unknown };

/** A ticker with the mark and index price read from the venue's raw fields where ccxt leaves them out (CcxtVenueSpec.tickerInfoPrices). */
function withInfoPrices(ticker: PriceAnswer, fields: { markPrice: string; indexPrice?: string } | undefined): PriceAnswer {
  if (fields === undefined || positiveOrNull(ticker.markPrice) !== null) return ticker;
  const info = (ticker.info ?? {}) as Record<string, unknown>;
  const read = (field: string | undefined) => (field === undefined || info[field] === undefined || info[field] === null || info[field] === '' ? undefined : Number(info[field]));
  return { ...ticker, markPrice: read(fields.markPrice), indexPrice: ticker.indexPrice ?? read(fields.indexPrice) };
}

/** A mark price from a live venue: `tsSource` is always set. */
export type LiveMarkPriceEvent = MarkPriceEvent & { tsSource: TsSource };

/**
 * The mark (and index) price: fetchMarkPrice where the venue has it, else the ticker's markPrice,
 * (or the venue's own ticker field for it, CcxtVenueSpec.tickerInfoPrices: MEXC `fairPrice`), else the
 * funding-rate structure's markPrice (many venues publish mark price with funding), else (HTX, where
 * none of those has it: CcxtVenueSpec.markPriceFromMarkCandle) the close of the latest 1m mark candle,
 * stamped with that candle's open time.
 * `ts` is the venue's time of that answer, else the receipt time (tsSource says which). A price
 * above the ceiling, a mark more than 50 % from the index or an implausible time is an InputError.
 */
export async function fetchMarkPriceEvent(exchange: Exchange, venue: string, symbol: string, now: () => EpochMs): Promise<LiveMarkPriceEvent> {
  const attempts: { method: string; run: () => Promise<PriceAnswer> }[] = [];
  const infoPrices = venueSpec(exchange.id)?.tickerInfoPrices;
  if (hasMethod(exchange, 'fetchMarkPrice')) attempts.push({ method: 'fetchMarkPrice', run: () => exchange.fetchMarkPrice(symbol) });
  if (hasMethod(exchange, 'fetchTicker')) attempts.push({ method: 'fetchTicker', run: async () => withInfoPrices(await exchange.fetchTicker(symbol), infoPrices) });
  if (hasMethod(exchange, 'fetchFundingRate')) attempts.push({ method: 'fetchFundingRate', run: () => exchange.fetchFundingRate(symbol) });
  if (venueSpec(exchange.id)?.markPriceFromMarkCandle && hasMethod(exchange, 'fetchMarkOHLCV')) {
    attempts.push({
      method: 'fetchMarkOHLCV',
      run: async () => {
        const last = (await exchange.fetchMarkOHLCV(symbol, '1m', undefined, 1)).at(-1);
        return { markPrice: last?.[4], timestamp: last?.[0] };
      },
    });
  }
  if (attempts.length === 0) throw new UnsupportedMethodError(venue, 'fetchMarkPrice', exchange.id);
  let lastMethod = attempts[0].method;
  for (const attempt of attempts) {
    lastMethod = attempt.method;
    const answer = await attempt.run();
    const receivedAt = now();
    if (positiveOrNull(answer.markPrice) === null) continue;
    const source = `${venue} ${attempt.method}`;
    const markPrice = requireFinite(answer.markPrice, venue, attempt.method, `${symbol} markPrice`);
    const indexPrice = positiveOrNull(answer.indexPrice);
    requirePlausible(priceProblem('markPrice', markPrice), source, symbol);
    if (indexPrice !== null) {
      requirePlausible(priceProblem('indexPrice', indexPrice), source, symbol);
      requirePlausible(markDeviationProblem(markPrice, indexPrice, 'index'), source, symbol);
    }
    return { type: 'mark', venue, symbol, ...stampTimes(answer.timestamp, receivedAt, source, symbol), markPrice, indexPrice };
  }
  return requireFinite(undefined, venue, lastMethod, `${symbol} markPrice`) as never;
}
