import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** $PERP_ARB_RUNS_DB set to this records no run (tests; a machine that wants no history). */
export const RUNS_DB_OFF = 'off';

/**
 * Where runs are recorded: `--runs-db FILE`, else $PERP_ARB_RUNS_DB, else ~/.perp-arb/runs.sqlite
 * (beside the default store). Null: recording is off (`--no-runs-db`, or $PERP_ARB_RUNS_DB=off).
 */
export function runsDbPath(option: string | false | undefined, env: NodeJS.ProcessEnv): string | null {
  if (option === false) return null;
  if (option !== undefined) return resolve(option);
  const fromEnv = env.PERP_ARB_RUNS_DB;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv === RUNS_DB_OFF ? null : resolve(fromEnv);
  return join(homedir(), '.perp-arb', 'runs.sqlite');
}
