import { existsSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { Instrument } from '../domain/instrument.ts';
import { instrumentId } from '../domain/instrument.ts';
import { ENTRY_KINDS, type EntryKind, type JournalEntry, type Posting } from './journal.ts';
import { Ledger, type LedgerSink } from './ledger.ts';
import { describeRun, hasRunTable, insertRun, readRun, reopenRun, RUN_TABLE_SQL, runState, updateRunEnd, type LedgerRun, type RunStart, type RunStatus } from './ledgerRun.ts';
import { formatMinor, MINOR_DECIMALS, parseMinor } from './money.ts';

/**
 * The ledger's journal in an embedded SQLite database (better-sqlite3), so a run's every fill,
 * funding payment, fee, borrow charge and liquidation survives it and can be audited with any
 * SQLite client:
 *
 *   meta(key, value)                           format = perp-arb-ledger, schemaVersion, minorDecimals
 *   instruments(id, json)                      the Instrument of every id the journal names
 *   entries(seq, ts, kind, ref, memo)          one row per journal entry
 *   postings(seq, idx, account, asset, amount) amount: TEXT exact decimal in asset units
 *                                              ('-1000.1'), never REAL (SUM() in SQL would
 *                                              round it: sum in the application, or CAST to
 *                                              INTEGER after multiplying by 1e8 in your head)
 *   run(id = 1, kind, status, started_at, ...)  the completion marker of the run that writes the
 *                                              file (schema 2; src/portfolio/ledgerRun.ts)
 *
 * WAL journal mode, synchronous NORMAL by default (a committed batch survives a crash of the
 * process; { synchronous: 'FULL' } also survives power loss). Entries are buffered and written in
 * one transaction per `batchSize` entries (default 1000; 1 for live trading, where every entry
 * should be on disk before the next order), and on flush() and close().
 *
 * Reopening: `store.loadLedger()` replays the stored journal through Ledger.apply, which checks
 * every entry balances, so the rebuilt balances are those written. A file that is not a perp-arb
 * ledger (not SQLite, or SQLite without our tables, or a newer schema) is refused with a
 * LedgerFileError naming the file, and is left untouched.
 */

export const LEDGER_FORMAT = 'perp-arb-ledger';
/** 2: the run table (completion marker). Schema 1 files (no marker) are still read. */
export const LEDGER_SCHEMA_VERSION = 2;

export class LedgerFileError extends Error {
  readonly path: string;
  constructor(path: string, message: string) {
    super(`${path}: ${message}`);
    this.name = 'LedgerFileError';
    this.path = path;
  }
}

/** The file's run did not finish: its journal is valid and balanced, but it is not a run's result. */
export class UnfinishedRunError extends LedgerFileError {
  readonly run: LedgerRun;
  constructor(path: string, run: LedgerRun) {
    super(path, `the run that wrote this ledger did not finish (${describeRun(run)}); its journal is not a result: load it with { unfinished: 'allow' } to inspect it`);
    this.name = 'UnfinishedRunError';
    this.run = run;
  }
}

export interface SqliteLedgerStoreOptions {
  /** Entries per write transaction (default 1000). */
  batchSize?: number;
  /** NORMAL (default, with WAL) or FULL. */
  synchronous?: 'NORMAL' | 'FULL';
  /** Open an existing ledger for reading only. */
  readonly?: boolean;
}

const SCHEMA = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE instruments (id TEXT PRIMARY KEY, json TEXT NOT NULL);
CREATE TABLE entries (
  seq INTEGER PRIMARY KEY CHECK (seq > 0),
  ts INTEGER NOT NULL,
  kind TEXT NOT NULL,
  ref TEXT NOT NULL,
  memo TEXT NOT NULL
);
CREATE TABLE postings (
  seq INTEGER NOT NULL REFERENCES entries (seq),
  idx INTEGER NOT NULL,
  account TEXT NOT NULL,
  asset TEXT NOT NULL,
  amount TEXT NOT NULL CHECK (typeof(amount) = 'text'),
  PRIMARY KEY (seq, idx)
) WITHOUT ROWID;
${RUN_TABLE_SQL}`;

const ROWS_PER_INSERT = 100;

interface EntryRow {
  seq: number;
  ts: number;
  kind: string;
  ref: string;
  memo: string;
  idx: number | null;
  account: string | null;
  asset: string | null;
  amount: string | null;
}

export class SqliteLedgerStore implements LedgerSink {
  readonly path: string;
  private readonly db: Database.Database;
  private readonly batchSize: number;
  private readonly pendingEntries: JournalEntry[] = [];
  private readonly pendingInstruments = new Map<string, Instrument>();
  private lastSeq: number;
  private closed = false;
  private readonly insertStatements = new Map<string, Database.Statement>();
  private readonly upsertInstrument: Database.Statement;
  private readonly writeBatch: () => void;

  private constructor(path: string, db: Database.Database, options: SqliteLedgerStoreOptions) {
    this.path = path;
    this.db = db;
    this.batchSize = options.batchSize ?? 1000;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1) throw new Error(`batchSize must be a positive integer (got ${options.batchSize})`);
    this.lastSeq = (db.prepare('SELECT COALESCE(MAX(seq), 0) AS n FROM entries').get() as { n: number }).n;
    this.upsertInstrument = db.prepare('INSERT INTO instruments (id, json) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET json = excluded.json');
    this.writeBatch = db.transaction(() => {
      for (const [id, instrument] of this.pendingInstruments) this.upsertInstrument.run(id, JSON.stringify(instrument));
      // Multi-row INSERTs (ROWS_PER_INSERT rows per statement) cost far less per row than one statement per row.
      const entryValues: unknown[] = [];
      const postingValues: unknown[] = [];
      for (const entry of this.pendingEntries) {
        entryValues.push(entry.seq, entry.ts, entry.kind, entry.ref, entry.memo);
        if (entryValues.length === ROWS_PER_INSERT * 5) this.insertRows('entries', entryValues);
      }
      this.insertRows('entries', entryValues); // before the postings that reference them
      for (const entry of this.pendingEntries) {
        const postings = entry.postings;
        for (let i = 0; i < postings.length; i++) {
          postingValues.push(entry.seq, i, postings[i].account, postings[i].asset, formatMinor(postings[i].amount));
          if (postingValues.length === ROWS_PER_INSERT * 5) this.insertRows('postings', postingValues);
        }
      }
      this.insertRows('postings', postingValues);
    });
  }

  /** Opens (or creates) a ledger file. Throws LedgerFileError when the file is something else. */
  static open(path: string, options: SqliteLedgerStoreOptions = {}): SqliteLedgerStore {
    const existing = existsSync(path) && statSync(path).size > 0;
    if (options.readonly && !existing) throw new LedgerFileError(path, 'no such ledger');
    let db: Database.Database;
    try {
      db = new Database(path, { readonly: options.readonly ?? false });
    } catch (error) {
      throw new LedgerFileError(path, `cannot open as a perp-arb ledger: ${(error as Error).message}`);
    }
    try {
      if (existing) checkLedgerFile(path, db);
      else db.transaction(() => createLedgerSchema(db))();
      if (!options.readonly) {
        db.pragma('journal_mode = WAL');
        db.pragma(`synchronous = ${options.synchronous ?? 'NORMAL'}`);
      }
      return new SqliteLedgerStore(path, db, options);
    } catch (error) {
      db.close();
      throw error;
    }
  }

  // ---- LedgerSink -----------------------------------------------------------------------------

  instrument(instrument: Instrument): void {
    this.assertOpen();
    this.pendingInstruments.set(instrumentId(instrument.venue, instrument.symbol), instrument);
  }

  entry(entry: JournalEntry): void {
    this.assertOpen();
    const expected = this.lastSeq + this.pendingEntries.length + 1;
    if (entry.seq !== expected) throw new LedgerFileError(this.path, `journal entry ${entry.seq} does not follow the stored journal (expected seq ${expected})`);
    this.pendingEntries.push(entry);
    if (this.pendingEntries.length >= this.batchSize) this.flush();
  }

  // ---- the run's completion marker (src/portfolio/ledgerRun.ts) --------------------------------

  /** Marks the file as written by a run that has started (status 'running'), before its first entry. */
  beginRun(start: RunStart): void {
    this.assertOpen();
    if (!hasRunTable(this.db)) throw new LedgerFileError(this.path, 'a schema 1 ledger has no run marker: give a new file');
    if (readRun(this.db) !== null) throw new LedgerFileError(this.path, 'the file already holds a run');
    insertRun(this.db, start);
  }

  /** Writes every buffered entry and the run's end (finished, failed or interrupted) in one transaction. */
  endRun(status: Exclude<RunStatus, 'running'>, error: string | null = null): void {
    this.assertOpen();
    this.db.transaction(() => {
      this.flush();
      updateRunEnd(this.db, status, this.lastSeq, error);
    })();
  }

  /** A live session restarted on its state directory: its run is marked running again (ended as before by endRun). */
  resumeRun(): void {
    this.assertOpen();
    if (readRun(this.db) === null) throw new LedgerFileError(this.path, 'no run to resume');
    reopenRun(this.db);
  }

  /** The run that wrote the file (null: none was recorded, e.g. a schema 1 file or a ledger written by code). */
  run(): LedgerRun | null {
    this.assertOpen();
    return readRun(this.db);
  }

  // ---- writing and reading ---------------------------------------------------------------------

  /** Writes every buffered instrument and entry in one transaction. */
  flush(): void {
    this.assertOpen();
    if (this.pendingEntries.length === 0 && this.pendingInstruments.size === 0) return;
    this.writeBatch();
    this.lastSeq += this.pendingEntries.length;
    this.pendingEntries.length = 0;
    this.pendingInstruments.clear();
  }

  close(): void {
    if (this.closed) return;
    if (!this.db.readonly) this.flush();
    this.db.close();
    this.closed = true;
  }

  /** Entries on disk (buffered ones not included). */
  storedEntryCount(): number {
    return this.lastSeq;
  }

  readInstruments(): Instrument[] {
    this.assertOpen();
    const rows = this.db.prepare('SELECT id, json FROM instruments ORDER BY id').all() as { id: string; json: string }[];
    return rows.map((row) => {
      try {
        return JSON.parse(row.json) as Instrument;
      } catch (error) {
        throw new LedgerFileError(this.path, `instrument ${row.id}: bad JSON (${(error as Error).message})`);
      }
    });
  }

  /** The stored journal in seq order (streamed; buffered entries not included). */
  *readEntries(): IterableIterator<JournalEntry> {
    this.assertOpen();
    const rows = this.db
      .prepare(
        `SELECT e.seq, e.ts, e.kind, e.ref, e.memo, p.idx, p.account, p.asset, p.amount
         FROM entries e LEFT JOIN postings p ON p.seq = e.seq ORDER BY e.seq, p.idx`,
      )
      .iterate() as IterableIterator<EntryRow>;
    let current: (Omit<JournalEntry, 'postings'> & { postings: Posting[] }) | null = null;
    for (const row of rows) {
      if (current === null || current.seq !== row.seq) {
        if (current) yield current;
        if (!ENTRY_KINDS.includes(row.kind as EntryKind)) throw new LedgerFileError(this.path, `journal entry ${row.seq}: unknown kind '${row.kind}'`);
        current = { seq: row.seq, ts: row.ts, kind: row.kind as EntryKind, ref: row.ref, memo: row.memo, postings: [] };
      }
      if (row.account !== null) {
        let amount: bigint;
        try {
          amount = parseMinor(row.amount ?? '');
        } catch (error) {
          throw new LedgerFileError(this.path, `journal entry ${row.seq} posting ${row.idx}: ${(error as Error).message}`);
        }
        current.postings.push({ account: row.account, asset: row.asset ?? '', amount });
      }
    }
    if (current) yield current;
  }

  /**
   * Rebuilds a Ledger from the stored instruments and journal (every entry re-checked). With
   * { attach: true } (default unless read-only) the store then receives the ledger's new entries.
   * A file whose run did not finish (still running, killed, failed or interrupted: see run()) is
   * refused with an UnfinishedRunError unless { unfinished: 'allow' }: it is no run's result.
   */
  loadLedger(options: { attach?: boolean; unfinished?: 'refuse' | 'allow' } = {}): Ledger {
    const run = readRun(this.db);
    if (run !== null && runState(run) !== 'finished' && options.unfinished !== 'allow') throw new UnfinishedRunError(this.path, run);
    if (!this.db.readonly) this.flush();
    const ledger = new Ledger({ instruments: this.readInstruments() });
    for (const entry of this.readEntries()) {
      try {
        ledger.apply(entry);
      } catch (error) {
        throw new LedgerFileError(this.path, (error as Error).message);
      }
    }
    if (options.attach ?? !this.db.readonly) ledger.attachSink(this);
    return ledger;
  }

  /** Inserts the rows in `values` (5 columns each) with one statement, and empties `values`. */
  private insertRows(table: 'entries' | 'postings', values: unknown[]): void {
    const rows = values.length / 5;
    if (rows === 0) return;
    const key = `${table}:${rows}`;
    let statement = this.insertStatements.get(key);
    if (!statement) {
      const columns = table === 'entries' ? 'seq, ts, kind, ref, memo' : 'seq, idx, account, asset, amount';
      statement = this.db.prepare(`INSERT INTO ${table} (${columns}) VALUES ${new Array(rows).fill('(?, ?, ?, ?, ?)').join(', ')}`);
      if (rows === ROWS_PER_INSERT) this.insertStatements.set(key, statement);
    }
    statement.run(values);
    values.length = 0;
  }

  private assertOpen(): void {
    if (this.closed) throw new LedgerFileError(this.path, 'the ledger store is closed');
  }
}

function createLedgerSchema(db: Database.Database): void {
  db.exec(SCHEMA);
  const insert = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)');
  insert.run('format', LEDGER_FORMAT);
  insert.run('schemaVersion', String(LEDGER_SCHEMA_VERSION));
  insert.run('minorDecimals', String(MINOR_DECIMALS));
}

function checkLedgerFile(path: string, db: Database.Database): void {
  let tables: string[];
  try {
    tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all() as string[];
  } catch (error) {
    throw new LedgerFileError(path, `not a perp-arb ledger: not an SQLite database (${(error as Error).message})`);
  }
  const missing = ['meta', 'instruments', 'entries', 'postings'].filter((t) => !tables.includes(t));
  const declared = missing.includes('meta') ? null : (db.prepare("SELECT value FROM meta WHERE key = 'schemaVersion'").pluck().get() as string | undefined);
  if (Number(declared) >= 2 && !tables.includes('run')) missing.push('run');
  if (missing.length > 0) {
    throw new LedgerFileError(path, `not a perp-arb ledger: an SQLite database without the ledger tables (it has: ${tables.join(', ') || 'no tables'})`);
  }
  const meta = new Map((db.prepare('SELECT key, value FROM meta').all() as { key: string; value: string }[]).map((r) => [r.key, r.value]));
  if (meta.get('format') !== LEDGER_FORMAT) throw new LedgerFileError(path, `not a perp-arb ledger (meta format is ${JSON.stringify(meta.get('format') ?? null)})`);
  const version = Number(meta.get('schemaVersion'));
  if (!Number.isInteger(version) || version < 1) throw new LedgerFileError(path, `perp-arb ledger with an invalid schemaVersion ${JSON.stringify(meta.get('schemaVersion'))}`);
  if (version > LEDGER_SCHEMA_VERSION) throw new LedgerFileError(path, `perp-arb ledger schema ${version} is newer than this build reads (${LEDGER_SCHEMA_VERSION})`);
  if (meta.get('minorDecimals') !== String(MINOR_DECIMALS)) {
    throw new LedgerFileError(path, `perp-arb ledger written with ${meta.get('minorDecimals')} minor decimals; this build uses ${MINOR_DECIMALS}`);
  }
}
