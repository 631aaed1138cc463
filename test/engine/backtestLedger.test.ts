import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { loadBacktestConfig, runBacktest } from '../../src/engine/backtest.ts';
import { minorToNumber, parseMinor } from '../../src/portfolio/money.ts';
import { SqliteLedgerStore } from '../../src/portfolio/sqliteLedgerStore.ts';
import { runCli } from '../support/cli.ts';
import { PROJECT_ROOT } from '../support/paths.ts';
import { useTempDirs } from '../support/tempDir.ts';

const CARRY = join(PROJECT_ROOT, 'examples', 'backtest-carry-synthetic.json');

/** Sums of the stored postings by account type (debit positive), read with plain SQL, exact. */
function postingSums(file: string): { byType: Map<string, bigint>; kinds: Map<string, number> } {
  const db = new Database(file, { readonly: true });
  try {
    const byType = new Map<string, bigint>();
    for (const row of db.prepare('SELECT account, asset, amount FROM postings').iterate() as IterableIterator<{ account: string; asset: string; amount: string }>) {
      if (row.asset !== 'USDT') continue;
      const type = row.account.slice(0, row.account.indexOf(':'));
      byType.set(type, (byType.get(type) ?? 0n) + parseMinor(row.amount));
    }
    const kinds = new Map((db.prepare('SELECT kind, COUNT(*) AS n FROM entries GROUP BY kind').all() as { kind: string; n: number }[]).map((r) => [r.kind, r.n]));
    return { byType, kinds };
  } finally {
    db.close();
  }
}

describe('perp-arb backtest --ledger FILE', () => {
  const tempDir = useTempDirs();

  it('journals every fill, funding payment and fee: the file totals equal the JSON summary to the cent', async () => {
    const file = join(tempDir(), 'run.sqlite');
    const { stdout, stderr, code } = await runCli(['backtest', '--config', CARRY, '--json', '--no-report', '--ledger', file]);
    expect(code, stderr).toBe(0);
    const summary = JSON.parse(stdout);
    expect(stderr).toContain(`ledger: ${file}`);
    expect(summary.fills).toBeGreaterThan(0);
    expect(Math.abs(summary.fundingPnl)).toBeGreaterThan(1);

    const { byType, kinds } = postingSums(file);
    // Funding accounts are credited with what is received; fee accounts debited with what is paid.
    const funding = -(byType.get('funding') ?? 0n);
    const fees = byType.get('fee') ?? 0n;
    expect(minorToNumber(funding).toFixed(2)).toBe(summary.fundingPnl.toFixed(2));
    expect(minorToNumber(fees).toFixed(2)).toBe(summary.feesPaid.toFixed(2));
    expect(minorToNumber(byType.get('borrow') ?? 0n).toFixed(2)).toBe(summary.borrowPaid.toFixed(2));
    expect(kinds.get('fill')).toBe(summary.fills);
    expect(kinds.get('deposit')).toBe(1);
    expect(kinds.get('funding')).toBeGreaterThan(0);
    // Double entry in the file: every asset's postings sum to zero.
    let total = 0n;
    for (const amount of byType.values()) total += amount;
    expect(total).toBe(0n);

    // The file rebuilds the run's ledger (every entry re-checked), with the same totals.
    const store = SqliteLedgerStore.open(file, { readonly: true });
    try {
      const totals = store.loadLedger().totals();
      expect(minorToNumber(totals.fundingNet.USDT!)).toBe(minorToNumber(funding));
      expect(minorToNumber(totals.feesPaid.USDT!)).toBe(minorToNumber(fees));
    } finally {
      store.close();
    }
  }, 120_000);

  it('journals a liquidation as kind liquidation with its fee in the liquidation account, not as a taker fill', async () => {
    const dir = tempDir();
    const config = JSON.parse(readFileSync(CARRY, 'utf8'));
    config.venues[0] = { ...config.venues[0], leverage: 10, marginMode: 'isolated' }; // liquidated twice
    const configFile = join(dir, 'carry-10x.json');
    writeFileSync(configFile, JSON.stringify(config));
    const file = join(dir, 'run.sqlite');
    const { stdout, stderr, code } = await runCli(['backtest', '--config', configFile, '--json', '--no-report', '--ledger', file]);
    expect(code, stderr).toBe(0);
    const summary = JSON.parse(stdout);
    expect(summary.liquidations).toBe(2);
    const { byType, kinds } = postingSums(file);
    expect(kinds.get('liquidation')).toBe(2);
    // Every fill is journalled once: the venue's two liquidation fills as liquidations, the rest as fills.
    expect(kinds.get('fill')).toBe(summary.fills - 2);
    // Exact: the liquidation account holds the liquidation fees, the fee account only trading fees.
    expect(minorToNumber(byType.get('liquidation')!)).toBe(summary.liquidationFeesPaid);
    expect(minorToNumber(byType.get('fee')!)).toBe(summary.feesPaid);
    expect(-summary.pnlBreakdown.liquidationFeesUsd).toBe(summary.liquidationFeesPaid);
    expect(summary.liquidationFeesPaid.toFixed(2)).toBe('437.50');
  }, 120_000);

  it('runBacktest passes ledgerSink to the engine: one journal entry per ledger entry', async () => {
    const file = join(tempDir(), 'direct.sqlite');
    const store = SqliteLedgerStore.open(file);
    const { result, summary } = await runBacktest(loadBacktestConfig(CARRY), { ledgerSink: store });
    store.close();
    expect(store.storedEntryCount()).toBe(result.ledger.entryCount);
    const { kinds } = postingSums(file);
    expect(kinds.get('fill')).toBe(summary.fills);
    expect(kinds.get('funding')).toBe(result.funding.length);
  }, 120_000);

  it('refuses an existing file, naming it, and writes nothing', async () => {
    const file = join(tempDir(), 'old.sqlite');
    writeFileSync(file, 'not empty');
    const { stdout, code } = await runCli(['backtest', '--config', CARRY, '--json', '--no-report', '--ledger', file]);
    expect(code).not.toBe(0);
    expect(JSON.parse(stdout).error).toContain(`--ledger ${file}: the file exists`);
    expect(existsSync(`${file}-wal`)).toBe(false);
  }, 120_000);
});
