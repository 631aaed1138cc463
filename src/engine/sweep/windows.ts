import { ConfigError } from '../../core/errors.ts';
import { DAY_MS, isoUtc, MINUTE_MS, parseTimeArg, timeframeToMs } from '../../core/time.ts';
import { SWEEP_LIMITS } from '../../domain/config/ranges.ts';
import { MarketStore } from '../../data/store/marketStore.ts';
import { DEFAULT_SYNTHETIC_OPTIONS } from '../../data/synthetic/market.ts';
import { parseInstrumentId } from '../../domain/instrument.ts';
import type { BacktestConfig } from '../backtest.ts';
import type { WalkForwardSpec } from './sweepConfig.ts';

/** A half-open time span [fromMs, toMs), ms UTC. */
export interface TimeWindow {
  fromMs: number;
  toMs: number;
}

export interface Fold {
  /** 0-based. */
  index: number;
  train: TimeWindow;
  /** Starts exactly where `train` ends. */
  test: TimeWindow;
}

export const showWindow = (w: TimeWindow) => `${isoUtc(w.fromMs)} .. ${isoUtc(w.toMs)}`;

/**
 * The span a backtest config replays. Synthetic: the generator's start (data.options.startMs or its
 * default) to start + round(days * 1440) one-minute bars. Store: data.from / data.to when given, else
 * where every configured instrument has bars of data.barTimeframe (latest first bar to earliest end).
 */
export function dataSpan(config: BacktestConfig, storeDir?: string): TimeWindow {
  const data = config.data;
  if (data.source === 'synthetic') {
    const start = data.options.startMs ?? DEFAULT_SYNTHETIC_OPTIONS.startMs;
    return { fromMs: start, toMs: start + Math.round(data.days * 1440) * MINUTE_MS };
  }
  let fromMs = data.from ? parseTimeArg(data.from) : undefined;
  let toMs = data.to ? parseTimeArg(data.to) : undefined;
  if (fromMs === undefined || toMs === undefined) {
    if (!storeDir) throw new Error('data.source "store" needs a store directory (--store DIR)');
    const series = new MarketStore(storeDir).listSeries();
    const barMs = timeframeToMs(data.barTimeframe);
    let first = Number.NEGATIVE_INFINITY;
    let end = Number.POSITIVE_INFINITY;
    for (const c of config.instruments) {
      const { venue, symbol } = parseInstrumentId(c.id);
      const bars = series.find((s) => s.key.table === 'bars' && s.key.venue === venue && s.key.symbol === symbol && s.key.timeframe === data.barTimeframe);
      if (!bars) throw new Error(`instrument ${c.id} has no ${data.barTimeframe} bars in the store ${storeDir}; give data.from and data.to`);
      first = Math.max(first, bars.firstTs);
      end = Math.min(end, bars.lastTs + barMs);
    }
    fromMs ??= first;
    toMs ??= end;
  }
  if (!(toMs > fromMs)) throw new Error(`the data span ${isoUtc(fromMs)} .. ${isoUtc(toMs)} is empty`);
  return { fromMs, toMs };
}

/** How many folds walkForwardFolds makes, counted without making them. */
export function walkForwardFoldCount(span: TimeWindow, spec: WalkForwardSpec): number {
  const room = span.toMs - span.fromMs - Math.round(spec.trainDays * DAY_MS) - Math.round(spec.testDays * DAY_MS);
  return room < 0 ? 0 : Math.floor(room / Math.round(spec.stepDays * DAY_MS)) + 1;
}

/**
 * Walk-forward folds over `span`: fold k tests [S + train + k step, + test) and trains on the
 * `train` before it (anchored: on everything from S). Only whole test windows are made.
 */
export function walkForwardFolds(span: TimeWindow, spec: WalkForwardSpec, where = 'sweep'): Fold[] {
  const trainMs = Math.round(spec.trainDays * DAY_MS);
  const testMs = Math.round(spec.testDays * DAY_MS);
  const stepMs = Math.round(spec.stepDays * DAY_MS);
  const count = walkForwardFoldCount(span, spec);
  if (count > SWEEP_LIMITS.folds) {
    throw new ConfigError(where, [`walkForward: ${count} folds over ${showWindow(span)} with stepDays ${spec.stepDays}; at most ${SWEEP_LIMITS.folds} (take a longer stepDays)`]);
  }
  const folds: Fold[] = [];
  for (let k = 0; ; k++) {
    const testFrom = span.fromMs + trainMs + k * stepMs;
    const testTo = testFrom + testMs;
    if (testTo > span.toMs) break;
    folds.push({ index: k, train: { fromMs: spec.anchored ? span.fromMs : testFrom - trainMs, toMs: testFrom }, test: { fromMs: testFrom, toMs: testTo } });
  }
  if (folds.length === 0) {
    const days = (span.toMs - span.fromMs) / DAY_MS;
    throw new Error(`walkForward: the data span ${showWindow(span)} (${days.toFixed(2)} days) is shorter than trainDays + testDays (${spec.trainDays} + ${spec.testDays})`);
  }
  return folds;
}
