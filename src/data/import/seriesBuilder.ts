import { SERIES_COLUMNS, type SeriesKey } from '../../domain/series.ts';
import type { ColumnData, SeriesData } from './types.ts';

export type RowValue = number | string | null | Float64Array;

/** Accumulates rows of one series column by column; for row-at-a-time parsers. */
export class SeriesBuilder {
  readonly key: SeriesKey;
  readonly source: string;
  private readonly specs;
  private numeric = new Map<string, Float64Array>();
  private other = new Map<string, unknown[]>();
  private lines = new Int32Array(1024);
  private count = 0;

  constructor(key: SeriesKey, source: string) {
    this.key = key;
    this.source = source;
    this.specs = SERIES_COLUMNS[key.table];
    for (const spec of this.specs) {
      if (spec.type === 'f64' || spec.type === 'i64') this.numeric.set(spec.name, new Float64Array(1024));
      else this.other.set(spec.name, []);
    }
  }

  get rows(): number {
    return this.count;
  }

  /** Adds a row. Columns missing from `row` are null (NaN); a non-nullable missing one fails validation later. */
  push(line: number, row: Record<string, RowValue | undefined>): void {
    if (this.count === this.lines.length) this.grow();
    const i = this.count++;
    this.lines[i] = line;
    for (const spec of this.specs) {
      const value = row[spec.name];
      if (spec.type === 'f64' || spec.type === 'i64') {
        this.numeric.get(spec.name)![i] = value === null || value === undefined ? Number.NaN : Number(value);
      } else {
        this.other.get(spec.name)!.push(value ?? null);
      }
    }
  }

  private grow(): void {
    const size = this.lines.length * 2;
    const lines = new Int32Array(size);
    lines.set(this.lines);
    this.lines = lines;
    for (const [name, values] of this.numeric) {
      const next = new Float64Array(size);
      next.set(values);
      this.numeric.set(name, next);
    }
  }

  build(): SeriesData {
    const columns: Record<string, ColumnData> = {};
    for (const [name, values] of this.numeric) columns[name] = values.slice(0, this.count);
    for (const [name, values] of this.other) columns[name] = values as ColumnData;
    return { key: this.key, source: this.source, rows: this.count, columns, lines: this.lines.slice(0, this.count) };
  }
}

/** Builds series data straight from whole columns (for columnar sources such as Arrow). */
export function seriesFromColumns(
  key: SeriesKey,
  source: string,
  columns: Record<string, ColumnData>,
  rows: number,
  firstLine = 1,
): SeriesData {
  const full: Record<string, ColumnData> = {};
  for (const spec of SERIES_COLUMNS[key.table]) {
    const given = columns[spec.name];
    if (given) {
      if (given.length !== rows) throw new Error(`${source}: column ${spec.name} has ${given.length} values, expected ${rows}`);
      full[spec.name] = given;
    } else if (spec.type === 'f64' || spec.type === 'i64') {
      full[spec.name] = new Float64Array(rows).fill(Number.NaN);
    } else {
      full[spec.name] = new Array(rows).fill(null);
    }
  }
  const lines = new Int32Array(rows);
  for (let i = 0; i < rows; i++) lines[i] = firstLine + i;
  return { key, source, rows, columns: full, lines };
}
