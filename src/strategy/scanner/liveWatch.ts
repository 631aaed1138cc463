/**
 * Keeps a scanner up to date from live venues after a first load (liveSource.ts): one order-book
 * stream per market (websocket where the venue has one, else REST polling; health events between
 * the books) and a funding poll per venue. Every update goes through the scanner's incremental API,
 * so only the slots of the instrument that changed are recomputed. Runs until the signal aborts;
 * the caller then closes the venues (which ends the websocket waits) and awaits the returned promise.
 */
import type { EpochMs } from '../../core/time.ts';
import type { Instrument } from '../../domain/instrument.ts';
import type { MarketDataVenue, VenueHealthEvent } from '../../venues/types.ts';
import { applyFundingQuote, fetchFundingQuotes } from './liveSource.ts';
import type { Scanner } from './scanner.ts';

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
  signal: AbortSignal;
  /** After each applied update. */
  onUpdate: (kind: 'book' | 'funding', venue: string, symbol: string) => void;
  /** Health events of the streams, and failures (a market's stream ended, a funding poll failed). */
  onReport: (line: string) => void;
  now: () => EpochMs;
}

function describeHealth(event: VenueHealthEvent): string {
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

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

async function watchBook(options: LiveWatchOptions, venue: MarketDataVenue, symbol: string): Promise<void> {
  const { scanner, signal } = options;
  try {
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
      options.onUpdate('book', venue.venue, symbol);
    }
  } catch (error) {
    if (!signal.aborted) options.onReport(`${venue.venue} ${symbol}: book stream ended: ${(error as Error).message}`);
  }
}

async function pollFunding(options: LiveWatchOptions, venue: MarketDataVenue, perps: readonly Instrument[]): Promise<void> {
  const { scanner, signal } = options;
  for (;;) {
    await sleep(options.fundingPollMs, signal);
    if (signal.aborted) return;
    const { quotes, rejections } = await fetchFundingQuotes(venue, perps);
    if (signal.aborted) return;
    for (const r of rejections) options.onReport(`${r.source}: ${r.reason}`);
    for (const quote of quotes) {
      try {
        if (applyFundingQuote(scanner, quote)) options.onUpdate('funding', quote.venue, quote.symbol);
      } catch (error) {
        options.onReport(`${quote.venue} ${quote.symbol}: funding rate not used: ${(error as Error).message}`);
      }
    }
  }
}

/** Streams books and polls funding into the scanner until the signal aborts. */
export async function watchLive(options: LiveWatchOptions): Promise<void> {
  const tasks: Promise<void>[] = [];
  for (const { venue, instruments } of options.venues) {
    for (const instrument of instruments) tasks.push(watchBook(options, venue, instrument.symbol));
    const perps = instruments.filter((i) => i.kind === 'perp');
    if (perps.length > 0) tasks.push(pollFunding(options, venue, perps));
  }
  await Promise.all(tasks);
}
