import { MINUTE_MS, parseTimeArg } from '../core/time.ts';
import type { MarketInput, ReplaySource, ReplayStats, SeriesChunk } from '../data/replay/types.ts';
import { replayInput } from '../data/replay/replay.ts';
import { eventTimesFor } from '../data/replay/sources.ts';
import { storeSources } from '../data/replay/storeSources.ts';
import { MarketStore } from '../data/store/marketStore.ts';
import { syntheticMarketStream } from '../data/synthetic/chunks.ts';
import { SYNTHETIC_VENUE, type SyntheticMarketOptions } from '../data/synthetic/market.ts';
import { instrumentFromSymbol, parseInstrumentId, type Instrument } from '../domain/instrument.ts';
import { seriesId, type SeriesKey } from '../domain/series.ts';
import type { LedgerSink } from '../portfolio/ledgerTypes.ts';
import type { BacktestConfig } from './backtestConfig.ts';
import type { Engine, EngineResult } from './engine.ts';
import { applyInstrumentOverrides, sessionEngine, simulatedVenuesOf } from './sessionSetup.ts';
import type { EngineEvent } from './events.ts';
import type { EventStream } from './eventStream.ts';
import { interruptibleSources } from './interruptible.ts';
import { summarize, type BacktestSummary } from './summary.ts';

export { BacktestConfigSchema, loadBacktestConfig, parseBacktestConfig, type BacktestConfig } from './backtestConfig.ts';

export interface BacktestRun {
  result: EngineResult;
  summary: BacktestSummary;
  instruments: Instrument[];
  /** Event-time span of the data replayed (null: no event in range). */
  span: DataSpan | null;
}

/** Event-time span of a run's data, ms: [fromMs, toMs]. */
export interface DataSpan {
  fromMs: number;
  toMs: number;
}

/** Progress of a run: the replay's counts, the data span and the fraction of it replayed so far. */
export interface BacktestProgress extends ReplayStats {
  /** Null when the sources hold no event in the range. */
  span: DataSpan | null;
  /** (lastTime - span.fromMs) / (span.toMs - span.fromMs), in [0, 1]; null without a span or an event. */
  fraction: number | null;
}

export interface BacktestRunOptions {
  /** Store root for data.source = 'store'. */
  storeDir?: string;
  /** Called as the replay advances (every PROGRESS_CHUNK_ROWS rows of a series at most), and once at the end. */
  onProgress?: (progress: BacktestProgress) => void;
  /**
   * Replay only events with event time in [fromMs, toMs) (walk-forward windows; on top of
   * data.from/to), and trade from tradeFromMs (default fromMs): the events before it warm the
   * strategy up (Engine tradeFromMs).
   */
  window?: { fromMs?: number; toMs?: number; tradeFromMs?: number };
  /** Journal of every ledger entry (fills, funding, fees, borrow, liquidations), e.g. a SqliteLedgerStore. */
  ledgerSink?: LedgerSink;
  /**
   * Aborting it stops the replay between two events with a RunInterruptedError (src/engine/interruptible.ts):
   * the ledger then holds every event up to there, balanced.
   */
  signal?: AbortSignal;
  /**
   * Called with the engine's event stream (and the engine) before the replay starts: subscribers
   * (e.g. a TradeLog for exports, the dashboard) attach here.
   */
  observe?: (events: EventStream<EngineEvent>, engine: Engine) => void;
  /** The replay as the engine reads it: a paper session paces it to wall time (pacedInput) or ends it on a stop signal. */
  wrapInput?: (input: MarketInput) => MarketInput;
  /** Close every pair when the input ends (a paper session stopped with --flatten-on-exit). */
  flattenAtEnd?: boolean;
}

/** With a progress callback, series are replayed in chunks of at most this many rows, so progress is reported often. */
export const PROGRESS_CHUNK_ROWS = 16_384;

export async function runBacktest(config: BacktestConfig, options: BacktestRunOptions = {}): Promise<BacktestRun> {
  let instruments: Instrument[];
  let sources: ReplaySource[];
  let span: DataSpan | null = null;
  if (config.data.source === 'synthetic') {
    // Generated chunk by chunk while it is replayed: memory does not grow with data.days.
    const market = syntheticMarketStream({ ...(config.data.options as Partial<SyntheticMarketOptions>), seed: config.data.seed, bars: Math.round(config.data.days * 1440), barIntervalMs: MINUTE_MS });
    const interval = market.options.fundingIntervalMs;
    instruments = config.instruments.map((c) => {
      const { venue, symbol } = parseInstrumentId(c.id);
      if (venue !== SYNTHETIC_VENUE) throw new Error(`instrument ${c.id}: synthetic data lives on venue '${SYNTHETIC_VENUE}'`);
      const known = [market.keys.spot.symbol, market.keys.perp.symbol, ...(market.keys.future ? [market.keys.future.symbol] : [])];
      if (!known.includes(symbol)) throw new Error(`instrument ${c.id}: the synthetic market has ${known.join(' and ')}`);
      const base = instrumentFromSymbol(venue, symbol);
      if (base.kind === 'perp') Object.assign(base, { contractSize: 1, fundingIntervalMs: interval });
      if (base.kind === 'future') Object.assign(base, { contractSize: 1, expiryMs: market.options.futureExpiryMs });
      return applyInstrumentOverrides(base, c);
    });
    sources = market.sources();
    for (const name of ['spot', 'perp', 'funding', 'future'] as const) {
      const range = market.tsRange[name];
      const key = market.keys[name];
      if (range === null || key === null) continue;
      const times = eventTimesFor(key, Float64Array.of(range.firstTs, range.lastTs));
      span = widen(span, times[0], times[1]);
    }
  } else {
    if (!options.storeDir) throw new Error('data.source "store" needs a store directory (--store DIR)');
    const store = new MarketStore(options.storeDir);
    const stored = store.instruments();
    instruments = config.instruments.map((c) => {
      const { venue, symbol } = parseInstrumentId(c.id);
      const base = stored.find((i) => i.venue === venue && i.symbol === symbol);
      if (!base) throw new Error(`instrument ${c.id} is not in the store ${options.storeDir}`);
      return applyInstrumentOverrides(base, c);
    });
    const series = store.listSeries();
    const keys: SeriesKey[] = [];
    // Prices before funding: at equal times the venue settles funding on the latest prices.
    for (const table of ['mark_bars', 'quotes', 'bars'] as const) {
      for (const inst of instruments) {
        for (const s of series) {
          if (s.key.table !== table || s.key.venue !== inst.venue || s.key.symbol !== inst.symbol) continue;
          if (table === 'bars' && s.key.timeframe !== config.data.barTimeframe) continue;
          keys.push(s.key);
        }
      }
    }
    for (const inst of instruments) {
      if (inst.kind === 'spot') continue;
      const f = series.find((s) => s.key.table === 'funding' && s.key.venue === inst.venue && s.key.symbol === inst.symbol);
      if (f) keys.push(f.key);
    }
    const range = { fromMs: config.data.from ? parseTimeArg(config.data.from) : undefined, toMs: config.data.to ? parseTimeArg(config.data.to) : undefined };
    sources = storeSources(store, keys, range);
    for (const key of keys) {
      const summary = series.find((s) => seriesId(s.key) === seriesId(key))!;
      // Rows are selected by ts in [from, to); bars become events at their close.
      const first = Math.max(summary.firstTs, range.fromMs ?? -Infinity);
      const last = Math.min(summary.lastTs, range.toMs === undefined ? Infinity : range.toMs - 1);
      if (first > last) continue;
      const times = eventTimesFor(key, Float64Array.of(first, last));
      span = widen(span, times[0], times[1]);
    }
  }
  if (span !== null) {
    const fromMs = Math.max(span.fromMs, options.window?.fromMs ?? -Infinity);
    const toMs = Math.min(span.toMs, options.window?.toMs ?? Infinity);
    span = fromMs <= toMs ? { fromMs, toMs } : null;
  }
  const onProgress = options.onProgress;
  if (onProgress) sources = sources.map((s) => rechunk(s, PROGRESS_CHUNK_ROWS));
  if (options.signal) sources = interruptibleSources(sources, options.signal);

  const venues = simulatedVenuesOf(config, instruments);
  const engine = sessionEngine(config, instruments, venues, { ledgerSink: options.ledgerSink });
  options.observe?.(engine.events, engine);
  if (onProgress) engine.events.subscribe((e) => e.type === 'progress' && onProgress(progressOf(e.stats, span)), { name: 'backtest progress', types: ['progress'] });
  const replayed = replayInput(sources, { from: options.window?.fromMs, to: options.window?.toMs });
  const input = options.wrapInput ? options.wrapInput(replayed) : replayed;
  const result = await engine.run(input, { tradeFromMs: options.window?.tradeFromMs, flattenAtEnd: options.flattenAtEnd });
  const failed = engine.events.failures;
  if (failed.length > 0) throw new Error(`the backtest ran, but ${failed.map((f) => `${f.name} failed on a ${f.eventType} event (${f.message})`).join('; ')}`);
  return { result, summary: summarize(result), instruments, span };
}

function widen(span: DataSpan | null, fromMs: number, toMs: number): DataSpan {
  return span === null ? { fromMs, toMs } : { fromMs: Math.min(span.fromMs, fromMs), toMs: Math.max(span.toMs, toMs) };
}

function progressOf(stats: ReplayStats, span: DataSpan | null): BacktestProgress {
  let fraction: number | null = null;
  if (span !== null && stats.lastTime !== null) {
    const width = span.toMs - span.fromMs;
    fraction = width > 0 ? Math.min(1, Math.max(0, (stats.lastTime - span.fromMs) / width)) : 1;
  }
  return { ...stats, span, fraction };
}

/** The same source cut into chunks of at most `maxRows` rows (subarray views, no copies). */
function rechunk(source: ReplaySource, maxRows: number): ReplaySource {
  async function* pieces(): AsyncGenerator<SeriesChunk> {
    for await (const chunk of source.chunks) {
      if (chunk.rows <= maxRows) {
        yield chunk;
        continue;
      }
      for (let start = 0; start < chunk.rows; start += maxRows) {
        const end = Math.min(chunk.rows, start + maxRows);
        const columns: Record<string, Float64Array> = {};
        for (const name of Object.keys(chunk.columns)) columns[name] = chunk.columns[name].subarray(start, end);
        yield { rows: end - start, time: chunk.time.subarray(start, end), columns };
      }
    }
  }
  return { key: source.key, chunks: pieces() };
}
