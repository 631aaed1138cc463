import { cliIo } from './cliIo.ts';
import { UsageError } from '../../core/errors.ts';
import { portOption } from '../dashboard/options.ts';
import { runStartLive } from './startLive.ts';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { parseBacktestConfig, runBacktest, type BacktestConfig } from '../../engine/backtest.ts';
import { defaultStoreDir } from '../../data/store/layout.ts';
import { MarketStore } from '../../data/store/marketStore.ts';
import { existsSync } from 'node:fs';
import { writeBacktestReport } from '../report/backtestReport.ts';
import { recordRun, RunRecording } from '../runs/runRecording.ts';
import { runsDbPath } from '../runs/runsDbPath.ts';
import { backtestRunStart } from '../runs/runStarts.ts';
import { describeRecording } from './runOutputOptions.ts';
import { spreadSeriesOf } from '../report/spreadSeries.ts';
import { summaryLines } from './backtestCommand.ts';
import { DEFAULT_TRADES_SHOWN, parseTradesShown } from './roundTripText.ts';
import { printJson, printLine, runAction, type CommonOptions } from './output.ts';

/**
 * `perp-arb start` (what `npm start` runs): the main job on embedded defaults, nothing to fetch and
 * no server. Backtests the funding carry and the OU basis strategy on the Binance BTC spot/perp pair
 * when the store holds its 1m bars and funding, else on the built-in synthetic market (the
 * generator's defaults, calibrated to BTC figures, labelled SYNTHETIC everywhere), prints the
 * headline figures and one HTML report path per strategy. In a terminal (not CI=true) it runs the
 * OU strategy as a paper session on the same replay with the live dashboard instead (startLive.ts).
 */

interface StartOptions extends CommonOptions {
  /** true: the live paper session and dashboard; false: the bounded backtests; undefined: by the terminal. */
  dashboard?: boolean;
  speed: string;
  host?: string;
  port?: string;
  reportDir?: string;
  trades?: string;
  /** A path, or false with --no-runs-db. */
  runsDb?: string | false;
}

/** The input each built-in config was parsed from (a session config is parsed again from it, with its own fields). */
const INPUTS = new WeakMap<BacktestConfig, Record<string, unknown>>();

function parseKept(input: Record<string, unknown>, where: string): BacktestConfig {
  const config = parseBacktestConfig(input, where);
  INPUTS.set(config, input);
  return config;
}

/** The raw input of a built-in config. */
export function startConfigInput(config: BacktestConfig): Record<string, unknown> {
  return INPUTS.get(config)!;
}

const START_CONFIG_SOURCE = 'perp-arb start (built-in defaults)';

const COSTS = {
  instruments: (venue: string, spot: string, perp: string) => [
    { id: `${venue}:${spot}`, makerFeeRate: 0.001, takerFeeRate: 0.001, lotSize: 0.00001 },
    { id: `${venue}:${perp}`, makerFeeRate: 0.0002, takerFeeRate: 0.0005, lotSize: 0.001 },
  ],
  venue: (venue: string) => ({ venue, balances: { USDT: 100000 }, leverage: 3, halfSpreadBps: 0.5 }),
};

const carryParams = (venue: string, spot: string, perp: string) => ({
  spot: `${venue}:${spot}`,
  perp: `${venue}:${perp}`,
  notionalUsd: 40000,
  roundTripCostRate: 0.003,
  expectedHoldingDays: 30,
  entryMarginApr: 0.0,
  exitApr: 0.0,
  allowShortSpot: false,
});

/** OU basis parameters (as examples/backtest-ou-synthetic.json); feeRate: the fee the strategy assumes per fill. */
const ouParams = (venue: string, spot: string, perp: string, feeRate: number) => ({
  spot: `${venue}:${spot}`,
  perp: `${venue}:${perp}`,
  notionalUsd: 40000,
  mode: 'closeBeforeFunding',
  feeRate,
  crossingCostFraction: 0.0002,
  fitWindowPoints: 1440,
  refitEveryPoints: 60,
  closeBeforeFundingSeconds: 60,
  allowShortSpot: false,
  minExpectedProfitFraction: 0.0002,
});

/** The synthetic backtests: examples/backtest-carry-synthetic.json and examples/backtest-ou-synthetic.json. */
export function syntheticStartConfigs(): BacktestConfig[] {
  const data = { source: 'synthetic', seed: 7, days: 30 };
  const carry = {
    strategy: { type: 'fundingCarry', params: carryParams('synthetic', 'SYN/USDT', 'SYN/USDT:USDT') },
    data,
    instruments: COSTS.instruments('synthetic', 'SYN/USDT', 'SYN/USDT:USDT'),
    venues: [COSTS.venue('synthetic')],
    equitySampleMinutes: 60,
  };
  const ou = {
    strategy: { type: 'ouBasis', params: ouParams('synthetic', 'SYN/USDT', 'SYN/USDT:USDT', 0.00005) },
    data,
    instruments: [
      { id: 'synthetic:SYN/USDT', makerFeeRate: 0.00005, takerFeeRate: 0.00005, lotSize: 0.00001 },
      { id: 'synthetic:SYN/USDT:USDT', makerFeeRate: 0.00005, takerFeeRate: 0.00005, lotSize: 0.001 },
    ],
    venues: [{ ...COSTS.venue('synthetic'), slippageCoefficientBps: 0 }],
    equitySampleMinutes: 60,
  };
  return [parseKept(carry, 'built-in synthetic carry config'), parseKept(ou, 'built-in synthetic OU config')];
}

/** The backtests on the stored Binance BTC pair (Binance's base fees), or null when the store lacks its bars or funding. */
export function realStartConfigs(storeDir: string): BacktestConfig[] | null {
  if (!existsSync(storeDir)) return null;
  let series;
  try {
    series = new MarketStore(storeDir).listSeries();
  } catch {
    return null;
  }
  const venue = 'binance';
  const spot = 'BTC/USDT';
  const perp = 'BTC/USDT:USDT';
  const has = (table: string, symbol: string, timeframe: string | null) =>
    series.some((s) => s.key.table === table && s.key.venue === venue && s.key.symbol === symbol && (timeframe === null || s.key.timeframe === timeframe));
  if (!has('bars', spot, '1m') || !has('bars', perp, '1m') || !has('funding', perp, null)) return null;
  // Only where both legs have bars: outside the overlap one leg's price would be stale.
  const bars = series.filter((s) => s.key.table === 'bars' && s.key.venue === venue && (s.key.symbol === spot || s.key.symbol === perp) && s.key.timeframe === '1m');
  const fromMs = Math.max(...bars.map((s) => s.firstTs));
  const toMs = Math.min(...bars.map((s) => s.lastTs)) + 1;
  if (!(toMs > fromMs)) return null;
  const data = { source: 'store', barTimeframe: '1m', from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString() };
  const common = { data, instruments: COSTS.instruments(venue, spot, perp), venues: [COSTS.venue(venue)], equitySampleMinutes: 60 };
  return [
    parseKept({ strategy: { type: 'fundingCarry', params: carryParams(venue, spot, perp) }, ...common }, 'built-in Binance BTC carry config'),
    // The strategy assumes the mean of the legs' taker fees (spot 10 bps, perp 5 bps).
    parseKept({ strategy: { type: 'ouBasis', params: ouParams(venue, spot, perp, 0.00075) }, ...common }, 'built-in Binance BTC OU config'),
  ];
}

export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description('The main job (npm start): backtest the funding carry and OU basis strategies on the stored Binance BTC pair, else on the built-in SYNTHETIC market; print the figures and the HTML report paths')
    .option('--store <dir>', `store to look in for Binance BTC 1m bars and funding (default: $PERP_ARB_STORE or ${defaultStoreDir(cliIo().env)})`)
    .option('--report-dir <dir>', 'write the HTML reports here (default: ./reports)')
    .option('--json', 'print one JSON object: { data, runs: [{ strategy, summary, report }] }')
    .option('--trades <n>', 'round trips listed per run, the best n and the worst n by net PnL (0: none)', String(DEFAULT_TRADES_SHOWN))
    .option('--runs-db <file>', 'record the runs in this runs database (default: $PERP_ARB_RUNS_DB or ~/.perp-arb/runs.sqlite; see perp-arb runs)')
    .option('--no-runs-db', 'record nothing in the runs database')
    .option('--dashboard', 'the paper session with the live dashboard, until Ctrl-C (the default in a terminal)')
    .option('--no-dashboard', 'the bounded backtests with figures and reports (the default with CI=true or no terminal)')
    .option('--speed <n>', 'with the dashboard: replay speed, times wall time', '3600')
    .option('--host <address>', 'with the dashboard: address to bind (default 127.0.0.1)')
    .option('--port <n>', 'with the dashboard: port (default: a free one)')
    .action(
      runAction(async (options: StartOptions) => {
        const tradesShown = parseTradesShown(options.trades);
        const storeDir = options.store ?? defaultStoreDir(cliIo().env);
        const real = realStartConfigs(storeDir);
        const configs = real ?? syntheticStartConfigs();
        const data = real ? `binance BTC/USDT + BTC/USDT:USDT from the store ${storeDir}` : 'SYNTHETIC (seeded generator calibrated to BTC, not market prices; no Binance BTC 1m data in the store)';
        if (!options.json) printLine(`data           ${data}`);
        const env = cliIo().env;
        const ci = env.CI !== undefined && env.CI !== '' && env.CI !== '0' && env.CI !== 'false';
        if (options.dashboard ?? (cliIo().stdout.isTTY === true && !ci && !options.json)) {
          const speed = Number(options.speed);
          if (!(speed > 0)) throw new UsageError(`--speed must be a positive number, got '${options.speed}'`);
          // The OU basis strategy: it trades within hours, so the page moves from the first minutes.
          const config = configs.find((c) => c.strategy.type === 'ouBasis')!;
          await runStartLive({ config: startConfigInput(config), storeDir: real ? storeDir : undefined, speed, host: options.host, port: portOption(options.port), tradesShown });
          return;
        }
        const stamp = new Date().toISOString().replace(/:/g, '').replace(/\.\d+Z$/, 'Z');
        const dir = resolve(options.reportDir ?? 'reports');
        const runs = [];
        for (const config of configs) {
          const path = join(dir, `start-${stamp}-${config.strategy.type}.html`);
          const context = { configSource: START_CONFIG_SOURCE, storeDir: resolve(storeDir), cwd: cliIo().cwd, options: { ...options } };
          const recording = RunRecording.start(runsDbPath(options.runsDb, cliIo().env), backtestRunStart(config, context));
          const run = await recordRun(
            recording,
            async () => {
              const done = await runBacktest(config, { storeDir });
              const spread = await spreadSeriesOf(config, done.instruments, storeDir);
              await writeBacktestReport(path, { config, run: done, spread, configSource: START_CONFIG_SOURCE });
              return done;
            },
            (done) => ({ summary: done.summary, dataFromMs: done.span?.fromMs ?? null, dataToMs: done.span?.toMs ?? null, report: path }),
          );
          runs.push({ strategy: config.strategy.type, summary: run.summary, report: path });
          if (!options.json) {
            printLine();
            printLine(`strategy       ${config.strategy.type}`);
            for (const line of summaryLines(run.summary, tradesShown)) printLine(line);
            printLine(`report         ${path}`);
            if (recording.id !== null) printLine(`run            ${describeRecording(recording)}`);
          }
        }
        if (options.json) printJson({ data: real ? 'store' : 'synthetic', runs });
      }),
    );
}
