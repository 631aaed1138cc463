import { MINUTE_MS, parseTimeArg } from '../../core/time.ts';
import { replay } from '../../data/replay/replay.ts';
import { storeSources } from '../../data/replay/storeSources.ts';
import type { ReplaySource } from '../../data/replay/types.ts';
import { MarketStore } from '../../data/store/marketStore.ts';
import { syntheticMarketStream } from '../../data/synthetic/chunks.ts';
import type { Instrument } from '../../domain/instrument.ts';
import type { SeriesKey } from '../../domain/series.ts';
import type { BacktestConfig } from '../../engine/backtest.ts';

/** The basis (perp close / spot close - 1) of the run's spot/perp pair, at each bar where both are known. */
export interface SpreadSeries {
  tsMs: Float64Array;
  basis: Float64Array;
  spot: string;
  perp: string;
}

/** The first spot instrument and the first derivative on the same venue (null: the run has no such pair). */
export function spreadPair(instruments: readonly Instrument[]): { spot: Instrument; perp: Instrument } | null {
  for (const spot of instruments) {
    if (spot.kind !== 'spot') continue;
    const perp = instruments.find((i) => i.kind !== 'spot' && i.venue === spot.venue && i.base === spot.base);
    if (perp) return { spot, perp };
  }
  return null;
}

/**
 * Rebuilds the spread the backtest traded on from the same data (the synthetic generator is
 * deterministic in its seed; a store is read again over the same range). Null when the run has no
 * spot/perp pair or the data has no bars for it.
 */
export async function spreadSeriesOf(config: BacktestConfig, instruments: readonly Instrument[], storeDir?: string): Promise<SpreadSeries | null> {
  const pair = spreadPair(instruments);
  if (!pair) return null;
  let sources: ReplaySource[];
  if (config.data.source === 'synthetic') {
    // Generated chunk by chunk, as the backtest did: memory does not grow with data.days.
    const market = syntheticMarketStream({ ...config.data.options, seed: config.data.seed, bars: Math.round(config.data.days * 1440), barIntervalMs: MINUTE_MS });
    const [spot, perp] = market.sources();
    if (spot.key.symbol !== pair.spot.symbol || perp.key.symbol !== pair.perp.symbol) return null;
    sources = [spot, perp];
  } else {
    if (!storeDir) return null;
    const store = new MarketStore(storeDir);
    const series = store.listSeries();
    const keyOf = (inst: Instrument): SeriesKey | undefined =>
      series.find((s) => s.key.table === 'bars' && s.key.venue === inst.venue && s.key.symbol === inst.symbol && s.key.timeframe === (config.data as { barTimeframe: string }).barTimeframe)?.key;
    const spotKey = keyOf(pair.spot);
    const perpKey = keyOf(pair.perp);
    if (!spotKey || !perpKey) return null;
    const range = { fromMs: config.data.from ? parseTimeArg(config.data.from) : undefined, toMs: config.data.to ? parseTimeArg(config.data.to) : undefined };
    sources = storeSources(store, [spotKey, perpKey], range);
  }
  const ts: number[] = [];
  const basis: number[] = [];
  const last = [Number.NaN, Number.NaN];
  await replay(sources, (cursor) => {
    const close = cursor.columns.close?.[cursor.row];
    if (close === undefined || !(close > 0)) return;
    last[cursor.seriesIndex] = close;
    if (last[0] > 0 && last[1] > 0) {
      const t = cursor.time;
      const b = last[1] / last[0] - 1;
      if (ts.length > 0 && ts[ts.length - 1] === t) basis[basis.length - 1] = b;
      else {
        ts.push(t);
        basis.push(b);
      }
    }
  });
  if (ts.length === 0) return null;
  return { tsMs: Float64Array.from(ts), basis: Float64Array.from(basis), spot: `${pair.spot.venue}:${pair.spot.symbol}`, perp: `${pair.perp.venue}:${pair.perp.symbol}` };
}
