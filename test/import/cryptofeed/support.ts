import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dataPath } from '../../support/paths.ts';
import type { ParsedSource, SeriesData } from '../../../src/data/import/types.ts';

const DIR = 'raw_exchange_api_captures__bmoscon_cryptofeed';
export const FTX_FILE = dataPath(DIR, 'at_ad74b11d5de8ad0414231c23dc5d7f73cdbfc5ab', 'FTX.0');
export const BINANCE_FILE = dataPath(DIR, 'at_ce58c2a0015040aa2271e80bac783d74fa2cdcff', 'BINANCE_FUTURES.http.0.0');
export const OKX_REST_FILE = dataPath(DIR, 'at_ce58c2a0015040aa2271e80bac783d74fa2cdcff', 'OKX.0');
export const OKX_WS_FILE = dataPath(DIR, 'at_ce58c2a0015040aa2271e80bac783d74fa2cdcff', 'OKX.ws.1.0');

/** Writes a copy of a real capture, changed by `edit` (lines without newlines, 0-based), under os.tmpdir(). */
export function brokenCopy(file: string, name: string, edit: (lines: string[]) => void): string {
  const lines = readFileSync(file, 'utf8').split('\n');
  edit(lines);
  const path = join(mkdtempSync(join(tmpdir(), 'perp-arb-cryptofeed-')), name);
  writeFileSync(path, lines.join('\n'));
  return path;
}

export function findSeries(parsed: ParsedSource, table: string, symbol: string): SeriesData {
  const series = parsed.series.find((s) => s.key.table === table && s.key.symbol === symbol);
  if (!series) throw new Error(`no ${table} series for ${symbol}`);
  return series;
}

export function num(series: SeriesData, column: string, row: number): number {
  return (series.columns[column] as Float64Array)[row];
}

export function levels(series: SeriesData, column: string, row: number): Float64Array {
  return (series.columns[column] as Float64Array[])[row];
}
