import { readFileSync } from 'node:fs';
import { parse as parseCsv } from 'csv-parse/sync';
import { InputError, UsageError } from '../../core/errors.ts';
import { parseTimeArg } from '../../core/time.ts';
import { basisOfPrices, samplingOf, type Sampling } from '../../model/basisSeries.ts';

export interface CsvBasisOptions {
  path: string;
  /** Column holding the basis as a fraction. */
  column?: string;
  /** Columns holding spot and perp prices, to compute (perp - spot) / spot. */
  spotColumn?: string;
  perpColumn?: string;
  /** Optional column of times (epoch ms or ISO-8601, UTC unless zoned) of each value. */
  timeColumn?: string;
}

export interface CsvBasis {
  basis: Float64Array;
  /** Times of the values (ms UTC) when a time column was given, else null. */
  tsMs: Float64Array | null;
  /** How the basis was obtained, for the report. */
  description: string;
  sampling: Sampling | null;
}

/**
 * Reads a basis series from a CSV: either one column holding the basis (a fraction), or a spot
 * and a perp price column. Every value is checked; a bad cell is an error naming file and line,
 * never dropped.
 */
export function basisFromCsv(options: CsvBasisOptions): CsvBasis {
  const { path } = options;
  const byColumn = options.column !== undefined;
  const byPrices = options.spotColumn !== undefined || options.perpColumn !== undefined;
  if (byColumn === byPrices) throw new UsageError('--csv needs either --column NAME (the basis as a fraction) or both --spot-column and --perp-column');
  if (byPrices && (options.spotColumn === undefined || options.perpColumn === undefined)) throw new UsageError('--csv needs both --spot-column and --perp-column');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new UsageError(`--csv ${path}: no such file`);
    throw new Error(`cannot read --csv ${path}: ${(error as Error).message}`);
  }
  let records: string[][];
  try {
    records = parseCsv(text, { relax_column_count: false, skip_empty_lines: true, trim: true }) as string[][];
  } catch (error) {
    throw new InputError({ source: path }, `not a readable CSV: ${(error as Error).message}`);
  }
  if (records.length === 0) throw new InputError({ source: path }, 'empty file');
  const header = records[0];
  const rows = records.slice(1);
  const indexOf = (name: string, option: string) => {
    const k = header.indexOf(name);
    if (k < 0) throw new InputError({ source: path }, `no column '${name}' (${option}); the columns are: ${header.join(', ')}`);
    return k;
  };
  // Line numbers: the header is line 1 and empty lines are skipped, so count from the records.
  const lineOf = (row: number) => row + 2;
  const numbers = (name: string, option: string, positive: boolean) => {
    const k = indexOf(name, option);
    const values = new Float64Array(rows.length);
    for (let r = 0; r < rows.length; r++) {
      const cell = rows[r][k];
      const v = cell === '' ? NaN : Number(cell);
      if (!Number.isFinite(v) || (positive && v <= 0)) {
        throw new InputError({ source: path, line: lineOf(r) }, `column '${name}': '${cell}' is not a ${positive ? 'positive price' : 'finite number'}`);
      }
      values[r] = v;
    }
    return values;
  };
  let basis: Float64Array;
  let description: string;
  if (byColumn) {
    basis = numbers(options.column as string, '--column', false);
    description = `column ${options.column} of ${path}`;
  } else {
    const spot = numbers(options.spotColumn as string, '--spot-column', true);
    const perp = numbers(options.perpColumn as string, '--perp-column', true);
    basis = basisOfPrices(spot, perp);
    description = `(${options.perpColumn} - ${options.spotColumn}) / ${options.spotColumn} of ${path}`;
  }
  let tsMs: Float64Array | null = null;
  if (options.timeColumn !== undefined) {
    const k = indexOf(options.timeColumn, '--time-column');
    tsMs = new Float64Array(rows.length);
    for (let r = 0; r < rows.length; r++) {
      try {
        tsMs[r] = parseTimeArg(rows[r][k]);
      } catch (error) {
        throw new InputError({ source: path, line: lineOf(r) }, `column '${options.timeColumn}': ${(error as Error).message}`);
      }
      if (r > 0 && !(tsMs[r] > tsMs[r - 1])) throw new InputError({ source: path, line: lineOf(r) }, `column '${options.timeColumn}': times must increase`);
    }
  }
  return { basis, tsMs, description, sampling: tsMs ? samplingOf(tsMs) : null };
}
