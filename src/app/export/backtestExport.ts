import { basename, dirname, resolve } from 'node:path';
import { isoUtc } from '../../core/time.ts';
import { configHash } from '../../domain/config/hash.ts';
import type { BacktestConfig, BacktestRun } from '../../engine/backtest.ts';
import type { TradeLog } from '../../engine/tradeLog.ts';
import { backtestTables } from './backtestTables.ts';
import { writeSummaryJson, writeTables, type ExportFormat, type WrittenTable } from './outDir.ts';

export interface BacktestExportInput {
  config: BacktestConfig;
  configSource: string;
  run: BacktestRun;
  log: TradeLog;
  /** What the backtest's --json prints (its summary). */
  summary: unknown;
  /** The run's id in the runs database (null: not recorded). */
  runId: number | null;
  /** The report written (null: none). */
  reportPath: string | null;
}

/**
 * Writes a finished backtest into `dir` (checked by checkOutDir, made by openOutDir): trades, fills, funding and
 * equity as tables, and summary.json (the summary, the run's identity and data span, and what each
 * table holds). Returns the tables written.
 */
export async function writeBacktestExport(dir: string, format: ExportFormat, input: BacktestExportInput): Promise<WrittenTable[]> {
  const files = await writeTables(dir, backtestTables(input.run.result, input.log), format);
  const span = input.run.span;
  const report = input.reportPath === null ? null : dirname(resolve(input.reportPath)) === dir ? basename(input.reportPath) : input.reportPath;
  writeSummaryJson(dir, {
    kind: 'backtest',
    runId: input.runId,
    configSource: input.configSource,
    configHash: configHash(input.config),
    data: {
      source: input.config.data.source,
      from: span ? isoUtc(span.fromMs) : null,
      to: span ? isoUtc(span.toMs) : null,
      fromMs: span?.fromMs ?? null,
      toMs: span?.toMs ?? null,
      seed: input.config.data.source === 'synthetic' ? input.config.data.seed : null,
    },
    summary: input.summary,
    files,
    report,
    config: input.config,
  });
  return files;
}
