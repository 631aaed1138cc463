import { isoUtc } from '../../core/time.ts';
import { SERIES_COLUMNS } from '../../domain/series.ts';
import { firstDifference, selectRows } from '../import/validateSeries.ts';
import type { ColumnData, Rejection, SeriesData } from '../import/types.ts';

export interface MergeResult {
  merged: SeriesData;
  added: number;
  unchanged: number;
  /** Incoming rows whose key is stored with other values: the stored row is kept, nothing is overwritten. */
  conflicts: Rejection[];
}

/**
 * Funding settlements of one instrument are hours apart, but sources stamp the same settlement
 * differently: Binance's API gives 16:00:00.018 where AHA-HH gives 16:00:00. Rows closer than this
 * are one settlement, or a backtest would be paid twice.
 */
export const SAME_SETTLEMENT_MS = 60_000;

/**
 * Incoming funding rows that are a stored settlement under another timestamp (within
 * SAME_SETTLEMENT_MS, exact times excluded: the general merge handles those). Same rate: unchanged;
 * another rate: a conflict. Either way the stored row is kept and the incoming one is not added.
 */
function nearSettlements(stored: SeriesData, incoming: SeriesData): { keep: Uint8Array; kept: number; unchanged: number; conflicts: Rejection[] } {
  const sTs = stored.columns.ts as Float64Array;
  const nTs = incoming.columns.ts as Float64Array;
  const sRate = stored.columns.rate as Float64Array;
  const nRate = incoming.columns.rate as Float64Array;
  const keep = new Uint8Array(incoming.rows).fill(1);
  let kept = incoming.rows;
  let unchanged = 0;
  const conflicts: Rejection[] = [];
  let i = 0;
  for (let j = 0; j < incoming.rows; j++) {
    while (i < stored.rows && sTs[i] <= nTs[j] - SAME_SETTLEMENT_MS) i++;
    let near = -1;
    for (let k = i; k < stored.rows && sTs[k] < nTs[j] + SAME_SETTLEMENT_MS; k++) {
      if (sTs[k] === nTs[j]) {
        near = -1;
        break;
      }
      if (near < 0 || Math.abs(sTs[k] - nTs[j]) < Math.abs(sTs[near] - nTs[j])) near = k;
    }
    if (near < 0) continue;
    keep[j] = 0;
    kept--;
    if (sRate[near] === nRate[j]) unchanged++;
    else {
      conflicts.push({
        source: incoming.source,
        line: incoming.lines[j],
        reason: `the settlement at ${isoUtc(nTs[j])} is stored at ${isoUtc(sTs[near])} with rate ${sRate[near]} (this row: ${nRate[j]}); stored row kept`,
      });
    }
  }
  return { keep, kept, unchanged, conflicts };
}

/**
 * Merges validated incoming rows into stored rows of the same series (both in ts order).
 * A row already stored with the same values is 'unchanged', so importing a file twice changes nothing.
 * Funding rows within SAME_SETTLEMENT_MS of a stored settlement are that settlement.
 */
export function mergeRows(stored: SeriesData, incoming: SeriesData): MergeResult {
  if (incoming.key.table === 'funding' && stored.rows > 0) {
    const near = nearSettlements(stored, incoming);
    if (near.kept < incoming.rows) {
      const rest = mergeRowsExact(stored, selectRows(incoming, near.keep, near.kept));
      return { ...rest, unchanged: rest.unchanged + near.unchanged, conflicts: [...near.conflicts, ...rest.conflicts] };
    }
  }
  return mergeRowsExact(stored, incoming);
}

function mergeRowsExact(stored: SeriesData, incoming: SeriesData): MergeResult {
  const specs = SERIES_COLUMNS[incoming.key.table];
  const sTs = stored.columns.ts as Float64Array;
  const nTs = incoming.columns.ts as Float64Array;
  const sIds = incoming.key.table === 'trades' ? (stored.columns.trade_id as (string | null)[]) : null;
  const nIds = incoming.key.table === 'trades' ? (incoming.columns.trade_id as (string | null)[]) : null;
  // Output as (source, row) pairs: source 0 = stored, 1 = incoming.
  const fromIncoming = new Uint8Array(stored.rows + incoming.rows);
  const rowIndex = new Int32Array(stored.rows + incoming.rows);
  let out = 0;
  let added = 0;
  let unchanged = 0;
  const conflicts: Rejection[] = [];
  let i = 0;
  let j = 0;
  while (i < stored.rows || j < incoming.rows) {
    if (j === incoming.rows || (i < stored.rows && sTs[i] < nTs[j])) {
      rowIndex[out++] = i++;
      continue;
    }
    if (i === stored.rows || nTs[j] < sTs[i]) {
      fromIncoming[out] = 1;
      rowIndex[out++] = j++;
      added++;
      continue;
    }
    const ts = sTs[i];
    let iEnd = i;
    while (iEnd < stored.rows && sTs[iEnd] === ts) rowIndex[out++] = iEnd++;
    for (; j < incoming.rows && nTs[j] === ts; j++) {
      let match = -1;
      for (let k = i; k < iEnd; k++) if (!nIds || nIds[j] === sIds![k]) match = k;
      if (match < 0) {
        fromIncoming[out] = 1;
        rowIndex[out++] = j;
        added++;
        continue;
      }
      const difference = firstDifference(specs, incoming.columns, j, stored.columns, match);
      if (difference === null) unchanged++;
      else {
        conflicts.push({
          source: incoming.source,
          line: incoming.lines[j],
          reason: `conflicts with the stored row at ${isoUtc(ts)}: ${difference.replace('(other', '(stored')}; stored row kept`,
        });
      }
    }
    i = iEnd;
  }
  if (added === 0) return { merged: stored, added, unchanged, conflicts };
  const columns: Record<string, ColumnData> = {};
  for (const spec of specs) {
    const s = stored.columns[spec.name];
    const n = incoming.columns[spec.name];
    if (spec.type === 'f64' || spec.type === 'i64') {
      const values = new Float64Array(out);
      const sv = s as Float64Array;
      const nv = n as Float64Array;
      for (let k = 0; k < out; k++) values[k] = fromIncoming[k] ? nv[rowIndex[k]] : sv[rowIndex[k]];
      columns[spec.name] = values;
    } else {
      const sv = s as unknown[];
      const nv = n as unknown[];
      const values = new Array(out);
      for (let k = 0; k < out; k++) values[k] = fromIncoming[k] ? nv[rowIndex[k]] : sv[rowIndex[k]];
      columns[spec.name] = values as ColumnData;
    }
  }
  const lines = new Int32Array(out);
  for (let k = 0; k < out; k++) lines[k] = fromIncoming[k] ? incoming.lines[rowIndex[k]] : 0;
  return { merged: { key: incoming.key, source: incoming.source, rows: out, columns, lines }, added, unchanged, conflicts };
}
