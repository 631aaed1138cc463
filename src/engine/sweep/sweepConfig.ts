import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { parseBacktestConfig, type BacktestConfig } from '../backtest.ts';
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
 */

const WalkForwardSchema = z.strictObject({
  /** Length of each training window, days. */
  trainDays: z.number().positive(),
  /** Length of each test window, days (it starts where its training window ends). */
  testDays: z.number().positive(),
  /** Shift from one fold to the next, days; default testDays (test windows back to back). */
  stepDays: z.number().positive().optional(),
  /** true: every training window starts at the start of the data (expanding); false: rolling. */
  anchored: z.boolean().default(false),
});

export const SweepConfigSchema = z.strictObject({
  base: z.union([z.string().min(1), z.record(z.string(), z.unknown())]),
  grid: z
    .record(z.string().min(1), z.array(z.unknown()).min(1))
    .refine((grid) => Object.keys(grid).length > 0, 'give at least one path with a list of values'),
  walkForward: WalkForwardSchema.optional(),
  /** Metric that ranks the combinations (maxDrawdown: lowest first; the others: highest first). */
  rankBy: z.enum(RANK_METRICS).default('sharpe'),
  /** Combinations with fewer round trips are ranked after all others and never chosen. */
  minTrades: z.number().int().min(0).default(0),
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

function issues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.length ? i.path.join('.') + ': ' : ''}${i.message}`).join('; ');
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file}: ${(error as Error).message}`);
  }
}

/** Validates a sweep object; `where` names it in errors and a string `base` is resolved against `baseDir`. */
export function parseSweepConfig(value: unknown, where: string, baseDir: string): SweepSpec {
  const parsed = SweepConfigSchema.safeParse(value);
  if (!parsed.success) throw new Error(`${where}: ${issues(parsed.error)}`);
  const s = parsed.data;
  let baseSource: string;
  let baseRaw: unknown;
  if (typeof s.base === 'string') {
    baseSource = resolve(baseDir, s.base);
    baseRaw = readJson(baseSource);
  } else {
    baseSource = `${where}: base`;
    baseRaw = s.base;
  }
  if (typeof baseRaw !== 'object' || baseRaw === null || Array.isArray(baseRaw)) throw new Error(`${baseSource}: the base backtest config must be a JSON object`);
  const baseConfig = parseBacktestConfig(baseRaw, baseSource);
  let walkForward: WalkForwardSpec | null = null;
  if (s.walkForward) {
    const stepDays = s.walkForward.stepDays ?? s.walkForward.testDays;
    // Overlapping test windows would count the same days twice in the joined out-of-sample result.
    if (stepDays < s.walkForward.testDays) throw new Error(`${where}: walkForward.stepDays (${stepDays}) must be at least testDays (${s.walkForward.testDays}) so the test windows do not overlap`);
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
  return parseSweepConfig(readJson(file), file, dirname(resolve(file)));
}
