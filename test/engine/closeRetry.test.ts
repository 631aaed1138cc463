import { replayInput } from '../../src/data/replay/replay.ts';
import { describe, expect, it } from 'vitest';
import type { OrderRequest, OrderUpdate } from '../../src/domain/trading.ts';
import { Engine } from '../../src/engine/engine.ts';
import type { TradingVenueListener } from '../../src/venues/tradingTypes.ts';
import { SimulatedVenue } from '../../src/venues/sim/simulatedVenue.ts';
import { bars, EXACT_FILLS, MINUTE, perp, spot, T0 } from './engineSupport.ts';
import { ScriptedStrategy } from './scriptedStrategy.ts';

const V = 'sim';
const SPOT = 'BTC/USDT';
const PERP = 'BTC/USDT:USDT';

/** A simulated venue that rejects the first order whose client id contains `rejectOnce`. */
class RejectOnceVenue extends SimulatedVenue {
  private readonly taps: TradingVenueListener[] = [];
  private armed = true;
  constructor(
    config: ConstructorParameters<typeof SimulatedVenue>[0],
    private readonly rejectOnce: string,
  ) {
    super(config);
  }

  override subscribe(listener: TradingVenueListener): () => void {
    this.taps.push(listener);
    return super.subscribe(listener);
  }

  override submit(order: OrderRequest): Promise<OrderUpdate> {
    if (!this.armed || !order.clientOrderId.includes(this.rejectOnce)) return super.submit(order);
    this.armed = false;
    const update: OrderUpdate = { clientOrderId: order.clientOrderId, venue: this.venue, symbol: order.symbol, status: 'rejected', filledQuantity: 0, reason: 'test: venue busy', ts: order.ts };
    for (const listener of this.taps) listener({ type: 'order', update });
    return Promise.resolve(update);
  }
}

describe('pair executor: a leg that fails to close is retried on the next market event', () => {
  it('closeRetry, then the retry closes the leg; the pair view is one live object', async () => {
    const instruments = [spot(V), perp(V)];
    const venue = new RejectOnceVenue({ venue: V, instruments, balances: { USDT: 100_000 }, fill: EXACT_FILLS, margin: { defaults: { leverage: 2 } } }, '/close/long/');
    const legs = { long: { venue: V, symbol: SPOT }, short: { venue: V, symbol: PERP } };
    const strategy = new ScriptedStrategy(
      [legs.long, legs.short],
      [
        { atMs: T0 + MINUTE, intent: { kind: 'openPair', id: 'p1', ...legs, notionalUsd: 10_000, reason: 'test', reasonCode: 'threshold' } },
        { atMs: T0 + 3 * MINUTE, intent: { kind: 'closePair', id: 'p1', reason: 'test', reasonCode: 'meanReversion' } },
      ],
    );
    const engine = new Engine({ venues: [venue], instruments, strategy, deposits: [{ venue: V, asset: 'USDT', amount: 100_000 }] });
    const flat = (close: number) => Array.from({ length: 6 }, (_, k) => ({ ts: T0 + k * MINUTE, close }));
    const views: unknown[] = [];
    engine.executor.subscribe((e) => {
      if (e.type === 'pairOpened') views.push(engine.executor.pair('p1'));
    });
    const result = await engine.run(replayInput([bars(V, SPOT, flat(50_000)), bars(V, PERP, flat(50_000))]));

    expect(result.execution.map((e) => e.type)).toEqual(['pairOpened', 'closeRetry', 'pairClosed']);
    // The close at T0+3m (on the spot bar): the spot sell is rejected, the perp buy fills.
    expect(result.execution[1]).toMatchObject({ id: 'p1', ts: T0 + 3 * MINUTE, leg: 'long', remaining: 0.2, reason: 'long close: rejected (test: venue busy)' });
    // Retried on the next market event (the perp bar of the same minute) and closed there.
    expect(result.execution[2]).toMatchObject({ id: 'p1', ts: T0 + 3 * MINUTE });
    expect(await venue.positions()).toEqual([]);
    expect(engine.ledger.cash(V).find((c) => c.asset === 'BTC')?.amount ?? 0n).toBe(0n);
    expect(result.fills).toHaveLength(4);

    // pair() returns the same object every time, refreshed in place.
    const view = engine.executor.pair('p1')!;
    expect(views[0]).toBe(view);
    expect(view).toMatchObject({ id: 'p1', status: 'closed', longQty: 0, shortQty: 0, openedAtMs: T0 + MINUTE });
    expect(engine.executor.activePairs()).toEqual([]);
  });
});
