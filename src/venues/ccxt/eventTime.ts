import type { EpochMs } from '../../core/time.ts';
import type { TsSource } from '../../domain/events.ts';

export interface StampedTimes {
  ts: EpochMs;
  receivedAt: EpochMs;
  tsSource: TsSource;
}

/**
 * An event's times from ccxt's `timestamp`: the venue's when it gave one (a positive finite ms
 * value), else the receipt time, and `tsSource` says which, so no consumer mistakes one for the other.
 */
export function stampTimes(venueTimestamp: unknown, receivedAt: EpochMs): StampedTimes {
  const fromVenue = typeof venueTimestamp === 'number' && Number.isFinite(venueTimestamp) && venueTimestamp > 0;
  return fromVenue ? { ts: venueTimestamp, receivedAt, tsSource: 'venue' } : { ts: receivedAt, receivedAt, tsSource: 'receipt' };
}
