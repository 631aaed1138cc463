import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { Ledger } from '../../src/portfolio/ledger.ts';
import { describeRun, runState } from '../../src/portfolio/ledgerRun.ts';
import { SqliteLedgerStore, UnfinishedRunError } from '../../src/portfolio/sqliteLedgerStore.ts';
import { useTempDirs } from '../support/tempDir.ts';
import { instrument } from './fixtures.ts';

const tempDir = useTempDirs();
const START = { kind: 'backtest', configHash: 'sha256:00', config: '{}', startedAtMs: Date.UTC(2025, 0, 1) };

function ledgerWithDeposits(path: string, n: number): SqliteLedgerStore {
  const store = SqliteLedgerStore.open(path, { batchSize: 2 });
  store.beginRun(START);
  const ledger = new Ledger({ instruments: [instrument('binance', 'BTC/USDT')], sink: store });
  for (let k = 1; k <= n; k++) ledger.recordDeposit({ venue: 'binance', asset: 'USDT', amount: 100, ts: k });
  return store;
}

describe('ledger run marker', () => {
  it('a finished run loads; its marker says when and how many entries', () => {
    const path = join(tempDir(), 'done.sqlite');
    const store = ledgerWithDeposits(path, 5);
    expect(runState(store.run()!)).toBe('running');
    store.endRun('finished');
    store.close();
    const reopened = SqliteLedgerStore.open(path, { readonly: true });
    const run = reopened.run()!;
    expect(run).toMatchObject({ kind: 'backtest', status: 'finished', entries: 5, error: null, pid: process.pid, startedAtMs: START.startedAtMs });
    expect(run.finishedAtMs).toBeGreaterThanOrEqual(run.startedAtMs);
    expect(reopened.loadLedger().entryCount).toBe(5);
    expect(describeRun(run)).toMatch(/^finished: a backtest started 2025-01-01T00:00:00\.000Z, ended .* \(5 entries\)$/);
    reopened.close();
  });

  it('a run that never ended is refused as a result, and still loads and balances when asked', () => {
    const path = join(tempDir(), 'killed.sqlite');
    const store = ledgerWithDeposits(path, 5); // batches of 2: 4 entries on disk, 1 buffered
    // What a killed process leaves: its row says 'running', written by a process that is gone.
    const db = new Database(path);
    db.prepare('UPDATE run SET pid = ?').run(2 ** 22 + 12345);
    db.close();
    const reader = SqliteLedgerStore.open(path, { readonly: true });
    expect(runState(reader.run()!)).toBe('unfinished');
    expect(() => reader.loadLedger()).toThrow(UnfinishedRunError);
    expect(() => reader.loadLedger()).toThrow(/the run that wrote this ledger did not finish \(unfinished: a backtest started 2025-01-01T00:00:00\.000Z by process \d+ on .*, which stopped before the end \(killed or crashed\)\); its journal is not a result/);
    expect(reader.loadLedger({ unfinished: 'allow' }).entryCount).toBe(4);
    reader.close();
    store.close();
  });

  it('failed and interrupted runs are not results either; a ledger written without a run (code, schema 1) loads as before', () => {
    for (const status of ['failed', 'interrupted'] as const) {
      const path = join(tempDir(), `${status}.sqlite`);
      const store = ledgerWithDeposits(path, 3);
      store.endRun(status, status === 'failed' ? 'boom' : null);
      store.close();
      const reader = SqliteLedgerStore.open(path, { readonly: true });
      expect(reader.run()).toMatchObject({ status, entries: 3 });
      expect(() => reader.loadLedger()).toThrow(new RegExp(`did not finish \\(${status}: `));
      reader.close();
    }
    const plain = join(tempDir(), 'plain.sqlite');
    const store = SqliteLedgerStore.open(plain);
    new Ledger({ instruments: [], sink: store }).recordDeposit({ venue: 'binance', asset: 'USDT', amount: 1, ts: 1 });
    store.close();
    const v1 = new Database(plain);
    v1.exec("DROP TABLE run; UPDATE meta SET value = '1' WHERE key = 'schemaVersion'");
    v1.close();
    const reader = SqliteLedgerStore.open(plain, { readonly: true });
    expect(reader.run()).toBeNull();
    expect(reader.loadLedger().entryCount).toBe(1);
    reader.close();
  });

  it('endRun writes the last entries and the end in one transaction; a file holds one run', () => {
    const path = join(tempDir(), 'one.sqlite');
    const store = ledgerWithDeposits(path, 3);
    expect(() => store.beginRun(START)).toThrow(/already holds a run/);
    store.endRun('finished');
    expect(store.storedEntryCount()).toBe(3);
    store.close();
    const db = new Database(path, { readonly: true });
    expect(db.prepare('SELECT status, entries FROM run').get()).toEqual({ status: 'finished', entries: 3 });
    db.close();
  });
});
