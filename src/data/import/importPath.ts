import { closeSync, existsSync, openSync, readSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InputError, UsageError } from '../../core/errors.ts';
import type { EpochMs } from '../../core/time.ts';
import { instrumentProblem } from '../../domain/plausibility.ts';
import type { MarketStore, SeriesWriteResult } from '../store/marketStore.ts';
import { detectImporter, importerFor } from './formats.ts';
import type { FormatId, FormatImporter, ImportOptions, Rejection } from './types.ts';
import { validateSeries } from './validateSeries.ts';

export interface SeriesImportSummary {
  id: string;
  taken: number;
  added: number;
  unchanged: number;
}

export interface FileImportReport {
  source: string;
  format: FormatId;
  rowsRead: number;
  added: number;
  unchanged: number;
  rejected: number;
  rejections: Rejection[];
  series: SeriesImportSummary[];
  notes: string[];
}

export interface ImportReport {
  store: string;
  files: FileImportReport[];
  /** Files in a directory that no importer recognised (README, licences, ...). */
  skipped: { source: string; reason: string }[];
  /** Files of a directory import that could not be read (truncated, forged, unreadable): none of their rows were taken. */
  failedFiles: FailedFile[];
  rowsRead: number;
  added: number;
  unchanged: number;
  rejected: number;
  /** Store version after the import; equal to the one before when nothing changed. */
  txid: number;
  changed: boolean;
}

export interface FailedFile {
  source: string;
  /** What is wrong and what was expected, one line. */
  reason: string;
}

export interface ImportProgress {
  fileIndex: number;
  fileCount: number;
  source: string;
  /** Present once the file is done. */
  report?: FileImportReport;
  /** Present when the file could not be read (directory imports go on with the next file). */
  failure?: FailedFile;
}

export interface ImportPathOptions extends ImportOptions {
  format?: FormatId;
  onProgress?: (progress: ImportProgress) => void;
  /** The local clock for the plausibility of event times (at most a day ahead of it); read once per import when not given. */
  nowMs?: EpochMs;
}

const HEAD_BYTES = 4096;

/**
 * Imports a file or a directory (recursively) into the store in ONE transaction. Bad rows do not
 * fail the import: each is reported with file, line and reason. A single file that cannot be read
 * at all throws (nothing is stored); in a directory such a file is listed in `failedFiles` and the
 * other files are committed, so importing again once it is repaired adds just its rows.
 */
export async function importPath(store: MarketStore, path: string, options: ImportPathOptions = {}): Promise<ImportReport> {
  const root = resolve(path);
  if (!existsSync(root)) throw new UsageError(`${root}: no such file or directory`);
  const isDirectory = statSync(root).isDirectory();
  const files = isDirectory ? listFiles(root) : [root];
  const plan: { source: string; format: FormatId }[] = [];
  const skipped: ImportReport['skipped'] = [];
  const failedFiles: FailedFile[] = [];
  for (const file of files) {
    let format: FormatId | undefined;
    try {
      format = options.format ?? detectImporter(file, readHead(file))?.id;
    } catch (error) {
      if (!isDirectory || !isReadError(error)) throw error;
      failedFiles.push({ source: file, reason: failureReason(file, error) });
      continue;
    }
    if (format) plan.push({ source: file, format });
    else if (isDirectory) skipped.push({ source: file, reason: 'not a recognised market-data format' });
    else throw new UsageError(`${file}: format not recognised; give --format (freqtrade, csv, supervik-funding, aha-hh, lean, cryptofeed)`);
  }
  if (plan.length === 0 && failedFiles.length === 0) throw new UsageError(`${root}: no market-data files found`);

  const nowMs = options.nowMs ?? Date.now();
  const transaction = store.begin();
  try {
    const reports: FileImportReport[] = [];
    for (const [index, { source, format }] of plan.entries()) {
      options.onProgress?.({ fileIndex: index, fileCount: plan.length, source });
      const outcome = await importFile(transaction, source, format, { ...options, nowMs }, isDirectory);
      if ('failure' in outcome) {
        failedFiles.push(outcome.failure);
        options.onProgress?.({ fileIndex: index, fileCount: plan.length, source, failure: outcome.failure });
        continue;
      }
      reports.push(outcome.report);
      options.onProgress?.({ fileIndex: index, fileCount: plan.length, source, report: outcome.report });
    }
    const changed = transaction.hasChanges;
    const txid = transaction.commit();
    const sum = (pick: (r: FileImportReport) => number) => reports.reduce((total, r) => total + pick(r), 0);
    return {
      store: store.root,
      files: reports,
      skipped,
      failedFiles: failedFiles.sort((a, b) => a.source.localeCompare(b.source)),
      rowsRead: sum((r) => r.rowsRead),
      added: sum((r) => r.added),
      unchanged: sum((r) => r.unchanged),
      rejected: sum((r) => r.rejected),
      txid,
      changed,
    };
  } catch (error) {
    transaction.rollback();
    throw error;
  }
}

/**
 * Parses one file and writes its series. With `failSoft` (a directory import), a file that cannot
 * be parsed comes back as a failure; its rows never reach the transaction, because writing starts
 * only after the whole file parsed. Errors while writing are the store's and always throw.
 */
async function importFile(
  transaction: ReturnType<MarketStore['begin']>,
  source: string,
  format: FormatId,
  options: ImportOptions & { nowMs: EpochMs },
  failSoft: boolean,
): Promise<{ report: FileImportReport } | { failure: FailedFile }> {
  let parsed: Awaited<ReturnType<FormatImporter['parse']>>;
  try {
    parsed = await importerFor(format).parse(source, { ...options, knownInstrument: (venue, symbol) => transaction.instrument(venue, symbol) });
  } catch (error) {
    if (!failSoft || !(error instanceof InputError || isReadError(error))) throw error;
    return { failure: { source, reason: failureReason(source, error) } };
  }
  const rejections: Rejection[] = [...parsed.rejections];
  const notes = [...parsed.notes];
  const series: SeriesImportSummary[] = [];
  let added = 0;
  let unchanged = 0;
  for (const instrument of parsed.instruments) {
    const problem = instrumentProblem(instrument);
    if (problem) rejections.push({ source, line: null, reason: `instrument ${instrument.venue} ${instrument.symbol}: ${problem}` });
    else notes.push(...transaction.noteInstrument(instrument));
  }
  for (const data of parsed.series) {
    const validated = validateSeries(data, { nowMs: options.nowMs });
    rejections.push(...validated.rejections);
    if (validated.data.rows === 0) continue;
    const written: SeriesWriteResult = await transaction.write(validated.data);
    rejections.push(...written.conflicts);
    added += written.added;
    unchanged += written.unchanged;
    series.push({ id: written.id, taken: validated.data.rows, added: written.added, unchanged: written.unchanged });
  }
  return { report: { source, format, rowsRead: parsed.rowsRead, added, unchanged, rejected: rejections.length, rejections, series, notes } };
}

/** A file-system error about one file (unreadable, vanished, a directory): that file fails, not the import. */
function isReadError(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && ['EACCES', 'EPERM', 'ENOENT', 'EISDIR', 'EIO', 'ELOOP', 'ENAMETOOLONG'].includes((error as NodeJS.ErrnoException).code ?? '');
}

/** The error's message without the file name it starts with (the failure names the file already). */
function failureReason(source: string, error: InputError | NodeJS.ErrnoException): string {
  if (!(error instanceof InputError)) return `cannot be read (${error.code}: ${error.message.replace(/^[A-Z]+: /, '').replace(/, \w+ '.*'$/, '')})`;
  const prefix = `${source}: `;
  return error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
}

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(path));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}

function readHead(path: string): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(HEAD_BYTES);
    const bytes = readSync(fd, buffer, 0, HEAD_BYTES, 0);
    return buffer.subarray(0, bytes);
  } finally {
    closeSync(fd);
  }
}

