import { replayInput } from '../../src/data/replay/replay.ts';
import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.ts';
import type { Intent, MarketUpdate, Strategy, StrategyContext } from '../../src/strategy/types.ts';
import { NO_INTENTS } from '../../src/strategy/types.ts';
import { SimulatedVenue } from '../../src/venues/sim/simulatedVenue.ts';
import { bars, EXACT_FILLS, MINUTE, perp, spot, T0 } from './engineSupport.ts';

const V = 'sim';
const legs = { long: { venue: V, symbol: 'BTC/USDT' }, short: { venue: V, symbol: 'BTC/USDT:USDT' } };

/** Asks to open a pair on every update while none is active, and records the times it saw. */
class EagerStrategy implements Strategy {
  readonly name = 'eager';
  readonly seen: number[] = [];
  private n = 0;
  instruments() {
    return [legs.long, legs.short];
  }
  onEvent(update: MarketUpdate, context: StrategyContext): readonly Intent[] {
    this.seen.push(update.timeMs);
    if (context.positions.activePairs().length > 0) return NO_INTENTS;
    if (!(context.market.get(V, legs.long.symbol)!.price > 0 && context.market.get(V, legs.short.symbol)!.price > 0)) return NO_INTENTS;
    return [{ kind: 'openPair', id: `p${++this.n}`, ...legs, notionalUsd: 10_000, reason: 'test', reasonCode: 'threshold' }];
  }
}

describe('engine warm-up (tradeFromMs)', () => {
  it('the strategy sees the warm-up events, but nothing is traded or sampled before tradeFromMs', async () => {
    const instruments = [spot(V), perp(V)];
    const venue = new SimulatedVenue({ venue: V, instruments, balances: { USDT: 100_000 }, fill: EXACT_FILLS, margin: { defaults: { leverage: 2 } } });
    const strategy = new EagerStrategy();
    const engine = new Engine({ venues: [venue], instruments, strategy, deposits: [{ venue: V, asset: 'USDT', amount: 100_000 }], equitySampleMs: MINUTE });
    const flat = Array.from({ length: 10 }, (_, k) => ({ ts: T0 + k * MINUTE, close: 50_000 }));
    const tradeFromMs = T0 + 6 * MINUTE;
    const result = await engine.run(replayInput([bars(V, 'BTC/USDT', flat), bars(V, 'BTC/USDT:USDT', flat)]), { tradeFromMs });

    // Bars become events at their close (ts + 1m): the strategy saw updates from T0 + 1m on.
    expect(Math.min(...strategy.seen)).toBe(T0 + MINUTE);
    expect(strategy.seen.filter((t) => t < tradeFromMs).length).toBeGreaterThanOrEqual(8);
    // The 9 intents asked before tradeFromMs were dropped (no order, no failed pair); the 10th, at tradeFromMs, opened.
    expect(result.execution.map((e) => [e.type, e.id, e.ts])).toEqual([['pairOpened', 'p10', tradeFromMs]]);
    expect(Math.min(...result.fills.map((f) => f.ts))).toBe(tradeFromMs);
    // The equity curve starts where trading starts, with the deposit intact.
    expect(result.equity[0]).toEqual({ ts: tradeFromMs, equityUsd: 100_000 });
  });
});
