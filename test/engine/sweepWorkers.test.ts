import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inlineRunner } from '../../src/engine/sweep/job.ts';
import { runSweep, type SweepResult } from '../../src/engine/sweep/sweep.ts';
import { parseSweepConfig } from '../../src/engine/sweep/sweepConfig.ts';
import { WorkerPool } from '../../src/engine/sweep/workerPool.ts';
import { PROJECT_ROOT } from '../support/paths.ts';

const EXAMPLES = join(PROJECT_ROOT, 'examples');

/** A small OU walk-forward on 3 days of synthetic data: 4 combinations x 4 folds. */
function smallSpec() {
  const base = JSON.parse(readFileSync(join(EXAMPLES, 'backtest-ou-synthetic.json'), 'utf8'));
  base.data = { source: 'synthetic', seed: 11, days: 3 };
  Object.assign(base.strategy.params, { fitWindowPoints: 240, refitEveryPoints: 30 });
  return parseSweepConfig(
    {
      base,
      grid: { 'strategy.params.minExpectedProfitFraction': [0, 0.0002], 'venues.0.halfSpreadBps': [0.5, 1] },
      walkForward: { trainDays: 1, testDays: 0.5 },
      rankBy: 'sharpe',
    },
    'small sweep',
    EXAMPLES,
  );
}

async function withPool(size: number): Promise<SweepResult> {
  const pool = new WorkerPool(size);
  try {
    return await runSweep(smallSpec(), { runner: pool.runner });
  } finally {
    await pool.close();
  }
}

describe('sweep on worker threads', () => {
  it('gives the same ranked results with 1 worker, 2 workers and in-process', async () => {
    const one = await withPool(1);
    const two = await withPool(2);
    const inline = await runSweep(smallSpec(), { runner: inlineRunner });
    expect(JSON.stringify(two)).toBe(JSON.stringify(one));
    expect(JSON.stringify(inline)).toBe(JSON.stringify(one));

    // And the results are real backtests: 4 folds, each chosen on its training day and tested on the next half day.
    const wf = one.walkForward!;
    expect(one.jobs).toEqual({ total: 4 * 4 + 4 + 4, failed: 0 });
    expect(wf.folds.map((f) => [f.train.from, f.test.from, f.test.to])).toEqual([
      ['2024-01-01T00:00:00.000Z', '2024-01-02T00:00:00.000Z', '2024-01-02T12:00:00.000Z'],
      ['2024-01-01T12:00:00.000Z', '2024-01-02T12:00:00.000Z', '2024-01-03T00:00:00.000Z'],
      ['2024-01-02T00:00:00.000Z', '2024-01-03T00:00:00.000Z', '2024-01-03T12:00:00.000Z'],
      ['2024-01-02T12:00:00.000Z', '2024-01-03T12:00:00.000Z', '2024-01-04T00:00:00.000Z'],
    ]);
    for (const f of wf.folds) {
      expect(f.chosen).not.toBeNull();
      // The chosen one is the top of its training ranking, and the test run replays only the test window.
      expect(f.chosen!.combo).toBe(f.trainRanking[0].combo);
      expect(f.testSummary!.startTs).toBeGreaterThanOrEqual(f.test.fromMs);
      expect(f.testSummary!.endTs).toBeLessThan(f.test.toMs);
      expect(f.chosen!.trainSummary.endTs).toBeLessThan(f.test.fromMs);
    }
    const oos = wf.outOfSample!;
    expect(oos.folds).toBe(4);
    expect(oos.pnlUsd).toBeCloseTo(wf.folds.reduce((sum, f) => sum + f.testSummary!.pnlUsd, 0), 6);
    expect(1 + oos.totalReturn).toBeCloseTo(wf.folds.reduce((p, f) => p * (1 + f.testSummary!.totalReturn), 1), 12);
    // The hindsight ranking is ordered by Sharpe.
    const scores = one.ranking.rows.filter((r) => r.eligible).map((r) => r.score!);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(wf.inSampleBest!.combo).toBe(one.ranking.rows[0].combo);
  }, 60_000);

  it('reports a job that fails in a worker with its combination, and goes on with the others', async () => {
    const spec = smallSpec();
    // Combination 1 passes validation but fails when it runs: a store sweep run without a store.
    const synthetic = { source: 'synthetic', seed: 11, days: 1 };
    const failing = parseSweepConfig({ base: { ...spec.baseRaw, data: synthetic }, grid: { data: [synthetic, { source: 'store' }] }, rankBy: 'totalReturn' }, 'failing sweep', EXAMPLES);
    const pool = new WorkerPool(2);
    try {
      const result = await runSweep(failing, { runner: pool.runner });
      expect(result.jobs).toEqual({ total: 2, failed: 1 });
      expect(result.ranking.rows.map((r) => r.combo)).toEqual([0]);
      expect(result.ranking.rows[0].summary.events).toBeGreaterThan(2 * 1440);
      expect(result.failures).toEqual([{ phase: 'run', fold: null, combo: 1, params: { data: { source: 'store' } }, window: null, error: expect.stringMatching(/needs a store directory/) }]);
    } finally {
      await pool.close();
    }
  }, 60_000);
});
