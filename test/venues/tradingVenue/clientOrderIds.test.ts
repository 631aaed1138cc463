import { describe, expect, it } from 'vitest';
import { ClientOrderIds, clientOrderIdProblem, CLIENT_ORDER_ID_RULES, MemoryClientIdCounter, newSessionTag, type ClientIdCounterStore } from '../../../src/venues/ccxt/trading/clientOrderIds.ts';

describe('client order ids', () => {
  it('are valid on every supported venue, Hyperliquid as a 128-bit hex cloid', () => {
    const ids = new ClientOrderIds({ sessionTag: 'k3x9', counter: new MemoryClientIdCounter(36 ** 10 - 300) });
    for (const venue of Object.keys(CLIENT_ORDER_ID_RULES)) {
      const id = ids.next(venue);
      expect(clientOrderIdProblem(venue, id), `${venue} ${id}`).toBeNull();
    }
    const first = new ClientOrderIds({ sessionTag: 'k3x9', counter: new MemoryClientIdCounter() });
    expect(first.next('binance')).toBe('pak3x90');
    expect(first.next('okx')).toBe('pak3x91');
    expect(first.next('gate')).toBe('pak3x92');
    const cloid = first.next('hyperliquid');
    expect(cloid).toBe(`0x${Buffer.from('pak3x90000000003').toString('hex')}`);
    expect(cloid).toMatch(/^0x[0-9a-f]{32}$/);
    expect([first.isOwn('pak3x90'), first.isOwn(cloid), first.isOwn('pazzzz0'), first.isOwn('pak3x9'), first.isOwn('random')]).toEqual([true, true, false, false, false]);
  });

  it('unique across restarts: the counter store is reserved in blocks before use, and a restart continues after the last block', () => {
    let persisted = 0;
    const reservations: number[] = [];
    const store: ClientIdCounterStore = {
      reserve(count) {
        const first = persisted;
        persisted += count;
        reservations.push(first);
        return first;
      },
    };
    const run = (n: number) => {
      const ids = new ClientOrderIds({ sessionTag: 'ab12', counter: store, blockSize: 4 });
      return Array.from({ length: n }, () => ids.next('bybit'));
    };
    const before = run(5);
    const after = run(3); // a crash after 5 ids: the second block (4..7) is skipped, never reused
    expect(before).toEqual(['paab120', 'paab121', 'paab122', 'paab123', 'paab124']);
    expect(after).toEqual(['paab128', 'paab129', 'paab12a']);
    expect(reservations).toEqual([0, 4, 8]);
    expect(new Set([...before, ...after]).size).toBe(8);
  });

  it('venue rules: what each venue refuses is refused before sending, with the rule named', () => {
    expect(clientOrderIdProblem('okx', 'pair-1')).toBe("okx client order ids are 1 to 32 letters and digits (got 'pair-1')");
    expect(clientOrderIdProblem('bybit', 'a/b')).toMatch(/bybit client order ids are 1 to 36 characters/);
    expect(clientOrderIdProblem('binance', 'pair/open:1')).toBeNull();
    expect(clientOrderIdProblem('binance', 'x'.repeat(37))).toMatch(/1 to 36/);
    expect(clientOrderIdProblem('gate', 'x'.repeat(27))).toMatch(/1 to 26 .*t-<id>/);
    expect(clientOrderIdProblem('hyperliquid', 'pak3x90')).toMatch(/128-bit cloid/);
    expect(clientOrderIdProblem('anyVenue', 'whatever id')).toBeNull();
    expect(clientOrderIdProblem('binance', '')).toBe('the client order id is empty');
    expect(() => new ClientOrderIds({ sessionTag: 'AB!', counter: new MemoryClientIdCounter() })).toThrow(/4 characters of \[0-9a-z\]/);
    const draws = [0.01, 0.5, 0.99, 0.2];
    expect(newSessionTag(() => draws.shift()!)).toBe('0iz7');
  });
});
