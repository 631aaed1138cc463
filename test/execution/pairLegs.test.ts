import { describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../src/engine/clock.ts';
import { PairExecutor, type ExecutionEvent, type LegPolicy } from '../../src/execution/pairExecutor.ts';
import { MemoryPairJournal, replayPairJournal } from '../../src/execution/pairJournal.ts';
import { preTradeProblems } from '../../src/execution/preTradeChecks.ts';
import { ClientOrderIds, MemoryClientIdCounter } from '../../src/venues/ccxt/trading/clientOrderIds.ts';
import { fixedMarket, perpOn, ScriptedVenue } from './scriptedVenue.ts';

const T0 = Date.UTC(2025, 0, 1);
const SYMBOL = 'BTC/USDT:USDT';
const flush = () => new Promise((r) => setImmediate(r));

function rig(options: { legPolicy?: LegPolicy; journal?: MemoryPairJournal; ids?: ClientOrderIds } = {}) {
  const clock = new SimulatedClock(T0);
  const long = new ScriptedVenue('venueA', 50_000, () => clock.nowMs());
  const short = new ScriptedVenue('venueB', 50_010, () => clock.nowMs());
  const instruments = [perpOn('venueA'), perpOn('venueB')];
  const executor = new PairExecutor({
    venues: [long, short],
    instruments,
    market: fixedMarket(instruments, { [`venueA:${SYMBOL}`]: 50_000, [`venueB:${SYMBOL}`]: 50_010 }),
    legPolicy: options.legPolicy,
    clock,
    journal: options.journal,
    clientOrderId: options.ids ? (venue) => options.ids!.next(venue) : undefined,
  });
  for (const venue of [long, short]) {
    venue.subscribe((e) => {
      if (e.type === 'order') executor.onOrderUpdate(e.update);
      if (e.type === 'fill') executor.onFill(e.fill);
    });
  }
  const events: ExecutionEvent[] = [];
  executor.subscribe((e) => events.push(e));
  const unknown: string[] = [];
  executor.subscribeOrders((o) => o.status === 'unknown' && unknown.push(o.clientOrderId));
  return {
    clock,
    long,
    short,
    executor,
    events,
    unknown,
    // 5,001 USD at 50,010 (the dearer leg): 0.1 BTC a leg.
    open: () => executor.execute({ kind: 'openPair', id: 'p1', long: { venue: 'venueA', symbol: SYMBOL }, short: { venue: 'venueB', symbol: SYMBOL }, notionalUsd: 5_001, reason: 'test', reasonCode: 'threshold' }, clock.nowMs()),
    /** A market event `ms` later: due timers fire first, then the executor's retries. */
    async tick(ms: number) {
      const t = clock.nowMs() + ms;
      clock.fireDueUntil(t);
      executor.onTime(t);
      await flush();
    },
  };
}

const types = (events: ExecutionEvent[]) => events.map((e) => e.type);
const sides = (v: ScriptedVenue) => v.sent.map((o) => `${o.side} ${o.quantity}${o.reduceOnly ? ' reduceOnly' : ''}`);

describe('pre-trade checks of both legs before either is sent', () => {
  it('a leg below its venue minimum notional (or quantity) fails the pair; nothing is sent on either venue', async () => {
    const r = rig();
    r.short.rules = { symbol: SYMBOL, lotSize: 0.001, minQuantity: 0.001, maxQuantity: null, minNotional: 10_000 };
    r.open();
    expect(r.events).toEqual([{ type: 'pairOpenFailed', id: 'p1', ts: T0, longFilled: 0, shortFilled: 0, reasons: ["short venueB:BTC/USDT:USDT: notional 5001 USDT is below the venue's minimum 10000"] }]);
    expect([r.long.sent, r.short.sent]).toEqual([[], []]);
    const q = rig();
    q.long.rules = { symbol: SYMBOL, lotSize: 0.001, minQuantity: 0.5, maxQuantity: null, minNotional: null };
    q.open();
    expect((q.events[0] as { reasons: string[] }).reasons).toEqual(["long venueA:BTC/USDT:USDT: quantity 0.1 is below the venue's minimum 0.5"]);
    expect(q.short.sent).toEqual([]);
  });

  it("the venue's lot size rounds both legs", () => {
    const r = rig();
    r.short.rules = { symbol: SYMBOL, lotSize: 0.03, minQuantity: null, maxQuantity: null, minNotional: null };
    r.open();
    expect([sides(r.long), sides(r.short)]).toEqual([['buy 0.09'], ['sell 0.09']]);
  });

  it('balance: both legs drawing on one wallet of one venue are added up (each alone would pass); other venues are other accounts', () => {
    const clock = new SimulatedClock(T0);
    const venue = new ScriptedVenue('unified', 50_000, () => clock.nowMs());
    venue.need = (o) => ({ wallet: 'unified:account', asset: 'USDT', amount: o.side === 'buy' ? o.quantity * o.price : (o.quantity * o.price) / 5, available: 5_500 });
    const spot = { ...perpOn('unified'), symbol: 'BTC/USDT', kind: 'spot' as const, settle: null, linear: null };
    const legs = [
      { leg: 'long' as const, venue, instrument: spot, side: 'buy' as const, quantity: 0.1, price: 50_000 },
      { leg: 'short' as const, venue, instrument: perpOn('unified'), side: 'sell' as const, quantity: 0.1, price: 50_000 },
    ];
    expect(preTradeProblems(legs)).toEqual(['balance: unified:account needs 6000 USDT for the pair, has 5500 free']);
    expect(preTradeProblems([legs[0]])).toEqual([]);
    expect(preTradeProblems([legs[1]])).toEqual([]);
    // Legs on two venues: each against its own account.
    const r = rig();
    r.long.need = (o) => ({ wallet: 'w', asset: 'USDT', amount: o.quantity * o.price * 0.5, available: 3_000 });
    r.short.need = (o) => ({ wallet: 'w', asset: 'USDT', amount: o.quantity * o.price * 0.5, available: 3_000 });
    r.open();
    expect(types(r.events)).toEqual(['pairOpened']);
    const poor = rig();
    poor.short.need = (o) => ({ wallet: 'w', asset: 'USDT', amount: o.quantity * o.price * 0.5, available: 2_000 });
    poor.open();
    expect((poor.events[0] as { reasons: string[] }).reasons).toEqual(['balance: w needs 2500.5 USDT for the pair, has 2000 free']);
    expect([poor.long.sent, poor.short.sent]).toEqual([[], []]);
  });
});

describe('a lone leg: unwind or complete by policy, on the clock', () => {
  it('no policy (backtests): the filled leg is unwound at once, and no timer is set', async () => {
    const r = rig();
    r.short.script.push('reject');
    r.open();
    await flush();
    expect(types(r.events)).toEqual(['pairRehedged', 'pairOpenFailed']);
    expect(sides(r.long)).toEqual(['buy 0.1', 'sell 0.1 reduceOnly']);
    expect(r.clock.nextDueMs).toBe(Number.POSITIVE_INFINITY);
  });

  it("'unwind': the short leg is rejected, the long leg is unwound at once; the leg timer is dropped", async () => {
    const r = rig({ legPolicy: { onLegFailure: 'unwind', legTimeoutMs: 30_000 } });
    r.short.script.push('reject');
    r.open();
    await flush();
    expect(r.events.map((e) => [e.type, e.ts])).toEqual([['pairRehedged', T0], ['pairOpenFailed', T0]]);
    expect(sides(r.long)).toEqual(['buy 0.1', 'sell 0.1 reduceOnly']);
    await r.tick(60_000);
    expect(types(r.events)).toEqual(['pairRehedged', 'pairOpenFailed']);
  });

  it("'complete': the rejected leg is sent again on each market event until legTimeoutMs; then the lone leg is unwound", async () => {
    const r = rig({ legPolicy: { onLegFailure: 'complete', legTimeoutMs: 10_000 } });
    r.short.script.push('reject', 'reject', 'reject', 'reject');
    r.open();
    await flush();
    expect(r.events).toEqual([{ type: 'legCompletion', id: 'p1', ts: T0, leg: 'short', quantity: 0.1, attempt: 1, longFilled: 0.1, shortFilled: 0, reasons: ['short open: rejected (insufficientFunds: scripted)'] }]);
    await r.tick(4_000); // attempt 2 rejected: flagged for the next event
    await r.tick(4_000); // attempt 3
    expect(r.events.filter((e) => e.type === 'legCompletion').map((e) => [e.ts - T0, (e as { attempt: number }).attempt])).toEqual([[0, 1], [4_000, 2], [8_000, 3]]);
    expect(sides(r.long)).toEqual(['buy 0.1']);
    await r.tick(3_000); // passes T0 + 10 s: the timeout fires (at 10 s, before this event), and the unwind goes
    const timeout = r.events.find((e) => e.type === 'legTimeout')!;
    expect(timeout).toEqual({ type: 'legTimeout', id: 'p1', ts: T0 + 10_000, inFlight: [], cancelling: [] });
    expect(sides(r.long)).toEqual(['buy 0.1', 'sell 0.1 reduceOnly']);
    expect(r.events.slice(-2).map((e) => [e.type, e.ts - T0])).toEqual([['pairRehedged', 10_000], ['pairOpenFailed', 10_000]]);
    expect(sides(r.short)).toEqual(['sell 0.1', 'sell 0.1', 'sell 0.1', 'sell 0.1']);
    expect(r.executor.activePairs()).toEqual([]);
  });

  it("'complete': a completion that fills opens the pair, both legs 0.1", async () => {
    const r = rig({ legPolicy: { onLegFailure: 'complete', legTimeoutMs: 10_000 } });
    r.short.script.push('reject', 'fill');
    r.open();
    await flush();
    expect(types(r.events)).toEqual(['legCompletion', 'pairOpened']);
    expect(r.executor.pair('p1')).toMatchObject({ status: 'open', longQty: 0.1, shortQty: 0.1, openedAtMs: T0 });
    await r.tick(20_000);
    expect(types(r.events)).toEqual(['legCompletion', 'pairOpened']);
  });

  it('a leg in flight is not unwound until known: at the timeout it is waited for; known filled, the pair opens', async () => {
    const r = rig({ legPolicy: { onLegFailure: 'unwind', legTimeoutMs: 3_000 } });
    r.short.script.push('inFlight');
    r.open();
    await flush();
    const shortId = r.short.sent[0].clientOrderId;
    expect(r.unknown).toEqual([shortId]);
    await r.tick(3_000);
    expect(r.events).toEqual([{ type: 'legTimeout', id: 'p1', ts: T0 + 3_000, inFlight: [shortId], cancelling: [] }]);
    await r.tick(10_000);
    expect(sides(r.long)).toEqual(['buy 0.1']);
    expect(r.executor.pair('p1')).toMatchObject({ status: 'opening', longQty: 0.1, shortQty: 0 });
    r.short.settle(shortId, 'fill');
    expect(types(r.events)).toEqual(['legTimeout', 'pairOpened']);
    expect(sides(r.long)).toEqual(['buy 0.1']);
  });

  it('a leg in flight known rejected after the timeout: then the lone leg is unwound (even under complete: time is up)', async () => {
    const r = rig({ legPolicy: { onLegFailure: 'complete', legTimeoutMs: 3_000 } });
    r.short.script.push('inFlight');
    r.open();
    await flush();
    await r.tick(13_000);
    expect(sides(r.long)).toEqual(['buy 0.1']);
    r.short.settle(r.short.sent[0].clientOrderId, 'reject');
    expect(types(r.events)).toEqual(['legTimeout', 'pairRehedged', 'pairOpenFailed']);
    expect(sides(r.long)).toEqual(['buy 0.1', 'sell 0.1 reduceOnly']);
    expect(sides(r.short)).toEqual(['sell 0.1']);
  });

  it('a leg resting on the venue at the timeout is cancelled, then the other one unwound', async () => {
    const r = rig({ legPolicy: { onLegFailure: 'complete', legTimeoutMs: 3_000 } });
    r.short.script.push('rest');
    r.open();
    await flush();
    await r.tick(3_000);
    await flush();
    expect(r.short.cancels).toEqual([r.short.sent[0].clientOrderId]);
    expect(types(r.events)).toEqual(['legTimeout', 'pairRehedged', 'pairOpenFailed']);
    expect(sides(r.long)).toEqual(['buy 0.1', 'sell 0.1 reduceOnly']);
  });
});

describe('the pair journal and client order ids', () => {
  it('the pair and the order are journalled before every send; a restart finds the orders whose end it did not see', async () => {
    const journal = new MemoryPairJournal();
    const ids = new ClientOrderIds({ sessionTag: 'ab12', counter: new MemoryClientIdCounter() });
    const r = rig({ legPolicy: { onLegFailure: 'unwind', legTimeoutMs: 3_000 }, journal, ids });
    const seenAtSend: boolean[] = [];
    for (const venue of [r.long, r.short]) venue.onSubmit = (o) => seenAtSend.push(journal.entries.some((e) => e.kind === 'send' && e.order.clientOrderId === o.clientOrderId));
    r.short.script.push('inFlight');
    r.open();
    await flush();
    expect(seenAtSend).toEqual([true, true]);
    expect([r.long.sent[0].clientOrderId, r.short.sent[0].clientOrderId]).toEqual(['paab120', 'paab121']);
    // The scripted venue answers at once: the long leg has filled before the short one is sent.
    expect(journal.entries.map((e) => e.kind)).toEqual(['send', 'orderDone', 'send']);
    expect(journal.entries[2]).toEqual({
      kind: 'send',
      ts: T0,
      pair: { id: 'p1', status: 'opening', long: { venue: 'venueA', symbol: SYMBOL }, short: { venue: 'venueB', symbol: SYMBOL }, longQty: 0.1, shortQty: 0, openedAtMs: null },
      order: { clientOrderId: 'paab121', pairId: 'p1', leg: 'short', purpose: 'open', venue: 'venueB', symbol: SYMBOL, side: 'sell', quantity: 0.1, reduceOnly: false },
    });
    // A crash now: the journal says the short leg is in flight and the pair opening (the long leg filled).
    const state = replayPairJournal(journal.entries);
    expect([...state.openOrders.keys()]).toEqual(['paab121']);
    expect(state.openOrders.get('paab121')).toMatchObject({ leg: 'short', sentAtMs: T0 });
    r.short.settle('paab121', 'fill');
    expect(journal.entries.map((e) => e.kind)).toEqual(['send', 'orderDone', 'send', 'orderDone', 'pair']);
    expect(journal.state().pairs.get('p1')).toMatchObject({ status: 'open', longQty: 0.1, shortQty: 0.1, openedAtMs: T0 });
    expect(journal.state().openOrders.size).toBe(0);
  });
});
