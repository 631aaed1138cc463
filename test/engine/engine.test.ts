import { replayInput } from '../../src/data/replay/replay.ts';
import { describe, expect, it } from 'vitest';
import { sourceFromColumns } from '../../src/data/replay/sources.ts';
import { Engine } from '../../src/engine/engine.ts';
import { summarize } from '../../src/engine/summary.ts';
import { minorToNumber } from '../../src/portfolio/money.ts';
import { FundingCarryStrategy } from '../../src/strategy/fundingCarry.ts';
import { SimulatedVenue } from '../../src/venues/sim/simulatedVenue.ts';
import { bars, EXACT_FILLS, fundingRows, HOUR, MINUTE, perp, spot, T0 } from './engineSupport.ts';

const V = 'sim';

function carry(overrides: Record<string, unknown> = {}) {
  return new FundingCarryStrategy({ spot: `${V}:BTC/USDT`, perp: `${V}:BTC/USDT:USDT`, notionalUsd: 10_000, roundTripCostRate: 0.003, expectedHoldingDays: 30, ...overrides });
}

describe('engine: funding carry on a hand-built market', () => {
  it('opens on a funding row, receives the hand-computed funding, closes, fees on both legs, cash to the cent', async () => {
    const instruments = [spot(V), perp(V)];
    const venue = new SimulatedVenue({ venue: V, instruments, balances: { USDT: 100_000 }, fill: EXACT_FILLS, margin: { defaults: { leverage: 2 } } });
    const engine = new Engine({ venues: [venue], instruments, strategy: carry(), deposits: [{ venue: V, asset: 'USDT', amount: 100_000 }] });
    const spotBars = [
      { ts: T0, close: 50_000 },
      { ts: T0 + MINUTE, close: 50_000 },
      { ts: T0 + 8 * HOUR, close: 50_000 },
      { ts: T0 + 16 * HOUR, close: 49_990 },
    ];
    const perpBars = [
      { ts: T0, close: 50_050 },
      { ts: T0 + MINUTE, close: 50_050 },
      { ts: T0 + 8 * HOUR, close: 50_050 },
      { ts: T0 + 16 * HOUR, close: 50_020 },
    ];
    const funding = [
      { ts: T0 + 2 * MINUTE, rate: 0.0001 }, // 10.95% APR > 3.65% cost hurdle: open (flat at this settlement)
      { ts: T0 + 8 * HOUR + MINUTE, rate: 0.0002, mark: 50_100 }, // short 0.199 receives 0.199 * 50100 * 0.0002
      { ts: T0 + 16 * HOUR + MINUTE, rate: -0.00005, mark: 50_080 }, // pays 0.199 * 50080 * 0.00005, then closes
    ];
    const result = await engine.run(replayInput([bars(V, 'BTC/USDT', spotBars), bars(V, 'BTC/USDT:USDT', perpBars), fundingRows(V, 'BTC/USDT:USDT', funding)]));

    expect(result.execution.map((e) => e.type)).toEqual(['pairOpened', 'pairClosed']);
    const opened = result.execution[0];
    expect(opened).toMatchObject({ type: 'pairOpened', ts: T0 + 2 * MINUTE, quantity: 0.199 }); // 10000 / 50050 rounded down to the 0.001 lot
    // Funding: +1.99398 then -0.498296.
    expect(result.funding.map((f) => f.amountUsd)).toEqual([expect.closeTo(1.99398, 9), expect.closeTo(-0.498296, 9)]);
    expect(result.fundingPnlUsd).toBeCloseTo(1.99398 - 0.498296, 8);
    // Fees: spot 0.1% of 9950 and of 9948.01; perp 0.05% of 9959.95 and of 9953.98.
    const fees = 9.95 + 9.94801 + 4.979975 + 4.97699;
    expect(result.feesPaidUsd).toBeCloseTo(fees, 8);
    // Cash: spot -9950 + 9948.01, perp realised (50050 - 50020) * 0.199 = 5.97, fees, funding.
    const expectedCash = 100_000 - 9950 + 9948.01 + 5.97 - fees + 1.99398 - 0.498296;
    expect(expectedCash.toFixed(2)).toBe('99975.62');
    const cash = engine.ledger.cash(V).find((c) => c.asset === 'USDT')!;
    expect(minorToNumber(cash.amount).toFixed(2)).toBe('99975.62');
    expect(minorToNumber(cash.amount)).toBeCloseTo(expectedCash, 8);
    expect(engine.ledger.cash(V).find((c) => c.asset === 'BTC')?.amount ?? 0n).toBe(0n);
    // The venue agrees with the ledger.
    const usdt = (await venue.balances()).find((b) => b.asset === 'USDT')!;
    expect(usdt.walletBalance).toBeCloseTo(expectedCash, 6);
    expect(await venue.positions()).toEqual([]);

    const summary = summarize(result);
    expect(summary.trades).toBe(1);
    expect(summary.fills).toBe(4);
    expect(summary.events).toBe(11);
    expect(summary.totalReturn).toBeCloseTo(expectedCash / 100_000 - 1, 10);
  });

  it('leaves no naked leg when one leg is rejected: the filled perp is unwound', async () => {
    // The spot leg is on another venue whose account cannot pay for it: that venue rejects the buy.
    const spotVenueId = 'spotx';
    const instruments = [spot(spotVenueId), perp(V)];
    const spotVenue = new SimulatedVenue({ venue: spotVenueId, instruments: [instruments[0]], balances: { USDT: 100 }, fill: EXACT_FILLS });
    const perpVenue = new SimulatedVenue({ venue: V, instruments: [instruments[1]], balances: { USDT: 100_000 }, fill: EXACT_FILLS });
    const strategy = new FundingCarryStrategy({ spot: `${spotVenueId}:BTC/USDT`, perp: `${V}:BTC/USDT:USDT`, notionalUsd: 10_000 });
    const engine = new Engine({
      venues: [spotVenue, perpVenue],
      instruments,
      strategy,
      deposits: [
        { venue: spotVenueId, asset: 'USDT', amount: 100 },
        { venue: V, asset: 'USDT', amount: 100_000 },
      ],
    });
    const result = await engine.run(replayInput([
      bars(spotVenueId, 'BTC/USDT', [{ ts: T0, close: 50_000 }, { ts: T0 + HOUR, close: 50_000 }]),
      bars(V, 'BTC/USDT:USDT', [{ ts: T0, close: 50_000 }, { ts: T0 + HOUR, close: 50_000 }]),
      fundingRows(V, 'BTC/USDT:USDT', [{ ts: T0 + 2 * MINUTE, rate: 0.0003 }]),
    ]));
    const types = result.execution.map((e) => e.type);
    expect(types).toEqual(['pairRehedged', 'pairOpenFailed']);
    const rehedge = result.execution[0];
    expect(rehedge).toMatchObject({ leg: 'short', longFilled: 0, shortFilled: 0.2, excess: 0.2 });
    if (rehedge.type === 'pairRehedged') expect(rehedge.reasons.join(' ')).toMatch(/long open: rejected/);
    expect(await perpVenue.positions()).toEqual([]);
    expect(await spotVenue.positions()).toEqual([]);
    expect(engine.ledger.positions().filter((p) => p.quantity !== 0n)).toEqual([]);
    // The unwind cost two perp taker fees and nothing else (flat prices).
    expect(result.feesPaidUsd).toBeCloseTo(2 * 0.2 * 50_000 * 0.0005, 8);
    expect(engine.executor.activePairs()).toEqual([]);
  });

  it('negative funding: the mirror (short spot / long perp) only with allowShortSpot, the borrow booked', async () => {
    const runWith = async (allowShortSpot: boolean, latencyMs = 0) => {
      const instruments = [spot(V, { lotSize: 0.00001 }), perp(V)];
      const venue = new SimulatedVenue({
        venue: V,
        instruments,
        balances: { USDT: 100_000 },
        fill: EXACT_FILLS,
        borrow: { borrowRateAnnualByAsset: { BTC: 0.0876 } }, // 0.001% per hour
        latency: latencyMs > 0 ? { kind: 'fixed', latencyMs } : undefined,
      });
      const engine = new Engine({ venues: [venue], instruments, strategy: carry({ allowShortSpot }), deposits: [{ venue: V, asset: 'USDT', amount: 100_000 }] });
      const minuteBars = (close: number) => Array.from({ length: 600 }, (_, k) => ({ ts: T0 + k * MINUTE, close }));
      const result = await engine.run(replayInput([
        bars(V, 'BTC/USDT', minuteBars(50_000)),
        bars(V, 'BTC/USDT:USDT', minuteBars(50_000)),
        fundingRows(V, 'BTC/USDT:USDT', [{ ts: T0 + 2 * MINUTE, rate: -0.0002 }, { ts: T0 + 8 * HOUR, rate: -0.0002 }]),
      ]));
      return { result, venue, engine };
    };
    const without = await runWith(false);
    expect(without.result.execution).toEqual([]);
    for (const latencyMs of [0, 250]) {
      const { result, venue, engine } = await runWith(true, latencyMs);
      expect(result.execution.map((e) => e.type)).toEqual(['pairOpened']);
      expect(engine.executor.pair('carry-1')).toMatchObject({ status: 'open', long: { symbol: 'BTC/USDT:USDT' }, short: { symbol: 'BTC/USDT' }, longQty: 0.2, shortQty: 0.2 });
      expect((await venue.positions()).map((p) => p.quantity)).toEqual([0.2]);
      // Negative rate: shorts pay longs, so the long perp receives 0.2 * 50000 * 0.0002 = 2 at the 8h settlement.
      expect(result.fundingPnlUsd).toBeCloseTo(2, 8);
      expect(result.borrowPaidUsd).toBeGreaterThan(0);
      expect(minorToNumber(engine.ledger.cash(V).find((c) => c.asset === 'BTC')!.amount)).toBeCloseTo(-0.2 - result.borrowPaidUsd / 50_000, 10);
    }
  });

  it('a partial fill on one leg is re-hedged: the other leg is cut to the same quantity', async () => {
    const instruments = [spot(V, { lotSize: 0.00001 }), perp(V)];
    const venue = new SimulatedVenue({ venue: V, instruments, balances: { USDT: 100_000 }, fill: EXACT_FILLS, margin: { defaults: { leverage: 2 } } });
    const engine = new Engine({ venues: [venue], instruments, strategy: carry(), deposits: [{ venue: V, asset: 'USDT', amount: 100_000 }] });
    // Spot quotes show only 0.1 BTC at the ask: the 0.2 spot buy fills 0.1, the rest expires.
    const times = [T0 + MINUTE, T0 + 2 * MINUTE, T0 + HOUR];
    const quotes = sourceFromColumns(
      { table: 'quotes', venue: V, symbol: 'BTC/USDT', timeframe: null },
      { ts: Float64Array.from(times), bid: Float64Array.from(times, () => 49_995), ask: Float64Array.from(times, () => 50_005), bid_size: Float64Array.from(times, () => 0.1), ask_size: Float64Array.from(times, () => 0.1), last: Float64Array.from(times, () => Number.NaN) },
      times.length,
    );
    const result = await engine.run(replayInput([
      quotes,
      bars(V, 'BTC/USDT:USDT', [{ ts: T0, close: 50_000 }, { ts: T0 + MINUTE, close: 50_000 }, { ts: T0 + HOUR, close: 50_000 }]),
      fundingRows(V, 'BTC/USDT:USDT', [{ ts: T0 + 2 * MINUTE, rate: 0.0002 }]),
    ]));
    expect(result.execution.map((e) => e.type)).toEqual(['pairRehedged', 'pairOpened']);
    expect(result.execution[0]).toMatchObject({ leg: 'short', longFilled: 0.1, shortFilled: 0.2, excess: 0.1 });
    expect(result.execution[1]).toMatchObject({ quantity: 0.1 });
    expect((await venue.positions()).map((p) => p.quantity)).toEqual([-0.1]);
    expect(minorToNumber(engine.ledger.cash(V).find((c) => c.asset === 'BTC')!.amount)).toBe(0.1);
    expect(engine.executor.pair('carry-1')).toMatchObject({ status: 'open', longQty: 0.1, shortQty: 0.1 });
  });

  it('rejects unknown config keys naming the key', () => {
    expect(() => carry({ notional: 5 })).toThrow(/notional/);
  });
});
