import { HOUR_MS, timeframeToMs } from '../../core/time.ts';
import { UsageError } from '../../core/errors.ts';
import { parseSymbol } from '../../domain/symbol.ts';
import { seriesId, type SeriesKey } from '../../domain/series.ts';
import type { FrameFeature, FundingFrame } from '../../model/forecast/types.ts';
import type { MarketStore, SeriesSummary } from '../store/marketStore.ts';
import { latestAt } from './latestAt.ts';

/**
 * One funding series of the store as a FundingFrame: its settlements, and the exogenous features
 * known at each settlement time, each only from rows whose value was known then (a bar's close at
 * its open time plus its length; another market's settlement at its time):
 * - otherMarketsRatePer8h: the mean of the latest settled rate (per 8 h) of every other funding
 *   series of the same base asset in the store (other venues, other margin types);
 * - basis: (perp close - spot close) / spot close from the venue's bars (spot BASE/QUOTE);
 * - logVolumePerHour: ln(1 + perp bar volume per hour);
 * - premium: (mark - index) / index from mark_bars and index_bars, else (mark - spot) / spot;
 * A feature older than two funding intervals at a settlement is unknown there (NaN).
 * The store has no open-interest table: open interest is not a feature until one is recorded.
 * `predicted` holds the venue's last quote (funding_quotes) for each settlement before it settled.
 */
export async function loadFundingFrame(store: MarketStore, venue: string, symbol: string): Promise<FundingFrame> {
  const all = store.listSeries();
  const funding = all.filter((s) => s.key.table === 'funding');
  const ofVenue = funding.filter((s) => s.key.venue === venue);
  if (ofVenue.length === 0) {
    const venues = [...new Set(funding.map((s) => s.key.venue))].sort();
    throw new UsageError(`unknown venue '${venue}': the store ${store.root} has funding for ${venues.length ? venues.join(', ') : 'no venue (import some with perp-arb data import)'}`);
  }
  const target = ofVenue.find((s) => s.key.symbol === symbol);
  if (!target) throw new UsageError(`no funding for '${symbol}' on ${venue} in ${store.root}; ${venue} has funding for ${ofVenue.map((s) => s.key.symbol).join(', ')}`);

  const data = await store.read(target.key);
  const tsMs = Float64Array.from(data.columns.ts as Float64Array);
  const rate = Float64Array.from(data.columns.rate as Float64Array);
  const intervalMs = intervalsOf(tsMs, data.columns.interval_ms as Float64Array);
  const maxAgeMs = (i: number) => 2 * intervalMs[i];

  const features: FrameFeature[] = [];
  const parts = parseSymbol(symbol);
  const others = funding.filter((s) => s.id !== target.id && safeBase(s.key.symbol) === parts.base);
  if (others.length > 0) features.push(await otherMarkets(store, others, tsMs));

  const spotSymbol = `${parts.base}/${parts.quote}`;
  const perpBars = await freshestBars(store, all, 'bars', venue, symbol, tsMs, maxAgeMs);
  const spotBars = await freshestBars(store, all, 'bars', venue, spotSymbol, tsMs, maxAgeMs);
  if (perpBars && spotBars) features.push({ name: 'basis', values: tsMs.map((_, i) => (perpBars.close[i] - spotBars.close[i]) / spotBars.close[i]) });
  if (perpBars) features.push({ name: 'logVolumePerHour', values: perpBars.volumePerHour.map((v) => Math.log1p(v)) });
  const mark = await freshestBars(store, all, 'mark_bars', venue, symbol, tsMs, maxAgeMs);
  const index = await freshestBars(store, all, 'index_bars', venue, symbol, tsMs, maxAgeMs);
  const reference = index ?? spotBars;
  if (mark && reference) features.push({ name: 'premium', values: tsMs.map((_, i) => (mark.close[i] - reference.close[i]) / reference.close[i]) });

  const { predicted, predictedTsMs } = await quotesFor(store, all, venue, symbol, tsMs);
  return { venue, symbol, tsMs, rate, intervalMs, features: features.filter((f) => f.values.some(Number.isFinite)), predicted, predictedTsMs };
}

function safeBase(symbol: string): string | null {
  try {
    return parseSymbol(symbol).base;
  } catch {
    return null;
  }
}

/** Each settlement's interval: the row's interval_ms, else the most common step between settlements (whole minutes). */
export function intervalsOf(tsMs: Float64Array, column: Float64Array | undefined): Float64Array {
  const counts = new Map<number, number>();
  for (let i = 1; i < tsMs.length; i++) {
    const step = Math.round((tsMs[i] - tsMs[i - 1]) / 60_000) * 60_000;
    if (step > 0) counts.set(step, (counts.get(step) ?? 0) + 1);
  }
  const common = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]?.[0] ?? 8 * HOUR_MS;
  return tsMs.map((_, i) => (column && Number.isFinite(column[i]) && column[i] > 0 ? column[i] : common));
}

async function otherMarkets(store: MarketStore, others: SeriesSummary[], tsMs: Float64Array): Promise<FrameFeature> {
  const sums = new Float64Array(tsMs.length);
  const counts = new Float64Array(tsMs.length);
  for (const s of others) {
    const d = await store.read(s.key);
    const ts = d.columns.ts as Float64Array;
    const intervals = intervalsOf(ts, d.columns.interval_ms as Float64Array);
    const per8h = (d.columns.rate as Float64Array).map((r, i) => (r * 8 * HOUR_MS) / intervals[i]);
    const maxAge = 2 * Math.max(...intervals.subarray(0, Math.min(intervals.length, 1000)));
    for (let i = 0; i < tsMs.length; i++) {
      const v = latestAt(ts, per8h, tsMs[i], maxAge);
      if (Number.isFinite(v)) {
        sums[i] += v;
        counts[i]++;
      }
    }
  }
  return { name: 'otherMarketsRatePer8h', values: sums.map((s, i) => (counts[i] > 0 ? s / counts[i] : Number.NaN)) };
}

interface BarsAt {
  close: Float64Array;
  volumePerHour: Float64Array;
}

/** Each settlement's latest bar close (any timeframe the store has, the freshest known), NaN where none is recent. */
async function freshestBars(store: MarketStore, all: SeriesSummary[], table: 'bars' | 'mark_bars' | 'index_bars', venue: string, symbol: string, tsMs: Float64Array, maxAgeMs: (i: number) => number): Promise<BarsAt | null> {
  const series = all.filter((s) => s.key.table === table && s.key.venue === venue && s.key.symbol === symbol && s.key.timeframe !== null);
  if (series.length === 0) return null;
  const close = new Float64Array(tsMs.length).fill(Number.NaN);
  const volumePerHour = new Float64Array(tsMs.length).fill(Number.NaN);
  const knownAt = new Float64Array(tsMs.length).fill(-Infinity);
  for (const s of series) {
    const tfMs = timeframeToMs(s.key.timeframe as string);
    const d = await store.read(s.key);
    const known = (d.columns.ts as Float64Array).map((t) => t + tfMs);
    const closes = d.columns.close as Float64Array;
    const volumes = (d.columns.volume as Float64Array | undefined) ?? new Float64Array(d.rows).fill(Number.NaN);
    const indices = Float64Array.from({ length: d.rows }, (_, k) => k);
    for (let i = 0; i < tsMs.length; i++) {
      const k = latestAt(known, indices, tsMs[i], maxAgeMs(i));
      if (!Number.isFinite(k) || known[k] <= knownAt[i]) continue;
      knownAt[i] = known[k];
      close[i] = closes[k];
      volumePerHour[i] = (volumes[k] * HOUR_MS) / tfMs;
    }
  }
  return { close, volumePerHour };
}

async function quotesFor(store: MarketStore, all: SeriesSummary[], venue: string, symbol: string, tsMs: Float64Array): Promise<{ predicted: Float64Array; predictedTsMs: Float64Array }> {
  const predicted = new Float64Array(tsMs.length).fill(Number.NaN);
  const predictedTsMs = new Float64Array(tsMs.length).fill(Number.NaN);
  const key: SeriesKey = { table: 'funding_quotes', venue, symbol, timeframe: null };
  if (!all.some((s) => s.id === seriesId(key))) return { predicted, predictedTsMs };
  const d = await store.read(key);
  const qts = d.columns.ts as Float64Array;
  const qrate = d.columns.rate as Float64Array;
  const qnext = d.columns.next_funding_ms as Float64Array;
  // The last quote before each settlement, taken after the previous one, for that settlement
  // (its announced next funding time within a minute of it, or none announced).
  let k = 0;
  for (let j = 0; j < tsMs.length; j++) {
    const after = j > 0 ? tsMs[j - 1] : -Infinity;
    while (k < qts.length && qts[k] < tsMs[j]) {
      const forThis = !Number.isFinite(qnext[k]) || Math.abs(qnext[k] - tsMs[j]) <= 60_000;
      if (qts[k] >= after && forThis) {
        predicted[j] = qrate[k];
        predictedTsMs[j] = qts[k];
      }
      k++;
    }
  }
  return { predicted, predictedTsMs };
}
