import { readFileSync } from 'node:fs';
import { dataPath } from '../../support/paths.ts';

export const BINANCE_DEPTH_CAPTURE = dataPath('raw_exchange_api_captures__bmoscon_cryptofeed', 'at_ce58c2a0015040aa2271e80bac783d74fa2cdcff', 'BINANCE_FUTURES.http.0.0');

/** A USDT-M `GET /fapi/v1/depth` answer (documented shape: lastUpdateId, E, T, bids and asks as [price, qty] strings). */
export interface DepthSnapshot {
  lastUpdateId: number;
  E: number;
  T: number;
  bids: [string, string][];
  asks: [string, string][];
}

/** A USDT-M diff-depth stream event (`<symbol>@depth@100ms`): U first and u last update id, pu the previous event's u. */
export interface DepthUpdate {
  e: 'depthUpdate';
  E: number;
  T: number;
  s: string;
  U: number;
  u: number;
  pu: number;
  b: [string, string][];
  a: [string, string][];
}

/** The captured depth snapshot of one symbol (2021-07-22, limit=1000), read in place, as Binance sent it. */
export function capturedDepthSnapshot(symbol: string): { url: string; body: DepthSnapshot } {
  for (const line of readFileSync(BINANCE_DEPTH_CAPTURE, 'utf8').split('\n')) {
    const arrow = line.indexOf(' -> ');
    if (arrow < 0) continue;
    const url = line.slice(0, arrow);
    if (new URL(url).searchParams.get('symbol') !== symbol) continue;
    return { url, body: JSON.parse(line.slice(line.indexOf(': ', arrow) + 2)) as DepthSnapshot };
  }
  throw new Error(`${BINANCE_DEPTH_CAPTURE}: no depth snapshot of ${symbol}`);
}

export type Levels = { price: number; size: number }[];

/** Applies depth diffs to a snapshot the plain way (quantity 0 deletes a level); best first, at most `limit` levels a side. */
export function replayDepth(snapshot: Pick<DepthSnapshot, 'bids' | 'asks'>, updates: Pick<DepthUpdate, 'b' | 'a'>[], limit = Infinity): { bids: Levels; asks: Levels } {
  const bids = new Map(snapshot.bids.map(([p, q]) => [Number(p), Number(q)]));
  const asks = new Map(snapshot.asks.map(([p, q]) => [Number(p), Number(q)]));
  for (const update of updates) {
    for (const [side, levels] of [[bids, update.b], [asks, update.a]] as const) {
      for (const [p, q] of levels) {
        if (Number(q) === 0) side.delete(Number(p));
        else side.set(Number(p), Number(q));
      }
    }
  }
  const sorted = (side: Map<number, number>, descending: boolean) =>
    [...side]
      .map(([price, size]) => ({ price, size }))
      .sort((x, y) => (descending ? y.price - x.price : x.price - y.price))
      .slice(0, limit);
  return { bids: sorted(bids, true), asks: sorted(asks, false) };
}

/** A book as a depth snapshot answer with the given ids (prices with the capture's 4 decimals). */
export function asDepthSnapshot(book: { bids: Levels; asks: Levels }, lastUpdateId: number, E: number): DepthSnapshot {
  const text = (levels: Levels): [string, string][] => levels.map(({ price, size }) => [price.toFixed(4), String(size)]);
  return { lastUpdateId, E, T: E - 3, bids: text(book.bids), asks: text(book.asks) };
}
