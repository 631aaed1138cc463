import { sleepMs } from '../../core/retry.ts';
import { MINUTE_MS } from '../../core/time.ts';
import type { MarketBatch, MarketInput, ReplayCursor, ReplayHandler, ReplayStats } from '../../data/replay/types.ts';
import type { BookSnapshotEvent } from '../../domain/events.ts';
import type { Instrument } from '../../domain/instrument.ts';
import { SERIES_COLUMNS, seriesId, type SeriesKey, type SeriesTable } from '../../domain/series.ts';
import { venueTimestamp, type MarketDataVenue } from '../../venues/types.ts';
import { quoteRecord, recordBooks, recordedTimes, type RecorderHealthEvent } from '../record/bookRecording.ts';
import { FundingRecording } from '../record/fundingRecording.ts';
import { journalRecordProblem } from '../record/recordChecks.ts';
import { describeHealth } from '../scanner/liveWatch.ts';

/** One venue of a live input and the markets to follow there. */
export interface LiveFeed {
  venue: MarketDataVenue;
  instruments: readonly Instrument[];
}

export interface LiveMarketInputOptions {
  feeds: readonly LiveFeed[];
  /** Ends the input: the streams stop and the iteration returns. */
  signal: AbortSignal;
  /** Local clock, ms (default Date.now). */
  now?: () => number;
  /** Funding poll period per venue (default 1 min). */
  fundingPollMs?: number;
  /** Book levels asked of the venue (default: the venue's default book). */
  depth?: number;
  /** Report a book stream silent for this long (default 10 s). */
  staleAfterMs?: number;
  /** Poll books over REST even where the venue has a websocket, every pollIntervalMs. */
  forcePolling?: boolean;
  pollIntervalMs?: number;
  /** Health of the streams (reconnects, stale books, bad messages), polls that failed, rejected records. */
  onReport?: (line: string) => void;
  /**
   * Start with each perp's latest settlement from the venue's history (within `seedLookbackMs`,
   * default 1 day), as a backtest starts with the history before it: a strategy deciding on
   * settlements can decide at once instead of waiting up to an interval. Default false.
   */
  seedLastSettlement?: boolean;
  seedLookbackMs?: number;
}

interface Pending {
  series: number;
  time: number;
  values: Record<string, number>;
}

/** The cursor of one live series: a one-row chunk, overwritten by each of its events. */
class LiveCursor implements ReplayCursor {
  row = 0;
  time = 0;
  readonly chunkIndex = 0;
  readonly seriesId: string;
  readonly columns: Record<string, Float64Array>;
  constructor(
    readonly seriesIndex: number,
    readonly key: SeriesKey,
  ) {
    this.seriesId = seriesId(key);
    this.columns = Object.fromEntries(SERIES_COLUMNS[key.table].filter((c) => c.type === 'f64' || c.type === 'i64').map((c) => [c.name, new Float64Array(1)]));
  }
}

/**
 * The live venues as the engine's market input: each instrument's top of book (`quotes`, through
 * ccxt's websocket where it has one, else REST polling) and, for perps and futures with funding, the
 * venue's current rate (`funding_quotes`, polled) and each settlement once the venue's history shows
 * it (`funding`). Every event keeps the venue's time in `ts` and the receipt time in `received_at`;
 * its event time (the engine's) is the receipt time, never going backwards. Records that break a
 * plausibility bound are reported and left out. The same batches as a replay, one per burst.
 */
export function liveMarketInput(options: LiveMarketInputOptions): MarketInput {
  const now = options.now ?? Date.now;
  const report = options.onReport ?? (() => {});
  const keys: SeriesKey[] = [];
  const indexOf = new Map<string, number>();
  const add = (table: SeriesTable, venue: string, symbol: string) => {
    indexOf.set(`${table}|${venue}|${symbol}`, keys.length);
    keys.push({ table, venue, symbol, timeframe: null });
  };
  for (const feed of options.feeds) {
    for (const i of feed.instruments) {
      add('quotes', i.venue, i.symbol);
      if (i.kind !== 'spot' && i.expiryMs === null) {
        add('funding_quotes', i.venue, i.symbol);
        add('funding', i.venue, i.symbol);
      }
    }
  }
  const cursors = keys.map((key, i) => new LiveCursor(i, key));
  const perSeries = new Float64Array(keys.length);
  let events = 0;
  let firstTime: number | null = null;
  let lastTime: number | null = null;
  const queue: Pending[] = [];
  let lastQueuedTime = Number.NEGATIVE_INFINITY;
  let wake: (() => void) | null = null;
  const push = (table: SeriesTable, venue: string, symbol: string, receivedAt: number, values: Record<string, number>) => {
    const series = indexOf.get(`${table}|${venue}|${symbol}`);
    if (series === undefined) return;
    const time = Math.max(receivedAt, lastQueuedTime);
    lastQueuedTime = time;
    queue.push({ series, time, values });
    wake?.();
  };

  const onHealth = (event: RecorderHealthEvent) => report(event.type === 'badMessage' ? `${event.venue} ${event.symbol}: bad message, not used (${event.error})` : describeHealth(event));
  const onBook = (book: BookSnapshotEvent) => {
    const times = recordedTimes(book, now);
    const quote = quoteRecord(book, times);
    if (quote === null) return;
    const problem = journalRecordProblem(quote, now());
    if (problem !== null) return report(`${book.venue} ${book.symbol} book: rejected (${problem})`);
    push('quotes', book.venue, book.symbol, times.receivedAt, { ts: quote.ts, received_at: quote.receivedAt, bid: quote.bid, bid_size: quote.bidSize ?? Number.NaN, ask: quote.ask, ask_size: quote.askSize ?? Number.NaN, last: Number.NaN });
  };

  async function pollFunding(feed: LiveFeed, signal: AbortSignal): Promise<void> {
    const symbols = feed.instruments.filter((i) => i.kind !== 'spot' && i.expiryMs === null).map((i) => i.symbol);
    if (symbols.length === 0) return;
    const funding = new FundingRecording({ venue: feed.venue, symbols, now });
    const venue = feed.venue.venue;
    if (options.seedLastSettlement) {
      for (const symbol of symbols) {
        try {
          const at = now();
          const rows = (await feed.venue.fetchFundingHistory(symbol, at - (options.seedLookbackMs ?? 86_400_000), at + 1)).filter((r) => venueTimestamp(r) !== null);
          const r = rows.at(-1);
          if (r === undefined) continue;
          const receivedAt = now();
          push('funding', venue, symbol, receivedAt, { ts: r.ts, received_at: receivedAt, rate: r.fundingRatePerInterval, interval_ms: r.fundingIntervalMs ?? Number.NaN, mark_price: r.markPrice ?? Number.NaN });
        } catch (error) {
          if (signal.aborted) return;
          report(`${venue} ${symbol}: the latest settlement could not be read (${error instanceof Error ? error.message : String(error)})`);
        }
      }
    }
    while (!signal.aborted) {
      try {
        for (const event of await funding.poll()) {
          if (event.type === 'fundingQuote') {
            const q = event.quote;
            const receivedAt = q.receivedAt ?? now();
            push('funding_quotes', venue, q.symbol, receivedAt, {
              ts: q.ts,
              received_at: receivedAt,
              rate: q.fundingRatePerInterval,
              next_funding_ms: q.nextFundingTimeMs ?? Number.NaN,
              interval_ms: q.fundingIntervalMs ?? Number.NaN,
              mark_price: q.markPrice ?? Number.NaN,
              index_price: q.indexPrice ?? Number.NaN,
            });
          } else if (event.type === 'settlement') {
            const r = event.record;
            const problem = journalRecordProblem(r, now());
            if (problem !== null) report(`${venue} ${r.symbol} funding: rejected (${problem})`);
            else push('funding', venue, r.symbol, r.receivedAt, { ts: r.ts, received_at: r.receivedAt, rate: r.rate, interval_ms: r.intervalMs ?? Number.NaN, mark_price: r.markPrice ?? Number.NaN });
          } else if (event.type === 'settlementMissing') {
            report(`${venue} ${event.symbol}: the settlement of ${new Date(event.settlementMs).toISOString()} is still missing from the venue's history after ${event.polls} polls`);
          } else {
            report(`${venue} ${event.symbol}: a settlement row without the venue's time was not used`);
          }
        }
      } catch (error) {
        if (signal.aborted) return;
        report(`${venue} funding poll failed: ${error instanceof Error ? error.message : String(error)}`);
      }
      await sleepMs(options.fundingPollMs ?? MINUTE_MS, signal);
    }
  }

  const stats = (): ReplayStats => ({
    events,
    firstTime,
    lastTime,
    perSeries: cursors.map((c, i) => ({ seriesId: c.seriesId, events: perSeries[i] })),
  });

  return {
    keys,
    stats,
    async *[Symbol.asyncIterator](): AsyncGenerator<MarketBatch> {
      // The streams stop when the caller aborts or stops iterating.
      const streams = new AbortController();
      const signal = streams.signal;
      const onAbort = () => {
        streams.abort();
        wake?.();
      };
      if (options.signal.aborted) streams.abort();
      options.signal.addEventListener('abort', onAbort, { once: true });
      const tasks: Promise<void>[] = [];
      for (const feed of options.feeds) {
        const venue = feed.venue.venue;
        for (const i of feed.instruments) {
          tasks.push(
            recordBooks({ venue: feed.venue, symbol: i.symbol, depth: options.depth ?? null, watch: { staleAfterMs: options.staleAfterMs ?? 10_000, forcePolling: options.forcePolling, pollIntervalMs: options.pollIntervalMs }, signal, now, onBook, onHealth }).catch((error: unknown) => {
              if (!signal.aborted) report(`${venue} ${i.symbol}: the book stream ended: ${error instanceof Error ? error.message : String(error)}`);
            }),
          );
        }
        tasks.push(pollFunding(feed, signal));
      }
      const batch: MarketBatch = {
        get nextTimeMs() {
          return queue.length > 0 ? queue[0].time : Number.POSITIVE_INFINITY;
        },
        emit(handler: ReplayHandler, untilMs = Number.POSITIVE_INFINITY): boolean {
          let k = 0;
          for (; k < queue.length && queue[k].time < untilMs; k++) {
            const event = queue[k];
            const cursor = cursors[event.series];
            for (const name in cursor.columns) cursor.columns[name][0] = event.values[name] ?? Number.NaN;
            cursor.time = event.time;
            events++;
            perSeries[event.series]++;
            firstTime ??= event.time;
            lastTime = event.time;
            handler(cursor);
          }
          queue.splice(0, k);
          return queue.length === 0;
        },
      };
      try {
        while (!signal.aborted) {
          if (queue.length === 0) {
            await new Promise<void>((resolve) => (wake = resolve));
            wake = null;
            continue;
          }
          yield batch;
        }
      } finally {
        options.signal.removeEventListener('abort', onAbort);
        streams.abort();
        await Promise.allSettled(tasks);
      }
    },
  };
}
