import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { Ledger } from '../../src/portfolio/ledger.ts';
import { LedgerFileError, SqliteLedgerStore } from '../../src/portfolio/sqliteLedgerStore.ts';
import { useTempDirs } from '../support/tempDir.ts';
import { fill, instrument, m } from './fixtures.ts';
import { applyRandomEvent, positionOfLedger, RANDOM_INSTRUMENTS, randomEvents } from './randomEvents.ts';

const tempDir = useTempDirs();

/** Everything a query can see, for equality between a live and a rebuilt ledger. */
function snapshot(ledger: Ledger) {
  const sortKey = (b: { account: string; asset: string }) => `${b.account}\u0000${b.asset}`;
  return {
    entryCount: ledger.entryCount,
    balances: ledger.accountBalances().sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : 1)),
    totals: ledger.totals(),
    cash: ledger.cash(),
    positions: ledger.positions({ includeFlat: true }),
    instruments: ledger.instruments().sort((a, b) => (a.venue + a.symbol < b.venue + b.symbol ? -1 : 1)),
  };
}

describe('SqliteLedgerStore', () => {
  it('writes the random journal, reopens it and rebuilds the same balances; measures the write rate', () => {
    const path = join(tempDir(), 'ledger.sqlite');
    const store = SqliteLedgerStore.open(path);
    const ledger = new Ledger({ instruments: RANDOM_INSTRUMENTS, sink: store });
    // Generate the events against a ledger without a store, then time booking them with the store.
    const replay = new Ledger({ instruments: RANDOM_INSTRUMENTS });
    const booked = [];
    for (const event of randomEvents(11, 10_000, positionOfLedger(replay))) {
      applyRandomEvent(replay, event);
      booked.push(event);
    }
    const started = performance.now();
    for (const event of booked) applyRandomEvent(ledger, event);
    store.flush();
    const seconds = (performance.now() - started) / 1000;
    const rate = Math.round(ledger.entryCount / seconds);
    console.log(`ledger + SQLite: ${ledger.entryCount} entries in ${seconds.toFixed(3)} s = ${rate} entries/s (batches of 1000, WAL)`);
    expect(rate).toBeGreaterThan(5_000);
    const before = snapshot(ledger);
    expect(before).toEqual(snapshot(replay));
    store.close();

    const reopened = SqliteLedgerStore.open(path);
    expect(reopened.storedEntryCount()).toBe(ledger.entryCount);
    const rebuilt = reopened.loadLedger();
    expect(snapshot(rebuilt)).toEqual(before);

    // The rebuilt ledger keeps writing to the same file.
    rebuilt.recordDeposit({ venue: 'binance', asset: 'USDT', amount: '0.00000001', ts: 1_900_000_000_000 });
    reopened.close();
    const again = SqliteLedgerStore.open(path, { readonly: true });
    const third = again.loadLedger();
    expect(third.entryCount).toBe(before.entryCount + 1);
    expect(third.cashBalance('binance', 'USDT')).toBe(rebuilt.cashBalance('binance', 'USDT'));
    again.close();

    // Amounts are exact decimal TEXT, never REAL.
    const db = new Database(path, { readonly: true });
    expect(db.prepare("SELECT COUNT(*) FROM postings WHERE typeof(amount) != 'text'").pluck().get()).toBe(0);
    expect(db.prepare("SELECT value FROM meta WHERE key = 'format'").pluck().get()).toBe('perp-arb-ledger');
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('one transaction per entry (batchSize 1) is durable entry by entry; measures that rate', () => {
    const path = join(tempDir(), 'live.sqlite');
    const store = SqliteLedgerStore.open(path, { batchSize: 1 });
    const ledger = new Ledger({ instruments: [instrument('binance', 'BTC/USDT:USDT', 1)], sink: store });
    const started = performance.now();
    for (let i = 0; i < 2000; i++) ledger.recordFill(fill('binance', 'BTC/USDT:USDT', i % 2 ? 'sell' : 'buy', 0.001, 100000 + i, 0.04, 'USDT', 1_700_000_000_000 + i));
    const seconds = (performance.now() - started) / 1000;
    console.log(`ledger + SQLite, one transaction per entry: ${Math.round(2000 / seconds)} entries/s`);
    // Everything is on disk without flush or close: a second connection sees it.
    const other = SqliteLedgerStore.open(path, { readonly: true });
    expect(other.storedEntryCount()).toBe(2000);
    expect(other.loadLedger().cashBalance('binance', 'USDT')).toBe(ledger.cashBalance('binance', 'USDT'));
    other.close();
    store.close();
  });

  it('a hand case survives the round trip to the last minor unit', () => {
    const path = join(tempDir(), 'hand.sqlite');
    const store = SqliteLedgerStore.open(path, { batchSize: 3 });
    const ledger = new Ledger({ instruments: [instrument('bybit', 'BTC/USD:BTC', 100)], sink: store });
    ledger.recordDeposit({ venue: 'bybit', asset: 'BTC', amount: 0.1, ts: 1 });
    ledger.recordFill(fill('bybit', 'BTC/USD:BTC', 'sell', 10, 50000, 0, 'BTC'));
    ledger.recordFill(fill('bybit', 'BTC/USD:BTC', 'buy', 10, 60000, 0.0000001, 'BTC'));
    store.close();
    const reopened = SqliteLedgerStore.open(path);
    const rebuilt = reopened.loadLedger();
    expect(rebuilt.cashBalance('bybit', 'BTC')).toBe(m('0.09666657')); // 0.1 - 0.00333333 - 0.0000001
    const entries = [...reopened.readEntries()];
    expect(entries.map((e) => e.kind)).toEqual(['deposit', 'fill', 'fill']);
    expect(entries[2].postings).toContainEqual({ account: 'pnl:bybit:BTC/USD:BTC', asset: 'BTC', amount: m('0.00333333') });
    reopened.close();
  });

  it('refuses files that are not perp-arb ledgers, naming the file, and leaves them untouched', () => {
    const dir = tempDir();
    const garbage = join(dir, 'notes.txt');
    writeFileSync(garbage, 'these are not the droids you are looking for\n'.repeat(200));
    expect(() => SqliteLedgerStore.open(garbage)).toThrow(LedgerFileError);
    expect(() => SqliteLedgerStore.open(garbage)).toThrow(`${garbage}: not a perp-arb ledger: not an SQLite database`);

    const foreign = join(dir, 'other.sqlite');
    const db = new Database(foreign);
    db.exec('CREATE TABLE trades (id INTEGER PRIMARY KEY, price REAL)');
    db.close();
    expect(() => SqliteLedgerStore.open(foreign)).toThrow(`${foreign}: not a perp-arb ledger: an SQLite database without the ledger tables (it has: trades)`);
    const check = new Database(foreign, { readonly: true });
    expect(check.pragma('journal_mode', { simple: true })).toBe('delete'); // not switched to WAL
    check.close();

    const newer = join(dir, 'newer.sqlite');
    SqliteLedgerStore.open(newer).close();
    const edit = new Database(newer);
    edit.prepare("UPDATE meta SET value = '99' WHERE key = 'schemaVersion'").run();
    edit.close();
    expect(() => SqliteLedgerStore.open(newer)).toThrow(/newer\.sqlite: perp-arb ledger schema 99 is newer than this build reads \(2\)/);

    // A tampered journal (an amount edited so an entry no longer balances) is caught on rebuild.
    const tampered = join(dir, 'tampered.sqlite');
    const store = SqliteLedgerStore.open(tampered);
    const ledger = new Ledger({ instruments: [instrument('binance', 'BTC/USDT')], sink: store });
    ledger.recordDeposit({ venue: 'binance', asset: 'USDT', amount: 100, ts: 1 });
    store.close();
    const t = new Database(tampered);
    t.prepare("UPDATE postings SET amount = '1000' WHERE seq = 1 AND idx = 0").run();
    t.close();
    const reopened = SqliteLedgerStore.open(tampered);
    expect(() => reopened.loadLedger()).toThrow(/tampered\.sqlite: journal entry 1 \(deposit .*\) does not balance: USDT postings sum to 900/);
    reopened.close();
  });
});
