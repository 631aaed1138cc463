import type { z } from 'zod';
import { ConfigError } from '../../core/errors.ts';
import { escapeForTerminal } from '../../core/terminal.ts';

/**
 * The one formatter of config validation problems: every config schema's issues become lines such as
 *   base.data.days: must be a number in [0.000694444, 3650] days (got 1e9)
 *   unknown key 'venues.0.halfSpread'
 * Paths are dotted, with list indexes as numbers (the syntax of sweep grid paths, so a path can be
 * copied into a grid); a key that is not a plain name is quoted: balances["US DT"].
 */

type Issue = z.core.$ZodIssue;
type Key = PropertyKey;

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_]*$|^\d+$/;

/** A key as it appears in a path: plain names and indexes as they are, anything else quoted (control characters escaped). */
export function formatPathKey(key: Key): string {
  const text = typeof key === 'symbol' ? key.toString() : String(key);
  return PLAIN_KEY.test(text) ? text : `[${JSON.stringify(text)}]`;
}

/** `prefix` then the path: 'base' + ['data', 'days'] -> 'base.data.days'. */
export function formatConfigPath(path: readonly Key[], prefix = ''): string {
  let out = prefix;
  for (const key of path) {
    const part = formatPathKey(key);
    out = out === '' ? part.replace(/^\[(.*)\]$/, '$1') : part.startsWith('[') ? `${out}${part}` : `${out}.${part}`;
  }
  return out;
}

/** A short rendering of a bad value (numbers, strings, booleans, null), or null for anything bigger. */
function shownInput(input: unknown): string | null {
  if (typeof input === 'number') return Number.isInteger(input) && Math.abs(input) >= 1e7 ? input.toExponential().replace('e+', 'e') : String(input);
  if (typeof input === 'string') return JSON.stringify(input.length > 40 ? `${input.slice(0, 40)}...` : input);
  if (typeof input === 'boolean' || input === null) return String(input);
  return null;
}

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
/** Control characters (terminal escapes) from a config value, escaped: a message never changes the terminal. */
const escapeControl = (text: string) => text.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** One problem as one line, its path after `pathPrefix` (e.g. 'base' or 'grid["data.days"][1]'). */
export function formatConfigIssue(issue: Issue, pathPrefix = ''): string {
  return escapeControl(issueLine(issue, pathPrefix));
}

function issueLine(issue: Issue, pathPrefix: string): string {
  if (issue.code === 'unrecognized_keys') {
    const names = issue.keys.map((k) => `'${formatConfigPath([...issue.path, k], pathPrefix)}'`);
    return `unknown key${names.length > 1 ? 's' : ''} ${names.join(', ')}`;
  }
  const where = formatConfigPath(issue.path, pathPrefix) || '(the config)';
  if (issue.code === 'invalid_key') {
    const reason = issue.issues.map((i) => i.message).join('; ');
    return `${where}: bad key: ${reason}`;
  }
  const got = 'input' in issue && issue.code !== 'invalid_union' ? shownInput(issue.input) : null;
  return `${where}: ${issue.message}${got !== null && issue.input !== undefined ? ` (got ${got})` : ''}`;
}

/**
 * Parses `value` with `schema`; on failure throws a ConfigError (exit 2) that names `source` and
 * every problem with its path after `pathPrefix`.
 */
export function parseConfig<S extends z.ZodType>(schema: S, value: unknown, source: string, pathPrefix = ''): z.output<S> {
  const parsed = schema.safeParse(value, { reportInput: true });
  if (parsed.success) return parsed.data;
  throw new ConfigError(source, parsed.error.issues.map((issue) => formatConfigIssue(issue, pathPrefix)));
}

/** JSON.parse's message quotes the text around the fault, line breaks and all: one line, control characters escaped. */
export function oneLineJsonError(error: unknown): string {
  return escapeForTerminal((error as Error).message);
}
