/**
 * OKX v5 `GET /api/v5/public/instruments?instType=SPOT|SWAP|FUTURES|OPTION` -> Instruments (venue 'okx').
 * OPTION is skipped (options are out of scope) and counted in a note.
 *
 * Symbols as ccxt writes them: 'BTC-USDT' -> 'BTC/USDT'; 'BTC-USDT-SWAP' (linear, settle USDT) ->
 * 'BTC/USDT:USDT'; 'BTC-USD-SWAP' (inverse, settle BTC) -> 'BTC/USD:BTC'; 'BTC-USD-220527' ->
 * 'BTC/USD:BTC-220527'. contractSize = ctVal (in ctValCcy: USD for inverse, base for linear),
 * tickSize = tickSz, lotSize = lotSz, expiryMs = expTime (08:00 UTC on OKX).
 */
import type { Instrument } from '../../../domain/instrument.ts';
import { expiryProblem } from '../../../domain/plausibility.ts';
import { formatSymbol, parseSymbol, utcMsToExpiryCode } from '../../../domain/symbol.ts';
import { decimalText, isRecord, parseJson, type CaptureContext, type RestLine } from './captureLines.ts';

export const OKX_VENUE = 'okx';

const SPOT_ID_RE = /^([A-Z0-9]+)-([A-Z0-9]+)$/;
const DERIVATIVE_ID_RE = /^([A-Z0-9]+)-([A-Z0-9]+)-(SWAP|\d{6})$/;

/**
 * Unified symbol from an OKX instId alone (for websocket channels, which name no contract type):
 * USD-quoted contracts are inverse (settled in the base coin), others linear (settled in the quote).
 * Options ('BTC-USD-220527-30000-C') and unknown forms give null.
 */
export function okxSymbolFromInstId(instId: string): string | null {
  const spot = SPOT_ID_RE.exec(instId);
  if (spot) return `${spot[1]}/${spot[2]}`;
  const derivative = DERIVATIVE_ID_RE.exec(instId);
  if (!derivative) return null;
  const [, base, quote, suffix] = derivative;
  const settle = quote === 'USD' ? base : quote;
  return formatSymbol({ base, quote, settle, expiryCode: suffix === 'SWAP' ? null : suffix });
}

type Raw = Record<string, unknown>;

/** Symbol and expiry from the instrument's own fields (ctType, settleCcy, expTime), cross-checked with its instId. */
function symbolFromFields(d: Raw): { symbol: string; expiryMs: number | null } | string {
  const instId = String(d.instId);
  if (d.instType === 'SPOT') {
    if (instId !== `${d.baseCcy}-${d.quoteCcy}`) return `instId differs from baseCcy-quoteCcy (${String(d.baseCcy)}-${String(d.quoteCcy)})`;
    return { symbol: `${d.baseCcy}/${d.quoteCcy}`, expiryMs: null };
  }
  const m = DERIVATIVE_ID_RE.exec(instId);
  if (!m) return 'instId is not BASE-QUOTE-SWAP or BASE-QUOTE-YYMMDD';
  const [, base, quote, suffix] = m;
  if (d.uly !== `${base}-${quote}`) return `instId differs from uly '${String(d.uly)}'`;
  const expected = d.ctType === 'linear' ? quote : d.ctType === 'inverse' ? base : null;
  if (expected === null) return `unknown ctType '${String(d.ctType)}'`;
  if (d.settleCcy !== expected) return `settleCcy '${String(d.settleCcy)}' does not fit a ${String(d.ctType)} contract`;
  if (d.instType === 'SWAP') {
    if (suffix !== 'SWAP') return 'SWAP instId does not end in -SWAP';
    return { symbol: formatSymbol({ base, quote, settle: expected, expiryCode: null }), expiryMs: null };
  }
  const expiryMs = decimalText(d.expTime);
  if (!Number.isInteger(expiryMs) || expiryMs <= 0) return `expTime '${String(d.expTime)}' is not epoch ms`;
  const implausible = expiryProblem(expiryMs);
  if (implausible) return implausible;
  if (utcMsToExpiryCode(expiryMs) !== suffix) return `expTime ${new Date(expiryMs).toISOString()} does not fall on ${suffix}`;
  return { symbol: formatSymbol({ base, quote, settle: expected, expiryCode: suffix }), expiryMs };
}

function positive(value: unknown): number | null {
  const n = decimalText(value);
  return Number.isFinite(n) && n > 0 ? n : null;
}

export class OkxInstrumentsParser {
  /** Responses and instrument rows read per instType (repeated snapshots count again). */
  readonly counts = new Map<string, { responses: number; rows: number }>();
  private responses = 0;
  private readonly symbolsByType = new Map<string, Set<string>>();

  add(entry: RestLine, ctx: CaptureContext): void {
    const reject = (reason: string): void => {
      ctx.rejections.push({ source: ctx.source, line: entry.line, reason });
    };
    const instType = new URL(entry.url).searchParams.get('instType') ?? '(none)';
    const parsed = parseJson(entry.body, ctx.source, entry.line, `OKX instruments body (${instType})`);
    if ('rejection' in parsed) return reject(parsed.rejection.reason);
    const body = parsed.value;
    if (!isRecord(body) || body.code !== '0' || !Array.isArray(body.data)) {
      return reject(`OKX instruments ${instType}: expected {"code":"0","data":[...]}, got code ${isRecord(body) ? String(body.code) : '?'}`);
    }
    this.responses++;
    const count = this.counts.get(instType) ?? { responses: 0, rows: 0 };
    count.responses++;
    count.rows += body.data.length;
    this.counts.set(instType, count);
    if (instType === 'OPTION') return;
    if (instType !== 'SPOT' && instType !== 'SWAP' && instType !== 'FUTURES') return reject(`OKX instruments: unknown instType '${instType}'`);
    for (const d of body.data) this.addInstrument(d, instType, entry, ctx);
  }

  private addInstrument(d: unknown, instType: string, entry: RestLine, ctx: CaptureContext): void {
    const reject = (id: string, reason: string): void => {
      ctx.rejections.push({ source: ctx.source, line: entry.line, reason: `OKX ${instType} ${id}: ${reason}` });
    };
    if (!isRecord(d) || typeof d.instId !== 'string') return reject('(no instId)', 'not an instrument object');
    if (d.instType !== instType) return reject(d.instId, `instType '${String(d.instType)}' in a ${instType} response`);
    const fields = symbolFromFields(d);
    if (typeof fields === 'string') return reject(d.instId, fields);
    let parts;
    try {
      parts = parseSymbol(fields.symbol);
    } catch (error) {
      return reject(d.instId, (error as Error).message);
    }
    const tickSize = positive(d.tickSz);
    const lotSize = positive(d.lotSz);
    if (tickSize === null || lotSize === null) return reject(d.instId, `tickSz '${String(d.tickSz)}' and lotSz '${String(d.lotSz)}' must be positive`);
    const contractSize = parts.kind === 'spot' ? 1 : positive(d.ctVal);
    if (contractSize === null) return reject(d.instId, `ctVal '${String(d.ctVal)}' must be positive`);
    const instrument: Instrument = {
      venue: OKX_VENUE,
      symbol: fields.symbol,
      venueSymbol: d.instId,
      kind: parts.kind,
      base: parts.base,
      quote: parts.quote,
      settle: parts.settle,
      linear: parts.settle === null ? null : parts.settle === parts.quote,
      contractSize,
      tickSize,
      lotSize,
      makerFeeRate: null,
      takerFeeRate: null,
      fundingIntervalMs: null,
      expiryMs: fields.expiryMs,
    };
    ctx.instruments.add(instrument);
    const set = this.symbolsByType.get(instType) ?? new Set<string>();
    set.add(fields.symbol);
    this.symbolsByType.set(instType, set);
  }

  /** Distinct instruments taken per instType. */
  distinct(instType: string): number {
    return this.symbolsByType.get(instType)?.size ?? 0;
  }

  finish(ctx: CaptureContext): void {
    if (this.responses === 0) return;
    const read = [...this.counts].map(([type, n]) => `${type} ${n.rows} rows in ${n.responses}`).join(', ');
    const taken = ['SPOT', 'SWAP', 'FUTURES'].map((t) => `${t} ${this.distinct(t)}`).join(', ');
    ctx.notes.push(`OKX instruments: ${this.responses} responses; ${read}; distinct instruments taken: ${taken}`);
    const options = this.counts.get('OPTION')?.rows ?? 0;
    if (options > 0) ctx.notes.push(`OKX: ${options} OPTION instrument rows skipped (options are out of scope)`);
    ctx.notes.push('OKX: fundingIntervalMs is not in the instruments response and is left null');
  }
}
