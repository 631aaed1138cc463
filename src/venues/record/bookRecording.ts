import type { BookSnapshotEvent } from '../../domain/events.ts';
import { VenueError, type MarketDataVenue, type VenueHealthEvent, type WatchOrderBookOptions } from '../types.ts';
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
  watch: Pick<WatchOrderBookOptions, 'staleAfterMs' | 'backoffInitialMs' | 'backoffMaxMs'>;
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

/** Top of book as a quote record; null when a side is empty (a quote needs both). */
export function quoteRecord(book: BookSnapshotEvent): QuoteRecord | null {
  const bid = book.bids[0];
  const ask = book.asks[0];
  if (!bid || !ask) return null;
  return { kind: 'quote', symbol: book.symbol, ts: book.ts, receivedAt: book.receivedAt ?? book.ts, bid: bid.price, bidSize: bid.size, ask: ask.price, askSize: ask.size };
}

export function bookRecord(book: BookSnapshotEvent): BookRecord {
  return {
    kind: 'book',
    symbol: book.symbol,
    ts: book.ts,
    receivedAt: book.receivedAt ?? book.ts,
    bids: book.bids.map((l) => [l.price, l.size]),
    asks: book.asks.map((l) => [l.price, l.size]),
    sequence: book.sequence,
  };
}
