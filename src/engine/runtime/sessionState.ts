import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UsageError } from '../../core/errors.ts';
import { isProcessAlive } from '../../core/process.ts';
import { writeFileAtomic } from '../../data/store/atomicWrite.ts';
import { acquireLock } from '../../data/store/lock.ts';
import type { Ledger } from '../../portfolio/ledger.ts';
import { SqliteLedgerStore } from '../../portfolio/sqliteLedgerStore.ts';
import type { BacktestSummary } from '../summary.ts';

export type SessionMode = 'paper' | 'testnet' | 'live';

/** session.json: what the session is and how it ended (the ledger file holds the money). */
export interface SessionRecord {
  format: 'perp-arb-session';
  mode: SessionMode;
  pid: number;
  startedAt: string;
  /** running until the end; then finished (the input ended), stopped (a signal) or failed. */
  status: 'running' | 'finished' | 'stopped' | 'failed';
  endedAt: string | null;
  configHash: string;
  market: string;
  error: string | null;
  summary: BacktestSummary | null;
  /** Testnet and live: times the session was resumed on this directory. */
  restarts?: number;
}

export const SESSION_FILE = 'session.json';
export const LEDGER_FILE = 'ledger.sqlite';
/** Testnet and live: the session's config file as given (status and flatten read it). */
export const SESSION_CONFIG_FILE = 'config.json';
const LOCK_FILE = '.lock';

/**
 * A session's state directory (`--state DIR`): the SQLite ledger journal (WAL, with its run marker),
 * session.json, and a lock, so two sessions never share one directory.
 */
export class SessionState {
  readonly dir: string;
  readonly ledger: SqliteLedgerStore;
  /** openLive on a directory with a session: the ledger rebuilt from its journal (null: a new session). */
  resumedLedger: Ledger | null = null;
  private record: SessionRecord;
  private readonly release: () => void;

  private constructor(dir: string, ledger: SqliteLedgerStore, record: SessionRecord, release: () => void) {
    this.dir = dir;
    this.ledger = ledger;
    this.record = record;
    this.release = release;
  }

  /** Opens a new session's state in `dir` (created when missing); refuses a directory in use or holding another session. */
  static create(dir: string, start: { mode: SessionMode; configHash: string; config: string; market: string }): SessionState {
    const root = resolve(dir);
    mkdirSync(root, { recursive: true });
    const release = acquireLock(join(root, LOCK_FILE), `the state directory ${root}`);
    try {
      const previous = SessionState.read(root);
      if (previous !== null || existsSync(join(root, LEDGER_FILE))) {
        const what = previous === null ? 'a ledger' : `a ${previous.mode} session started ${previous.startedAt} (${previous.status === 'running' ? 'unfinished: its process is gone' : previous.status})`;
        throw new UsageError(`--state ${dir}: the directory holds ${what}; resuming a session is not supported yet, give a new --state directory`);
      }
      const ledger = SqliteLedgerStore.open(join(root, LEDGER_FILE));
      ledger.beginRun({ kind: `run:${start.mode}`, configHash: start.configHash, config: start.config });
      const record: SessionRecord = {
        format: 'perp-arb-session',
        mode: start.mode,
        pid: process.pid,
        startedAt: new Date().toISOString(),
        status: 'running',
        endedAt: null,
        configHash: start.configHash,
        market: start.market,
        error: null,
        summary: null,
      };
      const state = new SessionState(root, ledger, record, release);
      state.write();
      return state;
    } catch (error) {
      release();
      throw error;
    }
  }

  /**
   * A testnet or live session's state in `dir`: a new one, or the one a previous run of the same
   * mode and config left there (stopped, or killed), resumed: its ledger rebuilt from the journal
   * (`resumedLedger`), its run marked running again. Every ledger entry is on disk (synchronous FULL,
   * one entry per transaction) before the session goes on.
   */
  static openLive(dir: string, start: { mode: SessionMode; configHash: string; config: string; market: string }): SessionState {
    const root = resolve(dir);
    mkdirSync(root, { recursive: true });
    const release = acquireLock(join(root, LOCK_FILE), `the state directory ${root}`);
    try {
      const previous = SessionState.read(root);
      if (previous === null && existsSync(join(root, LEDGER_FILE))) throw new UsageError(`--state ${dir}: the directory holds a ledger but no session.json; give a new --state directory`);
      if (previous !== null && (previous.mode !== start.mode || previous.configHash !== start.configHash)) {
        throw new UsageError(`--state ${dir}: the directory holds a ${previous.mode} session of another config (hash ${previous.configHash.slice(0, 12)}); resume it with its own config and mode, or give a new --state directory`);
      }
      const ledger = SqliteLedgerStore.open(join(root, LEDGER_FILE), { batchSize: 1, synchronous: 'FULL' });
      let resumed: Ledger | null = null;
      if (previous === null) ledger.beginRun({ kind: `run:${start.mode}`, configHash: start.configHash, config: start.config });
      else {
        resumed = ledger.loadLedger({ attach: false, unfinished: 'allow' });
        ledger.resumeRun();
      }
      const record: SessionRecord = {
        format: 'perp-arb-session',
        mode: start.mode,
        pid: process.pid,
        startedAt: previous?.startedAt ?? new Date().toISOString(),
        status: 'running',
        endedAt: null,
        configHash: start.configHash,
        market: start.market,
        error: null,
        summary: null,
        restarts: previous === null ? 0 : (previous.restarts ?? 0) + 1,
      };
      const state = new SessionState(root, ledger, record, release);
      state.resumedLedger = resumed;
      state.write();
      return state;
    } catch (error) {
      release();
      throw error;
    }
  }

  /** The session.json of `dir`, null when there is none. A session whose process is gone reads as it was left (status running). */
  static read(dir: string): SessionRecord | null {
    const path = join(resolve(dir), SESSION_FILE);
    if (!existsSync(path)) return null;
    return JSON.parse(readFileSync(path, 'utf8')) as SessionRecord;
  }

  /** Whether a session recorded as running is still alive (its pid on this host). */
  static isAlive(record: SessionRecord): boolean {
    return record.status === 'running' && isProcessAlive(record.pid);
  }

  end(status: Exclude<SessionRecord['status'], 'running'>, summary: BacktestSummary | null, error: string | null = null): void {
    this.ledger.endRun(status === 'finished' ? 'finished' : status === 'stopped' ? 'interrupted' : 'failed', error);
    this.record = { ...this.record, status, endedAt: new Date().toISOString(), summary, error };
    this.write();
  }

  /** When the session first started (a resumed one keeps its first start). */
  get startedAtMs(): number {
    return Date.parse(this.record.startedAt);
  }

  /** The directory's lock file (status and flatten read the state without it, or take it). */
  static lockPath(dir: string): string {
    return join(resolve(dir), LOCK_FILE);
  }

  close(): void {
    this.ledger.close();
    this.release();
  }

  private write(): void {
    writeFileAtomic(join(this.dir, SESSION_FILE), `${JSON.stringify(this.record, null, 2)}\n`);
  }
}
