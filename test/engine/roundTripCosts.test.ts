import { replayInput } from '../../src/data/replay/replay.ts';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBacktestConfig, runBacktest } from '../../src/engine/backtest.ts';
import { Engine } from '../../src/engine/engine.ts';
import { summarize } from '../../src/engine/summary.ts';
import { minorFromNumber } from '../../src/portfolio/money.ts';
import { SimulatedVenue } from '../../src/venues/sim/simulatedVenue.ts';
import { PROJECT_ROOT } from '../support/paths.ts';
import { bars, EXACT_FILLS, MINUTE, perp, spot, T0 } from './engineSupport.ts';
import { ScriptedStrategy } from './scriptedStrategy.ts';

const V = 'sim';
const SPOT = 'BTC/USDT';
const PERP = 'BTC/USDT:USDT';

describe('round-trip PnL includes the opening costs', () => {
  it('one hand-computed round trip: PnL = price PnL - all four fees, to the cent', async () => {
    const instruments = [spot(V), perp(V)]; // spot taker 0.1%, perp taker 0.05%, perp lot 0.001
    const venue = new SimulatedVenue({ venue: V, instruments, balances: { USDT: 100_000 }, fill: EXACT_FILLS, margin: { defaults: { leverage: 2 } } });
    const legs = { long: { venue: V, symbol: SPOT }, short: { venue: V, symbol: PERP } };
    const strategy = new ScriptedStrategy(
      [legs.long, legs.short],
      [
        { atMs: T0 + MINUTE, intent: { kind: 'openPair', id: 'p1', ...legs, notionalUsd: 10_000, reason: 'test', reasonCode: 'threshold' } },
        { atMs: T0 + 4 * MINUTE, intent: { kind: 'closePair', id: 'p1', reason: 'test', reasonCode: 'meanReversion' } },
      ],
    );
    const engine = new Engine({ venues: [venue], instruments, strategy, deposits: [{ venue: V, asset: 'USDT', amount: 100_000 }] });
    const at = (k: number, close: number) => ({ ts: T0 + k * MINUTE, close });
    const result = await engine.run(replayInput([
      bars(V, SPOT, [at(0, 50_000), at(1, 50_000), at(2, 50_500), at(3, 50_500)]),
      bars(V, PERP, [at(0, 50_100), at(1, 50_100), at(2, 50_550), at(3, 50_550)]),
    ]));
    expect(result.execution.map((e) => e.type)).toEqual(['pairOpened', 'pairClosed']);
    expect(result.execution[0]).toMatchObject({ quantity: 0.199 }); // 10,000 / 50,100 down to the perp's 0.001 lot

    // Price PnL: spot 0.199 * (50,500 - 50,000) = 99.5, perp short 0.199 * (50,100 - 50,550) = -89.55.
    // Fees: spot 0.1% of 9,950 and of 10,049.5; perp 0.05% of 9,969.9 and of 10,059.45.
    const pricePnl = 99.5 - 89.55;
    const fees = 9.95 + 4.98495 + 10.0495 + 5.029725;
    expect(result.feesPaidUsd).toBeCloseTo(fees, 8);
    expect(result.roundTrips).toHaveLength(1);
    const [trip] = result.roundTrips;
    expect(trip).toMatchObject({ id: 'p1', openedAt: T0 + MINUTE, closedAt: T0 + 4 * MINUTE, holdingMs: 3 * MINUTE, entryReason: 'threshold', exitReason: 'meanReversion' });
    // Exact decimals (the ledger's minor units converted once): 99.5 - 89.55 = 9.95, fees 30.014175.
    expect(pricePnl.toFixed(8)).toBe('9.95000000');
    expect(trip.pricePnlUsd).toBe(9.95);
    expect(trip.feesUsd).toBe(-30.014175);
    expect(trip.netPnlUsd).toBe(-20.064175); // without the opening fees it read -5.129225
    expect(trip.netPnlUsd).toBeCloseTo(pricePnl - fees, 8);
    expect(trip.legs).toEqual([
      { instrument: `${V}:${SPOT}`, side: 'long', quantity: 0.199, averageEntryPrice: 50_000, averageExitPrice: 50_500 },
      { instrument: `${V}:${PERP}`, side: 'short', quantity: 0.199, averageEntryPrice: 50_100, averageExitPrice: 50_550 },
    ]);
    expect(summarize(result).winRate).toBe(0);
    // The account ended flat, so the trip is the whole equity change.
    expect(minorFromNumber(result.finalEquityUsd) - minorFromNumber(100_000)).toBe(minorFromNumber(trip.netPnlUsd));
  });

  it('mid-run (a dashboard in paper or live), the open trip is valued at the marks of the moment', async () => {
    const instruments = [spot(V), perp(V)];
    const venue = new SimulatedVenue({ venue: V, instruments, balances: { USDT: 100_000 }, fill: EXACT_FILLS, margin: { defaults: { leverage: 2 } } });
    const legs = { long: { venue: V, symbol: SPOT }, short: { venue: V, symbol: PERP } };
    const strategy = new ScriptedStrategy(
      [legs.long, legs.short],
      [
        { atMs: T0 + MINUTE, intent: { kind: 'openPair', id: 'p1', ...legs, notionalUsd: 10_000, reason: 'test', reasonCode: 'threshold' } },
        { atMs: T0 + 4 * MINUTE, intent: { kind: 'closePair', id: 'p1', reason: 'test', reasonCode: 'meanReversion' } },
      ],
    );
    const engine = new Engine({ venues: [venue], instruments, strategy, deposits: [{ venue: V, asset: 'USDT', amount: 100_000 }], equitySampleMs: MINUTE });
    const seen = new Map<number, ReturnType<Engine['roundTripsNow']>>();
    // The first sample of each time (the run's last time is sampled again at the end).
    engine.events.subscribe((e) => e.type === 'equity' && !seen.has(e.ts) && seen.set(e.ts, engine.roundTripsNow()), { name: 'dashboard', types: ['equity'] });
    const at = (k: number, close: number) => ({ ts: T0 + k * MINUTE, close });
    await engine.run(replayInput([
      bars(V, SPOT, [at(0, 50_000), at(1, 50_000), at(2, 50_500), at(3, 50_500)]),
      bars(V, PERP, [at(0, 50_100), at(1, 50_100), at(2, 50_550), at(3, 50_550)]),
    ]));
    // Sampled at T0+4m before that minute's events: the marks are the bars closed at T0+3m (50,500 and
    // 50,550), so the open legs are worth 99.5 - 89.55 = 9.95; the opening fees 9.95 + 4.98495 are paid.
    const open = seen.get(T0 + 4 * MINUTE)!;
    expect(open).toEqual([expect.objectContaining({ id: 'p1', closedAt: null, exitReason: 'endOfData', exitReasonText: null, holdingMs: 3 * MINUTE, pricePnlUsd: 9.95, feesUsd: -14.93495, netPnlUsd: -4.98495 })]);
    expect(open[0].legs[0]).toMatchObject({ averageEntryPrice: 50_000, averageExitPrice: null });
    // At the end it is closed, with the strategy's exit reason.
    expect(engine.roundTripsNow()).toEqual([expect.objectContaining({ id: 'p1', closedAt: T0 + 4 * MINUTE, exitReason: 'meanReversion', netPnlUsd: -20.064175 })]);
    const b = engine.pnlBreakdownNow()!;
    expect(b.priceUsd + b.feesUsd).toBe(minorFromNumber(-20.064175));
  });

  it('on the OU synthetic example (ends flat, trips never overlap, no failed open) the trips sum to the equity change', async () => {
    const { result, summary } = await runBacktest(loadBacktestConfig(join(PROJECT_ROOT, 'examples', 'backtest-ou-synthetic.json')));
    expect(summary.execution).toEqual({ pairOpened: 43, pairClosed: 43 });
    const trips = result.roundTrips;
    for (let i = 1; i < trips.length; i++) expect(trips[i].openedAt).toBeGreaterThanOrEqual(trips[i - 1].closedAt!);
    // Between trips the account is flat: no funding, borrow or fee, so nothing is left out: the
    // trips' net PnL sums EXACTLY (minor units) to the equity change.
    const sum = trips.reduce((s, t) => s + minorFromNumber(t.netPnlUsd), 0n);
    expect(summary.fundingPnl).toBe(0);
    expect(summary.borrowPaid).toBe(0);
    expect(sum).toBe(minorFromNumber(summary.endEquityUsd) - minorFromNumber(summary.startEquityUsd));
    expect((summary.endEquityUsd - summary.startEquityUsd).toFixed(2)).toBe('198.09');
  }, 120_000);
});
