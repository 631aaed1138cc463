import { UsageError } from '../../core/errors.ts';

/** Venue ids (ccxt ids) that a file path may name. */
export const KNOWN_VENUES: readonly string[] = [
  'binance', 'bybit', 'okx', 'deribit', 'hyperliquid', 'bitget', 'gate', 'htx', 'kucoin', 'mexc', 'dydx',
  'ftx', 'coinbase', 'kraken', 'bitmex', 'bitfinex', 'bitstamp', 'gemini', 'bingx', 'phemex', 'woo',
  'bitmart', 'cryptocom', 'coinex', 'ascendex', 'blofin', 'paradex', 'aevo', 'whitebit',
  'bitvavo', 'upbit', 'bithumb', 'poloniex', 'lbank', 'coinbaseinternational',
];

/** Older or per-market ccxt ids that name the same venue as one of KNOWN_VENUES. */
export const VENUE_ALIASES: Readonly<Record<string, string>> = {
  binanceusdm: 'binance',
  binancecoinm: 'binance',
  okex: 'okx',
  huobi: 'htx',
  gateio: 'gate',
  kucoinfutures: 'kucoin',
  krakenfutures: 'kraken',
};

const VENUES = new Set(KNOWN_VENUES);

/**
 * The known venue id nearest the file among the path's alphanumeric tokens (case-insensitive), or null.
 * e.g. '/x/binance_usdm_perp_1m/BTC_USDT_USDT-1m-futures.feather' -> 'binance'.
 */
export function inferVenueFromPath(path: string): string | null {
  // From the file name backwards: the venue nearest the file wins over one in a parent folder.
  for (const raw of path.split(/[^A-Za-z0-9]+/).reverse()) {
    const token = raw.toLowerCase();
    if (VENUES.has(token)) return token;
    const alias = VENUE_ALIASES[token];
    if (alias) return alias;
  }
  return null;
}

/** options.venue if given, else the venue the path names; throws asking for --venue when neither. */
export function resolveVenue(path: string, venueOption: string | undefined): { venue: string; note: string | null } {
  if (venueOption !== undefined && venueOption.trim() !== '') return { venue: venueOption.trim(), note: null };
  const venue = inferVenueFromPath(path);
  if (venue === null) {
    throw new UsageError(`${path}: the path names no known venue; pass --venue (a ccxt id such as binance, bybit, okx)`);
  }
  return { venue, note: `venue ${venue} inferred from path` };
}
