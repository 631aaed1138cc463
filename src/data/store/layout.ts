import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseSymbol, type SeriesKey } from '../../domain/index.ts';

/** The store directory: --store, else $PERP_ARB_STORE, else ~/.perp-arb/store. */
export function defaultStoreDir(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.PERP_ARB_STORE ?? join(homedir(), '.perp-arb', 'store'));
}

export const MANIFEST_FILE = 'manifest.json';
export const LOCK_FILE = '.lock';
export const SERIES_DIR = 'series';

const VENUE_RE = /^[a-z0-9][a-z0-9_.-]*$/;

export function checkVenueId(venue: string): void {
  if (!VENUE_RE.test(venue)) throw new Error(`'${venue}' is not a venue id (lowercase letters and digits, as ccxt ids: binance, okx)`);
}

/** series/<table>/<venue>/<symbol with / as _ and : as __>/<timeframe or _>/ — readable and unambiguous. */
export function seriesDir(key: SeriesKey): string {
  checkVenueId(key.venue);
  parseSymbol(key.symbol);
  const symbolDir = key.symbol.replaceAll(':', '__').replaceAll('/', '_');
  return join(SERIES_DIR, key.table, key.venue, symbolDir, key.timeframe ?? '_');
}

/** 'YYYY-MM' of a ts (UTC): the partition a row belongs to. */
export function monthOf(tsMs: number): string {
  return new Date(tsMs).toISOString().slice(0, 7);
}

/** The first ms of the UTC month after the one holding tsMs. */
export function nextMonthStartMs(tsMs: number): number {
  const d = new Date(tsMs);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}
