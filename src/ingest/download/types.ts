import type { EpochMs } from '../../core/time.ts';
import type { Rejection } from '../../data/import/types.ts';
import type { TimeSpan } from '../../data/store/downloadCoverage.ts';
import type { SeriesTable } from '../../domain/series.ts';

/** What to download: trade candles, mark-price candles or funding settlements. */
export type DownloadKind = 'ohlcv' | 'mark' | 'funding';
export const DOWNLOAD_KINDS: readonly DownloadKind[] = ['ohlcv', 'mark', 'funding'];

export const TABLE_OF_KIND: Record<DownloadKind, SeriesTable> = { ohlcv: 'bars', mark: 'mark_bars', funding: 'funding' };

export interface DownloadRequest {
  symbol: string;
  kind: DownloadKind;
  /** Candle length for ohlcv and mark (ccxt timeframe, up to 1d); ignored for funding. */
  timeframe: string;
  /** [fromMs, toMs): candles by open time, settlements by settlement time. */
  fromMs: EpochMs;
  toMs: EpochMs;
}

export interface DownloadProgress {
  /** Rows fetched and validated so far in this run. */
  rowsFetched: number;
  /** Rows committed to the store so far (new rows only). */
  rowsAdded: number;
  /** Share of the missing time done, 0..1. */
  fraction: number;
  /** End of the last window fetched (ms UTC): how far the download has got. */
  atMs: EpochMs;
  requests: number;
}

export interface SpanJson {
  from: string;
  to: string;
}

export interface DownloadSummary {
  venue: string;
  symbol: string;
  kind: DownloadKind;
  series: string;
  timeframe: string | null;
  /** The span worked on after alignment to the candle grid and the settle lag: [from, to). */
  from: string;
  to: string;
  /** Everything missing was fetched (false when stopped early by an abort). */
  complete: boolean;
  /** Rows the venue gave for the missing spans (validated). */
  rowsFetched: number;
  rowsAdded: number;
  /** Fetched rows the store already held with the same values. */
  rowsUnchanged: number;
  /** Fetched rows that differ from stored ones: the stored row is kept. */
  conflicts: Rejection[];
  /** HTTP requests for data (pages), and for the venue's market list. */
  requests: number;
  marketRequests: number;
  commits: number;
  /** Spans that were missing and have now been fetched. */
  spansFetched: SpanJson[];
  /** Spans skipped because the store holds them or an earlier download covered them. */
  spansSkipped: SpanJson[];
  notes: string[];
}

export type { TimeSpan };
