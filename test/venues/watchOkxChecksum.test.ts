import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { BookSnapshotEvent } from '../../src/domain/events.ts';
import type { BookStreamEvent } from '../../src/venues/types.ts';
import { okxBookMessages, replayOkxBook } from './support/okxBookCapture.ts';
import { useVenueHarness } from './support/venueHarness.ts';
import { startWsServer, type WsTestServer } from './support/wsServer.ts';

/**
 * OKX v5 `books` (400 levels, checksummed) through ccxt.pro's real okx client on loopback. The messages
 * are the BTC-USDT book of the cryptofeed capture (one snapshot and its updates, each with OKX's CRC32
 * checksum of the top 25 levels), served as OKX sent them. ccxt applies them; perp-arb checks each checksum.
 */
const INST_ID = 'BTC-USDT';
const SYMBOL = 'BTC/USDT';
const MESSAGES = okxBookMessages(INST_ID);
const LAST = MESSAGES.at(-1)!;
const EXPECTED = replayOkxBook(MESSAGES);
/** Levels compared exactly: well inside the 400 ccxt keeps, so its trimming of the deep end does not matter. */
const COMPARED_LEVELS = 100;

describe('watchOrderBook over okx books (400 levels) with checksums, through ccxt.pro on loopback', () => {
  const harness = useVenueHarness('okx');
  let ws: WsTestServer;
  const subscriptions: string[] = [];
  /** For each subscription (1-based), the index of the update whose checksum the server corrupts, if any. */
  let corruptOnSubscription = new Map<number, number>();
  const streams = new Map<object, number>();

  beforeAll(async () => {
    ws = await startWsServer((connection, text) => {
      if (text === 'ping') return connection.send('pong');
      const message = JSON.parse(text) as { op: string; args: { channel: string; instId: string }[] };
      if (message.op !== 'subscribe') return;
      subscriptions.push(`${connection.path} ${JSON.stringify(message.args)}`);
      connection.send(JSON.stringify({ event: 'subscribe', arg: message.args[0], connId: '5e3a0b21' }));
      const corruptAt = corruptOnSubscription.get(subscriptions.length);
      const texts = MESSAGES.map((m, k) => (k === corruptAt ? m.text.replace(`"checksum":${m.checksum}`, `"checksum":${m.checksum + 1}`) : m.text));
      // One message per timer tick, in capture order, as a stream arrives. A new subscription on the
      // connection replaces the old stream (OKX streams a channel once per connection).
      const stream = (streams.get(connection) ?? 0) + 1;
      streams.set(connection, stream);
      const sendFrom = (k: number): void => {
        if (k >= texts.length || streams.get(connection) !== stream) return;
        connection.send(texts[k]);
        setTimeout(() => sendFrom(k + 1), 1);
      };
      setTimeout(() => sendFrom(0), 2);
    });
  });
  afterEach(() => {
    subscriptions.length = 0;
    corruptOnSubscription = new Map();
  });
  afterAll(async () => {
    await ws?.close();
  });

  async function collectUntilLastBook(options: { corruptSubscriptionOne?: number }): Promise<BookStreamEvent[]> {
    if (options.corruptSubscriptionOne !== undefined) corruptOnSubscription.set(1, options.corruptSubscriptionOne);
    const venue = harness.venue({ now: Date.now, loopbackWsBaseUrl: ws.baseUrl });
    const events: BookStreamEvent[] = [];
    for await (const event of venue.watchOrderBook(SYMBOL, { backoffInitialMs: 10, staleAfterMs: 30_000, maxConsecutiveFailures: 3 })) {
      events.push(event);
      if (event.type === 'book' && event.ts === LAST.ts) break;
    }
    return events;
  }

  const top = (book: BookSnapshotEvent) => ({ bids: book.bids.slice(0, COMPARED_LEVELS), asks: book.asks.slice(0, COMPARED_LEVELS) });
  const expectedTop = { bids: EXPECTED.bids.slice(0, COMPARED_LEVELS), asks: EXPECTED.asks.slice(0, COMPARED_LEVELS) };

  it('the capture is what the test assumes: one snapshot of 400 levels a side, then checksummed updates', () => {
    expect(MESSAGES[0]).toMatchObject({ action: 'snapshot' });
    expect([MESSAGES[0].bids.length, MESSAGES[0].asks.length]).toEqual([400, 400]);
    expect(MESSAGES.length).toBe(98);
    expect(MESSAGES.slice(1).every((m) => m.action === 'update' && Number.isInteger(m.checksum))).toBe(true);
    expect(EXPECTED.bids[0].price).toBeLessThan(EXPECTED.asks[0].price);
  });

  it('correct checksums: every message passes, and the last book is the replayed book, level for level', async () => {
    const events = await collectUntilLastBook({});
    expect(events.filter((e) => e.type !== 'book')).toEqual([]);
    const last = events.at(-1) as BookSnapshotEvent;
    expect(last).toMatchObject({ venue: 'okx', symbol: SYMBOL, ts: LAST.ts, tsSource: 'venue', sequence: null });
    expect(top(last)).toEqual(expectedTop);
    // Pinned from the capture: the best levels after the last update (2022-05-13T16:27:08Z).
    expect([last.bids[0], last.asks[0]]).toEqual([EXPECTED.bids[0], EXPECTED.asks[0]]);
    expect(subscriptions).toEqual([`/ws.okx.com:8443/ws/v5/public ${JSON.stringify([{ channel: 'books', instId: INST_ID }])}`]);
  });

  it('a corrupted checksum: bookGap naming the mismatch, a resubscription with a fresh snapshot, and the right book afterwards', async () => {
    const corruptAt = 40;
    const connectionsBefore = ws.connections.length;
    const events = await collectUntilLastBook({ corruptSubscriptionOne: corruptAt });
    const kinds = events.map((e) => e.type);
    const gapAt = kinds.indexOf('bookGap');
    expect(gapAt).toBeGreaterThan(0);
    expect(kinds.filter((k) => k === 'bookGap')).toHaveLength(1);
    const gap = events[gapAt];
    expect(gap).toMatchObject({ type: 'bookGap', venue: 'okx', symbol: SYMBOL, tsSource: 'receipt', sequence: null });
    expect(gap.type === 'bookGap' && gap.reason).toContain(`order book checksum mismatch (ts ${MESSAGES[corruptAt].ts})`);
    expect(gap.type === 'bookGap' && gap.reason).toContain(`venue sent ${MESSAGES[corruptAt].checksum + 1}`);
    expect(kinds[gapAt + 1]).toBe('reconnect');
    // Before the gap no book past the corrupted update was emitted.
    const beforeGap = events.slice(0, gapAt).filter((e): e is BookSnapshotEvent => e.type === 'book');
    expect(beforeGap.every((b) => b.ts < MESSAGES[corruptAt].ts)).toBe(true);
    // ccxt resubscribed on the same connection; the server sent a new snapshot and the updates again.
    expect(subscriptions).toHaveLength(2);
    expect(ws.connections.length - connectionsBefore).toBe(1);
    const last = events.at(-1) as BookSnapshotEvent;
    expect(last).toMatchObject({ type: 'book', ts: LAST.ts, tsSource: 'venue' });
    expect(top(last)).toEqual(expectedTop);
  });
});

