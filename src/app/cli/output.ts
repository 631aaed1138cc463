import { InputError, UsageError } from '../../core/errors.ts';

export interface CommonOptions {
  store?: string;
  json?: boolean;
}

/** With --json: exactly one JSON object on stdout and nothing else there; messages go to stderr. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function printLine(text = ''): void {
  process.stdout.write(`${text}\n`);
}

export function printError(text: string): void {
  process.stderr.write(`${text}\n`);
}

/** Formats a table of strings with aligned columns. */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, k) => Math.max(h.length, ...rows.map((r) => r[k].length)));
  const line = (cells: string[]) => cells.map((c, k) => c.padEnd(widths[k])).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export const formatCount = (n: number) => n.toLocaleString('en-US');

/** Runs a command action; known errors print one clear line (as JSON with --json) and exit 1. */
export function runAction<A extends unknown[]>(action: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await action(...args);
    } catch (error) {
      const known = error instanceof UsageError || error instanceof InputError || (error instanceof Error && !process.env.PERP_ARB_DEBUG);
      const message = error instanceof Error ? error.message : String(error);
      const options = args.find((a): a is CommonOptions => typeof a === 'object' && a !== null && 'json' in a);
      if (options?.json) printJson({ error: message });
      else printError(`error: ${message}`);
      if (!known) printError((error as Error).stack ?? '');
      process.exitCode = 1;
    }
  };
}
