import type { ColumnData, SeriesData } from '../import/types.ts';

/** Rows [start, end) of a series (typed columns are copied, so the slice owns its memory). */
export function sliceRows(series: SeriesData, start: number, end: number): SeriesData {
  if (start === 0 && end === series.rows) return series;
  const columns: Record<string, ColumnData> = {};
  for (const [name, column] of Object.entries(series.columns)) columns[name] = column.slice(start, end) as ColumnData;
  return { ...series, rows: end - start, columns, lines: series.lines.slice(start, end) };
}
