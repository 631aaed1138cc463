import { parseTimeArg } from '../../core/time.ts';
import { configHash } from '../../domain/config/hash.ts';
import type { BacktestConfig } from '../../engine/backtest.ts';
import type { SweepResult } from '../../engine/sweep/sweep.ts';
import type { SweepSpec } from '../../engine/sweep/sweepConfig.ts';
import { dataSpan, type TimeWindow } from '../../engine/sweep/windows.ts';
import { gitState } from './gitState.ts';
import type { RunStartRecord } from './runsDb.ts';

/** What every recorded run has besides its config: where it ran and with which options. */
export interface RunContext {
  configSource: string;
  storeDir: string;
  cwd: string;
  options: Record<string, unknown>;
}

/** The data range a config asks for: synthetic, the generator's span; store, data.from / data.to (null when open). */
function requestedRange(config: BacktestConfig): { fromMs: number | null; toMs: number | null } {
  if (config.data.source === 'synthetic') return dataSpan(config);
  return { fromMs: config.data.from ? parseTimeArg(config.data.from) : null, toMs: config.data.to ? parseTimeArg(config.data.to) : null };
}

const dataFields = (config: BacktestConfig, storeDir: string) => ({
  strategy: config.strategy.type,
  dataSource: config.data.source,
  seed: config.data.source === 'synthetic' ? config.data.seed : null,
  store: config.data.source === 'store' ? storeDir : null,
});

export function backtestRunStart(config: BacktestConfig, context: RunContext): RunStartRecord {
  const range = requestedRange(config);
  return {
    kind: 'backtest',
    configSource: context.configSource,
    configHash: configHash(config),
    config,
    ...dataFields(config, context.storeDir),
    dataFromMs: range.fromMs,
    dataToMs: range.toMs,
    git: gitState(context.cwd),
    cwd: context.cwd,
    options: context.options,
  };
}

/** The object a sweep's config hash is taken of (the same as `--out`'s run.configHash). */
export function sweepHashInput(spec: SweepSpec): Record<string, unknown> {
  return { base: spec.baseRaw, grid: spec.grid, walkForward: spec.walkForward, rankBy: spec.rankBy, minTrades: spec.minTrades };
}

export function sweepRunStart(spec: SweepSpec, span: TimeWindow | null, context: RunContext): RunStartRecord {
  const range = span ?? requestedRange(spec.baseConfig);
  return {
    kind: 'sweep',
    configSource: context.configSource,
    configHash: configHash(sweepHashInput(spec)),
    config: { ...sweepHashInput(spec), grid: Object.fromEntries(spec.grid) },
    ...dataFields(spec.baseConfig, context.storeDir),
    dataFromMs: range.fromMs,
    dataToMs: range.toMs,
    git: gitState(context.cwd),
    cwd: context.cwd,
    options: context.options,
  };
}

/**
 * What the runs database keeps of a sweep: its set-up, the best combination, the walk-forward
 * figures (the out-of-sample result without its curve) and the job counts; the full results go to
 * --out / --out-dir.
 */
export function sweepRunSummary(result: SweepResult, extra: { workers: number; elapsedMs: number }): Record<string, unknown> {
  const wf = result.walkForward;
  let outOfSample: Record<string, unknown> | null = null;
  if (wf?.outOfSample) {
    const { equity: _curve, ...figures } = wf.outOfSample;
    outOfSample = figures;
  }
  return {
    sweep: result.sweep,
    best: result.ranking.rows[0] ?? null,
    rankingWindow: result.ranking.window,
    walkForward: wf ? { spec: wf.spec, span: wf.span, folds: wf.folds.length, outOfSample, inSampleBest: wf.inSampleBest, gap: wf.gap } : null,
    failures: result.failures.length,
    jobs: result.jobs,
    ...extra,
  };
}

/** The span a sweep's results cover: the walk-forward span, else from the earliest to the latest ranked run. */
export function sweepResultSpan(result: SweepResult): TimeWindow | null {
  if (result.walkForward) return { fromMs: result.walkForward.span.fromMs, toMs: result.walkForward.span.toMs };
  const rows = result.ranking.rows;
  if (rows.length === 0) return null;
  return { fromMs: Math.min(...rows.map((r) => r.summary.startTs)), toMs: Math.max(...rows.map((r) => r.summary.endTs)) };
}
