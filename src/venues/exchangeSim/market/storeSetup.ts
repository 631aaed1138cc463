import { HOUR_MS, isoUtc, timeframeToMs } from '../../../core/time.ts';
import { parseSymbol } from '../../../domain/symbol.ts';
import type { SeriesKey, SeriesTable } from '../../../domain/series.ts';
import type { MarketStore, SeriesSummary } from '../../../data/store/marketStore.ts';
import { storeSources } from '../../../data/replay/storeSources.ts';
import { makeListing, SIM_VENUES, type Listing, type SimVenueId } from '../listings.ts';
import type { MarketSetup } from './marketSetup.ts';

export interface StoreSetupOptions {
  /** First market time to play (default: the earliest row of the chosen series). */
  fromMs?: number;
  toMs?: number;
  /** Market time after fromMs played at once before the server opens. */
  historyMs: number;
}

/** Price series in order of preference: top of book first, then quote candles, then trade candles. */
const PRICE_TABLES: readonly SeriesTable[] = ['quotes', 'quote_bars', 'bars'];

interface Chosen {
  venue: SimVenueId;
  symbol: string;
  price: SeriesSummary;
  funding: SeriesSummary | null;
  markBars: SeriesSummary | null;
}

const timeframeOf = (s: SeriesSummary): number => (s.key.timeframe === null ? 0 : timeframeToMs(s.key.timeframe));

/** The finest series of the first table in PRICE_TABLES that the store has for one market. */
function priceSeries(series: SeriesSummary[]): SeriesSummary | null {
  for (const table of PRICE_TABLES) {
    const found = series.filter((s) => s.key.table === table).sort((a, b) => timeframeOf(a) - timeframeOf(b));
    if (found.length > 0) return found[0];
  }
  return null;
}

function chooseSeries(store: MarketStore): Chosen[] {
  const byMarket = new Map<string, SeriesSummary[]>();
  for (const s of store.listSeries()) {
    if (!(SIM_VENUES as readonly string[]).includes(s.key.venue)) continue;
    const id = `${s.key.venue} ${s.key.symbol}`;
    byMarket.set(id, [...(byMarket.get(id) ?? []), s]);
  }
  const chosen: Chosen[] = [];
  for (const series of byMarket.values()) {
    const { venue, symbol } = series[0].key;
    const parts = parseSymbol(symbol);
    if (parts.kind === 'future' || (parts.kind === 'perp' && parts.settle !== parts.quote)) continue;
    const price = priceSeries(series);
    if (price === null) continue;
    const perp = parts.kind === 'perp';
    const funding = perp ? (series.find((s) => s.key.table === 'funding') ?? null) : null;
    const markBars = perp ? (series.filter((s) => s.key.table === 'mark_bars').sort((a, b) => timeframeOf(a) - timeframeOf(b))[0] ?? null) : null;
    chosen.push({ venue: venue as SimVenueId, symbol, price, funding, markBars });
  }
  return chosen.sort((a, b) => `${a.venue} ${a.symbol}`.localeCompare(`${b.venue} ${b.symbol}`));
}

/** The first price of a series at or after fromMs (a close, a mid, a quote-bar mid). */
async function firstPrice(store: MarketStore, key: SeriesKey, fromMs: number): Promise<number> {
  const data = await store.read(key, { fromMs, toMs: fromMs + 31 * 24 * HOUR_MS });
  const col = (name: string) => data.columns[name] as Float64Array | undefined;
  for (let i = 0; i < data.rows; i++) {
    const close = col('close')?.[i];
    if (close !== undefined && close > 0) return close;
    const bid = col('bid')?.[i] ?? col('bid_close')?.[i];
    const ask = col('ask')?.[i] ?? col('ask_close')?.[i];
    if (bid !== undefined && ask !== undefined && bid > 0 && ask > 0) return (bid + ask) / 2;
  }
  return Number.NaN;
}

/** The store instrument's funding interval, else the interval_ms of the first settlement, else 8 h. */
async function fundingIntervalOf(store: MarketStore, key: SeriesKey, venue: string, symbol: string, fromMs: number): Promise<number> {
  const known = store.instruments().find((i) => i.venue === venue && i.symbol === symbol)?.fundingIntervalMs;
  if (known) return known;
  const data = await store.read(key, { fromMs });
  const interval = (data.columns.interval_ms as Float64Array | undefined)?.[0];
  return interval !== undefined && interval > 0 ? interval : 8 * HOUR_MS;
}

/**
 * The markets of a store that exchange-sim can list: spot and linear perps of binance and bybit,
 * each with its price series (quotes, else quote bars, else the finest trade bars), and for perps
 * their funding settlements and mark candles. Other venues' series are left out.
 */
export async function storeSetup(store: MarketStore, options: StoreSetupOptions): Promise<MarketSetup> {
  const chosen = chooseSeries(store);
  if (chosen.length === 0) throw new Error(`${store.root}: no binance or bybit spot or linear perp series with quotes or bars`);
  const fromMs = options.fromMs ?? Math.min(...chosen.map((c) => c.price.firstTs));
  const listings: Listing[] = [];
  const keys: SeriesKey[] = [];
  for (const c of chosen) {
    const price = await firstPrice(store, c.price.key, fromMs);
    if (!(price > 0)) continue;
    const intervalMs = c.funding === null ? null : await fundingIntervalOf(store, c.funding.key, c.venue, c.symbol, fromMs);
    listings.push(makeListing(c.venue, c.symbol, price, parseSymbol(c.symbol).kind === 'perp' ? intervalMs : null));
    keys.push(c.price.key);
    if (c.markBars) keys.push(c.markBars.key);
  }
  // Funding after every price series, so a settlement sees the prices of its time.
  for (const c of chosen) if (c.funding && listings.some((l) => l.venue === c.venue && l.symbol === c.symbol)) keys.push(c.funding.key);
  if (listings.length === 0) throw new Error(`${store.root}: no price at or after ${isoUtc(fromMs)} in the binance and bybit series`);
  const range = { fromMs, toMs: options.toMs };
  return {
    listings,
    sources: () => storeSources(store, keys, range),
    startMs: fromMs,
    liveFromMs: fromMs + options.historyMs,
    interestRatePerInterval: 0.0001,
    capRatePerInterval: 0.0075,
    description: `store ${store.root} (${listings.map((l) => `${l.venue} ${l.symbol}`).join(', ')}) from ${isoUtc(fromMs)}`,
  };
}
