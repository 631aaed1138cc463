import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DAY_MS, MINUTE_MS } from '../../src/core/time.ts';
import { expandGrid, setPath } from '../../src/engine/sweep/grid.ts';
import type { JobOutcome, JobRunner, JobSummary, SweepJob } from '../../src/engine/sweep/job.ts';
import { joinOutOfSample } from '../../src/engine/sweep/outOfSample.ts';
import { rankCandidates, type RankedFigures } from '../../src/engine/sweep/ranking.ts';
import { runSweep } from '../../src/engine/sweep/sweep.ts';
import { loadSweepConfig, parseSweepConfig } from '../../src/engine/sweep/sweepConfig.ts';
import { dataSpan, walkForwardFolds } from '../../src/engine/sweep/windows.ts';
import { PROJECT_ROOT } from '../support/paths.ts';
import { useTempDirs } from '../support/tempDir.ts';

const EXAMPLES = join(PROJECT_ROOT, 'examples');
const ouBase = () => JSON.parse(readFileSync(join(EXAMPLES, 'backtest-ou-synthetic.json'), 'utf8')) as Record<string, unknown>;
const T0 = Date.UTC(2024, 0, 1);
const tempDir = useTempDirs();

describe('sweep config and grid', () => {
  it('expands the grid with the first path slowest, each combination a parsed config', () => {
    const combos = expandGrid(ouBase(), [['strategy.params.minExpectedProfitFraction', [0, 0.001]], ['venues.0.halfSpreadBps', [0.5, 1, 2]]], 'sweep.json');
    expect(combos.map((c) => c.params)).toEqual([
      { 'strategy.params.minExpectedProfitFraction': 0, 'venues.0.halfSpreadBps': 0.5 },
      { 'strategy.params.minExpectedProfitFraction': 0, 'venues.0.halfSpreadBps': 1 },
      { 'strategy.params.minExpectedProfitFraction': 0, 'venues.0.halfSpreadBps': 2 },
      { 'strategy.params.minExpectedProfitFraction': 0.001, 'venues.0.halfSpreadBps': 0.5 },
      { 'strategy.params.minExpectedProfitFraction': 0.001, 'venues.0.halfSpreadBps': 1 },
      { 'strategy.params.minExpectedProfitFraction': 0.001, 'venues.0.halfSpreadBps': 2 },
    ]);
    expect(combos.map((c) => c.index)).toEqual([0, 1, 2, 3, 4, 5]);
    const last = combos[5];
    expect(last.config.venues[0].halfSpreadBps).toBe(2);
    expect(last.config.strategy.type === 'ouBasis' && last.config.strategy.params.minExpectedProfitFraction).toBe(0.001);
    // The base is not modified.
    expect((ouBase().venues as { halfSpreadBps: number }[])[0].halfSpreadBps).toBe(0.5);
  });

  it('names the grid path of an unknown key, a bad value, a missing array element and a duplicate', () => {
    expect(() => expandGrid(ouBase(), [['strategy.params.entryZ', [1, 2]]], 'sweep.json')).toThrow(`sweep.json: grid["strategy.params.entryZ"][0] = 1: unknown key 'strategy.params.entryZ'`);
    expect(() => expandGrid(ouBase(), [['venues.0.halfSpreadBps', [1, -1]]], 'sweep.json')).toThrow(`grid["venues.0.halfSpreadBps"][1] = -1: venues.0.halfSpreadBps: must be a number in [0, 1000] bps (got -1)`);
    expect(() => expandGrid(ouBase(), [['venues.3.halfSpreadBps', [1]]], 'sweep.json')).toThrow(/grid path "venues\.3\.halfSpreadBps": venues has 1 element\(s\), no index 3/);
    expect(() => expandGrid(ouBase(), [['venues.x.halfSpreadBps', [1]]], 'sweep.json')).toThrow(/"venues\.x\.halfSpreadBps": venues is a list/);
    expect(() => expandGrid(ouBase(), [['equitySampleMinutes.a', [1]]], 'sweep.json')).toThrow(/"equitySampleMinutes\.a": equitySampleMinutes is 60/);
    expect(() => expandGrid(ouBase(), [['venues.0.halfSpreadBps', [1, 2, 1]]], 'sweep.json')).toThrow(/grid "venues\.0\.halfSpreadBps" lists 1 twice/);
  });

  it('setPath creates missing objects and replaces array elements', () => {
    const target: Record<string, unknown> = { data: { source: 'synthetic' }, venues: [{ a: 1 }] };
    setPath(target, 'data.options.mu', 0.001);
    setPath(target, 'venues.0.a', 2);
    expect(target).toEqual({ data: { source: 'synthetic', options: { mu: 0.001 } }, venues: [{ a: 2 }] });
  });

  it('validates the sweep file: unknown keys named, base by path, overlapping test windows rejected', () => {
    const dir = tempDir();
    const file = join(dir, 'sweep.json');
    writeFileSync(file, JSON.stringify({ base: join(EXAMPLES, 'backtest-ou-synthetic.json'), grid: { 'venues.0.halfSpreadBps': [1] }, rankby: 'sharpe' }));
    expect(() => loadSweepConfig(file)).toThrow(/sweep\.json: .*rankby/);
    writeFileSync(file, JSON.stringify({ base: '../nope.json', grid: { 'venues.0.halfSpreadBps': [1] } }));
    expect(() => loadSweepConfig(file)).toThrow(/nope\.json/);
    writeFileSync(file, JSON.stringify({ base: join(EXAMPLES, 'backtest-ou-synthetic.json'), grid: {} }));
    expect(() => loadSweepConfig(file)).toThrow(/grid: give at least one path/);
    writeFileSync(file, JSON.stringify({ base: join(EXAMPLES, 'backtest-ou-synthetic.json'), grid: { 'venues.0.halfSpreadBps': [1] }, rankBy: 'profit' }));
    expect(() => loadSweepConfig(file)).toThrow(/rankBy/);
    const spec = parseSweepConfig({ base: ouBase(), grid: { 'venues.0.halfSpreadBps': [1] }, walkForward: { trainDays: 3, testDays: 1 } }, 'inline', EXAMPLES);
    expect(spec.walkForward).toEqual({ trainDays: 3, testDays: 1, stepDays: 1, anchored: false });
    expect(spec.rankBy).toBe('sharpe');
    expect(() => parseSweepConfig({ base: ouBase(), grid: { 'venues.0.halfSpreadBps': [1] }, walkForward: { trainDays: 3, testDays: 2, stepDays: 1 } }, 'inline', EXAMPLES)).toThrow(
      /stepDays \(1\) must be at least testDays \(2\)/,
    );
    // A bad base config is reported against its own file.
    expect(() => parseSweepConfig({ base: { ...ouBase(), extra: 1 }, grid: { 'venues.0.halfSpreadBps': [1] } }, 'inline', EXAMPLES)).toThrow("inline: unknown key 'base.extra'");
    // The shipped examples are valid.
    for (const name of ['sweep-ou-synthetic.json', 'sweep-carry-synthetic.json']) expect(loadSweepConfig(join(EXAMPLES, name)).grid.length).toBeGreaterThan(0);
  });
});

const figures = (f: Partial<RankedFigures> & { combo?: number }): RankedFigures => ({
  sharpe: null,
  sortino: null,
  totalReturn: 0,
  apr: null,
  pnlUsd: 0,
  maxDrawdown: 0,
  winRate: null,
  trades: 5,
  ...f,
});

describe('ranking', () => {
  it('orders by score (ties by combination index), ineligible and undefined scores last', () => {
    const ranked = rankCandidates(
      [
        { combo: 0, figures: figures({ sharpe: 1 }) },
        { combo: 1, figures: figures({ sharpe: 2 }) },
        { combo: 2, figures: figures({ sharpe: null }) },
        { combo: 3, figures: figures({ sharpe: 5, trades: 1 }) },
        { combo: 4, figures: figures({ sharpe: 2 }) },
        { combo: 5, figures: figures({ sharpe: -1 }) },
      ],
      'sharpe',
      2,
    );
    expect(ranked.map((r) => [r.rank, r.candidate.combo, r.eligible])).toEqual([
      [1, 1, true],
      [2, 4, true],
      [3, 0, true],
      [4, 5, true],
      [5, 3, false],
      [6, 2, false],
    ]);
    expect(ranked[4].reason).toBe('1 trade(s) < minTrades 2');
    expect(ranked[5].reason).toBe('sharpe is undefined');
  });

  it('ranks maxDrawdown lowest first and the same input in any order the same way', () => {
    const input = [0.1, 0.05, 0.2, 0.05].map((maxDrawdown, combo) => ({ combo, figures: figures({ maxDrawdown }) }));
    const order = (xs: typeof input) => rankCandidates(xs, 'maxDrawdown', 0).map((r) => r.candidate.combo);
    expect(order(input)).toEqual([1, 3, 0, 2]);
    expect(order([...input].reverse())).toEqual([1, 3, 0, 2]);
  });
});

describe('walk-forward windows', () => {
  it('makes adjacent train/test windows without overlap, whole test windows only', () => {
    const span = { fromMs: T0, toMs: T0 + 32 * DAY_MS };
    const folds = walkForwardFolds(span, { trainDays: 10, testDays: 5, stepDays: 5, anchored: false });
    expect(folds.map((f) => [(f.train.fromMs - T0) / DAY_MS, (f.train.toMs - T0) / DAY_MS, (f.test.fromMs - T0) / DAY_MS, (f.test.toMs - T0) / DAY_MS])).toEqual([
      [0, 10, 10, 15],
      [5, 15, 15, 20],
      [10, 20, 20, 25],
      [15, 25, 25, 30],
    ]);
    for (const [k, f] of folds.entries()) {
      expect(f.test.fromMs).toBe(f.train.toMs);
      if (k > 0) expect(f.test.fromMs).toBe(folds[k - 1].test.toMs);
    }
    const anchored = walkForwardFolds(span, { trainDays: 10, testDays: 5, stepDays: 5, anchored: true });
    expect(anchored.map((f) => [(f.train.fromMs - T0) / DAY_MS, (f.train.toMs - T0) / DAY_MS])).toEqual([
      [0, 10],
      [0, 15],
      [0, 20],
      [0, 25],
    ]);
    const gapped = walkForwardFolds(span, { trainDays: 10, testDays: 2, stepDays: 7, anchored: false });
    expect(gapped.map((f) => (f.test.fromMs - T0) / DAY_MS)).toEqual([10, 17, 24]);
    expect(() => walkForwardFolds(span, { trainDays: 30, testDays: 5, stepDays: 5, anchored: false })).toThrow(/32\.00 days\) is shorter than trainDays \+ testDays \(30 \+ 5\)/);
  });

  it('takes the synthetic span from the start option and the number of days', () => {
    const spec = parseSweepConfig({ base: ouBase(), grid: { 'venues.0.halfSpreadBps': [1] } }, 'inline', EXAMPLES);
    expect(dataSpan(spec.baseConfig)).toEqual({ fromMs: T0, toMs: T0 + 30 * DAY_MS });
    const moved = parseSweepConfig({ base: { ...ouBase(), data: { source: 'synthetic', seed: 1, days: 1.5, options: { startMs: T0 + 7 * MINUTE_MS } } }, grid: { 'venues.0.halfSpreadBps': [1] } }, 'inline', EXAMPLES);
    expect(dataSpan(moved.baseConfig)).toEqual({ fromMs: T0 + 7 * MINUTE_MS, toMs: T0 + 7 * MINUTE_MS + 2160 * MINUTE_MS });
  });
});

function summary(partial: Partial<JobSummary>): JobSummary {
  return {
    startTs: 0,
    endTs: 0,
    startEquityUsd: 100,
    endEquityUsd: 100,
    totalReturn: 0,
    apr: null,
    sharpe: null,
    sortino: null,
    maxDrawdown: 0,
    maxDrawdownDurationMs: 0,
    var95: null,
    cvar95: null,
    var99: null,
    cvar99: null,
    fundingPnl: 0,
    feesPaid: 0,
    borrowPaid: 0,
    liquidationFeesPaid: 0,
    pnlBreakdown: { priceUsd: 0, fundingUsd: 0, feesUsd: 0, borrowUsd: 0, liquidationFeesUsd: 0 },
    feesShareOfGrossProfit: null,
    turnover: null,
    fills: 0,
    trades: 2,
    winRate: 0.5,
    timeInMarket: null,
    liquidations: 0,
    events: 0,
    execution: {},
    notes: [],
    pnlUsd: 0,
    ...partial,
  };
}

describe('out-of-sample join', () => {
  it('chains the folds (compounding), sums PnL and holds a fold without a choice flat', () => {
    const H = 3_600_000;
    const run = (from: number, end: number, pnl: number, trades: number, winRate: number, sharpe: number) => ({
      summary: summary({ startEquityUsd: 100, endEquityUsd: end, pnlUsd: pnl, trades, winRate, sharpe, feesPaid: 1, fundingPnl: 2 }),
      equity: [
        { ts: from, equityUsd: 100 },
        { ts: from + H, equityUsd: (100 + end) / 2 },
        { ts: from + 2 * H - MINUTE_MS, equityUsd: end },
      ],
    });
    const oos = joinOutOfSample(
      [
        { test: { fromMs: T0, toMs: T0 + 2 * H }, run: run(T0, 110, 10, 2, 1, 3) },
        { test: { fromMs: T0 + 2 * H, toMs: T0 + 4 * H }, run: null },
        { test: { fromMs: T0 + 4 * H, toMs: T0 + 6 * H }, run: run(T0 + 4 * H, 95, -5, 4, 0.25, 1) },
      ],
      H,
    )!;
    expect(oos.totalReturn).toBeCloseTo(1.1 * 0.95 - 1, 12);
    expect(oos.endEquityUsd).toBeCloseTo(104.5, 8);
    expect(oos.pnlUsd).toBe(5);
    expect(oos.trades).toBe(6);
    expect(oos.winRate).toBeCloseTo(3 / 6, 12);
    expect(oos.meanFoldSharpe).toBe(2);
    expect(oos.foldsRun).toBe(2);
    expect(oos.feesPaid).toBe(2);
    expect(oos.fundingPnl).toBe(4);
    expect(oos.equity.map((p) => [(p.ts - T0) / MINUTE_MS, Math.round(p.equityUsd * 1e6) / 1e6])).toEqual([
      [0, 100],
      [60, 105],
      [119, 110],
      [120, 110],
      [180, 110],
      [240, 110],
      [300, 110 * 0.975],
      [359, 104.5],
    ]);
    // The joined curve's drawdown: from the 110 peak to 104.5.
    expect(oos.maxDrawdown).toBeCloseTo(5.5 / 110, 12);
    expect(joinOutOfSample([{ test: { fromMs: T0, toMs: T0 + H }, run: null }], H)).toBeNull();
  });
});

describe('walk-forward choice', () => {
  /**
   * A fake runner: on a training window combination c scores sharpe = c * (fold + 1) mod 3 (so the
   * winner changes from fold to fold); on any other window the ORDER IS REVERSED, so a sweep that
   * peeked at test results would choose differently.
   */
  function fakeRunner(trainWindows: Set<number>, log: { batch: number; job: SweepJob }[]): JobRunner {
    let batch = 0;
    return async (jobs, onOutcome) => {
      batch++;
      return jobs.map((job) => {
        log.push({ batch, job });
        const w = job.window!;
        const fold = Math.round((w.toMs - T0) / DAY_MS);
        const training = trainWindows.has(w.toMs) && job.wantEquity === false && w.toMs - w.fromMs === 2 * DAY_MS;
        const sharpe = training ? ((job.combo * (fold + 1)) % 3) + job.combo / 10 : 0 - job.combo;
        const end = 100 + sharpe;
        const outcome: JobOutcome = {
          id: job.id,
          ok: true,
          summary: summary({ sharpe, endEquityUsd: end, totalReturn: end / 100 - 1, pnlUsd: end - 100, startTs: w.fromMs, endTs: w.toMs - MINUTE_MS }),
          equity: job.wantEquity ? [{ ts: w.fromMs, equityUsd: 100 }, { ts: w.toMs - MINUTE_MS, equityUsd: end }] : null,
          elapsedMs: 1,
        };
        onOutcome(outcome);
        return outcome;
      });
    };
  }

  it('chooses on the training window only, then runs the choice on the adjacent test window', async () => {
    const base = { ...ouBase(), data: { source: 'synthetic', seed: 3, days: 6 } };
    const spec = parseSweepConfig({ base, grid: { 'venues.0.halfSpreadBps': [0.5, 1, 2] }, walkForward: { trainDays: 2, testDays: 1 }, rankBy: 'sharpe' }, 'inline', EXAMPLES);
    const trainEnds = new Set([2, 3, 4, 5].map((d) => T0 + d * DAY_MS));
    const log: { batch: number; job: SweepJob }[] = [];
    const progress: [number, number][] = [];
    const result = await runSweep(spec, { runner: fakeRunner(trainEnds, log), onProgress: (d, t) => progress.push([d, t]) });
    const wf = result.walkForward!;
    expect(wf.folds.map((f) => [f.train.from, f.train.to, f.test.from, f.test.to])).toEqual([
      ['2024-01-01T00:00:00.000Z', '2024-01-03T00:00:00.000Z', '2024-01-03T00:00:00.000Z', '2024-01-04T00:00:00.000Z'],
      ['2024-01-02T00:00:00.000Z', '2024-01-04T00:00:00.000Z', '2024-01-04T00:00:00.000Z', '2024-01-05T00:00:00.000Z'],
      ['2024-01-03T00:00:00.000Z', '2024-01-05T00:00:00.000Z', '2024-01-05T00:00:00.000Z', '2024-01-06T00:00:00.000Z'],
      ['2024-01-04T00:00:00.000Z', '2024-01-06T00:00:00.000Z', '2024-01-06T00:00:00.000Z', '2024-01-07T00:00:00.000Z'],
    ]);
    // Training scores: fold ending day d (d = 2..5) scores c*(d+1) mod 3 + c/10: the argmax is the expected choice.
    const expected = [2, 3, 4, 5].map((d) => [0, 1, 2].reduce((best, c) => (((c * (d + 1)) % 3) + c / 10 > ((best * (d + 1)) % 3) + best / 10 ? c : best), 0));
    expect(wf.folds.map((f) => f.chosen!.combo)).toEqual(expected);
    expect(expected).toEqual([2, 2, 1, 2]);
    // The first batch holds every training run (and the hindsight runs), none touching a test window of its fold.
    const batch1 = log.filter((l) => l.batch === 1).map((l) => l.job);
    for (const f of wf.folds) {
      const trains = batch1.filter((j) => j.window!.toMs === f.train.toMs && j.window!.fromMs === f.train.fromMs);
      expect(trains.map((j) => j.combo)).toEqual([0, 1, 2]);
      for (const j of trains) expect(j.window!.toMs).toBeLessThanOrEqual(f.test.fromMs);
    }
    // The test runs come after all choices, one per fold, on exactly the test window.
    const batch2 = log.filter((l) => l.batch === 2).map((l) => l.job);
    expect(batch2.map((j) => [j.combo, j.window!.fromMs, j.window!.toMs])).toEqual(wf.folds.map((f) => [f.chosen!.combo, f.test.fromMs, f.test.toMs]));
    // Each test run warms up on the trainDays before its window (trading starts at the window); training runs start cold.
    expect(batch2.map((j) => j.warmUpFromMs)).toEqual(wf.folds.map((f) => f.test.fromMs - 2 * DAY_MS));
    for (const f of wf.folds) expect(batch1.filter((j) => j.window!.toMs === f.train.toMs && j.window!.fromMs === f.train.fromMs).every((j) => j.warmUpFromMs === null)).toBe(true);
    expect(batch1.filter((j) => j.window!.fromMs === wf.folds[0].test.fromMs && j.window!.toMs === wf.folds[3].test.toMs).map((j) => j.warmUpFromMs)).toEqual([0, 1, 2].map(() => wf.folds[0].test.fromMs - 2 * DAY_MS));
    // Hindsight: over the out-of-sample span, the reversed scores make combination 0 best.
    expect(result.ranking.window).toMatchObject({ from: '2024-01-03T00:00:00.000Z', to: '2024-01-07T00:00:00.000Z' });
    expect(wf.inSampleBest!.combo).toBe(0);
    expect(wf.folds.map((f) => f.testScore)).toEqual(expected.map((c) => 0 - c));
    expect(wf.gap.inSampleScore).toBe(0);
    expect(wf.gap.meanTestScore).toBe(-1.75);
    expect(wf.outOfSample!.pnlUsd).toBe(-7);
    expect(result.jobs).toEqual({ total: 3 * 4 + 3 + 4, failed: 0 });
    expect(progress[progress.length - 1]).toEqual([19, 19]);
  });

  it('reports a failing job with its combination and goes on; a fold with no eligible choice holds cash', async () => {
    const base = { ...ouBase(), data: { source: 'synthetic', seed: 3, days: 4 } };
    const spec = parseSweepConfig({ base, grid: { 'venues.0.halfSpreadBps': [0.5, 1] }, walkForward: { trainDays: 2, testDays: 1 }, minTrades: 1 }, 'inline', EXAMPLES);
    const runner: JobRunner = async (jobs, onOutcome) =>
      jobs.map((job) => {
        const fold0Train = job.window!.toMs === T0 + 2 * DAY_MS;
        const outcome: JobOutcome =
          job.combo === 1
            ? { id: job.id, ok: false, error: 'boom' }
            : { id: job.id, ok: true, summary: summary({ sharpe: 1, trades: fold0Train ? 0 : 3 }), equity: [{ ts: job.window!.fromMs, equityUsd: 100 }, { ts: job.window!.toMs - MINUTE_MS, equityUsd: 101 }], elapsedMs: 1 };
        onOutcome(outcome);
        return outcome;
      });
    const result = await runSweep(spec, { runner });
    const wf = result.walkForward!;
    expect(wf.folds.map((f) => f.chosen?.combo ?? null)).toEqual([null, 0]);
    expect(wf.folds[0].note).toMatch(/no eligible combination/);
    expect(wf.outOfSample!.foldsRun).toBe(1);
    expect(wf.outOfSample!.totalReturn).toBeCloseTo(0.01, 12);
    expect(result.failures.map((f) => [f.phase, f.fold, f.combo, f.params, f.error])).toEqual([
      ['train', 0, 1, { 'venues.0.halfSpreadBps': 1 }, 'boom'],
      ['train', 1, 1, { 'venues.0.halfSpreadBps': 1 }, 'boom'],
      ['inSample', null, 1, { 'venues.0.halfSpreadBps': 1 }, 'boom'],
    ]);
    expect(result.ranking.rows.map((r) => r.combo)).toEqual([0]);
  });
});
