import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { InputError } from '../../core/errors.ts';
import { instrumentFromSymbol, type Instrument } from '../../domain/instrument.ts';
import { parseDecimal } from './decimal.ts';
import { applyInferredInterval } from './fundingInterval.ts';
import { describeZone, localTimeConverter } from './localTime.ts';
import { SeriesBuilder } from './seriesBuilder.ts';
import type { FormatImporter, ImportOptions, ParsedSource, Rejection, SeriesData } from './types.ts';

export const SUPERVIK_HEADER = 'Symbol,Date,Funding Rate';
const FILE_RE = /^([A-Z0-9]+-[A-Z0-9]+)_([a-z0-9]+)_(\d{4}-\d{2}-\d{2})_(\d{4}-\d{2}-\d{2})_funding_history\.csv$/i;
const SYMBOL_RE = /^([A-Z0-9]+)-([A-Z0-9]+)$/;

/**
 * The zone of the Date column per venue. The fetcher (supervik/historical-funding-rates-fetcher)
 * writes binance, bybit, htx, kucoin and mexc times with Python's datetime.fromtimestamp, i.e. in
 * its machine's zone, a fixed UTC+3 (Binance rows sit at 03/11/19 in winter and summer alike);
 * gate's come from pandas unit='s' (UTC).
 * dydx is UTC. Evidence: the file name's range is 2022-01-01..2024-01-01 and the file has exactly
 * 24 * 730 = 17,520 hourly rows from 2022-01-01 00:00 to 2023-12-31 23:00, i.e. the range [start,
 * end) read in the same clock as Date; and the fetcher's exchanges/dydx.py writes the API's
 * effectiveAt ('...Z') as a naive datetime, unconverted, filtering on naive UTC dates. (The rates
 * alone cannot tell: their correlation with the 8h venues' rates is flat over +-6h of lag.)
 */
export const SUPERVIK_ZONES: Readonly<Record<string, string>> = {
  binance: '+03:00',
  bybit: '+03:00',
  htx: '+03:00',
  kucoin: '+03:00',
  mexc: '+03:00',
  gate: 'UTC',
  dydx: 'UTC',
};

/**
 * The fetcher names every market BASE-USDT, but on dydx it asks for BASE-USD (exchanges/dydx.py
 * replaces USDT with USD): dYdX's USD-quoted, USDC-settled linear perp, BTC/USD:USDC in ccxt.
 * Everywhere else these are USDT-margined perps.
 */
export function supervikSymbol(venue: string, base: string, quote: string): string {
  if (venue === 'dydx' && quote === 'USDT') return `${base}/USD:USDC`;
  return `${base}/${quote}:${quote}`;
}

async function parse(path: string, options: ImportOptions): Promise<ParsedSource> {
  const name = basename(path);
  const fileMatch = FILE_RE.exec(name);
  const venue = options.venue ?? fileMatch?.[2].toLowerCase();
  if (!venue) throw new InputError({ source: path }, `cannot tell the venue from the file name '${name}' (expected SYMBOL_venue_start_end_funding_history.csv); pass a venue`);
  const zoneName = options.timezone ?? SUPERVIK_ZONES[venue];
  if (!zoneName) throw new InputError({ source: path }, `the Date time zone of venue '${venue}' is not known; pass a time zone (e.g. UTC or +03:00)`);
  const toUtcMs = localTimeConverter(zoneName);

  const lines = (await readFile(path, 'utf8')).replace(/^\uFEFF/, '').split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  if (lines[0] !== SUPERVIK_HEADER) throw new InputError({ source: path, line: 1 }, `header is '${lines[0]}', expected '${SUPERVIK_HEADER}'`);

  const builders = new Map<string, SeriesBuilder>();
  const rejections: Rejection[] = [];
  const reject = (line: number, reason: string) => rejections.push({ source: path, line, reason });
  for (let i = 1; i < lines.length; i++) {
    const line = i + 1;
    const fields = lines[i].split(',');
    if (fields.length !== 3) {
      reject(line, `expected 3 fields (${SUPERVIK_HEADER}), got ${fields.length}`);
      continue;
    }
    const [symbolText, dateText, rateText] = fields;
    const parts = SYMBOL_RE.exec(symbolText);
    if (!parts) {
      reject(line, `Symbol '${symbolText}' is not BASE-QUOTE`);
      continue;
    }
    const ts = toUtcMs(dateText);
    if (typeof ts === 'string') {
      reject(line, `Date: ${ts}`);
      continue;
    }
    const rate = parseDecimal(rateText);
    if (Number.isNaN(rate)) {
      reject(line, rateText === '' ? 'Funding Rate is empty' : `Funding Rate '${rateText}' is not a number`);
      continue;
    }
    const symbol = supervikSymbol(venue, parts[1], parts[2]);
    let builder = builders.get(symbol);
    if (!builder) builders.set(symbol, (builder = new SeriesBuilder({ table: 'funding', venue, symbol, timeframe: null }, path)));
    builder.push(line, { ts, rate });
  }

  const notes = [
    `venue ${venue}${options.venue ? ' (given)' : ' from the file name'}`,
    `Date read as ${describeZone(zoneName)}${options.timezone ? ' (given)' : ''}, converted to UTC`,
  ];
  if (venue === 'dydx') notes.push("dydx rows named BASE-USDT are dYdX's BASE-USD markets (USDC-settled): BASE/USD:USDC");
  const series: SeriesData[] = [];
  const instruments: Instrument[] = [];
  for (const builder of builders.values()) {
    const data = builder.build();
    const { intervalMs, note } = applyInferredInterval(data);
    notes.push(note);
    const jittered = (data.columns.ts as Float64Array).filter((t) => t % 1000 !== 0).length;
    if (jittered > 0) notes.push(`${data.key.symbol}: ${jittered} settlement times carry milliseconds past the second, as the venue reported them; kept as given`);
    series.push(data);
    // All of the fetcher's markets are linear (settled in a USD stablecoin), USD:USDC on dydx too.
    instruments.push({ ...instrumentFromSymbol(venue, data.key.symbol), linear: true, fundingIntervalMs: intervalMs });
  }
  return { source: path, format: 'supervik-funding', series, instruments, rejections, rowsRead: lines.length - 1, notes };
}

export const supervikFundingImporter: FormatImporter = {
  id: 'supervik-funding',
  description: 'Funding-rate history CSV from supervik/historical-funding-rates-fetcher (Symbol,Date,Funding Rate; local times per venue)',
  detect(_path, head) {
    const firstLine = head.toString('utf8').replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0];
    return firstLine === SUPERVIK_HEADER;
  },
  parse,
};
