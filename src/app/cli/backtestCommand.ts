import { UsageError } from '../../core/errors.ts';
import { cliIo } from './cliIo.ts';
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { isoUtc } from '../../core/time.ts';
import { loadBacktestConfig, runBacktest, type BacktestProgress } from '../../engine/backtest.ts';
import { SqliteLedgerStore } from '../../portfolio/sqliteLedgerStore.ts';
import type { BacktestSummary } from '../../engine/summary.ts';
import { defaultReportPath, writeBacktestReport } from '../report/backtestReport.ts';
import { spreadSeriesOf } from '../report/spreadSeries.ts';
import { defaultStoreDir } from '../../data/store/layout.ts';
import { ProgressReporter } from './backtestProgress.ts';
import { formatCount, printJson, printLine, runAction, type CommonOptions } from './output.ts';
import { checkPathOptions } from './pathOption.ts';

interface BacktestOptions extends CommonOptions {
  config: string;
  /** A path, or false with --no-report. */
  report?: string | false;
  /** SQLite file for the ledger's journal. */
  ledger?: string;
  /** false with --no-progress. */
  progress: boolean;
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
    .option('--store <dir>', `market-data store for data.source "store" (default: $PERP_ARB_STORE or ${defaultStoreDir(cliIo().env)})`)
    .option('--json', 'print one JSON object (the summary); the report path goes to stderr')
    .option('--report <file>', 'write the HTML report here (default: ./reports/backtest-<UTC time>.html)')
    .option('--no-report', 'write no HTML report')
    .option('--ledger <file>', 'journal every fill, funding payment, fee, borrow charge and liquidation into this SQLite file (must not exist yet)')
    .option('--no-progress', 'no progress on stderr')
    .addHelpText(
      'after',
      '\nExamples:\n  perp-arb backtest --config examples/backtest-carry-synthetic.json\n  perp-arb backtest --config examples/backtest-carry-binance.json --store /tmp/store --json\n  perp-arb backtest --config examples/backtest-fundingdiff-aha.json --store /tmp/store --ledger run.sqlite',
    )
    .action(
      runAction(async (options: BacktestOptions) => {
        checkPathOptions({ '--config': options.config, '--store': options.store });
        const config = loadBacktestConfig(options.config);
        const storeDir = options.store ?? defaultStoreDir(cliIo().env);
        let ledger: SqliteLedgerStore | null = null;
        if (options.ledger !== undefined) {
          const path = resolve(options.ledger);
          // A run's journal starts at entry 1: appending to another run's file would mix two ledgers.
          if (existsSync(path) && statSync(path).size > 0) throw new UsageError(`--ledger ${options.ledger}: the file exists; give a new file for the run's ledger`);
          ledger = SqliteLedgerStore.open(path);
        }
        const reporter = options.progress ? new ProgressReporter({ stream: cliIo().stderr }) : null;
        let last: BacktestProgress | null = null;
        let run;
        try {
          run = await runBacktest(config, {
            storeDir,
            ledgerSink: ledger ?? undefined,
            onProgress: reporter
              ? (progress) => {
                  last = progress;
                  reporter.update(progress);
                }
              : undefined,
          });
        } finally {
          reporter?.finish(last);
          ledger?.close();
        }
        const { summary } = run;
        let reportPath: string | null = null;
        if (options.report !== false) {
          const path = resolve(options.report ?? defaultReportPath(cliIo().cwd));
          const spread = await spreadSeriesOf(config, run.instruments, storeDir);
          reportPath = (await writeBacktestReport(path, { config, run, spread, configSource: options.config })).path;
        }
        if (options.json) {
          printJson(summary);
          if (reportPath) cliIo().stderr.write(`report: ${reportPath}\n`);
          if (ledger) cliIo().stderr.write(`ledger: ${ledger.path}\n`);
        } else {
          if (config.data.source === 'synthetic') printLine('data           SYNTHETIC (seeded generator, not market prices)');
          for (const line of headline(summary)) printLine(line);
          if (ledger) printLine(`ledger         ${ledger.path} (${formatCount(ledger.storedEntryCount())} entries)`);
          if (reportPath) printLine(`report         ${reportPath}`);
        }
      }),
    );
}
