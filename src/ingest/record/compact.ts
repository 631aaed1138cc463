import type { EpochMs } from '../../core/time.ts';
import type { Rejection } from '../../data/import/types.ts';
import { validateSeries } from '../../data/import/validateSeries.ts';
import type { MarketStore } from '../../data/store/marketStore.ts';
import type { RecordingJournal } from './journal.ts';
import { journalSeries } from './journalSeries.ts';

export interface CompactionResult {
  /** Journal records read (ids up to `upToId`). */
  records: number;
  upToId: number;
  /** Rows new to the store, per series id. */
  added: Record<string, number>;
  /** Rows the store held already with the same values (a repeated compaction after a crash). */
  unchanged: number;
  duplicates: number;
  superseded: number;
  /** Rows the store did not take: failed validation, or a different row stored at the same ts (stored row kept). */
  rejected: Rejection[];
  /** The store's transaction id after the commit. */
  txid: number | null;
}

/**
 * Moves every committed journal record into the Parquet store in one store transaction, then
 * deletes those records from the journal. The deletion comes only after the store's commit: a
 * crash in between leaves records that the next compaction writes again, which the store counts
 * as unchanged. Throws (journal untouched) when the store is locked by another writer or the
 * write fails. Records are validated like an import (plausibility bounds included), with event
 * times judged by the local clock `nowMs`.
 */
export async function compactJournal(journal: RecordingJournal, store: MarketStore, venue: string, nowMs: EpochMs = Date.now()): Promise<CompactionResult> {
  journal.flush();
  const upToId = journal.lastId();
  const result: CompactionResult = { records: 0, upToId, added: {}, unchanged: 0, duplicates: 0, superseded: 0, rejected: [], txid: null };
  const records = journal.read(upToId);
  result.records = records.length;
  if (records.length === 0) return result;
  const transaction = store.begin();
  try {
    for (const series of journalSeries(venue, records, journal.path)) {
      result.duplicates += series.duplicates;
      result.superseded += series.superseded;
      const { data, rejections } = validateSeries(series.data, { nowMs });
      result.rejected.push(...rejections);
      if (data.rows === 0) continue;
      const written = await transaction.write(data);
      if (written.added > 0) result.added[written.id] = (result.added[written.id] ?? 0) + written.added;
      result.unchanged += written.unchanged;
      result.rejected.push(...written.conflicts);
    }
    result.txid = transaction.commit();
  } catch (error) {
    transaction.rollback();
    throw error;
  }
  journal.deleteUpTo(upToId);
  return result;
}
