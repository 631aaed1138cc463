import type { EpochMs } from '../../core/time.ts';
import type { BookSnapshotEvent } from '../../domain/events.ts';
import { VenueError, venueTimestamp, type MarketDataVenue, type VenueHealthEvent, type WatchOrderBookOptions } from '../../venues/types.ts';
import type { BookRecord, QuoteRecord } from './recordTypes.ts';

/** A message the venue sent that could not be read (a bad price, a crossed book): not stored; the stream is resubscribed. */
export interface BadMessageEvent {
  type: 'badMessage';
  venue: string;
  symbol: string;
  ts: number;
  receivedAt: number;
  error: string;
  /** Bad messages in a row (no good book between). */
  attempt: number;
}

export type RecorderHealthEvent = VenueHealthEvent | BadMessageEvent;

export interface BookRecordingOptions {
  venue: MarketDataVenue;
  symbol: string;
  /** Levels per side kept in `books` rows and asked of the venue; null: quotes only, the venue's default book. */
  depth: number | null;
  watch: Pick<WatchOrderBookOptions, 'staleAfterMs' | 'backoffInitialMs' | 'backoffMaxMs' | 'forcePolling' | 'pollIntervalMs'>;
  signal: AbortSignal;
  now: () => number;
  onBook: (book: BookSnapshotEvent) => void;
  onHealth: (event: RecorderHealthEvent) => void;
  /** Consecutive bad messages (with no good book between) after which the stream gives up (default 20). */
  maxBadMessages?: number;
}

/**
 * A bad message ends ccxt's book stream with a non-retryable error that is not the caller's fault
 * (InputError from validation, ccxt's BadResponse, an unknown exchange error): worth resubscribing.
 * A bad symbol, a missing method or an authentication failure is not.
 */
function isBadMessage(error: unknown): error is VenueError {
  return error instanceof VenueError && (error.kind === 'badResponse' || error.kind === 'exchange');
}

/**
 * Records one symbol's order book until the signal aborts. The venue's stream already reconnects
 * after network failures (reporting `reconnect`); here a bad message is reported as `badMessage`
 * and the stream is started again at once (more than `maxBadMessages` in a row end it). Any other
 * error ends the recording by throwing.
 */
export async function recordBooks(options: BookRecordingOptions): Promise<void> {
  const { venue, symbol, signal } = options;
  const maxBad = options.maxBadMessages ?? 20;
  let badInARow = 0;
  while (!signal.aborted) {
    try {
      const stream = venue.watchOrderBook(symbol, { ...options.watch, depth: options.depth ?? undefined, signal });
      for await (const event of stream) {
        if (signal.aborted) return;
        if (event.type === 'book') {
          badInARow = 0;
          options.onBook(event);
        } else options.onHealth(event);
      }
      return;
    } catch (error) {
      if (signal.aborted) return;
      if (!isBadMessage(error)) throw error;
      badInARow++;
      if (badInARow > maxBad) throw new VenueError(error.venue, error.method, error.kind, `${maxBad} bad messages in a row for ${symbol}, the last: ${error.message}`, false);
      const at = options.now();
      // Watch again at once, with no pause: ccxt delivers only the books that arrive while a call waits.
      // Each call waits for the venue's next message, so a stream of bad ones cannot spin.
      options.onHealth({ type: 'badMessage', venue: venue.venue, symbol, ts: at, receivedAt: at, error: error.message, attempt: badInARow });
    }
  }
}

/** The times a book update's rows are stored with. */
export interface RecordedTimes {
  ts: EpochMs;
  receivedAt: EpochMs;
  /** The venue sent no time: `ts` is the receipt time (and equals `receivedAt`). */
  receiptStamped: boolean;
}

/**
 * `ts` is the venue's time when the venue gave one. When it gave none (tsSource 'receipt', e.g. an
 * OKX books5 push without `ts`), the row is stored with ts = received_at = the receipt time: the
 * store keys rows by ts, so the row needs one, and the two being equal shows it is no venue time.
 * No other time is invented; the recorder counts such rows (summary `counts.receiptStamped`) and
 * logs the first of each symbol.
 */
export function recordedTimes(book: BookSnapshotEvent, now: () => number): RecordedTimes {
  const receivedAt = book.receivedAt ?? now();
  const venueTs = venueTimestamp(book);
  return venueTs === null ? { ts: receivedAt, receivedAt, receiptStamped: true } : { ts: venueTs, receivedAt, receiptStamped: false };
}

/** Top of book as a quote record; null when a side is empty (a quote needs both). */
export function quoteRecord(book: BookSnapshotEvent, times: RecordedTimes): QuoteRecord | null {
  const bid = book.bids[0];
  const ask = book.asks[0];
  if (!bid || !ask) return null;
  return { kind: 'quote', symbol: book.symbol, ts: times.ts, receivedAt: times.receivedAt, bid: bid.price, bidSize: bid.size, ask: ask.price, askSize: ask.size };
}

export function bookRecord(book: BookSnapshotEvent, times: RecordedTimes): BookRecord {
  return {
    kind: 'book',
    symbol: book.symbol,
    ts: times.ts,
    receivedAt: times.receivedAt,
    bids: book.bids.map((l) => [l.price, l.size]),
    asks: book.asks.map((l) => [l.price, l.size]),
    sequence: book.sequence,
  };
}
