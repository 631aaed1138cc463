import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, runCli } from '../support/cli.ts';
import { PROJECT_ROOT } from '../support/paths.ts';
import { useTempDirs } from '../support/tempDir.ts';

const tempDir = useTempDirs();
const EXAMPLES = join(PROJECT_ROOT, 'examples');

function ouBase(days: number) {
  const base = JSON.parse(readFileSync(join(EXAMPLES, 'backtest-ou-synthetic.json'), 'utf8'));
  base.data = { source: 'synthetic', seed: 11, days };
  Object.assign(base.strategy.params, { fitWindowPoints: 240, refitEveryPoints: 30 });
  return base;
}

function writeSweep(sweep: unknown): string {
  const file = join(tempDir(), 'sweep.json');
  writeFileSync(file, JSON.stringify(sweep));
  return file;
}

describe('perp-arb sweep', () => {
  it('--json runs a walk-forward sweep on 2 workers and --out writes the same results', async () => {
    const file = writeSweep({
      base: ouBase(3),
      grid: { 'strategy.params.minExpectedProfitFraction': [0, 0.0002], 'venues.0.halfSpreadBps': [0.5, 1] },
      walkForward: { trainDays: 1, testDays: 0.5 },
      rankBy: 'sharpe',
    });
    const out = join(tempDir(), 'results.json');
    const { stdout, stderr, code } = await runCli(['sweep', '--config', file, '--workers', '2', '--json', '--out', out]);
    expect(code).toBe(0);
    const r = JSON.parse(stdout);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(r);
    expect(stderr).toContain('sweep: 24/24 backtests');
    expect(r.run.workers).toBe(2);
    expect(r.sweep).toMatchObject({ strategy: 'ouBasis', data: 'synthetic', combinations: 4, rankBy: 'sharpe', minTrades: 0 });
    expect(r.jobs).toEqual({ total: 24, failed: 0 });
    expect(r.failures).toEqual([]);
    expect(r.ranking.window).toMatchObject({ from: '2024-01-02T00:00:00.000Z', to: '2024-01-04T00:00:00.000Z' });
    expect(r.ranking.rows.map((row: { combo: number }) => row.combo).sort()).toEqual([0, 1, 2, 3]);
    const scores = r.ranking.rows.map((row: { score: number }) => row.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    for (const row of r.ranking.rows) {
      expect(row.score).toBe(row.summary.sharpe);
      for (const key of ['totalReturn', 'apr', 'sharpe', 'maxDrawdown', 'trades', 'feesPaid', 'fundingPnl', 'pnlUsd']) expect(row.summary).toHaveProperty(key);
      expect(row.summary).not.toHaveProperty('elapsedMs');
    }
    const wf = r.walkForward;
    expect(wf.folds).toHaveLength(4);
    expect(wf.folds.map((f: { test: { from: string } }) => f.test.from)).toEqual(['2024-01-02T00:00:00.000Z', '2024-01-02T12:00:00.000Z', '2024-01-03T00:00:00.000Z', '2024-01-03T12:00:00.000Z']);
    for (const f of wf.folds) expect(f.train.to).toBe(f.test.from);
    const o = wf.outOfSample;
    expect(o.folds).toBe(4);
    expect(o.pnlUsd).toBeCloseTo(wf.folds.reduce((sum: number, f: { testSummary: { pnlUsd: number } }) => sum + f.testSummary.pnlUsd, 0), 6);
    expect(o.equity[0].ts).toBe(Date.UTC(2024, 0, 2));
    expect(o.equity[o.equity.length - 1].ts).toBeLessThan(Date.UTC(2024, 0, 4));
    expect(wf.inSampleBest.combo).toBe(r.ranking.rows[0].combo);
    expect(wf.gap.difference).toBeCloseTo(wf.gap.inSampleScore - wf.gap.outOfSampleScore, 12);
  }, 60_000);

  it('exits 1 when every backtest fails, listing each failure with its combination', async () => {
    // Valid configs (checked before anything runs) whose backtests fail when they start: markets the (empty) store does not hold.
    // (A synthetic market the generator does not make is a config error now, exit 2 before anything runs.)
    const base = ouBase(1);
    base.data = { source: 'store' };
    base.instruments = base.instruments.map((i: { id: string }) => ({ ...i, id: i.id.replace('synthetic:SYN', 'binance:BTC') }));
    base.venues[0].venue = 'binance';
    Object.assign(base.strategy.params, { spot: 'binance:BTC/USDT', perp: 'binance:BTC/USDT:USDT' });
    const sweep = writeSweep({ base, grid: { 'instruments.0.id': ['binance:AAA/USDT', 'binance:BBB/USDT'] }, rankBy: 'totalReturn' });
    const all = await runCli(['sweep', '--config', sweep, '--store', tempDir()]);
    expect(all.code).toBe(1);
    expect(all.stdout).toMatch(/ranked by\s+totalReturn over the whole span/);
    expect(all.stdout).toMatch(/failures\s+2 of 2 backtests/);
    expect(all.stdout).toMatch(/run combo 0 \(instruments\.0\.id=binance:AAA\/USDT\): .*is not in the store/);
    expect(all.stdout).toMatch(/run combo 1 \(instruments\.0\.id=binance:BBB\/USDT\): .*is not in the store/);
    expect(all.stderr).toMatch(/every backtest failed/);
  }, 60_000);

  it('Ctrl-C stops the workers and exits 130', async () => {
    const file = writeSweep({ base: ouBase(10), grid: { 'venues.0.halfSpreadBps': [0.5, 1, 1.5, 2, 2.5, 3] }, walkForward: { trainDays: 3, testDays: 1 } });
    const child = spawn('node', [CLI, 'sweep', '--config', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.stderr.on('data', (chunk: Buffer) => {
      const before = stderr;
      stderr += chunk.toString();
      // Interrupt once the sweep has started its backtests.
      if (!before.includes('sweep: 0/') && stderr.includes('sweep: 0/')) child.kill('SIGINT');
    });
    expect(await exited, stderr).toBe(130);
    expect(stderr).toMatch(/sweep: interrupted after \d+ of \d+ backtests; the workers were stopped/);
  }, 60_000);
});
