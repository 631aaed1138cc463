import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { parseMinor } from '../../src/portfolio/money.ts';
import { runState } from '../../src/portfolio/ledgerRun.ts';
import { SqliteLedgerStore, UnfinishedRunError } from '../../src/portfolio/sqliteLedgerStore.ts';
import { CLI, runCli } from '../support/cli.ts';
import { PROJECT_ROOT } from '../support/paths.ts';
import { useTempDirs } from '../support/tempDir.ts';

/**
 * "Runs that did not finish" (issue 12): a backtest killed mid-run leaves a valid, balanced ledger
 * whose run marker says it did not finish, so no reader takes it for a result; Ctrl-C stops cleanly
 * and marks the run interrupted; a completed run is marked finished.
 */

const tempDir = useTempDirs();

/** Ten years of the OU example: about 7 s of replay, thousands of journal entries. */
function longConfig(): string {
  const config = JSON.parse(readFileSync(join(PROJECT_ROOT, 'examples', 'backtest-ou-synthetic.json'), 'utf8'));
  config.data.days = 3650;
  const file = join(tempDir(), 'long.json');
  writeFileSync(file, JSON.stringify(config));
  return file;
}

function storedEntries(file: string): number {
  if (!existsSync(file)) return 0;
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT COUNT(*) AS n FROM entries').get() as { n: number }).n;
  } catch {
    return 0; // the schema is not written yet
  } finally {
    db.close();
  }
}

/** Starts `perp-arb backtest --ledger FILE` on the long config and sends `signal` once journal entries are on disk. */
async function backtestStoppedBy(signal: NodeJS.Signals, ledger: string): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; entriesSeen: number }> {
  const child = spawn('node', [CLI, 'backtest', '--config', longConfig(), '--ledger', ledger, '--no-report', '--no-progress'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, sig) => resolve({ code, signal: sig })));
  let entriesSeen = 0;
  for (let k = 0; k < 400 && entriesSeen === 0; k++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    entriesSeen = storedEntries(ledger);
  }
  child.kill(signal);
  return { ...(await exited), stderr, entriesSeen };
}

/** Double entry in the file, read with plain SQL: every asset's postings sum to exactly zero; seqs are 1..n. */
function expectBalanced(file: string): number {
  const db = new Database(file, { readonly: true });
  try {
    const sums = new Map<string, bigint>();
    for (const row of db.prepare('SELECT asset, amount FROM postings').iterate() as IterableIterator<{ asset: string; amount: string }>) {
      sums.set(row.asset, (sums.get(row.asset) ?? 0n) + parseMinor(row.amount));
    }
    expect(sums.size).toBeGreaterThan(0);
    for (const [asset, sum] of sums) expect(sum, asset).toBe(0n);
    const { n, max } = db.prepare('SELECT COUNT(*) AS n, MAX(seq) AS max FROM entries').get() as { n: number; max: number };
    expect(max).toBe(n);
    return n;
  } finally {
    db.close();
  }
}

describe('backtest runs that did not finish', () => {
  it('kill -9 mid-run: the ledger loads and balances, and says the run is unfinished', async () => {
    const ledger = join(tempDir(), 'killed.sqlite');
    const stopped = await backtestStoppedBy('SIGKILL', ledger);
    expect(stopped.signal).toBe('SIGKILL');
    expect(stopped.entriesSeen).toBeGreaterThan(0);
    const entries = expectBalanced(ledger);
    const store = SqliteLedgerStore.open(ledger, { readonly: true });
    try {
      const run = store.run()!;
      expect(run).toMatchObject({ kind: 'backtest', status: 'running', finishedAtMs: null, entries: null });
      expect(run.configHash).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(JSON.parse(run.config).data.days).toBe(3650);
      expect(runState(run)).toBe('unfinished');
      // Never read as a result: the default load refuses it, naming why.
      expect(() => store.loadLedger()).toThrow(UnfinishedRunError);
      expect(() => store.loadLedger()).toThrow(/did not finish \(unfinished: a backtest started .* which stopped before the end/);
      // Every entry re-checked on the way in (each balances), and the rebuilt books balance too.
      const rebuilt = store.loadLedger({ unfinished: 'allow' });
      expect(rebuilt.entryCount).toBe(entries);
      const byAsset = new Map<string, bigint>();
      for (const b of rebuilt.accountBalances()) byAsset.set(b.asset, (byAsset.get(b.asset) ?? 0n) + b.amount);
      for (const [asset, sum] of byAsset) expect(sum, asset).toBe(0n);
    } finally {
      store.close();
    }
  }, 60_000);

  it('Ctrl-C stops cleanly between events, exits 130 and marks the ledger interrupted', async () => {
    const ledger = join(tempDir(), 'interrupted.sqlite');
    const stopped = await backtestStoppedBy('SIGINT', ledger);
    expect(stopped.code, stopped.stderr).toBe(130);
    expect(stopped.stderr).toMatch(/^backtest: interrupted \(SIGINT\): no result; the ledger .*interrupted\.sqlite holds the [\d,]+ entries up to there and is marked interrupted\n$/);
    const entries = expectBalanced(ledger);
    const store = SqliteLedgerStore.open(ledger, { readonly: true });
    try {
      const run = store.run()!;
      expect(run).toMatchObject({ status: 'interrupted', entries, error: null });
      expect(run.finishedAtMs).not.toBeNull();
      expect(() => store.loadLedger()).toThrow(/did not finish \(interrupted: /);
      expect(store.loadLedger({ unfinished: 'allow' }).entryCount).toBe(entries);
    } finally {
      store.close();
    }
  }, 60_000);

  it('a completed run is marked finished and loads as a result', async () => {
    const ledger = join(tempDir(), 'done.sqlite');
    const { code, stderr } = await runCli(['backtest', '--config', join(PROJECT_ROOT, 'examples', 'backtest-carry-synthetic.json'), '--ledger', ledger, '--no-report', '--json']);
    expect(code, stderr).toBe(0);
    const entries = expectBalanced(ledger);
    const store = SqliteLedgerStore.open(ledger, { readonly: true });
    try {
      const run = store.run()!;
      expect(run).toMatchObject({ kind: 'backtest', status: 'finished', entries });
      expect(runState(run)).toBe('finished');
      expect(store.loadLedger().entryCount).toBe(entries);
    } finally {
      store.close();
    }
  }, 60_000);
});
