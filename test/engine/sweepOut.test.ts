import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, runCli } from '../support/cli.ts';
import { PROJECT_ROOT } from '../support/paths.ts';
import { useTempDirs } from '../support/tempDir.ts';

/**
 * `sweep --out FILE` says whether it holds a result: 'running' (and nothing else) from the start,
 * 'finished' with the results, 'interrupted' or 'failed' without them; written atomically.
 */

const tempDir = useTempDirs();

function sweepFile(days: number, values: number[]): string {
  const base = JSON.parse(readFileSync(join(PROJECT_ROOT, 'examples', 'backtest-ou-synthetic.json'), 'utf8'));
  base.data = { source: 'synthetic', seed: 11, days };
  Object.assign(base.strategy.params, { fitWindowPoints: 240, refitEveryPoints: 30 });
  const file = join(tempDir(), 'sweep.json');
  writeFileSync(file, JSON.stringify({ base, grid: { 'venues.0.halfSpreadBps': values }, walkForward: { trainDays: 3, testDays: 1 } }));
  return file;
}

/** Starts a sweep writing --out and sends `signal` once its backtests have started. */
async function sweepStoppedBy(signal: NodeJS.Signals, out: string): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  const child = spawn('node', [CLI, 'sweep', '--config', sweepFile(10, [0.5, 1, 1.5, 2, 2.5, 3]), '--workers', '1', '--out', out], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, sig) => resolve({ code, signal: sig })));
  child.stderr.on('data', (chunk: Buffer) => {
    const before = stderr;
    stderr += chunk.toString();
    if (!before.includes('sweep: 0/') && stderr.includes('sweep: 0/')) child.kill(signal);
  });
  return { ...(await exited), stderr };
}

const readOut = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as { run: Record<string, unknown>; ranking?: unknown };

describe('perp-arb sweep --out', () => {
  it('a finished sweep writes its results with run.status finished', async () => {
    const out = join(tempDir(), 'results.json');
    const { code, stderr } = await runCli(['sweep', '--config', sweepFile(5, [0.5, 1]), '--workers', '1', '--out', out]);
    expect(code, stderr).toBe(0);
    const written = readOut(out);
    expect(written.run).toMatchObject({ status: 'finished', workers: 1, error: null });
    expect(written.run.configHash).toMatch(/^sha256:/);
    expect(written.run.done).toBe(written.run.total);
    expect(written.ranking).toBeDefined();
  }, 60_000);

  it('kill -9 leaves the file saying running, with no results (an older result is replaced at the start)', async () => {
    const out = join(tempDir(), 'results.json');
    writeFileSync(out, JSON.stringify({ ranking: { rows: ['an older sweep'] }, run: { status: 'finished' } }));
    const stopped = await sweepStoppedBy('SIGKILL', out);
    expect(stopped.signal).toBe('SIGKILL');
    const written = readOut(out);
    expect(written.run).toMatchObject({ status: 'running', finishedAt: null });
    expect(written.ranking).toBeUndefined();
  }, 60_000);

  it('Ctrl-C writes run.status interrupted and no results', async () => {
    const out = join(tempDir(), 'results.json');
    const stopped = await sweepStoppedBy('SIGINT', out);
    expect(stopped.code, stopped.stderr).toBe(130);
    const written = readOut(out);
    expect(written.run).toMatchObject({ status: 'interrupted' });
    expect(written.run.error).toMatch(/interrupted after \d+ of \d+ backtests/);
    expect(written.ranking).toBeUndefined();
  }, 60_000);
});
