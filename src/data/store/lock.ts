import { openSync, closeSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { isProcessAlive } from '../../core/process.ts';

/** An exclusive writer lock: a file holding the writer's pid; a lock left by a dead process is taken over. */
export function acquireLock(path: string, what = 'the store'): () => void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(path, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(readFileSync(path, 'utf8'));
      if (Number.isInteger(holder) && holder > 0 && isProcessAlive(holder)) {
        throw new Error(`${what} is in use by process ${holder} (lock file ${path}); wait for it to finish`);
      }
      rmSync(path, { force: true });
    }
  }
  throw new Error(`could not take the store lock ${path}`);
}

/** The pid of the live process holding the lock, or null when the lock is free or its holder is gone. */
export function lockHolder(path: string): number | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return null;
  }
  const holder = Number(text);
  return Number.isInteger(holder) && holder > 0 && isProcessAlive(holder) ? holder : null;
}
