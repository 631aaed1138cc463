import { describe, expect, it } from 'vitest';
import { replayInput } from '../../src/data/replay/replay.ts';
import { Engine } from '../../src/engine/engine.ts';
import type { EngineEvent } from '../../src/engine/events.ts';
import { NO_INTENTS, type Intent, type InstrumentRef, type MarketUpdate, type Strategy, type StrategyContext, type StrategyTimer } from '../../src/strategy/types.ts';
import { SimulatedVenue } from '../../src/venues/sim/simulatedVenue.ts';
import { bars, EXACT_FILLS, MINUTE, perp, spot, T0 } from './engineSupport.ts';

const V = 'sim';
const LEGS: InstrumentRef[] = [
  { venue: V, symbol: 'BTC/USDT' },
  { venue: V, symbol: 'BTC/USDT:USDT' },
];

/** Opens a pair on the first price, asks for a timer 90 s later, then one every 5 minutes; closes on the third. */
class TimerStrategy implements Strategy {
  readonly name = 'timers';
  readonly calls: string[] = [];
  private started = false;
  instruments(): readonly InstrumentRef[] {
    return LEGS;
  }
  onEvent(update: MarketUpdate, context: StrategyContext): readonly Intent[] {
    if (this.started || !(context.market.get(V, 'BTC/USDT:USDT')!.price > 0) || !(context.market.get(V, 'BTC/USDT')!.price > 0)) return NO_INTENTS;
    this.started = true;
    context.setTimer(context.nowMs + 90_000, 'first');
    const never = context.setTimer(context.nowMs + 1_000, 'cancelled');
    context.cancelTimer(never);
    return [{ kind: 'openPair', id: 'p1', long: LEGS[0], short: LEGS[1], notionalUsd: 1_000, reason: 'test', reasonCode: 'threshold' }];
  }
  onTimer(timer: StrategyTimer, context: StrategyContext): readonly Intent[] {
    this.calls.push(`${timer.tag}@${(timer.atMs - T0) / 1000}s now ${(context.nowMs - T0) / 1000}s`);
    if (this.calls.length < 3) {
      context.setTimer(timer.atMs + 5 * MINUTE, `every5m-${this.calls.length}`);
      return NO_INTENTS;
    }
    return [{ kind: 'closePair', id: 'p1', reason: 'third timer', reasonCode: 'meanReversion' }];
  }
}

async function run(): Promise<{ calls: string[]; events: string[]; closedAt: number | undefined }> {
  const instruments = [spot(V), perp(V)];
  const venue = new SimulatedVenue({ venue: V, instruments, balances: { USDT: 100_000 }, fill: EXACT_FILLS, margin: { defaults: { leverage: 2 } } });
  const strategy = new TimerStrategy();
  const engine = new Engine({ venues: [venue], instruments, strategy, deposits: [{ venue: V, asset: 'USDT', amount: 100_000 }] });
  const events: string[] = [];
  engine.events.subscribe((e: EngineEvent) => events.push(e.type === 'timer' ? `timer ${e.tag}` : `intent ${e.type === 'intent' ? e.intent.kind : ''}`), { name: 'test', types: ['timer', 'intent'] });
  const rows = Array.from({ length: 30 }, (_, k) => ({ ts: T0 + k * MINUTE, close: 50_000 }));
  const result = await engine.run(replayInput([bars(V, 'BTC/USDT', rows), bars(V, 'BTC/USDT:USDT', rows)]));
  return { calls: strategy.calls, events, closedAt: result.execution.find((e) => e.type === 'pairClosed')?.ts };
}

describe('strategy timers in a backtest', () => {
  it('fire at their simulated times, the same in two runs, and their intents are executed', async () => {
    const first = await run();
    // The first 1m bars close at T0 + 60 s: the strategy opens then and asks for T0 + 150 s.
    expect(first.calls).toEqual(['first@150s now 150s', 'every5m-1@450s now 450s', 'every5m-2@750s now 750s']);
    expect(first.events).toEqual(['intent openPair', 'timer first', 'timer every5m-1', 'timer every5m-2', 'intent closePair']);
    // The close is sent at the timer's time (750 s) and fills on the next bar's data.
    expect(first.closedAt).toBe(T0 + 750_000);
    expect(await run()).toEqual(first);
  });
});
