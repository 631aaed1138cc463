import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';

let connectionPromise: Promise<DuckDBConnection> | null = null;

/** The process-wide in-memory DuckDB connection the store uses to read and write Parquet. */
export function duckConnection(): Promise<DuckDBConnection> {
  connectionPromise ??= DuckDBInstance.create(':memory:').then((instance) => instance.connect());
  return connectionPromise;
}

/** Quotes a file path as a SQL string literal. */
export function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

export function sqlIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
