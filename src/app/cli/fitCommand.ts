import { cliIo } from './cliIo.ts';
import { Command, Option } from 'commander';
import { UsageError } from '../../core/errors.ts';
import { fundingFromStore } from '../../data/basisFromStore.ts';
import { defaultStoreDir } from '../../data/store/layout.ts';
import { writeSpreadPlot, plotFormatOf } from '../plot/spreadPlot.ts';
import { analyseBasis, secondsToNextSettlement, type FitSettings } from './fitAnalysis.ts';
import { bps, duration, percent } from './fitFormat.ts';
import { loadFitInput, positiveNumber, type FitInput, type FitInputOptions } from './fitInput.ts';
import { formatFitReport } from './fitReport.ts';
import { type CommonOptions, printJson, printLine, runAction } from './output.ts';

/**
 * Default fee per leg: Binance VIP0 taker without the BNB discount is 0.10% on spot and 0.05% on USD-M
 * futures, so a spot+perp round trip (four legs) costs 2 x 0.10% + 2 x 0.05% = 0.30% = 4 x 0.075%.
 */
export const DEFAULT_FEE_RATE = 0.00075;
export const DEFAULT_FUNDING_INTERVAL_SECONDS = 28_800;
export const DEFAULT_WINDOWS = 6;
export const DEFAULT_DISCOUNT_RATE_PER_YEAR = 0.05;

interface FitCliOptions extends CommonOptions, FitInputOptions {
  feeRate: string;
  timeToFundingSeconds?: string;
  fundingIntervalSeconds?: string;
  fundingRate?: string;
  windows: string;
  discountRatePerYear: string;
  plot?: string;
  force: boolean;
  allowMixedBase: boolean;
}

function nonNegative(text: string, option: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < 0) throw new UsageError(`${option} must be a number >= 0, got '${text}'`);
  return value;
}

function finiteNumber(text: string, option: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) throw new UsageError(`${option} must be a number, got '${text}'`);
  return value;
}

async function settingsFor(options: FitCliOptions, input: FitInput): Promise<FitSettings> {
  const feeRate = nonNegative(options.feeRate, '--fee-rate');
  if (feeRate >= 0.05) throw new UsageError(`--fee-rate is a fraction per leg (0.0005 = 0.05%), got ${feeRate}`);
  const windows = Number(options.windows);
  if (!Number.isInteger(windows) || windows < 1 || windows > 1000) throw new UsageError(`--windows must be a whole number from 1 to 1000, got '${options.windows}'`);
  const funding = input.funding ? await fundingFromStore(input.funding.store, input.funding.perpId, input.funding.range) : null;

  let fundingIntervalSeconds = DEFAULT_FUNDING_INTERVAL_SECONDS;
  let fundingIntervalSource = 'default 8 h';
  if (options.fundingIntervalSeconds !== undefined) {
    fundingIntervalSeconds = positiveNumber(options.fundingIntervalSeconds, '--funding-interval-seconds');
    fundingIntervalSource = 'given';
  } else if (funding?.intervalMs) {
    fundingIntervalSeconds = funding.intervalMs / 1000;
    fundingIntervalSource = "the perp's funding settlements in the store";
  }

  let timeToFundingSeconds: number;
  let timeToFundingSource: string;
  if (options.timeToFundingSeconds !== undefined) {
    timeToFundingSeconds = positiveNumber(options.timeToFundingSeconds, '--time-to-funding-seconds');
    timeToFundingSource = 'given';
  } else if (input.lastObservedMs !== null) {
    timeToFundingSeconds = secondsToNextSettlement(input.lastObservedMs, fundingIntervalSeconds);
    timeToFundingSource = `to the next ${duration(fundingIntervalSeconds)} settlement after the last point`;
  } else {
    timeToFundingSeconds = fundingIntervalSeconds;
    timeToFundingSource = 'assumed a full interval: the CSV has no times (give --time-column or --time-to-funding-seconds)';
  }

  let fundingRatePerInterval = 0;
  let fundingRateSource = 'assumed 0: no funding known (give --funding-rate)';
  if (options.fundingRate !== undefined) {
    fundingRatePerInterval = finiteNumber(options.fundingRate, '--funding-rate');
    fundingRateSource = 'given';
  } else if (funding) {
    fundingRatePerInterval = funding.meanRatePerInterval;
    fundingRateSource = `mean of the ${funding.settlements} settlements in the store over the span`;
  }

  return {
    feeRate,
    timeToFundingSeconds,
    timeToFundingSource,
    fundingIntervalSeconds,
    fundingIntervalSource,
    fundingRatePerInterval,
    fundingRateSource,
    windows,
    discountRatePerYear: positiveNumber(options.discountRatePerYear, '--discount-rate-per-year'),
    force: options.force,
  };
}

export function registerFitCommand(program: Command): void {
  program
    .command('fit')
    .description(
      'fit an Ornstein-Uhlenbeck model to the basis s = (perp - spot) / spot, test it for mean reversion and\n' +
        'derive fee-aware entry thresholds, funding-window close probabilities and optimal bands',
    )
    .option('--store <dir>', `market-data store directory (default: $PERP_ARB_STORE or ${defaultStoreDir(cliIo().env)})`)
    .option('--json', 'print one JSON object on stdout and nothing else there', false)
    .option('--spot <id>', 'spot leg from the store, venue:SYMBOL, e.g. binance:BTC/USDT')
    .option('--perp <id>', 'perp leg from the store, venue:SYMBOL, e.g. binance:BTC/USDT:USDT (another venue works too)')
    .option('--from <time>', 'store: first time, ISO-8601 (UTC unless zoned) or epoch ms')
    .option('--to <time>', 'store: end, exclusive (points with from <= time < to)')
    .option('--timeframe <tf>', 'store: bar length, e.g. 1m (default: the finest both legs have)')
    .addOption(new Option('--prices <kind>', 'store: bar closes, or the bid/ask mid of quote bars or quotes').choices(['close', 'bidask']).default('close'))
    .option('--csv <file>', 'read the series from a CSV instead of the store')
    .option('--column <name>', 'csv: column holding the basis as a fraction')
    .option('--spot-column <name>', 'csv: spot price column (with --perp-column)')
    .option('--perp-column <name>', 'csv: perp price column (with --spot-column)')
    .option('--time-column <name>', 'csv: times of the values, epoch ms or ISO-8601 (optional)')
    .option('--dt-seconds <n>', 'csv: seconds between rows')
    .option('--fee-rate <f>', `fee per leg as a fraction; a round trip pays it 4 times (default ${DEFAULT_FEE_RATE}: Binance VIP0 taker, spot 0.10% and USD-M 0.05%, averaged)`, String(DEFAULT_FEE_RATE))
    .option('--time-to-funding-seconds <t>', 'seconds to the next funding settlement (default: from the last point to the next settlement)')
    .option('--funding-interval-seconds <n>', `seconds between settlements (default: the store's funding rows, else ${DEFAULT_FUNDING_INTERVAL_SECONDS})`)
    .option('--funding-rate <r>', "expected funding rate per interval, fraction, positive: longs pay shorts (default: the store's mean over the span, else 0)")
    .option('--windows <n>', 'funding windows in the p_k table', String(DEFAULT_WINDOWS))
    .option('--discount-rate-per-year <r>', 'Leung-Li discount rate, fraction per year', String(DEFAULT_DISCOUNT_RATE_PER_YEAR))
    .option('--plot <file>', 'draw the spread with mu and the entry bands: .png, .svg or .html')
    .option('--force', 'report even when the tests find no mean reversion', false)
    .option('--allow-mixed-base', 'fit a spot and a perp of different base assets (e.g. ETH spot, BTC perp); every line of the report then carries a warning', false)
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  perp-arb fit --spot binance:BTC/USDT --perp binance:BTC/USDT:USDT --plot spread.png\n' +
        '  perp-arb fit --csv joined.csv --spot-column spot_close --perp-column perp_close --dt-seconds 60 --json\n' +
        '  perp-arb fit --csv basis.csv --column basis --time-column time_ms --dt-seconds 60 --fee-rate 0.0002',
    )
    .action(
      runAction(async (options: FitCliOptions) => {
        if (options.plot) plotFormatOf(options.plot);
        const input = await loadFitInput(options, defaultStoreDir(cliIo().env));
        const settings = await settingsFor(options, input);
        const result = analyseBasis(input, settings);
        let plot: { path: string; format: string; bytes: number; caption: string } | null = null;
        if (options.plot) {
          const tsMs = input.tsMs ?? Float64Array.from(input.basis, (_, i) => i * input.dtSeconds * 1000);
          plot = await writeSpreadPlot(options.plot, {
            tsMs,
            basis: input.basis,
            mu: result.mu,
            upperEntry: result.strategy1.upperEntry,
            lowerEntry: result.strategy1.lowerEntry,
            title: `Basis ${result.source}`,
            timeAxis: input.tsMs ? 'utc' : 'elapsed',
            notes: [
              ...result.warnings.map((w) => `WARNING: ${w}`),
              `OU: mu ${bps(result.mu)}, half-life ${duration(result.halfLifeSeconds)}, stationary sd ${bps(result.stationarySd)}; ${result.verdict}`,
              `entry bands mu ± 4f / (1 - e^(-theta tau)), f = ${percent(result.feeRate, 3)} per leg, tau = ${duration(result.timeToFundingSeconds)}`,
            ],
          });
        }
        if (options.json) printJson({ ...result, plot });
        else printLine(formatFitReport(result, plot));
      }),
    );
}
