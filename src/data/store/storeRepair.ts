import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { isoUtc } from '../../core/time.ts';
import { seriesId, type SeriesKey } from '../../domain/series.ts';
import { writeFileAtomic } from './atomicWrite.ts';
import { DownloadCoverage, mergeSpans, type TimeSpan } from './downloadCoverage.ts';
import { LOCK_FILE, MANIFEST_FILE, monthOf } from './layout.ts';
import { acquireLock } from './lock.ts';
import { MONTH_RE, type Manifest } from './manifest.ts';
import { partitionKey, partitionName } from './partitionNames.ts';
import { inspectStore, type DamagedPartition, type StoreCheckReport } from './storeCheck.ts';

export const QUARANTINE_DIR = 'quarantine';

/** Rows of a series that repair removed from the store: to import or download again. */
export interface LostRange {
  /** The series, when its manifest entry named it. */
  key: SeriesKey | null;
  series: string;
  /** [fromMs, toMs): whole months when the partitions' months are known; null when there is nothing to fetch again (see note). */
  span: TimeSpan | null;
  /** Why span is null: times unknown, or beyond the years the store can hold. */
  note: string | null;
  /** The partitions removed, 'bars/binance/BTC/USDT/1m 2024-01'. */
  partitions: string[];
}

export interface RepairReport {
  /** The check made under the lock, before anything moved. */
  check: StoreCheckReport;
  /** `<store>/quarantine/<time>`, or null when nothing was wrong. */
  quarantineDir: string | null;
  /** Files moved, relative to the store root (their path inside quarantineDir is the same). */
  quarantined: string[];
  /** Manifest entries removed. */
  removedEntries: string[];
  lost: LostRange[];
  /** The store's version after the repair. */
  txid: number;
}

const monthSpan = (month: string): TimeSpan => {
  const [year, m] = month.split('-').map(Number);
  return { fromMs: Date.UTC(year, m - 1, 1), toMs: Date.UTC(year, m, 1) };
};

const TIMES_UNKNOWN = 'times unknown: re-import the sources of this series';
const TIMES_OUTSIDE = 'times beyond the years 0000-9999 the store can hold: nothing to fetch again; fix the source';

/** The time span a damaged entry held: its month, else the months of its first and last ts. */
function damagedSpan(d: DamagedPartition): TimeSpan | string {
  if (d.entry) return monthSpan(d.entry.month);
  const u = d.unreadable;
  if (u.month !== null && MONTH_RE.test(u.month)) return monthSpan(u.month);
  if (u.firstTs === null || u.lastTs === null || u.firstTs > u.lastTs) return TIMES_UNKNOWN;
  const [first, last] = [u.firstTs, u.lastTs].map((ms) => (Math.abs(ms) <= 8.64e15 ? monthOf(ms) : ''));
  if (!MONTH_RE.test(first) || !MONTH_RE.test(last)) return TIMES_OUTSIDE;
  return { fromMs: monthSpan(first).fromMs, toMs: monthSpan(last).toMs };
}

/** Damaged entries grouped by series, adjacent months joined into one range. */
function lostRanges(damaged: readonly DamagedPartition[]): LostRange[] {
  const bySeries = new Map<string, { key: SeriesKey | null; parts: { span: TimeSpan | string; name: string }[] }>();
  for (const d of damaged) {
    const key = d.entry ? partitionKey(d.entry) : d.unreadable.key;
    const id = key ? seriesId(key) : `unknown series (${d.unreadable!.name})`;
    const group = bySeries.get(id) ?? { key, parts: [] };
    group.parts.push({ span: damagedSpan(d), name: d.entry ? partitionName(d.entry) : d.unreadable!.name });
    bySeries.set(id, group);
  }
  const out: LostRange[] = [];
  for (const [series, { key, parts }] of [...bySeries].sort(([a], [b]) => a.localeCompare(b))) {
    for (const note of [TIMES_UNKNOWN, TIMES_OUTSIDE]) {
      const those = parts.filter((p) => p.span === note);
      if (those.length > 0) out.push({ key, series, span: null, note, partitions: those.map((p) => p.name) });
    }
    const spans = parts.flatMap((p) => (typeof p.span === 'string' ? [] : [{ ...p.span, name: p.name }]));
    for (const span of mergeSpans(spans)) {
      const inside = spans.filter((p) => p.fromMs >= span.fromMs && p.toMs <= span.toMs);
      out.push({ key, series, span, note: null, partitions: inside.map((p) => p.name) });
    }
  }
  return out;
}

/** `<store>/quarantine/2025-06-01T12-00-00.000Z` (a suffix when that exists already). */
function quarantineDirFor(root: string, nowMs: number): string {
  const base = join(root, QUARANTINE_DIR, isoUtc(nowMs).replaceAll(':', '-'));
  let dir = base;
  for (let n = 1; existsSync(dir); n++) dir = `${base}-${n}`;
  return dir;
}

/**
 * Checks the store under its writer lock and takes out what is damaged: the files of damaged
 * entries and orphaned files are moved into `<store>/quarantine/<time>/` (never deleted, beside a
 * repair.json saying why), the entries leave the manifest in one atomic commit, and their spans
 * leave `downloads.json` so that `data download` fetches them again.
 * Order matters for a crash: the download record first (a crash costs a refetch), then the files
 * (a manifest entry without its file is found by the next check), then the manifest.
 */
export async function repairStore(storeDir: string, nowMs: number = Date.now()): Promise<RepairReport> {
  const root = resolve(storeDir);
  mkdirSync(root, { recursive: true });
  const release = acquireLock(join(root, LOCK_FILE));
  try {
    const { report, loaded, damaged, orphans } = await inspectStore(root, { underLock: true });
    const store = root;
    if (report.problems.length === 0) return { check: report, quarantineDir: null, quarantined: [], removedEntries: [], lost: [], txid: loaded.manifest.txid };
    const lost = lostRanges(damaged);
    const coverage = new DownloadCoverage(store);
    for (const range of lost) if (range.key && range.span) coverage.remove(seriesId(range.key), [range.span]);

    const quarantineDir = quarantineDirFor(store, nowMs);
    const files = [...damaged.flatMap((d) => [d.entry ? d.entry.file : d.unreadable.file]), ...orphans].filter((f): f is string => f !== null && existsSync(join(store, f)));
    const quarantined = [...new Set(files)];
    mkdirSync(quarantineDir, { recursive: true });
    writeFileSync(
      join(quarantineDir, 'repair.json'),
      `${JSON.stringify({ repairedAt: isoUtc(nowMs), problems: report.problems, removedEntries: damaged.map((d) => d.entry ?? d.unreadable.raw), files: quarantined }, null, 1)}\n`,
    );
    for (const file of quarantined) {
      const target = join(quarantineDir, file);
      mkdirSync(dirname(target), { recursive: true });
      renameSync(join(store, file), target);
    }

    let txid = loaded.manifest.txid;
    const removedEntries = damaged.map((d) => (d.entry ? partitionName(d.entry) : d.unreadable.name));
    if (damaged.length > 0) {
      const drop = new Set(damaged.flatMap((d) => (d.entry ? [d.entry] : [])));
      // Unreadable entries are not in manifest.partitions: writing it back without them removes them.
      const manifest: Manifest = { ...loaded.manifest, txid: txid + 1, partitions: loaded.manifest.partitions.filter((p) => !drop.has(p)) };
      writeFileAtomic(join(store, MANIFEST_FILE), `${JSON.stringify(manifest, null, 1)}\n`);
      txid = manifest.txid;
    }
    return { check: report, quarantineDir, quarantined, removedEntries, lost, txid };
  } finally {
    release();
  }
}
