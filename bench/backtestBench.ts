import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseBacktestConfig, runBacktest } from '../src/engine/backtest.ts';

interface WorkerResult {
  days: number;
  events: number;
  eventsPerSec: number;
  elapsedMs: number;
  peakRssMb: number;
  generationMs: number;
  bareReplayMs: number;
}

const WORKER = fileURLToPath(new URL('./backtestWorker.ts', import.meta.url));
const RUNS = 3;

function runWorker(days: number): WorkerResult {
  return JSON.parse(execFileSync('node', ['--import', 'tsx', WORKER, String(days)], { encoding: 'utf8' })) as WorkerResult;
}

/** The run with the median end-to-end speed (the machines are noisy), and the median peak RSS. */
function medianRun(days: number): WorkerResult & { peakRssMbMedian: number } {
  const runs = Array.from({ length: RUNS }, () => runWorker(days));
  const bySpeed = [...runs].sort((a, b) => a.eventsPerSec - b.eventsPerSec);
  const rss = runs.map((r) => r.peakRssMb).sort((a, b) => a - b);
  return { ...bySpeed[Math.floor(RUNS / 2)], peakRssMbMedian: rss[Math.floor(RUNS / 2)] };
}

/**
 * A full backtest (synthetic market -> replay -> simulated venues -> OU strategy -> exact ledger) at
 * 30 days and at 10x that, each run in a fresh process for its peak RSS, RUNS times. The synthetic
 * market is generated chunk by chunk while it is replayed, so memory does not grow with its length,
 * and its generation is inside the measured time (backtestEventsPerSec is end to end). The worker
 * also times, in the same process, the generation alone and a bare replay of the same market (empty
 * handler): backtestExcludingGenerationEventsPerSec takes the generation time out, and
 * backtestToBareReplayRatio compares the backtest with the bare replay under the same load.
 */
export function benchBacktest(): Record<string, number> {
  const base = medianRun(30);
  const tenfold = medianRun(300);
  const seconds = tenfold.elapsedMs / 1000;
  return {
    backtestEventsPerSec: tenfold.eventsPerSec,
    backtestExcludingGenerationEventsPerSec: Math.round(tenfold.events / ((tenfold.elapsedMs - tenfold.generationMs) / 1000)),
    backtestSyntheticGenerationEventsPerSec: Math.round(tenfold.events / (tenfold.generationMs / 1000)),
    backtestBareReplayEventsPerSec: Math.round(tenfold.events / (tenfold.bareReplayMs / 1000)),
    backtestToBareReplayRatio: tenfold.bareReplayMs / 1000 / seconds,
    backtestEvents1x: base.events,
    backtestPeakRssMb: base.peakRssMbMedian,
    backtestEvents10x: tenfold.events,
    backtestPeakRssMb10x: tenfold.peakRssMbMedian,
  };
}

const STORE_CONFIG = fileURLToPath(new URL('../docs/performance/ou-binance-btc-1m-2025-zero.json', import.meta.url));

/**
 * A full backtest on real data: the OU strategy (zero fees, so it trades: 71 round trips) on Binance
 * BTC spot + perp 1m bars and funding, 2025-05-25..06-24, read from a store (Parquet through DuckDB)
 * -> replay -> simulated venue -> strategy -> exact ledger; no synthetic generation. The median of
 * `runs` after one warm-up run, in this process.
 */
export async function benchStoreBacktest(storeDir: string, runs = 5): Promise<Record<string, number>> {
  const config = parseBacktestConfig(JSON.parse(readFileSync(STORE_CONFIG, 'utf8')), STORE_CONFIG);
  const speeds: number[] = [];
  let events = 0;
  let trades = 0;
  for (let run = 0; run <= runs; run++) {
    const { summary } = await runBacktest(config, { storeDir });
    if (run > 0) speeds.push(summary.eventsPerSec);
    events = summary.events;
    trades = summary.trades;
  }
  speeds.sort((a, b) => a - b);
  return { backtestStoreEventsPerSec: speeds[Math.floor(speeds.length / 2)], backtestStoreEvents: events, backtestStoreTrades: trades };
}
