import { expectContract, outcomeOf } from './outcome.ts';
import { expectNoPollution } from './prototypes.ts';
import type { Tally } from './tally.ts';

/**
 * The contract of a ccxt mapper on an odd payload: it throws a one-line project error naming
 * `mustName` (venue and method), or returns a value `problem` finds nothing wrong with.
 */
export async function expectMapped<T>(tally: Tally, call: () => T | Promise<T>, problem: (value: T) => string | null, mustName?: string): Promise<void> {
  let value: T | undefined;
  const outcome = await outcomeOf(async () => (value = await call()));
  tally.add(outcome);
  expectContract(outcome, mustName);
  expectNoPollution();
  if (outcome.ended === 'result') {
    const found = problem(value as T);
    if (found !== null) throw new Error(`returned a value that breaks the bounds: ${found}: ${JSON.stringify(value)}`);
  }
}
