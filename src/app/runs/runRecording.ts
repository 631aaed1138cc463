import { RunsDb, type RunEnd, type RunStartRecord } from './runsDb.ts';

/**
 * One run's row in the runs database, for a command: `start` writes it ('running') before the work,
 * `end` once after it. The file is opened for each write and closed again, so a long run holds no
 * lock on it. With recording off (path null) both do nothing.
 */
export class RunRecording {
  readonly path: string | null;
  readonly id: number | null;
  private ended = false;

  private constructor(path: string | null, id: number | null) {
    this.path = path;
    this.id = id;
  }

  static start(path: string | null, start: RunStartRecord): RunRecording {
    if (path === null) return new RunRecording(null, null);
    const db = RunsDb.open(path);
    try {
      return new RunRecording(path, db.begin(start));
    } finally {
      db.close();
    }
  }

  /** Records the end (the first call only). */
  end(end: RunEnd): void {
    if (this.path === null || this.id === null || this.ended) return;
    this.ended = true;
    const db = RunsDb.open(this.path);
    try {
      db.end(this.id, end);
    } finally {
      db.close();
    }
  }
}

/** Runs `work` as the recorded run: finished with what `end` makes of its value, failed with its error. */
export async function recordRun<T>(recording: RunRecording, work: () => Promise<T>, end: (value: T) => Omit<RunEnd, 'status'>): Promise<T> {
  let value: T;
  try {
    value = await work();
  } catch (error) {
    recording.end({ status: 'failed', error: error instanceof Error ? error.message : String(error) });
    throw error;
  }
  recording.end({ status: 'finished', ...end(value) });
  return value;
}
