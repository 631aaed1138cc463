import type { Exchange, FundingRateHistory } from 'ccxt';
import type { EpochMs } from '../../core/time.ts';
import { eventTimeProblem } from '../../domain/plausibility.ts';

/**
 * How a venue's funding history pages, as ccxt exposes it:
 * - forward: the venue answers the oldest `limit` rows from `since` (binance, deribit, hyperliquid);
 * - backward: it answers the NEWEST `limit` rows up to an end time, so pages walk back from the end
 *   (bybit, okx, gate); `endParam` is the parameter ccxt passes on (the unified `until`, or the
 *   venue's own, e.g. okx `after`, exclusive);
 * - pageNumber: no time parameters, numbered pages newest first (bitget `pageNo`).
 */
export type FundingHistoryMode =
  | { mode: 'forward' }
  | { mode: 'backward'; endParam: string; endExclusive: boolean; endAsString?: boolean }
  | { mode: 'pageNumber'; pageParam: string };

export interface FundingHistoryPaging {
  /** Rows asked for per request. */
  pageLimit: number;
  /** Stop after this many requests (a guard against a venue that ignores the paging parameters). */
  maxPages: number;
}

export const DEFAULT_FUNDING_PAGING: FundingHistoryPaging = { pageLimit: 100, maxPages: 10_000 };

type Fetch = (since: EpochMs | undefined, limit: number, params: Record<string, unknown>) => Promise<FundingRateHistory[]>;

interface Collected {
  rows: Map<number, FundingRateHistory>;
  /** Rows of the page inside [sinceMs, untilMs) that were new. */
  added: number;
  oldest: number;
  newest: number;
}

/**
 * A settlement time no venue can mean (year 10000, 1970): kept whatever the window, so that the
 * mapper names it (toFundingSettlement), never skipped as "outside the window"; it does not steer the paging.
 */
const implausible = (ts: number, nowMs: EpochMs) => eventTimeProblem('ts', ts, nowMs) !== null;

/** By time, rows without a finite time last: a NaN in a subtraction comparator leaves the others unsorted. */
function oldestFirst(a: FundingRateHistory, b: FundingRateHistory): number {
  const at = (r: FundingRateHistory) => (typeof r.timestamp === 'number' && Number.isFinite(r.timestamp) ? r.timestamp : Infinity);
  const [x, y] = [at(a), at(b)];
  return x === y ? 0 : x < y ? -1 : 1;
}

function collect(into: Map<number, FundingRateHistory>, page: FundingRateHistory[], sinceMs: EpochMs, untilMs: EpochMs, nowMs: EpochMs): Collected {
  let added = 0;
  let oldest = Infinity;
  let newest = -Infinity;
  for (const row of page) {
    const ts = row.timestamp;
    if (typeof ts !== 'number') continue;
    if (implausible(ts, nowMs)) {
      into.set(ts, row);
      continue;
    }
    oldest = Math.min(oldest, ts);
    newest = Math.max(newest, ts);
    if (ts < sinceMs || ts >= untilMs || into.has(ts)) continue;
    into.set(ts, row);
    added++;
  }
  return { rows: into, added, oldest, newest };
}

/**
 * Every funding settlement in [sinceMs, untilMs), oldest first, each once, paging the way the
 * venue pages. Stops on a short page, a page with nothing new, or when the window is covered.
 * Rows with an implausible time at `nowMs` are returned too, for the mapper to reject by name.
 */
export async function fetchFundingHistoryPaged(
  exchange: Exchange,
  symbol: string,
  sinceMs: EpochMs,
  untilMs: EpochMs,
  mode: FundingHistoryMode,
  paging: FundingHistoryPaging = DEFAULT_FUNDING_PAGING,
  nowMs: EpochMs = Date.now(),
): Promise<FundingRateHistory[]> {
  const fetch: Fetch = (since, limit, params) => exchange.fetchFundingRateHistory(symbol, since, limit, params);
  const rows = new Map<number, FundingRateHistory>();
  const limit = paging.pageLimit;
  if (mode.mode === 'forward') {
    let cursor = sinceMs;
    for (let page = 0; page < paging.maxPages && cursor < untilMs; page++) {
      const answer = await fetch(cursor, limit, {});
      const got = collect(rows, answer, sinceMs, untilMs, nowMs);
      if (got.added === 0 || answer.length < limit || got.newest >= untilMs - 1 || got.newest < cursor) break;
      cursor = got.newest + 1;
    }
  } else if (mode.mode === 'backward') {
    let endInclusive = untilMs - 1;
    for (let page = 0; page < paging.maxPages && endInclusive >= sinceMs; page++) {
      const end = mode.endExclusive ? endInclusive + 1 : endInclusive;
      const answer = await fetch(sinceMs, limit, { [mode.endParam]: mode.endAsString ? String(end) : end });
      const got = collect(rows, answer, sinceMs, untilMs, nowMs);
      if (got.added === 0 || answer.length < limit || got.oldest <= sinceMs || got.oldest > endInclusive) break;
      endInclusive = got.oldest - 1;
    }
  } else {
    // Pages newer than the window add no row to it yet are new; a page of times all seen before means
    // the venue ignores the page number, and asking on would send maxPages requests for nothing.
    const seen = new Set<unknown>();
    for (let page = 1; page <= paging.maxPages; page++) {
      const answer = await fetch(undefined, limit, { [mode.pageParam]: page });
      const before = seen.size;
      for (const row of answer) seen.add(row.timestamp);
      const got = collect(rows, answer, sinceMs, untilMs, nowMs);
      if (answer.length < limit || got.oldest < sinceMs || seen.size === before) break;
    }
  }
  return [...rows.values()].sort(oldestFirst);
}

/**
 * The funding history of a venue that pages by number, newest first, with no time parameters
 * (bitget `pageNo`), for a download asked window by window, NEWEST window first. Pages are walked
 * once across all windows: rows older than the current window wait for the next one. Asking each
 * window with fetchFundingHistoryPaged instead would walk from page 1 again for every window
 * (n windows, about n^2/2 requests).
 */
export class NumberedFundingPages {
  private page = 0;
  private exhausted = false;
  private oldest = Infinity;
  private readonly waiting = new Map<number, FundingRateHistory>();
  /** Rows with an implausible time, handed to the caller with the next window it gets. */
  private implausibleRows: FundingRateHistory[] = [];

  constructor(
    private readonly exchange: Exchange,
    private readonly symbol: string,
    private readonly mode: Extract<FundingHistoryMode, { mode: 'pageNumber' }>,
    private readonly paging: FundingHistoryPaging = DEFAULT_FUNDING_PAGING,
    private readonly now: () => EpochMs = Date.now,
  ) {}

  /**
   * Every settlement in [sinceMs, untilMs), oldest first, each once. Ask windows newest first
   * (untilMs at most the previous sinceMs). A failed request can be retried: nothing moves on until
   * a page has been read. A row with an implausible time comes with the first window returned
   * after its page was read, for the mapper to reject by name.
   */
  async window(sinceMs: EpochMs, untilMs: EpochMs): Promise<FundingRateHistory[]> {
    const limit = this.paging.pageLimit;
    const nowMs = this.now();
    while (!this.exhausted && this.oldest >= sinceMs && this.page < this.paging.maxPages) {
      const answer = await this.exchange.fetchFundingRateHistory(this.symbol, undefined, limit, { [this.mode.pageParam]: this.page + 1 });
      this.page++;
      let added = 0;
      for (const row of answer) {
        const ts = row.timestamp;
        if (typeof ts !== 'number') continue;
        if (implausible(ts, nowMs)) {
          this.implausibleRows.push(row);
          continue;
        }
        this.oldest = Math.min(this.oldest, ts);
        if (this.waiting.has(ts)) continue;
        this.waiting.set(ts, row);
        added++;
      }
      // A short page is the last; a page with nothing new means the venue ignores the page number.
      if (answer.length < limit || added === 0) this.exhausted = true;
    }
    const rows = this.implausibleRows;
    this.implausibleRows = [];
    for (const [ts, row] of this.waiting) {
      if (ts < sinceMs) continue;
      if (ts < untilMs) rows.push(row);
      this.waiting.delete(ts);
    }
    return rows.sort(oldestFirst);
  }
}
