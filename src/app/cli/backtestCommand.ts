import { UsageError } from '../../core/errors.ts';
import { STRATEGIES } from '../../strategy/registry.ts';
import { cliIo, onFirstSignal, setExitCode } from './cliIo.ts';
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { isoUtc } from '../../core/time.ts';
import { configHash } from '../../domain/config/hash.ts';
import { loadBacktestConfig, runBacktest, type BacktestProgress, type BacktestRun } from '../../engine/backtest.ts';
import { RunInterruptedError } from '../../engine/interruptible.ts';
import { SqliteLedgerStore } from '../../portfolio/sqliteLedgerStore.ts';
import type { BacktestSummary } from '../../engine/summary.ts';
import { defaultReportPath, writeBacktestReport } from '../report/backtestReport.ts';
import { spreadSeriesOf } from '../report/spreadSeries.ts';
import { defaultStoreDir } from '../../data/store/layout.ts';
import { ProgressReporter } from './backtestProgress.ts';
import { breakdownLines, DEFAULT_TRADES_SHOWN, parseTradesShown, roundTripTableLines } from './roundTripText.ts';
import { TradeLog } from '../../engine/tradeLog.ts';
import { writeBacktestExport } from '../export/backtestExport.ts';
import { EXPORT_FORMATS, openOutDir, REPORT_FILE } from '../export/outDir.ts';
import { runsDbPath } from '../runs/runsDbPath.ts';
import { backtestRunStart } from '../runs/runStarts.ts';
import { RunRecording } from '../runs/runRecording.ts';
import { checkExportOptions, describeExport, describeRecording } from './runOutputOptions.ts';
import { EXIT, formatCount, printJson, printLine, runAction, type CommonOptions } from './output.ts';
import { checkPathOptions } from './pathOption.ts';

interface BacktestOptions extends CommonOptions {
  config: string;
  /** A path, or false with --no-report. */
  report?: string | false;
  /** SQLite file for the ledger's journal. */
  ledger?: string;
  /** false with --no-progress. */
  progress: boolean;
  /** Round trips shown at each end of the table (--trades N). */
  trades?: string;
  outDir?: string;
  format?: string;
  force?: boolean;
  /** A path, or false with --no-runs-db. */
  runsDb?: string | false;
}

const pct = (x: number | null) => (x === null || !Number.isFinite(x) ? 'n/a' : `${(x * 100).toFixed(2)}%`);
const num = (x: number | null, digits = 2) => (x === null || !Number.isFinite(x) ? 'n/a' : x.toFixed(digits));

export function headline(s: BacktestSummary): string[] {
  return [
    `span           ${isoUtc(s.startTs)} .. ${isoUtc(s.endTs)}`,
    `equity         ${num(s.startEquityUsd)} -> ${num(s.endEquityUsd)} USD`,
    `total return   ${pct(s.totalReturn)}   APR ${pct(s.apr)} (simple: total return x 365 d / span)   Sharpe ${num(s.sharpe)}   Sortino ${num(s.sortino)}`,
    `max drawdown   ${pct(s.maxDrawdown)}`,
    `funding PnL    ${num(s.fundingPnl)} USD   fees ${num(s.feesPaid)} USD   borrow ${num(s.borrowPaid)} USD`,
    `trades         ${s.trades} round trips, ${s.fills} fills, win rate ${pct(s.winRate)}, time in market ${pct(s.timeInMarket)}, liquidations ${s.liquidations}`,
    `events         ${formatCount(s.events)} in ${formatCount(s.elapsedMs)} ms (${formatCount(s.eventsPerSec)} events/s)`,
    ...breakdownLines(s),
  ];
}

/** The headline, then the round-trip table (best and worst `tradesShown` by net PnL). */
export function summaryLines(s: BacktestSummary, tradesShown: number): string[] {
  const table = roundTripTableLines(s.roundTrips, tradesShown);
  return [...headline(s), ...(table.length > 0 ? ['', ...table, ''] : [])];
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
    .option('--trades <n>', `round trips listed, the best n and the worst n by net PnL (0: none)`, String(DEFAULT_TRADES_SHOWN))
    .option('--out-dir <dir>', 'write trades, fills, funding, equity (tables), summary.json and report.html into this new or empty directory')
    .option('--format <format>', `table format of --out-dir: ${EXPORT_FORMATS.join(' or ')} (default csv)`)
    .option('--force', 'let --out-dir be a directory that is not empty (its export files are replaced)')
    .option('--runs-db <file>', 'record the run in this runs database (default: $PERP_ARB_RUNS_DB or ~/.perp-arb/runs.sqlite; see perp-arb runs)')
    .option('--no-runs-db', 'record nothing in the runs database')
    .addHelpText(
      'after',
      `\nStrategies (config "strategy": { "type": ..., "params": { ... } }):\n${STRATEGIES.map((e) => `  ${e.type.padEnd(20)} ${e.summary} (${e.docs})`).join('\n')}\n` +
        '\nExamples:\n  perp-arb backtest --config examples/backtest-carry-synthetic.json\n  perp-arb backtest --config examples/backtest-carry-binance.json --store /tmp/store --json\n  perp-arb backtest --config examples/backtest-fundingdiff-aha.json --store /tmp/store --ledger run.sqlite',
    )
    .action(
      runAction(async (options: BacktestOptions) => {
        checkPathOptions({ '--config': options.config, '--store': options.store, '--out-dir': options.outDir, '--runs-db': options.runsDb === false ? undefined : options.runsDb });
        const tradesShown = parseTradesShown(options.trades);
        const config = loadBacktestConfig(options.config);
        const storeDir = options.store ?? defaultStoreDir(cliIo().env);
        const exportTo = checkExportOptions(options);
        const ledgerPath = options.ledger === undefined ? null : resolve(options.ledger);
        // A run's journal starts at entry 1: appending to another run's file would mix two ledgers.
        if (ledgerPath && existsSync(ledgerPath) && statSync(ledgerPath).size > 0) throw new UsageError(`--ledger ${options.ledger}: the file exists; give a new file for the run's ledger`);
        const recording = RunRecording.start(
          runsDbPath(options.runsDb, cliIo().env),
          backtestRunStart(config, { configSource: resolve(options.config), storeDir: resolve(storeDir), cwd: cliIo().cwd, options: { ...options } }),
        );
        let ledger: SqliteLedgerStore | null = null;
        if (ledgerPath) {
          try {
            ledger = SqliteLedgerStore.open(ledgerPath);
            // The completion marker: 'running' until the end, so a killed run never reads as a result.
            ledger.beginRun({ kind: 'backtest', configHash: configHash(config), config: JSON.stringify(config) });
          } catch (error) {
            recording.end({ status: 'failed', error: `--ledger ${options.ledger}: ${error instanceof Error ? error.message : String(error)}` });
            throw error;
          }
        }
        const tradeLog = exportTo ? new TradeLog() : null;
        const reporter = options.progress ? new ProgressReporter({ stream: cliIo().stderr }) : null;
        let last: BacktestProgress | null = null;
        const stop = new AbortController();
        const removeSignal = onFirstSignal(['SIGINT', 'SIGTERM'], (signal) => stop.abort(signal));
        let run: BacktestRun | null = null;
        let interrupted: RunInterruptedError | null = null;
        try {
          run = await runBacktest(config, {
            storeDir,
            ledgerSink: ledger ?? undefined,
            signal: stop.signal,
            observe: tradeLog ? (events) => tradeLog.attach(events) : undefined,
            onProgress: reporter
              ? (progress) => {
                  last = progress;
                  reporter.update(progress);
                }
              : undefined,
          });
          ledger?.endRun('finished');
        } catch (error) {
          if (!(error instanceof RunInterruptedError)) {
            ledger?.endRun('failed', error instanceof Error ? error.message : String(error));
            recording.end({ status: 'failed', error: error instanceof Error ? error.message : String(error) });
            throw error;
          }
          ledger?.endRun('interrupted');
          recording.end({ status: 'interrupted', error: `stopped by ${String(stop.signal.reason)}` });
          interrupted = error;
        } finally {
          removeSignal();
          reporter?.finish(last);
          ledger?.close();
        }
        if (interrupted || run === null) {
          const at = (last as BacktestProgress | null)?.lastTime;
          const where = at !== undefined && at !== null ? ` at ${isoUtc(at)}` : '';
          const kept = ledger ? `; the ledger ${ledger.path} holds the ${formatCount(ledger.storedEntryCount())} entries up to there and is marked interrupted` : '';
          const message = `interrupted${where} (${stop.signal.reason as string}): no result${kept}`;
          if (options.json) printJson({ error: message });
          else cliIo().stderr.write(`backtest: ${message}\n`);
          setExitCode(EXIT.interrupted);
          return;
        }
        const { summary } = run;
        let reportPath: string | null = null;
        let exported: Awaited<ReturnType<typeof writeBacktestExport>> | null = null;
        try {
          if (exportTo) openOutDir(exportTo.dir);
          if (options.report !== false) {
            const path = resolve(options.report ?? (exportTo ? resolve(exportTo.dir, REPORT_FILE) : defaultReportPath(cliIo().cwd)));
            const spread = await spreadSeriesOf(config, run.instruments, storeDir);
            reportPath = (await writeBacktestReport(path, { config, run, spread, configSource: options.config })).path;
          }
          if (exportTo && tradeLog) exported = await writeBacktestExport(exportTo.dir, exportTo.format, { config, configSource: options.config, run, log: tradeLog, summary, runId: recording.id, reportPath });
        } catch (error) {
          recording.end({ status: 'failed', error: `the run finished, but writing its outputs failed: ${error instanceof Error ? error.message : String(error)}` });
          throw error;
        }
        // Finished only once every output is written: a run killed while writing stays unfinished.
        recording.end({ status: 'finished', summary, dataFromMs: run.span?.fromMs ?? null, dataToMs: run.span?.toMs ?? null, outDir: exportTo?.dir ?? null, report: reportPath });
        if (options.json) {
          printJson(summary);
          if (reportPath) cliIo().stderr.write(`report: ${reportPath}\n`);
          if (ledger) cliIo().stderr.write(`ledger: ${ledger.path}\n`);
          if (exportTo && exported) cliIo().stderr.write(`out-dir: ${describeExport(exportTo.dir, exported)}\n`);
          if (recording.id !== null) cliIo().stderr.write(`run: ${describeRecording(recording)}\n`);
        } else {
          if (config.data.source === 'synthetic') printLine('data           SYNTHETIC (seeded generator, not market prices)');
          for (const line of summaryLines(summary, tradesShown)) printLine(line);
          if (ledger) printLine(`ledger         ${ledger.path} (${formatCount(ledger.storedEntryCount())} entries)`);
          if (reportPath) printLine(`report         ${reportPath}`);
          if (exportTo && exported) printLine(`out dir        ${describeExport(exportTo.dir, exported)}`);
          if (recording.id !== null) printLine(`run            ${describeRecording(recording)}`);
        }
      }),
    );
}
