import { appendFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { JOURNAL_SUFFIX } from './journal.ts';
import type { SessionLogEntry } from './recordTypes.ts';

/** Recording sessions keep their files in `<store>/recording/`: `<session>.journal` (SQLite, until compacted) and `<session>.log`. */
export const RECORDING_DIR = 'recording';
export const LOG_SUFFIX = '.log';

export function recordingDir(storeRoot: string): string {
  return join(storeRoot, RECORDING_DIR);
}

export function sessionPaths(storeRoot: string, session: string): { journal: string; log: string } {
  const dir = recordingDir(storeRoot);
  return { journal: join(dir, `${session}${JOURNAL_SUFFIX}`), log: join(dir, `${session}${LOG_SUFFIX}`) };
}

/** `okx-20240603T000000Z-12345`: venue, start time (UTC) and process id. */
export function newSessionId(venue: string, startedAtMs: number, pid: number): string {
  const stamp = new Date(startedAtMs).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  return `${venue.replace(/[^A-Za-z0-9_]/g, '_')}-${stamp}-${pid}`;
}

/** Sessions with a journal file in the store (compacted sessions have only a log). */
export function journalSessions(storeRoot: string): string[] {
  const dir = recordingDir(storeRoot);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith(JOURNAL_SUFFIX))
    .map((name) => name.slice(0, -JOURNAL_SUFFIX.length))
    .sort();
}

/** A session's log: one JSON object per line, appended as things happen (health events, compactions, stop). */
export class SessionLog {
  readonly path: string;

  constructor(path: string) {
    this.path = path;
    mkdirSync(join(path, '..'), { recursive: true });
  }

  write(entry: SessionLogEntry): void {
    appendFileSync(this.path, `${JSON.stringify(entry)}\n`);
  }
}
