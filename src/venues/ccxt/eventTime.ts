import type { EpochMs } from '../../core/time.ts';
import type { TsSource } from '../../domain/events.ts';
import { eventTimeProblem } from '../../domain/plausibility.ts';
import { requirePlausible } from './validate.ts';

export interface StampedTimes {
  ts: EpochMs;
  receivedAt: EpochMs;
  tsSource: TsSource;
}

/**
 * An event's times from ccxt's `timestamp`: the venue's when it gave one (a positive finite ms
 * value), else the receipt time, and `tsSource` says which, so no consumer mistakes one for the other.
 * A time outside the plausible domain (before 2009-01-03, or more than a day after the receipt
 * time) is an InputError naming `source` (venue and method) and `subject` (the symbol).
 */
export function stampTimes(venueTimestamp: unknown, receivedAt: EpochMs, source: string, subject: string): StampedTimes {
  const fromVenue = typeof venueTimestamp === 'number' && Number.isFinite(venueTimestamp) && venueTimestamp > 0;
  const times: StampedTimes = fromVenue ? { ts: venueTimestamp, receivedAt, tsSource: 'venue' } : { ts: receivedAt, receivedAt, tsSource: 'receipt' };
  requirePlausible(eventTimeProblem('timestamp', times.ts, receivedAt), source, subject);
  return times;
}
