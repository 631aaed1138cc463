import fc from 'fast-check';

/**
 * Run counts and the seed of the fuzz properties. Inside `npm test` every property runs its own
 * small, fixed number of cases from one fixed seed, so the suite is deterministic and quick;
 * `npm run fuzz -- --runs N [--seed S]` (scripts/fuzz.mjs) sets FUZZ_RUNS and FUZZ_SEED to run
 * the same properties longer.
 */
export const DEFAULT_SEED = 20_240_603;

export function fuzzRuns(defaultRuns: number): number {
  const runs = Number(process.env.FUZZ_RUNS);
  return Number.isSafeInteger(runs) && runs > 0 ? runs : defaultRuns;
}

export function fuzzSeed(): number {
  const seed = Number(process.env.FUZZ_SEED);
  return Number.isSafeInteger(seed) ? seed : DEFAULT_SEED;
}

/** Longer than any property's run of cases: fast-check, not vitest, decides when a property is done (long runs: a day). */
export const PROPERTY_TIMEOUT_MS = process.env.FUZZ_RUNS ? 86_400_000 : 600_000;

/**
 * Checks a property with the fuzz seed and run count. On failure the error carries everything
 * needed to see and replay the case: fast-check's report (seed, path, the shrunk counterexample,
 * printed through the values' own toString, e.g. a hex excerpt of mutated bytes), the error the
 * shrunk case raised, and the command that reruns it.
 */
export async function checkProperty<Ts extends [unknown, ...unknown[]]>(
  property: fc.IAsyncPropertyWithHooks<Ts> | fc.IPropertyWithHooks<Ts>,
  defaultRuns: number,
): Promise<void> {
  const numRuns = fuzzRuns(defaultRuns);
  const seed = fuzzSeed();
  const details = await fc.check(property as fc.IAsyncPropertyWithHooks<Ts>, { numRuns, seed });
  if (!details.failed) return;
  const cause = details.errorInstance;
  const error = cause instanceof Error ? `${cause.constructor.name}: ${cause.message}` : String(cause);
  throw new Error(
    [
      fc.defaultReportMessage(details),
      `The shrunk case failed with: ${error}`,
      `Replay: FUZZ_SEED=${seed} FUZZ_RUNS=${numRuns} npx vitest run <this file>  (or npm run fuzz -- --seed ${seed} --runs ${numRuns})`,
    ].join('\n'),
  );
}

/** The clock imports are judged by (event times at most a day after it): fixed, so runs repeat. */
export const FUZZ_NOW_MS = Date.UTC(2026, 0, 1);
