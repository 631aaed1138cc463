import { InputError } from '../../core/errors.ts';
import { escapeForTerminal } from '../../core/terminal.ts';

/** A value from a venue answer as an error shows it: one line (control characters escaped), at most 60 characters. */
export function shownValue(value: unknown): string {
  const text = escapeForTerminal(String(value));
  return text.length > 60 ? `${text.slice(0, 60)}...` : text;
}

/** A number from a venue answer, checked once at the boundary: a missing or non-finite value is an error naming venue and method. */
export function requireFinite(value: unknown, venue: string, method: string, field: string): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  throw new InputError({ source: `${venue} ${method}` }, `${field} is ${value === undefined ? 'missing' : `not a finite number (${shownValue(value)})`}`);
}

/** Throws an InputError naming venue and method (the source) when a plausibility check found a problem. */
export function requirePlausible(problem: string | null, source: string, subject: string): void {
  if (problem !== null) throw new InputError({ source }, subject === '' ? problem : `${subject} ${problem}`);
}

export function finiteOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

export function positiveOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : null;
}

/** The answer's market symbol: a name without control characters (it names series and store partitions, and is printed). */
export function requireSymbol(symbol: string | undefined, venue: string, method: string): string {
  if (typeof symbol === 'string' && symbol !== '' && escapeForTerminal(symbol) === symbol) return symbol;
  const why = typeof symbol === 'string' && symbol !== '' ? `names the symbol '${shownValue(symbol)}', which holds control characters` : 'names no symbol';
  throw new InputError({ source: `${venue} ${method}` }, `the answer ${why}`);
}
