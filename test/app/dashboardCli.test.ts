import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DashboardSnapshot } from '../../src/app/dashboard/dashboardTypes.ts';
import { CLI, runCli } from '../support/cli.ts';
import { PROJECT_ROOT } from '../support/paths.ts';
import { useTempDirs } from '../support/tempDir.ts';

const tempDir = useTempDirs();
const RUN_EXAMPLE = join(PROJECT_ROOT, 'examples', 'run-paper-synthetic.json');
const BACKTEST_EXAMPLE = join(PROJECT_ROOT, 'examples', 'backtest-ou-synthetic.json');

/** `perp-arb dashboard ARGS --for MS` as its own process; `use` runs while it serves. */
async function withDashboard(args: string[], use: (url: string, stderr: string) => Promise<void>): Promise<number | null> {
  const child = spawn(process.execPath, [CLI, 'dashboard', ...args, '--for', '60000'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PERP_ARB_RUNS_DB: 'off' } });
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  const exit = new Promise<number | null>((resolve) => child.on('exit', resolve));
  try {
    for (let i = 0; i < 1200 && !/token\s+\S+/.test(err) && child.exitCode === null; i++) await new Promise((r) => setTimeout(r, 50));
    const url = /dashboard\s+(http:\/\/\S+)/.exec(err)?.[1];
    if (!url) throw new Error(`no URL: ${err}`);
    await use(url, err);
  } finally {
    child.kill('SIGINT');
  }
  return exit;
}

const post = (url: string, path: string, token: string | null) =>
  fetch(new URL(path, url), { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify({ paused: true }) });

describe('perp-arb dashboard', () => {
  it('--state DIR serves what a session run with --dashboard left, read-only', async () => {
    const state = join(tempDir(), 'state');
    const run = await runCli(['run', '--config', RUN_EXAMPLE, '--mode', 'paper', '--state', state, '--replay', 'synthetic', '--dashboard', '--json', '--no-progress']);
    expect(run.code, run.stderr).toBe(0);
    const summary = (JSON.parse(run.stdout) as { summary: { endEquityUsd: number; trades: number } }).summary;
    expect(run.stderr).toMatch(/^dashboard {6}http:\/\/127\.0\.0\.1:\d+\/$/m);
    const stored = JSON.parse(readFileSync(join(state, 'dashboard.json'), 'utf8')) as DashboardSnapshot;
    expect(stored.finished).toBe(true);
    expect(stored.equityUsd).toBeCloseTo(summary.endEquityUsd, 6);
    expect(stored.pnl.trades).toBe(summary.trades);
    const code = await withDashboard(['--state', state], async (url) => {
      const s = (await (await fetch(new URL('/api/state', url))).json()) as DashboardSnapshot;
      expect(s.live).toBe(false);
      expect(s.equityUsd).toBe(stored.equityUsd);
      expect(s.pnl.roundTrips).toEqual(stored.pnl.roundTrips);
      // The token is new for this server (written to the state dir); without it 401, with it 409: no engine here.
      const token = readFileSync(join(state, 'dashboard.token'), 'utf8').trim();
      expect((await post(url, '/api/control/pause', null)).status).toBe(401);
      expect((await post(url, '/api/control/pause', token)).status).toBe(409);
    });
    expect(code).toBe(0);
  });

  it('--run ID replays a recorded backtest from its config: the same figures', async () => {
    const dir = tempDir();
    const db = join(dir, 'runs.sqlite');
    const backtest = await runCli(['backtest', '--config', BACKTEST_EXAMPLE, '--no-report', '--no-progress', '--json', '--runs-db', db]);
    expect(backtest.code, backtest.stderr).toBe(0);
    const summary = JSON.parse(backtest.stdout) as { endEquityUsd: number; trades: number; fundingPnl: number };
    const code = await withDashboard(['--run', '1', '--runs-db', db], async (url) => {
      const s = (await (await fetch(new URL('/api/state', url))).json()) as DashboardSnapshot;
      expect(s.source).toMatch(/^backtest run #1 \(ouBasis, SYNTHETIC\)/);
      expect(s.finished).toBe(true);
      expect(s.equityUsd).toBeCloseTo(summary.endEquityUsd, 6);
      expect(s.pnl.trades).toBe(summary.trades);
      expect(s.pnl.fundingUsd).toBeCloseTo(summary.fundingPnl, 6);
    });
    expect(code).toBe(0);
  });

  it('says what is wrong with its options', async () => {
    expect((await runCli(['dashboard'])).stderr).toBe('error: give one of --state DIR or --run ID\n');
    const noSnapshot = tempDir();
    expect((await runCli(['dashboard', '--state', noSnapshot])).stderr).toContain('no dashboard snapshot (the session in');
    const state = join(tempDir(), 's');
    const remote = await runCli(['run', '--config', RUN_EXAMPLE, '--mode', 'paper', '--state', state, '--replay', 'synthetic', '--dashboard', '--host', '0.0.0.0', '--no-progress']);
    expect(remote.code).toBe(2);
    expect(remote.stderr).toContain('--host 0.0.0.0 is not a loopback address');
    const orphan = await runCli(['run', '--config', RUN_EXAMPLE, '--mode', 'paper', '--state', join(tempDir(), 's'), '--replay', 'synthetic', '--port', '8080', '--no-progress']);
    expect(orphan.stderr).toBe('error: --host, --port, --allow-remote and --dashboard-keep go with --dashboard\n');
    expect((await runCli(['run', '--config', RUN_EXAMPLE, '--mode', 'paper', '--state', join(tempDir(), 's'), '--replay', 'synthetic', '--dashboard', '--port', '70000', '--no-progress'])).stderr).toBe("error: --port must be an integer from 0 to 65535, got '70000'\n");
  });
});

describe('perp-arb start --dashboard (what npm start runs in a terminal)', () => {
  it('runs the paper session with the dashboard, says which data, serves the page, and ends on Ctrl-C with exit 0', async () => {
    const dir = tempDir();
    const child = spawn(process.execPath, [CLI, 'start', '--dashboard', '--speed', '100000', '--store', join(dir, 'empty-store'), '--no-runs-db'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    const exit = new Promise<number | null>((resolve) => child.on('exit', resolve));
    try {
      for (let i = 0; i < 1200 && !/session {8}/.test(out); i++) await new Promise((r) => setTimeout(r, 50));
      expect(out).toMatch(/^data {11}SYNTHETIC/m);
      const url = /dashboard\s+(http:\/\/127\.0\.0\.1:\d+\/)/.exec(out)![1];
      const page = await fetch(url);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<title>perp-arb dashboard</title>');
      const s = (await (await fetch(new URL('/api/state', url))).json()) as DashboardSnapshot;
      expect(s.source).toBe('paper session, ouBasis on the SYNTHETIC market, replayed at 100000x');
    } finally {
      child.kill('SIGINT');
    }
    expect(await exit).toBe(0);
  });
});
