import { ConfigError } from '../../core/errors.ts';
import { DAY_MS, isoUtc } from '../../core/time.ts';
import { expandGrid, type Combo } from './grid.ts';
import type { JobOutcome, JobRunner, JobSummary, SweepJob } from './job.ts';
import { joinOutOfSample, type OutOfSample } from './outOfSample.ts';
import { lowerIsBetter, rankCandidates, scoreOf, type RankMetric } from './ranking.ts';
import type { SweepSpec, WalkForwardSpec } from './sweepConfig.ts';
import { checkSweepSize } from './sweepLimits.ts';
import { dataSpan, walkForwardFolds, type Fold, type TimeWindow } from './windows.ts';

/**
 * Runs a sweep: every grid combination as a backtest, on the runner's workers, then ranks them.
 * Without walkForward: one run per combination over its whole span. With it, per fold: every
 * combination on the training window, the best by rankBy (ties: lower combination index) run on the
 * test window that follows; the test runs joined are the out-of-sample result, set beside the
 * in-sample best (every combination over the out-of-sample span, chosen with hindsight).
 * The result depends only on the sweep and the data, never on the number of workers or job order.
 */

export interface WindowInfo {
  from: string;
  to: string;
  fromMs: number;
  toMs: number;
}

export interface RankedRow {
  rank: number;
  combo: number;
  params: Record<string, unknown>;
  score: number | null;
  eligible: boolean;
  reason: string | null;
  summary: JobSummary;
}

export interface SweepFailure {
  /** run: the whole-span run; train / test: a walk-forward window; inSample: the hindsight run. */
  phase: 'run' | 'train' | 'test' | 'inSample';
  fold: number | null;
  combo: number;
  params: Record<string, unknown>;
  window: WindowInfo | null;
  error: string;
}

export interface FoldResult {
  fold: number;
  train: WindowInfo;
  test: WindowInfo;
  /** Every combination that ran on the training window, best first. */
  trainRanking: { rank: number; combo: number; score: number | null; eligible: boolean; trades: number }[];
  chosen: { combo: number; params: Record<string, unknown>; trainScore: number; trainSummary: JobSummary } | null;
  /** Why nothing was chosen (the fold then holds cash), or why the test run is missing. */
  note: string | null;
  testScore: number | null;
  testSummary: JobSummary | null;
}

export interface WalkForwardResult {
  spec: WalkForwardSpec;
  span: WindowInfo;
  folds: FoldResult[];
  outOfSample: (Omit<OutOfSample, 'window'> & { window: WindowInfo; score: number | null }) | null;
  /** The combination that is best over the out-of-sample span with hindsight (ranking[0]). */
  inSampleBest: RankedRow | null;
  /** How much better the hindsight choice looks than walk-forward, in rankBy units (positive: overfitting). */
  gap: {
    metric: RankMetric;
    inSampleScore: number | null;
    outOfSampleScore: number | null;
    difference: number | null;
    /** Means over folds of the chosen combination's training score and its test score. */
    meanTrainScore: number | null;
    meanTestScore: number | null;
  };
}

export interface SweepResult {
  sweep: {
    source: string;
    base: string;
    strategy: string;
    data: 'synthetic' | 'store';
    grid: Record<string, unknown[]>;
    combinations: number;
    rankBy: RankMetric;
    minTrades: number;
  };
  /** Without walkForward: every combination over its whole span; with it: over the out-of-sample span. */
  ranking: { window: WindowInfo | null; rows: RankedRow[] };
  walkForward: WalkForwardResult | null;
  failures: SweepFailure[];
  jobs: { total: number; failed: number };
}

export interface SweepRunOptions {
  runner: JobRunner;
  storeDir?: string;
  onProgress?: (done: number, total: number) => void;
}

export const windowInfo = (w: TimeWindow): WindowInfo => ({ from: isoUtc(w.fromMs), to: isoUtc(w.toMs), fromMs: w.fromMs, toMs: w.toMs });

const mean = (xs: number[]) => (xs.length > 0 ? xs.reduce((a, b) => a + b, 0) / xs.length : null);

/**
 * Expands and validates the grid (and the walk-forward span) without running anything, and checks
 * the sweep's size (folds, total simulated days) against SWEEP_LIMITS.
 */
export function planSweep(spec: SweepSpec, storeDir?: string): { combos: Combo[]; span: TimeWindow | null; folds: Fold[]; simulatedDays: number } {
  const combos = expandGrid(spec.baseRaw, spec.grid, spec.source);
  if (!spec.walkForward) return { combos, span: null, folds: [], simulatedDays: checkSweepSize(spec.source, combos, null, storeDir) };
  const span = dataSpan(spec.baseConfig, storeDir);
  for (const combo of combos) {
    const own = dataSpan(combo.config, storeDir);
    if (own.fromMs !== span.fromMs || own.toMs !== span.toMs) {
      throw new ConfigError(spec.source, [`walk-forward needs one data span for every combination; ${JSON.stringify(combo.params)} changes it`]);
    }
  }
  const folds = walkForwardFolds(span, spec.walkForward, spec.source);
  const simulatedDays = checkSweepSize(spec.source, combos, { spec: spec.walkForward, folds }, storeDir);
  return { combos, span, folds, simulatedDays };
}

export async function runSweep(spec: SweepSpec, options: SweepRunOptions): Promise<SweepResult> {
  const { combos, span, folds } = planSweep(spec, options.storeDir);
  const failures: SweepFailure[] = [];
  let nextId = 0;
  let done = 0;
  let total = spec.walkForward ? combos.length * folds.length + combos.length + folds.length : combos.length;
  options.onProgress?.(done, total);
  const job = (combo: Combo, window: TimeWindow | null, wantEquity = false, warmUpFromMs: number | null = null): SweepJob => ({
    id: nextId++,
    combo: combo.index,
    config: combo.raw,
    window,
    warmUpFromMs,
    storeDir: options.storeDir,
    wantEquity,
  });
  const runBatch = (jobs: SweepJob[]) =>
    options.runner(jobs, () => {
      done++;
      options.onProgress?.(done, total);
    });
  const fail = (phase: SweepFailure['phase'], fold: number | null, j: SweepJob, outcome: JobOutcome & { ok: false }) =>
    failures.push({ phase, fold, combo: j.combo, params: combos[j.combo].params, window: j.window ? windowInfo(j.window) : null, error: outcome.error });

  const rankRows = (jobs: SweepJob[], outcomes: JobOutcome[], phase: SweepFailure['phase'], fold: number | null): RankedRow[] => {
    const candidates: { combo: number; figures: JobSummary }[] = [];
    outcomes.forEach((o, k) => {
      if (o.ok) candidates.push({ combo: jobs[k].combo, figures: o.summary });
      else fail(phase, fold, jobs[k], o);
    });
    return rankCandidates(candidates, spec.rankBy, spec.minTrades).map((e) => ({
      rank: e.rank,
      combo: e.candidate.combo,
      params: combos[e.candidate.combo].params,
      score: e.score,
      eligible: e.eligible,
      reason: e.reason,
      summary: e.candidate.figures,
    }));
  };

  const sweepInfo: SweepResult['sweep'] = {
    source: spec.source,
    base: spec.baseSource,
    strategy: spec.baseConfig.strategy.type,
    data: spec.baseConfig.data.source,
    grid: Object.fromEntries(spec.grid),
    combinations: combos.length,
    rankBy: spec.rankBy,
    minTrades: spec.minTrades,
  };

  if (!spec.walkForward || !span) {
    const jobs = combos.map((c) => job(c, null));
    const rows = rankRows(jobs, await runBatch(jobs), 'run', null);
    return { sweep: sweepInfo, ranking: { window: null, rows }, walkForward: null, failures, jobs: { total: jobs.length, failed: failures.length } };
  }

  // Batch 1: every combination on every training window, and over the out-of-sample span (hindsight).
  // Test windows (and the hindsight run over them) warm the strategy up on the training span before
  // them, as a live strategy would have watched the market: trading starts at the window.
  const warmUpMs = Math.round(spec.walkForward.trainDays * DAY_MS);
  const oosWindow = { fromMs: folds[0].test.fromMs, toMs: folds[folds.length - 1].test.toMs };
  const trainJobs = folds.map((f) => combos.map((c) => job(c, f.train)));
  const inSampleJobs = combos.map((c) => job(c, oosWindow, false, oosWindow.fromMs - warmUpMs));
  const batch1 = await runBatch([...trainJobs.flat(), ...inSampleJobs]);
  const trainOutcomes = folds.map((_, k) => batch1.slice(k * combos.length, (k + 1) * combos.length));
  const inSampleOutcomes = batch1.slice(folds.length * combos.length);

  const foldResults: FoldResult[] = folds.map((f, k) => {
    const rows = rankRows(trainJobs[k], trainOutcomes[k], 'train', f.index);
    const best = rows[0]?.eligible ? rows[0] : null;
    return {
      fold: f.index,
      train: windowInfo(f.train),
      test: windowInfo(f.test),
      trainRanking: rows.map((r) => ({ rank: r.rank, combo: r.combo, score: r.score, eligible: r.eligible, trades: r.summary.trades })),
      chosen: best ? { combo: best.combo, params: best.params, trainScore: best.score!, trainSummary: best.summary } : null,
      note: best ? null : rows.length === 0 ? 'every combination failed on the training window' : 'no eligible combination on the training window (held cash)',
      testScore: null,
      testSummary: null,
    };
  });
  const ranking = rankRows(inSampleJobs, inSampleOutcomes, 'inSample', null);

  // Batch 2: each fold's choice on its test window.
  const testJobs = foldResults.flatMap((r, k) => (r.chosen ? [{ fold: k, job: job(combos[r.chosen.combo], folds[k].test, true, folds[k].test.fromMs - warmUpMs) }] : []));
  total = done + testJobs.length;
  options.onProgress?.(done, total);
  const batch2 = await runBatch(testJobs.map((t) => t.job));
  const testRuns = new Map<number, Extract<JobOutcome, { ok: true }>>();
  testJobs.forEach((t, n) => {
    const outcome = batch2[n];
    if (outcome.ok) {
      testRuns.set(t.fold, outcome);
      foldResults[t.fold].testSummary = outcome.summary;
      foldResults[t.fold].testScore = scoreOf(outcome.summary, spec.rankBy);
    } else {
      fail('test', folds[t.fold].index, t.job, outcome);
      foldResults[t.fold].note = `the test run failed: ${outcome.error}`;
    }
  });

  // A fold whose test run failed has no result at all: the joined curve covers only folds that ran or held cash.
  const joinable = folds.filter((_, k) => testRuns.has(k) || foldResults[k].chosen === null);
  const oos = joinOutOfSample(
    joinable.map((f) => {
      const run = testRuns.get(f.index);
      return { test: f.test, run: run ? { summary: run.summary, equity: run.equity! } : null };
    }),
    spec.baseConfig.equitySampleMinutes * 60_000,
  );
  const outOfSample = oos ? { ...oos, window: windowInfo(oos.window), score: scoreOf(oos, spec.rankBy) } : null;
  const inSampleBest = ranking[0]?.eligible ? ranking[0] : null;
  const inSampleScore = inSampleBest?.score ?? null;
  const outOfSampleScore = outOfSample?.score ?? null;
  const difference = inSampleScore !== null && outOfSampleScore !== null ? (lowerIsBetter(spec.rankBy) ? outOfSampleScore - inSampleScore : inSampleScore - outOfSampleScore) : null;
  const chosen = foldResults.filter((r) => r.chosen !== null);
  const walkForward: WalkForwardResult = {
    spec: spec.walkForward,
    span: windowInfo(span),
    folds: foldResults,
    outOfSample,
    inSampleBest,
    gap: {
      metric: spec.rankBy,
      inSampleScore,
      outOfSampleScore,
      difference,
      meanTrainScore: mean(chosen.map((r) => r.chosen!.trainScore)),
      meanTestScore: mean(chosen.flatMap((r) => (r.testScore === null ? [] : [r.testScore]))),
    },
  };
  const jobsTotal = batch1.length + batch2.length;
  return { sweep: sweepInfo, ranking: { window: windowInfo(oosWindow), rows: ranking }, walkForward, failures, jobs: { total: jobsTotal, failed: failures.length } };
}
