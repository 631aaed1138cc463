import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { SeriesKey } from '../../domain/series.ts';
import type { PartitionEntry, UnreadablePartition } from './manifest.ts';
import { partitionKey, partitionName } from './partitionNames.ts';
import { readPartitionFile } from './partitionIO.ts';
import { StorePartitionError } from './storeErrors.ts';

/** DuckDB's message about one file, in one line, with the store-relative path instead of the absolute one. */
export function duckReason(error: unknown, root: string, entry: PartitionEntry): string {
  const message = error instanceof Error ? error.message : String(error);
  // DuckDB appends the query with a caret ('LINE 1: SELECT ...'): only the first line says what is wrong.
  const first = message.split('\n').find((line) => line.trim() !== '') ?? message;
  return first.replaceAll(join(root, entry.file), entry.file).replace(/\s+/g, ' ').trim();
}

/** Why one partition's file cannot be read, or null when it reads. */
export async function partitionFileProblem(root: string, entry: PartitionEntry): Promise<string | null> {
  const path = join(root, entry.file);
  if (!existsSync(path)) return 'is missing its file';
  try {
    await readPartitionFile(partitionKey(entry), path);
    return null;
  } catch (error) {
    return `cannot be read (${duckReason(error, root, entry)})`;
  }
}

/**
 * Runs a read over the files of some partitions. When it fails, the partition to blame is found
 * (a missing file, the file DuckDB names, else the first file that fails on its own) and named in a
 * StorePartitionError with the repair command, instead of DuckDB's text.
 */
export async function guardedRead<T>(root: string, entries: readonly PartitionEntry[], read: (paths: string[]) => Promise<T>): Promise<T> {
  try {
    return await read(entries.map((p) => join(root, p.file)));
  } catch (error) {
    const missing = entries.find((p) => !existsSync(join(root, p.file)));
    if (missing) throw new StorePartitionError(root, partitionName(missing), missing.file, 'is missing its file');
    const named = entries.find((p) => error instanceof Error && error.message.includes(join(root, p.file)));
    if (named) throw new StorePartitionError(root, partitionName(named), named.file, `cannot be read (${duckReason(error, root, named)})`);
    for (const entry of entries) {
      const problem = await partitionFileProblem(root, entry);
      if (problem) throw new StorePartitionError(root, partitionName(entry), entry.file, problem);
    }
    throw error;
  }
}

/** Fails with the name of a series' manifest entry that cannot be read, when one may hold rows in the range [fromMs, toMs). */
export function requireNoUnreadable(
  root: string,
  key: SeriesKey,
  range: { fromMs?: number; toMs?: number },
  unreadable: readonly UnreadablePartition[],
): void {
  for (const u of unreadable) {
    if (!u.key || u.key.table !== key.table || u.key.venue !== key.venue || u.key.symbol !== key.symbol || u.key.timeframe !== key.timeframe) continue;
    const outside = (range.fromMs !== undefined && u.lastTs !== null && u.lastTs < range.fromMs) || (range.toMs !== undefined && u.firstTs !== null && u.firstTs >= range.toMs);
    if (!outside) throw new StorePartitionError(root, u.name, u.file, `cannot be read from the manifest (${u.reason})`);
  }
}
