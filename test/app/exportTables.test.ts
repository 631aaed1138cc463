import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fillsTable, tradesTable } from '../../src/app/export/backtestTables.ts';
import { tableToCsv } from '../../src/app/export/csvWriter.ts';
import { writeParquetTable } from '../../src/app/export/parquetWriter.ts';
import { tableFromRecords } from '../../src/app/export/recordTable.ts';
import { physicalColumnNames } from '../../src/app/export/table.ts';
import { replayInput } from '../../src/data/replay/replay.ts';
import { sourceFromColumns } from '../../src/data/replay/sources.ts';
import { duckConnection } from '../../src/data/store/duck.ts';
import { Engine } from '../../src/engine/engine.ts';
import { summarize } from '../../src/engine/summary.ts';
import type { RoundTripRecord } from '../../src/engine/roundTrip.ts';
import { TradeLog } from '../../src/engine/tradeLog.ts';
import { FundingCarryStrategy } from '../../src/strategy/fundingCarry.ts';
import { SimulatedVenue } from '../../src/venues/sim/simulatedVenue.ts';
import { bars, EXACT_FILLS, fundingRows, MINUTE, perp, spot, T0 } from '../engine/engineSupport.ts';
import { useTempDirs } from '../support/tempDir.ts';

const tempDir = useTempDirs();

/** A round trip as the richer list will carry it: legs, ISO and ms times, reasons. */
const RICH_TRIPS = [
  {
    id: 'carry-1',
    strategy: 'fundingCarry',
    legs: [
      { instrument: 'binance:BTC/USDT', side: 'buy', quantity: 0.5, entryPrice: 50_000, exitPrice: 51_000 },
      { instrument: 'binance:BTC/USDT:USDT', side: 'sell', quantity: 0.5, entryPrice: 50_010, exitPrice: 50_990 },
    ],
    openedAt: Date.UTC(2024, 0, 1, 8),
    closedAt: '2024-01-02T16:00:00.000Z',
    holdingMs: 32 * 3_600_000,
    netPnlUsd: 12.5,
    entryReason: 'threshold',
    exitReason: 'fundingReversal, "late"',
  },
  { id: 'carry-2', strategy: 'fundingCarry', legs: [], openedAt: Date.UTC(2024, 0, 3), closedAt: null, holdingMs: 3_600_000, netPnlUsd: -1.25, entryReason: 'threshold', exitReason: null },
];

describe('export tables', () => {
  it('takes every field of the round trips as given: legs flattened, times as ISO plus ms, text quoted', () => {
    const table = tradesTable(RICH_TRIPS);
    expect(physicalColumnNames(table)).toEqual([
      'id',
      'strategy',
      'legs.0.instrument',
      'legs.0.side',
      'legs.0.quantity',
      'legs.0.entryPrice',
      'legs.0.exitPrice',
      'legs.1.instrument',
      'legs.1.side',
      'legs.1.quantity',
      'legs.1.entryPrice',
      'legs.1.exitPrice',
      'openedAt',
      'openedAtMs',
      'closedAt',
      'closedAtMs',
      'holdingMs',
      'netPnlUsd',
      'entryReason',
      'exitReason',
      'legs',
    ]);
    expect(table.columns.find((c) => c.name === 'holdingMs')?.kind).toBe('int');
    const lines = tableToCsv(table).trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toBe(
      'carry-1,fundingCarry,binance:BTC/USDT,buy,0.5,50000,51000,binance:BTC/USDT:USDT,sell,0.5,50010,50990,' +
        '2024-01-01T08:00:00.000Z,1704096000000,2024-01-02T16:00:00.000Z,1704211200000,115200000,12.5,threshold,"fundingReversal, ""late""",',
    );
    // The open trip: no legs, no close time (empty cells).
    expect(lines[2]).toBe('carry-2,fundingCarry,,,,,,,,,,,2024-01-03T00:00:00.000Z,1704240000000,,,3600000,-1.25,threshold,,');
  });

  it("the engine's round trips and an empty list have the same columns", () => {
    const legs = (k: number) => [`legs.${k}.instrument`, `legs.${k}.side`, `legs.${k}.quantity`, `legs.${k}.averageEntryPrice`, `legs.${k}.averageExitPrice`];
    const header = ['id', 'strategy', ...legs(0), ...legs(1), 'openedAt', 'openedAtMs', 'closedAt', 'closedAtMs', 'holdingMs', 'netPnlUsd', 'pricePnlUsd', 'fundingUsd', 'feesUsd', 'borrowUsd', 'liquidationFeesUsd', 'entryReason', 'exitReason', 'entryReasonText', 'exitReasonText'];
    const trip: RoundTripRecord = {
      id: 'p1',
      strategy: 'scripted',
      legs: [
        { instrument: 'sim:BTC/USDT', side: 'long', quantity: 0.199, averageEntryPrice: 50_000, averageExitPrice: 50_500 },
        { instrument: 'sim:BTC/USDT:USDT', side: 'short', quantity: 0.199, averageEntryPrice: 50_100, averageExitPrice: 50_550 },
      ],
      openedAt: T0,
      closedAt: T0 + 3 * MINUTE,
      holdingMs: 3 * MINUTE,
      netPnlUsd: -20.064175,
      pricePnlUsd: 9.95,
      fundingUsd: 0,
      feesUsd: -30.014175,
      borrowUsd: 0,
      liquidationFeesUsd: 0,
      entryReason: 'threshold',
      exitReason: 'meanReversion',
      entryReasonText: 'test',
      exitReasonText: 'back to mu',
    };
    expect(physicalColumnNames(tradesTable([trip]))).toEqual(header);
    expect(tableToCsv(tradesTable([trip])).split('\n')[1]).toBe(
      'p1,scripted,sim:BTC/USDT,long,0.199,50000,50500,sim:BTC/USDT:USDT,short,0.199,50100,50550,2025-01-01T00:00:00.000Z,1735689600000,2025-01-01T00:03:00.000Z,1735689780000,180000,-20.064175,9.95,0,-30.014175,0,0,threshold,meanReversion,test,back to mu',
    );
    expect(tableToCsv(tradesTable([]))).toBe(`${header.join(',')}\n`);
  });

  it('writes Parquet that DuckDB reads back with the types and values given', async () => {
    const file = join(tempDir(), 'trades.parquet');
    await writeParquetTable(file, tradesTable(RICH_TRIPS));
    const connection = await duckConnection();
    const types = await connection.runAndReadAll(`SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet('${file}'))`);
    const byName = Object.fromEntries(types.getRowObjects().map((r) => [String(r.column_name), String(r.column_type)]));
    expect(byName).toMatchObject({ id: 'VARCHAR', openedAt: 'TIMESTAMP WITH TIME ZONE', openedAtMs: 'BIGINT', holdingMs: 'BIGINT', netPnlUsd: 'DOUBLE', 'legs.1.exitPrice': 'DOUBLE' });
    const rows = await connection.runAndReadAll(
      `SELECT id, epoch_ms(openedAt) AS opened, openedAtMs, closedAtMs, netPnlUsd, "legs.0.instrument" AS leg, exitReason FROM read_parquet('${file}') ORDER BY id`,
    );
    expect(rows.getRowObjectsJson()).toEqual([
      { id: 'carry-1', opened: '1704096000000', openedAtMs: '1704096000000', closedAtMs: '1704211200000', netPnlUsd: 12.5, leg: 'binance:BTC/USDT', exitReason: 'fundingReversal, "late"' },
      { id: 'carry-2', opened: '1704240000000', openedAtMs: '1704240000000', closedAtMs: null, netPnlUsd: -1.25, leg: null, exitReason: null },
    ]);
  });

  it('a table from records infers kinds: numbers, booleans, mixed values as JSON text', () => {
    const table = tableFromRecords('t', [{ a: 1, b: true, c: 'x', when: '2024-01-01T00:00:00Z' }, { a: 2.5, b: false, c: 3 }]);
    expect(table.columns).toEqual([
      { name: 'a', kind: 'float' },
      { name: 'b', kind: 'bool' },
      { name: 'c', kind: 'text' },
      { name: 'when', kind: 'text' },
    ]);
    expect(tableToCsv(table)).toBe('a,b,c,when\n1,true,x,2024-01-01T00:00:00Z\n2.5,false,3,\n');
  });
});

describe('the trade log (an engine subscriber) keeps every fill in full', () => {
  it('a liquidated carry: 4 fills with venue, side, price, fee and asset; the liquidation marked as such', async () => {
    const V = 'sim';
    const PERP = 'BTC/USDT:USDT';
    const instruments = [spot(V), perp(V)];
    const venue = new SimulatedVenue({ venue: V, instruments, balances: { USDT: 100_000 }, fill: EXACT_FILLS, margin: { defaults: { leverage: 10, marginMode: 'isolated' } } });
    const strategy = new FundingCarryStrategy({ spot: `${V}:BTC/USDT`, perp: `${V}:${PERP}`, notionalUsd: 10_000, roundTripCostRate: 0 });
    const engine = new Engine({ venues: [venue], instruments, strategy, deposits: [{ venue: V, asset: 'USDT', amount: 100_000 }] });
    const log = new TradeLog();
    log.attach(engine.events);
    const perpBars = sourceFromColumns(
      { table: 'bars', venue: V, symbol: PERP, timeframe: '1m' },
      { ts: Float64Array.of(T0, T0 + 3 * MINUTE), open: Float64Array.of(50_000, 50_000), high: Float64Array.of(50_000, 56_000), low: Float64Array.of(50_000, 50_000), close: Float64Array.of(50_000, 55_500), volume: Float64Array.of(1e6, 1e6) },
      2,
    );
    const result = await engine.run(replayInput([bars(V, 'BTC/USDT', [{ ts: T0, close: 50_000 }, { ts: T0 + 3 * MINUTE, close: 55_000 }]), perpBars, fundingRows(V, PERP, [{ ts: T0 + 2 * MINUTE, rate: 0.0001 }])]));
    const table = fillsTable(log);
    expect(table.rows).toHaveLength(summarize(result).fills);
    expect(table.rows).toHaveLength(4);
    const rows = table.rows.map((r) => Object.fromEntries(table.columns.map((c, k) => [c.name, r[k]])));
    expect(rows.map((r) => [r.symbol, r.side, r.kind, r.liquidity])).toEqual([
      ['BTC/USDT', 'buy', 'order', 'taker'],
      [PERP, 'sell', 'order', 'taker'],
      [PERP, 'buy', 'liquidation', 'taker'],
      ['BTC/USDT', 'sell', 'order', 'taker'],
    ]);
    const liquidation = result.liquidations[0];
    expect(rows[2]).toMatchObject({ venue: V, ts: liquidation.ts, quantity: 0.2, fee: liquidation.liquidationFee, feeAsset: 'USDT', fillId: liquidation.fillId });
    expect(rows[2].price).toBeCloseTo(55_000 / 1.004, 9);
    expect(rows[0]).toMatchObject({ quantity: 0.2, price: 50_000, fee: 10, feeUsd: 10, notionalUsd: 10_000 });
    expect(String(rows[0].orderId)).toMatch(/^carry-1\/open\/long\//);
    // The trade log and the run recorder saw the same fills: the orders' fees are the run's trading
    // fees, the liquidation's its liquidation fee (booked apart by the ledger).
    const feesOf = (kind: string) => rows.filter((r) => r.kind === kind).reduce((sum, r) => sum + (r.feeUsd as number), 0);
    expect(feesOf('order')).toBeCloseTo(result.feesPaidUsd, 8);
    expect(feesOf('liquidation')).toBeCloseTo(result.liquidationFeesPaidUsd, 8);
    expect(rows[2].feeUsd).toBe(liquidation.liquidationFee);
  });
});
