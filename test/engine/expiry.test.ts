import { replayInput } from '../../src/data/replay/replay.ts';
import { describe, expect, it } from 'vitest';
import { instrumentFromSymbol, type Instrument } from '../../src/domain/instrument.ts';
import { Engine } from '../../src/engine/engine.ts';
import { summarize } from '../../src/engine/summary.ts';
import { minorToNumber } from '../../src/portfolio/money.ts';
import { SimulatedVenue } from '../../src/venues/sim/simulatedVenue.ts';
import { bars, EXACT_FILLS, MINUTE, spot, T0 } from './engineSupport.ts';
import { ScriptedStrategy } from './scriptedStrategy.ts';

const V = 'sim';
const SPOT = 'BTC/USDT';
const FUTURE = 'BTC/USDT:USDT-250101';
const EXPIRY = T0 + 10 * MINUTE;

describe('engine: a dated future settled at expiry closes the pair\'s other leg', () => {
  it('long spot / short future: the venue settles the future, the executor sells the spot at once, cash to the cent', async () => {
    const future: Instrument = {
      ...instrumentFromSymbol(V, FUTURE),
      contractSize: 1,
      lotSize: 0.001,
      tickSize: 0.1,
      makerFeeRate: 0.0002,
      takerFeeRate: 0.0005,
      expiryMs: EXPIRY,
    };
    expect(future.kind).toBe('future');
    const instruments = [spot(V), future]; // spot taker 0.1%
    const venue = new SimulatedVenue({ venue: V, instruments, balances: { USDT: 100_000 }, fill: EXACT_FILLS, margin: { defaults: { leverage: 2 } } });
    const legs = { long: { venue: V, symbol: SPOT }, short: { venue: V, symbol: FUTURE } };
    const strategy = new ScriptedStrategy([legs.long, legs.short], [{ atMs: T0 + MINUTE, intent: { kind: 'openPair', id: 'cal-1', ...legs, notionalUsd: 10_000, reason: 'test', reasonCode: 'threshold' } }]);
    const engine = new Engine({ venues: [venue], instruments, strategy, deposits: [{ venue: V, asset: 'USDT', amount: 100_000 }] });
    // The future trades until its expiry (its last bar closes at T0+10m); the spot goes on.
    const spotBars = Array.from({ length: 13 }, (_, k) => ({ ts: T0 + k * MINUTE, close: k < 5 ? 50_000 : 50_100 }));
    const futureBars = Array.from({ length: 10 }, (_, k) => ({ ts: T0 + k * MINUTE, close: k < 5 ? 50_200 : 50_150 }));
    const kinds: string[] = [];
    engine.events.subscribe((e) => e.type === 'ledgerEntry' && kinds.push(e.entry.kind), { name: 'journal kinds', types: ['ledgerEntry'] });
    const result = await engine.run(replayInput([bars(V, SPOT, spotBars), bars(V, FUTURE, futureBars)]));

    expect(result.execution.map((e) => e.type)).toEqual(['pairOpened', 'legExpired', 'pairClosed']);
    expect(result.execution[0]).toMatchObject({ id: 'cal-1', quantity: 0.199 }); // 10,000 / 50,200 down to the 0.001 lot
    // Settled at the future's price at expiry (its last close, 50,150), stamped at the expiry time.
    expect(result.execution[1]).toMatchObject({ id: 'cal-1', ts: EXPIRY, leg: 'short', quantity: 0.199, price: 50_150 });
    // The spot is sold on the first event after the expiry (the venue settles there, before it).
    expect(result.execution[2]).toMatchObject({ id: 'cal-1', ts: EXPIRY + MINUTE });
    expect(engine.executor.activePairs()).toEqual([]);
    expect(await venue.positions()).toEqual([]);
    expect(engine.ledger.positions().filter((p) => p.quantity !== 0n)).toEqual([]);
    expect(engine.ledger.cash(V).find((c) => c.asset === 'BTC')?.amount ?? 0n).toBe(0n);

    // Spot 0.199 bought at 50,000 and sold at 50,100: +19.9; future short from 50,200 settled at
    // 50,150: +9.95. Fees: spot 0.1% of 9,950 and of 9,969.9; future 0.05% of 9,989.8; none at settlement.
    const fees = 9.95 + 9.9699 + 4.9949;
    expect(result.feesPaidUsd).toBeCloseTo(fees, 8);
    const cash = minorToNumber(engine.ledger.cashBalance(V, 'USDT'));
    expect(cash.toFixed(2)).toBe('100004.94');
    expect(cash).toBeCloseTo(100_000 + 19.9 + 9.95 - fees, 8);
    expect((await venue.balances()).find((b) => b.asset === 'USDT')!.walletBalance).toBeCloseTo(cash, 6);
    // One round trip, its PnL the whole change (opening fees included).
    expect(result.roundTrips).toHaveLength(1);
    // Exactly: price 19.9 + 9.95 = 29.85, fees -24.9148, net 4.9352; the venue's settlement ends it.
    expect(result.roundTrips[0]).toMatchObject({ id: 'cal-1', pricePnlUsd: 29.85, feesUsd: -24.9148, netPnlUsd: 4.9352, exitReason: 'expiry', closedAt: EXPIRY + MINUTE });
    expect(result.roundTrips[0].legs[1]).toEqual({ instrument: `${V}:${FUTURE}`, side: 'short', quantity: 0.199, averageEntryPrice: 50_200, averageExitPrice: 50_150 });
    // The settlement is journalled as one, not as a taker fill.
    expect(kinds.join(',')).toBe('deposit,fill,fill,settlement,fill');
    const summary = summarize(result);
    expect(summary.fills).toBe(4); // open x2, the venue's settlement, the spot sale
    expect(summary.execution).toEqual({ pairOpened: 1, legExpired: 1, pairClosed: 1 });
  });
});
