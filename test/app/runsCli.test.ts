import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';
import { PROJECT_ROOT } from '../support/paths.ts';
import { useTempDirs } from '../support/tempDir.ts';

const tempDir = useTempDirs();
const EXAMPLES = join(PROJECT_ROOT, 'examples');

interface RunJson {
  id: number;
  kind: string;
  strategy: string | null;
  configSource: string | null;
  report: string | null;
  state: string;
  configHash: string;
  git: { commit: string; dirty: boolean } | null;
  data: { source: string; fromMs: number | null; toMs: number | null; seed: number | null };
  error: string | null;
  note: string | null;
  metrics: { basis: string; values: Record<string, number | null> } | null;
  config?: unknown;
  summary?: unknown;
  options?: Record<string, unknown>;
}

function carryConfig(notionalUsd: number): string {
  const config = JSON.parse(readFileSync(join(EXAMPLES, 'backtest-carry-synthetic.json'), 'utf8'));
  config.strategy.params.notionalUsd = notionalUsd;
  const file = join(tempDir(), `carry-${notionalUsd}.json`);
  writeFileSync(file, JSON.stringify(config));
  return file;
}

function setup() {
  const db = join(tempDir(), 'runs.sqlite');
  const env = { ...process.env, PERP_ARB_RUNS_DB: db };
  const cli = (args: string[], options: { cwd?: string } = {}) => runCli(args, { env, ...options });
  const ls = async () => {
    const result = await cli(['runs', 'ls', '--json']);
    expect(result.code, result.stderr).toBe(0);
    return JSON.parse(result.stdout) as { database: string; total: number; runs: RunJson[] };
  };
  return { db, env, cli, ls };
}

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;

describe('the runs database and perp-arb runs', () => {
  it('records every backtest (config, hash, git commit, data range, seed, summary) and compares two side by side', async () => {
    const { db, cli, ls } = setup();
    const a = await cli(['backtest', '--config', carryConfig(40_000), '--json', '--no-report', '--no-progress']);
    const b = await cli(['backtest', '--config', carryConfig(20_000), '--json', '--no-report', '--no-progress']);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    expect(a.stderr).toContain(`run: #1 in ${db}`);
    expect(b.stderr).toContain(`run: #2 in ${db}`);
    const sa = JSON.parse(a.stdout);
    const sb = JSON.parse(b.stdout);
    expect(sb.feesPaid).toBeLessThan(sa.feesPaid * 0.6);

    const listed = await ls();
    expect(listed).toMatchObject({ database: db, total: 2 });
    expect(listed.runs.map((r) => [r.id, r.kind, r.state])).toEqual([
      [2, 'backtest', 'finished'],
      [1, 'backtest', 'finished'],
    ]);
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: PROJECT_ROOT, encoding: 'utf8' }).trim();
    const [runB, runA] = listed.runs;
    expect(runA.git?.commit).toBe(head);
    expect(runA.data).toMatchObject({ source: 'synthetic', seed: 7, fromMs: sa.startTs, toMs: sa.endTs });
    expect(runA.configHash).not.toBe(runB.configHash);
    expect(runA.metrics).toEqual({
      basis: 'backtest',
      values: expect.objectContaining({ totalReturn: sa.totalReturn, sharpe: sa.sharpe, trades: sa.trades, feesPaid: sa.feesPaid, fundingPnl: sa.fundingPnl, pnlUsd: sa.endEquityUsd - sa.startEquityUsd }),
    });
    expect(runB.metrics?.values.trades).toBe(sb.trades);

    const text = await cli(['runs', 'ls']);
    expect(text.stdout).toMatch(new RegExp(`^2 +backtest +finished +\\S+ +\\S+ +fundingCarry +synthetic seed 7, .* ${pct(sb.totalReturn).replace('.', '\\.')} +${sb.sharpe.toFixed(2).replace('.', '\\.')} +${sb.trades} `, 'm'));
    expect(text.stdout).toContain(`2 of 2 runs in ${db}`);

    const shown = await cli(['runs', 'show', '#1', '--json']);
    expect(shown.code).toBe(0);
    const full = JSON.parse(shown.stdout) as RunJson;
    expect(full.summary).toEqual(sa);
    expect(full.config).toMatchObject({ strategy: { type: 'fundingCarry', params: { notionalUsd: 40_000 } }, data: { source: 'synthetic', seed: 7, days: 30 } });
    expect(full.options).toMatchObject({ json: true, report: false, progress: false });

    const compared = await cli(['runs', 'compare', '1', '2', '--json']);
    expect(compared.code, compared.stderr).toBe(0);
    const c = JSON.parse(compared.stdout) as { runs: RunJson[]; metrics: { key: string; values: (number | null)[]; differences: (number | null)[] }[]; configDifferences: { path: string; values: unknown[] }[] };
    expect(c.runs.map((r) => r.id)).toEqual([1, 2]);
    const metric = (key: string) => c.metrics.find((m) => m.key === key)!;
    expect(metric('totalReturn')).toMatchObject({ values: [sa.totalReturn, sb.totalReturn], differences: [null, sb.totalReturn - sa.totalReturn] });
    expect(metric('trades')).toMatchObject({ values: [sa.trades, sb.trades], differences: [null, sb.trades - sa.trades] });
    expect(metric('feesPaid').differences[1]).toBeCloseTo(sb.feesPaid - sa.feesPaid, 8);
    expect(c.configDifferences).toEqual([{ path: 'strategy.params.notionalUsd', values: [40_000, 20_000] }]);

    const table = await cli(['runs', 'compare', '1', '2']);
    const lines = table.stdout.split('\n');
    expect(lines[0]).toMatch(/^ +#1 +#2 +#2 vs #1$/);
    const signed = (d: number, text: string) => `${d > 0 ? '+' : d < 0 ? '-' : ''}${text}`;
    const returnDiff = sb.totalReturn - sa.totalReturn;
    const esc = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    expect(lines.find((l) => l.startsWith('total return '))).toMatch(new RegExp(`^total return +${esc(pct(sa.totalReturn))} +${esc(pct(sb.totalReturn))} +${esc(signed(returnDiff, `${Math.abs(returnDiff * 100).toFixed(2)} pp`))}$`));
    const tradeDiff = sb.trades - sa.trades;
    expect(lines.find((l) => l.startsWith('trades '))).toMatch(new RegExp(`^trades +${sa.trades} +${sb.trades} +${esc(signed(tradeDiff, String(Math.abs(tradeDiff))))}$`));
    expect(table.stdout).toMatch(/^strategy\.params\.notionalUsd +40000 +20000$/m);
  }, 120_000);

  it('a failed run is recorded as failed with its error and no result; git is null outside a checkout; off records nothing', async () => {
    const { cli, ls, env } = setup();
    const failed = await cli(['backtest', '--config', join(EXAMPLES, 'backtest-carry-binance.json'), '--store', join(tempDir(), 'empty-store'), '--no-report', '--no-progress']);
    expect(failed.code).toBe(1);
    const outside = tempDir();
    const elsewhere = await cli(['backtest', '--config', carryConfig(40_000), '--no-report', '--no-progress'], { cwd: outside });
    expect(elsewhere.code, elsewhere.stderr).toBe(0);
    const { runs } = await ls();
    expect(runs).toHaveLength(2);
    expect(runs[1]).toMatchObject({ kind: 'backtest', state: 'failed', metrics: null, data: { source: 'store', fromMs: Date.parse('2025-05-25T10:34Z'), seed: null } });
    expect(runs[1].error).toMatch(/instrument binance:BTC\/USDT is not in the store/);
    expect(runs[1].note).toMatch(/^failed: instrument binance:BTC\/USDT is not in the store .*; no result$/);
    expect(runs[0]).toMatchObject({ state: 'finished', git: null });
    const show = await cli(['runs', 'show', '1', '--json']);
    expect(JSON.parse(show.stdout).summary).toBeNull();

    await cli(['backtest', '--config', carryConfig(40_000), '--no-report', '--no-progress', '--no-runs-db']);
    await runCli(['backtest', '--config', carryConfig(40_000), '--no-report', '--no-progress'], { env: { ...env, PERP_ARB_RUNS_DB: 'off' } });
    expect((await ls()).total).toBe(2);
    const off = await runCli(['runs', 'ls'], { env: { ...env, PERP_ARB_RUNS_DB: 'off' } });
    expect(off.code).toBe(2);
    expect(off.stderr).toBe('error: runs: recording is off ($PERP_ARB_RUNS_DB=off): give --runs-db FILE\n');
    const explicit = join(tempDir(), 'other.sqlite');
    expect((await cli(['backtest', '--config', carryConfig(40_000), '--no-report', '--no-progress', '--runs-db', explicit])).code).toBe(0);
    const other = JSON.parse((await cli(['runs', 'ls', '--json', '--runs-db', explicit])).stdout);
    expect(other).toMatchObject({ database: explicit, total: 1 });
  }, 120_000);

  it('perp-arb start records its two backtests', async () => {
    const { cli, ls } = setup();
    const dir = tempDir();
    const result = await cli(['start', '--store', join(dir, 'empty-store'), '--report-dir', join(dir, 'reports'), '--json']);
    expect(result.code, result.stderr).toBe(0);
    const out = JSON.parse(result.stdout) as { runs: { strategy: string; summary: { totalReturn: number }; report: string }[] };
    const { runs } = await ls();
    expect(runs.map((r) => [r.kind, r.state, r.strategy])).toEqual([
      ['backtest', 'finished', 'ouBasis'],
      ['backtest', 'finished', 'fundingCarry'],
    ]);
    expect(runs[1].metrics?.values.totalReturn).toBe(out.runs[0].summary.totalReturn);
    expect(runs[1].report).toBe(out.runs[0].report);
    expect(runs[1].configSource).toBe('perp-arb start (built-in defaults)');
  }, 120_000);

  it('bad ids and a database that is not one exit 2', async () => {
    const { cli } = setup();
    expect((await cli(['backtest', '--config', carryConfig(40_000), '--no-report', '--no-progress'])).code).toBe(0);
    const cases: [string[], RegExp][] = [
      [['runs', 'show', '7'], /^error: no run #7 in the runs database \S+ \(it holds 1 runs: perp-arb runs ls\)\n$/],
      [['runs', 'show', 'abc'], /^error: 'abc' is not a run id/],
      [['runs', 'compare', '1'], /^error: runs compare: give two or more run ids\n$/],
      [['runs', 'compare', '1', '9'], /^error: no run #9/],
      [['runs', 'ls', '--limit', 'x'], /^error: --limit x: must be a whole number >= 0\n$/],
    ];
    for (const [args, message] of cases) {
      const result = await cli(args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(message);
    }
    const notDb = join(tempDir(), 'not-runs.sqlite');
    writeFileSync(notDb, 'this is not sqlite');
    const bad = await cli(['runs', 'ls', '--runs-db', notDb]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^error: runs database \S+: file is not a database/);
    const refused = await cli(['backtest', '--config', carryConfig(40_000), '--no-report', '--no-progress', '--runs-db', notDb]);
    expect(refused.code).toBe(2);
    const empty = await cli(['runs', 'ls', '--runs-db', join(tempDir(), 'none.sqlite')]);
    expect(empty.code).toBe(0);
    expect(empty.stdout).toMatch(/^no runs recorded in \S+none\.sqlite\n$/);
  }, 60_000);

  it('records sweeps: the walk-forward out-of-sample figures, or the best combination without walk-forward', async () => {
    const { cli, ls } = setup();
    const base = JSON.parse(readFileSync(join(EXAMPLES, 'backtest-ou-synthetic.json'), 'utf8'));
    base.data = { source: 'synthetic', seed: 11, days: 3 };
    Object.assign(base.strategy.params, { fitWindowPoints: 240, refitEveryPoints: 30 });
    const grid = { 'strategy.params.minExpectedProfitFraction': [0, 0.0002], 'venues.0.halfSpreadBps': [0.5, 1] };
    const wfFile = join(tempDir(), 'wf.json');
    writeFileSync(wfFile, JSON.stringify({ base, grid, walkForward: { trainDays: 1, testDays: 0.5 }, rankBy: 'sharpe' }));
    const plainFile = join(tempDir(), 'plain.json');
    writeFileSync(plainFile, JSON.stringify({ base, grid, rankBy: 'totalReturn' }));
    const wf = await cli(['sweep', '--config', wfFile, '--workers', '1', '--json', '--no-report']);
    expect(wf.code, wf.stderr).toBe(0);
    const plain = await cli(['sweep', '--config', plainFile, '--workers', '1', '--json', '--no-report']);
    expect(plain.code, plain.stderr).toBe(0);
    const w = JSON.parse(wf.stdout);
    const p = JSON.parse(plain.stdout);
    const { runs } = await ls();
    expect(runs.map((r) => [r.id, r.kind, r.state])).toEqual([
      [2, 'sweep', 'finished'],
      [1, 'sweep', 'finished'],
    ]);
    const [plainRun, wfRun] = runs;
    expect(wfRun.configHash).toBe(w.run.configHash);
    expect(wfRun.data).toMatchObject({ source: 'synthetic', seed: 11, fromMs: w.walkForward.span.fromMs, toMs: w.walkForward.span.toMs });
    const o = w.walkForward.outOfSample;
    expect(wfRun.metrics).toEqual({ basis: 'out-of-sample (walk-forward)', values: expect.objectContaining({ totalReturn: o.totalReturn, sharpe: o.sharpe, trades: o.trades, pnlUsd: o.pnlUsd }) });
    const best = p.ranking.rows[0];
    expect(plainRun.metrics?.basis).toBe(`best combination ${best.combo} (${Object.entries(best.params).map(([k, v]) => `${k}=${v}`).join(', ')})`);
    expect(plainRun.metrics?.values).toMatchObject({ totalReturn: best.summary.totalReturn, trades: best.summary.trades });
    const shown = JSON.parse((await cli(['runs', 'show', '1', '--json'])).stdout);
    expect(shown.summary.walkForward.outOfSample).not.toHaveProperty('equity');
    expect(shown.summary.jobs).toEqual(w.jobs);
    expect(shown.config).toMatchObject({ grid, walkForward: { trainDays: 1, testDays: 0.5, stepDays: 0.5, anchored: false }, rankBy: 'sharpe' });
    const compared = JSON.parse((await cli(['runs', 'compare', '1', '2', '--json'])).stdout);
    expect(compared.configDifferences).toEqual([
      { path: 'walkForward.trainDays', values: [1, null] },
      { path: 'walkForward.testDays', values: [0.5, null] },
      { path: 'walkForward.anchored', values: [false, null] },
      { path: 'walkForward.stepDays', values: [0.5, null] },
      { path: 'rankBy', values: ['sharpe', 'totalReturn'] },
    ]);
  }, 180_000);
});
