import { z } from 'zod';
import { readConfigFile } from '../../domain/config/configFile.ts';
import { parseConfig } from '../../domain/config/issue.ts';
import { numberIn } from '../../domain/config/range.ts';
import { RANGES } from '../../domain/config/ranges.ts';
import { withCrossChecks } from '../../domain/config/crossChecks.ts';
import { BacktestConfigFields, instrumentProblems } from '../backtestConfig.ts';

/**
 * A paper or live session (`perp-arb run --config FILE`): a backtest config (strategy, instruments,
 * venues with their simulated balances, and `data`, the market a replay plays) plus what only a
 * session has.
 */
export const RunConfigSchema = withCrossChecks(
  BacktestConfigFields.extend({
  /** Real orders need this AND --confirm-live on the command line (not asked against a loopback --exchange-url). */
  live: z.strictObject({ enabled: z.boolean().default(false) }).default({ enabled: false }),
  execution: z
    .strictObject({
      /** What to do with a lone leg: complete the pair or unwind the leg. */
      onLegFailure: z.enum(['complete', 'unwind']).default('unwind'),
      /** How long a pair's legs may take before the policy acts. */
      legTimeoutMs: numberIn(RANGES.legTimeoutMs).default(30_000),
    })
    .default({ onLegFailure: 'unwind', legTimeoutMs: 30_000 }),
  /** How often the ledger is compared with the venues in testnet and live modes. */
  reconcileEveryMs: numberIn(RANGES.reconcileEveryMs).default(60_000),
  }),
  instrumentProblems,
);

export type RunConfig = z.output<typeof RunConfigSchema>;

export function parseRunConfig(value: unknown, where = 'config'): RunConfig {
  return parseConfig(RunConfigSchema, value, where);
}

export function loadRunConfig(file: string): RunConfig {
  return parseRunConfig(readConfigFile(file), file);
}
