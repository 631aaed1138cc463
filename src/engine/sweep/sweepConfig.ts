import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../../core/errors.ts';
import { parseConfig } from '../../domain/config/issue.ts';
import { gridPathSchema } from '../../domain/config/keys.ts';
import { numberIn } from '../../domain/config/range.ts';
import { RANGES, SWEEP_LIMITS } from '../../domain/config/ranges.ts';
import { parseBacktestConfig, type BacktestConfig } from '../backtestConfig.ts';
import { editorSchemaField, readConfigFile } from '../../domain/config/configFile.ts';
import { RANK_METRICS } from './ranking.ts';

/**
 * The sweep file (JSON), validated once here; unknown keys are rejected with the key named.
 *
 * {
 *   "base": { ...a backtest config (src/engine/backtest.ts) } | "path/to/backtest.json" (relative to the sweep file),
 *   "grid": { "strategy.params.minExpectedProfitFraction": [0, 0.0002], "venues.0.halfSpreadBps": [0.5, 1] },
 *   "walkForward": { "trainDays": 10, "testDays": 5, "stepDays": 5, "anchored": false },   (optional)
 *   "rankBy": "sharpe",
 *   "minTrades": 0
 * }
 * Grid keys are dotted paths into the backtest config (a number segment indexes an array); every
 * combination of the listed values (the first key varies slowest) is one backtest config.
 * Limits (SWEEP_LIMITS, src/domain/config/ranges.ts), checked before anything runs: values per path,
 * paths and combinations here; folds and the total simulated days in planSweep (sweepLimits.ts).
 */

const WalkForwardSchema = z.strictObject({
  /** Length of each training window, days. */
  trainDays: numberIn(RANGES.windowDays),
  /** Length of each test window, days (it starts where its training window ends). */
  testDays: numberIn(RANGES.windowDays),
  /** Shift from one fold to the next, days; default testDays (test windows back to back). */
  stepDays: numberIn(RANGES.windowDays).optional(),
  /** true: every training window starts at the start of the data (expanding); false: rolling. */
  anchored: z.boolean().default(false),
});

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const GridSchema = z
  .record(gridPathSchema, z.array(z.unknown()).min(1).max(SWEEP_LIMITS.valuesPerPath))
  .superRefine((grid, ctx) => {
    const paths = Object.keys(grid).length;
    if (paths === 0) ctx.addIssue({ code: 'custom', message: 'give at least one path with a list of values' });
    if (paths > SWEEP_LIMITS.paths) ctx.addIssue({ code: 'custom', message: `at most ${SWEEP_LIMITS.paths} paths (got ${paths})` });
    const combinations = Object.values(grid).reduce((n, values) => n * values.length, 1);
    if (combinations > SWEEP_LIMITS.combinations) {
      const sizes = Object.values(grid).map((values) => values.length).join(' x ');
      ctx.addIssue({ code: 'custom', message: `${sizes} = ${combinations} combinations; at most ${SWEEP_LIMITS.combinations} (split the sweep, or list fewer values)` });
    }
  });

export const SweepConfigSchema = z.strictObject({
  $schema: editorSchemaField,
  base: z.union([z.string().min(1).max(4096), z.custom<Record<string, unknown>>(isObject)], { error: 'must be a backtest config (an object) or the path of one' }),
  grid: GridSchema,
  walkForward: WalkForwardSchema.optional(),
  /** Metric that ranks the combinations (maxDrawdown: lowest first; the others: highest first). */
  rankBy: z.enum(RANK_METRICS).default('sharpe'),
  /** Combinations with fewer round trips are ranked after all others and never chosen. */
  minTrades: numberIn(RANGES.minTrades).default(0),
});

export interface WalkForwardSpec {
  trainDays: number;
  testDays: number;
  stepDays: number;
  anchored: boolean;
}

/** A validated sweep: the base config as written (raw JSON, the grid applies to it) and parsed. */
export interface SweepSpec {
  /** Where the sweep came from (file path or a label). */
  source: string;
  /** Where the base config came from (a path, or `<source>: base`). */
  baseSource: string;
  baseRaw: Record<string, unknown>;
  baseConfig: BacktestConfig;
  /** [path, values] in file order. */
  grid: [string, unknown[]][];
  walkForward: WalkForwardSpec | null;
  rankBy: (typeof RANK_METRICS)[number];
  minTrades: number;
}

/** Validates a sweep object; `where` names it in errors and a string `base` is resolved against `baseDir`. */
export function parseSweepConfig(value: unknown, where: string, baseDir: string): SweepSpec {
  const s = parseConfig(SweepConfigSchema, value, where);
  let baseSource: string;
  let baseRaw: unknown;
  let baseConfig: BacktestConfig;
  if (typeof s.base === 'string') {
    baseSource = resolve(baseDir, s.base);
    baseRaw = readConfigFile(baseSource);
    if (!isObject(baseRaw)) throw new ConfigError(baseSource, ['the base backtest config must be a JSON object']);
    baseConfig = parseBacktestConfig(baseRaw, baseSource);
  } else {
    baseSource = `${where}: base`;
    baseRaw = s.base;
    baseConfig = parseBacktestConfig(baseRaw, where, 'base');
  }
  let walkForward: WalkForwardSpec | null = null;
  if (s.walkForward) {
    const stepDays = s.walkForward.stepDays ?? s.walkForward.testDays;
    // Overlapping test windows would count the same days twice in the joined out-of-sample result.
    if (stepDays < s.walkForward.testDays) throw new ConfigError(where, [`walkForward.stepDays (${stepDays}) must be at least testDays (${s.walkForward.testDays}) so the test windows do not overlap`]);
    walkForward = { ...s.walkForward, stepDays };
  }
  return {
    source: where,
    baseSource,
    baseRaw: baseRaw as Record<string, unknown>,
    baseConfig,
    grid: Object.entries(s.grid),
    walkForward,
    rankBy: s.rankBy,
    minTrades: s.minTrades,
  };
}

export function loadSweepConfig(file: string): SweepSpec {
  return parseSweepConfig(readConfigFile(file), file, dirname(resolve(file)));
}
