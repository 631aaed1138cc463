import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replayInput } from '../../src/data/replay/replay.ts';
import { sourceFromColumns } from '../../src/data/replay/sources.ts';
import { loadBacktestConfig, runBacktest } from '../../src/engine/backtest.ts';
import { Engine } from '../../src/engine/engine.ts';
import { summarize } from '../../src/engine/summary.ts';
import { minorToNumber } from '../../src/portfolio/money.ts';
import { CrossVenueSpreadStrategy } from '../../src/strategy/crossVenueSpread.ts';
import { SimulatedVenue } from '../../src/venues/sim/simulatedVenue.ts';
import { importIntoStore } from '../support/cli.ts';
import { dataPath, PROJECT_ROOT } from '../support/paths.ts';
import { bars, EXACT_FILLS, HOUR, MINUTE, perp, T0 } from './engineSupport.ts';

const SYMBOL = 'BTC/USDT:USDT';
const A = 'aven';
const B = 'bven';

function fundingSource(venue: string, intervalMs: number, rows: { ts: number; rate: number; mark: number }[]) {
  const col = (f: (r: { ts: number; rate: number; mark: number }) => number) => Float64Array.from(rows.map(f));
  return sourceFromColumns({ table: 'funding', venue, symbol: SYMBOL, timeframe: null }, { ts: col((r) => r.ts), rate: col((r) => r.rate), interval_ms: col(() => intervalMs), mark_price: col((r) => r.mark) }, rows.length);
}

/** Two venues, a settling every 8h and b every hour, each with 100,000 USDT; exact fills at the bar closes. */
function twoVenues(params: Record<string, unknown>) {
  const instruments = [perp(A, { fundingIntervalMs: 8 * HOUR }), perp(B, { fundingIntervalMs: HOUR })];
  const venues = instruments.map((inst) => new SimulatedVenue({ venue: inst.venue, instruments: [inst], balances: { USDT: 100_000 }, fill: EXACT_FILLS, margin: { defaults: { leverage: 2 } } }));
  const strategy = new CrossVenueSpreadStrategy({ perps: [`${A}:${SYMBOL}`, `${B}:${SYMBOL}`], notionalUsd: 10_000, crossingCostRate: 0, ...params });
  const engine = new Engine({ venues, instruments, strategy, deposits: [A, B].map((venue) => ({ venue, asset: 'USDT', amount: 100_000 })) });
  return { engine, strategy, venues };
}

/** Hourly 1m bars (a bar at open time T0 + h hours is seen at its close, one minute later). */
const hourly = (venue: string, closes: number[]) => bars(venue, SYMBOL, closes.map((close, h) => ({ ts: T0 + h * HOUR, close })));

describe('cross-venue perp spread on a hand-built market (a: 8h funding, b: 1h funding)', () => {
  it('opens on the spread net of fees and both legs\' funding, closes at convergence, cash to the cent', async () => {
    const { engine, strategy, venues } = twoVenues({ entryNetBps: 5, expectedHoldingDays: 1 });
    // h:      0       1       2..8 (7x)  9       10      11
    const a = [50_000, 50_000, ...Array(7).fill(50_000), 50_000, 50_050, 50_050];
    const b = [50_060, 50_150, ...Array(7).fill(50_150), 50_100, 50_050, 50_050];
    const bMark = (h: number) => (h <= 9 ? 50_150 : 50_100);
    const signals: Record<string, number>[] = [];
    engine.events.subscribe((e) => e.type === 'signal' && signals.push({ ...e.values }), { name: 'signals', types: ['signal'] });
    const result = await engine.run(replayInput([
      hourly(A, a),
      hourly(B, b),
      fundingSource(A, 8 * HOUR, [0, 8].map((h) => ({ ts: T0 + h * HOUR, rate: 0.0001, mark: 50_000 }))),
      fundingSource(B, HOUR, Array.from({ length: 12 }, (_, h) => ({ ts: T0 + h * HOUR, rate: 0.00001, mark: bMark(h) }))),
    ]));

    // Expected funding over 1 day: b short receives 24 x 0.001% = 2.4 bps, a long pays 3 x 0.01% = 3 bps: -0.6 bps.
    // Cost: 2 x (0.05% + 0.05%) = 20 bps. At h=0 the spread is 60/50,000 = 12 bps: net -8.6 bps, no trade.
    // At h=1: 150/50,000 = 30 bps, net 30 - 20 - 0.6 = 9.4 bps >= 5: long a, short b.
    const best = strategy.candidates(engine.market).find((c) => c.long.venue === A)!; // at the end: prices met
    expect(best.spread).toBe(0);
    expect(best.cost).toBeCloseTo(0.002, 12);
    expect(best.funding).toBeCloseTo(24 * 0.00001 - 3 * 0.0001, 12);
    expect(signals[0].spreadBps).toBeCloseTo(12, 9);
    expect(signals[0].netBps).toBeCloseTo(12 - 20 - 0.6, 9);
    expect(signals[1].netBps).toBeCloseTo(9.4, 9);
    expect(signals[2].heldSpreadBps).toBeCloseTo(30, 9); // held from h=1: the spread at closing prices
    expect(result.execution.map((e) => e.type)).toEqual(['pairOpened', 'pairClosed']);
    expect(result.execution[0]).toMatchObject({ ts: T0 + HOUR + MINUTE, quantity: 0.199, longPrice: 50_000, shortPrice: 50_150 }); // 10,000 / 50,150 down to 0.001
    // h=9: 100/50,000 = 20 bps, still above the exit (0); h=10: both at 50,050, spread 0: close.
    expect(result.execution[1]).toMatchObject({ ts: T0 + 10 * HOUR + MINUTE });
    const pair = engine.executor.pair('xspread-1')!;
    expect(pair.long).toEqual({ venue: A, symbol: SYMBOL });
    expect(pair.short).toEqual({ venue: B, symbol: SYMBOL });

    // Funding, each leg at its own times: b (short 0.199) receives at h=2..9 0.199 x 50,150 x 0.001% = 0.0997985
    // (8x) and at h=10 0.199 x 50,100 x 0.001% = 0.099699; a (long 0.199) pays at h=8 0.199 x 50,000 x 0.01% = 0.995.
    const funding = 8 * 0.0997985 + 0.099699 - 0.995;
    expect(result.funding).toHaveLength(10);
    expect(result.fundingPnlUsd).toBeCloseTo(funding, 8);
    expect(funding.toFixed(6)).toBe('-0.096913');
    // Price: a +0.199 x 50 = 9.95, b +0.199 x 100 = 19.9. Fees: 0.05% of 0.199 x (50,000 + 50,150 + 50,050 + 50,050).
    const fees = 0.0005 * 0.199 * 200_250;
    expect(fees.toFixed(6)).toBe('19.924875');
    const net = 9.95 + 19.9 + funding - fees;
    expect(net.toFixed(6)).toBe('9.828212');
    const cashOf = (venue: string) => minorToNumber(engine.ledger.cash(venue).find((c) => c.asset === 'USDT')!.amount);
    // Collateral stays on each venue: a made 9.95 less its fees (0.05% of 0.199 x 100,050) and its funding; b the rest.
    expect(cashOf(A)).toBeCloseTo(100_000 + 9.95 - 0.0005 * 0.199 * 100_050 - 0.995, 7);
    expect(cashOf(B)).toBeCloseTo(100_000 + 19.9 - 0.0005 * 0.199 * 100_200 + 8 * 0.0997985 + 0.099699, 7);
    expect((cashOf(A) + cashOf(B)).toFixed(2)).toBe('200009.83');
    for (const v of venues) expect(await v.positions()).toEqual([]);
    const summary = summarize(result);
    expect(summary.roundTrips).toEqual([
      expect.objectContaining({ id: 'xspread-1', strategy: 'crossVenueSpread', openedAt: T0 + HOUR + MINUTE, closedAt: T0 + 10 * HOUR + MINUTE, pricePnlUsd: 29.85, feesUsd: -19.924875, entryReason: 'threshold', exitReason: 'meanReversion' }),
    ]);
    expect(summary.roundTrips[0].netPnlUsd).toBeCloseTo(net, 8);
  });

  it('never compares one venue\'s new bar with the other\'s previous one', async () => {
    // b's bar of h=1 is missing: at h=1 a's new close (49,800) against b's close of h=0 (50,000) would be a
    // 40 bps spread, but b has no price of that time, so no decision; at h=2 the spread is 10/49,800 = 2 bps < 5.
    const run = async (maxPriceSkewSeconds: number) => {
      const { engine } = twoVenues({ roundTripCostRate: 0, entryNetBps: 5, maxPriceSkewSeconds, fundingRateWhenUnknown: 0 });
      return engine.run(replayInput([
        bars(A, SYMBOL, [50_000, 49_800, 49_800].map((close, h) => ({ ts: T0 + h * HOUR, close }))),
        bars(B, SYMBOL, [{ ts: T0, close: 50_000 }, { ts: T0 + 2 * HOUR, close: 49_810 }]),
      ]));
    };
    expect((await run(0)).execution).toEqual([]);
    // Allowing an hour of skew, it trades the stale 40 bps at h=1.
    expect((await run(3600)).execution.map((e) => [e.type, e.ts])).toEqual([['pairOpened', T0 + HOUR + MINUTE]]);
  });

  it('stops out when the gap widens by stopLossBps, and closes at maxHoldingDays', async () => {
    // Stop 10 bps: open at 30 bps (h=0), 35 at h=1 (held), 40 at h=2: widened by 10 bps: stop.
    const stop = twoVenues({ roundTripCostRate: 0.001, stopLossBps: 10, expectedHoldingDays: 1 / 24, fundingRateWhenUnknown: 0 });
    const r1 = await stop.engine.run(replayInput([hourly(A, [50_000, 50_000, 50_000]), hourly(B, [50_150, 50_175, 50_200])]));
    expect(r1.execution.map((e) => [e.type, e.ts])).toEqual([['pairOpened', T0 + MINUTE], ['pairClosed', T0 + 2 * HOUR + MINUTE]]);
    expect(summarize(r1).roundTrips[0]).toMatchObject({ exitReason: 'stopLoss', exitReasonText: 'spread 40.00 bps widened from 30.00 bps by >= stop 10 bps' });
    // Held 2 hours at most: opened at h=0 (seen at 0h01), closed on the first decision at or after 2h01.
    const hold = twoVenues({ roundTripCostRate: 0.001, maxHoldingDays: 2 / 24, fundingRateWhenUnknown: 0 });
    const r2 = await hold.engine.run(replayInput([hourly(A, [50_000, 50_000, 50_000, 50_000]), hourly(B, [50_150, 50_150, 50_150, 50_150])]));
    expect(r2.execution.map((e) => [e.type, e.ts])).toEqual([['pairOpened', T0 + MINUTE], ['pairClosed', T0 + 2 * HOUR + MINUTE], ['pairOpened', T0 + 3 * HOUR + MINUTE]]);
    expect(summarize(r2).roundTrips[0].exitReason).toBe('maxHolding');
  });

  it('waits for both legs\' funding rates unless fundingRateWhenUnknown says what to assume', async () => {
    const market = () => replayInput([hourly(A, [50_000, 50_000]), hourly(B, [50_150, 50_150])]);
    expect((await twoVenues({ roundTripCostRate: 0.001 }).engine.run(market())).execution).toEqual([]);
    // Assuming 0.01% per interval on both (8h and 1h): b short receives 24 x 0.01%, a long pays 3 x 0.01% a day.
    const assumed = twoVenues({ roundTripCostRate: 0.001, fundingRateWhenUnknown: 0.0001 });
    const r = await assumed.engine.run(market());
    expect(r.execution.map((e) => e.type)).toEqual(['pairOpened']);
    expect(assumed.strategy.candidates(assumed.engine.market)[0]).toMatchObject({ long: { venue: A } });
    expect(assumed.strategy.candidates(assumed.engine.market)[0].funding).toBeCloseTo(21 * 0.0001, 12);
  });

  it('validates its config', () => {
    const perps = [`${A}:${SYMBOL}`, `${B}:${SYMBOL}`];
    expect(() => new CrossVenueSpreadStrategy({ perps, notionalUsd: 1, extra: 1 } as never)).toThrow(/extra/);
    expect(() => new CrossVenueSpreadStrategy({ perps: [perps[0]], notionalUsd: 1 })).toThrow(/perps/);
    expect(() => new CrossVenueSpreadStrategy({ perps: [perps[0], perps[0]], notionalUsd: 1 })).toThrow(/listed twice/);
    expect(() => new CrossVenueSpreadStrategy({ perps, notionalUsd: 1, stopLossBps: 0 })).toThrow(/stopLossBps/);
    expect(() => new CrossVenueSpreadStrategy({ perps, notionalUsd: 1, maxPriceSkewSeconds: 90_000 })).toThrow(/maxPriceSkewSeconds/);
  });
});

describe('cross-venue perp spread on the AHA-HH 8h data (bybit vs okx BTC/USDT perps)', () => {
  let root: string;
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'perp-arb-xspread-'));
    await importIntoStore(root, [dataPath('binance_bybit_okx_8h_spot_perp_funding__AHA-HH', 'all_exchanges.csv')]);
  }, 120_000);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('the example config opens first where the CSV says spread - cost + funding >= 0', async () => {
    const config = loadBacktestConfig(join(PROJECT_ROOT, 'examples', 'backtest-perp-spread-aha.json'));
    const { result, summary } = await runBacktest(config, { storeDir: root });
    // Independently from the CSV: at each row time t both bars close at t + 8h and the last settled rates are
    // those of row t (funding settles after prices at equal times). Cost 2 x (0.055% + 0.05%) + 0.02% = 23 bps;
    // expected funding over 1 day (3 settlements of 8h): 3 x (rate(short) - rate(long)).
    const lines = readFileSync(dataPath('binance_bybit_okx_8h_spot_perp_funding__AHA-HH', 'all_exchanges.csv'), 'utf8').trim().split('\n').slice(1);
    const rows = new Map<string, Record<string, { close: number; rate: number }>>();
    for (const line of lines) {
      const f = line.split(',');
      if (f[4] !== 'perpetual' || f[3] !== 'BTCUSDT' || (f[1] !== 'bybit' && f[1] !== 'okx')) continue;
      const at = rows.get(f[0]) ?? {};
      at[f[1]] = { close: Number(f[8]), rate: Number(f[10]) };
      rows.set(f[0], at);
    }
    let first: { time: string; long: string; net: number } | null = null;
    for (const [time, at] of rows) {
      for (const [l, s] of [['bybit', 'okx'], ['okx', 'bybit']]) {
        const net = (at[s].close - at[l].close) / at[l].close - 0.0023 + 3 * (at[s].rate - at[l].rate);
        if (net >= 0 && first === null) first = { time, long: l, net };
      }
      if (first) break;
    }
    expect(first).toMatchObject({ time: '2023-01-15 00:00:00', long: 'bybit' }); // UK time = UTC in January
    const opened = result.execution.find((e) => e.type === 'pairOpened')!;
    expect(opened.ts).toBe(Date.UTC(2023, 0, 15, 8));
    expect(summary.roundTrips[0].legs.map((l) => `${l.side} ${l.instrument}`)).toEqual(['long bybit:BTC/USDT:USDT', 'short okx:BTC/USDT:USDT']);
    // The whole run (the README's figures).
    expect(summary.trades).toBe(2);
    expect(summary.pnlBreakdown).toMatchObject({ priceUsd: 18.72196868, fundingUsd: 6.16430188, feesUsd: -122.96718726 });
  }, 60_000);
});
