import Database from 'better-sqlite3';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExecutionStore } from '../../src/engine/runtime/executionStore.ts';
import type { PairJournalEntry } from '../../src/execution/pairJournal.ts';
import { ClientOrderIds } from '../../src/venues/ccxt/trading/clientOrderIds.ts';
import { useTempDirs } from '../support/tempDir.ts';

const pair = { id: 'p1', status: 'opening' as const, long: { venue: 'bybit', symbol: 'SYN/USDT:USDT' }, short: { venue: 'binance', symbol: 'SYN/USDT:USDT' }, longQty: 0, shortQty: 0, openedAtMs: null };
const send = (clientOrderId: string, leg: 'long' | 'short', ts: number): PairJournalEntry => ({
  kind: 'send',
  ts,
  pair,
  order: { clientOrderId, pairId: 'p1', leg, purpose: 'open', venue: leg === 'long' ? 'bybit' : 'binance', symbol: 'SYN/USDT:USDT', side: leg === 'long' ? 'buy' : 'sell', quantity: 0.02, reduceOnly: false },
});

describe('the SQLite execution store of a state directory', () => {
  const tempDir = useTempDirs();

  it('keeps the pair journal, the session tag and the client id counter across a reopen', () => {
    const file = join(tempDir(), 'execution.sqlite');
    const first = ExecutionStore.open(file);
    const ids = new ClientOrderIds({ sessionTag: first.sessionTag, counter: first, blockSize: 10 });
    const a = ids.next('bybit');
    const b = ids.next('binance');
    first.journal.append(send(a, 'long', 1000));
    first.journal.append(send(b, 'short', 1000));
    first.journal.append({ kind: 'orderDone', ts: 1005, pairId: 'p1', clientOrderId: a, status: 'filled', filledQuantity: 0.02 });
    first.close(); // a crash: the short leg's end was never seen
    const second = ExecutionStore.open(file);
    expect(second.sessionTag).toBe(first.sessionTag);
    const state = second.state();
    expect([...state.openOrders.values()]).toEqual([expect.objectContaining({ clientOrderId: b, leg: 'short', venue: 'binance', sentAtMs: 1000 })]);
    expect(state.pairs.get('p1')).toMatchObject({ status: 'opening' });
    const again = new ClientOrderIds({ sessionTag: second.sessionTag, counter: second, blockSize: 10 });
    const c = again.next('bybit');
    expect(c).toBe(`pa${second.sessionTag}a`); // after the reserved block 0..9: 10 in base 36
    expect(new Set([a, b, c]).size).toBe(3);
    expect(second.entries()).toHaveLength(3);
    second.close();
  });

  it('refuses a file of another kind', () => {
    const file = join(tempDir(), 'x.sqlite');
    const store = ExecutionStore.open(file);
    store.close();
    const db = new Database(file);
    db.prepare("UPDATE meta SET value = 'something-else' WHERE key = 'format'").run();
    db.close();
    expect(() => ExecutionStore.open(file)).toThrow(/not a perp-arb execution store/);
  });
});
