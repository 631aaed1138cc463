import { existsSync, mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { UsageError } from '../../core/errors.ts';
import { runState, type RunState, type RunStatus } from '../../portfolio/ledgerRun.ts';

/**
 * The runs database: one row per backtest or sweep (later paper and live runs), in an embedded SQLite
 * file (better-sqlite3, WAL, so runs in other processes can write it at the same time). A row is
 * written with status 'running' before the work starts and updated once when it ends (finished,
 * failed or interrupted); a run killed on the way keeps 'running' with its pid, and reads as
 * 'unfinished' once that process is gone (the ledger's run marker rule, src/portfolio/ledgerRun.ts).
 * Only a finished run has a summary.
 *
 *   meta(key, value)          format = perp-arb-runs, schemaVersion
 *   runs(id, kind, status, started_at, finished_at, config_source, config_hash, config, strategy,
 *        data_source, data_from, data_to, seed, store, git_commit, git_dirty, cwd, options, pid, host,
 *        summary, out_dir, report, error)      times in epoch ms; config, options and summary JSON text
 */

export const RUNS_DB_FORMAT = 'perp-arb-runs';
export const RUNS_DB_SCHEMA_VERSION = 1;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('running', 'finished', 'failed', 'interrupted')),
  started_at INTEGER NOT NULL,
  finished_at INTEGER,
  config_source TEXT,
  config_hash TEXT NOT NULL,
  config TEXT NOT NULL,
  strategy TEXT,
  data_source TEXT,
  data_from INTEGER,
  data_to INTEGER,
  seed INTEGER,
  store TEXT,
  git_commit TEXT,
  git_dirty INTEGER,
  cwd TEXT NOT NULL,
  options TEXT NOT NULL,
  pid INTEGER NOT NULL,
  host TEXT NOT NULL,
  summary TEXT,
  out_dir TEXT,
  report TEXT,
  error TEXT
);
`;

export interface GitState {
  commit: string;
  /** Tracked files differ from the commit. */
  dirty: boolean;
}

export interface RunStartRecord {
  /** 'backtest' or 'sweep' (paper and live later). */
  kind: string;
  /** Where the config came from (a path), if a file. */
  configSource: string | null;
  configHash: string;
  /** The validated config (stored as JSON). */
  config: unknown;
  strategy: string | null;
  dataSource: string | null;
  /** The data range asked for, epoch ms (the finished run records the range replayed). */
  dataFromMs: number | null;
  dataToMs: number | null;
  seed: number | null;
  store: string | null;
  git: GitState | null;
  cwd: string;
  /** The command's options as parsed (JSON). */
  options: Record<string, unknown>;
  startedAtMs?: number;
}

export interface RunEnd {
  status: Exclude<RunStatus, 'running'>;
  /** The run's summary (finished runs only). */
  summary?: unknown;
  error?: string | null;
  /** The data range replayed, when known. */
  dataFromMs?: number | null;
  dataToMs?: number | null;
  outDir?: string | null;
  report?: string | null;
  finishedAtMs?: number;
}

export interface RunRecord {
  id: number;
  kind: string;
  status: RunStatus;
  /** As a reader sees it: 'unfinished' is a row left 'running' by a process that is gone. */
  state: RunState;
  startedAtMs: number;
  finishedAtMs: number | null;
  configSource: string | null;
  configHash: string;
  config: unknown;
  strategy: string | null;
  dataSource: string | null;
  dataFromMs: number | null;
  dataToMs: number | null;
  seed: number | null;
  store: string | null;
  git: GitState | null;
  cwd: string;
  options: Record<string, unknown>;
  pid: number;
  host: string;
  /** Null unless the run finished. */
  summary: unknown;
  outDir: string | null;
  report: string | null;
  error: string | null;
}

interface RunRow {
  id: number;
  kind: string;
  status: RunStatus;
  started_at: number;
  finished_at: number | null;
  config_source: string | null;
  config_hash: string;
  config: string;
  strategy: string | null;
  data_source: string | null;
  data_from: number | null;
  data_to: number | null;
  seed: number | null;
  store: string | null;
  git_commit: string | null;
  git_dirty: number | null;
  cwd: string;
  options: string;
  pid: number;
  host: string;
  summary: string | null;
  out_dir: string | null;
  report: string | null;
  error: string | null;
}

/** The file is not a runs database, or of a newer schema, or cannot be opened: a bad --runs-db (exit 2). */
export class RunsDbError extends UsageError {
  constructor(path: string, message: string) {
    super(`runs database ${path}: ${message} (--runs-db FILE or $PERP_ARB_RUNS_DB chooses another file; --no-runs-db records nothing)`);
    this.name = 'RunsDbError';
  }
}

function toRecord(row: RunRow): RunRecord {
  return {
    id: row.id,
    kind: row.kind,
    status: row.status,
    state: runState(row),
    startedAtMs: row.started_at,
    finishedAtMs: row.finished_at,
    configSource: row.config_source,
    configHash: row.config_hash,
    config: JSON.parse(row.config) as unknown,
    strategy: row.strategy,
    dataSource: row.data_source,
    dataFromMs: row.data_from,
    dataToMs: row.data_to,
    seed: row.seed,
    store: row.store,
    git: row.git_commit === null ? null : { commit: row.git_commit, dirty: row.git_dirty === 1 },
    cwd: row.cwd,
    options: JSON.parse(row.options) as Record<string, unknown>,
    pid: row.pid,
    host: row.host,
    // A summary is a result: only a finished run shows one.
    summary: row.status === 'finished' && row.summary !== null ? (JSON.parse(row.summary) as unknown) : null,
    outDir: row.out_dir,
    report: row.report,
    error: row.error,
  };
}

export class RunsDb {
  readonly path: string;
  private readonly db: Database.Database;

  private constructor(path: string, db: Database.Database) {
    this.path = path;
    this.db = db;
  }

  /** Opens the file to record runs, creating it (and its directory) when missing. */
  static open(path: string): RunsDb {
    mkdirSync(dirname(path), { recursive: true });
    const db = new Database(path);
    try {
      db.pragma('busy_timeout = 10000');
      db.pragma('journal_mode = WAL');
      const runs = new RunsDb(path, db);
      runs.checkOrCreateSchema();
      return runs;
    } catch (error) {
      db.close();
      throw error instanceof RunsDbError ? error : new RunsDbError(path, error instanceof Error ? error.message : String(error));
    }
  }

  /** Opens an existing file to read runs; null when there is no file yet (no run recorded). */
  static openForReading(path: string): RunsDb | null {
    if (!existsSync(path)) return null;
    const db = new Database(path, { readonly: true, fileMustExist: true });
    try {
      db.pragma('busy_timeout = 10000');
      const runs = new RunsDb(path, db);
      runs.checkSchema();
      return runs;
    } catch (error) {
      db.close();
      throw error instanceof RunsDbError ? error : new RunsDbError(path, error instanceof Error ? error.message : String(error));
    }
  }

  private checkSchema(): void {
    const tables = (this.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((t) => t.name);
    if (!tables.includes('meta') || !tables.includes('runs')) throw new RunsDbError(this.path, 'not a perp-arb runs database (no meta and runs tables)');
    const meta = new Map((this.db.prepare('SELECT key, value FROM meta').all() as { key: string; value: string }[]).map((r) => [r.key, r.value]));
    if (meta.get('format') !== RUNS_DB_FORMAT) throw new RunsDbError(this.path, `not a perp-arb runs database (format ${meta.get('format') ?? 'missing'})`);
    const version = Number(meta.get('schemaVersion'));
    if (!(version >= 1 && version <= RUNS_DB_SCHEMA_VERSION)) throw new RunsDbError(this.path, `schema version ${meta.get('schemaVersion')} is not one this perp-arb reads (1..${RUNS_DB_SCHEMA_VERSION})`);
  }

  private checkOrCreateSchema(): void {
    const tables = this.db.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table'").get() as { n: number };
    if (tables.n === 0) {
      this.db.transaction(() => {
        this.db.exec(SCHEMA);
        const insert = this.db.prepare('INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)');
        insert.run('format', RUNS_DB_FORMAT);
        insert.run('schemaVersion', String(RUNS_DB_SCHEMA_VERSION));
      })();
    }
    this.checkSchema();
  }

  /** Records a run that starts now (status 'running', this process' pid and host); returns its id. */
  begin(start: RunStartRecord): number {
    const result = this.db
      .prepare(
        `INSERT INTO runs (kind, status, started_at, config_source, config_hash, config, strategy, data_source, data_from, data_to, seed, store, git_commit, git_dirty, cwd, options, pid, host)
         VALUES (?, 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        start.kind,
        start.startedAtMs ?? Date.now(),
        start.configSource,
        start.configHash,
        JSON.stringify(start.config),
        start.strategy,
        start.dataSource,
        start.dataFromMs,
        start.dataToMs,
        start.seed,
        start.store,
        start.git?.commit ?? null,
        start.git === null ? null : start.git.dirty ? 1 : 0,
        start.cwd,
        JSON.stringify(start.options),
        process.pid,
        hostname(),
      );
    return Number(result.lastInsertRowid);
  }

  /** Records the end of a running run (once: a run that already ended is left as it is). */
  end(id: number, end: RunEnd): void {
    this.db
      .prepare(
        `UPDATE runs SET status = ?, finished_at = ?, summary = ?, error = ?, data_from = COALESCE(?, data_from), data_to = COALESCE(?, data_to), out_dir = ?, report = ?
         WHERE id = ? AND status = 'running'`,
      )
      .run(
        end.status,
        end.finishedAtMs ?? Date.now(),
        end.status === 'finished' && end.summary !== undefined ? JSON.stringify(end.summary) : null,
        end.error ?? null,
        end.dataFromMs ?? null,
        end.dataToMs ?? null,
        end.outDir ?? null,
        end.report ?? null,
        id,
      );
  }

  get(id: number): RunRecord | null {
    const row = this.db.prepare('SELECT * FROM runs WHERE id = ?').get(id) as RunRow | undefined;
    return row ? toRecord(row) : null;
  }

  /** The latest runs first. */
  list(options: { limit?: number; kind?: string } = {}): RunRecord[] {
    const where = options.kind ? 'WHERE kind = ?' : '';
    const params: (string | number)[] = options.kind ? [options.kind] : [];
    const limit = options.limit !== undefined && options.limit > 0 ? ` LIMIT ${Math.trunc(options.limit)}` : '';
    return (this.db.prepare(`SELECT * FROM runs ${where} ORDER BY id DESC${limit}`).all(...params) as RunRow[]).map(toRecord);
  }

  count(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM runs').get() as { n: number }).n;
  }

  close(): void {
    this.db.close();
  }
}
