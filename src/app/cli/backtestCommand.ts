import { resolve } from 'node:path';
import type { Command } from 'commander';
import { isoUtc } from '../../core/time.ts';
import { loadBacktestConfig, runBacktest } from '../../engine/backtest.ts';
import type { BacktestSummary } from '../../engine/summary.ts';
import { defaultReportPath, writeBacktestReport } from '../report/backtestReport.ts';
import { spreadSeriesOf } from '../report/spreadSeries.ts';
import { defaultStoreDir } from '../../data/store/layout.ts';
import { formatCount, printJson, printLine, runAction, type CommonOptions } from './output.ts';

interface BacktestOptions extends CommonOptions {
  config: string;
  /** A path, or false with --no-report. */
  report?: string | false;
}

const pct = (x: number | null) => (x === null || !Number.isFinite(x) ? 'n/a' : `${(x * 100).toFixed(2)}%`);
const num = (x: number | null, digits = 2) => (x === null || !Number.isFinite(x) ? 'n/a' : x.toFixed(digits));

export function headline(s: BacktestSummary): string[] {
  return [
    `span           ${isoUtc(s.startTs)} .. ${isoUtc(s.endTs)}`,
    `equity         ${num(s.startEquityUsd)} -> ${num(s.endEquityUsd)} USD`,
    `total return   ${pct(s.totalReturn)}   APR ${pct(s.apr)}   Sharpe ${num(s.sharpe)}   Sortino ${num(s.sortino)}`,
    `max drawdown   ${pct(s.maxDrawdown)}`,
    `funding PnL    ${num(s.fundingPnl)} USD   fees ${num(s.feesPaid)} USD   borrow ${num(s.borrowPaid)} USD`,
    `trades         ${s.trades} round trips, ${s.fills} fills, win rate ${pct(s.winRate)}, time in market ${pct(s.timeInMarket)}, liquidations ${s.liquidations}`,
    `events         ${formatCount(s.events)} in ${formatCount(s.elapsedMs)} ms (${formatCount(s.eventsPerSec)} events/s)`,
  ];
}

export function registerBacktestCommand(program: Command): void {
  program
    .command('backtest')
    .description('Backtest a strategy on stored or synthetic data (simulated venues, exact ledger)')
    .requiredOption('--config <file>', 'backtest config (JSON; see src/engine/backtest.ts and examples/backtest-*.json)')
    .option('--store <dir>', `market-data store for data.source "store" (default: $PERP_ARB_STORE or ${defaultStoreDir()})`)
    .option('--json', 'print one JSON object (the summary); the report path goes to stderr')
    .option('--report <file>', 'write the HTML report here (default: ./reports/backtest-<UTC time>.html)')
    .option('--no-report', 'write no HTML report')
    .addHelpText(
      'after',
      '\nExamples:\n  perp-arb backtest --config examples/backtest-carry-synthetic.json\n  perp-arb backtest --config examples/backtest-carry-binance.json --store /tmp/store --json',
    )
    .action(
      runAction(async (options: BacktestOptions) => {
        const config = loadBacktestConfig(options.config);
        let lastPrint = performance.now();
        let printed = false;
        const storeDir = options.store ?? defaultStoreDir();
        const run = await runBacktest(config, {
          storeDir,
          onProgress: (stats) => {
            const now = performance.now();
            if (now - lastPrint < 1000 || stats.lastTime === null) return;
            lastPrint = now;
            printed = true;
            process.stderr.write(`backtest: ${formatCount(stats.events)} events, at ${isoUtc(stats.lastTime)}\n`);
          },
        });
        if (printed) process.stderr.write('backtest: done\n');
        const { summary } = run;
        let reportPath: string | null = null;
        if (options.report !== false) {
          const path = resolve(options.report ?? defaultReportPath(process.cwd()));
          const spread = await spreadSeriesOf(config, run.instruments, storeDir);
          reportPath = (await writeBacktestReport(path, { config, run, spread, configSource: options.config })).path;
        }
        if (options.json) {
          printJson(summary);
          if (reportPath) process.stderr.write(`report: ${reportPath}\n`);
        } else {
          if (config.data.source === 'synthetic') printLine('data           SYNTHETIC (seeded generator, not market prices)');
          for (const line of headline(summary)) printLine(line);
          if (reportPath) printLine(`report         ${reportPath}`);
        }
      }),
    );
}
