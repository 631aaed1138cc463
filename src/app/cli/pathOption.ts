import { UsageError } from '../../core/errors.ts';

/** Linux limits: bytes in one name (NAME_MAX) and in a whole path (PATH_MAX, with its NUL). */
export const NAME_MAX_BYTES = 255;
export const PATH_MAX_BYTES = 4095;

const shortened = (path: string) => (path.length > 60 ? `${path.slice(0, 40)}...${path.slice(-16)}` : path);

/**
 * Refuses a path the file system would refuse with ENAMETOOLONG, naming the option it came from,
 * before any work starts. undefined passes (the option was not given).
 */
export function checkPathOption(option: string, path: string | undefined): void {
  if (path === undefined) return;
  if (path === '') throw new UsageError(`${option}: the path is empty`);
  if (path.includes('\0')) throw new UsageError(`${option}: the path '${shortened(path)}' holds a NUL byte`);
  const total = Buffer.byteLength(path);
  if (total > PATH_MAX_BYTES) {
    throw new UsageError(`${option}: the path '${shortened(path)}' is too long (${total} bytes; at most ${PATH_MAX_BYTES})`);
  }
  const longest = path.split('/').reduce((best, name) => (Buffer.byteLength(name) > Buffer.byteLength(best) ? name : best), '');
  const longestBytes = Buffer.byteLength(longest);
  if (longestBytes > NAME_MAX_BYTES) {
    throw new UsageError(`${option}: a name in the path '${shortened(path)}' is too long (${longestBytes} bytes; at most ${NAME_MAX_BYTES} per file or directory name)`);
  }
}

/** checkPathOption for each option name and its value (undefined: not given). */
export function checkPathOptions(paths: Record<string, string | undefined>): void {
  for (const [option, path] of Object.entries(paths)) checkPathOption(option, path);
}
