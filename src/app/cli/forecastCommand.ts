import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../../core/errors.ts';
import { parseTimeArg } from '../../core/time.ts';
import { loadFundingFrame } from '../../data/forecast/fundingFrame.ts';
import { defaultStoreDir } from '../../data/store/layout.ts';
import { MarketStore } from '../../data/store/marketStore.ts';
import { FORECAST_MODELS, forecastModel } from '../../model/forecast/models.ts';
import { ForecastEvaluationError, walkForward, type WalkForwardResult } from '../../model/forecast/walkForward.ts';
import { cliIo } from './cliIo.ts';
import { type CommonOptions, formatCount, formatTable, printJson, printLine, runAction } from './output.ts';
import { checkPathOptions } from './pathOption.ts';

interface EvaluateOptions extends CommonOptions {
  venue?: string;
  symbol?: string;
  testFrom?: string;
  testTo?: string;
  model: string;
  horizon: string;
  points: boolean;
  refitEvery?: string;
}

function timeOption(text: string | undefined, option: string): number {
  if (text === undefined) throw new UsageError(`${option} DATE is required (ISO-8601, UTC unless zoned, or epoch ms)`);
  try {
    return parseTimeArg(text);
  } catch (error) {
    throw new UsageError(`${option}: ${(error as Error).message}`);
  }
}

/** The evaluation for --json: the result without its points unless asked for. */
export function evaluationJson(result: WalkForwardResult, withPoints: boolean): Omit<WalkForwardResult, 'points'> & { points?: WalkForwardResult['points'] } {
  const { points, ...rest } = result;
  return withPoints ? { ...rest, points } : rest;
}

const bps = (rate: number) => (rate * 1e4).toFixed(3);
const pct = (x: number) => (Number.isFinite(x) ? `${(x * 100).toFixed(1)}%` : 'n/a');

function printReport(r: WalkForwardResult): void {
  printLine(`${r.venue} ${r.symbol}: ${formatCount(r.n)} settlements in [${r.testFrom}, ${r.testTo}), horizon ${r.horizon}`);
  printLine(`model ${r.model.name}: ${r.model.description}; ${r.model.fits} fits; features ${r.model.features.join(', ')}`);
  const rows = [
    [r.baseline.name, bps(r.baseline.mae), bps(r.baseline.rmse), pct(r.baseline.directionalAccuracy), '', ''],
    [r.model.name, bps(r.model.mae), bps(r.model.rmse), pct(r.model.directionalAccuracy), pct(r.model.intervalCoverage), bps(r.model.meanIntervalWidth)],
  ];
  if (r.predicted) rows.push([`${r.predicted.name} (${r.predicted.n})`, bps(r.predicted.mae), bps(r.predicted.rmse), pct(r.predicted.directionalAccuracy), '', '']);
  printLine(formatTable(['forecast', 'MAE bps', 'RMSE bps', 'sign right', '80% cover', 'width bps'], rows, ['left', 'right', 'right', 'right', 'right', 'right']));
  const verdict = r.skillRatio < 1 ? 'beats persistence' : 'does NOT beat persistence';
  printLine(`skill ratio (model MAE / persistence MAE) ${r.skillRatio.toFixed(3)}, RMSE ratio ${r.skillRatioRmse.toFixed(3)}: the model ${verdict}`);
  printLine(`sign flips: ${r.signFlips.n}, the model called ${r.signFlips.modelCalled}`);
  if (r.predicted) {
    printLine(`against the venue's quoted rate on ${r.predicted.n} settlements: model MAE ${bps(r.predicted.modelMae)} bps vs ${bps(r.predicted.mae)} bps (ratio ${r.predicted.skillRatio.toFixed(3)})`);
  } else printLine("the venue's quoted (predicted) rate: not in the store (record funding_quotes with perp-arb record to compare with it)");
}

const HELP = `
Walk-forward: every settlement in [--test-from, --test-to) (half-open) is forecast from the
settlement --horizon intervals before it, by a model fitted only on pairs whose target had settled
by then. Baseline: persistence (the last settled rate). Where the store holds the venue's quoted
rate (funding_quotes), that is a second baseline. Rates are per settlement interval; the table is in bps.

Models: ${FORECAST_MODELS.map((m) => `\n  ${m.name}: ${m.description}`).join('')}

Example:
  perp-arb forecast evaluate --store /tmp/store --venue binance --symbol BTC/USDT:USDT --test-from 2023-01-01 --test-to 2024-01-01 --model forest --json`;

export function registerForecastCommand(program: Command): void {
  const forecast = program.command('forecast').description('funding-rate forecasts: walk-forward evaluation against persistence and the venue quote');
  forecast
    .command('evaluate')
    .description('walk-forward evaluation of a funding forecast model on one stored funding series')
    .option('--store <dir>', `market-data store directory (default: $PERP_ARB_STORE or ${defaultStoreDir(cliIo().env)})`)
    .option('--venue <venue>', 'venue of the funding series, e.g. binance')
    .option('--symbol <symbol>', 'perp symbol, e.g. BTC/USDT:USDT')
    .option('--test-from <date>', 'first settlement time scored (inclusive)')
    .option('--test-to <date>', 'end of the scored window (exclusive)')
    .option('--model <name>', `forecast model: ${FORECAST_MODELS.map((m) => m.name).join(', ')}`, 'ar')
    .option('--horizon <k>', 'settlements ahead (1: the next one)', '1')
    .option('--refit-every <n>', "refit the model every N settlements (default: the model's own: ar 1, forest 90)")
    .option('--points', 'with --json: include every scored settlement', false)
    .option('--json', 'print one JSON object on stdout and nothing else there', false)
    .addHelpText('after', HELP)
    .action(
      runAction(async (options: EvaluateOptions) => {
        checkPathOptions({ '--store': options.store });
        if (!options.venue) throw new UsageError('--venue is required (e.g. binance; perp-arb data ls lists the funding series)');
        if (!options.symbol) throw new UsageError('--symbol is required (e.g. BTC/USDT:USDT)');
        const testFromMs = timeOption(options.testFrom, '--test-from');
        const testToMs = timeOption(options.testTo, '--test-to');
        const horizon = Number(options.horizon);
        if (!Number.isInteger(horizon) || horizon < 1 || horizon > 1000) throw new UsageError(`--horizon must be a whole number from 1 to 1000, got '${options.horizon}'`);
        let model;
        try {
          model = forecastModel(options.model);
        } catch (error) {
          throw new UsageError(`--model: ${(error as Error).message}`);
        }
        const refitEvery = options.refitEvery === undefined ? undefined : Number(options.refitEvery);
        if (refitEvery !== undefined && (!Number.isInteger(refitEvery) || refitEvery < 1)) throw new UsageError(`--refit-every must be a whole number >= 1, got '${options.refitEvery}'`);
        const dir = options.store ?? defaultStoreDir(cliIo().env);
        if (!existsSync(join(dir, 'manifest.json'))) throw new UsageError(`--store ${dir}: no market-data store there (create one with perp-arb data import)`);
        const frame = await loadFundingFrame(new MarketStore(dir), options.venue, options.symbol);
        let result: WalkForwardResult;
        try {
          result = walkForward(frame, { testFromMs, testToMs, horizon, model, refitEvery });
        } catch (error) {
          if (error instanceof ForecastEvaluationError) throw new UsageError(error.message);
          throw error;
        }
        if (options.json) printJson(evaluationJson(result, options.points));
        else printReport(result);
      }),
    );
}
