import { isoUtc } from '../../core/time.ts';
import { SERIES_COLUMNS } from '../../domain/series.ts';
import type { SeriesData } from '../../data/import/types.ts';

/** The first `count` rows as plain objects for display: times in ISO UTC, nulls as null, book levels as counts. */
export function rowsAsObjects(data: SeriesData, count: number): Record<string, string | number | null>[] {
  const specs = SERIES_COLUMNS[data.key.table];
  const rows: Record<string, string | number | null>[] = [];
  for (let i = 0; i < count; i++) {
    const row: Record<string, string | number | null> = {};
    for (const spec of specs) {
      const column = data.columns[spec.name];
      if (spec.type === 'f64list') {
        const levels = (column as Float64Array[])[i];
        row[spec.name] = levels.length ? `${levels.length} levels, first ${levels[0]}` : '0 levels';
      } else if (spec.type === 'string') row[spec.name] = (column as (string | null)[])[i];
      else {
        const v = (column as Float64Array)[i];
        row[spec.name] = Number.isNaN(v) ? null : spec.name === 'ts' || spec.name === 'received_at' ? isoUtc(v) : v;
      }
    }
    rows.push(row);
  }
  return rows;
}
