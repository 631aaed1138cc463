import { UsageError } from '../core/errors.ts';
import { isoUtc, timeframeToMs } from '../core/time.ts';
import { parseInstrumentId } from '../domain/instrument.ts';
import { seriesId, type SeriesKey, type SeriesTable } from '../domain/series.ts';
import { basisFromBidAsk, basisFromCloses, type BasisPrices, type BasisSeries } from '../model/basisSeries.ts';
import type { MarketStore, SeriesSummary, TimeRange } from './store/marketStore.ts';

export interface BasisFromStoreOptions {
  /** 'venue:SYMBOL' of the spot leg, e.g. binance:BTC/USDT. */
  spotId: string;
  /** 'venue:SYMBOL' of the perp leg, e.g. binance:BTC/USDT:USDT. */
  perpId: string;
  /** The span [fromMs, toMs) of the points' times (bar open times, quote times). */
  fromMs?: number;
  /** Exclusive: a point at toMs is not read. */
  toMs?: number;
  /** Bar length ('1m'); default: the finest one both legs have. Not used for quotes. */
  timeframe?: string;
  /** 'close': bar closes (bars); 'bidask': quote_bars closes, else quotes. Default 'close'. */
  prices?: BasisPrices;
}

export interface StoreBasis {
  basis: BasisSeries;
  spotSeries: SeriesKey;
  perpSeries: SeriesKey;
  /**
   * Add to a point's ts to get the time its value was observed: the bar length for bars (ts is the
   * candle OPEN time, the close price is known at ts + timeframe), 0 for quotes.
   */
  valueDelayMs: number;
}

interface Leg {
  id: string;
  venue: string;
  symbol: string;
}

function parseLeg(id: string, option: string): Leg {
  try {
    return { id, ...parseInstrumentId(id) };
  } catch (error) {
    throw new UsageError(`${option}: ${(error as Error).message}`);
  }
}

const seriesOf = (all: SeriesSummary[], leg: Leg, table: SeriesTable) =>
  all.filter((s) => s.key.table === table && s.key.venue === leg.venue && s.key.symbol === leg.symbol);

function describeHoldings(all: SeriesSummary[], leg: Leg): string {
  const have = all.filter((s) => s.key.venue === leg.venue && s.key.symbol === leg.symbol).map((s) => s.id);
  return have.length ? `the store has for ${leg.id}: ${have.join(', ')}` : `the store has nothing for ${leg.id} (see perp-arb data ls)`;
}

/** The finest timeframe both legs have in `table`, or the requested one; an error says what exists. */
function pickTimeframe(all: SeriesSummary[], spot: Leg, perp: Leg, table: SeriesTable, requested: string | undefined): string | null {
  const frames = (leg: Leg) => new Set(seriesOf(all, leg, table).map((s) => s.key.timeframe as string));
  const spotFrames = frames(spot);
  const perpFrames = frames(perp);
  if (requested !== undefined) {
    timeframeToMs(requested);
    for (const [leg, set] of [[spot, spotFrames], [perp, perpFrames]] as const) {
      if (!set.has(requested)) throw new Error(`no ${requested} ${table} for ${leg.id}; ${describeHoldings(all, leg)}`);
    }
    return requested;
  }
  const common = [...spotFrames].filter((tf) => perpFrames.has(tf)).sort((a, b) => timeframeToMs(a) - timeframeToMs(b));
  return common[0] ?? null;
}

function rangeText(range: TimeRange): string {
  if (range.fromMs === undefined && range.toMs === undefined) return '';
  return ` in [${range.fromMs === undefined ? 'the start' : isoUtc(range.fromMs)}, ${range.toMs === undefined ? 'the end' : isoUtc(range.toMs)})`;
}

async function readLeg(store: MarketStore, all: SeriesSummary[], key: SeriesKey, range: TimeRange) {
  const summary = all.find((s) => s.id === seriesId(key));
  if (!summary) throw new Error(`no ${seriesId(key)} in ${store.root}`);
  const outside = (range.fromMs !== undefined && summary.lastTs < range.fromMs) || (range.toMs !== undefined && summary.firstTs >= range.toMs);
  if (outside) throw new Error(`${seriesId(key)} has no rows${rangeText(range)}: it covers ${isoUtc(summary.firstTs)} to ${isoUtc(summary.lastTs)}`);
  return store.read(key, range);
}

const f64 = (data: { columns: Record<string, unknown> }, name: string) => data.columns[name] as Float64Array;

/**
 * Loads the spot and perp legs from the store and builds the basis on their common timestamps.
 * Errors name what is missing and what the store has instead (a bad option is a UsageError).
 */
export async function basisFromStore(store: MarketStore, options: BasisFromStoreOptions): Promise<StoreBasis> {
  const spot = parseLeg(options.spotId, '--spot');
  const perp = parseLeg(options.perpId, '--perp');
  const prices = options.prices ?? 'close';
  const range: TimeRange = { fromMs: options.fromMs, toMs: options.toMs };
  if (range.fromMs !== undefined && range.toMs !== undefined && range.fromMs >= range.toMs) {
    throw new UsageError(`--from ${isoUtc(range.fromMs)} is not before --to ${isoUtc(range.toMs)}: the span [from, to) is empty`);
  }
  const all = store.listSeries();
  const key = (leg: Leg, table: SeriesTable, timeframe: string | null): SeriesKey => ({ table, venue: leg.venue, symbol: leg.symbol, timeframe });

  let basis: BasisSeries;
  let spotKey: SeriesKey;
  let perpKey: SeriesKey;
  let valueDelayMs: number;
  if (prices === 'close') {
    const timeframe = pickTimeframe(all, spot, perp, 'bars', options.timeframe);
    if (timeframe === null) {
      const missing = [spot, perp].filter((leg) => seriesOf(all, leg, 'bars').length === 0);
      const detail = (missing.length ? missing : [spot, perp]).map((leg) => describeHoldings(all, leg)).join('; ');
      throw new Error(`no bars of one timeframe for both ${spot.id} and ${perp.id}; ${detail}`);
    }
    spotKey = key(spot, 'bars', timeframe);
    perpKey = key(perp, 'bars', timeframe);
    const [s, p] = await Promise.all([readLeg(store, all, spotKey, range), readLeg(store, all, perpKey, range)]);
    basis = basisFromCloses({ tsMs: f64(s, 'ts'), price: f64(s, 'close') }, { tsMs: f64(p, 'ts'), price: f64(p, 'close') });
    valueDelayMs = timeframeToMs(timeframe);
  } else {
    const timeframe = pickTimeframe(all, spot, perp, 'quote_bars', options.timeframe);
    const bothQuotes = seriesOf(all, spot, 'quotes').length > 0 && seriesOf(all, perp, 'quotes').length > 0;
    if (timeframe !== null) {
      spotKey = key(spot, 'quote_bars', timeframe);
      perpKey = key(perp, 'quote_bars', timeframe);
      const [s, p] = await Promise.all([readLeg(store, all, spotKey, range), readLeg(store, all, perpKey, range)]);
      basis = basisFromBidAsk(
        { tsMs: f64(s, 'ts'), bid: f64(s, 'bid_close'), ask: f64(s, 'ask_close') },
        { tsMs: f64(p, 'ts'), bid: f64(p, 'bid_close'), ask: f64(p, 'ask_close') },
      );
      valueDelayMs = timeframeToMs(timeframe);
    } else if (bothQuotes && options.timeframe === undefined) {
      spotKey = key(spot, 'quotes', null);
      perpKey = key(perp, 'quotes', null);
      const [s, p] = await Promise.all([readLeg(store, all, spotKey, range), readLeg(store, all, perpKey, range)]);
      basis = basisFromBidAsk({ tsMs: f64(s, 'ts'), bid: f64(s, 'bid'), ask: f64(s, 'ask') }, { tsMs: f64(p, 'ts'), bid: f64(p, 'bid'), ask: f64(p, 'ask') });
      valueDelayMs = 0;
    } else {
      throw new Error(
        `--prices bidask needs quote_bars of one timeframe, or quotes, for both ${spot.id} and ${perp.id}; ` +
          `${describeHoldings(all, spot)}; ${describeHoldings(all, perp)} (use --prices close for bar closes)`,
      );
    }
  }
  if (basis.tsMs.length === 0) {
    throw new Error(
      `${seriesId(spotKey)} and ${seriesId(perpKey)} share no timestamp${rangeText(range)} ` +
        `(${basis.unmatchedSpot} spot rows, ${basis.unmatchedPerp} perp rows${basis.droppedRows ? `, ${basis.droppedRows} rows without prices` : ''})`,
    );
  }
  return { basis, spotSeries: spotKey, perpSeries: perpKey, valueDelayMs };
}

export interface StoreFunding {
  /** Settlements in the range. */
  settlements: number;
  /** Mean rate per interval over the range (fraction; positive: longs pay shorts). */
  meanRatePerInterval: number;
  lastRatePerInterval: number;
  lastSettlementMs: number;
  /** The interval between settlements: the rows' interval_ms, else the most common step (whole minutes). */
  intervalMs: number | null;
}

/** The perp's funding settlements in the range [fromMs, toMs), or null when the store has none there. */
export async function fundingFromStore(store: MarketStore, perpId: string, range: TimeRange = {}): Promise<StoreFunding | null> {
  const { venue, symbol } = parseInstrumentId(perpId);
  const key: SeriesKey = { table: 'funding', venue, symbol, timeframe: null };
  const summary = store.listSeries().find((s) => s.id === seriesId(key));
  if (!summary) return null;
  if ((range.fromMs !== undefined && summary.lastTs < range.fromMs) || (range.toMs !== undefined && summary.firstTs >= range.toMs)) return null;
  const data = await store.read(key, range);
  const rows = data.rows;
  if (rows === 0) return null;
  const ts = f64(data, 'ts');
  const rate = f64(data, 'rate');
  const interval = f64(data, 'interval_ms');
  let sum = 0;
  for (let i = 0; i < rows; i++) sum += rate[i];
  let intervalMs: number | null = Number.isFinite(interval[rows - 1]) && interval[rows - 1] > 0 ? interval[rows - 1] : null;
  if (intervalMs === null && rows >= 2) {
    // Settlement times carry a few ms of jitter on some venues: take the most common step in whole minutes.
    const counts = new Map<number, number>();
    for (let i = 1; i < rows; i++) {
      const step = Math.round((ts[i] - ts[i - 1]) / 60_000) * 60_000;
      counts.set(step, (counts.get(step) ?? 0) + 1);
    }
    const [step] = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0];
    intervalMs = step > 0 ? step : null;
  }
  return { settlements: rows, meanRatePerInterval: sum / rows, lastRatePerInterval: rate[rows - 1], lastSettlementMs: ts[rows - 1], intervalMs };
}
