import { UsageError } from '../../core/errors.ts';
import { parseTimeArg } from '../../core/time.ts';
import { basisFromStore } from '../../data/basisFromStore.ts';
import { MarketStore, type TimeRange } from '../../data/store/marketStore.ts';
import { seriesId } from '../../domain/series.ts';
import type { BasisPrices, Sampling } from '../../model/basisSeries.ts';
import { basisFromCsv } from './fitCsv.ts';
import { mixedBaseWarning } from './fitLegs.ts';

/** The series `perp-arb fit` models, from the store or a CSV. */
export interface FitInput {
  /** The basis (fraction) the OU model is fitted to. */
  basis: Float64Array;
  /** Times of the points (ms UTC; bar OPEN times for bars), or null for a CSV without times. */
  tsMs: Float64Array | null;
  /** When the last value was observed (ms UTC): the last bar's close time; null without times. */
  lastObservedMs: number | null;
  dtSeconds: number;
  /** Human description of where the series came from. */
  source: string;
  sampling: Sampling | null;
  /** Store only: rows without a partner on the other leg. */
  unmatchedSpot: number | null;
  unmatchedPerp: number | null;
  droppedRows: number | null;
  /** Bid/ask only: executable basis for opening each direction. */
  openShortPerp: Float64Array | null;
  openLongPerp: Float64Array | null;
  /** Store only: where to look up the perp's funding over the fitted span. */
  funding: { store: MarketStore; perpId: string; range: TimeRange } | null;
  /** What the reader must know before trusting any number (mixed base assets with --allow-mixed-base). */
  warnings: string[];
}

export interface FitInputOptions {
  store?: string;
  spot?: string;
  perp?: string;
  from?: string;
  to?: string;
  timeframe?: string;
  prices?: string;
  csv?: string;
  column?: string;
  spotColumn?: string;
  perpColumn?: string;
  timeColumn?: string;
  dtSeconds?: string;
  allowMixedBase?: boolean;
}

const parseTime = (text: string | undefined, option: string) => {
  if (text === undefined) return undefined;
  try {
    return parseTimeArg(text);
  } catch (error) {
    throw new UsageError(`${option}: ${(error as Error).message}`);
  }
};

export function positiveNumber(text: string, option: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value <= 0) throw new UsageError(`${option} must be a positive number, got '${text}'`);
  return value;
}

/** Loads the basis from the store (--spot/--perp) or a CSV (--csv); argument errors are UsageErrors. */
export async function loadFitInput(options: FitInputOptions, defaultStore: string): Promise<FitInput> {
  const fromStore = options.spot !== undefined || options.perp !== undefined;
  if (fromStore === (options.csv !== undefined)) throw new UsageError('give either --spot and --perp (from the store) or --csv FILE');
  const prices = (options.prices ?? 'close') as BasisPrices;
  if (prices !== 'close' && prices !== 'bidask') throw new UsageError(`--prices must be close or bidask, got '${options.prices}'`);
  if (fromStore) {
    if (options.spot === undefined || options.perp === undefined) throw new UsageError('the store needs both --spot venue:SYMBOL and --perp venue:SYMBOL');
    for (const [name, value] of Object.entries({ '--column': options.column, '--spot-column': options.spotColumn, '--perp-column': options.perpColumn, '--time-column': options.timeColumn, '--dt-seconds': options.dtSeconds })) {
      if (value !== undefined) throw new UsageError(`${name} applies to --csv only (the store's series carry their own times)`);
    }
    const mixed = mixedBaseWarning(options.spot, options.perp, options.allowMixedBase === true);
    const store = new MarketStore(options.store ?? defaultStore);
    const loaded = await basisFromStore(store, {
      spotId: options.spot,
      perpId: options.perp,
      fromMs: parseTime(options.from, '--from'),
      toMs: parseTime(options.to, '--to'),
      timeframe: options.timeframe,
      prices,
    });
    const { basis } = loaded;
    const intervalMs = basis.sampling.intervalMs;
    if (!(intervalMs > 0)) throw new Error(`too short: ${basis.tsMs.length} aligned point(s) of ${seriesId(loaded.spotSeries)} and ${seriesId(loaded.perpSeries)}`);
    return {
      basis: basis.basis,
      tsMs: basis.tsMs,
      lastObservedMs: basis.tsMs[basis.tsMs.length - 1] + loaded.valueDelayMs,
      dtSeconds: intervalMs / 1000,
      source: `${prices === 'close' ? 'closes' : 'bid/ask mid'} of ${seriesId(loaded.perpSeries)} vs ${seriesId(loaded.spotSeries)}`,
      sampling: basis.sampling,
      unmatchedSpot: basis.unmatchedSpot,
      unmatchedPerp: basis.unmatchedPerp,
      droppedRows: basis.droppedRows,
      openShortPerp: basis.openShortPerp ?? null,
      openLongPerp: basis.openLongPerp ?? null,
      funding: { store, perpId: options.perp, range: { fromMs: basis.tsMs[0], toMs: basis.tsMs[basis.tsMs.length - 1] + loaded.valueDelayMs } },
      warnings: mixed === null ? [] : [mixed],
    };
  }
  for (const [name, value] of Object.entries({ '--from': options.from, '--to': options.to, '--timeframe': options.timeframe, '--allow-mixed-base': options.allowMixedBase || undefined })) {
    if (value !== undefined) throw new UsageError(`${name} applies to the store only (--spot/--perp)`);
  }
  if (prices !== 'close') throw new UsageError('--prices bidask applies to the store only; a CSV gives the basis or two price columns');
  if (options.dtSeconds === undefined) throw new UsageError('--csv needs --dt-seconds N, the time between rows in seconds');
  const dtSeconds = positiveNumber(options.dtSeconds, '--dt-seconds');
  const csv = basisFromCsv({ path: options.csv as string, column: options.column, spotColumn: options.spotColumn, perpColumn: options.perpColumn, timeColumn: options.timeColumn });
  if (csv.sampling && Number.isFinite(csv.sampling.intervalMs) && csv.sampling.intervalMs !== dtSeconds * 1000) {
    throw new UsageError(`--dt-seconds ${dtSeconds} disagrees with the time column, whose most common step is ${csv.sampling.intervalMs / 1000} s`);
  }
  return {
    basis: csv.basis,
    tsMs: csv.tsMs,
    lastObservedMs: csv.tsMs ? csv.tsMs[csv.tsMs.length - 1] : null,
    dtSeconds,
    source: csv.description,
    sampling: csv.sampling,
    unmatchedSpot: null,
    unmatchedPerp: null,
    droppedRows: null,
    openShortPerp: null,
    openLongPerp: null,
    funding: null,
    warnings: [],
  };
}
