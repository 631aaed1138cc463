import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { duckConnection, sqlString } from '../../src/data/store/duck.ts';
import { runCli } from '../support/cli.ts';
import { PROJECT_ROOT } from '../support/paths.ts';
import { useTempDirs } from '../support/tempDir.ts';

const tempDir = useTempDirs();
const CARRY = join(PROJECT_ROOT, 'examples', 'backtest-carry-synthetic.json');

const FILL_COLUMNS = ['ts', 'tsMs', 'venue', 'symbol', 'side', 'quantity', 'price', 'notionalUsd', 'fee', 'feeAsset', 'feeUsd', 'liquidity', 'kind', 'orderId', 'fillId'];
const FUNDING_COLUMNS = ['ts', 'tsMs', 'venue', 'symbol', 'fundingRatePerInterval', 'markPrice', 'positionQty', 'amount', 'asset', 'amountUsd'];
const EQUITY_COLUMNS = ['ts', 'tsMs', 'equityUsd', 'drawdown'];

interface Summary {
  trades: number;
  fills: number;
  feesPaid: number;
  fundingPnl: number;
  startEquityUsd: number;
  endEquityUsd: number;
  maxDrawdown: number;
}

function readCsv(file: string): { header: string[]; rows: Record<string, string>[] } {
  const text = readFileSync(file, 'utf8');
  const header = text.slice(0, text.indexOf('\n')).split(',');
  return { header, rows: parse(text, { columns: true }) as Record<string, string>[] };
}

const sum = (rows: Record<string, string>[], column: string) => rows.reduce((s, r) => s + Number(r[column]), 0);

describe('perp-arb backtest --out-dir', () => {
  it('writes trades, fills, funding and equity as CSV whose rows match the summary, summary.json and the report', async () => {
    const dir = join(tempDir(), 'run');
    const result = await runCli(['backtest', '--config', CARRY, '--out-dir', dir, '--json', '--no-progress']);
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout) as Summary;
    expect(readdirSync(dir).sort()).toEqual(['equity.csv', 'fills.csv', 'funding.csv', 'report.html', 'summary.json', 'trades.csv']);
    expect(result.stderr).toContain(`out-dir: ${dir} (trades.csv ${summary.trades} rows, fills.csv ${summary.fills} rows`);

    const trades = readCsv(join(dir, 'trades.csv'));
    expect(trades.header.slice(0, 3)).toEqual(['id', 'strategy', 'legs.0.instrument']);
    expect(trades.header).toEqual(expect.arrayContaining(['openedAt', 'openedAtMs', 'closedAt', 'closedAtMs', 'holdingMs', 'netPnlUsd', 'pricePnlUsd', 'fundingUsd', 'feesUsd', 'borrowUsd', 'liquidationFeesUsd', 'entryReason', 'exitReason']));
    // The rows are the summary's round trips, exactly (numbers in their shortest exact form).
    expect(trades.rows.map((r) => Number(r.netPnlUsd))).toEqual((summary as unknown as { roundTrips: { netPnlUsd: number }[] }).roundTrips.map((t) => t.netPnlUsd));
    expect(summary.trades).toBeGreaterThan(3);
    expect(trades.rows).toHaveLength(summary.trades);
    const fills = readCsv(join(dir, 'fills.csv'));
    expect(fills.header).toEqual(FILL_COLUMNS);
    expect(fills.rows).toHaveLength(summary.fills);
    expect(sum(fills.rows, 'feeUsd')).toBeCloseTo(summary.feesPaid, 6);
    expect(new Set(fills.rows.map((r) => r.venue))).toEqual(new Set(['synthetic']));
    expect(new Set(fills.rows.map((r) => r.symbol))).toEqual(new Set(['SYN/USDT', 'SYN/USDT:USDT']));
    expect(new Set(fills.rows.map((r) => r.kind))).toEqual(new Set(['order']));
    for (const f of fills.rows) {
      expect(['buy', 'sell']).toContain(f.side);
      expect(f.feeAsset).toBe('USDT');
      // The fee of the config's taker rates: spot 0.1%, perp 0.05% of the fill's notional.
      expect(Number(f.fee)).toBeCloseTo(Number(f.quantity) * Number(f.price) * (f.symbol === 'SYN/USDT' ? 0.001 : 0.0005), 8);
    }
    // Two fills per entry and two per exit of each round trip, at its times.
    expect(fills.rows.filter((f) => f.tsMs === trades.rows[0].openedAtMs)).toHaveLength(2);
    const funding = readCsv(join(dir, 'funding.csv'));
    expect(funding.header).toEqual(FUNDING_COLUMNS);
    expect(funding.rows.length).toBeGreaterThan(10);
    expect(sum(funding.rows, 'amountUsd')).toBeCloseTo(summary.fundingPnl, 6);
    for (const f of funding.rows) expect(Number(f.amount)).toBeCloseTo(-Number(f.positionQty) * Number(f.markPrice) * Number(f.fundingRatePerInterval), 8);
    const equity = readCsv(join(dir, 'equity.csv'));
    expect(equity.header).toEqual(EQUITY_COLUMNS);
    expect(Number(equity.rows[0].equityUsd)).toBe(summary.startEquityUsd);
    expect(Number(equity.rows.at(-1)!.equityUsd)).toBeCloseTo(summary.endEquityUsd, 8);
    expect(Math.max(...equity.rows.map((r) => Number(r.drawdown)))).toBeCloseTo(summary.maxDrawdown, 12);
    // Every timestamp: ISO-8601 UTC and the same instant in epoch ms.
    for (const [rows, pairs] of [
      [fills.rows, [['ts', 'tsMs']]],
      [equity.rows, [['ts', 'tsMs']]],
      [trades.rows, [['openedAt', 'openedAtMs'], ['closedAt', 'closedAtMs']]],
    ] as const) {
      for (const row of rows) {
        for (const [iso, ms] of pairs) {
          if (row[iso] === '') continue;
          expect(row[iso]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
          expect(Date.parse(row[iso])).toBe(Number(row[ms]));
        }
      }
    }

    const written = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
    expect(written.summary).toEqual(summary);
    expect(written).toMatchObject({ kind: 'backtest', runId: null, report: 'report.html', data: { source: 'synthetic', seed: 7, from: '2024-01-01T00:01:00.000Z', fromMs: Date.UTC(2024, 0, 1, 0, 1) } });
    expect(written.files).toEqual([
      { file: 'trades.csv', rows: summary.trades, columns: trades.header },
      { file: 'fills.csv', rows: summary.fills, columns: FILL_COLUMNS },
      { file: 'funding.csv', rows: funding.rows.length, columns: FUNDING_COLUMNS },
      { file: 'equity.csv', rows: equity.rows.length, columns: EQUITY_COLUMNS },
    ]);
    expect(written.config.strategy.type).toBe('fundingCarry');
    expect(readFileSync(join(dir, 'report.html'), 'utf8')).toContain('data-chart="Equity"');
  }, 90_000);

  it('--format parquet: the same tables as Parquet, read back through DuckDB with their types', async () => {
    const dir = join(tempDir(), 'parquet');
    const csvDir = join(tempDir(), 'csv');
    const result = await runCli(['backtest', '--config', CARRY, '--out-dir', dir, '--format', 'parquet', '--no-report', '--json', '--no-progress']);
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout) as Summary;
    expect(readdirSync(dir).sort()).toEqual(['equity.parquet', 'fills.parquet', 'funding.parquet', 'summary.json', 'trades.parquet']);
    const db = await duckConnection();
    const one = async (sql: string) => (await db.runAndReadAll(sql)).getRowObjectsJson()[0];
    const file = (name: string) => sqlString(join(dir, `${name}.parquet`));
    expect(await one(`SELECT count(*) AS n, round(sum(feeUsd), 6) AS fees, count(*) FILTER (WHERE epoch_ms(ts) <> tsMs) AS bad FROM read_parquet(${file('fills')})`)).toEqual({ n: String(summary.fills), fees: Math.round(summary.feesPaid * 1e6) / 1e6, bad: '0' });
    expect(await one(`SELECT count(*) AS n FROM read_parquet(${file('trades')})`)).toEqual({ n: String(summary.trades) });
    expect(await one(`SELECT round(sum(amountUsd), 6) AS funding FROM read_parquet(${file('funding')})`)).toEqual({ funding: Math.round(summary.fundingPnl * 1e6) / 1e6 });
    const types = (await db.runAndReadAll(`SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet(${file('fills')}))`)).getRowObjectsJson();
    expect(types.map((t) => `${t.column_name} ${t.column_type}`)).toEqual([
      'ts TIMESTAMP WITH TIME ZONE',
      'tsMs BIGINT',
      'venue VARCHAR',
      'symbol VARCHAR',
      'side VARCHAR',
      'quantity DOUBLE',
      'price DOUBLE',
      'notionalUsd DOUBLE',
      'fee DOUBLE',
      'feeAsset VARCHAR',
      'feeUsd DOUBLE',
      'liquidity VARCHAR',
      'kind VARCHAR',
      'orderId VARCHAR',
      'fillId VARCHAR',
    ]);
    // The same rows as the CSV export of the same run.
    expect((await runCli(['backtest', '--config', CARRY, '--out-dir', csvDir, '--no-report', '--json', '--no-progress'])).code).toBe(0);
    const fromParquet = (await db.runAndReadAll(`SELECT tsMs, equityUsd FROM read_parquet(${file('equity')})`)).getRowObjectsJson();
    const fromCsv = readCsv(join(csvDir, 'equity.csv')).rows.map((r) => ({ tsMs: r.tsMs, equityUsd: Number(r.equityUsd) }));
    expect(fromParquet).toEqual(fromCsv);
    const written = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
    expect(written.files.map((f: { file: string; rows: number }) => [f.file, f.rows])).toEqual([
      ['trades.parquet', summary.trades],
      ['fills.parquet', summary.fills],
      ['funding.parquet', written.files[2].rows],
      ['equity.parquet', fromCsv.length],
    ]);
    expect(written.report).toBeNull();
  }, 90_000);

  it('refuses a directory that is not empty (exit 2, nothing written) unless --force, which replaces only export files', async () => {
    const dir = join(tempDir(), 'busy');
    mkdirSync(dir);
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    writeFileSync(join(dir, 'trades.parquet'), 'stale export');
    const refused = await runCli(['backtest', '--config', CARRY, '--out-dir', dir, '--no-report', '--no-progress']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(`error: --out-dir ${dir}: the directory exists and is not empty (2 entries); give a new or empty directory, or --force to replace the export files in it\n`);
    expect(readdirSync(dir).sort()).toEqual(['notes.txt', 'trades.parquet']);
    const forced = await runCli(['backtest', '--config', CARRY, '--out-dir', dir, '--force', '--no-report', '--no-progress']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(['equity.csv', 'fills.csv', 'funding.csv', 'notes.txt', 'summary.json', 'trades.csv']);
    expect(readFileSync(join(dir, 'notes.txt'), 'utf8')).toBe('mine');
    expect(forced.stdout).toMatch(/^out dir +\S+ \(trades\.csv \d+ rows, fills\.csv \d+ rows, funding\.csv \d+ rows, equity\.csv \d+ rows, summary\.json\)$/m);
  }, 90_000);

  it('bad export options exit 2 before anything runs', async () => {
    const dir = tempDir();
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    const cases: [string[], string][] = [
      [['--out-dir', join(dir, 'x'), '--format', 'xlsx'], '--format xlsx: must be one of csv, parquet'],
      [['--format', 'parquet'], '--format parquet: it is the format of --out-dir; give --out-dir DIR too'],
      [['--force'], '--force: it lets --out-dir replace an export; give --out-dir DIR too'],
      [['--out-dir', file], `--out-dir ${file}: exists and is not a directory`],
    ];
    for (const [args, message] of cases) {
      const result = await runCli(['backtest', '--config', CARRY, '--no-report', '--no-progress', ...args]);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toBe(`error: ${message}\n`);
      expect(result.stdout).toBe('');
    }
    expect(existsSync(join(dir, 'x'))).toBe(false);
  });
});
