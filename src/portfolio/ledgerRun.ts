import { hostname } from 'node:os';
import type Database from 'better-sqlite3';
import { isProcessAlive } from '../core/process.ts';
import { isoUtc } from '../core/time.ts';

/**
 * The completion marker of the run that writes a ledger file: one row in its `run` table, written
 * (status 'running') before the first journal entry and updated once, when the run ends, in the same
 * transaction as its last entries. A run killed on the way (kill -9, power loss) leaves a valid,
 * balanced journal of the events up to then whose row still says 'running': every reader shows it
 * as unfinished, never as a result (SqliteLedgerStore.loadLedger refuses it unless asked).
 *
 *   run(id = 1, kind, status, started_at, finished_at, config_hash, config, pid, host, error, entries)
 */

export const RUN_STATUSES = ['running', 'finished', 'failed', 'interrupted'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
/** A run's state as a reader sees it: 'unfinished' is a row still 'running' whose process is gone. */
export type RunState = RunStatus | 'unfinished';

export const RUN_TABLE_SQL = `
CREATE TABLE run (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  kind TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('running', 'finished', 'failed', 'interrupted')),
  started_at INTEGER NOT NULL,
  finished_at INTEGER,
  config_hash TEXT NOT NULL,
  config TEXT NOT NULL,
  pid INTEGER NOT NULL,
  host TEXT NOT NULL,
  error TEXT,
  entries INTEGER
);
`;

export interface LedgerRun {
  /** What wrote the ledger, e.g. 'backtest'. */
  kind: string;
  status: RunStatus;
  startedAtMs: number;
  /** Null until the run ends. */
  finishedAtMs: number | null;
  /** sha256 of the run's validated config (canonical JSON), and the config itself. */
  configHash: string;
  config: string;
  pid: number;
  host: string;
  /** Why a failed run failed. */
  error: string | null;
  /** Journal entries when the run ended (null while running). */
  entries: number | null;
}

export interface RunStart {
  kind: string;
  configHash: string;
  config: string;
  startedAtMs?: number;
}

interface RunRow {
  kind: string;
  status: RunStatus;
  started_at: number;
  finished_at: number | null;
  config_hash: string;
  config: string;
  pid: number;
  host: string;
  error: string | null;
  entries: number | null;
}

export function hasRunTable(db: Database.Database): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'run'").get() !== undefined;
}

export function insertRun(db: Database.Database, start: RunStart): void {
  db.prepare('INSERT INTO run (id, kind, status, started_at, config_hash, config, pid, host) VALUES (1, ?, ?, ?, ?, ?, ?, ?)').run(
    start.kind,
    'running',
    start.startedAtMs ?? Date.now(),
    start.configHash,
    start.config,
    process.pid,
    hostname(),
  );
}

export function updateRunEnd(db: Database.Database, status: Exclude<RunStatus, 'running'>, entries: number, error: string | null, finishedAtMs = Date.now()): void {
  db.prepare("UPDATE run SET status = ?, finished_at = ?, error = ?, entries = ? WHERE id = 1 AND status = 'running'").run(status, finishedAtMs, error, entries);
}

/** A live session restarted on its state directory: the run is running again, in this process. */
export function reopenRun(db: Database.Database): void {
  db.prepare("UPDATE run SET status = 'running', finished_at = NULL, error = NULL, entries = NULL, pid = ?, host = ? WHERE id = 1").run(process.pid, hostname());
}

export function readRun(db: Database.Database): LedgerRun | null {
  if (!hasRunTable(db)) return null;
  const row = db.prepare('SELECT * FROM run WHERE id = 1').get() as RunRow | undefined;
  if (!row) return null;
  return {
    kind: row.kind,
    status: row.status,
    startedAtMs: row.started_at,
    finishedAtMs: row.finished_at,
    configHash: row.config_hash,
    config: row.config,
    pid: row.pid,
    host: row.host,
    error: row.error,
    entries: row.entries,
  };
}

/** 'running' only while the writing process is alive on this machine; a row left 'running' by a dead process is 'unfinished'. */
export function runState(run: Pick<LedgerRun, 'status' | 'pid' | 'host'>): RunState {
  if (run.status !== 'running') return run.status;
  return run.host === hostname() && isProcessAlive(run.pid) ? 'running' : 'unfinished';
}

/** One line: 'unfinished: a backtest started 2025-06-01T00:00:00.000Z by process 123 on host h, never marked finished'. */
export function describeRun(run: LedgerRun): string {
  const state = runState(run);
  const started = `a ${run.kind} started ${isoUtc(run.startedAtMs)}`;
  switch (state) {
    case 'finished':
      return `finished: ${started}, ended ${isoUtc(run.finishedAtMs!)} (${run.entries} entries)`;
    case 'failed':
      return `failed: ${started}, stopped ${isoUtc(run.finishedAtMs!)}: ${run.error ?? 'no reason recorded'}`;
    case 'interrupted':
      return `interrupted: ${started}, stopped ${isoUtc(run.finishedAtMs!)} on a signal`;
    case 'running':
      return `running: ${started}, still being written by process ${run.pid}`;
    case 'unfinished':
      return `unfinished: ${started} by process ${run.pid} on ${run.host}, which stopped before the end (killed or crashed)`;
  }
}
