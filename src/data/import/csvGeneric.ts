import { readFile } from 'node:fs/promises';
import { parse as parseCsv } from 'csv-parse/sync';
import { DateTime } from 'luxon';
import { InputError, UsageError } from '../../core/errors.ts';
import { DAY_MS, timeframeToMs } from '../../core/time.ts';
import { instrumentFromSymbol, type Instrument } from '../../domain/instrument.ts';
import { BAR_TABLES, SERIES_COLUMNS, SERIES_TABLES, type SeriesTable } from '../../domain/series.ts';
import { parseSymbol } from '../../domain/symbol.ts';
import { DECIMAL_RE } from './decimal.ts';
import { deriveFundingInterval } from './fundingInterval.ts';
import { SeriesBuilder, type RowValue } from './seriesBuilder.ts';
import type { CsvMapping, FormatImporter, ImportOptions, ParsedSource, Rejection, SeriesData } from './types.ts';

const TIME_FORMATS: readonly CsvMapping['timeFormat'][] = ['ms', 's', 'us', 'ns', 'iso'];
const MAP_EXAMPLE = 'ts=open_time_ms:ms,open=perp_open,high=perp_high,low=perp_low,close=perp_close,volume=perp_volume';

/** Parses a --map spec such as 'ts=open_time_ms:ms,open=perp_open,close=perp_close' (the time entry is ts=COLUMN:FORMAT). */
export function parseCsvMappingSpec(spec: string, table: string, timeframe: string | null): CsvMapping {
  let timeColumn: string | null = null;
  let symbolColumn: string | null = null;
  let timeFormat: CsvMapping['timeFormat'] = 'ms';
  const columns: Record<string, string> = {};
  for (const entry of spec.split(',').map((e) => e.trim()).filter((e) => e !== '')) {
    const eq = entry.indexOf('=');
    const name = entry.slice(0, eq).trim();
    const value = entry.slice(eq + 1).trim();
    if (eq <= 0 || value === '') throw new UsageError(`--map: '${entry}' is not NAME=COLUMN (e.g. ${MAP_EXAMPLE})`);
    if (name === 'symbol') {
      if (symbolColumn !== null) throw new UsageError('--map: symbol is given twice');
      symbolColumn = value;
    } else if (name === 'ts') {
      const colon = value.lastIndexOf(':');
      const format = value.slice(colon + 1) as CsvMapping['timeFormat'];
      if (colon <= 0 || !TIME_FORMATS.includes(format)) {
        throw new UsageError(`--map: the time entry must be ts=COLUMN:FORMAT with FORMAT one of ${TIME_FORMATS.join(', ')} (got '${entry}')`);
      }
      if (timeColumn !== null) throw new UsageError('--map: ts is given twice');
      timeColumn = value.slice(0, colon);
      timeFormat = format;
    } else {
      if (name in columns) throw new UsageError(`--map: ${name} is given twice`);
      columns[name] = value;
    }
  }
  if (timeColumn === null) throw new UsageError(`--map: no time entry ts=COLUMN:FORMAT (e.g. ${MAP_EXAMPLE})`);
  const mapping: CsvMapping = { table: table as SeriesTable, timeframe, timeColumn, timeFormat, columns };
  if (symbolColumn !== null) mapping.symbolColumn = symbolColumn;
  checkMapping(mapping);
  return mapping;
}

/** Throws a UsageError when the mapping cannot describe rows of its table. */
function checkMapping(mapping: CsvMapping): void {
  const { table, timeframe, timeFormat, columns } = mapping;
  if (!SERIES_TABLES.includes(table)) throw new UsageError(`--table '${table}' is not one of ${SERIES_TABLES.join(', ')}`);
  const specs = SERIES_COLUMNS[table];
  if (specs.some((s) => s.type === 'f64list')) throw new UsageError(`--table ${table}: order-book levels cannot come from a flat CSV`);
  if (!TIME_FORMATS.includes(timeFormat)) throw new UsageError(`--map: time format '${timeFormat}' is not one of ${TIME_FORMATS.join(', ')}`);
  if (BAR_TABLES.has(table)) {
    if (!timeframe) throw new UsageError(`--table ${table} needs --timeframe (e.g. 1m, 8h)`);
    try {
      timeframeToMs(timeframe);
    } catch (error) {
      throw new UsageError(`--timeframe: ${(error as Error).message}`);
    }
  } else if (timeframe) {
    throw new UsageError(`--timeframe applies to bar tables only, not to ${table}`);
  }
  const known = specs.map((s) => s.name).filter((n) => n !== 'ts');
  const unknown = Object.keys(columns).filter((n) => !known.includes(n));
  if (unknown.length) throw new UsageError(`--map: ${unknown.join(', ')} not a column of ${table} (columns: ${known.join(', ')})`);
  const missing = specs.filter((s) => !s.nullable && s.name !== 'ts' && !(s.name in columns)).map((s) => s.name);
  if (missing.length) throw new UsageError(`--map: ${table} needs ${missing.join(', ')} (e.g. ${MAP_EXAMPLE})`);
}

export const csvImporter: FormatImporter = {
  id: 'csv',
  description: 'any CSV, with --map (column mapping), --venue, --symbol (or symbol=COLUMN in --map) and, for bars, --timeframe',
  detect: () => false,
  async parse(path: string, options: ImportOptions): Promise<ParsedSource> {
    const mapping = options.csvMapping;
    if (!mapping) throw new UsageError(`${path}: a generic CSV needs --map (e.g. --map '${MAP_EXAMPLE}')`);
    const venue = options.venue;
    if (!venue) throw new UsageError(`${path}: a generic CSV names no venue; pass --venue (e.g. --venue binance)`);
    if (!options.symbol && mapping.symbolColumn === undefined) {
      throw new UsageError(`${path}: a generic CSV names no symbol; pass --symbol (e.g. --symbol BTC/USDT:USDT) or map a symbol column (--map '...,symbol=COLUMN')`);
    }
    checkMapping(mapping);
    if (options.symbol) {
      try {
        instrumentFromSymbol(venue, options.symbol);
      } catch (error) {
        throw new UsageError(`--symbol: ${(error as Error).message}`);
      }
    }
    const zone = options.timezone === undefined ? null : parseZone(options.timezone);
    const timeframe = BAR_TABLES.has(mapping.table) ? mapping.timeframe : null;
    const builderOf = (symbol: string) => new SeriesBuilder({ table: mapping.table, venue, symbol, timeframe }, path);
    const reader = new CsvRowReader(path, mapping, zone, options.symbol ?? null, builderOf);
    forEachRecord(path, await readFile(path, 'utf8'), (fields, line) => reader.read(fields, line));
    if (!reader.sawHeader) throw new InputError({ source: path }, 'the file is empty (no header line)');
    const notes = reader.notes();
    const series: SeriesData[] = [];
    const instruments: Instrument[] = [];
    // With --symbol and no symbol column, the one series even when every row was rejected (as before).
    const builders = reader.builders.size === 0 && options.symbol ? [builderOf(options.symbol)] : [...reader.builders.values()];
    for (const builder of builders) {
      const data = builder.build();
      const instrument = instrumentFromSymbol(venue, data.key.symbol);
      if (mapping.table === 'funding' && !('interval_ms' in mapping.columns) && data.rows > 0) {
        const known = options.knownInstrument?.(venue, data.key.symbol)?.fundingIntervalMs ?? null;
        const { intervalMs, note } = deriveFundingInterval(data, known);
        notes.push(note);
        if (intervalMs !== null) instrument.fundingIntervalMs = intervalMs;
      }
      series.push(data);
      instruments.push(instrument);
    }
    if (mapping.symbolColumn !== undefined) notes.push(`rows routed by column ${mapping.symbolColumn}: ${series.map((d) => `${d.key.symbol} ${d.rows}`).join(', ') || 'no row'}`);
    return { source: path, format: 'csv', series, instruments, rejections: reader.rejections, rowsRead: reader.rowsRead, notes };
  },
};

/**
 * Calls `onRecord` with each non-empty record and its 1-based line. Text without quotes is split
 * directly (10x faster than csv-parse and identical for quote-free CSV); anything else goes
 * through csv-parse, whose line is where a record ends.
 */
function forEachRecord(path: string, text: string, onRecord: (fields: string[], line: number) => void): void {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (!body.includes('"') && !/\r(?!\n)/.test(body)) {
    const lines = body.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i].endsWith('\r') ? lines[i].slice(0, -1) : lines[i];
      if (line !== '') onRecord(line.split(','), i + 1);
    }
    return;
  }
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parseCsv(body, { relax_column_count: true, skip_empty_lines: true, info: true }) as unknown as typeof records;
  } catch (error) {
    const line = (error as { lines?: number }).lines;
    throw new InputError({ source: path, line }, `malformed CSV: ${(error as Error).message}`);
  }
  for (const { record, info } of records) onRecord(record, info.lines);
}

interface FieldSpec {
  name: string;
  csvName: string;
  index: number;
  numeric: boolean;
}

class CsvRowReader {
  readonly rejections: Rejection[] = [];
  /** One series per symbol, in the order the symbols first appear. */
  readonly builders = new Map<string, SeriesBuilder>();
  rowsRead = 0;
  sawHeader = false;
  private fields: FieldSpec[] = [];
  private timeIndex = -1;
  private symbolIndex = -1;
  private headerLength = 0;
  private truncatedSubMs = 0;
  private convertedLocal = 0;

  constructor(
    private readonly path: string,
    private readonly mapping: CsvMapping,
    private readonly zone: Zone | null,
    /** --symbol: the only symbol rows may have (null: any, from the symbol column). */
    private readonly symbol: string | null,
    private readonly newBuilder: (symbol: string) => SeriesBuilder,
  ) {}

  private builderFor(symbol: string): SeriesBuilder {
    let builder = this.builders.get(symbol);
    if (!builder) this.builders.set(symbol, (builder = this.newBuilder(symbol)));
    return builder;
  }

  /** The row's symbol, or why it cannot be taken (not a unified symbol, or not --symbol). */
  private rowSymbol(record: string[]): { symbol: string } | { reason: string } {
    if (this.symbolIndex < 0) return { symbol: this.symbol! };
    const text = record[this.symbolIndex].trim();
    const column = `column ${this.mapping.symbolColumn} (symbol)`;
    try {
      parseSymbol(text);
    } catch (error) {
      return { reason: `${column}: ${(error as Error).message}` };
    }
    if (this.symbol !== null && text !== this.symbol) return { reason: `${column}: '${text}' disagrees with --symbol ${this.symbol}` };
    return { symbol: text };
  }

  read(record: string[], line: number): void {
    if (!this.sawHeader) return this.header(record, line);
    this.rowsRead++;
    const reason = this.row(record, line);
    if (reason !== null) this.rejections.push({ source: this.path, line, reason });
  }

  notes(): string[] {
    const notes: string[] = [];
    if (this.truncatedSubMs) notes.push(`${this.truncatedSubMs} times had sub-millisecond parts, truncated to ms`);
    if (this.convertedLocal) notes.push(`${this.convertedLocal} times without zone read as ${this.zone!.name} and converted to UTC`);
    return notes;
  }

  private header(record: string[], line: number): void {
    this.sawHeader = true;
    const names = record.map((n) => n.trim());
    this.headerLength = names.length;
    const indexOf = (csvName: string) => {
      const index = names.indexOf(csvName);
      if (index < 0) throw new InputError({ source: this.path, line }, `column '${csvName}' is not in the header (columns: ${names.join(', ')})`);
      if (names.indexOf(csvName, index + 1) >= 0) throw new InputError({ source: this.path, line }, `column '${csvName}' appears twice in the header`);
      return index;
    };
    this.timeIndex = indexOf(this.mapping.timeColumn);
    if (this.mapping.symbolColumn !== undefined) this.symbolIndex = indexOf(this.mapping.symbolColumn);
    const specs = SERIES_COLUMNS[this.mapping.table];
    this.fields = Object.entries(this.mapping.columns).map(([name, csvName]) => ({
      name,
      csvName,
      index: indexOf(csvName),
      numeric: specs.find((s) => s.name === name)!.type !== 'string',
    }));
  }

  /** Adds the row, or returns why it cannot be read. */
  private row(record: string[], line: number): string | null {
    if (record.length !== this.headerLength) return `has ${record.length} fields, the header has ${this.headerLength}`;
    const routed = this.rowSymbol(record);
    if ('reason' in routed) return routed.reason;
    const timeText = record[this.timeIndex].trim();
    const ts = this.time(timeText, line);
    if (typeof ts === 'string') return `column ${this.mapping.timeColumn} (ts): ${ts}`;
    const row: Record<string, RowValue> = { ts };
    for (const field of this.fields) {
      const text = record[field.index].trim();
      if (!field.numeric) {
        row[field.name] = text === '' ? null : text;
        continue;
      }
      const value = parseNumber(text);
      if (value === null) return `column ${field.csvName} (${field.name}): '${text}' is not a number`;
      row[field.name] = value;
    }
    this.builderFor(routed.symbol).push(line, row);
    return null;
  }

  /** Epoch ms, or why the text is not a time. */
  private time(text: string, line: number): number | string {
    const format = this.mapping.timeFormat;
    const notATime = `'${text}' is not a time in format ${format}`;
    if (format !== 'iso') {
      const scaled = decimalToMs(text, SHIFT_TO_MS[format]);
      if (scaled === null) return notATime;
      if (scaled.truncated) this.truncatedSubMs++;
      return scaled.ms;
    }
    const iso = parseIsoFields(text);
    if (iso === null) return notATime;
    if (iso.truncated) this.truncatedSubMs++;
    if (iso.offsetMs !== null) return iso.wallMs - iso.offsetMs;
    if (this.zone === null) {
      throw new InputError(
        { source: this.path, line },
        `time '${text}' has no zone (Z or +HH:MM); pass --timezone (e.g. --timezone UTC or Europe/London) to say how to read it`,
      );
    }
    const ms = this.zone.toUtcMs(iso.wallMs);
    if (ms === null) return `'${text}' does not exist or is ambiguous in ${this.zone.name} (clock change)`;
    this.convertedLocal++;
    return ms;
  }
}

const NULL_TEXTS = new Set(['', 'NaN', 'nan', 'NAN', 'null', 'NULL', 'None']);

/** A number, NaN for an empty or null marker (validation decides whether null is allowed), null when unreadable. */
function parseNumber(text: string): number | null {
  if (NULL_TEXTS.has(text)) return Number.NaN;
  return DECIMAL_RE.test(text) ? Number(text) : null;
}

/** Decimal places to move the point to get ms. */
const SHIFT_TO_MS: Record<Exclude<CsvMapping['timeFormat'], 'iso'>, number> = { s: 3, ms: 0, us: -3, ns: -6 };
const PLAIN_DECIMAL_RE = /^(-?)(\d+)(?:\.(\d*))?$/;

/**
 * Epoch text in some unit to integer ms, flooring sub-ms parts. Plain decimals are shifted as text
 * so that 19-digit ns values (beyond 2^53) and decimal seconds stay exact.
 */
function decimalToMs(text: string, shift: number): { ms: number; truncated: boolean } | null {
  const match = PLAIN_DECIMAL_RE.exec(text);
  if (!match) {
    if (!DECIMAL_RE.test(text)) return null;
    const value = shift >= 0 ? Number(text) * 10 ** shift : Number(text) / 10 ** -shift;
    return Number.isFinite(value) ? { ms: Math.floor(value), truncated: !Number.isInteger(value) } : null;
  }
  const [, sign, whole, fraction = ''] = match;
  const digits = whole + fraction.padEnd(Math.max(0, shift), '0');
  const pointAt = whole.length + shift;
  const intPart = pointAt <= 0 ? '0' : digits.slice(0, pointAt);
  const truncated = /[1-9]/.test(digits.slice(Math.max(0, pointAt)));
  const magnitude = Number(intPart);
  const ms = sign === '-' ? -magnitude - (truncated ? 1 : 0) : magnitude;
  return Number.isSafeInteger(ms) ? { ms, truncated } : null;
}

const ISO_RE = /^(\d{4})-(\d\d)-(\d\d)(?:[T ](\d\d):(\d\d)(?::(\d\d)(?:[.,](\d+))?)?)?\s*(Z|[+-]\d\d(?::?\d\d)?)?$/i;

/** An ISO-8601 date/time as wall-clock ms (as if UTC) and its offset when written; null when invalid. */
function parseIsoFields(text: string): { wallMs: number; offsetMs: number | null; truncated: boolean } | null {
  const m = ISO_RE.exec(text);
  if (!m) return null;
  const [year, month, day, hour = 0, minute = 0, second = 0] = m.slice(1, 7).map((v) => (v === undefined ? 0 : Number(v)));
  const fraction = m[7] ?? '';
  if (month < 1 || month > 12 || day < 1 || day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  const wallMs = Date.UTC(year, month - 1, day, hour, minute, second, Number(fraction.slice(0, 3).padEnd(3, '0')));
  const offsetMs = m[8] === undefined ? null : parseOffsetMs(m[8]);
  return { wallMs, offsetMs, truncated: /[1-9]/.test(fraction.slice(3)) };
}

function parseOffsetMs(text: string): number {
  if (text.toUpperCase() === 'Z') return 0;
  const sign = text[0] === '-' ? -1 : 1;
  const digits = text.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || '0')) * 60_000;
}

interface Zone {
  name: string;
  /** Wall-clock ms (read as if UTC) in this zone to epoch ms. */
  toUtcMs(wallMs: number): number | null;
}

/** --timezone: 'UTC', a fixed offset ('+03:00', 'UTC+3'), or an IANA name ('Europe/London'). */
function parseZone(text: string): Zone {
  const name = text.trim();
  const fixed = /^(?:Z|UTC|GMT)$/i.test(name) ? 0 : /^(?:UTC|GMT)?[+-]\d\d(?::?\d\d)?$/i.test(name) ? parseOffsetMs(name.replace(/^(UTC|GMT)/i, '')) : null;
  if (fixed !== null) return { name, toUtcMs: (wallMs) => wallMs - fixed };
  if (!DateTime.now().setZone(name).isValid) throw new UsageError(`--timezone '${name}' is not an IANA zone or a UTC offset (e.g. UTC, +03:00, Europe/London)`);
  const offsetMsAt = (ms: number) => DateTime.fromMillis(ms, { zone: name }).offset * 60_000;
  return {
    name,
    // A wall time maps to one instant, none (skipped by a clock change) or two (repeated): only one is taken.
    toUtcMs(wallMs) {
      const candidates = new Set([wallMs - DAY_MS, wallMs, wallMs + DAY_MS].map((near) => wallMs - offsetMsAt(near)));
      const instants = [...candidates].filter((ms) => ms + offsetMsAt(ms) === wallMs);
      return instants.length === 1 ? instants[0] : null;
    },
  };
}
