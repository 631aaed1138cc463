import { errors, type Exchange } from 'ccxt';
import { OKX_CHECKSUM_DEPTH, okxBookChecksum } from '../../domain/okxBookChecksum.ts';

/** OKX checksums the top 25 levels of each side. */

/** A price level as the venue wrote it: the checksum is over these strings, not over parsed numbers. */
type LevelTexts = Map<number, [priceText: string, sizeText: string]>;
interface BookTexts {
  bids: LevelTexts;
  asks: LevelTexts;
}

/** The parts of ccxt.pro's okx class this hook touches (ccxt's own handleOrderBookMessage signature). */
interface OkxPro {
  id: string;
  orderbooks: Record<string, unknown>;
  handleOrderBookMessage: (client: WsClient, message: Record<string, unknown>, orderbook: CcxtBook, messageHash: string, market?: unknown) => unknown;
  [INSTALLED]?: true;
}
interface WsClient {
  subscriptions: Record<string, unknown>;
  reject: (error: Error, messageHash: string) => void;
}
interface CcxtBook {
  [INVALIDATED]?: true;
  symbol?: string;
  bids: ArrayLike<[number, number]>;
  asks: ArrayLike<[number, number]>;
}

const INSTALLED = Symbol('perp-arb book checksums');
const INVALIDATED = Symbol('perp-arb invalidated book');

/**
 * Whether ccxt dropped this book object after a failed check. ccxt resolves the same mutable book for
 * every message, and several messages can be handled in one tick: a caller copying the book after
 * `watchOrderBook` resolves may see the levels of a later message that then failed its check.
 */
export function isInvalidatedBook(book: object): boolean {
  return (book as { [INVALIDATED]?: true })[INVALIDATED] === true;
}

/**
 * OKX's signed CRC32 of 'bidPx:bidSz:askPx:askSz:...' over the top 25 levels of each side, using the
 * strings as sent (documented in OKX v5 "Checksum"; the same rule as src/data/import/cryptofeed/okxWs.ts).
 * Null when a level of the book has no recorded text (the book and its texts disagree).
 */
export function okxChecksum(book: CcxtBook, texts: BookTexts): number | null {
  const sideTexts = (side: CcxtBook['bids'], map: LevelTexts): [string, string][] | null => {
    const out: [string, string][] = [];
    for (let i = 0; i < Math.min(side.length, OKX_CHECKSUM_DEPTH); i++) {
      const text = map.get(side[i][0]);
      if (!text) return null;
      out.push(text);
    }
    return out;
  };
  const bids = sideTexts(book.bids, texts.bids);
  const asks = sideTexts(book.asks, texts.asks);
  return bids === null || asks === null ? null : okxBookChecksum(bids, asks);
}

function applyTexts(map: LevelTexts, levels: unknown): void {
  if (!Array.isArray(levels)) return;
  for (const level of levels) {
    if (!Array.isArray(level) || typeof level[0] !== 'string' || typeof level[1] !== 'string') continue;
    // ccxt keys its book by parseFloat of the same strings (safeFloat), so the keys match its levels.
    const price = parseFloat(level[0]);
    if (parseFloat(level[1]) === 0) map.delete(price);
    else map.set(price, [level[0], level[1]]);
  }
}

/** Keeps only the levels ccxt still holds (it trims its book to the channel depth; OKX sends no delete for those). */
function prune(map: LevelTexts, side: ArrayLike<[number, number]>): void {
  if (map.size <= side.length + 64) return;
  const keep = new Set(Array.from(side, (level) => level[0]));
  for (const price of map.keys()) if (!keep.has(price)) map.delete(price);
}

/**
 * ccxt 4.5.84's okx watchOrderBook checks OKX's seqId/prevSeqId but not the `checksum` each `books`
 * message carries. This hook verifies it after ccxt applies the message; on a mismatch it does what
 * ccxt does for a sequence gap: drops the book and the subscription and rejects the watcher with a
 * ChecksumError, so the next watchOrderBook call resubscribes and starts from a fresh snapshot
 * (the caller sees a `bookGap`). Messages without a checksum (books5, bbo-tbt) are left alone.
 * Other exchanges are not touched. Idempotent.
 */
export function installBookChecksums(exchange: Exchange): void {
  const pro = exchange as unknown as OkxPro;
  if (pro.id !== 'okx' || typeof pro.handleOrderBookMessage !== 'function' || pro[INSTALLED]) return;
  pro[INSTALLED] = true;
  const texts = new WeakMap<CcxtBook, BookTexts>(); // ccxt makes a new book object for each snapshot
  const original = pro.handleOrderBookMessage;
  pro.handleOrderBookMessage = function checkedOrderBookMessage(client, message, orderbook, messageHash, market) {
    let bookTexts = texts.get(orderbook);
    if (!bookTexts) {
      bookTexts = { bids: new Map(), asks: new Map() };
      texts.set(orderbook, bookTexts);
    }
    applyTexts(bookTexts.bids, message.bids);
    applyTexts(bookTexts.asks, message.asks);
    const result = original.call(this, client, message, orderbook, messageHash, market);
    if (!(messageHash in client.subscriptions)) {
      orderbook[INVALIDATED] = true; // ccxt's own seqId check failed after applying the message
      return result;
    }
    const expected = message.checksum;
    if (typeof expected !== 'number') return result;
    prune(bookTexts.bids, orderbook.bids);
    prune(bookTexts.asks, orderbook.asks);
    const computed = okxChecksum(orderbook, bookTexts);
    if (computed === expected) return result;
    const symbol = orderbook.symbol;
    orderbook[INVALIDATED] = true;
    delete client.subscriptions[messageHash];
    if (symbol !== undefined) delete this.orderbooks[symbol];
    const at = typeof message.ts === 'string' ? ` (ts ${message.ts})` : '';
    client.reject(new errors.ChecksumError(`${this.id} ${messageHash}: order book checksum mismatch${at}: computed ${computed ?? 'none (book and level texts disagree)'}, venue sent ${expected}`), messageHash);
    return result;
  };
}
