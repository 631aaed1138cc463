import type { BookSnapshotEvent, EventTimes, FundingRateEvent, MarkPriceEvent } from '../../../src/domain/events.ts';
import { eventTimeProblem, fundingIntervalProblem, fundingRateProblem, markDeviationProblem, nextFundingTimeProblem, priceProblem, sizeProblem } from '../../../src/domain/plausibility.ts';
import type { FundingRateQuoteEvent } from '../../../src/venues/types.ts';

/**
 * What a mapped event must satisfy when a mapper returns one instead of throwing: the same
 * plausibility bounds the mappers promise (src/domain/plausibility.ts). A mapper that lets a
 * non-finite size or an implausible time through returns a value that breaks these.
 * Each returns the first problem, or null.
 */

function timesProblem(e: EventTimes, nowMs: number): string | null {
  if (typeof e.symbol !== 'string' || e.symbol === '') return `symbol ${String(e.symbol)} is not a name`;
  return eventTimeProblem('ts', e.ts, nowMs);
}

const nullOr = (value: number | null, check: (v: number) => string | null) => (value === null ? null : check(value));

export function fundingQuoteProblem(e: FundingRateQuoteEvent, nowMs: number): string | null {
  return (
    timesProblem(e, nowMs) ??
    fundingRateProblem('fundingRatePerInterval', e.fundingRatePerInterval) ??
    nullOr(e.nextFundingTimeMs, (t) => nextFundingTimeProblem('nextFundingTimeMs', t, nowMs)) ??
    nullOr(e.fundingIntervalMs, (ms) => fundingIntervalProblem('fundingIntervalMs', ms)) ??
    nullOr(e.markPrice, (p) => priceProblem('markPrice', p)) ??
    nullOr(e.indexPrice, (p) => priceProblem('indexPrice', p)) ??
    (e.markPrice !== null && e.indexPrice !== null ? markDeviationProblem(e.markPrice, e.indexPrice, 'index') : null)
  );
}

export function fundingSettlementProblem(e: FundingRateEvent, nowMs: number): string | null {
  return timesProblem(e, nowMs) ?? fundingRateProblem('fundingRatePerInterval', e.fundingRatePerInterval) ?? nullOr(e.fundingIntervalMs, (ms) => fundingIntervalProblem('fundingIntervalMs', ms));
}

export function markPriceProblem(e: MarkPriceEvent, nowMs: number): string | null {
  return timesProblem(e, nowMs) ?? priceProblem('markPrice', e.markPrice) ?? nullOr(e.indexPrice, (p) => priceProblem('indexPrice', p) ?? markDeviationProblem(e.markPrice, p, 'index'));
}

export function bookProblem(e: BookSnapshotEvent, nowMs: number): string | null {
  const times = timesProblem(e, nowMs);
  if (times) return times;
  if (e.sequence !== null && !Number.isFinite(e.sequence)) return `sequence ${e.sequence} is not finite`;
  for (const side of ['bids', 'asks'] as const) {
    const levels = e[side];
    for (let k = 0; k < levels.length; k++) {
      const level = levels[k];
      const problem = priceProblem(`${side}[${k}].price`, level.price) ?? sizeProblem(`${side}[${k}].size`, level.size);
      if (problem) return problem;
      if (k > 0 && (side === 'bids' ? !(level.price < levels[k - 1].price) : !(level.price > levels[k - 1].price))) return `${side} are not sorted best first at ${k}`;
    }
  }
  if (e.bids.length > 0 && e.asks.length > 0 && !(e.bids[0].price < e.asks[0].price)) return `crossed: best bid ${e.bids[0].price} >= best ask ${e.asks[0].price}`;
  return null;
}
