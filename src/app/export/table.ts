/**
 * A table to export (CSV or Parquet): named, typed columns and rows of plain cells. A 'time' column
 * holds epoch ms and is written as two columns: `<name>` (ISO-8601 UTC in CSV, a UTC timestamp in
 * Parquet) and `<name>Ms` (epoch ms, an integer in both).
 */

export type ColumnKind = 'text' | 'float' | 'int' | 'bool' | 'time';

export interface ExportColumn {
  name: string;
  kind: ColumnKind;
}

export type Cell = string | number | boolean | null;

export interface ExportTable {
  /** File name without extension, e.g. 'fills'. */
  name: string;
  columns: ExportColumn[];
  rows: Cell[][];
}

/** A column as written: a 'time' column becomes the timestamp and its Ms twin. */
export interface PhysicalColumn {
  name: string;
  kind: 'text' | 'float' | 'int' | 'bool' | 'timestamp';
  /** Index of the logical column it comes from. */
  source: number;
}

export function physicalColumns(table: ExportTable): PhysicalColumn[] {
  return table.columns.flatMap((c, source): PhysicalColumn[] =>
    c.kind === 'time'
      ? [
          { name: c.name, kind: 'timestamp', source },
          { name: `${c.name}Ms`, kind: 'int', source },
        ]
      : [{ name: c.name, kind: c.kind, source }],
  );
}

/** The names of the written columns, in order. */
export const physicalColumnNames = (table: ExportTable): string[] => physicalColumns(table).map((c) => c.name);

/** A finite number, else null (NaN and infinities are written as empty cells). */
export const finiteOrNull = (x: number | null | undefined): number | null => (x === null || x === undefined || !Number.isFinite(x) ? null : x);
