import Database from 'better-sqlite3';
import type { Fill } from '../../domain/trading.ts';
import type { PairJournal, PairJournalEntry, PairJournalState } from '../../execution/pairJournal.ts';
import { replayPairJournal } from '../../execution/pairJournal.ts';
import { newSessionTag, type ClientIdCounterStore } from '../../venues/ccxt/trading/clientOrderIds.ts';

export const EXECUTION_FILE = 'execution.sqlite';
const FORMAT = 'perp-arb-execution';
const SCHEMA_VERSION = 1;

/**
 * What a live session's execution must not forget, in SQLite beside the ledger in the state
 * directory (WAL; synchronous FULL by default: an entry is on disk before the order it announces
 * leaves):
 *
 *   meta(key, value)                       format, schemaVersion, sessionTag (drawn once)
 *   pair_journal(seq, ts, kind, pair_id, client_order_id, entry)   the PairJournal, entry as JSON
 *   client_ids(id = 1, next)               the next client order id number never reserved
 *   fills(fill_id, ts, pair_id, leg, purpose, fill)   every fill booked, with its pair (status: PnL per pair)
 *   strategy_state(id = 1, ts, state)      the strategy's saveState() after its last intent
 *   reconciliation(seq, at, ok, report)    each reconciliation's report (the last one: status without venue access)
 *
 * `journal` is the executor's PairJournal, `clientIds` the counter store of ClientOrderIds,
 * `sessionTag` the tag of this state directory's ids, `state()` what a restart starts from.
 */
export class ExecutionStore implements ClientIdCounterStore {
  readonly sessionTag: string;
  readonly journal: PairJournal;
  private readonly db: Database.Database;
  private readonly insert: Database.Statement;

  private constructor(db: Database.Database, sessionTag: string) {
    this.db = db;
    this.sessionTag = sessionTag;
    this.insert = db.prepare('INSERT INTO pair_journal (ts, kind, pair_id, client_order_id, entry) VALUES (?, ?, ?, ?, ?)');
    this.journal = { append: (entry) => this.append(entry) };
  }

  static open(path: string, options: { synchronous?: 'NORMAL' | 'FULL'; random?: () => number; readonly?: boolean } = {}): ExecutionStore {
    const db = new Database(path, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
    try {
      if (!options.readonly) {
        db.pragma('journal_mode = WAL');
        db.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`);
      }
      if (!options.readonly) db.exec(`
        CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS pair_journal (seq INTEGER PRIMARY KEY AUTOINCREMENT, ts INTEGER NOT NULL, kind TEXT NOT NULL, pair_id TEXT NOT NULL, client_order_id TEXT, entry TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS pair_journal_pair ON pair_journal (pair_id);
        CREATE TABLE IF NOT EXISTS client_ids (id INTEGER PRIMARY KEY CHECK (id = 1), next INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS fills (fill_id TEXT PRIMARY KEY, ts INTEGER NOT NULL, pair_id TEXT, leg TEXT, purpose TEXT, fill TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS strategy_state (id INTEGER PRIMARY KEY CHECK (id = 1), ts INTEGER NOT NULL, state TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS reconciliation (seq INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, ok INTEGER NOT NULL, report TEXT NOT NULL);
      `);
      const meta = (key: string) => (db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined)?.value;
      const format = meta('format');
      if (format !== undefined && format !== FORMAT) throw new Error(`${path}: not a perp-arb execution store (format ${format})`);
      const version = meta('schemaVersion');
      if (version !== undefined && Number(version) > SCHEMA_VERSION) throw new Error(`${path}: execution store schema ${version} is newer than this perp-arb (${SCHEMA_VERSION})`);
      let tag = meta('sessionTag');
      if (tag === undefined) {
        tag = newSessionTag(options.random);
        const put = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)');
        db.transaction(() => {
          put.run('format', FORMAT);
          put.run('schemaVersion', String(SCHEMA_VERSION));
          put.run('sessionTag', tag);
          db.prepare('INSERT OR IGNORE INTO client_ids (id, next) VALUES (1, 0)').run();
        })();
      }
      return new ExecutionStore(db, tag);
    } catch (error) {
      db.close();
      throw error;
    }
  }

  /** Reserves `count` client id numbers (committed before it returns). */
  reserve(count: number): number {
    return this.db.transaction(() => {
      const row = this.db.prepare('SELECT next FROM client_ids WHERE id = 1').get() as { next: number };
      this.db.prepare('UPDATE client_ids SET next = ? WHERE id = 1').run(row.next + count);
      return row.next;
    })();
  }

  entries(): PairJournalEntry[] {
    return (this.db.prepare('SELECT entry FROM pair_journal ORDER BY seq').all() as { entry: string }[]).map((r) => JSON.parse(r.entry) as PairJournalEntry);
  }

  /** The pairs and the orders in flight as the journal left them (a restart adopts the orders and reconciles the pairs). */
  state(): PairJournalState {
    return replayPairJournal(this.entries());
  }

  /** A fill booked in the ledger, with the pair and leg it traded (null: not one of the executor's orders). Idempotent by fill id. */
  recordFill(fill: Fill, owner: { pairId: string; leg: string; purpose: string } | null): void {
    this.db.prepare('INSERT OR IGNORE INTO fills (fill_id, ts, pair_id, leg, purpose, fill) VALUES (?, ?, ?, ?, ?, ?)').run(fill.fillId, fill.ts, owner?.pairId ?? null, owner?.leg ?? null, owner?.purpose ?? null, JSON.stringify(fill));
  }

  fills(): { fill: Fill; pairId: string | null; leg: string | null; purpose: string | null }[] {
    const rows = this.db.prepare('SELECT pair_id, leg, purpose, fill FROM fills ORDER BY ts, fill_id').all() as { pair_id: string | null; leg: string | null; purpose: string | null; fill: string }[];
    return rows.map((r) => ({ fill: JSON.parse(r.fill) as Fill, pairId: r.pair_id, leg: r.leg, purpose: r.purpose }));
  }

  saveStrategyState(ts: number, state: unknown): void {
    this.db.prepare('INSERT INTO strategy_state (id, ts, state) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET ts = excluded.ts, state = excluded.state').run(ts, JSON.stringify(state ?? null));
  }

  strategyState(): unknown {
    const row = this.db.prepare('SELECT state FROM strategy_state WHERE id = 1').get() as { state: string } | undefined;
    return row === undefined ? undefined : (JSON.parse(row.state) as unknown);
  }

  saveReconciliation(report: { at: number; ok: boolean }): void {
    this.db.prepare('INSERT INTO reconciliation (at, ok, report) VALUES (?, ?, ?)').run(report.at, report.ok ? 1 : 0, JSON.stringify(report));
  }

  lastReconciliation<T>(): T | null {
    const row = this.db.prepare('SELECT report FROM reconciliation ORDER BY seq DESC LIMIT 1').get() as { report: string } | undefined;
    return row === undefined ? null : (JSON.parse(row.report) as T);
  }

  close(): void {
    this.db.close();
  }

  private append(entry: PairJournalEntry): void {
    const pairId = entry.kind === 'send' ? entry.order.pairId : entry.kind === 'orderDone' ? entry.pairId : entry.pair.id;
    const clientOrderId = entry.kind === 'send' ? entry.order.clientOrderId : entry.kind === 'orderDone' ? entry.clientOrderId : null;
    this.insert.run(entry.ts, entry.kind, pairId, clientOrderId, JSON.stringify(entry));
  }
}
