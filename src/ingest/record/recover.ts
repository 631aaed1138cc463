import { isProcessAlive } from '../../core/process.ts';
import type { MarketStore } from '../../data/store/marketStore.ts';
import { compactJournal, type CompactionResult } from './compact.ts';
import { RecordingJournal } from './journal.ts';
import { journalSessions, SessionLog, sessionPaths } from './sessionFiles.ts';

export interface RecoveredSession {
  session: string;
  journal: string;
  /** What the compaction wrote; null when the journal was skipped or failed. */
  result: CompactionResult | null;
  /** Why the journal is still there: its recorder is running, or the compaction failed. */
  skipped: string | null;
}

/**
 * Moves every journal left by a recorder that is no longer running (killed, crashed, machine
 * restarted) into the store, then deletes it; journals of running recorders are left alone. Each
 * journal is deleted only after the store committed its records; one that cannot be compacted
 * (store locked, unreadable file) stays, and is reported with the reason.
 */
export async function recoverJournals(store: MarketStore, isAlive: (pid: number) => boolean = isProcessAlive): Promise<RecoveredSession[]> {
  const out: RecoveredSession[] = [];
  for (const session of journalSessions(store.root)) {
    const paths = sessionPaths(store.root, session);
    let journal: RecordingJournal;
    try {
      journal = RecordingJournal.open(paths.journal);
    } catch (error) {
      out.push({ session, journal: paths.journal, result: null, skipped: (error as Error).message });
      continue;
    }
    try {
      const meta = journal.meta();
      if (meta.pid !== process.pid && isAlive(meta.pid)) {
        out.push({ session, journal: paths.journal, result: null, skipped: `recorder process ${meta.pid} is still running` });
        journal.close();
        continue;
      }
      const result = await compactJournal(journal, store, meta.venue);
      const log = new SessionLog(paths.log);
      for (const rejection of result.rejected) log.write({ at: Date.now(), type: 'rejected', ...rejection });
      log.write({ at: Date.now(), type: 'recovered', records: result.records, added: result.added, unchanged: result.unchanged, rejected: result.rejected.length });
      journal.destroy();
      out.push({ session, journal: paths.journal, result, skipped: null });
    } catch (error) {
      journal.close();
      out.push({ session, journal: paths.journal, result: null, skipped: (error as Error).message });
    }
  }
  return out;
}
