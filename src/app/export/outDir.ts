import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UsageError } from '../../core/errors.ts';
import { writeFileAtomic } from '../../data/store/atomicWrite.ts';
import { writeCsvTable } from './csvWriter.ts';
import { physicalColumnNames, type ExportTable } from './table.ts';

/**
 * `--out-dir DIR` of backtest and sweep: checked before the run (a directory that exists and is not
 * empty is refused unless --force, so one run's files are never mixed with another's), written when
 * the run has finished: the tables (CSV or Parquet), summary.json and report.html.
 */

export const EXPORT_FORMATS = ['csv', 'parquet'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const SUMMARY_FILE = 'summary.json';
export const REPORT_FILE = 'report.html';
/** Every table an export can write: --force removes these (in both formats) and nothing else. */
const TABLE_NAMES = ['trades', 'fills', 'funding', 'equity', 'ranking', 'folds', 'outOfSample'];

export interface WrittenTable {
  file: string;
  rows: number;
  columns: string[];
}

export function parseExportFormat(text: string): ExportFormat {
  if (!(EXPORT_FORMATS as readonly string[]).includes(text)) throw new UsageError(`--format ${text}: must be one of ${EXPORT_FORMATS.join(', ')}`);
  return text as ExportFormat;
}

/** The resolved directory, after checking it may be written (UsageError: exit 2). Nothing is written yet. */
export function checkOutDir(dir: string, force: boolean): string {
  const path = resolve(dir);
  if (!existsSync(path)) return path;
  if (!statSync(path).isDirectory()) throw new UsageError(`--out-dir ${dir}: exists and is not a directory`);
  const entries = readdirSync(path);
  if (entries.length > 0 && !force) throw new UsageError(`--out-dir ${dir}: the directory exists and is not empty (${entries.length} entries); give a new or empty directory, or --force to replace the export files in it`);
  return path;
}

/** Creates the directory; with --force, removes the files an earlier export left there. */
export function openOutDir(path: string): void {
  mkdirSync(path, { recursive: true });
  const ours = new Set([SUMMARY_FILE, REPORT_FILE, ...TABLE_NAMES.flatMap((n) => EXPORT_FORMATS.map((f) => `${n}.${f}`))]);
  for (const entry of readdirSync(path)) if (ours.has(entry)) rmSync(join(path, entry), { force: true });
}

export async function writeTables(dir: string, tables: readonly ExportTable[], format: ExportFormat): Promise<WrittenTable[]> {
  const written: WrittenTable[] = [];
  for (const table of tables) {
    const file = `${table.name}.${format}`;
    if (format === 'csv') writeCsvTable(join(dir, file), table);
    // DuckDB loads only when Parquet is asked for.
    else await (await import('./parquetWriter.ts')).writeParquetTable(join(dir, file), table);
    written.push({ file, rows: table.rows.length, columns: physicalColumnNames(table) });
  }
  return written;
}

export function writeSummaryJson(dir: string, value: unknown): string {
  const path = join(dir, SUMMARY_FILE);
  writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
  return path;
}
