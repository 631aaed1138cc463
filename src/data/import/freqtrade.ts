import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { compressionRegistry, CompressionType, DataType, Precision, RecordBatchFileReader, Table, TimeUnit, type RecordBatch } from 'apache-arrow';
import * as lz4 from 'lz4js';
import { InputError } from '../../core/errors.ts';
import { guardFlatbufferVectors } from './flatbufferGuard.ts';
import { decompressLz4Frame } from './lz4Frame.ts';
import { timeframeToMs } from '../../core/time.ts';
import { instrumentFromSymbol } from '../../domain/instrument.ts';
import type { SeriesKey, SeriesTable } from '../../domain/series.ts';
import { formatSymbol } from '../../domain/symbol.ts';
import { seriesFromColumns } from './seriesBuilder.ts';
import type { ColumnData, FormatImporter, ImportOptions, ParsedSource } from './types.ts';
import { resolveVenue } from './venueFromPath.ts';

// freqtrade writes Feather (Arrow IPC file) with LZ4_FRAME-compressed record batches.
compressionRegistry.set(CompressionType.LZ4_FRAME, { encode: (b) => lz4.compress(b), decode: decompressLz4Frame });
guardFlatbufferVectors();

const ARROW_MAGIC = 'ARROW1';
const NAME_PATTERN = 'PAIR-TIMEFRAME[-CANDLETYPE].feather, e.g. BTC_USDT-1m.feather, BTC_USDT_USDT-1m-futures.feather, '
  + 'BTC_USDT_USDT-8h-funding_rate.feather, BTC_USDT_USDT-8h-mark.feather, BTC_USDT_USDT-250926-1h-futures.feather';
// freqtrade's pair_to_filename turns '/' and ':' into '_' and keeps the '-' before a dated future's expiry.
const NAME_RE = /^([A-Za-z0-9]+(?:_[A-Za-z0-9]+)+?)(?:-(\d{6}))?-(\d+[A-Za-z]{1,2})(?:-([A-Za-z_]*))?\.feather$/;

type CandleType = 'spot' | 'futures' | 'mark' | 'index' | 'funding_rate';
const CANDLE_TABLES: Record<CandleType, SeriesTable> = {
  spot: 'bars',
  futures: 'bars',
  mark: 'mark_bars',
  index: 'index_bars',
  funding_rate: 'funding',
};

export interface FreqtradeFileName {
  symbol: string;
  timeframe: string;
  timeframeMs: number;
  candleType: CandleType;
  table: SeriesTable;
}

/** Reads pair, timeframe and candle type from a freqtrade data file name; throws InputError naming the file otherwise. */
export function parseFreqtradeFileName(path: string): FreqtradeFileName {
  const name = basename(path);
  const fail = (why: string): never => {
    throw new InputError({ source: path }, `${why}; expected freqtrade's naming ${NAME_PATTERN}`);
  };
  if (/-trades\.feather$/.test(name)) fail('freqtrade trades files are not supported (only candles, mark, index and funding_rate)');
  const match = NAME_RE.exec(name);
  if (!match) return fail(`file name '${name}' does not follow the convention`);
  const [, pair, expiryCode, timeframe, suffix] = match;
  const candleType = suffix === undefined || suffix === '' ? 'spot' : suffix;
  if (candleType === 'premiumIndex') fail('premium-index candles have no table in perp-arb');
  if (!Object.hasOwn(CANDLE_TABLES, candleType)) fail(`unknown candle type '${candleType}'`);
  let timeframeMs = 0;
  try {
    timeframeMs = timeframeToMs(timeframe);
  } catch {
    fail(`timeframe '${timeframe}' is not supported (use s, m, h, d or w)`);
  }
  const assets = pair.toUpperCase().split('_');
  const spot = candleType === 'spot';
  if (spot && (assets.length !== 2 || expiryCode)) fail(`spot pair '${pair}' must be BASE_QUOTE`);
  if (!spot && assets.length !== 3) fail(`derivative pair '${pair}' must be BASE_QUOTE_SETTLE`);
  const symbol = formatSymbol({ base: assets[0], quote: assets[1], settle: assets[2] ?? null, expiryCode: expiryCode ?? null });
  return { symbol, timeframe, timeframeMs, candleType: candleType as CandleType, table: CANDLE_TABLES[candleType as CandleType] };
}

export const freqtradeImporter: FormatImporter = {
  id: 'freqtrade',
  description: 'freqtrade Feather candles, mark/index candles and funding rates (Arrow IPC, LZ4)',
  // By name alone: a .feather file that is not Arrow (truncated to nothing, forged) must fail as a
  // damaged freqtrade file, not be skipped as some other kind of file.
  detect(path: string): boolean {
    return path.toLowerCase().endsWith('.feather');
  },
  async parse(path: string, options: ImportOptions): Promise<ParsedSource> {
    const file = parseFreqtradeFileName(path);
    const { venue, note } = resolveVenue(path, options.venue);
    const notes = note ? [note] : [];
    const table = readArrowFile(path, await readFile(path));
    const rows = table.numRows;
    const { ts, subMsCount } = timestampColumnMs(path, table, 'date', options);
    if (subMsCount > 0) notes.push(`${subMsCount} timestamps had sub-millisecond parts, truncated to ms`);

    const columns: Record<string, ColumnData> = { ts };
    let timeframe: string | null = file.timeframe;
    if (file.table === 'funding') {
      timeframe = null;
      columns.rate = numericColumn(path, table, 'open', rows);
      columns.interval_ms = new Float64Array(rows).fill(file.timeframeMs);
      const offGrid = ts.reduce((n, t) => (t % file.timeframeMs === 0 ? n : n + 1), 0);
      if (offGrid > 0) notes.push(`${offGrid} of ${rows} funding times are not exactly on the ${file.timeframe} boundary (kept as published)`);
    } else {
      for (const name of ['open', 'high', 'low', 'close']) columns[name] = numericColumn(path, table, name, rows);
      // Mark and index candles have no traded volume; freqtrade stores 0 there, which is not a measurement.
      if (file.table === 'bars') columns.volume = numericColumn(path, table, 'volume', rows);
    }
    const key: SeriesKey = { table: file.table, venue, symbol: file.symbol, timeframe };
    const instrument = instrumentFromSymbol(venue, file.symbol);
    if (file.table === 'funding') instrument.fundingIntervalMs = file.timeframeMs;
    return {
      source: path,
      format: 'freqtrade',
      series: [seriesFromColumns(key, path, columns, rows)],
      instruments: [instrument],
      rejections: [],
      rowsRead: rows,
      notes,
    };
  },
};

const EXPECTED_FEATHER = "expected freqtrade's Feather v2 (an Arrow IPC file of LZ4-compressed record batches, starting and ending with ARROW1)";

/**
 * Reads a Feather v2 file batch by batch from its footer, never through tableFromIPC: apache-arrow's
 * sequential file reader loops forever when a footer block points at a message that is not a record
 * batch (a forged or shifted file), while readRecordBatch reads each block once.
 */
function readArrowFile(path: string, bytes: Uint8Array): Table {
  const magic = (at: number) => Buffer.from(bytes.buffer, bytes.byteOffset + at, 6).toString('latin1');
  if (bytes.length < 6 || magic(0) !== ARROW_MAGIC) {
    const start = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(8, bytes.length)).toString('hex').replace(/(..)(?!$)/g, '$1 ');
    throw new InputError({ source: path }, `not an Arrow IPC (Feather v2) file: it starts with bytes ${start || '(none: empty file)'}; ${EXPECTED_FEATHER}`);
  }
  if (bytes.length < 12 || magic(bytes.length - 6) !== ARROW_MAGIC) {
    throw new InputError({ source: path }, `Feather file is truncated: ARROW1 magic missing at the end (${bytes.length} bytes); ${EXPECTED_FEATHER}`);
  }
  const malformed = (what: string) => new InputError({ source: path }, `malformed Arrow IPC (Feather v2) file: ${what} (damaged or not written by freqtrade?); ${EXPECTED_FEATHER}`);
  const footerLength = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).readInt32LE(bytes.length - 10);
  if (footerLength <= 0 || footerLength > bytes.length - 18) throw malformed(`footer length ${footerLength} does not fit the ${bytes.length}-byte file`);
  try {
    const reader = RecordBatchFileReader.from(bytes);
    reader.open();
    const count = reader.numRecordBatches;
    const batches: RecordBatch[] = [];
    for (let i = 0; i < count; i++) {
      const batch = reader.readRecordBatch(i) as RecordBatch | null; // sync: the source is bytes in memory
      if (!batch) throw malformed(`record batch ${i + 1} of ${count} is not where the footer says`);
      checkBatchLengths(batch, i, count, malformed);
      batches.push(batch);
    }
    return new Table(reader.schema, batches);
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw malformed(libraryDetail(error));
  }
}

/** A forged row count would make every column allocate that many rows: each numeric column must hold its batch's rows. */
function checkBatchLengths(batch: RecordBatch, index: number, count: number, malformed: (what: string) => InputError): void {
  for (const [k, field] of batch.schema.fields.entries()) {
    const type = field.type;
    if (!DataType.isFloat(type) && !DataType.isInt(type) && !DataType.isTimestamp(type)) continue;
    const data = batch.data.children[k];
    const values = data.values as ArrayLike<unknown> | undefined;
    if (data.length > 0 && (values === undefined || values.length < data.length)) {
      throw malformed(`record batch ${index + 1} of ${count} says ${batch.numRows} rows but column '${field.name}' holds ${values?.length ?? 0} values`);
    }
  }
}

/** A library's own message when it is one (a plain Error it threw on purpose); a crash inside it (TypeError, RangeError) says little. */
function libraryDetail(error: unknown): string {
  if (error instanceof Error && error.constructor === Error && error.message) return error.message.split('\n')[0];
  return 'its footer, schema or record batches cannot be decoded';
}

function child(path: string, table: Table, name: string) {
  const vector = table.getChild(name);
  if (!vector) {
    const present = table.schema.fields.map((f) => (f.name === '' ? "''" : f.name)).join(', ') || 'none';
    throw new InputError({ source: path }, `column '${name}' is missing (columns: ${present}); expected freqtrade's columns date, open, high, low, close, volume`);
  }
  return vector;
}

/** Validity bit of row i of an Arrow chunk (bitmap bits start at the chunk's offset). */
const isValid = (bitmap: Uint8Array, offset: number, i: number) => ((bitmap[(offset + i) >> 3] >> ((offset + i) & 7)) & 1) === 1;

/** A numeric Arrow column as float64, nulls as NaN; reuses the Arrow buffer when it already is one float64 chunk. */
function numericColumn(path: string, table: Table, name: string, rows: number): Float64Array {
  const vector = child(path, table, name);
  const type = vector.type;
  if (!DataType.isFloat(type) && !DataType.isInt(type)) {
    throw new InputError({ source: path }, `column '${name}' has type ${String(type)}, expected a number`);
  }
  const chunks = vector.data;
  if (chunks.length === 1 && chunks[0].values instanceof Float64Array && chunks[0].nullCount === 0 && chunks[0].values.length >= rows) {
    return chunks[0].values.subarray(0, rows);
  }
  const out = new Float64Array(rows);
  let at = 0;
  for (const data of chunks) {
    const values = data.values as ArrayLike<number | bigint>;
    const n = data.length;
    checkChunkLength(path, name, values.length, n);
    if (values instanceof Float64Array) out.set(values.subarray(0, n), at);
    else if (DataType.isFloat(type) && type.precision === Precision.HALF) for (let i = 0; i < n; i++) out[at + i] = Number(vector.get(at + i));
    else for (let i = 0; i < n; i++) out[at + i] = Number(values[i]);
    if (data.nullCount > 0 && data.nullBitmap) {
      for (let i = 0; i < n; i++) if (!isValid(data.nullBitmap, data.offset, i)) out[at + i] = Number.NaN;
    }
    at += n;
  }
  return out;
}

/** Units per ms for sub-ms units, and (negated) ms per unit for coarser ones. */
/** lz4js checks no checksums, so a damaged block can decompress short; the batch's row count tells. */
function checkChunkLength(path: string, name: string, values: number, rows: number): void {
  if (values < rows) {
    throw new InputError({ source: path }, `malformed Arrow IPC (Feather v2) file: column '${name}' holds ${values} values for ${rows} rows (damaged compressed data?)`);
  }
}

const UNIT_PER_MS: Record<TimeUnit, number> = {
  [TimeUnit.SECOND]: -1_000,
  [TimeUnit.MILLISECOND]: -1,
  [TimeUnit.MICROSECOND]: 1_000,
  [TimeUnit.NANOSECOND]: 1_000_000,
};
const TWO_POW_32 = 4_294_967_296;

/**
 * An Arrow timestamp column as integer ms UTC (floor), nulls as NaN. The unit comes from the Arrow
 * type. int64 ns do not fit a double, so each value is split into 32-bit halves and divided exactly.
 */
function timestampColumnMs(path: string, table: Table, name: string, options: ImportOptions): { ts: Float64Array; subMsCount: number } {
  const vector = child(path, table, name);
  const type = vector.type;
  if (!DataType.isTimestamp(type)) {
    throw new InputError({ source: path }, `column '${name}' has type ${String(type)}, expected a timestamp`);
  }
  if (!type.timezone && !isUtcOption(options.timezone)) {
    throw new InputError({ source: path }, `column '${name}' is a timestamp without time zone; freqtrade writes UTC, pass --timezone UTC to confirm`);
  }
  const perMs = UNIT_PER_MS[type.unit];
  const quotient = perMs > 0 ? Math.floor(TWO_POW_32 / perMs) : 0;
  const remainder = TWO_POW_32 - quotient * perMs;
  const ts = new Float64Array(table.numRows);
  let subMsCount = 0;
  let at = 0;
  for (const data of vector.data) {
    const n = data.length;
    const values = data.values as BigInt64Array;
    checkChunkLength(path, name, values.length, n);
    const lo = new Uint32Array(values.buffer, values.byteOffset, 2 * n);
    const hi = new Int32Array(values.buffer, values.byteOffset, 2 * n);
    for (let i = 0; i < n; i++) {
      const low = lo[2 * i];
      const high = hi[2 * i + 1];
      if (perMs < 0) {
        ts[at + i] = (high * TWO_POW_32 + low) * -perMs;
      } else {
        const rest = high * remainder + low;
        const restMs = Math.floor(rest / perMs);
        ts[at + i] = high * quotient + restMs;
        if (rest !== restMs * perMs) subMsCount++;
      }
    }
    if (data.nullCount > 0 && data.nullBitmap) {
      for (let i = 0; i < n; i++) if (!isValid(data.nullBitmap, data.offset, i)) ts[at + i] = Number.NaN;
    }
    at += n;
  }
  return { ts, subMsCount };
}

function isUtcOption(zone: string | undefined): boolean {
  return zone !== undefined && /^(utc|etc\/utc|z|gmt|[+-]00:?00)$/i.test(zone.trim());
}
