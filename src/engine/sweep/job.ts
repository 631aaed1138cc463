import type { EquityPoint } from '../../model/performanceMetrics.ts';
import { parseBacktestConfig, runBacktest } from '../backtest.ts';
import type { BacktestSummary } from '../summary.ts';
import type { TimeWindow } from './windows.ts';

/** One backtest of a sweep: a combination on a window (null: the config's whole span). Plain data, sent to workers. */
export interface SweepJob {
  id: number;
  combo: number;
  /** The backtest config as JSON (parsed again in the worker). */
  config: Record<string, unknown>;
  window: TimeWindow | null;
  /** Replay from here, before window.fromMs, without trading: the strategy warms up on it (null: none). */
  warmUpFromMs: number | null;
  storeDir?: string;
  /** Return the equity curve (test windows, for the joined out-of-sample curve). */
  wantEquity: boolean;
}

/**
 * The summary without its wall-clock fields (so results do not depend on the machine or worker
 * count) and without its round-trip list (a grid of runs would carry thousands), plus PnL.
 */
export type JobSummary = Omit<BacktestSummary, 'elapsedMs' | 'eventsPerSec' | 'roundTrips' | 'risk'> & {
  /** endEquityUsd - startEquityUsd. */
  pnlUsd: number;
  /** The run's risk figures and action counts, without the list of actions. */
  risk?: Omit<BacktestSummary['risk'], 'actions'>;
};

export type JobOutcome =
  | { id: number; ok: true; summary: JobSummary; equity: EquityPoint[] | null; elapsedMs: number }
  | { id: number; ok: false; error: string };

const round8 = (x: number) => Math.round(x * 1e8) / 1e8;

/** Runs one job; every error becomes a failed outcome (a sweep goes on past a bad combination). */
export async function runSweepJob(job: SweepJob): Promise<JobOutcome> {
  try {
    const config = parseBacktestConfig(job.config, `combination ${job.combo}`);
    const window = job.window ? { fromMs: job.warmUpFromMs ?? job.window.fromMs, toMs: job.window.toMs, tradeFromMs: job.window.fromMs } : undefined;
    const run = await runBacktest(config, { storeDir: job.storeDir, window });
    const { elapsedMs, eventsPerSec, roundTrips, risk, ...rest } = run.summary;
    void eventsPerSec;
    void roundTrips;
    const { actions: _actions, ...riskFigures } = risk;
    const summary: JobSummary = { ...rest, pnlUsd: round8(rest.endEquityUsd - rest.startEquityUsd), risk: riskFigures };
    const equity = job.wantEquity ? run.result.equity.map((p) => ({ ts: p.ts, equityUsd: p.equityUsd })) : null;
    return { id: job.id, ok: true, summary, equity, elapsedMs };
  } catch (error) {
    return { id: job.id, ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

/** Runs a batch of jobs; outcomes come back in job order whatever order they finish in. */
export type JobRunner = (jobs: readonly SweepJob[], onOutcome: (outcome: JobOutcome) => void) => Promise<JobOutcome[]>;

/** Runs the jobs one after another in this thread (tests, and a single job). */
export const inlineRunner: JobRunner = async (jobs, onOutcome) => {
  const outcomes: JobOutcome[] = [];
  for (const job of jobs) {
    const outcome = await runSweepJob(job);
    onOutcome(outcome);
    outcomes.push(outcome);
  }
  return outcomes;
};
