import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

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
