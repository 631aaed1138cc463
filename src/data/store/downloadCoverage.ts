import { formatConfigIssue } from '../../domain/config/issue.ts';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { acquireLock } from './lock.ts';
import { writeFileAtomic } from './atomicWrite.ts';

/** A half-open time span [fromMs, toMs), integer ms UTC. */
export interface TimeSpan {
  fromMs: number;
  toMs: number;
}

/** The file, in the store directory, recording which spans of which series have been downloaded. */
export const DOWNLOADS_FILE = 'downloads.json';
const DOWNLOADS_LOCK = '.downloads.lock';

const fileSchema = z.strictObject({
  version: z.literal(1),
  /** seriesId -> downloaded spans as [fromMs, toMs) pairs, sorted and merged. */
  series: z.record(z.string(), z.array(z.tuple([z.number().int(), z.number().int()]))),
});
type CoverageFile = z.infer<typeof fileSchema>;

/** Sorted, with overlapping or touching spans joined; empty spans dropped. */
export function mergeSpans(spans: readonly TimeSpan[]): TimeSpan[] {
  const sorted = spans.filter((s) => s.toMs > s.fromMs).sort((a, b) => a.fromMs - b.fromMs);
  const out: TimeSpan[] = [];
  for (const s of sorted) {
    const last = out.at(-1);
    if (last && s.fromMs <= last.toMs) last.toMs = Math.max(last.toMs, s.toMs);
    else out.push({ ...s });
  }
  return out;
}

/** The parts of `span` that none of `covered` contains, in time order. */
export function subtractSpans(span: TimeSpan, covered: readonly TimeSpan[]): TimeSpan[] {
  const out: TimeSpan[] = [];
  let cursor = span.fromMs;
  for (const c of mergeSpans(covered)) {
    if (c.toMs <= cursor) continue;
    if (c.fromMs >= span.toMs) break;
    if (c.fromMs > cursor) out.push({ fromMs: cursor, toMs: c.fromMs });
    cursor = Math.max(cursor, c.toMs);
  }
  if (cursor < span.toMs) out.push({ fromMs: cursor, toMs: span.toMs });
  return out;
}

/** The parts of `span` that `covered` contains, merged. */
export function intersectSpans(span: TimeSpan, covered: readonly TimeSpan[]): TimeSpan[] {
  return mergeSpans(covered.map((c) => ({ fromMs: Math.max(c.fromMs, span.fromMs), toMs: Math.min(c.toMs, span.toMs) })));
}

/**
 * Which spans of each series were downloaded completely (every row the venue had is stored), kept in
 * `<store>/downloads.json`. This is what lets a download skip spans where the venue simply has no
 * data (before a listing, an outage) instead of asking for them again on every run. A span is
 * recorded only after the rows fetched for it are committed to the store, so a crash between the
 * two costs a refetch, never a hole. Writes are atomic (temp file, fsync, rename) under a lock.
 */
export class DownloadCoverage {
  readonly path: string;
  private readonly lockPath: string;

  constructor(storeRoot: string) {
    this.path = join(storeRoot, DOWNLOADS_FILE);
    this.lockPath = join(storeRoot, DOWNLOADS_LOCK);
  }

  private read(): CoverageFile {
    if (!existsSync(this.path)) return { version: 1, series: {} };
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(this.path, 'utf8'));
    } catch (error) {
      throw new Error(`${this.path}: not valid JSON (${(error as Error).message}); delete it to download everything again`);
    }
    const result = fileSchema.safeParse(parsed);
    if (!result.success) {
      throw new Error(`${this.path}: not a perp-arb download record: ${formatConfigIssue(result.error.issues[0])}`);
    }
    return result.data;
  }

  /** The downloaded spans of one series, merged and in time order. */
  spans(seriesId: string): TimeSpan[] {
    return mergeSpans((this.read().series[seriesId] ?? []).map(([fromMs, toMs]) => ({ fromMs, toMs })));
  }

  /** Records spans of a series as downloaded (call after their rows are committed). */
  add(seriesId: string, spans: readonly TimeSpan[]): void {
    if (spans.every((s) => s.toMs <= s.fromMs)) return;
    this.update(seriesId, (recorded) => mergeSpans([...recorded, ...spans]));
  }

  /**
   * Forgets spans of a series (their rows were quarantined by `data check --repair`), so the next
   * download fetches them again. Does nothing when the record has no such span.
   */
  remove(seriesId: string, spans: readonly TimeSpan[]): void {
    if (!existsSync(this.path) || spans.every((s) => s.toMs <= s.fromMs)) return;
    this.update(seriesId, (recorded) => spans.reduce((left, span) => left.flatMap((r) => subtractSpans(r, [span])), recorded));
  }

  private update(seriesId: string, change: (recorded: TimeSpan[]) => TimeSpan[]): void {
    mkdirSync(dirname(this.path), { recursive: true });
    const release = acquireLock(this.lockPath);
    try {
      const file = this.read();
      const recorded = mergeSpans((file.series[seriesId] ?? []).map(([fromMs, toMs]) => ({ fromMs, toMs })));
      const changed = mergeSpans(change(recorded));
      if (JSON.stringify(changed) === JSON.stringify(recorded)) return;
      if (changed.length === 0) delete file.series[seriesId];
      else file.series[seriesId] = changed.map((s) => [s.fromMs, s.toMs]);
      const sorted: CoverageFile = { version: 1, series: Object.fromEntries(Object.entries(file.series).sort(([a], [b]) => a.localeCompare(b))) };
      writeFileAtomic(this.path, `${JSON.stringify(sorted, null, 1)}\n`);
    } finally {
      release();
    }
  }
}
