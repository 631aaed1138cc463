import { InputError, UsageError } from '../../../src/core/errors.ts';
import { VenueError } from '../../../src/venues/types.ts';

/** How one call on fuzzed input ended, in a form that crosses a process boundary. */
export type CallOutcome =
  | { ended: 'result'; summary: Record<string, number | boolean> }
  | { ended: 'error'; errorClass: string; projectError: boolean; message: string; stack: string };

/**
 * The project's own errors: an InputError names the file and line (or venue and channel), a
 * UsageError (ConfigError among them) the option or config path, a VenueError the venue and method.
 * Anything else (TypeError, RangeError, a library's error) is a crash on bad input.
 */
export function isProjectError(error: unknown): error is InputError | UsageError | VenueError {
  return error instanceof InputError || error instanceof UsageError || error instanceof VenueError;
}

export function errorOutcome(error: unknown): CallOutcome {
  const e = error instanceof Error ? error : new Error(`non-Error thrown: ${String(error)}`);
  return { ended: 'error', errorClass: e.constructor?.name ?? typeof error, projectError: isProjectError(error), message: e.message, stack: e.stack ?? '' };
}

/**
 * Why an outcome breaks the fuzz contract, or null when it keeps it: a result, or a project error
 * in one line that names `mustName` (the file, or venue and method) when given.
 */
export function contractBreach(outcome: CallOutcome, mustName?: string): string | null {
  if (outcome.ended === 'result') return null;
  if (outcome.errorClass === 'hang' || outcome.errorClass === 'crash') return `${outcome.errorClass}: ${outcome.message}`;
  if (!outcome.projectError) return `crashed with ${outcome.errorClass}: ${outcome.message}\n${outcome.stack}`;
  if (outcome.message.includes('\n')) return `${outcome.errorClass} message is not one line: ${JSON.stringify(outcome.message)}`;
  if (mustName !== undefined && !outcome.message.includes(mustName)) return `${outcome.errorClass} does not name ${mustName}: ${outcome.message}`;
  return null;
}

/** Runs `call` and says how it ended. */
export async function outcomeOf(call: () => unknown): Promise<CallOutcome> {
  try {
    const value = await call();
    return { ended: 'result', summary: { returned: value !== undefined } };
  } catch (error) {
    return errorOutcome(error);
  }
}

/** Throws (failing the property) when the outcome breaks the contract. */
export function expectContract(outcome: CallOutcome, mustName?: string): void {
  const breach = contractBreach(outcome, mustName);
  if (breach !== null) throw new Error(breach);
}
