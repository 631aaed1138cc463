import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replayInput } from '../../src/data/replay/replay.ts';
import { loadBacktestConfig, parseBacktestConfig, runBacktest } from '../../src/engine/backtest.ts';
import { Engine } from '../../src/engine/engine.ts';
import { summarize } from '../../src/engine/summary.ts';
import { instrumentFromSymbol, type Instrument } from '../../src/domain/instrument.ts';
import { minorToNumber } from '../../src/portfolio/money.ts';
import { CalendarSpreadStrategy } from '../../src/strategy/calendarSpread.ts';
import { SimulatedVenue } from '../../src/venues/sim/simulatedVenue.ts';
import { importIntoStore } from '../support/cli.ts';
import { dataPath, PROJECT_ROOT } from '../support/paths.ts';
import { bars, EXACT_FILLS, fundingRows, HOUR, MINUTE, perp, spot, T0 } from './engineSupport.ts';

const V = 'sim';
const PERP = 'BTC/USDT:USDT';
const FUTURE = 'BTC/USDT:USDT-250101';
const EXPIRY = T0 + 10 * HOUR;
const YEAR = 365 * 24 * HOUR;

const future: Instrument = { ...instrumentFromSymbol(V, FUTURE), contractSize: 1, lotSize: 0.001, tickSize: 0.1, makerFeeRate: 0.0002, takerFeeRate: 0.0005, expiryMs: EXPIRY };

/** One venue with the perp (8h funding), the spot and a future expiring at T0 + 10h; 100,000 USDT; exact fills; entries up to the expiry (minDaysToExpiry 0). */
function setup(params: Record<string, unknown>, hedge = `${V}:${PERP}`) {
  const instruments = [perp(V), spot(V), future];
  const venue = new SimulatedVenue({ venue: V, instruments, balances: { USDT: 100_000 }, fill: EXACT_FILLS, margin: { defaults: { leverage: 2 } } });
  const strategy = new CalendarSpreadStrategy({ future: `${V}:${FUTURE}`, hedge, notionalUsd: 10_000, crossingCostRate: 0, minDaysToExpiry: 0, ...params });
  const engine = new Engine({ venues: [venue], instruments, strategy, deposits: [{ venue: V, asset: 'USDT', amount: 100_000 }] });
  return { engine, strategy, venue };
}

/** Hourly 1m bars: the bar of open time T0 + h hours is seen at its close, a minute later. */
const hourly = (symbol: string, closes: number[]) => bars(V, symbol, closes.map((close, h) => ({ ts: T0 + h * HOUR, close })));

describe('calendar spread on a hand-built market: future vs perp on one venue', () => {
  it('shorts the rich future, holds to the venue\'s expiry settlement, the hedge closed at once; cash to the cent', async () => {
    const { engine, strategy, venue } = setup({ entryNetApr: 0.05 });
    // The future's last bar (open 9h) closes at 9h01, before the 10h expiry, at 50,000: converged.
    const futureCloses = [50_300, ...Array(8).fill(50_200), 50_000];
    const signals: Record<string, number>[] = [];
    engine.events.subscribe((e) => e.type === 'signal' && signals.push({ ...e.values }), { name: 'signals', types: ['signal'] });
    const result = await engine.run(replayInput([
      hourly(PERP, Array(12).fill(50_000)),
      hourly(FUTURE, futureCloses),
      fundingRows(V, PERP, [0, 8].map((h) => ({ ts: T0 + h * HOUR, rate: 0.0001, mark: 50_000 }))),
    ]));
    // At 0h01: tau = 10h - 1m = 599 minutes. basis = 300 / 50,000 = 60 bps; cost (held to expiry: one future fill,
    // two perp fills) = 0.05% + 2 x 0.05% = 15 bps; the long perp pays 0.01% per 8h: -0.0001 x 599 / 480.
    const tau = 599 * MINUTE;
    const funding = (-0.0001 * 599) / 480;
    const net = 0.006 - 0.0015 + funding;
    expect(result.execution.map((e) => [e.type, e.ts])).toEqual([['pairOpened', T0 + MINUTE], ['legExpired', EXPIRY], ['pairClosed', EXPIRY + MINUTE]]);
    // One signal, at the entry decision (held to expiry, later decisions price nothing).
    expect(signals).toHaveLength(1);
    expect(signals[0].basisBps).toBeCloseTo(60, 9);
    expect(signals[0].netApr).toBeCloseTo((net * YEAR) / tau, 9);
    const pairs = summarize(result).roundTrips;
    expect(pairs[0].entryReasonText).toBe(`basis 60.00 bps - cost 15.00 bps + funding ${(funding * 1e4).toFixed(2)} bps over 0.42 days to expiry = ${((net * YEAR * 100) / tau).toFixed(2)}% a year >= entry 5.00%`);
    expect(pairs[0].entryReasonText).toContain('= 383.91% a year');
    // 10,000 / 50,300 = 0.19881 down to the 0.001 lot.
    expect(result.execution[0]).toMatchObject({ quantity: 0.198, longPrice: 50_000, shortPrice: 50_300 });
    // Settled at the future's last price, 50,000.
    expect(result.execution[1]).toMatchObject({ leg: 'short', quantity: 0.198, price: 50_000 });
    expect(engine.executor.pair('calendar-1')).toMatchObject({ long: { symbol: PERP }, short: { symbol: FUTURE } });
    // Future: 0.198 x (50,300 - 50,000) = +59.4; perp flat. Funding at 8h: the long perp pays 0.198 x 50,000 x 0.01% = 0.99.
    // Fees: future 0.05% of 0.198 x 50,300 = 4.9797 (none at settlement); perp 0.05% of 0.198 x 50,000, twice = 9.9.
    expect(result.fundingPnlUsd).toBeCloseTo(-0.99, 8);
    expect(result.feesPaidUsd).toBeCloseTo(4.9797 + 9.9, 8);
    const cash = minorToNumber(engine.ledger.cashBalance(V, 'USDT'));
    expect(cash).toBeCloseTo(100_000 + 59.4 - 0.99 - 14.8797, 7);
    expect(cash.toFixed(4)).toBe('100043.5303');
    expect(pairs).toEqual([expect.objectContaining({ id: 'calendar-1', strategy: 'calendarSpread', pricePnlUsd: 59.4, fundingUsd: -0.99, feesUsd: -14.8797, exitReason: 'expiry' })]);
    expect(await venue.positions()).toEqual([]);
    // After the expiry nothing re-opens.
    expect(strategy.candidate(engine.market, EXPIRY + MINUTE)).toBeNull();
  });

  it('with exitBasisBps closes on convergence before the expiry, the cost counting both future fills', async () => {
    const { engine, strategy } = setup({ entryNetApr: 0.05, exitBasisBps: 10, fundingRateWhenUnknown: 0 });
    // 60 bps at 0h, 30 at 1h..3h, 8 bps at 4h: <= 10, close.
    const result = await engine.run(replayInput([hourly(PERP, Array(8).fill(50_000)), hourly(FUTURE, [50_300, 50_150, 50_150, 50_150, 50_040, 50_040, 50_040, 50_040])]));
    expect(result.execution.map((e) => [e.type, e.ts])).toEqual([['pairOpened', T0 + MINUTE], ['pairClosed', T0 + 4 * HOUR + MINUTE]]);
    expect(strategy.cost(engine.market)).toBeCloseTo(2 * 0.0005 + 2 * 0.0005, 12);
    const trip = summarize(result).roundTrips[0];
    expect(trip).toMatchObject({ exitReason: 'meanReversion', exitReasonText: 'basis 8.00 bps <= exit 10 bps' });
    // Future 0.198 x (50,300 - 50,040) = 51.48; fees 0.05% of 0.198 x (50,300 + 50,040 + 2 x 50,000).
    expect(trip.pricePnlUsd).toBeCloseTo(51.48, 8);
    expect(trip.feesUsd).toBeCloseTo(-0.0005 * 0.198 * 200_340, 8);
  });

  it('a spot hedge: cash and carry in contango; in backwardation only with allowShortSpot', async () => {
    const contango = setup({ entryNetApr: 0.05 }, `${V}:BTC/USDT`);
    const r1 = await contango.engine.run(replayInput([hourly('BTC/USDT', [50_000, 50_000]), hourly(FUTURE, [50_300, 50_300])]));
    // Cost: future 0.05% + spot 2 x 0.1% = 25 bps; no funding. net = 60 - 25 = 35 bps over 599 minutes.
    const c = contango.strategy.candidate(contango.engine.market, T0 + MINUTE)!;
    expect(c).toMatchObject({ side: 'shortFuture', funding: 0 });
    expect(c.cost).toBeCloseTo(0.0025, 12);
    expect(c.netApr).toBeCloseTo((0.0035 * YEAR) / (599 * MINUTE), 9);
    expect(r1.execution[0]).toMatchObject({ type: 'pairOpened', ts: T0 + MINUTE });
    const backwardation = setup({ entryNetApr: 0.05 }, `${V}:BTC/USDT`);
    const r2 = await backwardation.engine.run(replayInput([hourly('BTC/USDT', [50_300, 50_300]), hourly(FUTURE, [50_000, 50_000])]));
    expect(r2.execution).toEqual([]);
    expect(backwardation.strategy.candidate(backwardation.engine.market, T0 + MINUTE)).toBeNull();
  });

  it('opens nothing before the perp hedge has a funding rate (unless fundingRateWhenUnknown is set)', async () => {
    const market = () => replayInput([hourly(PERP, [50_000, 50_000]), hourly(FUTURE, [50_300, 50_300])]);
    expect((await setup({}).engine.run(market())).execution).toEqual([]);
    expect((await setup({ fundingRateWhenUnknown: 0 }).engine.run(market())).execution.map((e) => e.type)).toEqual(['pairOpened']);
  });

  it('opens nothing with less than minDaysToExpiry to go', async () => {
    const { engine } = setup({ minDaysToExpiry: 0.5, fundingRateWhenUnknown: 0 }); // 10h to the expiry < 12h
    const result = await engine.run(replayInput([hourly(PERP, [50_000, 50_000]), hourly(FUTURE, [50_300, 50_300])]));
    expect(result.execution).toEqual([]);
  });

  it('validates its config and its legs', async () => {
    expect(() => new CalendarSpreadStrategy({ future: `${V}:${FUTURE}`, hedge: `${V}:${FUTURE}`, notionalUsd: 1 })).toThrow(/is the future itself/);
    expect(() => new CalendarSpreadStrategy({ future: `${V}:${FUTURE}`, hedge: `${V}:${PERP}`, notionalUsd: 1, minDaysToExpiry: 400 })).toThrow(/minDaysToExpiry/);
    const swapped = setup({}, `${V}:${PERP}`);
    const wrong = new CalendarSpreadStrategy({ future: `${V}:${PERP}`, hedge: `${V}:BTC/USDT`, notionalUsd: 1 });
    expect(() => wrong.candidate(swapped.engine.market, T0)).toThrow(/is a perp, not a dated future/);
  });
});

describe('calendar spread on the FTX markets snapshot of 2021-07-22 (BTC-0924 and BTC-1231 against BTC-PERP)', () => {
  let root: string;
  const capture = dataPath('raw_exchange_api_captures__bmoscon_cryptofeed', 'at_ad74b11d5de8ad0414231c23dc5d7f73cdbfc5ab', 'FTX.0');
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'perp-arb-calendar-'));
    await importIntoStore(root, [capture]);
  }, 120_000);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('opens short the future / long the perp at the captured bid and ask, with the annualised basis computed from the capture', async () => {
    // From the raw capture: its time, and each market's bid and ask.
    const line = readFileSync(capture, 'utf8').split('\n').find((l) => l.startsWith('https://ftx.com/api/markets'))!;
    const snapshotMs = Math.floor(Number(/-> ([\d.]+):/.exec(line)![1]) * 1000);
    const markets = (JSON.parse(line.slice(line.indexOf(': ') + 2)) as { result: { name: string; bid: number; ask: number }[] }).result;
    const quote = (name: string) => markets.find((m) => m.name === name)!;
    expect([quote('BTC-PERP').ask, quote('BTC-0924').bid, quote('BTC-1231').bid]).toEqual([32_196, 32_468, 32_815]);
    for (const [name, symbol, expiry] of [['BTC-0924', 'BTC/USD:USD-210924', Date.UTC(2021, 8, 24, 3)], ['BTC-1231', 'BTC/USD:USD-211231', Date.UTC(2021, 11, 31, 3)]] as const) {
      const config = parseBacktestConfig({
        strategy: { type: 'calendarSpread', params: { future: `ftx:${symbol}`, hedge: 'ftx:BTC/USD:USD', notionalUsd: 10_000, crossingCostRate: 0, entryNetApr: 0.02, fundingRateWhenUnknown: 0 } },
        data: { source: 'store', barTimeframe: '1m' },
        instruments: [{ id: `ftx:${symbol}`, takerFeeRate: 0.0007, makerFeeRate: 0.0002 }, { id: 'ftx:BTC/USD:USD', takerFeeRate: 0.0007, makerFeeRate: 0.0002 }],
        venues: [{ venue: 'ftx', balances: { USD: 100_000 }, leverage: 3 }],
      });
      const { result, summary } = await runBacktest(config, { storeDir: root });
      // Sell the future at its bid, buy the perp at its ask; cost 0.07% + 2 x 0.07% = 21 bps; a markets snapshot
      // has no funding: the config assumes 0 (without fundingRateWhenUnknown nothing would open).
      const basis = (quote(name).bid - quote('BTC-PERP').ask) / quote('BTC-PERP').ask;
      const tauMs = expiry - snapshotMs;
      const netApr = ((basis - 0.0021) * YEAR) / tauMs;
      expect(result.execution[0]).toMatchObject({ type: 'pairOpened', ts: snapshotMs });
      // Filled as the decision priced it: the perp bought at its ask, the future sold at its bid.
      expect(summary.roundTrips[0].legs.map((l) => [l.side, l.instrument, l.averageEntryPrice])).toEqual([['long', 'ftx:BTC/USD:USD', 32_196], ['short', `ftx:${symbol}`, quote(name).bid]]);
      const text = summary.roundTrips[0].entryReasonText;
      expect(text).toBe(`basis ${(basis * 1e4).toFixed(2)} bps - cost 21.00 bps + funding 0.00 bps over ${(tauMs / 86_400_000).toFixed(2)} days to expiry = ${(netApr * 100).toFixed(2)}% a year >= entry 2.00%`);
      // 84.48 bps over 63.18 days (3.67% a year net) for September, 192.26 bps over 161.18 days (3.88%) for December.
      expect(text).toContain(name === 'BTC-0924' ? 'basis 84.48 bps' : 'basis 192.26 bps');
      // The snapshot is one instant: the pair is still open when the data ends (no price after it to settle at).
      expect(summary.roundTrips[0].exitReason).toBe('endOfData');
    }
  }, 60_000);
});

describe('calendar spread example (synthetic dated future converging at expiry)', () => {
  it('opens at the start, is settled at the expiry, and the README figures are these', async () => {
    const config = loadBacktestConfig(join(PROJECT_ROOT, 'examples', 'backtest-calendar-synthetic.json'));
    const { result, summary } = await runBacktest(config);
    expect(result.execution.map((e) => e.type)).toEqual(['pairOpened', 'legExpired', 'pairClosed']);
    expect(result.execution[1].ts).toBe(Date.UTC(2024, 1, 15, 3));
    expect(summary.roundTrips[0]).toMatchObject({ exitReason: 'expiry', fundingUsd: 0 });
    expect(summary.pnlBreakdown).toMatchObject({ priceUsd: 420.92437593, feesUsd: -91.4324987 });
  }, 60_000);
});
