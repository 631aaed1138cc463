import { describe, expect, it } from 'vitest';
import { replayInput } from '../../src/data/replay/replay.ts';
import { Engine } from '../../src/engine/engine.ts';
import type { EngineEvent } from '../../src/engine/events.ts';
import { EventStream } from '../../src/engine/eventStream.ts';
import { SimulatedVenue } from '../../src/venues/sim/simulatedVenue.ts';
import { bars, EXACT_FILLS, MINUTE, perp, spot, T0 } from './engineSupport.ts';
import { ScriptedStrategy } from './scriptedStrategy.ts';

const V = 'sim';
const LEGS = [
  { venue: V, symbol: 'BTC/USDT' },
  { venue: V, symbol: 'BTC/USDT:USDT' },
];

function engineWithPair(): { engine: Engine; input: ReturnType<typeof replayInput> } {
  const instruments = [spot(V), perp(V)];
  const venue = new SimulatedVenue({ venue: V, instruments, balances: { USDT: 100_000 }, fill: EXACT_FILLS, margin: { defaults: { leverage: 2 } } });
  const strategy = new ScriptedStrategy(LEGS, [
    { atMs: T0, intent: { kind: 'openPair', id: 'p1', long: LEGS[0], short: LEGS[1], notionalUsd: 1_000, reason: 'open', reasonCode: 'threshold' } },
    { atMs: T0 + 5 * MINUTE, intent: { kind: 'closePair', id: 'p1', reason: 'close', reasonCode: 'meanReversion' } },
  ]);
  const engine = new Engine({ venues: [venue], instruments, strategy, deposits: [{ venue: V, asset: 'USDT', amount: 100_000 }] });
  const rows = Array.from({ length: 10 }, (_, k) => ({ ts: T0 + k * MINUTE, close: 50_000 }));
  return { engine, input: replayInput([bars(V, 'BTC/USDT', rows), bars(V, 'BTC/USDT:USDT', rows)]) };
}

describe('the engine event stream', () => {
  it('tells one round trip in order: intent, orders submitted and filled, fills with the ledger entries, pair opened, ... pair closed', async () => {
    const { engine, input } = engineWithPair();
    const seen: string[] = [];
    engine.events.subscribe(
      (e: EngineEvent) => {
        if (e.type === 'order') seen.push(`order ${e.status} ${e.symbol}`);
        else if (e.type === 'execution') seen.push(`execution ${e.event.type}`);
        else if (e.type === 'fill') seen.push(`fill ${e.fill.side} ${e.fill.symbol}`);
        else if (e.type === 'intent') seen.push(`intent ${e.intent.kind}`);
        else if (e.type === 'ledgerEntry') seen.push(`ledger ${e.entry.kind}`);
      },
      { name: 'test', types: ['order', 'execution', 'fill', 'intent', 'ledgerEntry'] },
    );
    const result = await engine.run(input);
    const open = [
      'intent openPair',
      'order submitted BTC/USDT',
      'order accepted BTC/USDT',
      'ledger fill',
      'fill buy BTC/USDT',
      'order filled BTC/USDT',
      'order submitted BTC/USDT:USDT',
      'order accepted BTC/USDT:USDT',
      'ledger fill',
      'fill sell BTC/USDT:USDT',
      'order filled BTC/USDT:USDT',
      'execution pairOpened',
    ];
    expect(seen.slice(0, 13)).toEqual(['ledger deposit', ...open]);
    expect(seen.at(-1)).toBe('execution pairClosed');
    expect(seen.filter((s) => s === 'ledger fill')).toHaveLength(4);
    expect(result.fills).toHaveLength(4);
  });

  it('a subscriber that throws is detached and reported; the engine and the other subscribers go on', async () => {
    const { engine, input } = engineWithPair();
    let badCalls = 0;
    const errors: string[] = [];
    let equitySamples = 0;
    engine.events.subscribe(
      () => {
        badCalls++;
        throw new Error('disk full');
      },
      { name: 'flaky dashboard', types: ['fill'] },
    );
    engine.events.subscribe((e) => e.type === 'error' && errors.push(`${e.source}: ${e.message}`), { name: 'alerts', types: ['error'] });
    engine.events.subscribe(() => equitySamples++, { name: 'equity', types: ['equity'] });
    const result = await engine.run(input);
    expect(badCalls).toBe(1);
    expect(errors).toEqual(["subscriber 'flaky dashboard': fill event: disk full"]);
    expect(engine.events.failures).toEqual([{ name: 'flaky dashboard', eventType: 'fill', message: 'disk full' }]);
    expect(result.fills).toHaveLength(4);
    expect(equitySamples).toBe(result.equity.length);
  });

  it('market events reach a subscriber (one per replayed row) and progress events one per batch', async () => {
    const { engine, input } = engineWithPair();
    const times: number[] = [];
    let progress = 0;
    engine.events.subscribe((e) => e.type === 'market' && times.push(e.cursor.time), { name: 'market', types: ['market'] });
    engine.events.subscribe(() => progress++, { name: 'progress', types: ['progress'] });
    const result = await engine.run(input);
    expect(times).toHaveLength(20);
    expect(times[0]).toBe(T0 + MINUTE); // a bar is an event at its close
    expect(result.stats.events).toBe(20);
    expect(progress).toBeGreaterThan(0);
  });
});

describe('EventStream', () => {
  it('delivers by type, unsubscribes, and says whether a type has listeners', () => {
    const stream = new EventStream<{ type: 'a' | 'b' | 'error'; n?: number }>(() => ({ type: 'error' }));
    const got: string[] = [];
    expect(stream.wants('a')).toBe(false);
    const off = stream.subscribe((e) => got.push(`a${e.n}`), { name: 'x', types: ['a'] });
    stream.subscribe((e) => got.push(`all ${e.type}`), { name: 'y' });
    expect(stream.wants('a')).toBe(true);
    stream.emit({ type: 'a', n: 1 });
    stream.emit({ type: 'b' });
    off();
    stream.emit({ type: 'a', n: 2 });
    expect(got).toEqual(['a1', 'all a', 'all b', 'all a']);
  });
});
