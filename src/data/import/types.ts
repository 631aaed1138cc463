import type { Instrument } from '../../domain/instrument.ts';
import type { SeriesKey } from '../../domain/series.ts';

/**
 * One series' rows in columnar form, as parsed from a source. Numeric and time columns are
 * Float64Array (times are integer ms); in a nullable numeric column NaN stands for null.
 * String columns are arrays of string | null; book levels are arrays of Float64Array.
 */
export type ColumnData = Float64Array | (string | null)[] | Float64Array[];

export interface SeriesData {
  key: SeriesKey;
  /** File (or file!member) the rows came from. */
  source: string;
  rows: number;
  columns: Record<string, ColumnData>;
  /** 1-based source line (or record number) of each row, for error reports. */
  lines: Int32Array;
}

/** A row that was not taken, with where it came from and why. */
export interface Rejection {
  source: string;
  /** 1-based line or record number; null when the problem is not one row's. */
  line: number | null;
  reason: string;
}

/** What parsing one source file gave. Validation (validateSeries) runs after parsing. */
export interface ParsedSource {
  source: string;
  format: FormatId;
  series: SeriesData[];
  instruments: Instrument[];
  /** Rows the parser could not read (malformed, unparsable numbers, unknown symbols). */
  rejections: Rejection[];
  /** Data rows (or messages) read from the source, taken or not. */
  rowsRead: number;
  /** Facts worth telling the user: inferred venue, time-zone conversion applied, ... */
  notes: string[];
}

export type FormatId =
  | 'freqtrade'
  | 'csv'
  | 'supervik-funding'
  | 'aha-hh'
  | 'lean'
  | 'cryptofeed';

export interface ImportOptions {
  /** Venue id (ccxt id) when the source does not name one, or to override an inferred one. */
  venue?: string;
  /** Unified symbol when the source does not name one. */
  symbol?: string;
  /** IANA zone or fixed offset ('UTC', '+03:00', 'Europe/London') for sources with local times. */
  timezone?: string;
  /** Generic CSV only: column mapping. */
  csvMapping?: CsvMapping;
  /**
   * Instruments known before this source is read: the store's and those of the files read before it
   * in the same import (importPath sets it). A source that sizes in contracts converts linear
   * contracts to base units with their contract size from here (OKX websocket captures).
   */
  knownInstrument?: (venue: string, symbol: string) => Instrument | undefined;
}

/** Maps CSV columns to a series' columns (generic CSV importer). */
export interface CsvMapping {
  table: SeriesKey['table'];
  timeframe: string | null;
  /** Time column name and how its values are written. */
  timeColumn: string;
  timeFormat: 'ms' | 's' | 'us' | 'ns' | 'iso';
  /** Series column name -> CSV column name, e.g. { open: 'perp_open', close: 'perp_close' }. */
  columns: Record<string, string>;
  /** CSV column holding each row's unified symbol (`symbol=COLUMN` in --map): rows are routed to one series per symbol. */
  symbolColumn?: string;
}

export interface FormatImporter {
  id: FormatId;
  description: string;
  /** Whether a file looks like this format, from its path and first bytes. */
  detect(path: string, head: Buffer): boolean;
  parse(path: string, options: ImportOptions): Promise<ParsedSource>;
}
