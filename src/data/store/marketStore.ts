import { existsSync, statSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { instrumentFromSymbol, instrumentId, mergeInstrument, type Instrument } from '../../domain/instrument.ts';
import { seriesId, type SeriesKey, type SeriesTable } from '../../domain/series.ts';
import type { Rejection, SeriesData } from '../import/types.ts';
import { acquireLock } from './lock.ts';
import { writeFileAtomic } from './atomicWrite.ts';
import { emptyManifest, manifestSchema, type Manifest, type PartitionEntry } from './manifest.ts';
import { LOCK_FILE, MANIFEST_FILE, SERIES_DIR, monthOf, nextMonthStartMs, seriesDir } from './layout.ts';
import { mergeRows } from './mergeRows.ts';
import { readLastRows, readPartitions, writePartitions } from './partitionIO.ts';
import { sliceRows } from './sliceRows.ts';

export interface SeriesSummary {
  key: SeriesKey;
  id: string;
  rows: number;
  firstTs: number;
  lastTs: number;
  files: number;
}

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

const partitionId = (p: Pick<PartitionEntry, 'table' | 'venue' | 'symbol' | 'timeframe' | 'month'>) =>
  `${p.table}/${p.venue}/${p.symbol}/${p.timeframe ?? '_'}/${p.month}`;

const keyOf = (p: PartitionEntry): SeriesKey => ({ table: p.table as SeriesTable, venue: p.venue, symbol: p.symbol, timeframe: p.timeframe });

/**
 * The market-data store: Parquet files, one per series and UTC month, listed in manifest.json.
 * A write is a transaction: new files are written beside the old ones and become visible only
 * when the new manifest replaces the old one in a single rename; a failed import leaves the
 * store as it was, and files of an interrupted one are removed by the next writer.
 */
export class MarketStore {
  readonly root: string;
  private cached: { stamp: string; manifest: Manifest } | null = null;

  constructor(root: string) {
    this.root = resolve(root);
  }

  manifest(): Manifest {
    const path = join(this.root, MANIFEST_FILE);
    if (!existsSync(path)) return emptyManifest();
    // A commit replaces the file by rename (a new inode): same inode, size and mtime is the same manifest.
    const stat = statSync(path);
    const stamp = `${stat.ino}:${stat.size}:${stat.mtimeMs}`;
    if (this.cached?.stamp === stamp) return this.cached.manifest;
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(path, 'utf8'));
    } catch (error) {
      throw new Error(`${path}: not valid JSON (${(error as Error).message})`);
    }
    const result = manifestSchema.safeParse(parsed);
    if (!result.success) throw new Error(`${path}: not a perp-arb store manifest: ${result.error.issues[0]?.message ?? 'invalid'}`);
    this.cached = { stamp, manifest: result.data };
    return result.data;
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

  /** The partitions of a series that overlap the range, in time order. */
  partitions(key: SeriesKey, range: TimeRange = {}): PartitionEntry[] {
    const id = seriesId(key);
    return this.manifest()
      .partitions.filter((p) => seriesId(keyOf(p)) === id)
      .filter((p) => (range.fromMs === undefined || p.lastTs >= range.fromMs) && (range.toMs === undefined || p.firstTs <= range.toMs))
      .sort((a, b) => a.firstTs - b.firstTs);
  }

  /** All rows of a series in the range, in ts order. */
  async read(key: SeriesKey, range: TimeRange = {}): Promise<SeriesData> {
    const files = this.partitions(key, range).map((p) => join(this.root, p.file));
    if (files.length === 0) throw new Error(`no data for ${seriesId(key)} in ${this.root}${describeRange(range)}`);
    return readPartitions(key, files, range.fromMs, range.toMs);
  }

  /**
   * The last `count` rows at or before each request's toMs, for many series at once (one query per
   * table). Results follow the requests' order; a series without such a row has 0 rows.
   */
  async lastRows(requests: readonly { key: SeriesKey; toMs: number }[], count: number): Promise<SeriesData[]> {
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
        const { key, toMs } = requests[i];
        // Each partition holds at least one row, so the last `count` partitions up to toMs hold the rows wanted.
        const partitions = (partitionsById.get(seriesId(key)) ?? []).filter((p) => p.firstTs <= toMs).sort((a, b) => a.firstTs - b.firstTs);
        return { key, toMs, paths: partitions.slice(-count).map((p) => join(this.root, p.file)) };
      });
      const data = await readLastRows(batch, count);
      indices.forEach((i, j) => (out[i] = data[j]));
    }
    return out;
  }

  /** The series one partition (month) at a time: memory stays bounded by one partition. */
  async *chunks(key: SeriesKey, range: TimeRange = {}): AsyncGenerator<SeriesData> {
    for (const p of this.partitions(key, range)) {
      const chunk = await readPartitions(key, [join(this.root, p.file)], range.fromMs, range.toMs);
      if (chunk.rows > 0) yield chunk;
    }
  }

  /** Starts a write transaction (one writer at a time, across processes). */
  begin(): StoreTransaction {
    mkdirSync(this.root, { recursive: true });
    const release = acquireLock(join(this.root, LOCK_FILE));
    try {
      const manifest = this.manifest();
      removeUnlistedFiles(this.root, manifest);
      return new StoreTransaction(this.root, manifest, release);
    } catch (error) {
      release();
      throw error;
    }
  }
}

function describeRange(range: TimeRange): string {
  if (range.fromMs === undefined && range.toMs === undefined) return '';
  const iso = (ms?: number) => (ms === undefined ? '…' : new Date(ms).toISOString());
  return ` between ${iso(range.fromMs)} and ${iso(range.toMs)}`;
}

/** Files under series/ that no manifest lists are left by an interrupted import: never visible, safe to delete. */
function removeUnlistedFiles(root: string, manifest: Manifest): void {
  const listed = new Set(manifest.partitions.map((p) => resolve(root, p.file)));
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
  private readonly release: () => void;
  private readonly basePartitions = new Map<string, PartitionEntry>();
  private readonly staged = new Map<string, PartitionEntry>();
  private readonly instruments = new Map<string, Instrument>();
  private instrumentsChanged = false;
  private fileCounter = 0;
  private open = true;

  constructor(root: string, base: Manifest, release: () => void) {
    this.root = root;
    this.base = base;
    this.release = release;
    for (const p of base.partitions) this.basePartitions.set(partitionId(p), p);
    for (const i of base.instruments) this.instruments.set(instrumentId(i.venue, i.symbol), i as Instrument);
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
      const month = monthOf(ts[start]);
      const fromMs = Date.parse(`${month}-01T00:00:00Z`);
      const toMs = nextMonthStartMs(ts[start]);
      let end = start + 1;
      while (end < series.rows && ts[end] < toMs) end++;
      const current = this.staged.get(partitionId({ ...series.key, month })) ?? this.basePartitions.get(partitionId({ ...series.key, month }));
      if (!current) {
        fresh.push({ month, fromMs, toMs, rows: end - start });
        result.added += end - start;
      } else {
        const stored = await readPartitions(series.key, [join(this.root, current.file)]);
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
        partitions: [...partitions.values()].sort((a, b) => partitionId(a).localeCompare(partitionId(b))),
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

