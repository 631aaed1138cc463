import { lstatSync, readlinkSync, realpathSync, statSync, writeFileSync, type Stats } from 'node:fs';
import { basename, dirname, isAbsolute, relative, resolve } from 'node:path';
import { UsageError } from '../../core/errors.ts';
import { checkPathOption } from './pathOption.ts';

const MAX_SYMLINKS = 40;

/**
 * Where `path` really leads, as the kernel would resolve it when the file is created: symbolic
 * links followed (a dangling one to its target), `..` taken after the link before it (so
 * `link/../x` is beside the link's target, not beside the link). Parts that do not exist yet are
 * kept as written.
 */
export function physicalPath(path: string, links = 0): string {
  try {
    return realpathSync.native(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || links > MAX_SYMLINKS) throw error;
  }
  const parent = dirname(path);
  const name = basename(path);
  const isLink = (() => {
    try {
      return lstatSync(path).isSymbolicLink();
    } catch {
      return false;
    }
  })();
  if (isLink) {
    const target = readlinkSync(path);
    return physicalPath(isAbsolute(target) ? target : `${parent}/${target}`, links + 1);
  }
  if (parent === path) return path;
  const realParent = physicalPath(parent, links);
  if (name === '..') return dirname(realParent);
  if (name === '.' || name === '') return realParent;
  return resolve(realParent, name);
}

const isInside = (dir: string, path: string) => {
  const rel = relative(dir, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
};

/**
 * Checks a --rejects FILE before the import starts: never inside the store (its manifest and
 * partitions, however the path is spelled), never a directory, its directory must exist, and an
 * existing file only with --force. Throws UsageError (exit 2).
 */
export function checkRejectsPath(path: string, storeDir: string, force: boolean): void {
  checkPathOption('--rejects', path);
  // Not path.resolve: it drops `dir/..` before the kernel would follow `dir` if it is a link.
  const absolute = (p: string) => (isAbsolute(p) ? p : `${process.cwd()}/${p}`);
  const target = physicalPath(absolute(path));
  const store = physicalPath(absolute(storeDir));
  if (isInside(store, target)) {
    throw new UsageError(`--rejects: '${path}' is inside the store ${store}; write the rejections to a file outside the store`);
  }
  const existing = statOrUndefined(() => statSync(target)) ?? statOrUndefined(() => lstatSync(path));
  if (existing?.isDirectory()) throw new UsageError(`--rejects: '${path}' is a directory; give a file name`);
  if (existing && !force) throw new UsageError(`--rejects: '${path}' exists; pass --force to overwrite it, or give a new file name`);
  const parent = statOrUndefined(() => statSync(dirname(target)));
  if (!parent?.isDirectory()) throw new UsageError(`--rejects: the directory of '${path}' (${dirname(target)}) does not exist`);
}

function statOrUndefined(stat: () => Stats): Stats | undefined {
  try {
    return stat();
  } catch {
    return undefined;
  }
}

/** Writes the rejections as JSON lines; without --force it never replaces a file that appeared since the check. */
export function writeRejectsFile(path: string, lines: string[], force: boolean): void {
  try {
    writeFileSync(path, lines.length ? `${lines.join('\n')}\n` : '', { flag: force ? 'w' : 'wx' });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'EEXIST' ? 'it was created during the import; pass --force to overwrite it' : (code ?? (error as Error).message);
    throw new Error(`--rejects: cannot write '${path}' (${why}); the import itself was committed`);
  }
}
