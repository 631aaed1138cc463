import duckdb from '@duckdb/node-bindings';
import { DOUBLE, LIST, VARCHAR, DuckDBDataChunk, listValue, type DuckDBType, type DuckDBVector } from '@duckdb/node-api';
import { SERIES_COLUMNS, type ColumnSpec, type SeriesKey } from '../../domain/series.ts';
import type { ColumnData, SeriesData } from '../import/types.ts';
import { duckConnection, sqlIdent, sqlString } from './duck.ts';

const CHUNK_ROWS = 2048;
// Row groups of 32k rows (about three weeks of 1m bars) write twice as fast as the default and let
// readers skip row groups by their ts statistics; zstd keeps files at a third of the raw size.
const ROW_GROUP_ROWS = 32_768;
let stagingCounter = 0;

function stagingType(spec: ColumnSpec): DuckDBType {
  if (spec.type === 'string') return VARCHAR;
  if (spec.type === 'f64list') return LIST(DOUBLE);
  return DOUBLE;
}

/** Where the rows of one partition go: rows with fromMs <= ts < toMs, to the file at path. */
export interface PartitionTarget {
  fromMs: number;
  toMs: number;
  path: string;
}

/**
 * Writes a series (ts order) to Parquet files (zstd), one per target time range.
 * Numbers go through an in-memory staging table, filled once chunk by chunk with the appender;
 * i64 columns are staged as DOUBLE (exact for integer ms) and cast on the way out.
 */
export async function writePartitions(series: SeriesData, targets: readonly PartitionTarget[]): Promise<void> {
  const connection = await duckConnection();
  const specs = SERIES_COLUMNS[series.key.table];
  const table = `staging_${process.pid}_${stagingCounter++}`;
  await connection.run(`CREATE TEMP TABLE ${table} (${specs.map((s) => `${sqlIdent(s.name)} ${stagingType(s).toString()}`).join(', ')})`);
  try {
    const appender = await connection.createAppender(table, 'main', 'temp');
    const types = specs.map(stagingType);
    for (let offset = 0; offset < series.rows; offset += CHUNK_ROWS) {
      const n = Math.min(CHUNK_ROWS, series.rows - offset);
      const chunk = DuckDBDataChunk.create(types, n);
      specs.forEach((spec, k) => fillVector(chunk, k, spec, series.columns[spec.name], offset, n));
      appender.appendDataChunk(chunk);
    }
    appender.closeSync();
    const select = specs.map((s) => (s.type === 'i64' ? `${sqlIdent(s.name)}::BIGINT AS ${sqlIdent(s.name)}` : sqlIdent(s.name))).join(', ');
    for (const target of targets) {
      // DuckDB keeps insertion order (preserve_insertion_order), so the rows stay in ts order.
      const where = `ts >= ${target.fromMs} AND ts < ${target.toMs}`;
      await connection.run(`COPY (SELECT ${select} FROM ${table} WHERE ${where}) TO ${sqlString(target.path)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE ${ROW_GROUP_ROWS})`);
    }
  } finally {
    await connection.run(`DROP TABLE IF EXISTS ${table}`);
  }
}

function fillVector(chunk: DuckDBDataChunk, k: number, spec: ColumnSpec, column: ColumnData, offset: number, n: number): void {
  if (spec.type === 'f64' || spec.type === 'i64') {
    // One native copy of the doubles into the chunk's vector: ~10x faster than setting value by value.
    const values = column as Float64Array;
    const vector = duckdb.data_chunk_get_vector(chunk.chunk, k);
    duckdb.copy_data_to_vector(vector, 0, values.buffer as ArrayBuffer, values.byteOffset + offset * 8, n * 8);
    let validity: Uint8Array | null = null;
    for (let i = 0; i < n; i++) {
      if (!Number.isNaN(values[offset + i])) continue;
      validity ??= new Uint8Array(Math.ceil(n / 64) * 8).fill(0xff);
      validity[i >> 3] &= ~(1 << (i & 7));
    }
    if (validity) {
      duckdb.vector_ensure_validity_writable(vector);
      duckdb.copy_data_to_vector_validity(vector, 0, validity.buffer as ArrayBuffer, 0, validity.byteLength);
    }
  } else if (spec.type === 'string') {
    chunk.setColumnValues(k, (column as (string | null)[]).slice(offset, offset + n));
  } else {
    chunk.setColumnValues(k, (column as Float64Array[]).slice(offset, offset + n).map((levels) => listValue(Array.from(levels))));
  }
}

/** Reads Parquet files of one series into columnar form (rows in ts order), optionally limited to the half-open [fromMs, toMs). */
export async function readPartitions(key: SeriesKey, paths: string[], fromMs?: number, toMs?: number): Promise<SeriesData> {
  const where: string[] = [];
  if (fromMs !== undefined) where.push(`ts >= ${Math.ceil(fromMs)}`);
  if (toMs !== undefined) where.push(`ts < ${Math.ceil(toMs)}`);
  const data = await readSeriesQuery(key, paths, `${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY ts`);
  return { ...data, lines: new Int32Array(data.rows) };
}

/**
 * Reads one Parquet file of a series as it is stored, in file order (not sorted: `data check`
 * verifies the order). `lines` holds each row's 1-based position in the file.
 */
export async function readPartitionFile(key: SeriesKey, path: string): Promise<SeriesData> {
  const data = await readSeriesQuery(key, [path], '');
  return { ...data, lines: Int32Array.from({ length: data.rows }, (_, i) => i + 1) };
}

/**
 * Many files of ONE table in one query (each query costs ~1.5 ms of DuckDB overhead), each as
 * readPartitionFile gives it: in file order, `lines` the row's position in its file. A file that
 * cannot be read fails the whole call.
 */
export async function readPartitionFiles(files: readonly { key: SeriesKey; path: string }[]): Promise<SeriesData[]> {
  if (files.length === 0) return [];
  const table = files[0].key.table;
  if (files.some((f) => f.key.table !== table)) throw new Error('readPartitionFiles: every file must be of one table');
  const specs = SERIES_COLUMNS[table];
  const select = specs.map((s) => (s.type === 'i64' ? `p.${sqlIdent(s.name)}::DOUBLE AS ${sqlIdent(s.name)}` : `p.${sqlIdent(s.name)}`)).join(', ');
  const wanted = files.map((f, fid) => `(${sqlString(f.path)}, ${fid})`);
  const paths = [...new Set(files.map((f) => f.path))];
  const sql =
    `WITH wanted(file, fid) AS (VALUES ${wanted.join(', ')}) ` +
    `SELECT ${select}, w.fid AS __fid FROM read_parquet([${paths.map(sqlString).join(', ')}], filename = true, file_row_number = true) p ` +
    `JOIN wanted w ON p.filename = w.file ORDER BY w.fid, p.file_row_number`;
  const { chunks, rows } = await queryChunks(sql);
  const fids = readColumn({ name: '__fid', type: 'f64', nullable: false, check: 'none' }, chunks, specs.length, rows) as Float64Array;
  const all: Record<string, ColumnData> = {};
  specs.forEach((spec, k) => {
    all[spec.name] = readColumn(spec, chunks, k, rows);
  });
  let start = 0;
  return files.map((f, fid) => {
    let end = start;
    while (end < rows && fids[end] === fid) end++;
    const columns: Record<string, ColumnData> = {};
    for (const spec of specs) columns[spec.name] = all[spec.name].slice(start, end) as ColumnData;
    const data = { key: f.key, source: f.path, rows: end - start, columns, lines: Int32Array.from({ length: end - start }, (_, i) => i + 1) };
    start = end;
    return data;
  });
}

async function readSeriesQuery(key: SeriesKey, paths: string[], tail: string): Promise<Omit<SeriesData, 'lines'>> {
  const specs = SERIES_COLUMNS[key.table];
  const select = specs
    .map((s) => (s.type === 'i64' ? `${sqlIdent(s.name)}::DOUBLE AS ${sqlIdent(s.name)}` : sqlIdent(s.name)))
    .join(', ');
  const { chunks, rows } = await queryChunks(`SELECT ${select} FROM read_parquet([${paths.map(sqlString).join(', ')}])${tail}`);
  const columns: Record<string, ColumnData> = {};
  specs.forEach((spec, k) => {
    columns[spec.name] = readColumn(spec, chunks, k, rows);
  });
  return { key, source: paths.join(', '), rows, columns };
}

/** One series for readLastRows: its partition files and the end of the range wanted (exclusive). */
export interface LastRowsRequest {
  key: SeriesKey;
  paths: string[];
  beforeMs: number;
}

/**
 * The last `count` rows with ts < beforeMs of many series of ONE table, in one query (a query per
 * series costs ~15 ms of DuckDB overhead; this costs about one). Results follow the requests' order;
 * a series with no such row comes back with 0 rows.
 */
export async function readLastRows(requests: readonly LastRowsRequest[], count: number): Promise<SeriesData[]> {
  if (requests.length === 0) return [];
  const table = requests[0].key.table;
  if (requests.some((r) => r.key.table !== table)) throw new Error('readLastRows: every request must be of one table');
  if (!(Number.isInteger(count) && count >= 1)) throw new Error(`readLastRows: count must be an integer >= 1 (got ${count})`);
  const specs = SERIES_COLUMNS[table];
  const select = specs.map((s) => (s.type === 'i64' ? `p.${sqlIdent(s.name)}::DOUBLE AS ${sqlIdent(s.name)}` : `p.${sqlIdent(s.name)}`)).join(', ');
  const wanted = requests.flatMap((r, sid) => r.paths.map((path) => `(${sqlString(path)}, ${sid}, ${Math.ceil(r.beforeMs)})`));
  const files = [...new Set(requests.flatMap((r) => r.paths))];
  if (files.length === 0) return requests.map((r) => emptySeries(r.key, specs));
  const sql =
    `WITH wanted(file, sid, before_ms) AS (VALUES ${wanted.join(', ')}) ` +
    `SELECT ${select}, w.sid AS __sid FROM read_parquet([${files.map(sqlString).join(', ')}], filename = true) p ` +
    `JOIN wanted w ON p.filename = w.file WHERE p.ts < w.before_ms ` +
    `QUALIFY row_number() OVER (PARTITION BY w.sid ORDER BY p.ts DESC) <= ${count} ORDER BY __sid, p.ts`;
  const { chunks, rows } = await queryChunks(sql);
  const sids = readColumn({ name: '__sid', type: 'f64', nullable: false, check: 'none' }, chunks, specs.length, rows) as Float64Array;
  const all: Record<string, ColumnData> = {};
  specs.forEach((spec, k) => {
    all[spec.name] = readColumn(spec, chunks, k, rows);
  });
  return requests.map((r, sid) => {
    let start = 0;
    while (start < rows && sids[start] < sid) start++;
    let end = start;
    while (end < rows && sids[end] === sid) end++;
    const columns: Record<string, ColumnData> = {};
    for (const spec of specs) columns[spec.name] = all[spec.name].slice(start, end) as ColumnData;
    return { key: r.key, source: r.paths.join(', '), rows: end - start, columns, lines: new Int32Array(end - start) };
  });
}

function emptySeries(key: SeriesKey, specs: readonly ColumnSpec[]): SeriesData {
  const columns: Record<string, ColumnData> = {};
  for (const spec of specs) columns[spec.name] = (spec.type === 'f64' || spec.type === 'i64' ? new Float64Array(0) : []) as ColumnData;
  return { key, source: '', rows: 0, columns, lines: new Int32Array(0) };
}

function readColumn(spec: ColumnSpec, chunks: DuckDBDataChunk[], k: number, rows: number): ColumnData {
  if (spec.type === 'f64' || spec.type === 'i64') {
    const out = new Float64Array(rows);
    let j = 0;
    for (const chunk of chunks) {
      const vector = chunk.getColumnVector(k) as DuckDBVector<number>;
      // rowCount is a native call: read it once per chunk, not once per row.
      const n = chunk.rowCount;
      for (let i = 0; i < n; i++) out[j++] = vector.getItem(i) ?? Number.NaN;
    }
    return out;
  }
  const out: unknown[] = [];
  for (const chunk of chunks) {
    const vector = chunk.getColumnVector(k);
    const n = chunk.rowCount;
    for (let i = 0; i < n; i++) {
      const item = vector.getItem(i);
      if (spec.type === 'string') out.push(item as string | null);
      else out.push(Float64Array.from(((item as { items: number[] } | null)?.items ?? []) as number[]));
    }
  }
  return out as ColumnData;
}

/** Runs a query and collects every result chunk (the rows of one read, in order). */
async function queryChunks(sql: string): Promise<{ chunks: DuckDBDataChunk[]; rows: number }> {
  const connection = await duckConnection();
  const result = await connection.run(sql);
  const chunks: DuckDBDataChunk[] = [];
  let rows = 0;
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    chunks.push(chunk);
    rows += chunk.rowCount;
  }
  return { chunks, rows };
}
