import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { CLI, runCli } from '../support/cli.ts';
import { PROJECT_ROOT } from '../support/paths.ts';
import { useTempDirs } from '../support/tempDir.ts';

/**
 * A run that never ends properly (kill -9 of the real binary) stays 'running' in the runs database
 * with its pid; once that process is gone every reader shows it as unfinished, never as a result.
 * Ctrl-C (SIGINT) marks it interrupted.
 */

const tempDir = useTempDirs();

/** Ten years of the OU example: several seconds of replay. */
function longConfig(): string {
  const config = JSON.parse(readFileSync(join(PROJECT_ROOT, 'examples', 'backtest-ou-synthetic.json'), 'utf8'));
  config.data.days = 3650;
  const file = join(tempDir(), 'long.json');
  writeFileSync(file, JSON.stringify(config));
  return file;
}

function rowStatus(db: string): { status: string; pid: number } | null {
  if (!existsSync(db)) return null;
  const handle = new Database(db, { readonly: true, fileMustExist: true });
  try {
    return (handle.prepare('SELECT status, pid FROM runs ORDER BY id DESC LIMIT 1').get() as { status: string; pid: number } | undefined) ?? null;
  } catch {
    return null; // the schema is not written yet
  } finally {
    handle.close();
  }
}

interface Listed {
  runs: { id: number; state: string; status: string; pid: number; metrics: unknown; note: string | null; summary?: unknown }[];
}

async function startLongBacktest(db: string, outDir: string) {
  const child = spawn('node', [CLI, 'backtest', '--config', longConfig(), '--no-report', '--no-progress', '--out-dir', outDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PERP_ARB_RUNS_DB: db },
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  let row: ReturnType<typeof rowStatus> = null;
  for (let k = 0; k < 400 && row === null; k++) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    row = rowStatus(db);
  }
  return { child, exited, row, stderr: () => stderr };
}

describe('runs that did not finish', () => {
  it('kill -9 of a running backtest: shown as running while its process lives, then unfinished, with no figures', async () => {
    const db = join(tempDir(), 'runs.sqlite');
    const outDir = join(tempDir(), 'out');
    const env = { ...process.env, PERP_ARB_RUNS_DB: db };
    const started = await startLongBacktest(db, outDir);
    expect(started.row).toEqual({ status: 'running', pid: started.child.pid });
    const during = await runCli(['runs', 'ls', '--json'], { env });
    expect((JSON.parse(during.stdout) as Listed).runs.map((r) => [r.state, r.pid])).toEqual([['running', started.child.pid]]);
    started.child.kill('SIGKILL');
    expect((await started.exited).signal).toBe('SIGKILL');

    expect(rowStatus(db)).toEqual({ status: 'running', pid: started.child.pid });
    const after = JSON.parse((await runCli(['runs', 'ls', '--json'], { env })).stdout) as Listed;
    expect(after.runs).toHaveLength(1);
    expect(after.runs[0]).toMatchObject({ id: 1, status: 'running', state: 'unfinished', metrics: null });
    expect(after.runs[0].note).toMatch(new RegExp(`^unfinished: process ${started.child.pid} on \\S+ stopped before the end \\(killed or crashed\\); no result$`));
    const text = await runCli(['runs', 'ls'], { env });
    expect(text.stdout).toMatch(/^1 +backtest +unfinished +\S+ +- +ouBasis +synthetic seed 7, \S+ \.\. \S+ +- +- +- /m);
    const show = JSON.parse((await runCli(['runs', 'show', '1', '--json'], { env })).stdout);
    expect(show).toMatchObject({ state: 'unfinished', summary: null, metrics: null });
    // Set beside a finished run, it has no figures and no differences.
    const done = await runCli(['backtest', '--config', join(PROJECT_ROOT, 'examples', 'backtest-ou-synthetic.json'), '--no-report', '--no-progress'], { env });
    expect(done.code, done.stderr).toBe(0);
    const compared = JSON.parse((await runCli(['runs', 'compare', '1', '2', '--json'], { env })).stdout);
    expect(compared.runs.map((r: { state: string }) => r.state)).toEqual(['unfinished', 'finished']);
    const totalReturn = compared.metrics.find((m: { key: string }) => m.key === 'totalReturn');
    expect(totalReturn.values[0]).toBeNull();
    expect(typeof totalReturn.values[1]).toBe('number');
    expect(totalReturn.differences).toEqual([null, null]);
    const table = await runCli(['runs', 'compare', '1', '2'], { env });
    expect(table.stdout).toMatch(/^state +unfinished +finished$/m);
    expect(table.stdout).toMatch(/^figures of +none \(unfinished\) +backtest$/m);
    expect(table.stdout).toMatch(/^#1: unfinished: process \d+ on \S+ stopped before the end/m);
    // The export is written only when the run finishes: the killed run left nothing there.
    expect(existsSync(outDir)).toBe(false);
  }, 60_000);

  it('Ctrl-C (SIGINT): the run is marked interrupted and has no figures', async () => {
    const db = join(tempDir(), 'runs.sqlite');
    const started = await startLongBacktest(db, join(tempDir(), 'out'));
    expect(started.row?.status).toBe('running');
    // The signal handler is installed just after the row is written: give the run a moment to be replaying.
    await new Promise((resolve) => setTimeout(resolve, 500));
    started.child.kill('SIGINT');
    expect((await started.exited).code).toBe(130);
    const listed = JSON.parse((await runCli(['runs', 'ls', '--json'], { env: { ...process.env, PERP_ARB_RUNS_DB: db } })).stdout) as Listed;
    expect(listed.runs[0]).toMatchObject({ state: 'interrupted', status: 'interrupted', metrics: null });
    expect(listed.runs[0].note).toBe('interrupted (stopped by SIGINT); no result');
  }, 60_000);
});
