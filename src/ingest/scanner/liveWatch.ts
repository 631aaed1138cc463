/**
 * Keeps a scanner up to date from live venues after a first load (liveSource.ts): one order-book
 * stream per market (websocket where the venue has one, else REST polling; health events between
 * the books) and a funding poll per venue. Every update goes through the scanner's incremental API,
 * so only the slots of the instrument that changed are recomputed. Runs until the signal aborts;
 * the caller then closes the venues (which ends the websocket waits) and awaits the returned promise.
 *
 * Made to run for hours:
 * - a venue that did not answer the first load (down, unreachable, 503) is retried in the background
 *   after LIVE_RETRY_INITIAL_MS, the delay doubling on each failure up to LIVE_RETRY_MAX_MS; when it
 *   answers, its markets (same assets, quotes and depth; funding and books as in the first load) are
 *   added to the scanner and watched like the others (onJoin tells the caller);
 * - a market's book stream that ends (the venue's stream retries network failures itself, so this is a
 *   failure it gives up on, e.g. a bad symbol, or a callback that threw) and a funding poll loop that
 *   dies are restarted with the same backoff, reset once they work again.
 * Each retry, restart and join is reported through onReport. Nothing restarts once the signal aborts:
 * every wait ends at once and a venue load in flight is no longer awaited.
 */
import { backoffDelayMs, sleepMs } from '../../core/retry.ts';
import type { EpochMs } from '../../core/time.ts';
import type { Instrument } from '../../domain/instrument.ts';
import type { MarketDataVenue, VenueHealthEvent } from '../../venues/types.ts';
import { applyFundingQuote, applyLiveVenueLoad, fetchFundingQuotes, loadLiveVenue, type LiveSelection, type LiveVenueLoad } from './liveSource.ts';
import type { Scanner } from '../../strategy/scanner/scanner.ts';

/** First delay before retrying a venue that failed the first load, or restarting a book stream or funding poll that ended: 5 s. */
export const LIVE_RETRY_INITIAL_MS = 5_000;
/** The delay doubles on each consecutive failure up to this: 5 min (5, 10, 20, 40, 80, 160, 300, 300, ... s). */
export const LIVE_RETRY_MAX_MS = 5 * 60_000;

/** Delay before retry (or restart) number `attempt` (1-based): initial x 2^(attempt - 1), at most max. */
export function liveRetryDelayMs(attempt: number, initialMs: number = LIVE_RETRY_INITIAL_MS, maxMs: number = LIVE_RETRY_MAX_MS): number {
  return backoffDelayMs(attempt, { initialDelayMs: initialMs, maxDelayMs: maxMs, jitterFraction: 0 });
}

export interface LiveWatchOptions {
  scanner: Scanner;
  /** The venues that answered the first load, with their selected markets. */
  venues: readonly { venue: MarketDataVenue; instruments: readonly Instrument[] }[];
  depth: number;
  /** Funding poll period per venue. */
  fundingPollMs: number;
  /** Report a book stream silent for this long (default 10 s). */
  staleAfterMs?: number;
  /** Poll books over REST even where the venue has a websocket. */
  forcePolling?: boolean;
  /** Venues that did not answer the first load: retried in the background until they answer, then watched too. */
  retryVenues?: readonly MarketDataVenue[];
  /** What a retried venue loads (the first load's assets and quotes; the depth is `depth`). Needed with retryVenues. */
  selection?: Pick<LiveSelection, 'assets' | 'quotes'>;
  /** First retry / restart delay (default LIVE_RETRY_INITIAL_MS); doubles on each consecutive failure. */
  retryInitialMs?: number;
  /** Longest retry / restart delay (default LIVE_RETRY_MAX_MS). */
  retryMaxMs?: number;
  signal: AbortSignal;
  /** After each applied update. */
  onUpdate: (kind: 'book' | 'funding', venue: string, symbol: string) => void;
  /** Health events of the streams, and failures (a market's stream ended, a funding poll failed), retries, restarts and joins. */
  onReport: (line: string) => void;
  /** A retried venue answered: its load is in the scanner (clock moved to now, rescanned) and its markets are watched from now on. */
  onJoin?: (load: LiveVenueLoad) => void;
  now: () => EpochMs;
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
const seconds = (ms: number) => `${ms / 1000} s`;
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** One line for a stream's health event. */
export function describeHealth(event: VenueHealthEvent): string {
  const head = `${event.venue} ${event.symbol}`;
  switch (event.type) {
    case 'stale':
      return `${head}: no book update for ${(event.silentForMs / 1000).toFixed(1)} s`;
    case 'reconnect':
      return `${head}: ${event.channel} failed (attempt ${event.attempt}), retrying in ${event.delayMs} ms: ${event.error}`;
    case 'bookGap':
      return `${head}: book resynchronised (${event.reason})`;
  }
}


/** A promise that resolves at once when the signal aborts (null), else with the value; a later failure of the promise is ignored. */
function unlessAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T | null> {
  promise.catch(() => undefined);
  if (signal.aborted) return Promise.resolve(null);
  return new Promise<T | null>((resolve, reject) => {
    const onAbort = () => resolve(null);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * Runs `run` until the signal aborts: whenever it ends (throws, or returns while the signal has not
 * aborted) it is restarted after the backoff, each end reported with the restart number and delay.
 * `run` calls `working()` when it works again (a book applied, a poll done): that resets the backoff
 * (and reports the recovery after a restart).
 */
async function keepRunning(options: LiveWatchOptions, what: string, run: (working: () => void) => Promise<void>): Promise<void> {
  const { signal } = options;
  let restarts = 0;
  const working = () => {
    if (restarts > 0) options.onReport(`${what} back after ${plural(restarts, 'restart')}`);
    restarts = 0;
  };
  while (!signal.aborted) {
    let ended = 'it ended without an error';
    try {
      await run(working);
    } catch (error) {
      ended = messageOf(error);
    }
    if (signal.aborted) return;
    restarts++;
    const delayMs = liveRetryDelayMs(restarts, options.retryInitialMs, options.retryMaxMs);
    options.onReport(`${what} ended, restart ${restarts} in ${seconds(delayMs)}: ${ended}`);
    await sleepMs(delayMs, signal);
  }
}

/** One market's books into the scanner until the stream ends (it throws when the venue's stream gives up) or the signal aborts. */
async function watchBook(options: LiveWatchOptions, venue: MarketDataVenue, symbol: string, working: () => void): Promise<void> {
  const { scanner, signal } = options;
  const stream = venue.watchOrderBook(symbol, { depth: options.depth, signal, staleAfterMs: options.staleAfterMs, forcePolling: options.forcePolling });
  for await (const event of stream) {
    if (signal.aborted) return;
    if (event.type !== 'book') {
      options.onReport(describeHealth(event));
      continue;
    }
    try {
      scanner.apply(event);
    } catch (error) {
      options.onReport(`${venue.venue} ${symbol}: book not used: ${(error as Error).message}`);
      continue;
    }
    working();
    options.onUpdate('book', venue.venue, symbol);
  }
}

/** The venue's funding every fundingPollMs; a failed request is reported and polled again next time (the loop itself ends only by throwing). */
async function pollFunding(options: LiveWatchOptions, venue: MarketDataVenue, perps: readonly Instrument[], working: () => void): Promise<void> {
  const { scanner, signal } = options;
  for (;;) {
    await sleepMs(options.fundingPollMs, signal);
    if (signal.aborted) return;
    const { quotes, rejections } = await fetchFundingQuotes(venue, perps);
    if (signal.aborted) return;
    for (const r of rejections) options.onReport(`${r.source}: ${r.reason}`);
    for (const quote of quotes) {
      let applied: boolean;
      try {
        applied = applyFundingQuote(scanner, quote);
      } catch (error) {
        options.onReport(`${quote.venue} ${quote.symbol}: funding rate not used: ${(error as Error).message}`);
        continue;
      }
      if (applied) options.onUpdate('funding', quote.venue, quote.symbol);
    }
    working();
  }
}

/** Every market's book stream and the funding poll of one venue, each restarted when it ends, until the signal aborts. */
function watchVenue(options: LiveWatchOptions, venue: MarketDataVenue, instruments: readonly Instrument[]): Promise<unknown> {
  const tasks: Promise<void>[] = [];
  for (const { symbol } of instruments) tasks.push(keepRunning(options, `${venue.venue} ${symbol}: book stream`, (working) => watchBook(options, venue, symbol, working)));
  const perps = instruments.filter((i) => i.kind === 'perp');
  if (perps.length > 0) tasks.push(keepRunning(options, `${venue.venue}: funding poll`, (working) => pollFunding(options, venue, perps, working)));
  return Promise.all(tasks);
}

/** Retries a venue that failed the first load until it answers (then adds and watches its markets) or the signal aborts. */
async function joinWhenAnswering(options: LiveWatchOptions, venue: MarketDataVenue, selection: LiveSelection): Promise<void> {
  const { signal } = options;
  const delay = (attempt: number) => liveRetryDelayMs(attempt, options.retryInitialMs, options.retryMaxMs);
  options.onReport(`${venue.venue}: did not answer the first load, retry 1 in ${seconds(delay(1))}`);
  for (let attempt = 1; ; attempt++) {
    await sleepMs(delay(attempt), signal);
    if (signal.aborted) return;
    const loading = loadLiveVenue(venue, selection, options.now).catch((error: unknown): LiveVenueLoad => ({
      report: { venue: venue.venue, failed: messageOf(error), instruments: 0, books: 0, booksWithVenueTime: 0, fundingRates: 0, errors: 0 },
      instruments: [],
      books: [],
      funding: [],
      rejections: [],
    }));
    const load = await unlessAborted(loading, signal);
    if (load === null || signal.aborted) return;
    const report = load.report;
    if (report.failed !== null) {
      options.onReport(`${venue.venue}: retry ${attempt} failed, retry ${attempt + 1} in ${seconds(delay(attempt + 1))}: ${report.failed}`);
      continue;
    }
    const { errors } = applyLiveVenueLoad(options.scanner, load, options.now());
    options.onReport(
      `${venue.venue}: answered retry ${attempt}, joined the scan: ${plural(report.instruments, 'market')}, ${plural(report.books, 'book')}, ${plural(report.fundingRates, 'funding rate')}`,
    );
    for (const r of [...load.rejections, ...errors]) options.onReport(`${r.source}: ${r.reason}`);
    options.onJoin?.(load);
    await watchVenue(options, venue, load.instruments);
    return;
  }
}

/** Streams books and polls funding into the scanner, and retries the venues that failed the first load, until the signal aborts. */
export async function watchLive(options: LiveWatchOptions): Promise<void> {
  const retryVenues = options.retryVenues ?? [];
  if (retryVenues.length > 0 && options.selection === undefined) throw new Error('watchLive: retryVenues needs the selection (assets and quotes) to load');
  const tasks: Promise<unknown>[] = options.venues.map(({ venue, instruments }) => watchVenue(options, venue, instruments));
  if (options.selection !== undefined) {
    const selection: LiveSelection = { assets: options.selection.assets, quotes: options.selection.quotes, depth: options.depth };
    for (const venue of retryVenues) tasks.push(joinWhenAnswering(options, venue, selection));
  }
  await Promise.all(tasks);
}
