import type { Cell, ColumnKind, ExportColumn, ExportTable } from './table.ts';

/**
 * A table from a list of plain objects, taking every field each one has: nested objects and lists
 * are flattened to dotted paths (`legs.0.price`), columns in order of first appearance. So a list
 * that gains fields (e.g. richer round trips) exports them with no change here.
 *
 * Column kinds: a field named like a time (`ts`, `...Ts`, `...At`) holding epoch ms or ISO text is a
 * 'time' column; numbers are 'float', except integer `...Ms` durations ('int'); booleans 'bool';
 * anything else, or a column mixing kinds, is 'text' (non-strings as JSON).
 */

const TIME_NAME = /(^ts|Ts|At)$/;

function flatten(value: unknown, prefix: string, out: Map<string, unknown>): void {
  if (Array.isArray(value)) {
    if (value.length === 0) out.set(prefix, null);
    value.forEach((item, k) => flatten(item, `${prefix}.${k}`, out));
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) flatten(item, prefix === '' ? key : `${prefix}.${key}`, out);
  } else {
    out.set(prefix, value);
  }
}

const leafName = (path: string) => path.slice(path.lastIndexOf('.') + 1);

function timeMs(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string') {
    const ms = Date.parse(value);
    return Number.isFinite(ms) ? ms : null;
  }
  return null;
}

function kindOf(path: string, values: readonly unknown[]): ColumnKind {
  const present = values.filter((v) => v !== null && v !== undefined);
  if (present.length === 0) return TIME_NAME.test(leafName(path)) ? 'time' : 'text';
  if (TIME_NAME.test(leafName(path)) && present.every((v) => timeMs(v) !== null)) return 'time';
  if (present.every((v) => typeof v === 'number')) return leafName(path).endsWith('Ms') && present.every((v) => Number.isInteger(v)) ? 'int' : 'float';
  if (present.every((v) => typeof v === 'boolean')) return 'bool';
  return 'text';
}

function cellOf(kind: ColumnKind, value: unknown): Cell {
  if (value === null || value === undefined) return null;
  switch (kind) {
    case 'time':
      return timeMs(value);
    case 'float':
    case 'int':
      return Number.isFinite(value as number) ? (value as number) : null;
    case 'bool':
      return value as boolean;
    case 'text':
      return typeof value === 'string' ? value : JSON.stringify(value);
  }
}

export interface RecordTableOptions {
  /** The columns of a table with no records (nothing to take them from). */
  emptyColumns?: readonly ExportColumn[];
  /** Kinds that override the inferred ones, by column name. */
  kinds?: Readonly<Record<string, ColumnKind>>;
}

export function tableFromRecords(name: string, records: readonly object[], options: RecordTableOptions = {}): ExportTable {
  if (records.length === 0) return { name, columns: [...(options.emptyColumns ?? [])], rows: [] };
  const flat = records.map((r) => {
    const out = new Map<string, unknown>();
    flatten(r, '', out);
    return out;
  });
  const paths: string[] = [];
  const seen = new Set<string>();
  for (const row of flat) {
    for (const path of row.keys()) {
      if (seen.has(path)) continue;
      seen.add(path);
      paths.push(path);
    }
  }
  const columns: ExportColumn[] = paths.map((path) => ({ name: path, kind: options.kinds?.[path] ?? kindOf(path, flat.map((row) => row.get(path))) }));
  const rows = flat.map((row) => columns.map((c) => cellOf(c.kind, row.get(c.name))));
  return { name, columns, rows };
}
