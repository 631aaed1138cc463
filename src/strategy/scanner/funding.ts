/**
 * Funding over a horizon, per unit of notional. A positive rate means longs pay shorts, so a
 * position of sign q (+1 long, -1 short) receives -q * rate at each settlement. The rate is assumed
 * to stay at its last known value; the settlements counted are those in (now, end], starting at
 * the next settlement time (rolled forward by whole intervals if already past), so venues with
 * different intervals and settlement times are compared on what they would pay.
 * (No double is passed to or returned from these functions except counts: see costs.ts walkResult.)
 */
import { fundingRatePer } from '../../model/annualisation.ts';
import { HOUR_MS } from '../../core/time.ts';
import type { ScanContext } from './context.ts';
import type { InstrumentState } from './marketState.ts';

const EIGHT_HOURS_MS = 8 * HOUR_MS;

/**
 * Settlements of `s` after the clock and up to the end of the holding period, or up to the expiry
 * of `until` when given (a calendar spread's future). NaN when the interval is unknown.
 */
export function settlementsWithin(s: InstrumentState, ctx: ScanContext, until: InstrumentState | null): number {
  const interval = s.fundingIntervalMs;
  if (!(interval > 0)) return Number.NaN;
  const nowMs = ctx.nowMs;
  const end = until === null ? nowMs + ctx.config.holdingPeriodMs : until.expiryMs;
  let next = s.nextSettlementMs;
  if (Number.isNaN(next)) return Math.floor((end - nowMs) / interval);
  if (next <= nowMs) next += Math.floor((nowMs - next) / interval + 1) * interval;
  return next > end ? 0 : Math.floor((end - next) / interval) + 1;
}

/** The rate scaled to an 8 h interval (the thresholds' unit), into s.fundingPer8h; NaN when unknown. */
export function setFundingPer8h(s: InstrumentState): void {
  s.fundingPer8h = fundingRatePer(s.fundingRatePerInterval, s.fundingIntervalMs, EIGHT_HOURS_MS);
}

/** Funding received by a long over the holding period, into s.fundingHoldLong (a short receives its negative); NaN when unknown. */
export function setFundingHoldLong(s: InstrumentState, ctx: ScanContext): void {
  const rate = s.fundingRatePerInterval;
  s.fundingHoldLong = Number.isNaN(rate) ? Number.NaN : -rate * settlementsWithin(s, ctx, null);
}
