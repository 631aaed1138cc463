import Table from 'cli-table3';
import { UsageError } from '../../core/errors.ts';
import { escapeForTerminal, escapeLinesForTerminal } from '../../core/terminal.ts';
import { cliIo, setExitCode } from './cliIo.ts';

export interface CommonOptions {
  store?: string;
  json?: boolean;
}

/** With --json: exactly one JSON object on stdout and nothing else there; messages go to stderr. */
export function printJson(value: unknown): void {
  cliIo().stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function printLine(text = ''): void {
  cliIo().stdout.write(`${text}\n`);
}

/** Messages often quote outside text (file names, symbols, payloads): control characters are shown escaped. */
export function printError(text: string): void {
  cliIo().stderr.write(`${escapeLinesForTerminal(text)}\n`);
}

/** No borders: columns two spaces apart, a dashed rule under the header (easy to read, grep and diff). */
const PLAIN_CHARS = {
  top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
  left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: '  ',
};

/** Formats a table of strings with aligned columns (cli-table3); numbers right-aligned where `align` says so. */
export function formatTable(header: string[], rows: string[][], align: readonly ('left' | 'right')[] = []): string {
  const widths = header.map((h, k) => Math.max(h.length, ...rows.map((r) => r[k].length)));
  const table = new Table({ chars: PLAIN_CHARS, style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0, compact: true }, colAligns: header.map((_, k) => align[k] ?? 'left') });
  table.push(header, widths.map((w) => '-'.repeat(w)), ...rows);
  return table
    .toString()
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n');
}

export const formatCount = (n: number) => n.toLocaleString('en-US');

/** Exit codes: 0 done, 1 the work failed, 2 bad usage or configuration, 130 interrupted. */
export const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const;

/** An error's message as one line (a library's multi-line text joined with ' | '). */
export function oneLine(message: string): string {
  return message
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0)
    .join(' | ');
}

/**
 * Runs a command action. An error prints one line (as `{ "error": ... }` with --json) and sets the
 * exit code: 2 for a UsageError (bad usage or config), 1 for anything else; the stack only with --debug.
 */
export function runAction<A extends unknown[]>(action: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await action(...args);
    } catch (error) {
      const message = escapeForTerminal(oneLine(error instanceof Error ? error.message : String(error)));
      const options = args.find((a): a is CommonOptions => typeof a === 'object' && a !== null && 'json' in a);
      if (options?.json) printJson({ error: message });
      else printError(`error: ${message}`);
      if (cliIo().debug && error instanceof Error && error.stack) printError(error.stack);
      setExitCode(error instanceof UsageError ? EXIT.usage : EXIT.failed);
    }
  };
}
