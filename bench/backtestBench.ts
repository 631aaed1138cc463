import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

interface WorkerResult {
  days: number;
  events: number;
  eventsPerSec: number;
  peakRssMb: number;
}

const WORKER = fileURLToPath(new URL('./backtestWorker.ts', import.meta.url));

function runWorker(days: number): WorkerResult {
  return JSON.parse(execFileSync('node', ['--import', 'tsx', WORKER, String(days)], { encoding: 'utf8' })) as WorkerResult;
}

/**
 * A full backtest (synthetic market -> replay -> simulated venues -> OU strategy -> exact ledger) at
 * 30 days and at 10x that, each in a fresh process for its peak RSS. The synthetic market is
 * generated in memory before the replay, so RSS grows with its length; store-backed runs read one
 * month per series at a time.
 */
export function benchBacktest(): Record<string, number> {
  const base = runWorker(30);
  const tenfold = runWorker(300);
  return {
    backtestEventsPerSec: tenfold.eventsPerSec,
    backtestEvents1x: base.events,
    backtestPeakRssMb: base.peakRssMb,
    backtestEvents10x: tenfold.events,
    backtestPeakRssMb10x: tenfold.peakRssMb,
  };
}
