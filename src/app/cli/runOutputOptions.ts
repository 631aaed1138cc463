import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../../core/errors.ts';
import { checkOutDir, parseExportFormat, REPORT_FILE, SUMMARY_FILE, type ExportFormat, type WrittenTable } from '../export/outDir.ts';
import type { RunRecording } from '../runs/runRecording.ts';
import { formatCount } from './output.ts';

/** The export options of backtest and sweep: --out-dir, --format, --force. */
export interface ExportOptions {
  outDir?: string;
  format?: string;
  force?: boolean;
}

/** Checks the export options before the run (UsageError: exit 2); null without --out-dir. */
export function checkExportOptions(options: ExportOptions): { dir: string; format: ExportFormat } | null {
  if (options.outDir === undefined) {
    if (options.format !== undefined) throw new UsageError(`--format ${options.format}: it is the format of --out-dir; give --out-dir DIR too`);
    if (options.force) throw new UsageError('--force: it lets --out-dir replace an export; give --out-dir DIR too');
    return null;
  }
  const format = parseExportFormat(options.format ?? 'csv');
  return { dir: checkOutDir(options.outDir, options.force === true), format };
}

/** 'DIR (trades.csv 5 rows, fills.csv 20 rows, summary.json, report.html)'. */
export function describeExport(dir: string, tables: readonly WrittenTable[]): string {
  const files = tables.map((t) => `${t.file} ${formatCount(t.rows)} rows`);
  files.push(SUMMARY_FILE);
  if (existsSync(join(dir, REPORT_FILE))) files.push(REPORT_FILE);
  return `${dir} (${files.join(', ')})`;
}

/** '#3 in /home/u/.perp-arb/runs.sqlite'. */
export function describeRecording(recording: RunRecording): string {
  return `#${recording.id} in ${recording.path}`;
}
