import { UsageError } from '../../core/errors.ts';
import { parseTimeArg } from '../../core/time.ts';
import { pacedInput } from '../../data/replay/pacedInput.ts';
import { stoppableInput } from '../../data/replay/stoppableInput.ts';
import type { MarketInput } from '../../data/replay/types.ts';
import { parseInstrumentId, type Instrument } from '../../domain/instrument.ts';
import { liveMarketInput, type LiveFeed } from '../../ingest/live/liveMarketInput.ts';
import type { MarketDataVenue } from '../../venues/types.ts';
import { runBacktest, type BacktestProgress, type BacktestRun } from '../backtest.ts';
import type { BacktestConfig } from '../backtestConfig.ts';
import { WallClock } from '../clock.ts';
import type { EngineEvent } from '../events.ts';
import type { EventStream } from '../eventStream.ts';
import { applyInstrumentOverrides, sessionEngine, simulatedVenuesOf } from '../sessionSetup.ts';
import { summarize } from '../summary.ts';
import type { RunConfig } from './runConfig.ts';
import type { SessionState } from './sessionState.ts';

/** Where a paper session's market comes from. */
export type PaperMarket =
  /** The config's synthetic market, or the store (config data.from/to, or these), replayed. */
  | { kind: 'replay'; source: 'synthetic' } | { kind: 'replay'; source: 'store'; storeDir: string; from?: string; to?: string }
  /** The venues now, through ccxt (one market-data client per configured venue). */
  | { kind: 'live'; venues: readonly MarketDataVenue[]; onReport?: (line: string) => void; forcePolling?: boolean };

export interface PaperSessionOptions {
  state: SessionState;
  market: PaperMarket;
  /** Replays: times faster than wall time, or 'max' (as fast as the engine runs: the backtest's result, exactly). */
  speed: number | 'max';
  /** Aborting it stops the session: no new entries; the input ends and the session finishes with its results. */
  stop: AbortSignal;
  flattenOnExit: boolean;
  onProgress?: (progress: BacktestProgress) => void;
  observe?: (events: EventStream<EngineEvent>) => void;
}

/** A replay run's config: the run config's data, with the store span of the command line when given. */
function replayConfig(config: RunConfig, market: Extract<PaperMarket, { kind: 'replay' }>): BacktestConfig {
  if (market.source === 'synthetic') {
    if (config.data.source !== 'synthetic') throw new UsageError('--replay synthetic needs a config whose data.source is "synthetic" (its seed and days say what to replay)');
    return config;
  }
  if (config.data.source !== 'store') throw new UsageError(`--replay ${market.storeDir} needs a config whose data.source is "store" (instruments and the bar timeframe come from it)`);
  return { ...config, data: { ...config.data, from: market.from ?? config.data.from, to: market.to ?? config.data.to } };
}

/**
 * A paper session: the strategy trades on simulated venues (fills, fees, funding and margin by the
 * backtest's models, its journal in the state's ledger) against a replayed or live market. On a
 * replay at speed max it is the backtest of the same config and data, fill for fill: the same code
 * runs, only the input differs (pacedInput for speed N, stoppableInput for the stop signal).
 */
export async function runPaperSession(config: RunConfig, options: PaperSessionOptions): Promise<BacktestRun> {
  const { market, stop } = options;
  if (market.kind === 'replay') {
    const speed = options.speed;
    return runBacktest(replayConfig(config, market), {
      storeDir: market.source === 'store' ? market.storeDir : undefined,
      ledgerSink: options.state.ledger,
      wrapInput: (input) => stoppableInput(speed === 'max' ? input : pacedInput(input, speed), stop),
      flattenAtEnd: options.flattenOnExit,
      onProgress: options.onProgress,
      observe: options.observe,
    });
  }
  return runPaperLive(config, market, options);
}

async function runPaperLive(config: RunConfig, market: Extract<PaperMarket, { kind: 'live' }>, options: PaperSessionOptions): Promise<BacktestRun> {
  const byVenue = new Map(market.venues.map((v) => [v.venue, v]));
  const wanted = new Map<string, string[]>();
  for (const c of config.instruments) {
    const { venue, symbol } = parseInstrumentId(c.id);
    if (!byVenue.has(venue)) throw new UsageError(`instrument ${c.id}: no market-data client for venue '${venue}'`);
    wanted.set(venue, [...(wanted.get(venue) ?? []), symbol]);
  }
  const instruments: Instrument[] = [];
  const feeds: LiveFeed[] = [];
  for (const [venueId, symbols] of wanted) {
    const venue = byVenue.get(venueId)!;
    const loaded = await venue.loadInstruments({ symbols });
    const own = symbols.map((symbol) => {
      const found = loaded.find((i) => i.symbol === symbol);
      if (!found) throw new Error(`${venueId} has no market ${symbol}`);
      return applyInstrumentOverrides(found, config.instruments.find((c) => c.id === `${venueId}:${symbol}`)!);
    });
    instruments.push(...own);
    feeds.push({ venue, instruments: own });
  }
  const venues = simulatedVenuesOf(config, instruments);
  const engine = sessionEngine(config, instruments, venues, { ledgerSink: options.state.ledger, clock: new WallClock() });
  options.observe?.(engine.events);
  // Five levels a side: the top of book is what the simulated venues fill against.
  const input: MarketInput = liveMarketInput({ feeds, signal: options.stop, onReport: market.onReport, depth: 5, forcePolling: market.forcePolling });
  const result = await engine.run(input, { flattenAtEnd: options.flattenOnExit });
  return { result, summary: summarize(result), instruments, span: null };
}

/** A --from/--to option as the store config takes it (ISO or epoch ms), checked. */
export function storeTimeOption(option: string, text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  try {
    parseTimeArg(text);
  } catch (error) {
    throw new UsageError(`${option}: ${(error as Error).message}`);
  }
  return text;
}
