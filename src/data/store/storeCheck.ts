import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { isoUtc } from '../../core/time.ts';
import { validateSeries } from '../import/validateSeries.ts';
import { LOCK_FILE, MANIFEST_FILE, SERIES_DIR, monthOf } from './layout.ts';
import { lockHolder } from './lock.ts';
import type { LoadedManifest, PartitionEntry, UnreadablePartition } from './manifest.ts';
import { MarketStore } from './marketStore.ts';
import { partitionKey, partitionName } from './partitionNames.ts';
import { readPartitionFile, readPartitionFiles } from './partitionIO.ts';
import type { SeriesData } from '../import/types.ts';
import { duckReason } from './readGuard.ts';

export type StoreProblemKind =
  | 'unreadable-entry' // a manifest entry that cannot be parsed or named (e.g. a month of year 10000)
  | 'missing-file'
  | 'unreadable-file' // not Parquet, truncated, or without the table's columns
  | 'row-count' // the file's rows differ from the manifest's count
  | 'ts-range' // the file's first or last ts differs from the manifest's
  | 'outside-month' // rows whose ts is not in the partition's month
  | 'invalid-rows' // out of order, duplicate, or outside the bounds of validateSeries
  | 'orphan'; // a file under series/ that no manifest entry lists

/** One problem, printed as one line. */
export interface StoreProblem {
  kind: StoreProblemKind;
  /** 'bars/binance/BTC/USDT:USDT/1m 2024-01'; null for an orphan. */
  partition: string | null;
  /** Relative to the store root; null when an entry names no usable file. */
  file: string | null;
  message: string;
}

/** A manifest entry that has a problem: repair quarantines its file and removes it. */
export type DamagedPartition = { entry: PartitionEntry; unreadable?: undefined } | { entry?: undefined; unreadable: UnreadablePartition };

export interface StoreCheckReport {
  store: string;
  /** Manifest entries checked (readable or not). */
  partitions: number;
  /** Rows read from the files. */
  rows: number;
  problems: StoreProblem[];
  /** Facts that are not problems: a writer holding the lock, whose files were left alone. */
  notes: string[];
  elapsedMs: number;
}

export interface StoreInspection {
  report: StoreCheckReport;
  loaded: LoadedManifest;
  damaged: DamagedPartition[];
  /** Orphaned files, relative to the store root. */
  orphans: string[];
}

const MAX_REASONS = 3;
// Files read per query: few enough that one bad file costs little re-reading one by one.
const BATCH_FILES = 256;
const BATCH_ROWS = 500_000;

const partitionProblem = (entry: PartitionEntry, kind: StoreProblemKind, message: string): StoreProblem => {
  const name = partitionName(entry);
  return { kind, partition: name, file: entry.file, message: `${kind} ${name} (${entry.file}): ${message}` };
};

/** What is wrong with the rows read from one partition's file (empty when they are sound). */
function rowProblems(entry: PartitionEntry, data: SeriesData): StoreProblem[] {
  const problem = (kind: StoreProblemKind, message: string) => partitionProblem(entry, kind, message);
  const problems: StoreProblem[] = [];
  if (data.rows !== entry.rows) problems.push(problem('row-count', `the file holds ${data.rows} rows, the manifest says ${entry.rows}`));
  if (data.rows === 0) return problems;
  const ts = data.columns.ts as Float64Array;
  let minTs = Infinity;
  let maxTs = -Infinity;
  let outside = 0;
  let firstOutside = -1;
  for (let i = 0; i < data.rows; i++) {
    const t = ts[i];
    if (t < minTs) minTs = t;
    if (t > maxTs) maxTs = t;
    if (!(Number.isSafeInteger(t) && Math.abs(t) <= 8.64e15 && monthOf(t) === entry.month)) {
      if (outside++ === 0) firstOutside = i;
    }
  }
  if (minTs !== entry.firstTs || maxTs !== entry.lastTs) {
    problems.push(problem('ts-range', `its rows span ${isoUtc(minTs)} to ${isoUtc(maxTs)}, the manifest says ${isoUtc(entry.firstTs)} to ${isoUtc(entry.lastTs)}`));
  }
  if (outside > 0) problems.push(problem('outside-month', `${outside} rows outside ${entry.month}, first row ${firstOutside + 1} at ts ${ts[firstOutside]}`));
  // The import's own checks: order and uniqueness (trades by ts and trade_id) and the value bounds.
  const { rejections } = validateSeries(data);
  if (rejections.length > 0) {
    const shown = rejections.slice(0, MAX_REASONS).map((r) => `row ${r.line}: ${r.reason}`);
    const more = rejections.length > MAX_REASONS ? `; ${rejections.length - MAX_REASONS} more` : '';
    problems.push(problem('invalid-rows', `${rejections.length} rows fail validation: ${shown.join('; ')}${more}`));
  }
  return problems;
}

/** Reads the files of existing partitions of one table, many per query; a batch that fails is read file by file. */
async function readBatch(root: string, entries: readonly PartitionEntry[]): Promise<({ data: SeriesData } | { error: unknown })[]> {
  try {
    const all = await readPartitionFiles(entries.map((e) => ({ key: partitionKey(e), path: join(root, e.file) })));
    return all.map((data) => ({ data }));
  } catch {
    const out: ({ data: SeriesData } | { error: unknown })[] = [];
    for (const e of entries) {
      try {
        out.push({ data: await readPartitionFile(partitionKey(e), join(root, e.file)) });
      } catch (error) {
        out.push({ error });
      }
    }
    return out;
  }
}

/** Batches of one table each, bounded in files and in rows (by the manifest's counts). */
function batches(entries: readonly PartitionEntry[]): PartitionEntry[][] {
  const byTable = new Map<string, PartitionEntry[]>();
  for (const e of entries) byTable.set(e.table, [...(byTable.get(e.table) ?? []), e]);
  const out: PartitionEntry[][] = [];
  for (const list of byTable.values()) {
    let batch: PartitionEntry[] = [];
    let rows = 0;
    for (const e of list) {
      if (batch.length > 0 && (batch.length >= BATCH_FILES || rows + e.rows > BATCH_ROWS)) {
        out.push(batch);
        batch = [];
        rows = 0;
      }
      batch.push(e);
      rows += e.rows;
    }
    if (batch.length > 0) out.push(batch);
  }
  return out;
}

/** Changes when a commit replaces the manifest (a rename: new inode). */
function manifestStamp(root: string): string {
  const path = join(root, MANIFEST_FILE);
  if (!existsSync(path)) return 'none';
  const stat = statSync(path);
  return `${stat.ino}:${stat.size}:${stat.mtimeMs}`;
}

function filesUnder(root: string, dir: string): string[] {
  const path = join(root, dir);
  if (!existsSync(path)) return [];
  return readdirSync(path, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(root, resolve(e.parentPath, e.name)))
    .sort();
}

/**
 * Verifies the whole store: every manifest entry readable and with its file, the file readable,
 * its row count and first/last ts as the manifest says, every row inside the month, in order,
 * unique and valid (validateSeries, the import's own checks), and no file under series/ unlisted.
 * Unlisted files are not reported while another live process holds the writer lock (they may be its
 * transaction's); `underLock` says the caller holds the lock itself.
 */
export async function inspectStore(root: string, options: { underLock?: boolean } = {}): Promise<StoreInspection> {
  const startedMs = performance.now();
  const store = new MarketStore(root);
  const stampBefore = manifestStamp(store.root);
  const loaded = store.loadManifest();
  const problems: StoreProblem[] = [];
  const notes: string[] = [];
  const damaged: DamagedPartition[] = [];
  let rows = 0;
  for (const u of loaded.unreadable) {
    problems.push({ kind: 'unreadable-entry', partition: u.name, file: u.file, message: `unreadable-entry ${u.name}${u.file ? ` (${u.file})` : ''}: the manifest entry cannot be read (${u.reason})` });
    damaged.push({ unreadable: u });
  }
  const present: PartitionEntry[] = [];
  for (const entry of loaded.manifest.partitions) {
    if (existsSync(join(store.root, entry.file))) present.push(entry);
    else {
      problems.push(partitionProblem(entry, 'missing-file', 'the file is missing'));
      damaged.push({ entry });
    }
  }
  for (const batch of batches(present)) {
    const results = await readBatch(store.root, batch);
    batch.forEach((entry, i) => {
      const result = results[i];
      const found =
        'error' in result ? [partitionProblem(entry, 'unreadable-file', `cannot be read (${duckReason(result.error, store.root, entry)})`)] : rowProblems(entry, result.data);
      if ('data' in result) rows += result.data.rows;
      problems.push(...found);
      if (found.length > 0) damaged.push({ entry });
    });
  }
  const listed = new Set([...loaded.manifest.partitions.map((p) => p.file), ...loaded.unreadable.flatMap((u) => (u.file ? [u.file] : []))]);
  const unlisted = filesUnder(store.root, SERIES_DIR).filter((file) => !listed.has(file));
  const writer = options.underLock ? null : lockHolder(join(store.root, LOCK_FILE));
  const orphans = writer === null ? unlisted : [];
  if (writer !== null && unlisted.length > 0) {
    notes.push(`process ${writer} holds the store lock: ${unlisted.length} files not in the manifest may be its transaction's and are not reported; check again when it is done`);
  }
  if (!options.underLock && manifestStamp(store.root) !== stampBefore) {
    notes.push('a write committed during the check: files it replaced may show as missing; check again');
  }
  for (const file of orphans) problems.push({ kind: 'orphan', partition: null, file, message: `orphan ${file}: no manifest entry lists this file` });
  const partitions = loaded.manifest.partitions.length + loaded.unreadable.length;
  return { report: { store: store.root, partitions, rows, problems, notes, elapsedMs: performance.now() - startedMs }, loaded, damaged, orphans };
}

export async function checkStore(root: string): Promise<StoreCheckReport> {
  return (await inspectStore(root)).report;
}
