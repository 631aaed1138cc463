import { existsSync, statSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { instrumentFromSymbol, instrumentId, mergeInstrument, type Instrument } from '../../domain/instrument.ts';
import { seriesId, type SeriesKey, type SeriesTable } from '../../domain/series.ts';
import type { Rejection, SeriesData } from '../import/types.ts';
import { acquireLock } from './lock.ts';
import { writeFileAtomic } from './atomicWrite.ts';
import { InputError } from '../../core/errors.ts';
import { emptyManifest, parseManifest, MONTH_RE, type LoadedManifest, type Manifest, type PartitionEntry, type UnreadablePartition } from './manifest.ts';
import { LOCK_FILE, MANIFEST_FILE, SERIES_DIR, monthOf, nextMonthStartMs, seriesDir } from './layout.ts';
import { mergeRows } from './mergeRows.ts';
import { partitionId, partitionKey as keyOf } from './partitionNames.ts';
import { readLastRows, readPartitions, writePartitions } from './partitionIO.ts';
import { guardedRead, requireNoUnreadable } from './readGuard.ts';
import { repairCommand } from './storeErrors.ts';
import { sliceRows } from './sliceRows.ts';

export interface SeriesSummary {
  key: SeriesKey;
  id: string;
  rows: number;
  firstTs: number;
  lastTs: number;
  files: number;
}

/** A half-open time span [fromMs, toMs) of row times (ms UTC): a row at fromMs is in it, one at toMs is not. */
export interface TimeRange {
  fromMs?: number;
  toMs?: number;
}

export interface SeriesWriteResult {
  id: string;
  added: number;
  unchanged: number;
  conflicts: Rejection[];
}

/**
 * The market-data store: Parquet files, one per series and UTC month, listed in manifest.json.
 * A write is a transaction: new files are written beside the old ones and become visible only
 * when the new manifest replaces the old one in a single rename; a failed import leaves the
 * store as it was, and files of an interrupted one are removed by the next writer.
 */
export class MarketStore {
  readonly root: string;
  private cached: { stamp: string; loaded: LoadedManifest } | null = null;

  constructor(root: string) {
    this.root = resolve(root);
  }

  /** The manifest with its readable partitions (entries that cannot be read: unreadablePartitions()). */
  manifest(): Manifest {
    return this.loadManifest().manifest;
  }

  /** Manifest entries that cannot be read or named: listings skip them (and should warn), readers of their series fail. */
  unreadablePartitions(): UnreadablePartition[] {
    return this.loadManifest().unreadable;
  }

  /** One warning line per unreadable manifest entry, for commands that list the store. */
  unreadableWarnings(): string[] {
    return this.unreadablePartitions().map(
      (u) => `${this.root}: partition ${u.name}${u.file ? ` (${u.file})` : ''} cannot be read from the manifest (${u.reason}); skipped; repair with: ${repairCommand(this.root)}`,
    );
  }

  loadManifest(): LoadedManifest {
    const path = join(this.root, MANIFEST_FILE);
    if (!existsSync(path)) return { manifest: emptyManifest(), unreadable: [] };
    // A commit replaces the file by rename (a new inode): same inode, size and mtime is the same manifest.
    const stat = statSync(path);
    const stamp = `${stat.ino}:${stat.size}:${stat.mtimeMs}`;
    if (this.cached?.stamp === stamp) return this.cached.loaded;
    const loaded = parseManifest(readFileSync(path, 'utf8'), path);
    this.cached = { stamp, loaded };
    return loaded;
  }

  listSeries(): SeriesSummary[] {
    const byId = new Map<string, SeriesSummary>();
    for (const p of this.manifest().partitions) {
      const key = keyOf(p);
      const id = seriesId(key);
      const summary = byId.get(id);
      if (!summary) byId.set(id, { key, id, rows: p.rows, firstTs: p.firstTs, lastTs: p.lastTs, files: 1 });
      else {
        summary.rows += p.rows;
        summary.firstTs = Math.min(summary.firstTs, p.firstTs);
        summary.lastTs = Math.max(summary.lastTs, p.lastTs);
        summary.files++;
      }
    }
    return [...byId.values()].sort((a, b) => a.id.localeCompare(b.id));
  }

  instruments(): Instrument[] {
    return this.manifest().instruments as Instrument[];
  }

  /** The partitions of a series that hold rows in the range [fromMs, toMs), in time order. */
  partitions(key: SeriesKey, range: TimeRange = {}): PartitionEntry[] {
    const id = seriesId(key);
    return this.manifest()
      .partitions.filter((p) => seriesId(keyOf(p)) === id)
      .filter((p) => (range.fromMs === undefined || p.lastTs >= range.fromMs) && (range.toMs === undefined || p.firstTs < range.toMs))
      .sort((a, b) => a.firstTs - b.firstTs);
  }

  /**
   * All rows of a series with fromMs <= ts < toMs, in ts order. A partition that cannot be read fails the read
   * with its name and the repair command; `skipUnreadableEntries` skips manifest entries that cannot
   * be read instead (for listings, which warn about them).
   */
  async read(key: SeriesKey, range: TimeRange = {}, options: { skipUnreadableEntries?: boolean } = {}): Promise<SeriesData> {
    if (!options.skipUnreadableEntries) requireNoUnreadable(this.root, key, range, this.unreadablePartitions());
    const partitions = this.partitions(key, range);
    if (partitions.length === 0) throw new Error(`no data for ${seriesId(key)} in ${this.root}${describeRange(range)}`);
    return guardedRead(this.root, partitions, (files) => readPartitions(key, files, range.fromMs, range.toMs));
  }

  /**
   * The last `count` rows before each request's beforeMs (ts < beforeMs: the half-open range
   * [-inf, beforeMs); "at or before t" is beforeMs = t + 1), for many series at once (one query per
   * table). Results follow the requests' order; a series without such a row has 0 rows.
   */
  async lastRows(requests: readonly { key: SeriesKey; beforeMs: number }[], count: number): Promise<SeriesData[]> {
    const out: SeriesData[] = new Array(requests.length);
    // One manifest read for all requests (parsing it costs ~5 ms).
    const partitionsById = new Map<string, PartitionEntry[]>();
    for (const p of this.manifest().partitions) {
      const id = seriesId(keyOf(p));
      const list = partitionsById.get(id);
      if (list) list.push(p);
      else partitionsById.set(id, [p]);
    }
    const byTable = new Map<SeriesTable, number[]>();
    requests.forEach((r, i) => byTable.set(r.key.table, [...(byTable.get(r.key.table) ?? []), i]));
    for (const indices of byTable.values()) {
      const batch = indices.map((i) => {
        const { key, beforeMs } = requests[i];
        // Each partition holds at least one row, so the last `count` partitions before beforeMs hold the rows wanted.
        const partitions = (partitionsById.get(seriesId(key)) ?? []).filter((p) => p.firstTs < beforeMs).sort((a, b) => a.firstTs - b.firstTs);
        return { key, beforeMs, partitions: partitions.slice(-count) };
      });
      const entries = batch.flatMap((b) => b.partitions);
      const data = await guardedRead(this.root, entries, () =>
        readLastRows(batch.map(({ key, beforeMs, partitions }) => ({ key, beforeMs, paths: partitions.map((p) => join(this.root, p.file)) })), count),
      );
      indices.forEach((i, j) => (out[i] = data[j]));
    }
    return out;
  }

  /** The rows with fromMs <= ts < toMs one partition (month) at a time: memory stays bounded by one partition. */
  async *chunks(key: SeriesKey, range: TimeRange = {}): AsyncGenerator<SeriesData> {
    requireNoUnreadable(this.root, key, range, this.unreadablePartitions());
    const parts = this.partitions(key, range);
    const read = (p: PartitionEntry) => {
      const pending = guardedRead(this.root, [p], (files) => readPartitions(key, files, range.fromMs, range.toMs));
      // Awaited below; until then a failure must not count as unhandled (the reader may stop first).
      pending.catch(() => {});
      return pending;
    };
    // The next month is read while the consumer works on this one: DuckDB reads on its own threads.
    let next = parts.length > 0 ? read(parts[0]) : null;
    for (let i = 0; i < parts.length; i++) {
      const chunk = await next!;
      next = i + 1 < parts.length ? read(parts[i + 1]) : null;
      if (chunk.rows > 0) yield chunk;
    }
  }

  /** Starts a write transaction (one writer at a time, across processes). */
  begin(): StoreTransaction {
    mkdirSync(this.root, { recursive: true });
    const release = acquireLock(join(this.root, LOCK_FILE));
    try {
      const loaded = this.loadManifest();
      removeUnlistedFiles(this.root, loaded);
      return new StoreTransaction(this.root, loaded, release);
    } catch (error) {
      release();
      throw error;
    }
  }
}

function describeRange(range: TimeRange): string {
  if (range.fromMs === undefined && range.toMs === undefined) return '';
  const iso = (ms?: number) => (ms === undefined ? '…' : new Date(ms).toISOString());
  return ` in [${iso(range.fromMs)}, ${iso(range.toMs)})`;
}

/**
 * Files under series/ that no manifest lists are left by an interrupted import: never visible, safe
 * to delete. Files of unreadable entries are listed too: they stay until `data check --repair`
 * quarantines them.
 */
function removeUnlistedFiles(root: string, { manifest, unreadable }: LoadedManifest): void {
  const listed = new Set([...manifest.partitions.map((p) => p.file), ...unreadable.flatMap((u) => (u.file ? [u.file] : []))].map((file) => resolve(root, file)));
  const seriesRoot = join(root, SERIES_DIR);
  if (!existsSync(seriesRoot)) return;
  for (const entry of readdirSync(seriesRoot, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = resolve(entry.parentPath, entry.name);
    if (!listed.has(path)) rmSync(path, { force: true });
  }
}

export class StoreTransaction {
  private readonly root: string;
  private readonly base: Manifest;
  private readonly unreadable: UnreadablePartition[];
  private readonly release: () => void;
  private readonly basePartitions = new Map<string, PartitionEntry>();
  private readonly staged = new Map<string, PartitionEntry>();
  private readonly instruments = new Map<string, Instrument>();
  private instrumentsChanged = false;
  private fileCounter = 0;
  private open = true;

  constructor(root: string, loaded: LoadedManifest, release: () => void) {
    this.root = root;
    this.base = loaded.manifest;
    this.unreadable = loaded.unreadable;
    this.release = release;
    for (const p of this.base.partitions) this.basePartitions.set(partitionId(p), p);
    for (const i of this.base.instruments) this.instruments.set(instrumentId(i.venue, i.symbol), i as Instrument);
  }

  /** Adds validated rows (ts order) of one series; rows stored already are counted unchanged, conflicting ones reported. */
  async write(series: SeriesData): Promise<SeriesWriteResult> {
    this.assertOpen();
    const result: SeriesWriteResult = { id: seriesId(series.key), added: 0, unchanged: 0, conflicts: [] };
    const ts = series.columns.ts as Float64Array;
    this.noteInstrument(instrumentFromSymbol(series.key.venue, series.key.symbol));
    // Months not stored yet are written straight from the incoming rows, all from one staging table.
    const fresh: { month: string; fromMs: number; toMs: number; rows: number }[] = [];
    for (let start = 0; start < series.rows; ) {
      const month = this.partitionMonth(series, start);
      const fromMs = Date.parse(`${month}-01T00:00:00Z`);
      const toMs = nextMonthStartMs(ts[start]);
      let end = start + 1;
      while (end < series.rows && ts[end] < toMs) end++;
      const current = this.staged.get(partitionId({ ...series.key, month })) ?? this.basePartitions.get(partitionId({ ...series.key, month }));
      if (!current) {
        fresh.push({ month, fromMs, toMs, rows: end - start });
        result.added += end - start;
      } else {
        const stored = await guardedRead(this.root, [current], (files) => readPartitions(series.key, files));
        const merge = mergeRows(stored, sliceRows(series, start, end));
        result.unchanged += merge.unchanged;
        result.conflicts.push(...merge.conflicts);
        if (merge.added > 0) {
          result.added += merge.added;
          await this.stagePartitions(merge.merged, [{ month, fromMs, toMs, rows: merge.merged.rows }]);
        }
      }
      start = end;
    }
    if (fresh.length > 0) await this.stagePartitions(series, fresh);
    return result;
  }

  /** The month of row i, refused unless the store can name and read it back (defence in depth: importers bound ts first). */
  private partitionMonth(series: SeriesData, i: number): string {
    const tsMs = (series.columns.ts as Float64Array)[i];
    const month = Number.isSafeInteger(tsMs) && Math.abs(tsMs) <= 8.64e15 ? monthOf(tsMs) : '';
    const where = { source: series.source, line: series.lines[i] || undefined };
    if (!MONTH_RE.test(month)) throw new InputError(where, `ts ${tsMs} is outside the years 0000-9999 the store can name a partition for; nothing was stored`);
    const blocked = this.unreadable.find((u) => u.month === month && u.key !== null && seriesId(u.key) === seriesId(series.key));
    if (blocked) throw new InputError(where, `partition ${blocked.name} of the store cannot be read (${blocked.reason}); repair with: ${repairCommand(this.root)}`);
    return month;
  }

  private async stagePartitions(series: SeriesData, months: { month: string; fromMs: number; toMs: number; rows: number }[]): Promise<void> {
    const dir = seriesDir(series.key);
    mkdirSync(join(this.root, dir), { recursive: true });
    const entries = months.map(({ month, fromMs, toMs, rows }) => ({ month, fromMs, toMs, rows, file: join(dir, `${month}.${this.base.txid + 1}.${this.fileCounter++}.parquet`) }));
    await writePartitions(series, entries.map((e) => ({ fromMs: e.fromMs, toMs: e.toMs, path: join(this.root, e.file) })));
    const ts = series.columns.ts as Float64Array;
    let start = 0;
    for (const e of entries) {
      while (start < series.rows && ts[start] < e.fromMs) start++;
      const id = partitionId({ ...series.key, month: e.month });
      const previous = this.staged.get(id);
      if (previous) rmSync(join(this.root, previous.file), { force: true });
      this.staged.set(id, { ...series.key, month: e.month, file: e.file, rows: e.rows, firstTs: ts[start], lastTs: ts[start + e.rows - 1] });
      start += e.rows;
    }
  }

  /** The instrument as known so far: the store's, with what this transaction has noted merged in. */
  instrument(venue: string, symbol: string): Instrument | undefined {
    return this.instruments.get(instrumentId(venue, symbol));
  }

  /** Records instrument facts; known values are kept, and differing ones returned as notes. */
  noteInstrument(instrument: Instrument): string[] {
    this.assertOpen();
    const id = instrumentId(instrument.venue, instrument.symbol);
    const known = this.instruments.get(id);
    if (!known) {
      this.instruments.set(id, instrument);
      this.instrumentsChanged = true;
      return [];
    }
    const { instrument: merged, conflicts } = mergeInstrument(known, instrument);
    if (JSON.stringify(merged) !== JSON.stringify(known)) {
      this.instruments.set(id, merged);
      this.instrumentsChanged = true;
    }
    return conflicts.map((c) => `${id}: ${c}`);
  }

  get hasChanges(): boolean {
    return this.staged.size > 0 || this.instrumentsChanged;
  }

  /** Makes the staged files visible in one atomic manifest swap; returns the new txid (unchanged when nothing changed). */
  commit(): number {
    this.assertOpen();
    try {
      if (!this.hasChanges) return this.base.txid;
      const partitions = new Map(this.basePartitions);
      for (const [id, p] of this.staged) partitions.set(id, p);
      const manifest: Manifest = {
        ...this.base,
        txid: this.base.txid + 1,
        // Entries that cannot be read are written back as they were: only `data check --repair` removes them.
        partitions: [...[...partitions.values()].sort((a, b) => partitionId(a).localeCompare(partitionId(b))), ...this.unreadable.map((u) => u.raw)] as PartitionEntry[],
        instruments: [...this.instruments.values()].sort((a, b) =>
          instrumentId(a.venue, a.symbol).localeCompare(instrumentId(b.venue, b.symbol)),
        ),
      };
      writeFileAtomic(join(this.root, MANIFEST_FILE), `${JSON.stringify(manifest, null, 1)}\n`);
      for (const [id] of this.staged) {
        const replaced = this.basePartitions.get(id);
        if (replaced) rmSync(join(this.root, replaced.file), { force: true });
      }
      return manifest.txid;
    } finally {
      this.finish();
    }
  }

  /** Discards everything staged; the store stays as it was. */
  rollback(): void {
    if (!this.open) return;
    for (const p of this.staged.values()) rmSync(join(this.root, p.file), { force: true });
    this.finish();
  }

  private finish(): void {
    this.open = false;
    this.release();
  }

  private assertOpen(): void {
    if (!this.open) throw new Error('store transaction already finished');
  }
}

