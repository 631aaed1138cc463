import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SqliteLedgerStore } from '../../src/portfolio/sqliteLedgerStore.ts';
import { CLI, runCli } from '../support/cli.ts';
import { PROJECT_ROOT } from '../support/paths.ts';
import { useTempDirs } from '../support/tempDir.ts';

const tempDir = useTempDirs();
const EXAMPLE = join(PROJECT_ROOT, 'examples', 'run-paper-synthetic.json');

interface Summary {
  events: number;
  fills: number;
  trades: number;
  endEquityUsd: number;
  elapsedMs: number;
  eventsPerSec: number;
  roundTrips: { openedAt: number; exitReason: string | null }[];
  [key: string]: unknown;
}

/** The summary without the wall-time figures (the only ones that may differ between two runs). */
const sameRun = (s: Summary) => ({ ...s, elapsedMs: 0, eventsPerSec: 0 });

function entries(ledgerFile: string) {
  const store = SqliteLedgerStore.open(ledgerFile, { readonly: true });
  try {
    return [...store.readEntries()].map((e) => ({ kind: e.kind, ts: e.ts, ref: e.ref, postings: e.postings }));
  } finally {
    store.close();
  }
}

describe('perp-arb run --mode paper on a replay', () => {
  it('at --speed max makes exactly the fills, ledger and summary of the backtest of the same config', async () => {
    const dir = tempDir();
    const paper = await runCli(['run', '--config', EXAMPLE, '--mode', 'paper', '--state', join(dir, 'state'), '--replay', 'synthetic', '--json', '--no-progress']);
    expect(paper.code, paper.stderr).toBe(0);
    const session = JSON.parse(paper.stdout) as { mode: string; stopped: boolean; summary: Summary };
    expect(session.mode).toBe('paper');
    expect(session.stopped).toBe(false);
    // The same config as a backtest: without the session's own keys.
    const { live: _live, execution: _execution, reconcileEveryMs: _reconcile, ...backtestConfig } = JSON.parse(readFileSync(EXAMPLE, 'utf8')) as Record<string, unknown>;
    const backtestFile = join(dir, 'backtest.json');
    writeFileSync(backtestFile, JSON.stringify({ ...backtestConfig, $schema: undefined }));
    const backtest = await runCli(['backtest', '--config', backtestFile, '--json', '--no-report', '--no-progress', '--no-runs-db', '--ledger', join(dir, 'backtest.sqlite')]);
    expect(backtest.code, backtest.stderr).toBe(0);
    const summary = JSON.parse(backtest.stdout) as Summary;
    expect(sameRun(session.summary)).toEqual(sameRun(summary));
    // It trades from its first hour: the example is for seeing the machinery move.
    expect(summary.trades).toBeGreaterThanOrEqual(5);
    expect(summary.roundTrips[0].openedAt - Date.UTC(2024, 0, 1)).toBeLessThan(60 * 60_000);
    // Fill for fill: the two ledger journals are the same entries.
    const paperEntries = entries(join(dir, 'state', 'ledger.sqlite'));
    expect(paperEntries.filter((e) => e.kind === 'fill')).toHaveLength(summary.fills);
    expect(paperEntries).toEqual(entries(join(dir, 'backtest.sqlite')));
    const record = JSON.parse(readFileSync(join(dir, 'state', 'session.json'), 'utf8')) as { status: string; summary: Summary };
    expect(record.status).toBe('finished');
    expect(record.summary.endEquityUsd).toBe(summary.endEquityUsd);
  }, 60_000);

  it('at --speed N it waits for wall time and ends with the same result', async () => {
    const dir = tempDir();
    const config = JSON.parse(readFileSync(EXAMPLE, 'utf8')) as { data: { days: number } };
    config.data.days = 0.5; // 12 hours of market time
    const file = join(dir, 'half-day.json');
    writeFileSync(file, JSON.stringify(config));
    const started = performance.now();
    // 12 h at 100,000x is 0.432 s of wall time at least.
    const paced = await runCli(['run', '--config', file, '--mode', 'paper', '--state', join(dir, 'paced'), '--replay', 'synthetic', '--speed', '100000', '--json', '--no-progress']);
    expect(performance.now() - started).toBeGreaterThanOrEqual(420);
    const max = await runCli(['run', '--config', file, '--mode', 'paper', '--state', join(dir, 'max'), '--replay', 'synthetic', '--json', '--no-progress']);
    expect(paced.code, paced.stderr).toBe(0);
    expect(sameRun((JSON.parse(paced.stdout) as { summary: Summary }).summary)).toEqual(sameRun((JSON.parse(max.stdout) as { summary: Summary }).summary));
  }, 60_000);

  it('refuses a state directory that holds a session, a bad speed, and live modes (no order sent)', async () => {
    const dir = tempDir();
    const state = join(dir, 'state');
    expect((await runCli(['run', '--config', EXAMPLE, '--mode', 'paper', '--state', state, '--replay', 'synthetic', '--json', '--no-progress'])).code).toBe(0);
    const again = await runCli(['run', '--config', EXAMPLE, '--mode', 'paper', '--state', state, '--replay', 'synthetic', '--no-progress']);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/the directory holds a paper session started .* \(finished\); resuming a session is not supported yet, give a new --state directory/);
    const speed = await runCli(['run', '--config', EXAMPLE, '--mode', 'paper', '--state', join(dir, 'x'), '--replay', 'synthetic', '--speed', '0']);
    expect(speed.code).toBe(2);
    expect(speed.stderr).toContain('--speed must be');
    // Live needs live.enabled in the config (the example has it false), --confirm-live too off loopback.
    const live = await runCli(['run', '--config', EXAMPLE, '--mode', 'live', '--state', join(dir, 'live'), '--confirm-live']);
    expect(live.code).toBe(2);
    expect(live.stderr.trim()).toBe(`error: --mode live sends real orders: set "live": { "enabled": true } in ${EXAMPLE} and pass --confirm-live; nothing was sent`);
    const testnet = await runCli(['run', '--config', EXAMPLE, '--mode', 'testnet', '--state', join(dir, 'testnet'), '--confirm-live']);
    expect(testnet.code).toBe(2);
    expect(testnet.stderr.trim()).toBe('error: --confirm-live is for --mode live');
  }, 60_000);

  it('Ctrl-C stops new entries and ends with the summary; --flatten-on-exit closes every pair (the real binary)', async () => {
    const dir = tempDir();
    const state = join(dir, 'state');
    const child = spawn('node', [CLI, 'run', '--config', EXAMPLE, '--mode', 'paper', '--state', state, '--replay', 'synthetic', '--speed', '2000', '--flatten-on-exit', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // 2,000x: an hour of market time is 1.8 s; stop 3 s after the session started (its session.json), once pairs have opened.
    for (let waited = 0; !existsSync(join(state, 'session.json')); waited += 50) {
      if (waited > 30_000) throw new Error(`no session.json in 30 s: ${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    child.kill('SIGINT');
    expect(await exited, stderr).toBe(0);
    expect(stderr).toContain('stopping (SIGINT): no new entries');
    const session = JSON.parse(stdout) as { stopped: boolean; summary: Summary };
    expect(session.stopped).toBe(true);
    expect(session.summary.events).toBeLessThan(8_649);
    expect(session.summary.trades).toBeGreaterThan(0);
    // Every pair was closed, the last by the flatten or before it.
    expect(session.summary.roundTrips.every((t) => t.exitReason !== null && t.exitReason !== 'endOfData')).toBe(true);
    const record = JSON.parse(readFileSync(join(state, 'session.json'), 'utf8')) as { status: string };
    expect(record.status).toBe('stopped');
  }, 60_000);
});

describe('perp-arb run --mode paper on the live market (okx through ccxt, over loopback)', () => {
  it('watches the venue\'s books and funding for --for, trading on the simulated venue, and ends with the summary', async () => {
    const { loadVenueFixtures } = await import('../venues/support/fixtureFiles.ts');
    const { startLoopbackServer } = await import('../venues/support/loopbackServer.ts');
    const server = await startLoopbackServer(loadVenueFixtures('okx').filter((f) => !f.name.includes('/private-')));
    try {
      const dir = tempDir();
      const config = {
        strategy: { type: 'fundingCarry', params: { spot: 'okx:BTC/USDT', perp: 'okx:BTC/USDT:USDT', notionalUsd: 1_000 } },
        data: { source: 'store' },
        instruments: [{ id: 'okx:BTC/USDT' }, { id: 'okx:BTC/USDT:USDT' }],
        venues: [{ venue: 'okx', balances: { USDT: 10_000 } }],
      };
      const file = join(dir, 'okx.json');
      writeFileSync(file, JSON.stringify(config));
      const result = await runCli(['run', '--config', file, '--mode', 'paper', '--state', join(dir, 'state'), '--for', '2s', '--json'], { env: { ...process.env, PERP_ARB_TEST_LOOPBACK_URL: server.baseUrl } });
      expect(result.code, result.stderr).toBe(0);
      const session = JSON.parse(result.stdout) as { stopped: boolean; summary: Summary };
      expect(session.stopped).toBe(true);
      // Books of both markets (polled), and the perp's predicted funding: market events, no settlement, so no trade.
      expect(session.summary.events).toBeGreaterThanOrEqual(3);
      expect(session.summary.fills).toBe(0);
      expect(session.summary.endEquityUsd).toBe(10_000);
      const paths = server.requests.map((r) => r.path);
      expect(paths).toContain('/api/v5/market/books');
      expect(paths).toContain('/api/v5/public/funding-rate');
    } finally {
      await server.close();
    }
  }, 60_000);
});
