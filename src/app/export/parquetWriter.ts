import { renameSync, rmSync } from 'node:fs';
import { BIGINT, BOOLEAN, DOUBLE, DuckDBDataChunk, VARCHAR, type DuckDBType, type DuckDBValue } from '@duckdb/node-api';
import { duckConnection, sqlIdent, sqlString } from '../../data/store/duck.ts';
import type { ColumnKind, ExportTable } from './table.ts';

/**
 * Parquet (zstd) through the store's DuckDB: the rows go into a temporary table chunk by chunk
 * (appender), then COPY writes the file. Column types: text VARCHAR, float DOUBLE, int BIGINT, bool
 * BOOLEAN; a 'time' column becomes `<name>` TIMESTAMP WITH TIME ZONE (UTC, isAdjustedToUTC) and
 * `<name>Ms` BIGINT epoch ms. The file appears whole or not at all (written beside it, then renamed).
 */

const CHUNK_ROWS = 2048;
let stagingCounter = 0;

const STAGED: Record<ColumnKind, DuckDBType> = { text: VARCHAR, float: DOUBLE, int: BIGINT, bool: BOOLEAN, time: BIGINT };

function staged(kind: ColumnKind, value: DuckDBValue): DuckDBValue {
  if (value === null) return null;
  return kind === 'int' || kind === 'time' ? BigInt(Math.round(value as number)) : value;
}

export async function writeParquetTable(path: string, table: ExportTable): Promise<void> {
  const connection = await duckConnection();
  const name = `export_${process.pid}_${stagingCounter++}`;
  const columns = table.columns.map((c, k) => ({ ...c, staged: `c${k}` }));
  await connection.run(`CREATE TEMP TABLE ${name} (${columns.map((c) => `${c.staged} ${STAGED[c.kind].toString()}`).join(', ')})`);
  const temp = `${path}.${process.pid}.tmp`;
  try {
    if (table.rows.length > 0) {
      const appender = await connection.createAppender(name, 'main', 'temp');
      const types = columns.map((c) => STAGED[c.kind]);
      for (let offset = 0; offset < table.rows.length; offset += CHUNK_ROWS) {
        const rows = table.rows.slice(offset, offset + CHUNK_ROWS);
        const chunk = DuckDBDataChunk.create(types, rows.length);
        columns.forEach((c, k) => chunk.setColumnValues(k, rows.map((r) => staged(c.kind, r[k]))));
        appender.appendDataChunk(chunk);
      }
      appender.closeSync();
    }
    const select = columns.flatMap((c) =>
      c.kind === 'time' ? [`make_timestamptz(${c.staged} * 1000) AS ${sqlIdent(c.name)}`, `${c.staged} AS ${sqlIdent(`${c.name}Ms`)}`] : [`${c.staged} AS ${sqlIdent(c.name)}`],
    );
    // DuckDB keeps insertion order (preserve_insertion_order): rows stay as given.
    await connection.run(`COPY (SELECT ${select.join(', ')} FROM ${name}) TO ${sqlString(temp)} (FORMAT parquet, COMPRESSION zstd)`);
    renameSync(temp, path);
  } finally {
    rmSync(temp, { force: true });
    await connection.run(`DROP TABLE IF EXISTS ${name}`);
  }
}
