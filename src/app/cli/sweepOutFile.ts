import { writeFileAtomic } from '../../data/store/atomicWrite.ts';

/**
 * `perp-arb sweep --out FILE`: the file always says whether it holds a result. It is written
 * atomically (temp file and rename, so a reader never sees half of it) when the sweep starts, with
 * run.status 'running' and no results, and again when it ends: 'finished' with the full results, or
 * 'failed' / 'interrupted' with the reason and still no results. A sweep killed on the way leaves
 * the 'running' file. A reader takes the results only when run.status is 'finished'.
 */

export type SweepOutStatus = 'running' | 'finished' | 'failed' | 'interrupted';

export interface SweepOutRun {
  status: SweepOutStatus;
  /** ISO-8601 UTC. */
  startedAt: string;
  /** Null while running. */
  finishedAt: string | null;
  /** sha256 of the sweep file's validated contents (canonical JSON). */
  configHash: string;
  workers: number;
  /** Backtests done and planned when the file was written. */
  done: number;
  total: number;
  elapsedMs: number | null;
  /** Why a failed or interrupted sweep stopped. */
  error: string | null;
}

/** Writes the marker alone ('running', 'failed', 'interrupted') or the finished results with it. */
export function writeSweepOut(path: string, run: SweepOutRun, results?: Record<string, unknown>): void {
  const body = run.status === 'finished' && results ? { ...results, run } : { run };
  writeFileAtomic(path, `${JSON.stringify(body, null, 2)}\n`);
}
