import type { Exchange, FundingRateHistory } from 'ccxt';
import type { EpochMs } from '../../core/time.ts';

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

function collect(into: Map<number, FundingRateHistory>, page: FundingRateHistory[], sinceMs: EpochMs, untilMs: EpochMs): Collected {
  let added = 0;
  let oldest = Infinity;
  let newest = -Infinity;
  for (const row of page) {
    const ts = row.timestamp;
    if (typeof ts !== 'number') continue;
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
 */
export async function fetchFundingHistoryPaged(
  exchange: Exchange,
  symbol: string,
  sinceMs: EpochMs,
  untilMs: EpochMs,
  mode: FundingHistoryMode,
  paging: FundingHistoryPaging = DEFAULT_FUNDING_PAGING,
): Promise<FundingRateHistory[]> {
  const fetch: Fetch = (since, limit, params) => exchange.fetchFundingRateHistory(symbol, since, limit, params);
  const rows = new Map<number, FundingRateHistory>();
  const limit = paging.pageLimit;
  if (mode.mode === 'forward') {
    let cursor = sinceMs;
    for (let page = 0; page < paging.maxPages && cursor < untilMs; page++) {
      const answer = await fetch(cursor, limit, {});
      const got = collect(rows, answer, sinceMs, untilMs);
      if (got.added === 0 || answer.length < limit || got.newest >= untilMs - 1 || got.newest < cursor) break;
      cursor = got.newest + 1;
    }
  } else if (mode.mode === 'backward') {
    let endInclusive = untilMs - 1;
    for (let page = 0; page < paging.maxPages && endInclusive >= sinceMs; page++) {
      const end = mode.endExclusive ? endInclusive + 1 : endInclusive;
      const answer = await fetch(sinceMs, limit, { [mode.endParam]: mode.endAsString ? String(end) : end });
      const got = collect(rows, answer, sinceMs, untilMs);
      if (got.added === 0 || answer.length < limit || got.oldest <= sinceMs || got.oldest > endInclusive) break;
      endInclusive = got.oldest - 1;
    }
  } else {
    for (let page = 1; page <= paging.maxPages; page++) {
      const answer = await fetch(undefined, limit, { [mode.pageParam]: page });
      const got = collect(rows, answer, sinceMs, untilMs);
      if (answer.length < limit || got.oldest < sinceMs) break;
    }
  }
  return [...rows.values()].sort((a, b) => (a.timestamp ?? 0) - (b.timestamp ?? 0));
}
