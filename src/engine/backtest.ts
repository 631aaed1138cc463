import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { MINUTE_MS, parseTimeArg } from '../core/time.ts';
import type { ReplaySource, ReplayStats, SeriesChunk } from '../data/replay/types.ts';
import { replayInput } from '../data/replay/replay.ts';
import { eventTimesFor } from '../data/replay/sources.ts';
import { storeSources } from '../data/replay/storeSources.ts';
import { MarketStore } from '../data/store/marketStore.ts';
import { syntheticMarketStream } from '../data/synthetic/chunks.ts';
import { SYNTHETIC_VENUE, type SyntheticMarketOptions } from '../data/synthetic/market.ts';
import { instrumentFromSymbol, parseInstrumentId, type Instrument } from '../domain/instrument.ts';
import { seriesId, type SeriesKey } from '../domain/series.ts';
import type { LedgerSink } from '../portfolio/ledgerTypes.ts';
import { FundingCarryConfigSchema, FundingCarryStrategy } from '../strategy/fundingCarry.ts';
import { FundingDifferentialConfigSchema, FundingDifferentialStrategy } from '../strategy/fundingDifferential.ts';
import { OuBasisConfigSchema, OuBasisStrategy } from '../strategy/ouBasis.ts';
import type { Strategy } from '../strategy/types.ts';
import { SimulatedVenue } from '../venues/sim/simulatedVenue.ts';
import { Engine, type EngineResult } from './engine.ts';
import { summarize, type BacktestSummary } from './summary.ts';

/**
 * The backtest config file (JSON), validated once here; unknown keys are rejected with the key named.
 *
 * {
 *   "strategy":    { "type": "fundingCarry", "params": { ...FundingCarryConfig (src/strategy/fundingCarry.ts) } }
 *                | { "type": "ouBasis", "params": { ...OuBasisConfig (src/strategy/ouBasis.ts) } }
 *                | { "type": "fundingDifferential", "params": { ...FundingDifferentialConfig (src/strategy/fundingDifferential.ts) } },
 *   "data":        { "source": "synthetic", "seed": 7, "days": 30, "options": { ...SyntheticMarketOptions } }
 *                | { "source": "store", "from": "2025-05-26", "to": "2025-06-24", "barTimeframe": "1m" },
 *   "instruments": [ { "id": "venue:SYMBOL", "makerFeeRate", "takerFeeRate", "lotSize", "tickSize" } ],
 *   "venues":      [ { "venue", "balances": { "USDT": 100000 }, "leverage", "maintenanceMarginRate",
 *                      "marginMode", "halfSpreadBps", "maxSlippageBps", "slippageCoefficientBps",
 *                      "latencyMs", "borrowRateAnnualByAsset" } ],
 *   "equitySampleMinutes": 60
 * }
 * Instruments: from the store when the data is a store (facts it lacks, such as fees, must be given
 * here), from the symbol for synthetic data (venue 'synthetic', symbols SYN/USDT and SYN/USDT:USDT
 * by default). Fee rates in the config win over stored ones.
 */

const Rate = z.number().min(-0.01).max(0.1);

const InstrumentConfig = z.strictObject({
  /** 'venue:SYMBOL', e.g. binance:BTC/USDT:USDT. */
  id: z.string(),
  makerFeeRate: Rate.optional(),
  takerFeeRate: Rate.optional(),
  /** Lot size in base units (null or absent: as stored / unchecked). */
  lotSize: z.number().positive().nullable().optional(),
  tickSize: z.number().positive().nullable().optional(),
});

const VenueConfig = z.strictObject({
  venue: z.string().min(1),
  /** Starting wallet per asset. */
  balances: z.record(z.string(), z.number().nonnegative()),
  /** Leverage of every derivative (initial margin 1/leverage). */
  leverage: z.number().min(1).default(1),
  maintenanceMarginRate: z.number().min(0).optional(),
  marginMode: z.enum(['cross', 'isolated']).default('cross'),
  /** Crossing cost against bars, bps of the close (half the spread). */
  halfSpreadBps: z.number().min(0).optional(),
  slippageCoefficientBps: z.number().min(0).optional(),
  maxSlippageBps: z.number().min(0).optional(),
  /** Fixed order latency, ms (0: orders fill on the event that sent them). */
  latencyMs: z.number().min(0).default(0),
  /** Annual borrow rate per asset that may be shorted on spot, e.g. { "BTC": 0.05 }. */
  borrowRateAnnualByAsset: z.record(z.string(), z.number().min(0)).optional(),
});

const SyntheticData = z.strictObject({
  source: z.literal('synthetic'),
  seed: z.number().int(),
  /** Length of the market, days of 1m bars. */
  days: z.number().positive().default(30),
  /** Further generator options (src/data/synthetic/market.ts), e.g. interestRatePerInterval. */
  options: z.record(z.string(), z.union([z.number(), z.string(), z.null()])).default({}),
});

const StoreData = z.strictObject({
  source: z.literal('store'),
  /** Inclusive start and exclusive end (ISO-8601 or epoch ms); absent: everything stored. */
  from: z.string().optional(),
  to: z.string().optional(),
  /** Timeframe of the trade bars to replay. */
  barTimeframe: z.string().default('1m'),
});

const StrategyConfig = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('fundingCarry'), params: FundingCarryConfigSchema }),
  z.strictObject({ type: z.literal('ouBasis'), params: OuBasisConfigSchema }),
  z.strictObject({ type: z.literal('fundingDifferential'), params: FundingDifferentialConfigSchema }),
]);

export const BacktestConfigSchema = z.strictObject({
  strategy: StrategyConfig,
  data: z.discriminatedUnion('source', [SyntheticData, StoreData]),
  instruments: z.array(InstrumentConfig).min(1),
  venues: z.array(VenueConfig).min(1),
  /** Equity curve sampling interval, minutes. */
  equitySampleMinutes: z.number().positive().default(60),
});

export type BacktestConfig = z.output<typeof BacktestConfigSchema>;

export function parseBacktestConfig(value: unknown, where = 'config'): BacktestConfig {
  const parsed = BacktestConfigSchema.safeParse(value);
  if (!parsed.success) {
    throw new Error(`${where}: ${parsed.error.issues.map((i) => `${i.path.length ? i.path.join('.') + ': ' : ''}${i.message}`).join('; ')}`);
  }
  return parsed.data;
}

export function loadBacktestConfig(file: string): BacktestConfig {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file}: ${(error as Error).message}`);
  }
  return parseBacktestConfig(json, file);
}

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
}

/** With a progress callback, series are replayed in chunks of at most this many rows, so progress is reported often. */
export const PROGRESS_CHUNK_ROWS = 16_384;

function withOverrides(base: Instrument, c: z.output<typeof InstrumentConfig>): Instrument {
  const out: Instrument = { ...base };
  if (c.makerFeeRate !== undefined) out.makerFeeRate = c.makerFeeRate;
  if (c.takerFeeRate !== undefined) out.takerFeeRate = c.takerFeeRate;
  if (c.lotSize !== undefined) out.lotSize = c.lotSize;
  if (c.tickSize !== undefined) out.tickSize = c.tickSize;
  return out;
}

function buildStrategy(config: BacktestConfig): Strategy {
  switch (config.strategy.type) {
    case 'fundingCarry':
      return new FundingCarryStrategy(config.strategy.params);
    case 'ouBasis':
      return new OuBasisStrategy(config.strategy.params);
    case 'fundingDifferential':
      return new FundingDifferentialStrategy(config.strategy.params);
  }
}

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
      const known = [market.keys.spot.symbol, market.keys.perp.symbol];
      if (!known.includes(symbol)) throw new Error(`instrument ${c.id}: the synthetic market has ${known.join(' and ')}`);
      const base = instrumentFromSymbol(venue, symbol);
      if (base.kind !== 'spot') Object.assign(base, { contractSize: 1, fundingIntervalMs: interval });
      return withOverrides(base, c);
    });
    sources = market.sources();
    for (const name of ['spot', 'perp', 'funding'] as const) {
      const range = market.tsRange[name];
      if (range === null) continue;
      const times = eventTimesFor(market.keys[name], Float64Array.of(range.firstTs, range.lastTs));
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
      return withOverrides(base, c);
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

  const venues = config.venues.map((v) => {
    const own = instruments.filter((i) => i.venue === v.venue);
    if (own.length === 0) throw new Error(`venue ${v.venue}: no instrument of the config is on it`);
    const fill: Record<string, number> = {};
    if (v.halfSpreadBps !== undefined) fill.halfSpreadBps = v.halfSpreadBps;
    if (v.slippageCoefficientBps !== undefined) fill.slippageCoefficientBps = v.slippageCoefficientBps;
    if (v.maxSlippageBps !== undefined) fill.maxSlippageBps = v.maxSlippageBps;
    return new SimulatedVenue({
      venue: v.venue,
      instruments: own,
      balances: v.balances,
      fill,
      latency: v.latencyMs > 0 ? { kind: 'fixed', latencyMs: v.latencyMs } : undefined,
      margin: { defaults: { leverage: v.leverage, marginMode: v.marginMode, ...(v.maintenanceMarginRate !== undefined ? { maintenanceMarginRate: v.maintenanceMarginRate } : {}) } },
      borrow: v.borrowRateAnnualByAsset ? { borrowRateAnnualByAsset: v.borrowRateAnnualByAsset } : undefined,
    });
  });
  for (const inst of instruments) {
    if (!config.venues.some((v) => v.venue === inst.venue)) throw new Error(`instrument ${inst.venue}:${inst.symbol}: its venue is not configured under "venues"`);
  }
  const engine = new Engine({
    venues,
    instruments,
    strategy: buildStrategy(config),
    deposits: config.venues.flatMap((v) => Object.entries(v.balances).filter(([, amount]) => amount > 0).map(([asset, amount]) => ({ venue: v.venue, asset, amount }))),
    equitySampleMs: config.equitySampleMinutes * MINUTE_MS,
    ledgerSink: options.ledgerSink,
  });
  if (onProgress) engine.events.subscribe((e) => e.type === 'progress' && onProgress(progressOf(e.stats, span)), { name: 'backtest progress', types: ['progress'] });
  const input = replayInput(sources, { from: options.window?.fromMs, to: options.window?.toMs });
  const result = await engine.run(input, { tradeFromMs: options.window?.tradeFromMs });
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
