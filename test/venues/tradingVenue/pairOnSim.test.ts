import { describe, expect, it } from 'vitest';
import { HOUR_MS } from '../../../src/core/time.ts';
import { SimulatedClock } from '../../../src/engine/clock.ts';
import { PairExecutor, type ExecutionEvent } from '../../../src/execution/pairExecutor.ts';
import { MemoryPairJournal } from '../../../src/execution/pairJournal.ts';
import type { InstrumentSnapshot } from '../../../src/strategy/types.ts';
import { ClientOrderIds, MemoryClientIdCounter } from '../../../src/venues/ccxt/trading/clientOrderIds.ts';
import type { CcxtTradingVenue } from '../../../src/venues/ccxt/trading/ccxtTradingVenue.ts';
import { PERP, useExchangeSim } from '../exchangeSim/support/simHarness.ts';
import { simVenue } from './support/tradingHarness.ts';

/** The executor on two live venues (bybit long, binance short), wired as the engine wires it, on one simulated clock. */
async function pairRig(sim: Parameters<typeof simVenue>[0], onLegFailure: 'complete' | 'unwind') {
  const clock = new SimulatedClock(Date.now());
  const bybit = await simVenue(sim, 'bybit', { clock });
  const binance = await simVenue(sim, 'binance', { clock });
  const venues: CcxtTradingVenue[] = [bybit.venue, binance.venue];
  const instruments = [...(await bybit.venue.instruments()), ...(await binance.venue.instruments())];
  const journal = new MemoryPairJournal();
  const ids = new ClientOrderIds({ sessionTag: 'tv01', counter: new MemoryClientIdCounter(Date.now()) });
  const executor = new PairExecutor({
    venues,
    instruments,
    market: { get: () => ({ price: 50_000 }) as unknown as InstrumentSnapshot, instrument: (v, s) => instruments.find((i) => i.venue === v && i.symbol === s) },
    legPolicy: { onLegFailure, legTimeoutMs: 3_000 },
    clock,
    journal,
    clientOrderId: (venue) => ids.next(venue),
  });
  for (const v of venues) {
    v.subscribe((e) => {
      if (e.type === 'order') executor.onOrderUpdate(e.update);
      if (e.type === 'fill') executor.onFill(e.fill);
    });
  }
  const events: ExecutionEvent[] = [];
  executor.subscribe((e) => events.push(e));
  return {
    clock,
    bybit,
    binance,
    executor,
    events,
    journal,
    open: () => executor.execute({ kind: 'openPair', id: 'live1', long: { venue: 'bybit', symbol: PERP }, short: { venue: 'binance', symbol: PERP }, notionalUsd: 1_000, reason: 'test', reasonCode: 'threshold' }, clock.nowMs()),
    /** Moves the shared clock on (timers in order, the venues' work awaited), then a market event for the executor. */
    async step(ms: number) {
      const target = clock.nowMs() + ms;
      do {
        clock.fireDueUntil(target);
        await Promise.all(venues.map((v) => v.idle()));
      } while (clock.nextDueMs <= target);
      executor.onTime(target);
      await Promise.all(venues.map((v) => v.idle()));
    },
    positions: async () => Object.fromEntries(await Promise.all(venues.map(async (v) => [v.venue, (await v.positions()).find((p) => p.symbol === PERP)?.quantity ?? 0]))),
    close: async () => Promise.all(venues.map((v) => v.close())),
  };
}

describe('two legs through ccxt: a leg in flight is not unwound until known', () => {
  describe('the short leg is never taken (its send times out)', () => {
    const sim = useExchangeSim({ market: { kind: 'synthetic', historyMs: HOUR_MS }, faults: 'timeout@createOrder+binance:1' });

    it('legTimeoutMs (3 s) passes with it in flight: waited for; at 13 s the venue says it never took it; then the bybit leg is unwound', async () => {
      const r = await pairRig(sim(), 'unwind');
      r.open();
      await r.step(0);
      await Promise.all([r.bybit.venue.idle(), r.binance.venue.idle()]);
      expect(await r.positions()).toEqual({ bybit: 0.02, binance: 0 });
      await r.step(3_000);
      expect(r.events.map((e) => e.type)).toEqual(['legTimeout']);
      expect((r.events[0] as { inFlight: string[] }).inFlight).toHaveLength(1);
      await r.step(9_999);
      expect(r.events.map((e) => e.type)).toEqual(['legTimeout']);
      expect(await r.positions()).toEqual({ bybit: 0.02, binance: 0 });
      await r.step(1);
      expect(r.events.map((e) => e.type)).toEqual(['legTimeout', 'pairRehedged', 'pairOpenFailed']);
      expect(await r.positions()).toEqual({ bybit: 0, binance: 0 });
      // Journalled before each of the three sends; every order's end seen.
      expect(r.journal.entries.filter((e) => e.kind === 'send').map((e) => e.kind === 'send' && `${e.order.venue} ${e.order.purpose} ${e.order.side}`)).toEqual(['bybit open buy', 'binance open sell', 'bybit rehedge sell']);
      expect(r.journal.state().openOrders.size).toBe(0);
      expect(sim().httpStats.byEndpoint.createOrder).toBeGreaterThanOrEqual(3);
      await r.close();
    });
  });

  describe('the short leg is taken but its reply lost', () => {
    const sim = useExchangeSim({ market: { kind: 'synthetic', historyMs: HOUR_MS }, faults: 'lostReply@createOrder+binance:1' });

    it('waited for past legTimeoutMs; the first check (5 s) finds it filled: the pair opens, nothing is unwound or sent twice', async () => {
      const r = await pairRig(sim(), 'complete');
      r.open();
      await r.step(0);
      await r.step(3_000);
      expect(r.events.map((e) => e.type)).toEqual(['legTimeout']);
      await r.step(2_000);
      expect(r.events.map((e) => e.type)).toEqual(['legTimeout', 'pairOpened']);
      expect(r.executor.pair('live1')).toMatchObject({ status: 'open', longQty: 0.02, shortQty: 0.02 });
      expect(await r.positions()).toEqual({ bybit: 0.02, binance: -0.02 });
      expect(r.journal.entries.filter((e) => e.kind === 'send')).toHaveLength(2);
      await r.close();
    });
  });
});
