import type { Exchange } from 'ccxt';
import { HOUR_MS, isoUtc, type EpochMs } from '../../core/time.ts';
import { inferIntervalMs } from '../../data/import/fundingInterval.ts';
import type { Rejection, SeriesData } from '../../data/import/types.ts';
import { DownloadCoverage, type TimeSpan } from '../../data/store/downloadCoverage.ts';
import type { MarketStore } from '../../data/store/marketStore.ts';
import type { FundingRateEvent } from '../../domain/events.ts';
import type { Instrument } from '../../domain/instrument.ts';
import { seriesId, type SeriesKey } from '../../domain/series.ts';
import { parseSymbol } from '../../domain/symbol.ts';
import type { CcxtMarketDataVenue } from '../../venues/ccxt/ccxtMarketDataVenue.ts';
import { requireMethod } from '../../venues/ccxt/capabilities.ts';
import { exchangeSecrets, toVenueError } from '../../venues/ccxt/errors.ts';
import { toFundingSettlement } from '../../venues/ccxt/funding.ts';
import { DEFAULT_FUNDING_PAGING, NumberedFundingPages } from '../../venues/ccxt/fundingHistory.ts';
import {
  FALLBACK_OHLCV_PAGE_LIMIT,
  fetchOhlcvPage,
  ohlcvMaxPageLimit,
  ohlcvMethod,
  ohlcvVolumeScale,
  ohlcvWindows,
  requireOhlcv,
  requireOhlcvTimeframe,
  withWindow,
  type OhlcvPrice,
} from '../../venues/ccxt/ohlcvHistory.ts';
import { venueSpec } from '../../venues/ccxt/supportedVenues.ts';
import { VenueError } from '../../venues/types.ts';
import { checkDownloadTimeframe, clipToHistoryDepth, planDownload, targetSpan } from './plan.ts';
import { DEFAULT_BACKOFF, withRetries as withRetriesOf, type RetryPolicy } from '../../core/retry.ts';
import { candlesToSeries, concatSeries, fundingToSeries, requireValidRows } from './rows.ts';
import { TABLE_OF_KIND, type DownloadProgress, type DownloadRequest, type DownloadSummary } from './types.ts';

const DEFAULT_RETRY: RetryPolicy = { retries: 3, backoff: { ...DEFAULT_BACKOFF, initialDelayMs: 1_000 } };
/** Rate limits, timeouts, network failures and outages are retried; anything else is not. */
const withRetries = <T>(policy: RetryPolicy, attempt: () => Promise<T>) => withRetriesOf(policy, attempt, (error) => error instanceof VenueError && error.retryable);

export interface DownloadOptions {
  store: MarketStore;
  /** Local clock (tests inject one). */
  now?: () => EpochMs;
  /** A candle counts as closed, a settlement as final, only this long after (default 60 s). */
  settleLagMs?: number;
  /** Candles per request (default, and at most: the venue's maximum from ccxt's features, for the timeframe). */
  pageLimit?: number;
  /** Settlements per funding request: must be the venue's fundingPaging.pageLimit (default 100). */
  fundingPageLimit?: number;
  /** Commit to the store once this many rows are fetched (default 50,000); the rest at the end or on a failure. */
  batchRows?: number;
  retry?: Partial<RetryPolicy>;
  /** Stops after the current request; what was fetched is committed. */
  signal?: AbortSignal;
  onProgress?: (progress: DownloadProgress) => void;
}

export const DEFAULT_SETTLE_LAG_MS = 60_000;
export const DEFAULT_BATCH_ROWS = 50_000;

const spanJson = (s: TimeSpan) => ({ from: isoUtc(s.fromMs), to: isoUtc(s.toMs) });

/** A window to fetch and what fetching it gives: validated rows. */
interface Window extends TimeSpan {
  fetch: () => Promise<SeriesData>;
  /** How far the download has got once this window is done (default toMs; fromMs when walking back in time). */
  atMs?: EpochMs;
}

/** Counts the HTTP requests ccxt sends through this exchange while `run` runs. */
async function countingRequests<T>(exchange: Exchange, counter: { n: number }, run: () => Promise<T>): Promise<T> {
  const target = exchange as unknown as { fetch: (...args: unknown[]) => Promise<unknown> };
  const original = target.fetch;
  target.fetch = function (this: unknown, ...args: unknown[]) {
    counter.n++;
    return original.apply(this, args);
  };
  try {
    return await run();
  } finally {
    target.fetch = original;
  }
}

function requireSupport(venue: CcxtMarketDataVenue, request: DownloadRequest): void {
  const kind = parseSymbol(request.symbol).kind;
  if (request.kind === 'funding') {
    requireMethod(venue.exchange, venue.venue, 'fetchFundingRateHistory');
    if (kind !== 'perp') throw new VenueError(venue.venue, 'fetchFundingRateHistory', 'unsupported', `${request.symbol} is a ${kind} market: only perps have funding`, false);
  } else {
    requireOhlcv(venue.exchange, venue.venue, request.symbol, request.kind === 'mark' ? 'mark' : 'trade');
  }
}

/**
 * Downloads one series into the store: works out what is missing for [fromMs, toMs) (the store's
 * candles and the download record), fetches only that, page by page, validates every answer, and
 * commits in batches. A failure (or an abort) commits what was fetched before it, so a rerun asks
 * only for what is still missing; spans the venue has no data for are recorded and not asked again.
 */
export async function downloadSeries(venue: CcxtMarketDataVenue, request: DownloadRequest, options: DownloadOptions): Promise<DownloadSummary> {
  const { store } = options;
  const now = options.now ?? Date.now;
  if (!(request.fromMs < request.toMs)) throw new Error(`--from (${isoUtc(request.fromMs)}) must be before --to (${isoUtc(request.toMs)})`);
  requireSupport(venue, request);
  const stepMs = request.kind === 'funding' ? null : checkDownloadTimeframe(request.timeframe);
  if (request.kind !== 'funding') requireOhlcvTimeframe(venue.exchange, venue.venue, request.timeframe, request.kind === 'mark' ? 'mark' : 'trade');
  const key: SeriesKey = { table: TABLE_OF_KIND[request.kind], venue: venue.venue, symbol: request.symbol, timeframe: stepMs === null ? null : request.timeframe };
  const id = seriesId(key);
  const coverage = new DownloadCoverage(store.root);
  let target = targetSpan(request.fromMs, request.toMs, stepMs, now(), options.settleLagMs ?? DEFAULT_SETTLE_LAG_MS);
  const depth = venueSpec(venue.venue)?.ohlcvHistoryCandles;
  let depthNote: string | null = null;
  if (stepMs !== null && depth !== undefined && target.toMs > target.fromMs) {
    const clipped = clipToHistoryDepth(target, stepMs, now(), depth);
    if (clipped.earliestMs !== null) {
      depthNote = `${venue.venue} serves only its latest ${depth.toLocaleString('en-US')} ${request.timeframe} candles: nothing before ${isoUtc(clipped.earliestMs)} was asked for (nor recorded as downloaded)`;
      target = clipped.target;
    }
  }
  const plan = await planDownload(store, coverage, key, target, stepMs);

  const summary: DownloadSummary = {
    venue: venue.venue,
    symbol: request.symbol,
    kind: request.kind,
    series: id,
    timeframe: key.timeframe,
    from: isoUtc(target.fromMs),
    to: isoUtc(target.toMs),
    complete: false,
    rowsFetched: 0,
    rowsAdded: 0,
    rowsUnchanged: 0,
    conflicts: [],
    requests: 0,
    marketRequests: 0,
    commits: 0,
    spansFetched: [],
    spansSkipped: plan.skipped.map(spanJson),
    notes: [],
  };
  if (depthNote !== null) summary.notes.push(depthNote);
  if (target.toMs <= target.fromMs) summary.notes.push(depthNote === null ? 'nothing to download: the span holds no closed candle or final settlement yet' : 'nothing to download');
  if (plan.missing.length === 0) {
    summary.complete = true;
    return summary;
  }

  const retry: RetryPolicy = { ...DEFAULT_RETRY, ...options.retry, signal: options.signal };
  const markets = { n: 0 };
  const data = { n: 0 };
  const [instrument] = await countingRequests(venue.exchange, markets, () =>
    withRetries(retry, () => venue.loadInstruments({ symbols: [request.symbol], skipFundingIntervals: true })),
  );
  summary.marketRequests = markets.n;
  const noted: Instrument = { ...instrument };
  const windows = request.kind === 'funding' ? fundingWindows(venue, request, key, plan.missing, noted, options, summary) : candleWindows(venue, request, key, plan.missing, options, summary);

  const totalMs = plan.missing.reduce((t, s) => t + s.toMs - s.fromMs, 0);
  let doneMs = 0;
  let pending: SeriesData[] = [];
  let pendingRows = 0;
  let pendingSpans: TimeSpan[] = [];
  const batchRows = options.batchRows ?? DEFAULT_BATCH_ROWS;

  const flush = async () => {
    if (pendingSpans.length === 0) return;
    if (pendingRows > 0) {
      const tx = store.begin();
      try {
        summary.notes.push(...tx.noteInstrument(noted));
        const result = await tx.write(concatSeries(key, `${venue.venue} download of ${id}`, pending));
        tx.commit();
        summary.commits++;
        summary.rowsAdded += result.added;
        summary.rowsUnchanged += result.unchanged;
        summary.conflicts.push(...(result.conflicts as Rejection[]));
      } catch (error) {
        tx.rollback();
        throw error;
      }
    }
    coverage.add(id, pendingSpans);
    summary.spansFetched.push(...pendingSpans.map(spanJson));
    pending = [];
    pendingRows = 0;
    pendingSpans = [];
  };

  try {
    await countingRequests(venue.exchange, data, async () => {
      for (const window of windows) {
        if (options.signal?.aborted) return;
        const rows = await withRetries(retry, window.fetch);
        summary.requests = data.n;
        pending.push(rows);
        pendingRows += rows.rows;
        pendingSpans.push({ fromMs: window.fromMs, toMs: window.toMs });
        summary.rowsFetched += rows.rows;
        doneMs += window.toMs - window.fromMs;
        if (pendingRows >= batchRows) await flush();
        options.onProgress?.({ rowsFetched: summary.rowsFetched, rowsAdded: summary.rowsAdded, fraction: totalMs > 0 ? doneMs / totalMs : 1, atMs: window.atMs ?? window.toMs, requests: data.n });
      }
    });
  } catch (error) {
    summary.requests = data.n;
    try {
      await flush();
    } catch (flushError) {
      throw new Error(`${(error as Error).message}; and committing the rows fetched before it failed too: ${(flushError as Error).message}`);
    }
    throw error;
  }
  summary.requests = data.n;
  await flush();
  summary.complete = !options.signal?.aborted;
  return summary;
}

/**
 * Windows of one page of candles each, over the missing spans. A page limit above the venue's
 * maximum is lowered to it: ccxt would trim the request and the rest of the window be taken for a gap.
 */
function* candleWindows(venue: CcxtMarketDataVenue, request: DownloadRequest, key: SeriesKey, missing: TimeSpan[], options: DownloadOptions, summary: DownloadSummary): Generator<Window> {
  const now = options.now ?? Date.now;
  const price: OhlcvPrice = request.kind === 'mark' ? 'mark' : 'trade';
  const method = ohlcvMethod(price);
  const maxLimit = ohlcvMaxPageLimit(venue.exchange, request.symbol, price, request.timeframe);
  let pageLimit = options.pageLimit ?? maxLimit ?? FALLBACK_OHLCV_PAGE_LIMIT;
  if (maxLimit !== null && pageLimit > maxLimit) {
    summary.notes.push(`page limit ${pageLimit} is above what ${venue.venue} gives for ${request.symbol} ${request.timeframe} ${price === 'mark' ? 'mark ' : ''}candles in one request: ${maxLimit} a page instead`);
    pageLimit = maxLimit;
  }
  const volume = ohlcvVolumeScale(venue.exchange, venue.venue, request.symbol);
  if (price === 'trade' && volume.reason !== null) summary.notes.push(volume.reason);
  for (const span of missing) {
    for (const w of ohlcvWindows(span.fromMs, span.toMs, request.timeframe, pageLimit)) {
      yield {
        ...w,
        fetch: async () => {
          const page = await fetchOhlcvPage(venue.exchange, { venue: venue.venue, symbol: request.symbol, timeframe: request.timeframe, price, ...w, nowMs: now() });
          const source = `${venue.venue} ${method} ${request.symbol} ${request.timeframe} ${isoUtc(w.fromMs)}..${isoUtc(w.toMs)}`;
          return requireValidRows(candlesToSeries(key, source, page.candles), now());
        },
      };
    }
  }
}

/**
 * Windows for funding: each about one page of settlements (pageLimit - 1 intervals, so that a full
 * window still ends on a short page), fetched with the venue's own paging (fetchFundingHistory),
 * which pages further inside a window when the interval is shorter than assumed. A venue with
 * numbered pages, newest first (bitget), is walked once from the newest window back
 * (NumberedFundingPages): every window starting from page 1 again would ask for the same pages over and over.
 */
function* fundingWindows(
  venue: CcxtMarketDataVenue,
  request: DownloadRequest,
  key: SeriesKey,
  missing: TimeSpan[],
  instrument: Instrument,
  options: DownloadOptions,
  summary: DownloadSummary,
): Generator<Window> {
  const now = options.now ?? Date.now;
  const spec = venueSpec(venue.venue);
  const historyRate = spec?.fundingHistoryRate;
  const stored = options.store.instruments().find((i) => i.venue === venue.venue && i.symbol === request.symbol);
  let intervalMs: number | null = historyRate?.intervalMs ?? instrument.fundingIntervalMs ?? stored?.fundingIntervalMs ?? null;
  const pageLimit = options.fundingPageLimit ?? DEFAULT_FUNDING_PAGING.pageLimit;
  const windowMs = Math.max(1, pageLimit - 1) * (intervalMs ?? 8 * HOUR_MS);
  const spans: TimeSpan[] = [];
  for (const span of missing) {
    for (let start = span.fromMs; start < span.toMs; start += windowMs) spans.push({ fromMs: start, toMs: Math.min(start + windowMs, span.toMs) });
  }
  const mode = spec?.fundingHistory;
  const numbered = mode?.mode === 'pageNumber' ? new NumberedFundingPages(venue.exchange, request.symbol, mode, { ...DEFAULT_FUNDING_PAGING, pageLimit }, now) : null;
  const fetchRows = async (w: TimeSpan): Promise<FundingRateEvent[]> => {
    if (numbered === null) return venue.fetchFundingHistory(request.symbol, w.fromMs, w.toMs);
    let rows;
    try {
      rows = await numbered.window(w.fromMs, w.toMs);
    } catch (error) {
      throw toVenueError(error, venue.venue, 'fetchFundingRateHistory', exchangeSecrets(venue.exchange));
    }
    const nowMs = now();
    return rows.map((row) => toFundingSettlement(venue.venue, row, historyRate?.intervalMs ?? null, historyRate?.infoField, nowMs));
  };
  const seen: number[] = [];
  for (const w of numbered === null ? spans : spans.reverse()) {
    yield {
      ...w,
      atMs: numbered === null ? w.toMs : w.fromMs,
      fetch: async () => {
        let rows;
        try {
          rows = await fetchRows(w);
        } catch (error) {
          throw error instanceof VenueError ? withWindow(error, `${request.symbol} settlements from ${isoUtc(w.fromMs)} to ${isoUtc(w.toMs)}`) : error;
        }
        if (intervalMs === null && rows.every((r) => r.fundingIntervalMs === null)) {
          seen.push(...rows.map((r) => r.ts));
          intervalMs = inferIntervalMs([...seen].sort((a, b) => a - b));
          if (intervalMs !== null) {
            instrument.fundingIntervalMs = intervalMs;
            summary.notes.push(`${venue.venue} ${request.symbol}: funding interval ${intervalMs / HOUR_MS}h inferred from the most common gap between settlements`);
          }
        }
        const source = `${venue.venue} fetchFundingRateHistory ${request.symbol} ${isoUtc(w.fromMs)}..${isoUtc(w.toMs)}`;
        return requireValidRows(fundingToSeries(key, source, rows, intervalMs), now());
      },
    };
  }
}
