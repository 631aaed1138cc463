import { readFile } from 'node:fs/promises';
import { InputError } from '../../core/errors.ts';
import { instrumentFromSymbol, type Instrument } from '../../domain/instrument.ts';
import { describeZone, localTimeConverter } from './localTime.ts';
import { SeriesBuilder } from './seriesBuilder.ts';
import { parseDecimal } from './decimal.ts';
import { applyInferredInterval } from './fundingInterval.ts';
import type { FormatImporter, ImportOptions, ParsedSource, Rejection, SeriesData } from './types.ts';

const HEADER = ['time', 'exchange', 'crypto', 'pair', 'contract', 'open', 'high', 'low', 'close', 'volume', 'funding rate'];
/** The data set's `time` is UK local time (bars at 01/09/17 during British Summer Time). */
export const AHA_HH_ZONE = 'Europe/London';
const BAR_TIMEFRAME = '8h';
const VENUE_RE = /^[a-z0-9]+$/;

/** The data set's pair/contract labels to unified symbols; null when not one of its forms. */
export function ahaHhSymbol(pair: string, contract: string): string | null {
  if (contract === 'spot') return /^[A-Z0-9]+\/[A-Z0-9]+$/.test(pair) ? pair : null;
  if (contract !== 'perpetual') return null;
  const coinMargined = /^([A-Z0-9]+)USDCM$/.exec(pair);
  if (coinMargined) return `${coinMargined[1]}/USD:${coinMargined[1]}`;
  const linear = /^([A-Z0-9]+)(USDT|USDC)$/.exec(pair);
  return linear ? `${linear[1]}/${linear[2]}:${linear[2]}` : null;
}

async function parse(path: string, options: ImportOptions): Promise<ParsedSource> {
  const zoneName = options.timezone ?? AHA_HH_ZONE;
  const toUtcMs = localTimeConverter(zoneName);
  const lines = (await readFile(path, 'utf8')).replace(/^\uFEFF/, '').split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  if (lines[0] !== HEADER.join(',')) throw new InputError({ source: path, line: 1 }, `header is '${lines[0]}', expected '${HEADER.join(',')}'`);

  const bars = new Map<string, SeriesBuilder>();
  const funding = new Map<string, SeriesBuilder>();
  const builder = (map: Map<string, SeriesBuilder>, table: 'bars' | 'funding', venue: string, symbol: string) => {
    const id = `${venue} ${symbol}`;
    let b = map.get(id);
    if (!b) map.set(id, (b = new SeriesBuilder({ table, venue, symbol, timeframe: table === 'bars' ? BAR_TIMEFRAME : null }, path)));
    return b;
  };
  const rejections: Rejection[] = [];
  const reject = (line: number, reason: string) => rejections.push({ source: path, line, reason });

  for (let i = 1; i < lines.length; i++) {
    const line = i + 1;
    const f = lines[i].split(',');
    if (f.length !== HEADER.length) {
      reject(line, `expected ${HEADER.length} fields, got ${f.length}`);
      continue;
    }
    const [timeText, venue, , pair, contract, ...values] = f;
    const symbol = ahaHhSymbol(pair, contract);
    if (!VENUE_RE.test(venue) || symbol === null) {
      reject(line, `unknown exchange/pair/contract '${venue}/${pair}/${contract}'`);
      continue;
    }
    const ts = toUtcMs(timeText);
    if (typeof ts === 'string') {
      reject(line, `time: ${ts}`);
      continue;
    }
    // An empty cell is null (validation rejects it where the column is required); unreadable text rejects the bar here.
    const nums = values.slice(0, 5).map((v) => (v === '' ? null : parseDecimal(v)));
    const bad = nums.findIndex((v) => v !== null && Number.isNaN(v));
    if (bad >= 0) reject(line, `${HEADER[5 + bad]} '${values[bad]}' is not a number`);
    else {
      const [open, high, low, close, volume] = nums;
      builder(bars, 'bars', venue, symbol).push(line, { ts, open, high, low, close, volume });
    }

    const rateText = values[5];
    if (contract === 'spot') {
      if (rateText !== '') reject(line, `funding rate '${rateText}' on a spot row (not taken)`);
    } else if (rateText === '') {
      reject(line, 'funding rate is empty on a perpetual row (the bar is taken)');
    } else {
      const rate = parseDecimal(rateText);
      if (Number.isNaN(rate)) reject(line, `funding rate '${rateText}' is not a number`);
      else builder(funding, 'funding', venue, symbol).push(line, { ts, rate });
    }
  }

  const notes = [`time read as ${describeZone(zoneName)}${options.timezone ? ' (given)' : ''}, converted to UTC; bars keyed by open time`];
  const series: SeriesData[] = [];
  const instruments = new Map<string, Instrument>();
  for (const [id, b] of bars) {
    series.push(b.build());
    instruments.set(id, instrumentFromSymbol(b.key.venue, b.key.symbol));
  }
  for (const [id, b] of funding) {
    const data = b.build();
    const { intervalMs, note } = applyInferredInterval(data);
    notes.push(note);
    series.push(data);
    instruments.set(id, { ...(instruments.get(id) ?? instrumentFromSymbol(b.key.venue, b.key.symbol)), fundingIntervalMs: intervalMs });
  }
  notes.push(
    'a perp row at open time t carries the funding settled at t (checked against Binance funding history)',
    'coin-margined (USDCM) perps are inverse, BASE/USD:BASE; the data set does not say in which unit their volume is',
  );
  return { source: path, format: 'aha-hh', series, instruments: [...instruments.values()], rejections, rowsRead: lines.length - 1, notes };
}

export const ahaHhImporter: FormatImporter = {
  id: 'aha-hh',
  description: 'AHA-HH 8h spot/perp bars with funding (binance, bybit, okx); time in Europe/London local time',
  detect(_path, head) {
    const firstLine = head.toString('utf8').replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0];
    return firstLine.startsWith('time,exchange,crypto,pair,contract');
  },
  parse,
};
