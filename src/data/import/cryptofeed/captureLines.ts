/**
 * cryptofeed capture files (bmoscon/cryptofeed `raw_data` recordings), one record per line:
 *   REST:      `<url> -> <unix_s>: <body>`
 *   websocket: `<url> <-> <unix_s>` (connection opened), `<url> <- <unix_s>: <msg>` (sent),
 *              `<unix_s>: <message>` (received on the last opened connection)
 *   `configuration: {...}` is cryptofeed's own feed configuration, not market data.
 * Capture times are unix seconds with a fraction; they become integer ms, truncated.
 * Also here: the small collectors the per-venue parsers write into.
 */
import { parseDecimal } from '../decimal.ts';
import { instrumentId, mergeInstrument, type Instrument } from '../../../domain/instrument.ts';
import { seriesId, type SeriesKey } from '../../../domain/series.ts';
import { SeriesBuilder } from '../seriesBuilder.ts';
import type { Rejection, SeriesData } from '../types.ts';

export interface RestLine {
  kind: 'rest';
  line: number;
  url: string;
  receivedAtMs: number;
  body: string;
}
export interface WsOpenLine {
  kind: 'ws-open';
  line: number;
  url: string;
  receivedAtMs: number;
}
export interface WsOutLine {
  kind: 'ws-out';
  line: number;
  url: string;
  receivedAtMs: number;
  message: string;
}
export interface WsInLine {
  kind: 'ws-in';
  line: number;
  receivedAtMs: number;
  message: string;
}
export interface ConfigLine {
  kind: 'config';
  line: number;
  text: string;
}
export interface BlankLine {
  kind: 'blank';
  line: number;
}
export type CaptureLine = RestLine | WsOpenLine | WsOutLine | WsInLine | ConfigLine | BlankLine;

const TIME = '(\\d+(?:\\.\\d+)?)';
const REST_RE = new RegExp(`^(https?://\\S+) -> ${TIME}: (.*)$`, 's');
const WS_OPEN_RE = new RegExp(`^(wss?://\\S+) <-> ${TIME}$`);
const WS_OUT_RE = new RegExp(`^(wss?://\\S+) <- ${TIME}: (.*)$`, 's');
const WS_IN_RE = new RegExp(`^${TIME}: (.*)$`, 's');
const CONFIG_RE = /^configuration: /;

/** First-line patterns used by format detection. */
export const REST_HEAD_RE = /^https?:\/\/\S+ -> \d+(\.\d+)?: /;
export const WS_HEAD_RE = /^wss?:\/\/\S+ <-> /;

/** Unix seconds as written ('1626993902.920615') to integer ms, truncated, without float rounding. */
export function unixSecondsTextToMs(text: string): number {
  const [whole, fraction = ''] = text.split('.');
  return Number(whole) * 1000 + Number(fraction.slice(0, 3).padEnd(3, '0'));
}

/** Classifies one line (without its newline); a line matching no pattern is a Rejection. */
export function parseCaptureLine(text: string, line: number, source: string): CaptureLine | Rejection {
  if (text.trim() === '') return { kind: 'blank', line };
  let m = REST_RE.exec(text);
  if (m) return { kind: 'rest', line, url: m[1], receivedAtMs: unixSecondsTextToMs(m[2]), body: m[3] };
  m = WS_OPEN_RE.exec(text);
  if (m) return { kind: 'ws-open', line, url: m[1], receivedAtMs: unixSecondsTextToMs(m[2]) };
  m = WS_OUT_RE.exec(text);
  if (m) return { kind: 'ws-out', line, url: m[1], receivedAtMs: unixSecondsTextToMs(m[2]), message: m[3] };
  m = WS_IN_RE.exec(text);
  if (m) return { kind: 'ws-in', line, receivedAtMs: unixSecondsTextToMs(m[1]), message: m[2] };
  if (CONFIG_RE.test(text)) return { kind: 'config', line, text };
  const shown = text.length > 80 ? `${text.slice(0, 80)}...` : text;
  return { source, line, reason: `not a cryptofeed capture line (expected '<url> -> <ts>: <body>', '<url> <-> <ts>', '<url> <- <ts>: <msg>', '<ts>: <msg>' or 'configuration: ...'): '${shown}'` };
}

export function isRejection(value: CaptureLine | Rejection): value is Rejection {
  return (value as Rejection).reason !== undefined;
}

/** Splits a whole capture file into classified lines (1-based line numbers); CRLF is accepted. */
export function* readCaptureLines(text: string, source: string): Generator<CaptureLine | Rejection> {
  let start = 0;
  let line = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    line++;
    const raw = text.slice(start, end);
    const content = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (!(end === text.length && content === '')) yield parseCaptureLine(content, line, source);
    start = end + 1;
  }
}

/** Parses a JSON body or message; a syntax error becomes a Rejection naming the line. */
export function parseJson(text: string, source: string, line: number, what: string): { value: unknown } | { rejection: Rejection } {
  try {
    return { value: JSON.parse(text) };
  } catch (error) {
    const tail = text.length > 40 ? `...${text.slice(-40)}` : text;
    return { rejection: { source, line, reason: `${what} is not valid JSON (${(error as Error).message}); ends with '${tail}'` } };
  }
}

/** A strict decimal string ('30218.8', '0', '1e-5') to a number; anything else is NaN (validation rejects it). */
export function decimalText(value: unknown): number {
  if (typeof value === 'number') return value;
  return typeof value === 'string' ? parseDecimal(value) : Number.NaN;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** One builder per series key, in first-seen order. */
export class SeriesSet {
  private readonly builders = new Map<string, SeriesBuilder>();
  constructor(readonly source: string) {}

  builder(key: SeriesKey): SeriesBuilder {
    const id = seriesId(key);
    let builder = this.builders.get(id);
    if (!builder) {
      builder = new SeriesBuilder(key, this.source);
      this.builders.set(id, builder);
    }
    return builder;
  }

  build(): SeriesData[] {
    return [...this.builders.values()].map((b) => b.build());
  }
}

/** Instruments keyed by venue:symbol; a repeat fills unknown fields, and a differing value is a note. */
export class InstrumentSet {
  private readonly byId = new Map<string, Instrument>();
  readonly conflicts: string[] = [];

  add(instrument: Instrument): void {
    const id = instrumentId(instrument.venue, instrument.symbol);
    const known = this.byId.get(id);
    if (!known) {
      this.byId.set(id, instrument);
      return;
    }
    const { instrument: merged, conflicts } = mergeInstrument(known, instrument);
    this.byId.set(id, merged);
    for (const conflict of conflicts) this.conflicts.push(`${id}: ${conflict}`);
  }

  get(venue: string, symbol: string): Instrument | undefined {
    return this.byId.get(instrumentId(venue, symbol));
  }

  list(): Instrument[] {
    return [...this.byId.values()];
  }
}

/** What every venue parser writes into while a capture file is read. */
export interface CaptureContext {
  source: string;
  series: SeriesSet;
  instruments: InstrumentSet;
  rejections: Rejection[];
  notes: string[];
  /** Instruments known before this file (the store's, earlier files' of the same import); see ImportOptions.knownInstrument. */
  knownInstrument?: (venue: string, symbol: string) => Instrument | undefined;
}

export function newCaptureContext(source: string, knownInstrument?: CaptureContext['knownInstrument']): CaptureContext {
  return { source, series: new SeriesSet(source), instruments: new InstrumentSet(), rejections: [], notes: [], knownInstrument };
}

/** An instrument's facts from this file (merged so far), else from before it (store, earlier files); null when neither knows it. */
export function knownContractSize(ctx: CaptureContext, venue: string, symbol: string): number | null {
  return ctx.instruments.get(venue, symbol)?.contractSize ?? ctx.knownInstrument?.(venue, symbol)?.contractSize ?? null;
}
