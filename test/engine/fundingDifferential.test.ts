import { replayInput } from '../../src/data/replay/replay.ts';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sourceFromColumns } from '../../src/data/replay/sources.ts';
import { loadBacktestConfig, parseBacktestConfig, runBacktest } from '../../src/engine/backtest.ts';
import { Engine } from '../../src/engine/engine.ts';
import { summarize } from '../../src/engine/summary.ts';
import { roundDownToLots } from '../../src/execution/pairExecutor.ts';
import { minorToNumber } from '../../src/portfolio/money.ts';
import { FundingDifferentialStrategy } from '../../src/strategy/fundingDifferential.ts';
import { SimulatedVenue } from '../../src/venues/sim/simulatedVenue.ts';
import { importIntoStore, runCli } from '../support/cli.ts';
import { dataPath, PROJECT_ROOT } from '../support/paths.ts';
import { bars, EXACT_FILLS, HOUR, perp, T0 } from './engineSupport.ts';

const SYMBOL = 'BTC/USDT:USDT';
const YEAR = 365 * 24 * HOUR;

function fundingSource(venue: string, intervalMs: number, rows: { ts: number; rate: number; mark?: number }[]) {
  const col = (f: (r: { ts: number; rate: number; mark?: number }) => number) => Float64Array.from(rows.map(f));
  return sourceFromColumns(
    { table: 'funding', venue, symbol: SYMBOL, timeframe: null },
    { ts: col((r) => r.ts), rate: col((r) => r.rate), interval_ms: col(() => intervalMs), mark_price: col((r) => r.mark ?? Number.NaN) },
    rows.length,
  );
}

describe('funding differential on a hand-built market: venue a settles every 8h, venue b every 1h', () => {
  it('opens once both rates of a settlement are in, receives the hand-computed funding, closes, cash to the cent', async () => {
    const A = 'aven';
    const B = 'bven';
    const instruments = [perp(A, { fundingIntervalMs: 8 * HOUR }), perp(B, { fundingIntervalMs: HOUR })];
    const venueA = new SimulatedVenue({ venue: A, instruments: [instruments[0]], balances: { USDT: 100_000 }, fill: EXACT_FILLS, margin: { defaults: { leverage: 2 } } });
    const venueB = new SimulatedVenue({ venue: B, instruments: [instruments[1]], balances: { USDT: 100_000 }, fill: EXACT_FILLS, margin: { defaults: { leverage: 2 } } });
    const strategy = new FundingDifferentialStrategy({ perps: [`${A}:${SYMBOL}`, `${B}:${SYMBOL}`], notionalUsd: 10_000, crossingCostRate: 0, expectedHoldingDays: 30 });
    const engine = new Engine({
      venues: [venueA, venueB],
      instruments,
      strategy,
      deposits: [
        { venue: A, asset: 'USDT', amount: 100_000 },
        { venue: B, asset: 'USDT', amount: 100_000 },
      ],
    });
    // b: 0.001%/h (8.76% APR) for hours 1..8, then -0.001%/h for 9..15 (the long receives), 0.01%/h at 16; its rows carry a mark of 50,120.
    const bRows = Array.from({ length: 16 }, (_, k) => {
      const h = k + 1;
      return { ts: T0 + h * HOUR, rate: h <= 8 ? 0.00001 : h <= 15 ? -0.00001 : 0.0001, mark: 50_120 };
    });
    // a: 0.03% per 8h (32.85% APR) at 8h, 0.01% at 16h (10.95% APR, below b's 87.6%: close).
    const aRows = [
      { ts: T0 + 8 * HOUR, rate: 0.0003 },
      { ts: T0 + 16 * HOUR, rate: 0.0001 },
    ];
    const result = await engine.run(replayInput([
      bars(A, SYMBOL, [{ ts: T0, close: 50_000 }]),
      bars(B, SYMBOL, [{ ts: T0, close: 50_100 }]),
      fundingSource(A, 8 * HOUR, aRows), // a before b: at 8h and 16h a's row comes first, and the strategy must wait for b's
      fundingSource(B, HOUR, bRows),
    ]));

    // Cost hurdle: 4 taker fills of 0.05% = 0.2% over 30 days = 2.4333% APR. At 8h: 32.85% - 8.76% = 24.09% >= 2.43%.
    const candidates = strategy.candidates(engine.market);
    expect(candidates).toHaveLength(1);
    expect(candidates[0].costApr).toBeCloseTo((0.002 * YEAR) / (30 * 24 * HOUR), 12);
    expect(candidates[0].costApr.toFixed(6)).toBe('0.024333');

    expect(result.execution.map((e) => e.type)).toEqual(['pairOpened', 'pairClosed']);
    // Opened after b's 8h row (not on a's: b's 8h payment is not received), closed after both 16h rows.
    expect(result.execution[0]).toMatchObject({ ts: T0 + 8 * HOUR, quantity: 0.199 }); // 10000 / 50100 rounded down to 0.001
    expect(result.execution[1]).toMatchObject({ ts: T0 + 16 * HOUR });
    const pair = engine.executor.pair('fdiff-1')!;
    expect(pair.short).toEqual({ venue: A, symbol: SYMBOL });
    expect(pair.long).toEqual({ venue: B, symbol: SYMBOL });

    // Funding by hand: b (long 0.199) at 9..15h receives 0.199 * 50120 * 0.00001 = 0.0997388 each (7x);
    // at 16h a (short) receives 0.199 * 50000 * 0.0001 = 0.995 and b pays 0.199 * 50120 * 0.0001 = 0.997388.
    const funding = 7 * 0.0997388 + 0.995 - 0.997388;
    expect(funding.toFixed(7)).toBe('0.6957836');
    expect(result.funding).toHaveLength(9);
    expect(result.fundingPnlUsd).toBeCloseTo(funding, 8);
    // Fees: 0.05% of 0.199 * (50000 + 50100) on open and again on close = 19.9199.
    const fees = 0.0005 * 0.199 * (2 * 50_000 + 2 * 50_100);
    expect(result.feesPaidUsd).toBeCloseTo(fees, 8);
    expect(fees.toFixed(4)).toBe('19.9199');
    // No price PnL (flat prices, exact fills): cash = 200,000 - fees + funding = 199,980.7758836.
    const cashOf = (venue: string) => minorToNumber(engine.ledger.cash(venue).find((c) => c.asset === 'USDT')!.amount);
    expect((cashOf(A) + cashOf(B)).toFixed(2)).toBe('199980.78');
    expect(cashOf(A) + cashOf(B)).toBeCloseTo(200_000 - fees + funding, 7);
    expect(cashOf(A)).toBeCloseTo(100_000 - 0.0005 * 0.199 * 100_000 + 0.995, 7);
    expect(await venueA.positions()).toEqual([]);
    expect(await venueB.positions()).toEqual([]);
    const summary = summarize(result);
    expect(summary.trades).toBe(1);
    expect(summary.fills).toBe(4);
    // The breakdown, exactly: no price PnL, funding +0.6957836, fees -19.9199; net -19.2241164 = the cash change.
    expect(summary.pnlBreakdown).toEqual({ priceUsd: 0, fundingUsd: 0.6957836, feesUsd: -19.9199, borrowUsd: 0, liquidationFeesUsd: 0 });
    const b = result.pnlBreakdown!;
    expect(b.endEquityUsd - b.startEquityUsd).toBe(-19_224_116_40n);
    expect(summary.roundTrips).toEqual([
      expect.objectContaining({ id: 'fdiff-1', strategy: 'fundingDifferential', openedAt: T0 + 8 * HOUR, closedAt: T0 + 16 * HOUR, holdingMs: 8 * HOUR, pricePnlUsd: 0, fundingUsd: 0.6957836, feesUsd: -19.9199, netPnlUsd: -19.2241164, entryReason: 'threshold', exitReason: 'fundingReversal' }),
    ]);
    expect(summary.roundTrips[0].legs).toEqual([
      { instrument: `${B}:${SYMBOL}`, side: 'long', quantity: 0.199, averageEntryPrice: 50_100, averageExitPrice: 50_100 },
      { instrument: `${A}:${SYMBOL}`, side: 'short', quantity: 0.199, averageEntryPrice: 50_000, averageExitPrice: 50_000 },
    ]);
  });

  it('picks the best pair of three venues and annualises each rate by its own interval', async () => {
    const venues = ['x', 'y', 'z'];
    const intervals = [8 * HOUR, HOUR, 4 * HOUR];
    const instruments = venues.map((v, k) => perp(v, { fundingIntervalMs: intervals[k] }));
    const sims = venues.map((v, k) => new SimulatedVenue({ venue: v, instruments: [instruments[k]], balances: { USDT: 100_000 }, fill: EXACT_FILLS }));
    const strategy = new FundingDifferentialStrategy({ perps: venues.map((v) => `${v}:${SYMBOL}`), notionalUsd: 5_000, roundTripCostRate: 0.001 });
    const engine = new Engine({ venues: sims, instruments, strategy, deposits: venues.map((v) => ({ venue: v, asset: 'USDT', amount: 100_000 })) });
    // Per year: x 0.0001 * 1095 = 10.95%, y 0.00002 * 8760 = 17.52%, z -0.00002 * 2190 = -4.38%.
    await engine.run(replayInput([
      ...venues.map((v) => bars(v, SYMBOL, [{ ts: T0, close: 50_000 }])),
      fundingSource('x', 8 * HOUR, [{ ts: T0 + 8 * HOUR, rate: 0.0001 }]),
      fundingSource('y', HOUR, [{ ts: T0 + 8 * HOUR, rate: 0.00002 }]),
      fundingSource('z', 4 * HOUR, [{ ts: T0 + 8 * HOUR, rate: -0.00002 }]),
    ]));
    const [best, ...rest] = strategy.candidates(engine.market);
    expect(best).toMatchObject({ short: { venue: 'y' }, long: { venue: 'z' } });
    expect(best.differentialApr).toBeCloseTo(0.1752 + 0.0438, 12);
    expect(rest.map((c) => `${c.short.venue}/${c.long.venue}`)).toEqual(['x/z', 'y/x']);
    expect(engine.executor.pair('fdiff-1')).toMatchObject({ status: 'open', short: { venue: 'y' }, long: { venue: 'z' }, longQty: 0.1, shortQty: 0.1 });
  });

  it('validates its config: unknown keys, one perp, a listed twice, a spot leg', async () => {
    expect(() => new FundingDifferentialStrategy({ perps: ['a:BTC/USDT:USDT', 'b:BTC/USDT:USDT'], notionalUsd: 1, notional: 5 } as never)).toThrow(/notional/);
    expect(() => new FundingDifferentialStrategy({ perps: ['a:BTC/USDT:USDT'], notionalUsd: 1 })).toThrow(/perps/);
    expect(() => new FundingDifferentialStrategy({ perps: ['a:BTC/USDT:USDT', 'a:BTC/USDT:USDT'], notionalUsd: 1 })).toThrow(/listed twice/);
    expect(() => new FundingDifferentialStrategy({ perps: ['nocolon', 'b:BTC/USDT:USDT'], notionalUsd: 1 })).toThrow(/perps\.0/);
    expect(() =>
      parseBacktestConfig({
        strategy: { type: 'fundingDifferential', params: { perps: ['a:BTC/USDT:USDT', 'b:BTC/USDT:USDT'], notionalUsd: 1, extra: 1 } },
        data: { source: 'synthetic', seed: 1 },
        instruments: [{ id: 'synthetic:SYN/USDT:USDT' }],
        venues: [{ venue: 'synthetic', balances: { USDT: 1 } }],
      }),
    ).toThrow(/strategy\.params: Unrecognized key: "extra"|extra/);
  });
});

/** The AHA-HH CSV read here, independently of the importer: per exchange and perp pair, the 8h rows in file order. */
function ahaPerpRows(pair: string): Map<string, { time: string; close: number; rate: number }[]> {
  const lines = readFileSync(dataPath('binance_bybit_okx_8h_spot_perp_funding__AHA-HH', 'all_exchanges.csv'), 'utf8').trim().split('\n').slice(1);
  const out = new Map<string, { time: string; close: number; rate: number }[]>();
  for (const line of lines) {
    const f = line.split(',');
    if (f[4] !== 'perpetual' || f[3] !== pair) continue;
    let rows = out.get(f[1]);
    if (!rows) out.set(f[1], (rows = []));
    rows.push({ time: f[0], close: Number(f[8]), rate: Number(f[10]) });
  }
  return out;
}

describe('funding differential on the AHA-HH 8h data (binance, bybit, okx BTC/USDT perps, 2023-01..2024-07)', () => {
  let root: string;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'perp-arb-fdiff-'));
    await importIntoStore(root, [dataPath('binance_bybit_okx_8h_spot_perp_funding__AHA-HH', 'all_exchanges.csv')]);
  }, 120_000);

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('a pair held over the whole span books funding equal to sum(rate * previous close * qty) from the CSV, to the cent', async () => {
    const config = parseBacktestConfig({
      // Open on the first chance whatever the rates, never close.
      strategy: { type: 'fundingDifferential', params: { perps: ['binance:BTC/USDT:USDT', 'bybit:BTC/USDT:USDT', 'okx:BTC/USDT:USDT'], notionalUsd: 30_000, entryMarginApr: -10, exitApr: -10 } },
      data: { source: 'store', barTimeframe: '8h' },
      instruments: ['binance', 'bybit', 'okx'].map((v) => ({ id: `${v}:BTC/USDT:USDT`, takerFeeRate: 0.0005, makerFeeRate: 0.0002, lotSize: 0.001 })),
      venues: ['binance', 'bybit', 'okx'].map((venue) => ({ venue, balances: { USDT: 100_000 }, leverage: 3 })),
      equitySampleMinutes: 480,
    });
    const { result, summary } = await runBacktest(config, { storeDir: root });
    expect(result.liquidations).toEqual([]);
    expect(result.execution.map((e) => e.type)).toEqual(['pairOpened']);

    // Independently from the CSV. Rows are every 8h (UTC) per series; a perp row at t carries the rate
    // settled at t, and the bar of that row closes 8h later. The first decision (rates of the first
    // row) has no price yet; the pair opens at the next row's time, when the first bars close, on the
    // first row's rates, and is then paid at that row's settlement and every one after it, at the
    // mark = the close of the bar before (the last price known at the settlement).
    const rows = ahaPerpRows('BTCUSDT');
    const venues = ['binance', 'bybit', 'okx'];
    for (const v of venues) expect(rows.get(v)).toHaveLength(1642);
    const first = venues.map((v) => rows.get(v)![0].rate); // 0.0001, 0.00024639, 0.00018724...: short bybit, long binance
    const shortVenue = venues[first.indexOf(Math.max(...first))];
    const longVenue = venues[first.indexOf(Math.min(...first))];
    expect([shortVenue, longVenue]).toEqual(['bybit', 'binance']);
    const pair = result.execution[0];
    if (pair.type !== 'pairOpened') throw new Error('unreachable');
    expect(result.ledger.positions().map((p) => [p.venue, minorToNumber(p.quantity)])).toEqual([
      ['binance', pair.quantity],
      ['bybit', -pair.quantity],
    ]);
    const opening = (v: string) => rows.get(v)![0].close;
    const qty = roundDownToLots(30_000 / Math.max(opening(shortVenue), opening(longVenue)), [0.001]);
    expect(pair.quantity).toBe(qty);
    expect(pair.ts).toBe(Date.UTC(2023, 0, 1, 8));

    let expected = 0;
    let settlements = 0;
    for (const [venue, sign] of [[shortVenue, -1], [longVenue, 1]] as const) {
      const series = rows.get(venue)!;
      for (let i = 1; i < series.length; i++) {
        expected += -sign * qty * series[i - 1].close * series[i].rate;
        settlements++;
      }
    }
    // The last row (2024-07-01 00:00 UTC) is a settlement too: its rate is paid, its bar never closes in the data.
    expect(settlements).toBe(2 * 1641);
    expect(result.funding).toHaveLength(settlements);
    expect(result.fundingPnlUsd.toFixed(2)).toBe(expected.toFixed(2));
    expect(minorToNumber(result.ledger.totals().fundingNet.USDT ?? 0n).toFixed(2)).toBe(expected.toFixed(2));
    expect(summary.fundingPnl.toFixed(2)).toBe(expected.toFixed(2));
  }, 120_000);

  it('the example config runs end to end and trades', async () => {
    const file = join(PROJECT_ROOT, 'examples', 'backtest-fundingdiff-aha.json');
    expect(loadBacktestConfig(file).strategy.type).toBe('fundingDifferential');
    const { stdout, code, stderr } = await runCli(['backtest', '--config', file, '--store', root, '--json', '--no-report']);
    expect(stderr).not.toMatch(/error/i);
    expect(code).toBe(0);
    const summary = JSON.parse(stdout);
    expect(summary.trades).toBeGreaterThan(0);
    // Closed pairs have 4 fills, a pair still open at the end 2 (no re-hedge here); trades counts both.
    const { pairOpened, pairClosed } = summary.execution;
    expect(summary.execution.pairRehedged).toBeUndefined();
    expect(summary.fills).toBe(4 * pairClosed + 2 * (pairOpened - pairClosed));
    expect(summary.trades).toBe(pairOpened);
    expect(summary.liquidations).toBe(0);
    expect(summary.startTs).toBe(Date.UTC(2023, 0, 1)); // the first funding rows; the first bars close 8h later
  }, 120_000);
});
