import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SqliteLedgerStore } from '../../src/portfolio/sqliteLedgerStore.ts';
import { importIntoStore, runCli } from '../support/cli.ts';
import { dataPath, PROJECT_ROOT } from '../support/paths.ts';
import { useTempDirs } from '../support/tempDir.ts';

const tempDir = useTempDirs();

interface Summary {
  fills: number;
  trades: number;
  elapsedMs: number;
  eventsPerSec: number;
  roundTrips: { id: string; exitReason: string | null }[];
  [key: string]: unknown;
}

const sameRun = (s: Summary) => ({ ...s, elapsedMs: 0, eventsPerSec: 0 });

function entries(ledgerFile: string) {
  const store = SqliteLedgerStore.open(ledgerFile, { readonly: true });
  try {
    return [...store.readEntries()].map((e) => ({ kind: e.kind, ts: e.ts, ref: e.ref, postings: e.postings }));
  } finally {
    store.close();
  }
}

/** Paper on a replay at --speed max, then the backtest of the same file: the same summary and the same ledger entries. */
async function paperEqualsBacktest(example: string, replay: string, storeArgs: string[]): Promise<{ summary: Summary; kinds: string[] }> {
  const dir = tempDir();
  const config = join(PROJECT_ROOT, 'examples', example);
  const paper = await runCli(['run', '--config', config, '--mode', 'paper', '--state', join(dir, 'state'), '--replay', replay, '--speed', 'max', '--json', '--no-progress']);
  expect(paper.code, paper.stderr).toBe(0);
  const session = JSON.parse(paper.stdout) as { mode: string; summary: Summary };
  expect(session.mode).toBe('paper');
  const backtest = await runCli(['backtest', '--config', config, ...storeArgs, '--json', '--no-report', '--no-progress', '--no-runs-db', '--ledger', join(dir, 'backtest.sqlite')]);
  expect(backtest.code, backtest.stderr).toBe(0);
  const summary = JSON.parse(backtest.stdout) as Summary;
  expect(sameRun(session.summary)).toEqual(sameRun(summary));
  const paperEntries = entries(join(dir, 'state', 'ledger.sqlite'));
  expect(paperEntries.length).toBeGreaterThan(0);
  expect(paperEntries).toEqual(entries(join(dir, 'backtest.sqlite')));
  return { summary, kinds: paperEntries.map((e) => e.kind) };
}

describe('the new strategies in paper through the registry (perp-arb run --mode paper, replay at --speed max)', () => {
  it('calendarSpread: the synthetic example, settled at expiry as in its backtest', async () => {
    const { summary, kinds } = await paperEqualsBacktest('backtest-calendar-synthetic.json', 'synthetic', []);
    expect(summary.roundTrips.map((t) => [t.id, t.exitReason])).toEqual([['calendar-1', 'expiry']]);
    expect(summary.fills).toBe(4); // spot buy, future sell, the expiry settlement, spot sell
    expect(kinds.filter((k) => k !== 'deposit')).toEqual(['fill', 'fill', 'settlement', 'fill']);
  }, 60_000);

  it('crossVenueSpread: the AHA-HH example, replayed from a store', async () => {
    const store = join(tempDir(), 'store');
    await importIntoStore(store, [dataPath('binance_bybit_okx_8h_spot_perp_funding__AHA-HH', 'all_exchanges.csv')]);
    const { summary, kinds } = await paperEqualsBacktest('backtest-perp-spread-aha.json', store, ['--store', store]);
    expect(kinds.filter((k) => k === 'fill')).toHaveLength(summary.fills);
    expect(kinds).toContain('funding');
    expect(summary.roundTrips.map((t) => [t.id, t.exitReason])).toEqual([['xspread-1', 'meanReversion'], ['xspread-2', 'meanReversion']]);
  }, 120_000);
});
