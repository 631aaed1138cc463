/**
 * FTX `GET /api/markets` (FTX closed in November 2022; these captures are historical).
 * Each market gives an Instrument (venue 'ftx') and one 'quotes' row (bid, ask, last; no sizes).
 * FTX did not time-stamp this response, so a quote's ts is the capture time.
 *
 * Symbols (as ccxt's ftx module wrote them): spot 'BTC/USD'; perps 'BTC-PERP' -> 'BTC/USD:USD'
 * (USD-settled, linear); dated futures 'BTC-1231' -> 'BTC/USD:USD-211231'. MOVE contracts
 * ('BTC-MOVE-0722', 'BTC-MOVE-2021Q3') and prediction markets ('TRUMP2024') are none of
 * spot/perp/future: they are counted in a note and give no rows.
 */
import { HOUR_MS, isoUtc } from '../../../core/time.ts';
import type { Instrument } from '../../../domain/instrument.ts';
import { expiryProblem } from '../../../domain/plausibility.ts';
import { parseSymbol, utcMsToExpiryCode } from '../../../domain/symbol.ts';
import { isRecord, parseJson, type CaptureContext, type RestLine } from './captureLines.ts';

export const FTX_VENUE = 'ftx';

/** FTX quarterly futures settled on a 1 h TWAP from 02:00 to 03:00 UTC and expired at 03:00 UTC (help.ftx.com, "Settlement & Delivery"). */
const FTX_EXPIRY_HOUR_UTC = 3;
/** FTX perps paid funding every hour (same help page). */
const FTX_FUNDING_INTERVAL_MS = HOUR_MS;

const DATED_RE = /^([A-Z0-9]+)-(\d{2})(\d{2})$/;

/**
 * Expiry of an FTX dated future from its name ('BTC-1231'): 03:00 UTC on that month and day, in
 * the first year where that instant is at or after `snapshotMs` (the names carry no year).
 */
export function ftxExpiryFromName(name: string, snapshotMs: number): number {
  const match = DATED_RE.exec(name);
  if (!match) throw new Error(`'${name}' is not an FTX dated future name (UNDERLYING-MMDD)`);
  const month = Number(match[2]);
  const day = Number(match[3]);
  const startYear = new Date(snapshotMs).getUTCFullYear();
  for (let year = startYear; year <= startYear + 4; year++) {
    const ms = Date.UTC(year, month - 1, day, FTX_EXPIRY_HOUR_UTC);
    const d = new Date(ms);
    if (d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) continue; // e.g. 0229 in a common year
    if (ms >= snapshotMs) return ms;
  }
  throw new Error(`'${name}': month ${month} day ${day} is not a valid date`);
}

type FtxClass = { kind: 'spot' | 'perp' | 'future'; symbol: string; expiryMs: number | null } | { kind: 'other'; group: string };

function classify(m: Record<string, unknown>, snapshotMs: number): FtxClass | string {
  const name = m.name as string;
  if (m.type === 'spot') {
    const base = m.baseCurrency;
    const quote = m.quoteCurrency;
    if (typeof base !== 'string' || typeof quote !== 'string') return 'spot market without baseCurrency/quoteCurrency';
    if (name !== `${base}/${quote}`) return `spot name differs from ${base}/${quote}`;
    return { kind: 'spot', symbol: `${base}/${quote}`, expiryMs: null };
  }
  if (m.type !== 'future') return `unknown market type '${String(m.type)}'`;
  if (name.includes('-MOVE-')) return { kind: 'other', group: 'MOVE' };
  const underlying = m.underlying;
  if (name.endsWith('-PERP')) {
    if (name !== `${underlying}-PERP`) return `perp name differs from underlying '${String(underlying)}'`;
    return { kind: 'perp', symbol: `${underlying}/USD:USD`, expiryMs: null };
  }
  const dated = DATED_RE.exec(name);
  if (dated) {
    if (dated[1] !== underlying) return `dated future name differs from underlying '${String(underlying)}'`;
    const expiryMs = ftxExpiryFromName(name, snapshotMs);
    const implausible = expiryProblem(expiryMs);
    if (implausible) return implausible;
    return { kind: 'future', symbol: `${underlying}/USD:USD-${utcMsToExpiryCode(expiryMs)}`, expiryMs };
  }
  return { kind: 'other', group: 'prediction/other' };
}

function positiveNumber(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : null;
}

/** Reads FTX /api/markets responses; counts are summarised by finish(). */
export class FtxMarketsParser {
  readonly counts = { spot: 0, perp: 0, future: 0 };
  readonly others = new Map<string, string[]>();
  private readonly nonFriday: string[] = [];
  private snapshots = 0;
  private markets = 0;

  add(entry: RestLine, ctx: CaptureContext): void {
    const parsed = parseJson(entry.body, ctx.source, entry.line, `FTX response body of ${entry.url}`);
    if ('rejection' in parsed) {
      ctx.rejections.push(parsed.rejection);
      return;
    }
    const body = parsed.value;
    if (!isRecord(body) || body.success !== true || !Array.isArray(body.result)) {
      ctx.rejections.push({ source: ctx.source, line: entry.line, reason: `FTX ${entry.url}: expected {"success":true,"result":[...]}` });
      return;
    }
    this.snapshots++;
    for (const market of body.result) this.addMarket(market, entry, ctx);
  }

  private addMarket(market: unknown, entry: RestLine, ctx: CaptureContext): void {
    this.markets++;
    const reject = (name: string, reason: string): void => {
      ctx.rejections.push({ source: ctx.source, line: entry.line, reason: `FTX market ${name}: ${reason}` });
    };
    if (!isRecord(market) || typeof market.name !== 'string') return reject('(unnamed)', 'not a market object with a name');
    const name = market.name;
    let cls: FtxClass | string;
    try {
      cls = classify(market, entry.receivedAtMs);
    } catch (error) {
      return reject(name, (error as Error).message);
    }
    if (typeof cls === 'string') return reject(name, cls);
    if (cls.kind === 'other') {
      const list = this.others.get(cls.group) ?? [];
      list.push(name);
      this.others.set(cls.group, list);
      return;
    }
    let parts;
    try {
      parts = parseSymbol(cls.symbol);
    } catch (error) {
      return reject(name, (error as Error).message);
    }
    const tickSize = positiveNumber(market.priceIncrement);
    const lotSize = positiveNumber(market.sizeIncrement);
    if (tickSize === null || lotSize === null) return reject(name, 'priceIncrement and sizeIncrement must be positive numbers');
    this.counts[cls.kind]++;
    if (cls.kind === 'future' && new Date(cls.expiryMs!).getUTCDay() !== 5) this.nonFriday.push(`${name} (${isoUtc(cls.expiryMs!)})`);
    const derivative = cls.kind !== 'spot';
    const instrument: Instrument = {
      venue: FTX_VENUE,
      symbol: cls.symbol,
      venueSymbol: name,
      kind: cls.kind,
      base: parts.base,
      quote: parts.quote,
      settle: parts.settle,
      linear: derivative ? true : null,
      // FTX futures were sized in units of the underlying (ccxt's ftx: contractSize 1).
      contractSize: 1,
      tickSize,
      lotSize,
      makerFeeRate: null,
      takerFeeRate: null,
      fundingIntervalMs: cls.kind === 'perp' ? FTX_FUNDING_INTERVAL_MS : null,
      expiryMs: cls.expiryMs,
    };
    ctx.instruments.add(instrument);
    if (market.bid === null || market.ask === null || market.bid === undefined || market.ask === undefined) {
      return reject(name, `bid ${String(market.bid)} / ask ${String(market.ask)}: no quote row`);
    }
    ctx.series.builder({ table: 'quotes', venue: FTX_VENUE, symbol: cls.symbol, timeframe: null }).push(entry.line, {
      ts: entry.receivedAtMs,
      received_at: entry.receivedAtMs,
      bid: typeof market.bid === 'number' ? market.bid : Number.NaN,
      bid_size: null,
      ask: typeof market.ask === 'number' ? market.ask : Number.NaN,
      ask_size: null,
      last: typeof market.last === 'number' ? market.last : null,
    });
  }

  finish(ctx: CaptureContext): void {
    if (this.snapshots === 0) return;
    const { spot, perp, future } = this.counts;
    ctx.notes.push(
      `FTX /api/markets: ${this.snapshots} snapshot(s), ${this.markets} markets: ${spot} spot, ${perp} perp, ${future} dated future`,
      'FTX quotes: the response has no timestamp, so ts = capture time (received_at); sizes are not given',
      'FTX dated futures expire at 03:00 UTC on the date in the name (FTX settlement rule); the year is the first such date at or after the snapshot; perps fund hourly',
    );
    for (const [group, names] of this.others) {
      ctx.notes.push(`FTX: ${names.length} ${group} contract(s) are not spot/perp/future and were not imported: ${names.join(', ')}`);
    }
    if (this.nonFriday.length > 0) {
      ctx.notes.push(`FTX: dated futures expiring on a day other than Friday (not quarterlies; the 03:00 UTC rule is assumed): ${this.nonFriday.join(', ')}`);
    }
  }
}
