import { execFileSync } from 'node:child_process';
import type { GitState } from './runsDb.ts';

function git(cwd: string, args: string[]): string | null {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 }).trim();
  } catch {
    return null;
  }
}

/** The commit checked out in `cwd` and whether tracked files differ from it; null when `cwd` is not a git checkout (or git is missing). */
export function gitState(cwd: string): GitState | null {
  const commit = git(cwd, ['rev-parse', '--verify', 'HEAD']);
  if (commit === null || !/^[0-9a-f]{40,64}$/.test(commit)) return null;
  const status = git(cwd, ['status', '--porcelain', '--untracked-files=no']);
  return { commit, dirty: status !== null && status.length > 0 };
}
