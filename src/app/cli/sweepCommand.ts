import { cliIo, onFirstSignal, setExitCode } from './cliIo.ts';
import { TerminalProgress } from './terminalProgress.ts';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { defaultStoreDir } from '../../data/store/layout.ts';
import { loadSweepConfig } from '../../engine/sweep/sweepConfig.ts';
import { planSweep, runSweep, type RankedRow, type SweepResult } from '../../engine/sweep/sweep.ts';
import { WorkerPool } from '../../engine/sweep/workerPool.ts';
import { configHash } from '../../domain/config/hash.ts';
import { WORKER_RANGE } from '../../domain/config/ranges.ts';
import { EXIT, formatTable, printJson, printLine, runAction, type CommonOptions } from './output.ts';
import { writeSweepOut, type SweepOutRun, type SweepOutStatus } from './sweepOutFile.ts';
import { EXPORT_FORMATS, openOutDir, REPORT_FILE } from '../export/outDir.ts';
import { writeSweepExport } from '../export/sweepExport.ts';
import { defaultReportPath } from '../report/backtestReport.ts';
import { writeSweepReport } from '../report/sweepReport.ts';
import { RunRecording } from '../runs/runRecording.ts';
import { runsDbPath } from '../runs/runsDbPath.ts';
import { sweepHashInput, sweepResultSpan, sweepRunStart, sweepRunSummary } from '../runs/runStarts.ts';
import { checkExportOptions, describeExport, describeRecording, type ExportOptions } from './runOutputOptions.ts';
import { checkPathOptions } from './pathOption.ts';

interface SweepOptions extends CommonOptions, ExportOptions {
  config: string;
  workers?: number;
  top: number;
  out?: string;
  /** A path, or false with --no-report. */
  report?: string | false;
  /** A path, or false with --no-runs-db. */
  runsDb?: string | false;
  /** false with --no-progress. */
  progress: boolean;
}

const pct = (x: number | null) => (x === null || !Number.isFinite(x) ? 'n/a' : `${(x * 100).toFixed(2)}%`);
const num = (x: number | null, digits = 2) => (x === null || !Number.isFinite(x) ? 'n/a' : x.toFixed(digits));
const value = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

function wholeNumber(min: number, max = Number.MAX_SAFE_INTEGER) {
  return (text: string) => {
    if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) throw new InvalidArgumentError(max === Number.MAX_SAFE_INTEGER ? `must be a whole number >= ${min}` : `must be a whole number in [${min}, ${max}]`);
    return Number(text);
  };
}

function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

/** Short column names for grid paths: the last segment, or more of the path when two would clash. */
function paramHeaders(paths: string[]): string[] {
  return paths.map((path) => {
    const parts = path.split('.');
    for (let n = 1; n <= parts.length; n++) {
      const tail = parts.slice(-n).join('.');
      if (paths.filter((p) => p === tail || p.endsWith(`.${tail}`)).length === 1) return tail;
    }
    return path;
  });
}

function rankedTable(rows: RankedRow[], paths: string[], top: number): string {
  const shown = top > 0 ? rows.slice(0, top) : rows;
  const header = ['rank', 'combo', ...paramHeaders(paths), 'score', 'return', 'APR', 'Sharpe', 'maxDD', 'trades', 'fees', 'funding'];
  return formatTable(
    header,
    shown.map((r) => [
      `${r.rank}${r.eligible ? '' : '*'}`,
      String(r.combo),
      ...paths.map((p) => value(r.params[p])),
      num(r.score, 4),
      pct(r.summary.totalReturn),
      pct(r.summary.apr),
      num(r.summary.sharpe),
      pct(r.summary.maxDrawdown),
      String(r.summary.trades),
      num(r.summary.feesPaid),
      num(r.summary.fundingPnl),
    ]),
  );
}

function printText(result: SweepResult, top: number, workers: number, elapsedMs: number): void {
  const s = result.sweep;
  const paths = Object.keys(s.grid);
  printLine(`sweep          ${s.source}: ${s.strategy}, ${s.combinations} combinations, ${result.jobs.total} backtests on ${workers} worker(s) in ${duration(elapsedMs)}`);
  if (s.data === 'synthetic') printLine('data           SYNTHETIC (seeded generator, not market prices)');
  const wf = result.walkForward;
  const over = result.ranking.window ? `the out-of-sample span ${result.ranking.window.from} .. ${result.ranking.window.to}, with hindsight` : 'the whole span';
  printLine(`ranked by      ${s.rankBy} over ${over}${s.minTrades > 0 ? `; minTrades ${s.minTrades}` : ''}`);
  printLine();
  printLine(rankedTable(result.ranking.rows, paths, top));
  const hidden = result.ranking.rows.filter((r) => !r.eligible).length;
  if (hidden > 0) printLine(`* not eligible (too few trades or no ${s.rankBy}): ranked last`);
  if (top > 0 && result.ranking.rows.length > top) printLine(`(top ${top} of ${result.ranking.rows.length}; --top 0 shows all)`);
  if (wf) {
    const w = wf.spec;
    printLine();
    printLine(`walk-forward   train ${w.trainDays} d, test ${w.testDays} d, step ${w.stepDays} d, ${w.anchored ? 'anchored' : 'rolling'}; ${wf.folds.length} folds over ${wf.span.from} .. ${wf.span.to}`);
    printLine(
      formatTable(
        ['fold', 'test from', 'test to', 'chosen', ...paramHeaders(paths), `train ${s.rankBy}`, `test ${s.rankBy}`, 'test return', 'trades', 'note'],
        wf.folds.map((f) => [
          String(f.fold),
          f.test.from,
          f.test.to,
          f.chosen ? String(f.chosen.combo) : '-',
          ...paths.map((p) => (f.chosen ? value(f.chosen.params[p]) : '-')),
          f.chosen ? num(f.chosen.trainScore, 4) : 'n/a',
          num(f.testScore, 4),
          pct(f.testSummary?.totalReturn ?? null),
          f.testSummary ? String(f.testSummary.trades) : '-',
          f.note ?? '',
        ]),
      ),
    );
    const o = wf.outOfSample;
    printLine();
    if (o) {
      printLine(`out-of-sample  return ${pct(o.totalReturn)} (compounded over ${o.foldsRun} of ${o.folds} folds traded), PnL ${num(o.pnlUsd)} USD, APR ${pct(o.apr)}`);
      printLine(`               Sharpe ${num(o.sharpe)} (joined curve), mean fold Sharpe ${num(o.meanFoldSharpe)}, max drawdown ${pct(o.maxDrawdown)}, ${o.trades} trades, fees ${num(o.feesPaid)}, funding ${num(o.fundingPnl)}`);
    } else printLine('out-of-sample  nothing traded');
    const b = wf.inSampleBest;
    if (b) printLine(`in-sample best combo ${b.combo} (${paths.map((p) => `${p}=${value(b.params[p])}`).join(', ')}): return ${pct(b.summary.totalReturn)}, Sharpe ${num(b.summary.sharpe)}`);
    const g = wf.gap;
    printLine(`gap            ${s.rankBy}: in-sample ${num(g.inSampleScore, 4)} vs out-of-sample ${num(g.outOfSampleScore, 4)} (difference ${num(g.difference, 4)}); folds: mean train ${num(g.meanTrainScore, 4)} vs mean test ${num(g.meanTestScore, 4)}`);
  }
  if (result.failures.length > 0) {
    printLine();
    printLine(`failures       ${result.failures.length} of ${result.jobs.total} backtests`);
    for (const f of result.failures) {
      const where = f.window ? ` ${f.window.from} .. ${f.window.to}` : '';
      printLine(`  ${f.phase}${f.fold !== null ? ` fold ${f.fold}` : ''} combo ${f.combo} (${Object.entries(f.params).map(([p, v]) => `${p}=${value(v)}`).join(', ')})${where}: ${f.error}`);
    }
  }
}

export function registerSweepCommand(program: Command): void {
  program
    .command('sweep')
    .description('Run a parameter grid of backtests on worker threads, optionally walk-forward, and rank the results')
    .requiredOption('--config <file>', 'sweep file (JSON; see src/engine/sweep/sweepConfig.ts and examples/sweep-*.json)')
    .option('--workers <n>', `worker threads, ${WORKER_RANGE.min} to ${WORKER_RANGE.max} (default: min(CPU cores, combinations))`, wholeNumber(WORKER_RANGE.min, WORKER_RANGE.max))
    .option('--top <n>', 'rows of the ranked table (0: all)', wholeNumber(0), 10)
    .option('--store <dir>', `market-data store for data.source "store" (default: $PERP_ARB_STORE or ${defaultStoreDir(cliIo().env)})`)
    .option('--json', 'print one JSON object (the full results); progress goes to stderr')
    .option('--no-progress', 'no progress on stderr')
    .option('--out <file>', 'also write the full results as JSON to this file (atomically; run.status says running, finished, failed or interrupted)')
    .option('--report <file>', 'write the HTML report here (default: ./reports/sweep-<UTC time>.html, or report.html in --out-dir)')
    .option('--no-report', 'write no HTML report')
    .option('--out-dir <dir>', 'write the ranking, folds and out-of-sample curve (tables), summary.json and report.html into this new or empty directory')
    .option('--format <format>', `table format of --out-dir: ${EXPORT_FORMATS.join(' or ')} (default csv)`)
    .option('--force', 'let --out-dir be a directory that is not empty (its export files are replaced)')
    .option('--runs-db <file>', 'record the sweep in this runs database (default: $PERP_ARB_RUNS_DB or ~/.perp-arb/runs.sqlite; see perp-arb runs)')
    .option('--no-runs-db', 'record nothing in the runs database')
    .addHelpText(
      'after',
      '\nExamples:\n  perp-arb sweep --config examples/sweep-ou-synthetic.json\n  perp-arb sweep --config examples/sweep-carry-synthetic.json --workers 2 --json --out sweep.json',
    )
    .action(
      runAction(async (options: SweepOptions) => {
        checkPathOptions({ '--config': options.config, '--store': options.store, '--out-dir': options.outDir, '--runs-db': options.runsDb === false ? undefined : options.runsDb });
        const spec = loadSweepConfig(options.config);
        const storeDir = resolve(options.store ?? defaultStoreDir(cliIo().env));
        const plan = planSweep(spec, storeDir);
        const exportTo = checkExportOptions(options);
        const workers = options.workers ?? Math.max(1, Math.min(availableParallelism(), plan.combos.length));
        const outPath = options.out === undefined ? null : resolve(options.out);
        const startedAt = new Date().toISOString();
        let progress = { done: 0, total: 0 };
        const marker = (status: SweepOutStatus, error: string | null = null, elapsedMs: number | null = null): SweepOutRun => ({
          status,
          startedAt,
          finishedAt: status === 'running' ? null : new Date().toISOString(),
          configHash: configHash(sweepHashInput(spec)),
          workers,
          done: progress.done,
          total: progress.total,
          elapsedMs,
          error,
        });
        // Before any backtest: a stale result from an earlier sweep must not pass for this one's.
        const recording = RunRecording.start(runsDbPath(options.runsDb, cliIo().env), sweepRunStart(spec, plan.span, { configSource: resolve(options.config), storeDir, cwd: cliIo().cwd, options: { ...options } }));
        try {
          if (outPath) writeSweepOut(outPath, marker('running'));
        } catch (error) {
          recording.end({ status: 'failed', error: `--out ${options.out}: ${(error as Error).message}` });
          throw error;
        }
        const pool = new WorkerPool(workers);
        const began = performance.now();
        let lastPrint = Number.NEGATIVE_INFINITY;
        const describe = (done: number, total: number) => {
          const elapsed = performance.now() - began;
          const eta = done > 0 && done < total ? `, ETA ${duration((elapsed / done) * (total - done))}` : '';
          return `sweep: ${done}/${total} backtests, ${duration(elapsed)}${eta}`;
        };
        const bar = options.progress && cliIo().stderr.isTTY === true ? new TerminalProgress({ stream: cliIo().stderr, describe }) : null;
        const onProgress = (done: number, total: number) => {
          progress = { done, total };
          if (!options.progress) return;
          if (bar) return bar.update(done, total);
          const now = performance.now();
          if (done < total && now - lastPrint < 1000) return;
          lastPrint = now;
          cliIo().stderr.write(`${describe(done, total)}\n`);
        };
        let interrupted = false;
        const removeSignal = onFirstSignal(['SIGINT', 'SIGTERM'], () => {
          interrupted = true;
          void pool.close('interrupted');
        });
        let result: SweepResult;
        try {
          result = await runSweep(spec, { runner: pool.runner, storeDir, onProgress });
        } catch (error) {
          const elapsedMs = Math.round(performance.now() - began);
          if (!interrupted) {
            if (outPath) writeSweepOut(outPath, marker('failed', (error as Error).message, elapsedMs));
            recording.end({ status: 'failed', error: (error as Error).message });
            throw error;
          }
          const message = `interrupted after ${progress.done} of ${progress.total} backtests; the workers were stopped`;
          if (outPath) writeSweepOut(outPath, marker('interrupted', message, elapsedMs));
          recording.end({ status: 'interrupted', error: message });
          if (options.json) printJson({ error: message });
          else cliIo().stderr.write(`sweep: ${message}\n`);
          setExitCode(EXIT.interrupted);
          return;
        } finally {
          removeSignal();
          bar?.finish();
          await pool.close();
        }
        const elapsedMs = Math.round(performance.now() - began);
        const run = marker('finished', null, elapsedMs);
        const full = { ...result, run };
        if (outPath) {
          writeSweepOut(outPath, run, result as unknown as Record<string, unknown>);
          cliIo().stderr.write(`sweep: results written to ${outPath}\n`);
        }
        const allFailed = result.jobs.total > 0 && result.jobs.failed === result.jobs.total;
        const summary = sweepRunSummary(result, { workers, elapsedMs });
        let reportPath: string | null = null;
        let exported: Awaited<ReturnType<typeof writeSweepExport>> | null = null;
        try {
          if (exportTo) openOutDir(exportTo.dir);
          if (options.report !== false) {
            const path = resolve(options.report ?? (exportTo ? resolve(exportTo.dir, REPORT_FILE) : defaultReportPath(cliIo().cwd, new Date(), 'sweep')));
            reportPath = (await writeSweepReport(path, { result, workers, elapsedMs })).path;
          }
          if (exportTo) exported = await writeSweepExport(exportTo.dir, exportTo.format, { result, summary, configSource: options.config, configHash: run.configHash, runId: recording.id, reportPath });
        } catch (error) {
          recording.end({ status: 'failed', error: `the sweep finished, but writing its outputs failed: ${error instanceof Error ? error.message : String(error)}` });
          throw error;
        }
        const span = sweepResultSpan(result);
        if (allFailed) recording.end({ status: 'failed', error: `every backtest failed (first: ${result.failures[0].error})`, outDir: exportTo?.dir ?? null, report: reportPath });
        else recording.end({ status: 'finished', summary, dataFromMs: span?.fromMs ?? null, dataToMs: span?.toMs ?? null, outDir: exportTo?.dir ?? null, report: reportPath });
        if (options.json) printJson(full);
        else printText(result, options.top, workers, elapsedMs);
        const where = (line: string, label: string) => (options.json ? cliIo().stderr.write(`${label}: ${line}\n`) : printLine(`${label.padEnd(14)} ${line}`));
        if (reportPath) where(reportPath, 'report');
        if (exportTo && exported) where(describeExport(exportTo.dir, exported), options.json ? 'out-dir' : 'out dir');
        if (recording.id !== null) where(describeRecording(recording), 'run');
        if (allFailed) {
          cliIo().stderr.write(`sweep: every backtest failed (first: ${result.failures[0].error})\n`);
          setExitCode(1);
        }
      }),
    );
}
