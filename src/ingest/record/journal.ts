import { existsSync, rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { EpochMs } from '../../core/time.ts';
import type { JournalRecord, JournalRecordKind } from './recordTypes.ts';

export const JOURNAL_FORMAT = 'perp-arb-recording-journal';
export const JOURNAL_SCHEMA_VERSION = 1;
export const JOURNAL_SUFFIX = '.journal';

const SCHEMA = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE records (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL,
  symbol TEXT NOT NULL,
  ts INTEGER NOT NULL,
  received_at INTEGER NOT NULL,
  body TEXT NOT NULL
);
`;

export interface JournalMeta {
  session: string;
  venue: string;
  /** Process that writes the journal; a journal whose writer is gone is left over and recovered. */
  pid: number;
  startedAt: EpochMs;
}

/** A journal row as read back: the record and its id (ids grow in write order). */
export interface StoredRecord {
  id: number;
  record: JournalRecord;
}

export class JournalFileError extends Error {
  constructor(path: string, message: string) {
    super(`${path}: ${message}`);
    this.name = 'JournalFileError';
  }
}

/**
 * The recorder's durable, append-only buffer: an SQLite database in WAL mode with synchronous FULL,
 * so every committed batch is fsynced. Records are buffered in memory and committed by flush()
 * (the recorder calls it several times a second), so a kill loses at most the unflushed tail.
 * Compaction reads the committed records, writes them to the Parquet store and only then deletes
 * them here (deleteUpTo), so a crash between the two repeats a write the store treats as unchanged.
 */
export class RecordingJournal {
  readonly path: string;
  private readonly db: Database.Database;
  private readonly insert: Database.Statement;
  private pending: JournalRecord[] = [];
  private closed = false;

  private constructor(path: string, db: Database.Database) {
    this.path = path;
    this.db = db;
    this.insert = db.prepare('INSERT INTO records (kind, symbol, ts, received_at, body) VALUES (?, ?, ?, ?, ?)');
  }

  /** Creates a new journal file (it must not exist). */
  static create(path: string, meta: JournalMeta): RecordingJournal {
    if (existsSync(path)) throw new JournalFileError(path, 'a recording journal with this name exists already');
    const db = new Database(path);
    configure(db);
    db.transaction(() => {
      db.exec(SCHEMA);
      const put = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)');
      put.run('format', JOURNAL_FORMAT);
      put.run('schemaVersion', String(JOURNAL_SCHEMA_VERSION));
      put.run('session', meta.session);
      put.run('venue', meta.venue);
      put.run('pid', String(meta.pid));
      put.run('startedAt', String(meta.startedAt));
    })();
    return new RecordingJournal(path, db);
  }

  /** Opens an existing journal (a leftover to recover); refuses a file that is not one. */
  static open(path: string): RecordingJournal {
    let db: Database.Database;
    try {
      db = new Database(path, { fileMustExist: true });
      configure(db);
    } catch (error) {
      throw new JournalFileError(path, `cannot open as SQLite: ${(error as Error).message}`);
    }
    try {
      const format = readMetaValue(db, 'format');
      if (format !== JOURNAL_FORMAT) throw new Error(`not a perp-arb recording journal (format ${format ?? 'missing'})`);
      const version = Number(readMetaValue(db, 'schemaVersion'));
      if (version !== JOURNAL_SCHEMA_VERSION) throw new Error(`journal schema version ${version} is not ${JOURNAL_SCHEMA_VERSION}`);
    } catch (error) {
      db.close();
      throw new JournalFileError(path, (error as Error).message);
    }
    return new RecordingJournal(path, db);
  }

  meta(): JournalMeta {
    const get = (key: string) => {
      const value = readMetaValue(this.db, key);
      if (value === null) throw new JournalFileError(this.path, `meta ${key} is missing`);
      return value;
    };
    return { session: get('session'), venue: get('venue'), pid: Number(get('pid')), startedAt: Number(get('startedAt')) };
  }

  /** Buffers a record until the next flush. */
  append(record: JournalRecord): void {
    if (this.closed) throw new Error(`${this.path}: journal is closed`);
    this.pending.push(record);
  }

  get pendingCount(): number {
    return this.pending.length;
  }

  /** Commits the buffered records in one fsynced transaction; returns how many. */
  flush(): number {
    if (this.pending.length === 0) return 0;
    const batch = this.pending;
    this.pending = [];
    this.db.transaction(() => {
      for (const record of batch) {
        const { kind, symbol, ts, receivedAt, ...body } = record;
        this.insert.run(kind, symbol, ts, receivedAt, JSON.stringify(body));
      }
    })();
    return batch.length;
  }

  /** The id of the newest committed record still in the journal (0 when it is empty). Ids are never reused. */
  lastId(): number {
    const row = this.db.prepare('SELECT MAX(id) AS id FROM records').get() as { id: number | null };
    return row.id ?? 0;
  }

  /** Committed records with id <= upToId, in write order. */
  read(upToId: number): StoredRecord[] {
    const rows = this.db.prepare('SELECT id, kind, symbol, ts, received_at, body FROM records WHERE id <= ? ORDER BY id').all(upToId) as {
      id: number;
      kind: JournalRecordKind;
      symbol: string;
      ts: number;
      received_at: number;
      body: string;
    }[];
    return rows.map((row) => ({
      id: row.id,
      record: { kind: row.kind, symbol: row.symbol, ts: row.ts, receivedAt: row.received_at, ...(JSON.parse(row.body) as object) } as JournalRecord,
    }));
  }

  /** Removes the records with id <= upToId (after the store has committed them). */
  deleteUpTo(upToId: number): void {
    this.db.prepare('DELETE FROM records WHERE id <= ?').run(upToId);
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.db.close();
  }

  /** Closes the journal and deletes its files (database, WAL, shared memory). */
  destroy(): void {
    this.close();
    removeJournalFiles(this.path);
  }
}

export function removeJournalFiles(path: string): void {
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });
}

function configure(db: Database.Database): void {
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
}

function readMetaValue(db: Database.Database, key: string): string | null {
  const row = db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
  return row?.value ?? null;
}
