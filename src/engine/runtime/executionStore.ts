import Database from 'better-sqlite3';
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

  static open(path: string, options: { synchronous?: 'NORMAL' | 'FULL'; random?: () => number } = {}): ExecutionStore {
    const db = new Database(path);
    try {
      db.pragma('journal_mode = WAL');
      db.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`);
      db.exec(`
        CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS pair_journal (seq INTEGER PRIMARY KEY AUTOINCREMENT, ts INTEGER NOT NULL, kind TEXT NOT NULL, pair_id TEXT NOT NULL, client_order_id TEXT, entry TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS pair_journal_pair ON pair_journal (pair_id);
        CREATE TABLE IF NOT EXISTS client_ids (id INTEGER PRIMARY KEY CHECK (id = 1), next INTEGER NOT NULL);
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

  close(): void {
    this.db.close();
  }

  private append(entry: PairJournalEntry): void {
    const pairId = entry.kind === 'send' ? entry.order.pairId : entry.kind === 'orderDone' ? entry.pairId : entry.pair.id;
    const clientOrderId = entry.kind === 'send' ? entry.order.clientOrderId : entry.kind === 'orderDone' ? entry.clientOrderId : null;
    this.insert.run(entry.ts, entry.kind, pairId, clientOrderId, JSON.stringify(entry));
  }
}
