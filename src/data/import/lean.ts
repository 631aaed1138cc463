import { readFile } from 'node:fs/promises';
import { unzipSync } from 'fflate';
import { InputError } from '../../core/errors.ts';
import { escapeForTerminal } from '../../core/terminal.ts';
import { checkVenueId } from '../store/layout.ts';
import { DAY_MS } from '../../core/time.ts';
import { instrumentFromSymbol } from '../../domain/instrument.ts';
import type { SeriesKey } from '../../domain/series.ts';
import { localTimeConverter } from './localTime.ts';
import { SeriesBuilder, type RowValue } from './seriesBuilder.ts';
import { parseDecimal } from './decimal.ts';
import { applyInferredInterval } from './fundingInterval.ts';
import type { FormatImporter, ImportOptions, ParsedSource, Rejection } from './types.ts';

const MINUTE_ZIP_RE = /(?:^|[\\/])Data[\\/](crypto|cryptofuture)[\\/]([^\\/]+)[\\/]minute[\\/]([^\\/]+)[\\/](\d{8})_(trade|quote)\.zip$/;
const FUNDING_CSV_RE = /(?:^|[\\/])Data[\\/]cryptofuture[\\/]([^\\/]+)[\\/]margin_interest[\\/]([^\\/]+)\.csv$/;
/** Quote assets LEAN tickers end with; the longest match wins (BTCUSDT is BTC/USDT, not BTCU/SDT or BTCUSD/T). */
const QUOTE_ASSETS = ['FDUSD', 'USDT', 'BUSD', 'USDC', 'TUSD', 'USDP', 'DAI', 'USD', 'EUR', 'GBP', 'TRY', 'JPY', 'BTC', 'ETH', 'BNB'];
const TRADE_COLUMNS = ['open', 'high', 'low', 'close', 'volume'];
const QUOTE_COLUMNS = ['bid_open', 'bid_high', 'bid_low', 'bid_close', 'bid_size', 'ask_open', 'ask_high', 'ask_low', 'ask_close', 'ask_size'];

/**
 * A LEAN ticker ('btcusdt') to a unified symbol. Security type crypto is spot; cryptofuture is a
 * perpetual: USD-quoted ones are coin-margined (inverse, settled in the base), others linear.
 */
export function leanSymbol(securityType: 'crypto' | 'cryptofuture', ticker: string): string | null {
  const upper = ticker.toUpperCase();
  const quote = [...QUOTE_ASSETS].sort((a, b) => b.length - a.length).find((q) => upper.endsWith(q) && upper.length > q.length);
  if (!quote || !/^[A-Z0-9]+$/.test(upper)) return null;
  const base = upper.slice(0, -quote.length);
  if (securityType === 'crypto') return `${base}/${quote}`;
  return quote === 'USD' ? `${base}/USD:${base}` : `${base}/${quote}:${quote}`;
}

function dayStartMs(yyyymmdd: string): number | null {
  const [y, m, d] = [yyyymmdd.slice(0, 4), yyyymmdd.slice(4, 6), yyyymmdd.slice(6, 8)].map(Number);
  const ms = Date.UTC(y, m - 1, d);
  const check = new Date(ms);
  return check.getUTCFullYear() === y && check.getUTCMonth() === m - 1 && check.getUTCDate() === d ? ms : null;
}

const splitLines = (text: string) => {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  return lines;
};

/** The market folder of a LEAN path as a venue id; a folder name that is none (spaces, control characters) is refused. */
function leanVenue(path: string, market: string): string {
  const venue = market.toLowerCase();
  try {
    checkVenueId(venue);
  } catch {
    throw new InputError({ source: path }, `market folder '${market}' is not a venue id (expected a ccxt id such as binance or bybit, or pass --venue)`);
  }
  return venue;
}

/** A member name as a message shows it: a damaged zip's names are any bytes (line breaks, escapes), so escaped and cut short. */
function memberLabel(name: string): string {
  return `'${escapeForTerminal(name.length > 80 ? `${name.slice(0, 80)}...` : name)}'`;
}

/** The names a message lists: a forged central directory can claim thousands. */
function memberList(names: readonly string[]): string {
  const shown = names.slice(0, 5).map(memberLabel).join(', ');
  return names.length > 5 ? `${shown} and ${names.length - 5} more` : shown;
}

/** LEAN's largest minute file is a day of quote bars (~200 KB); a member claiming more is not one. */
const MAX_MEMBER_BYTES = 64 * 1024 * 1024;

/**
 * The one CSV of a LEAN minute zip: `<YYYYMMDD>_<ticker>_minute_<trade|quote>[_suffix].csv`
 * (LEAN names cryptofuture members `..._perp.csv`). Anything else in its place is an InputError
 * naming what the zip holds.
 */
function readMinuteZipMember(path: string, zip: Uint8Array, day: string, ticker: string, tickType: string): { memberName: string; bytes: Uint8Array } {
  const expected = `${day}_${ticker}_minute_${tickType}[_perp].csv`;
  const expectedRe = new RegExp(`^${day}_${ticker.replace(/[^A-Za-z0-9]/g, '')}_minute_${tickType}(?:_[a-z]+)?\\.csv$`, 'i');
  const names: string[] = [];
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(new Uint8Array(zip.buffer, zip.byteOffset, zip.byteLength), {
      filter: (file) => {
        if (file.name.endsWith('/')) return false;
        names.push(file.name);
        if (file.originalSize > MAX_MEMBER_BYTES) throw new InputError({ source: path }, `zip member ${memberLabel(file.name)} claims ${file.originalSize} bytes; expected a LEAN minute CSV (at most ${MAX_MEMBER_BYTES})`);
        return expectedRe.test(file.name);
      },
    });
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError({ source: path }, `not a readable zip archive (${(error as Error).message}: truncated or damaged?); expected a LEAN minute zip holding one CSV named ${expected}`);
  }
  const matched = Object.entries(files);
  const holds = names.length === 0 ? 'nothing' : memberList(names);
  if (matched.length !== 1 || names.length !== 1) {
    throw new InputError({ source: path }, `expected one CSV named ${expected} in the zip, it holds ${holds}`);
  }
  return { memberName: matched[0][0], bytes: matched[0][1] };
}

/** A member whose rows all have another field count is not this kind of bar (a quote CSV in a trade zip): one error, not a rejection per row. */
function checkFieldCount(source: string, lines: string[], names: string[], tickType: string): void {
  const want = names.length + 1;
  if (lines.length === 0 || lines.some((l) => l.split(',').length === want)) return;
  const first = lines[0].split(',').length;
  throw new InputError({ source }, `no row has the ${want} fields of a LEAN minute ${tickType} bar (time ms,${names.join(',')}); the first row has ${first}`);
}

async function parseMinuteZip(path: string, match: RegExpExecArray, options: ImportOptions): Promise<ParsedSource> {
  const [, securityType, market, ticker, day, tickType] = match;
  const venue = options.venue ?? leanVenue(path, market);
  const symbol = options.symbol ?? leanSymbol(securityType as 'crypto' | 'cryptofuture', ticker);
  if (!symbol) throw new InputError({ source: path }, `cannot split LEAN ticker '${ticker}' into base and quote`);
  const dayMs = dayStartMs(day);
  if (dayMs === null) throw new InputError({ source: path }, `'${day}' in the file name is not a date`);

  const { memberName, bytes } = readMinuteZipMember(path, await readFile(path), day, ticker, tickType);
  const source = `${path}!${memberName}`;
  const lines = splitLines(Buffer.from(bytes).toString('utf8'));

  const isQuote = tickType === 'quote';
  const names = isQuote ? QUOTE_COLUMNS : TRADE_COLUMNS;
  checkFieldCount(source, lines, names, tickType);
  const key: SeriesKey = { table: isQuote ? 'quote_bars' : 'bars', venue, symbol, timeframe: '1m' };
  const builder = new SeriesBuilder(key, source);
  const rejections: Rejection[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = i + 1;
    const f = lines[i].split(',');
    if (f.length !== names.length + 1) {
      rejections.push({ source, line, reason: `expected ${names.length + 1} fields, got ${f.length}` });
      continue;
    }
    const msOfDay = /^\d+$/.test(f[0]) ? Number(f[0]) : Number.NaN;
    if (Number.isNaN(msOfDay) || msOfDay >= DAY_MS) {
      rejections.push({ source, line, reason: `time '${f[0]}' is not milliseconds within the day` });
      continue;
    }
    const row: Record<string, RowValue> = { ts: dayMs + msOfDay };
    let bad: string | null = null;
    for (let k = 0; k < names.length && bad === null; k++) {
      const text = f[k + 1];
      // An empty cell is null; validation rejects it where the column is required.
      const value = text === '' ? null : parseDecimal(text);
      if (value !== null && Number.isNaN(value)) bad = `${names[k]} '${text}' is not a number`;
      row[names[k]] = value;
    }
    if (bad) rejections.push({ source, line, reason: bad });
    else builder.push(line, row);
  }

  const notes = [`venue ${venue}, ${symbol} (LEAN ${securityType} ${ticker}); times are ms after ${day} 00:00 UTC, bars keyed by open time`];
  const instrument = instrumentFromSymbol(venue, symbol);
  if (instrument.linear === false) notes.push(`${symbol} is coin-margined (inverse): ${isQuote ? 'bid/ask sizes' : 'volume'} in contracts, not base units`);
  if (isQuote) notes.push('bid_size and ask_size are the last sizes at the bar close');
  return { source: path, format: 'lean', series: [builder.build()], instruments: [instrument], rejections, rowsRead: lines.length, notes };
}

async function parseFundingCsv(path: string, match: RegExpExecArray, options: ImportOptions): Promise<ParsedSource> {
  const [, market, ticker] = match;
  const venue = options.venue ?? leanVenue(path, market);
  const symbol = options.symbol ?? leanSymbol('cryptofuture', ticker);
  if (!symbol) throw new InputError({ source: path }, `cannot split LEAN ticker '${ticker}' into base and quote`);
  const toUtcMs = localTimeConverter(options.timezone ?? 'UTC');
  const lines = splitLines(await readFile(path, 'utf8'));
  const builder = new SeriesBuilder({ table: 'funding', venue, symbol, timeframe: null }, path);
  const rejections: Rejection[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = i + 1;
    const f = lines[i].split(',');
    if (f.length !== 2) {
      rejections.push({ source: path, line, reason: `expected 2 fields (time,rate), got ${f.length}` });
      continue;
    }
    const ts = toUtcMs(f[0]);
    const rate = parseDecimal(f[1]);
    if (typeof ts === 'string') rejections.push({ source: path, line, reason: `time: ${ts}` });
    else if (Number.isNaN(rate)) rejections.push({ source: path, line, reason: `rate '${f[1]}' is not a number` });
    else builder.push(line, { ts, rate });
  }
  const data = builder.build();
  const { intervalMs, note } = applyInferredInterval(data);
  const notes = [`venue ${venue}, ${symbol} (LEAN cryptofuture ${ticker}); times read as ${options.timezone ?? 'UTC'}`, note];
  const instrument = { ...instrumentFromSymbol(venue, symbol), fundingIntervalMs: intervalMs };
  return { source: path, format: 'lean', series: [data], instruments: [instrument], rejections, rowsRead: lines.length, notes };
}

export const leanImporter: FormatImporter = {
  id: 'lean',
  description: 'QuantConnect LEAN crypto/cryptofuture minute zips (trade, quote) and margin_interest funding CSVs',
  detect(path) {
    return MINUTE_ZIP_RE.test(path) || FUNDING_CSV_RE.test(path);
  },
  async parse(path, options) {
    const zip = MINUTE_ZIP_RE.exec(path);
    if (zip) return parseMinuteZip(path, zip, options);
    const funding = FUNDING_CSV_RE.exec(path);
    if (funding) return parseFundingCsv(path, funding, options);
    throw new InputError({ source: path }, 'not a LEAN path (expected .../Data/<crypto|cryptofuture>/<market>/minute/<ticker>/<YYYYMMDD>_<trade|quote>.zip or .../Data/cryptofuture/<market>/margin_interest/<ticker>.csv)');
  },
};
