import { basename, dirname, resolve } from 'node:path';
import type { SweepResult } from '../../engine/sweep/sweep.ts';
import { writeSummaryJson, writeTables, type ExportFormat, type WrittenTable } from './outDir.ts';
import { sweepTables } from './sweepTables.ts';

export interface SweepExportInput {
  result: SweepResult;
  /** The sweep's headline (what the runs database keeps: sweepRunSummary). */
  summary: Record<string, unknown>;
  configSource: string;
  configHash: string;
  runId: number | null;
  reportPath: string | null;
}

/**
 * Writes a finished sweep into `dir` (checked by checkOutDir, made by openOutDir): ranking, and for
 * walk-forward folds and outOfSample, as tables; summary.json with the headline and what each table
 * holds. The full results (every fold's training ranking) stay in `--out FILE` / `--json`.
 */
export async function writeSweepExport(dir: string, format: ExportFormat, input: SweepExportInput): Promise<WrittenTable[]> {
  const files = await writeTables(dir, sweepTables(input.result), format);
  const report = input.reportPath === null ? null : dirname(resolve(input.reportPath)) === dir ? basename(input.reportPath) : input.reportPath;
  writeSummaryJson(dir, { kind: 'sweep', runId: input.runId, configSource: input.configSource, configHash: input.configHash, ...input.summary, files, report });
  return files;
}
