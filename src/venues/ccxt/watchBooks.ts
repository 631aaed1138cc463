import type { OrderBook } from 'ccxt';
import type { EpochMs } from '../../core/time.ts';
import type { BookStreamEvent, WatchOrderBookOptions } from '../types.ts';
import { backoffDelayMs, DEFAULT_BACKOFF, sleepMs } from '../../core/retry.ts';
import { isInvalidatedBook } from './bookChecksums.ts';
import { toBookSnapshot } from './books.ts';
import { toVenueError } from './errors.ts';

export interface BookStreamSource {
  venue: string;
  symbol: string;
  /** 'watchOrderBook' (websocket) or 'fetchOrderBook' (REST polling): used in events and errors. */
  channel: 'watchOrderBook' | 'fetchOrderBook';
  /** The next book: resolves on the next websocket update, or after the poll delay. A rejected call is retried (ccxt reconnects and resubscribes). */
  next: () => Promise<OrderBook>;
  now: () => EpochMs;
  /** Contract size for linear contracts (sizes in base units), else 1. */
  sizeMultiplier?: number;
  secrets?: readonly string[];
  random?: () => number;
}

type Raced = { kind: 'book'; book: OrderBook } | { kind: 'silent' };

function raceSilence(pending: Promise<OrderBook>, silenceMs: number): Promise<Raced> {
  let timer: NodeJS.Timeout | undefined;
  const silence = new Promise<Raced>((resolve) => {
    timer = setTimeout(() => resolve({ kind: 'silent' }), Math.max(0, silenceMs));
  });
  return Promise.race([pending.then((book): Raced => ({ kind: 'book', book })), silence]).finally(() => clearTimeout(timer));
}

/**
 * An order-book stream that survives failures: each error is mapped, reported as a `reconnect`
 * event and retried after an exponential backoff (the source resubscribes on its next call);
 * a sequence that goes back, or ccxt's InvalidNonce/ChecksumError, is reported as a `bookGap`;
 * silence longer than `staleAfterMs` is reported as `stale` (once per silent period).
 * Non-retryable errors (bad symbol, unsupported) end the stream by throwing.
 */
export async function* bookStream(source: BookStreamSource, options: WatchOrderBookOptions = {}): AsyncGenerator<BookStreamEvent> {
  const staleAfterMs = options.staleAfterMs ?? 10_000;
  const policy = { ...DEFAULT_BACKOFF, initialDelayMs: options.backoffInitialMs ?? DEFAULT_BACKOFF.initialDelayMs, maxDelayMs: options.backoffMaxMs ?? DEFAULT_BACKOFF.maxDelayMs };
  const { venue, symbol, channel, now } = source;
  let failures = 0;
  let previousSequence: number | null = null;
  let lastUpdateAt = now();
  let staleReported = false;
  let pending: Promise<OrderBook> | null = null;
  while (!options.signal?.aborted) {
    try {
      if (pending === null) {
        pending = source.next();
        pending.catch(() => undefined); // handled below; never an unhandled rejection if the loop stops
      }
      // Once reported, a silent period is not reported again: wait for the next book (or error).
      const raced = staleReported ? await raceSilence(pending, 2 ** 31 - 1) : await raceSilence(pending, staleAfterMs - (now() - lastUpdateAt));
      if (raced.kind === 'silent') {
        const at = now();
        // A timer may fire a millisecond before the clock says the period is over: wait out the rest.
        if (at - lastUpdateAt < staleAfterMs) continue;
        staleReported = true;
        yield { type: 'stale', venue, symbol, ts: at, receivedAt: at, tsSource: 'receipt', channel, silentForMs: at - lastUpdateAt };
        continue;
      }
      pending = null;
      // A book ccxt has since dropped (failed checksum or sequence): never emitted; the next call brings the error.
      if (isInvalidatedBook(raced.book)) continue;
      const receivedAt = now();
      const event = toBookSnapshot(venue, symbol, raced.book, receivedAt, options.depth, source.sizeMultiplier);
      failures = 0;
      staleReported = false;
      lastUpdateAt = receivedAt;
      if (previousSequence !== null && event.sequence !== null && event.sequence < previousSequence) {
        yield { type: 'bookGap', venue, symbol, ts: event.ts, receivedAt, tsSource: event.tsSource, previousSequence, sequence: event.sequence, reason: 'sequence went back' };
      }
      previousSequence = event.sequence;
      yield event;
    } catch (error) {
      pending = null;
      const mapped = toVenueError(error, venue, channel, source.secrets);
      if (!mapped.retryable) throw mapped;
      const at = now();
      if (mapped.kind === 'invalidNonce') {
        yield { type: 'bookGap', venue, symbol, ts: at, receivedAt: at, tsSource: 'receipt', previousSequence, sequence: null, reason: mapped.message };
        previousSequence = null;
      }
      failures++;
      if (options.maxConsecutiveFailures !== undefined && failures > options.maxConsecutiveFailures) throw mapped;
      const delayMs = backoffDelayMs(failures, policy, source.random);
      yield { type: 'reconnect', venue, symbol, ts: at, receivedAt: at, tsSource: 'receipt', channel, attempt: failures, delayMs, error: mapped.message };
      await sleepMs(delayMs, options.signal);
    }
  }
}
