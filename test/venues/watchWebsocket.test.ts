import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BookStreamEvent } from '../../src/venues/types.ts';
import { useVenueHarness } from './support/venueHarness.ts';
import { startWsServer, type WsTestServer } from './support/wsServer.ts';

const ARG = { channel: 'books5', instId: 'BTC-USDT-SWAP' };

/** An OKX v5 books5 push (documented format: price, size in contracts, '0', order count). */
function books5(seqId: number, bid: string): string {
  return JSON.stringify({
    arg: ARG,
    data: [{ asks: [['67750.2', '590.8', '0', '9'], ['67750.3', '0.2', '0', '1']], bids: [[bid, '327.1', '0', '4'], ['67750', '1.5', '0', '2']], instId: 'BTC-USDT-SWAP', ts: String(Date.now()), seqId }],
  });
}

describe('watchOrderBook over websocket (okx books5 through ccxt.pro, loopback)', () => {
  const harness = useVenueHarness('okx');
  let ws: WsTestServer;
  const subscriptions: string[] = [];
  /**
   * Sends the current connection's second message. Each connection's two books go one at a time: the
   * first on subscription, the second only once the consumer has seen the first. ccxt hands a waiting
   * watch call the latest state of its book, so two messages that reach it in one read would be one book.
   */
  let sendSecond: () => void = () => {
    throw new Error('no subscription yet');
  };

  beforeAll(async () => {
    ws = await startWsServer((connection, text) => {
      if (text === 'ping') return connection.send('pong');
      const message = JSON.parse(text) as { op: string; args: { channel: string; instId: string }[] };
      if (message.op !== 'subscribe') return;
      subscriptions.push(`${connection.path} ${JSON.stringify(message.args)}`);
      connection.send(JSON.stringify({ event: 'subscribe', arg: message.args[0], connId: 'a4d3ae55' }));
      const n = subscriptions.length;
      connection.send(books5(1000 * n + 1, '67750.1'));
      sendSecond = () => connection.send(books5(1000 * n + 2, '67750.0'));
    });
  });
  afterAll(async () => {
    await ws?.close();
  });

  it('streams books, and after a dropped socket reconnects with backoff and resubscribes', async () => {
    const venue = harness.venue({ now: Date.now, loopbackWsBaseUrl: ws.baseUrl });
    const events: BookStreamEvent[] = [];
    for await (const event of venue.watchOrderBook('BTC/USDT:USDT', { depth: 5, backoffInitialMs: 10, staleAfterMs: 5_000 })) {
      events.push(event);
      if (event.type !== 'book') continue;
      const books = events.filter((e) => e.type === 'book').length;
      if (books === 1 || books === 3) sendSecond(); // the first book of a connection is in: now its second
      if (books === 2) ws.connections[0].drop();
      if (books === 4) break;
    }
    const types = events.map((e) => e.type);
    expect(types.slice(0, 2)).toEqual(['book', 'book']);
    expect(types).toContain('reconnect');
    expect(types.at(-1)).toBe('book');
    const first = events[0];
    expect(first.type === 'book' && first.bids[0]).toEqual({ price: 67750.1, size: 3.271 }); // 327.1 contracts of 0.01 BTC
    expect(first.type === 'book' && first.asks[0]).toEqual({ price: 67750.2, size: 5.908 });
    // Every message is its own book, on both connections (ccxt reads no sequence from books5: the best bids tell them apart).
    expect(events.flatMap((e) => (e.type === 'book' ? [e.bids[0].price] : []))).toEqual([67750.1, 67750, 67750.1, 67750]);
    expect(subscriptions).toEqual([
      `/ws.okx.com:8443/ws/v5/public ${JSON.stringify([ARG])}`,
      `/ws.okx.com:8443/ws/v5/public ${JSON.stringify([ARG])}`,
    ]);
    expect(ws.connections).toHaveLength(2);
  });
});
