import { DAY_MS, MINUTE_MS, type EpochMs } from '../core/time.ts';
import type { Instrument } from './instrument.ts';

/**
 * Plausibility bounds: a value outside them is not market data but a misread (a wrong unit or
 * column, a damaged file, a venue bug), and is rejected wherever data enters: the importers and
 * downloads (through validateSeries), the recorder and the ccxt mappers. The same bounds hold
 * everywhere. Each `...Problem` function returns null when the value is plausible, else the reason.
 */

/**
 * 2009-01-03T00:00Z, the Bitcoin genesis block: no crypto market existed before it. An earlier
 * event time is a misread (seconds taken for ms, 0 for a missing time).
 */
export const EARLIEST_EVENT_MS: EpochMs = Date.UTC(2009, 0, 3);

/**
 * How far an event time may be ahead of the local clock. Clocks disagree by seconds, a time-zone
 * mistake by at most 14 h; a day covers both. Later is a unit mix-up (microseconds read as ms land
 * past year 50000) or garbage, and would name a store partition no reader can read back.
 */
export const EVENT_TIME_AHEAD_MS = DAY_MS;

/**
 * Expiries are contract terms, not event times: they lie in the future, but the longest dated
 * futures listed run about a year. 2100 is far past any contract yet well inside what dates can write.
 */
export const LATEST_EXPIRY_MS: EpochMs = Date.UTC(2100, 0, 1);

/**
 * |funding rate| per interval, as a fraction. Venues cap funding at a few percent per interval at
 * most (Hyperliquid 4 % an hour, the highest we know); the real histories in shared/data peak at
 * 0.375 %. A rate of 0.1 (10 %) or more is a percentage read as a fraction, or garbage.
 */
export const MAX_ABS_FUNDING_RATE_PER_INTERVAL = 0.1;

/**
 * Funding intervals in use are 1 h to 8 h (Deribit's continuous funding is booked hourly). 1 minute
 * to 7 days leaves room for any venue and catches a unit slip: 8 h written in seconds (28,800)
 * and read as ms is 29 s.
 */
export const MIN_FUNDING_INTERVAL_MS = MINUTE_MS;
export const MAX_FUNDING_INTERVAL_MS = 7 * DAY_MS;

/**
 * Prices are in quote units. The dearest quotes are BTC in currencies with small units (with BTC
 * near 100,000 USD: about 1.6e9 Indonesian rupiah, 2.5e9 Vietnamese dong), so 1e9 would be too
 * tight; 1e12 leaves room for them and still catches a ms timestamp that slid into a price column
 * (1.7e12) and float garbage.
 */
export const MAX_PRICE = 1e12;

/**
 * A mark price within 50 % of the index (or last) price. Venues derive the mark from the index
 * plus a premium clamped to a few percent; a larger gap means a wrong field, unit or market.
 */
export const MAX_MARK_DEVIATION_FRACTION = 0.5;

/** An ISO time for any ms value Date can show; the raw number beyond that (|ms| > 8.64e15). */
export function describeTimeMs(ms: number): string {
  return Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : `${ms} ms`;
}

/** Null when `timeMs` is a plausible event time at local time `nowMs`: from 2009-01-03, at most a day ahead. */
export function eventTimeProblem(field: string, timeMs: number, nowMs: EpochMs): string | null {
  if (!Number.isFinite(timeMs)) return `${field} is not a finite time (${timeMs})`;
  if (timeMs < EARLIEST_EVENT_MS) return `${field} ${describeTimeMs(timeMs)} is before 2009-01-03, when no crypto market existed`;
  if (timeMs > nowMs + EVENT_TIME_AHEAD_MS) return `${field} ${describeTimeMs(timeMs)} is more than a day after now (${describeTimeMs(nowMs)})`;
  return null;
}

/**
 * A perp's announced next settlement: a schedule, so in the future, but at most one funding
 * interval (7 days at the longest) after now.
 */
export function nextFundingTimeProblem(field: string, timeMs: number, nowMs: EpochMs): string | null {
  if (!Number.isFinite(timeMs)) return `${field} is not a finite time (${timeMs})`;
  if (timeMs < EARLIEST_EVENT_MS) return `${field} ${describeTimeMs(timeMs)} is before 2009-01-03, when no crypto market existed`;
  if (timeMs > nowMs + MAX_FUNDING_INTERVAL_MS) return `${field} ${describeTimeMs(timeMs)} is more than 7 days (the longest funding interval) after now (${describeTimeMs(nowMs)})`;
  return null;
}

/** Null when a dated future's expiry is a finite time from 2009-01-03 to 2100-01-01 (future expiries are fine). */
export function expiryProblem(expiryMs: number): string | null {
  if (!Number.isFinite(expiryMs)) return `expiry is not a finite time (${expiryMs})`;
  if (expiryMs < EARLIEST_EVENT_MS) return `expiry ${describeTimeMs(expiryMs)} is before 2009-01-03`;
  if (expiryMs > LATEST_EXPIRY_MS) return `expiry ${describeTimeMs(expiryMs)} is after 2100-01-01, beyond any contract`;
  return null;
}

/** An instrument's terms: a dated future's expiry and a perp's funding interval, where known. */
export function instrumentProblem(instrument: Pick<Instrument, 'expiryMs' | 'fundingIntervalMs'>): string | null {
  if (instrument.expiryMs !== null) {
    const problem = expiryProblem(instrument.expiryMs);
    if (problem) return problem;
  }
  return instrument.fundingIntervalMs === null ? null : fundingIntervalProblem('funding interval', instrument.fundingIntervalMs);
}

export function fundingRateProblem(field: string, fundingRatePerInterval: number): string | null {
  if (!Number.isFinite(fundingRatePerInterval)) return `${field} is not finite (${fundingRatePerInterval})`;
  if (Math.abs(fundingRatePerInterval) > MAX_ABS_FUNDING_RATE_PER_INTERVAL) {
    return `${field} ${fundingRatePerInterval} per interval is beyond ±${MAX_ABS_FUNDING_RATE_PER_INTERVAL} (venues cap funding at a few percent)`;
  }
  return null;
}

export function fundingIntervalProblem(field: string, fundingIntervalMs: number): string | null {
  if (!(fundingIntervalMs >= MIN_FUNDING_INTERVAL_MS && fundingIntervalMs <= MAX_FUNDING_INTERVAL_MS)) {
    return `${field} ${fundingIntervalMs} is outside 1 minute .. 7 days (${MIN_FUNDING_INTERVAL_MS}..${MAX_FUNDING_INTERVAL_MS} ms)`;
  }
  return null;
}

/** A price: finite, > 0 and at most MAX_PRICE. */
export function priceProblem(field: string, price: number): string | null {
  if (!Number.isFinite(price)) return `${field} is not finite (${price})`;
  if (price <= 0) return `${field} must be > 0 (${price})`;
  if (price > MAX_PRICE) return `${field} ${price} is above ${MAX_PRICE}, no market's price`;
  return null;
}

/** A size or volume: finite and >= 0. */
export function sizeProblem(field: string, size: number): string | null {
  if (!Number.isFinite(size)) return `${field} is not finite (${size})`;
  if (size < 0) return `${field} must be >= 0 (${size})`;
  return null;
}

/** A candle: high at or above open, close and low; low at or below open and close. */
export function ohlcProblem(open: number, high: number, low: number, close: number, prefix = ''): string | null {
  if (high < Math.max(open, close, low)) return `${prefix}high ${high} is below open/close/low`;
  if (low > Math.min(open, close)) return `${prefix}low ${low} is above open/close`;
  return null;
}

/**
 * Top of book: bid <= ask. A crossed quote (bid > ask) never stands on one venue. A locked one
 * (bid == ask) is kept: exported files round prices and snapshots sample both sides apart (the FTX
 * market list in shared/data has one, ADABEAR/USD at its minimum tick).
 */
export function quoteProblem(bid: number, ask: number, bidName = 'bid', askName = 'ask'): string | null {
  return bid > ask ? `crossed: ${bidName} ${bid} > ${askName} ${ask}` : null;
}

/** A book snapshot's best levels: bid < ask. Within one book a bid at the ask would have traded. */
export function bookTopProblem(bestBid: number, bestAsk: number): string | null {
  return bestBid >= bestAsk ? `crossed book: best bid ${bestBid} >= best ask ${bestAsk}` : null;
}

/** A mark price more than 50 % away from the index or last price it is quoted with. */
export function markDeviationProblem(markPrice: number, referencePrice: number, referenceName: string): string | null {
  const deviation = Math.abs(markPrice - referencePrice) / referencePrice;
  if (!(deviation <= MAX_MARK_DEVIATION_FRACTION)) {
    return `mark price ${markPrice} is ${(deviation * 100).toFixed(0)} % away from the ${referenceName} price ${referencePrice} (at most 50 %)`;
  }
  return null;
}
