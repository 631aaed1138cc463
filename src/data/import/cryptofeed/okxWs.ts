/**
 * OKX v5 public websocket (`wss://ws.okx.com:8443/ws/v5/public`) messages:
 *   tickers -> 'quotes' (bidPx, bidSz, askPx, askSz, last; ts = data.ts)
 *   trades  -> 'trades' (px, sz, side, tradeId, ts)
 *   books   -> an order book kept from the 'snapshot' action and 'update' actions (size '0'
 *              deletes a level); after each message a 'books' row of the top 50 levels per side.
 * Every book message's checksum is verified (OKX: CRC32 of the top 25 levels interleaved as
 * bid px:sz:ask px:sz..., using the strings as sent, compared as a signed 32-bit int). A mismatch
 * rejects that message, and the book is out of sync: later updates are rejected until a snapshot.
 * Several book messages with the same ts give one row (the last state); the rest are counted.
 *
 * Sizes (book levels, ticker bidSz/askSz, trade sz) are stored in perp-arb's units: base units for
 * SPOT (as sent) and for linear SWAP/FUTURES, contracts for inverse ones (as sent). OKX sends
 * contracts for every SWAP/FUTURES (BTC-USDT-SWAP: ctVal 0.01 BTC), so a linear contract's sizes are
 * multiplied by its ctVal, exactly in decimal (sz '327.1' x ctVal '0.01' = 3.271 BTC). The ctVal
 * comes from the instruments known to the import: the OKX instruments capture (okxInstruments.ts)
 * earlier in the same file, in an earlier file of the same import, or already in the store. When it
 * is not known, the messages of that linear contract are rejected (never stored in contracts).
 * Checksums are computed on the strings as sent (contracts), before any conversion.
 */
import { OKX_CHECKSUM_DEPTH, okxBookChecksum } from '../../../domain/okxBookChecksum.ts';
import { instrumentFromSymbol } from '../../../domain/instrument.ts';
import { parseSymbol } from '../../../domain/symbol.ts';
import { multiplyDecimals } from '../decimal.ts';
import { decimalText, isRecord, knownContractSize, parseJson, type CaptureContext, type WsInLine } from './captureLines.ts';
import { OKX_VENUE, okxSymbolFromInstId } from './okxInstruments.ts';

export const OKX_BOOK_ROW_DEPTH = 50;

interface Level {
  price: number;
  /** As sent (contracts for SWAP/FUTURES); 0 deletes the level. */
  size: number;
  priceText: string;
  sizeText: string;
  /** The size stored in rows: base units for spot and linear contracts, contracts for inverse. */
  rowSize: number;
}

/** One side of a book, best level first, kept sorted by binary search. */
export class BookSide {
  private readonly levels: Level[] = [];
  constructor(private readonly descending: boolean) {}

  get length(): number {
    return this.levels.length;
  }

  /** Index of `price`, or -(insertion point) - 1. */
  private find(price: number): number {
    let lo = 0;
    let hi = this.levels.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const p = this.levels[mid].price;
      if (p === price) return mid;
      const before = this.descending ? p > price : p < price;
      if (before) lo = mid + 1;
      else hi = mid - 1;
    }
    return -lo - 1;
  }

  /** Sets a level; a size of 0 deletes it. */
  apply(level: Level): void {
    const i = this.find(level.price);
    if (level.size === 0) {
      if (i >= 0) this.levels.splice(i, 1);
    } else if (i >= 0) {
      this.levels[i] = level;
    } else {
      this.levels.splice(-i - 1, 0, level);
    }
  }

  top(n: number): Level[] {
    return this.levels.slice(0, n);
  }
}

/** The checksum of the book as it stands (domain/okxBookChecksum.ts). */
export function bookChecksum(bids: BookSide, asks: BookSide): number {
  const texts = (side: BookSide) => side.top(OKX_CHECKSUM_DEPTH).map((l) => [l.priceText, l.sizeText] as const);
  return okxBookChecksum(texts(bids), texts(asks));
}

interface Book {
  bids: BookSide;
  asks: BookSide;
  /** Line of the message that broke the book (checksum mismatch, bad level); null while in sync. */
  brokenAtLine: number | null;
  lastSeqId: number | null;
}

interface PendingRow {
  line: number;
  row: Record<string, number | Float64Array | null>;
}

/** Levels as sent; `contractValue` (a linear contract's ctVal) converts the row sizes to base units. */
function parseLevels(raw: unknown, contractValue: number | null): Level[] | null {
  if (!Array.isArray(raw)) return null;
  const out: Level[] = [];
  for (const level of raw) {
    if (!Array.isArray(level) || typeof level[0] !== 'string' || typeof level[1] !== 'string') return null;
    const price = decimalText(level[0]);
    const size = decimalText(level[1]);
    if (!(price > 0) || !(size >= 0)) return null;
    const rowSize = contractValue === null ? size : multiplyDecimals(level[1], contractValue);
    out.push({ price, size, priceText: level[0], sizeText: level[1], rowSize });
  }
  return out;
}

function sideArrays(levels: Level[]): { prices: Float64Array; sizes: Float64Array } {
  return { prices: Float64Array.from(levels, (l) => l.price), sizes: Float64Array.from(levels, (l) => l.rowSize) };
}

/** A size field (ticker bidSz/askSz, trade sz) in perp-arb's units: times ctVal for a linear contract. */
function sizeField(value: unknown, contractValue: number | null): number {
  if (contractValue === null) return decimalText(value);
  return typeof value === 'string' || typeof value === 'number' ? multiplyDecimals(value, contractValue) : Number.NaN;
}

/** Whether an OKX instId's sizes are contracts to convert: a linear SWAP/FUTURES (settled in its quote). */
function isLinearContract(symbol: string): boolean {
  const parts = parseSymbol(symbol);
  return parts.kind !== 'spot' && parts.settle === parts.quote;
}

export class OkxWsParser {
  readonly messages = { tickers: 0, trades: 0, books: 0, events: 0, outgoing: 0 };
  coalescedBookRows = 0;
  checksumsVerified = 0;
  checksumsMissing = 0;
  private readonly books = new Map<string, Book>();
  private readonly pending = new Map<string, PendingRow>();
  private readonly eventCounts = new Map<string, number>();
  /** Linear contracts converted to base units: instId -> ctVal used. */
  private readonly converted = new Map<string, number>();
  /** Messages rejected per linear instId whose ctVal is not known. */
  private readonly withoutContractValue = new Map<string, number>();

  addOutgoing(): void {
    this.messages.outgoing++;
  }

  add(entry: WsInLine, ctx: CaptureContext): void {
    const reject = (reason: string): void => {
      ctx.rejections.push({ source: ctx.source, line: entry.line, reason: `OKX ws: ${reason}` });
    };
    const parsed = parseJson(entry.message, ctx.source, entry.line, 'OKX ws message');
    if ('rejection' in parsed) return void ctx.rejections.push(parsed.rejection);
    const msg = parsed.value;
    if (!isRecord(msg)) return reject('message is not an object');
    if (typeof msg.event === 'string') return this.addEvent(msg, reject);
    const arg = isRecord(msg.arg) ? msg.arg : {};
    const channel = arg.channel;
    const instId = arg.instId;
    if (typeof channel !== 'string' || typeof instId !== 'string') return reject('message without arg.channel/arg.instId');
    if (channel !== 'tickers' && channel !== 'trades' && channel !== 'books') return reject(`unsupported channel '${channel}' (${instId})`);
    const symbol = okxSymbolFromInstId(instId);
    if (symbol === null) return reject(`${channel}: unsupported instId '${instId}'`);
    if (!Array.isArray(msg.data)) return reject(`${channel} ${instId}: data is not a list`);
    this.messages[channel]++;
    let contractValue: number | null = null;
    if (isLinearContract(symbol)) {
      contractValue = knownContractSize(ctx, OKX_VENUE, symbol);
      if (contractValue === null) {
        this.withoutContractValue.set(instId, (this.withoutContractValue.get(instId) ?? 0) + 1);
        return reject(
          `${channel} ${instId}: the contract value (ctVal) of this linear contract is not known, so its sizes (contracts) cannot be stored in base units; ` +
            `import the OKX instruments capture (GET /api/v5/public/instruments?instType=${instId.endsWith('-SWAP') ? 'SWAP' : 'FUTURES'}) first, or in the same import before this file (files are read in name order)`,
        );
      }
      this.converted.set(instId, contractValue);
    }
    ctx.instruments.add({ ...instrumentFromSymbol(OKX_VENUE, symbol), venueSymbol: instId });
    const key = { venue: OKX_VENUE, symbol, timeframe: null };
    for (const d of msg.data) {
      if (!isRecord(d)) {
        reject(`${channel} ${instId}: data item is not an object`);
        continue;
      }
      if (channel === 'tickers') {
        ctx.series.builder({ ...key, table: 'quotes' }).push(entry.line, {
          ts: decimalText(d.ts),
          received_at: entry.receivedAtMs,
          bid: decimalText(d.bidPx),
          bid_size: sizeField(d.bidSz, contractValue),
          ask: decimalText(d.askPx),
          ask_size: sizeField(d.askSz, contractValue),
          last: d.last === '' || d.last === undefined ? null : decimalText(d.last),
        });
      } else if (channel === 'trades') {
        ctx.series.builder({ ...key, table: 'trades' }).push(entry.line, {
          ts: decimalText(d.ts),
          received_at: entry.receivedAtMs,
          price: decimalText(d.px),
          amount: sizeField(d.sz, contractValue),
          side: typeof d.side === 'string' ? d.side : null,
          trade_id: typeof d.tradeId === 'string' ? d.tradeId : null,
        });
      } else {
        this.addBook(instId, symbol, contractValue, msg.action, d, entry, ctx, reject);
      }
    }
  }

  private addEvent(msg: Record<string, unknown>, reject: (reason: string) => void): void {
    const event = msg.event as string;
    this.messages.events++;
    if (event === 'subscribe' || event === 'unsubscribe') {
      this.eventCounts.set(event, (this.eventCounts.get(event) ?? 0) + 1);
      return;
    }
    reject(`event '${event}'${msg.code !== undefined ? ` code ${String(msg.code)}` : ''}${msg.msg ? `: ${String(msg.msg)}` : ''}`);
  }

  private addBook(
    instId: string,
    symbol: string,
    contractValue: number | null,
    action: unknown,
    d: Record<string, unknown>,
    entry: WsInLine,
    ctx: CaptureContext,
    reject: (reason: string) => void,
  ): void {
    let book = this.books.get(instId);
    if (action === 'snapshot') {
      book = { bids: new BookSide(true), asks: new BookSide(false), brokenAtLine: null, lastSeqId: null };
      this.books.set(instId, book);
    } else if (action !== 'update') {
      return reject(`books ${instId}: unknown action '${String(action)}'`);
    } else if (!book) {
      return reject(`books ${instId}: update before any snapshot`);
    } else if (book.brokenAtLine !== null) {
      return reject(`books ${instId}: update skipped, the book is out of sync since line ${book.brokenAtLine} (waiting for a snapshot)`);
    }
    const bids = parseLevels(d.bids, contractValue);
    const asks = parseLevels(d.asks, contractValue);
    const ts = decimalText(d.ts);
    if (!bids || !asks || !Number.isInteger(ts)) {
      book.brokenAtLine = entry.line;
      return reject(`books ${instId}: bids/asks are not [price, size, ...] strings or ts is not epoch ms; book out of sync`);
    }
    const seqId = typeof d.seqId === 'number' ? d.seqId : null;
    if (seqId !== null && typeof d.prevSeqId === 'number' && d.prevSeqId !== -1 && book.lastSeqId !== null && d.prevSeqId !== book.lastSeqId) {
      book.brokenAtLine = entry.line;
      return reject(`books ${instId}: prevSeqId ${d.prevSeqId} does not follow seqId ${book.lastSeqId}; book out of sync`);
    }
    for (const level of bids) book.bids.apply(level);
    for (const level of asks) book.asks.apply(level);
    if (typeof d.checksum === 'number') {
      const computed = bookChecksum(book.bids, book.asks);
      if (computed !== d.checksum) {
        book.brokenAtLine = entry.line;
        return reject(`books ${instId} (${String(action)}): checksum mismatch, computed ${computed}, message has ${d.checksum}; book out of sync until the next snapshot`);
      }
      this.checksumsVerified++;
    } else {
      this.checksumsMissing++;
    }
    book.lastSeqId = seqId;
    const b = sideArrays(book.bids.top(OKX_BOOK_ROW_DEPTH));
    const a = sideArrays(book.asks.top(OKX_BOOK_ROW_DEPTH));
    const row = {
      ts,
      received_at: entry.receivedAtMs,
      bid_prices: b.prices,
      bid_sizes: b.sizes,
      ask_prices: a.prices,
      ask_sizes: a.sizes,
      sequence: seqId,
    };
    const previous = this.pending.get(instId);
    if (previous && previous.row.ts === ts) {
      this.coalescedBookRows++;
    } else if (previous) {
      this.flushBook(symbol, previous, ctx);
    }
    this.pending.set(instId, { line: entry.line, row });
  }

  private flushBook(symbol: string, pending: PendingRow, ctx: CaptureContext): void {
    ctx.series.builder({ table: 'books', venue: OKX_VENUE, symbol, timeframe: null }).push(pending.line, pending.row);
  }

  finish(ctx: CaptureContext): void {
    for (const [instId, pending] of this.pending) this.flushBook(okxSymbolFromInstId(instId)!, pending, ctx);
    this.pending.clear();
    const m = this.messages;
    if (m.tickers + m.trades + m.books + m.events + m.outgoing === 0) return;
    const converted = [...this.converted].map(([instId, ctVal]) => `${instId} x ${ctVal}`).join(', ') || 'none in this file';
    const events = [...this.eventCounts].map(([e, n]) => `${n} ${e}`).join(', ') || 'none';
    ctx.notes.push(
      `OKX ws: ${m.tickers} tickers, ${m.trades} trades, ${m.books} books messages; ${m.events} event messages (${events} acks, no rows); ${m.outgoing} outgoing requests (no rows)`,
      `OKX ws books: ${this.checksumsVerified} checksums verified, ${this.checksumsMissing} messages without a checksum; ${this.coalescedBookRows} book states replaced by a later message with the same ts (one row per ts)`,
      `OKX ws: sizes are stored in base units for SPOT and linear SWAP/FUTURES (OKX's contracts times ctVal from /api/v5/public/instruments: ${converted}), in contracts for inverse SWAP/FUTURES; book rows hold the top 50 levels per side`,
    );
    if (this.withoutContractValue.size > 0) {
      const which = [...this.withoutContractValue].map(([instId, n]) => `${instId} (${n})`).join(', ');
      ctx.notes.push(`OKX ws: messages of linear contracts whose ctVal is not known were rejected: ${which}; import the OKX instruments capture first or in the same import`);
    }
  }
}
