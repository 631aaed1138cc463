import { writeFileAtomic } from '../../data/store/atomicWrite.ts';
import { physicalColumns, type Cell, type ExportTable, type PhysicalColumn } from './table.ts';

/**
 * CSV (RFC 4180): a header row, comma-separated, `\n` line ends; a field with a comma, quote or line
 * break is quoted and its quotes doubled. Empty field: no value. Timestamps: ISO-8601 UTC
 * (`2024-01-01T00:00:00.000Z`) and, in the `...Ms` column, epoch ms. Numbers in JavaScript's
 * shortest round-trip form (`0.1`, `1e-7`).
 */

const NEEDS_QUOTES = /[",\r\n]/;

export function csvField(text: string): string {
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function formatCell(column: PhysicalColumn, value: Cell): string {
  if (value === null) return '';
  if (column.kind === 'timestamp') return new Date(value as number).toISOString();
  if (column.kind === 'text') return csvField(String(value));
  return String(value);
}

export function tableToCsv(table: ExportTable): string {
  const columns = physicalColumns(table);
  const lines = [columns.map((c) => csvField(c.name)).join(',')];
  for (const row of table.rows) lines.push(columns.map((c) => formatCell(c, row[c.source])).join(','));
  return `${lines.join('\n')}\n`;
}

export function writeCsvTable(path: string, table: ExportTable): void {
  writeFileAtomic(path, tableToCsv(table));
}
