import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DAY_MS, MINUTE_MS } from '../../src/core/time.ts';
import { CircuitBreakers, type BreakerEvent } from '../../src/risk/breakers.ts';
import { BreakersSchema } from '../../src/risk/riskConfig.ts';
import { TradingStateHolder, type TradingStateChange } from '../../src/risk/tradingState.ts';
import { FileTradingStateJournal, restoreTradingStates, tradingStateJournalPath } from '../../src/risk/tradingStateJournal.ts';
import { T0 } from '../engine/engineSupport.ts';

function setup(config: object = {}) {
  const states = new TradingStateHolder(['a', 'b']);
  const changes: TradingStateChange[] = [];
  states.subscribe((c) => changes.push(c));
  const events: BreakerEvent[] = [];
  const breakers = new CircuitBreakers(BreakersSchema.parse(config), states, ['a', 'b'], (e) => events.push(e));
  return { states, changes, events, breakers };
}

describe('circuit breakers', () => {
  it('daily loss: 100,000 at the day start, 94,000 later = 6% >= 5%: session REDUCING; cleared the next day after the 1-day cool-down', () => {
    const t = setup();
    t.breakers.onEquity(T0, 100_000);
    t.breakers.onEquity(T0 + 60 * MINUTE_MS, 95_500); // 4.5%
    expect(t.states.view().session).toBe('ACTIVE');
    t.breakers.onEquity(T0 + 120 * MINUTE_MS, 94_000);
    expect(t.states.view().session).toBe('REDUCING');
    expect(t.events[0]).toMatchObject({ breaker: 'dailyLoss', venue: null, tripped: true, state: 'REDUCING' });
    expect(t.events[0].figures.lossFraction).toBeCloseTo(0.06, 12);
    expect(t.changes[0]).toMatchObject({ kind: 'state', venue: null, state: 'REDUCING', source: 'risk', reason: expect.stringMatching(/^dailyLoss breaker: loss since the day's first equity point 6%/) });
    t.breakers.onEquity(T0 + DAY_MS, 94_000); // a new day starts at 94,000 but the cool-down runs to T0 + 2h + 1 day
    t.breakers.onClock(T0 + DAY_MS + 60 * MINUTE_MS);
    expect(t.states.view().session).toBe('REDUCING');
    t.breakers.onClock(T0 + DAY_MS + 120 * MINUTE_MS);
    expect(t.states.view().session).toBe('ACTIVE');
    expect(t.events.at(-1)).toMatchObject({ breaker: 'dailyLoss', tripped: false, state: 'ACTIVE' });
  });

  it('drawdown: peak 120,000, 95,000 is 20.8% >= 20%: session HALTED', () => {
    const t = setup();
    t.breakers.onEquity(T0, 100_000);
    t.breakers.onEquity(T0 + 2 * DAY_MS, 120_000);
    t.breakers.onEquity(T0 + 3 * DAY_MS, 97_000); // 19.2%; a day's loss of 0% (first point of the day)
    expect(t.states.view().session).toBe('ACTIVE');
    t.breakers.onEquity(T0 + 3 * DAY_MS + 1, 95_000);
    expect(t.states.view().session).toBe('HALTED');
    expect(t.events.map((e) => e.breaker)).toContain('drawdown');
    expect(t.events.find((e) => e.breaker === 'drawdown')!.figures.drawdown).toBeCloseTo(25_000 / 120_000, 12);
  });

  it('stale data: venue b silent for 11 minutes while a trades: b REDUCING when the clock moves on; fresh data clears it', () => {
    const t = setup();
    t.breakers.onMarket('a', 'X', T0, 100);
    t.breakers.onMarket('b', 'X', T0, 100);
    for (let k = 1; k <= 11; k++) t.breakers.onMarket('a', 'X', T0 + k * MINUTE_MS, 100);
    expect(t.states.view().venues.b).toBe('ACTIVE'); // at T0 + 11 min the check covered T0 + 10 min: 10 min old, not > 10
    t.breakers.onMarket('a', 'X', T0 + 12 * MINUTE_MS, 100);
    expect(t.states.view().venues).toEqual({ a: 'ACTIVE', b: 'REDUCING' });
    expect(t.events[0]).toMatchObject({ breaker: 'staleData', venue: 'b', figures: { ageMinutes: 11 } });
    t.breakers.onMarket('b', 'X', T0 + 12 * MINUTE_MS + 1, 100);
    t.breakers.onMarket('a', 'X', T0 + 13 * MINUTE_MS, 100);
    expect(t.states.view().venues.b).toBe('ACTIVE');
  });

  it('reject rate: 6 of 10 orders rejected in the hour > 50%: the venue REDUCING', () => {
    const t = setup();
    for (let k = 0; k < 9; k++) t.breakers.onOrderDone('a', k < 6, T0 + k);
    expect(t.states.view().venues.a).toBe('ACTIVE'); // 9 orders: fewer than minOrders 10
    t.breakers.onOrderDone('a', false, T0 + 9);
    expect(t.states.view().venues.a).toBe('REDUCING');
    expect(t.events[0].figures).toMatchObject({ orders: 10, rejected: 6, rejectFraction: 0.6 });
  });

  it('price move: 100 -> 111 within 30 s is 11% > 10%; 100 -> 111 two minutes apart is not', () => {
    const t = setup();
    t.breakers.onMarket('a', 'X', T0, 100);
    t.breakers.onMarket('a', 'X', T0 + 120_000, 111);
    expect(t.states.view().venues.a).toBe('ACTIVE');
    t.breakers.onMarket('a', 'X', T0 + 150_000, 123.3); // 111 -> 123.3 = 11.08% within 30 s
    expect(t.states.view().venues.a).toBe('REDUCING');
    expect(t.events[0]).toMatchObject({ breaker: 'priceMove', venue: 'a', figures: { fromPrice: 111, toPrice: 123.3 } });
  });

  it('reconciliation failed: the venue HALTED until a reconciliation passes', () => {
    const t = setup();
    t.breakers.onReconciliation('b', false, 'position 0.5 on the venue, 0.4 in the journal', T0);
    expect(t.states.view().venues.b).toBe('HALTED');
    expect(t.changes[0].reason).toMatch(/reconciliation breaker: reconciliation failed: position 0.5/);
    t.breakers.onClock(T0 + DAY_MS);
    expect(t.states.view().venues.b).toBe('HALTED');
    t.breakers.onReconciliation('b', true, '', T0 + DAY_MS);
    expect(t.states.view().venues.b).toBe('ACTIVE');
  });

  it("leaves an operator's stricter state alone when it clears", () => {
    const t = setup({ priceMove: { cooldownMinutes: 1 } });
    t.breakers.onMarket('a', 'X', T0, 100);
    t.breakers.onMarket('a', 'X', T0 + 1000, 120);
    expect(t.states.view().venues.a).toBe('REDUCING');
    t.states.set('HALTED', { venue: 'a', reason: 'operator', source: 'operator', ts: T0 + 2000 });
    t.breakers.onClock(T0 + 10 * MINUTE_MS);
    expect(t.states.view().venues.a).toBe('HALTED');
  });
});

describe('trading states survive a restart (the journal)', () => {
  it('a session journals its changes; a restarted one replays them into its holder, then keeps journalling', () => {
    const dir = mkdtempSync(join(tmpdir(), 'perp-arb-states-'));
    try {
      const file = tradingStateJournalPath(dir);
      const first = new TradingStateHolder(['a', 'b']);
      restoreTradingStates(first, new FileTradingStateJournal(file));
      first.set('HALTED', { venue: 'b', reason: 'reconciliation breaker: failed', source: 'risk', ts: T0 });
      first.set('REDUCING', { venue: null, reason: 'dailyLoss breaker', source: 'risk', ts: T0 + 1 });
      first.pauseEntries(true, { reason: 'operator pause', source: 'operator', ts: T0 + 2 });

      const second = new TradingStateHolder(['a', 'b']);
      const replayed = restoreTradingStates(second, new FileTradingStateJournal(file));
      expect(replayed).toHaveLength(3);
      expect(second.view()).toEqual({ session: 'REDUCING', venues: { a: 'ACTIVE', b: 'HALTED' }, entriesPaused: true, pauseReason: 'operator pause' });
      second.set('ACTIVE', { venue: 'b', reason: 'operator', source: 'operator', ts: T0 + 3 });
      const third = new TradingStateHolder(['a', 'b']);
      restoreTradingStates(third, new FileTradingStateJournal(file));
      expect(third.view().venues.b).toBe('ACTIVE');

      writeFileSync(join(dir, 'bad.jsonl'), '{"kind":"state"}\n');
      expect(() => new FileTradingStateJournal(join(dir, 'bad.jsonl')).load()).toThrow(/bad.jsonl:1: not a trading-state change/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
