import { readdirSync, readFileSync } from 'node:fs';
import { loadRunConfig } from '../../src/engine/runtime/runConfig.ts';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, UsageError } from '../../src/core/errors.ts';
import { generateSyntheticMarket } from '../../src/data/synthetic/market.ts';
import { formatConfigPath } from '../../src/domain/config/issue.ts';
import { instrumentFromSymbol } from '../../src/domain/instrument.ts';
import { parseBacktestConfig } from '../../src/engine/backtest.ts';
import { loadSweepConfig } from '../../src/engine/sweep/sweepConfig.ts';
import { parseScannerConfig } from '../../src/strategy/scanner/config.ts';
import { SimulatedVenue } from '../../src/venues/sim/simulatedVenue.ts';
import { PROJECT_ROOT } from '../support/paths.ts';

const EXAMPLES = join(PROJECT_ROOT, 'examples');
const ou = () => JSON.parse(readFileSync(join(EXAMPLES, 'backtest-ou-synthetic.json'), 'utf8')) as Record<string, any>;

function problemOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toBeInstanceOf(UsageError); // exit 2
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

/** The example config with `edit` applied, parsed: its error message. */
const backtestProblem = (edit: (c: Record<string, any>) => void) => {
  const config = ou();
  edit(config);
  return problemOf(() => parseBacktestConfig(config, 'c.json'));
};

describe('config values out of range are named with path and range', () => {
  it.each([
    [(c: any) => (c.strategy.params.feeRate = 0.07), 'c.json: strategy.params.feeRate: must be a number in [0, 0.01] fraction per fill (got 0.07)'],
    [(c: any) => (c.strategy.params.fitWindowPoints = 1e7), 'c.json: strategy.params.fitWindowPoints: must be an integer in [10, 525600] points (got 1e7)'],
    [(c: any) => (c.strategy.params.notionalUsd = 0), 'c.json: strategy.params.notionalUsd: must be a number in (0, 1e9] USD (got 0)'],
    [(c: any) => (c.venues[0].leverage = 1000), 'c.json: venues.0.leverage: must be a number in [1, 200] x (got 1000)'],
    [(c: any) => (c.venues[0].latencyMs = 1.5), 'c.json: venues.0.latencyMs: must be an integer in [0, 60000] ms (got 1.5)'],
    [(c: any) => (c.venues[0].maintenanceMarginRate = 0.4), 'c.json: venues.0.maintenanceMarginRate: must be below the initial margin rate 1/leverage = 0.3333333333333333 (got 0.4)'],
    [(c: any) => (c.venues[0].balances.USDT = -5), 'c.json: venues.0.balances.USDT: must be a number in [0, 1e12] asset units (got -5)'],
    [(c: any) => (c.instruments[0].takerFeeRate = 1), 'c.json: instruments.0.takerFeeRate: must be a number in [-0.001, 0.01] fraction per fill (got 1)'],
    [(c: any) => (c.equitySampleMinutes = 0), 'c.json: equitySampleMinutes: must be a number in [1, 10080] minutes (got 0)'],
    [(c: any) => (c.data.options = { perpBars: 50_000 }), 'c.json: data.options.perpBars: must be at most bars (43200) (got 50000)'],
    [(c: any) => (c.data.options = { startMs: 0 }), 'c.json: data.options.startMs: must be an integer in [1230940800000, 4102444800000] ms UTC (got 0)'],
    [(c: any) => (c.data.options = { fundingIntervalMs: 30_000 }), 'c.json: data.options.fundingIntervalMs: must be an integer in [60000, 604800000] ms (got 30000)'],
    [(c: any) => (c.venues[0].venue = 'Binance\u001b[2J'), 'c.json: venues.0.venue: a venue id in lower case, e.g. binance or synthetic (1 to 32 characters) (got "Binance\\u001b[2J")'],
    [(c: any) => (c.instruments = new Array(101).fill(c.instruments[0])), 'c.json: instruments: Too big: expected array to have <=100 items'],
  ])('%#: %s', (edit, message) => {
    expect(backtestProblem(edit)).toBe(message);
  });

  it('store data spans: times inside the market era, from before to, a timeframe venues publish', () => {
    const store = (data: Record<string, unknown>) => backtestProblem((c) => (c.data = { source: 'store', ...data }));
    expect(store({ from: '2025-06-01', to: '2025-05-01' })).toBe('c.json: data.to: must be after data.from (2025-06-01)');
    expect(store({ from: '1999-01-01' })).toBe('c.json: data.from: must be a time from 2009-01-03 to 2100-01-01 (ISO-8601 like 2025-06-01T00:00Z, or epoch ms) (got "1999-01-01")');
    expect(store({ to: 'yesterday' })).toMatch(/data\.to: must be a time from 2009-01-03/);
    expect(store({ barTimeframe: '1y' })).toBe('c.json: data.barTimeframe: must be a timeframe from 1s to 1w, e.g. 1m, 1h, 8h, 1d (got "1y")');
    expect(parseBacktestConfig({ ...ou(), data: { source: 'store', from: '2025-05-01', to: '2025-06-01', barTimeframe: '1h' } }).data).toEqual({ source: 'store', from: '2025-05-01', to: '2025-06-01', barTimeframe: '1h' });
  });

  it('the scanner config and its command-line overrides', () => {
    expect(problemOf(() => parseScannerConfig({ holdingPeriodMs: 1e15 }, 'scan.json'))).toBe('scan.json: holdingPeriodMs: must be an integer in [1, 315360000000] ms (got 1e15)');
    expect(problemOf(() => parseScannerConfig({ thresholds: { minSpreadBps: -1 } }, 'options'))).toBe('options: thresholds.minSpreadBps: must be a number in [0, 10000] bps (got -1)');
    expect(problemOf(() => parseScannerConfig({ venueFees: { 'Bin ance': {} } }, 'scan.json'))).toMatch(/^scan\.json: venueFees\["Bin ance"\]: bad key: a venue id in lower case/);
  });

  it('a simulated venue built in code is held to the same ranges', () => {
    const instruments = [instrumentFromSymbol('sim', 'BTC/USDT:USDT')].map((i) => ({ ...i, contractSize: 1, makerFeeRate: 0.0002, takerFeeRate: 0.0005 }));
    const make = (extra: Record<string, unknown>) => problemOf(() => new SimulatedVenue({ venue: 'sim', instruments, balances: { USDT: 1000 }, ...extra }));
    expect(make({ fill: { halfSpreadBps: -2 } })).toBe('simulated venue "sim": fill.halfSpreadBps: must be a number in [0, 1000] bps (got -2)');
    expect(make({ latency: { kind: 'uniform', minLatencyMs: 0, maxLatencyMs: 1e6, seed: 1 } })).toBe('simulated venue "sim": latency.maxLatencyMs: must be an integer in [0, 60000] ms (got 1000000)');
    expect(make({ fill: { bySymbol: { 'BTC/USDT:USDT': { slipage: 1 } } } })).toBe(`simulated venue "sim": unknown key 'fill.bySymbol["BTC/USDT:USDT"].slipage'`);
    expect(make({ margin: { defaults: { leverage: 500 } } })).toBe('simulated venue "sim": margin.defaults.leverage: must be a number in [1, 200] x (got 500)');
  });

  it('the generator checks its own options too', () => {
    expect(problemOf(() => generateSyntheticMarket({ bars: 1e8 }))).toBe('synthetic market: bars: must be an integer in [1, 5256000] bars (got 1e8)');
    expect(problemOf(() => generateSyntheticMarket({ bars: 10, gbmVolAnnual: -1 }))).toBe('synthetic market: gbmVolAnnual: must be a number in [0, 10] fraction per sqrt(year) (got -1)');
  });

  it('paths are dotted like grid paths; keys that are not plain names are quoted and escaped', () => {
    expect(formatConfigPath(['venues', 0, 'balances', 'USDT'], 'base')).toBe('base.venues.0.balances.USDT');
    expect(formatConfigPath(['bySymbol', 'BTC/USDT', 'x'])).toBe('bySymbol["BTC/USDT"].x');
    expect(formatConfigPath(['a b'])).toBe('"a b"');
    expect(formatConfigPath(['k\u001b[31m'])).toBe('["k\\u001b[31m"]'.slice(1, -1));
  });

  it('every shipped example is valid', () => {
    for (const name of readdirSync(EXAMPLES).filter((n) => n.endsWith('.json'))) {
      const path = join(EXAMPLES, name);
      if (name.startsWith('sweep-')) expect(loadSweepConfig(path).grid.length, name).toBeGreaterThan(0);
      // Only the rehearsal for exchange-sim enables live mode (and still needs a loopback --exchange-url or --confirm-live).
      else if (name.startsWith('run-')) expect(loadRunConfig(path).live.enabled, name).toBe(name === 'run-live-local.json');
      else expect(parseBacktestConfig(JSON.parse(readFileSync(path, 'utf8')), name).instruments.length, name).toBeGreaterThan(0);
    }
  });
});
