import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BookSnapshotEvent } from '../../src/domain/events.ts';
import type { BookStreamEvent } from '../../src/venues/types.ts';
import { asDepthSnapshot, capturedDepthSnapshot, replayDepth, type DepthSnapshot, type DepthUpdate } from './support/binanceDepth.ts';
import { loadVenueFixtures } from './support/fixtureFiles.ts';
import { useVenueHarness } from './support/venueHarness.ts';
import { startWsServer, type WsConnection, type WsTestServer } from './support/wsServer.ts';

/**
 * Binance USDT-M diff depth through ccxt.pro's real binance client on loopback: ccxt subscribes to
 * `sushiusdt@depth@100ms`, fetches the REST snapshot (here the real SUSHIUSDT `/fapi/v1/depth?limit=1000`
 * answer of the cryptofeed capture, 1000 levels a side), buffers and applies the diffs, checking
 * U <= lastUpdateId <= u for the first and pu = previous u for the rest. A diff whose pu skips is a gap.
 */
const SYMBOL = 'SUSHI/USDT:USDT';
const CAPTURED = capturedDepthSnapshot('SUSHIUSDT');
const L0 = CAPTURED.body.lastUpdateId;
const E0 = CAPTURED.body.E;
const LIMIT = 1000; // ccxt asks for 1000 levels and keeps at most that many a side

const diff = (E: number, U: number, u: number, pu: number, b: [string, string][], a: [string, string][]): DepthUpdate => ({ e: 'depthUpdate', E, T: E - 2, s: 'SUSHIUSDT', U, u, pu, b, a });

// Phase 1: the captured snapshot, then two diffs (the first straddles lastUpdateId, the second continues it).
const D1 = diff(E0 + 100, L0 - 5, L0 + 3, L0 - 6, [['7.6110', '0'], ['7.6100', '40']], [['7.6120', '350']]);
const D2 = diff(E0 + 200, L0 + 4, L0 + 9, L0 + 3, [['7.6090', '75']], [['7.6120', '0'], ['7.6130', '200']]);
// A diff whose pu (L0 + 12) is not the last u (L0 + 9): events L0+10..12 were lost.
const GAP = diff(E0 + 300, L0 + 13, L0 + 20, L0 + 12, [['7.6100', '55']], [['7.6140', '0']]);
// Phase 2: the venue's book moved on (it includes the lost events); a new snapshot and two diffs after it.
const L1 = L0 + 40;
const E1 = E0 + 400;
const SNAPSHOT2 = asDepthSnapshot(replayDepth(CAPTURED.body, [D1, D2, GAP], LIMIT), L1, E1);
const D4 = diff(E1 + 100, L1 - 2, L1 + 4, L1 - 3, [['7.6100', '60']], [['7.6130', '0']]);
const D5 = diff(E1 + 200, L1 + 5, L1 + 8, L1 + 4, [['7.6110', '9']], []);
// Phase 3: after the socket drops, a third snapshot and one diff.
const L2 = L1 + 50;
const E2 = E1 + 400;
const SNAPSHOT3 = asDepthSnapshot(replayDepth(SNAPSHOT2, [D4, D5], LIMIT), L2, E2);
const D6 = diff(E2 + 100, L2 - 1, L2 + 2, L2 - 2, [], [['7.6120', '33']]);

const SNAPSHOTS: DepthSnapshot[] = [CAPTURED.body, SNAPSHOT2, SNAPSHOT3];
const DIFFS_AFTER_SNAPSHOT: DepthUpdate[][] = [[D1, D2], [D4, D5], [D6]];

describe('watchOrderBook over Binance USDT-M diff depth (ccxt.pro binance, loopback)', () => {
  const harness = useVenueHarness('binance');
  let ws: WsTestServer;
  const subscribeRequests: string[] = [];

  beforeAll(async () => {
    ws = await startWsServer((connection, text) => {
      const message = JSON.parse(text) as { method: string; params: string[]; id: number };
      if (message.method !== 'SUBSCRIBE') return;
      subscribeRequests.push(`${connection.path} ${JSON.stringify(message.params)}`);
      connection.send(JSON.stringify({ result: null, id: message.id }));
    });
  });
  afterAll(async () => {
    await ws?.close();
  });

  /** The fapi exchangeInfo fixture with SUSHIUSDT added (tick 0.001, step 1, as the captured book's prices and sizes are). */
  function exchangeInfoWithSushi(): string {
    const fixture = loadVenueFixtures('binance').find((f) => f.name === 'binance/usdm-exchangeInfo.json');
    if (!fixture) throw new Error('binance/usdm-exchangeInfo.json is missing');
    const body = structuredClone(fixture.response.body) as { symbols: Record<string, unknown>[] };
    const btc = body.symbols.find((s) => s.symbol === 'BTCUSDT')!;
    body.symbols.push({
      ...btc,
      symbol: 'SUSHIUSDT',
      pair: 'SUSHIUSDT',
      baseAsset: 'SUSHI',
      onboardDate: 1598252400000,
      pricePrecision: 4,
      quantityPrecision: 0,
      filters: [
        { filterType: 'PRICE_FILTER', maxPrice: '1000', minPrice: '0.1530', tickSize: '0.0010' },
        { filterType: 'LOT_SIZE', maxQty: '1000000', minQty: '1', stepSize: '1' },
        { filterType: 'MARKET_LOT_SIZE', maxQty: '100000', minQty: '1', stepSize: '1' },
        { filterType: 'MIN_NOTIONAL', notional: '5' },
      ],
    });
    return JSON.stringify(body);
  }

  it('builds the book from snapshot + diffs, reports a sequence gap as bookGap and resynchronises, and survives a dropped socket', async () => {
    const depthRequests: Record<string, string>[] = [];
    const currentConnection = (): WsConnection => ws.connections.at(-1)!;
    harness.server().override((request, res) => {
      if (request.host === 'fapi.binance.com' && request.path === '/fapi/v1/exchangeInfo') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(exchangeInfoWithSushi());
        return true;
      }
      if (request.host === 'fapi.binance.com' && request.path === '/fapi/v1/depth') {
        const phase = depthRequests.length;
        depthRequests.push(request.query);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(SNAPSHOTS[phase] ?? SNAPSHOTS.at(-1)));
        // The stream goes on while the snapshot travels: ccxt buffers what arrives first.
        for (const d of DIFFS_AFTER_SNAPSHOT[phase] ?? []) currentConnection().send(JSON.stringify(d));
        return true;
      }
      return false;
    });

    const venue = harness.venue({ now: Date.now, loopbackWsBaseUrl: ws.baseUrl });
    const events: BookStreamEvent[] = [];
    const booksAt = new Map<number, BookSnapshotEvent>();
    for await (const event of venue.watchOrderBook(SYMBOL, { backoffInitialMs: 10, staleAfterMs: 30_000, maxConsecutiveFailures: 3 })) {
      events.push(event);
      if (event.type !== 'book') continue;
      booksAt.set(event.ts, event);
      if (event.ts === D2.E && !events.some((e) => e.type === 'bookGap')) currentConnection().send(JSON.stringify(GAP));
      if (event.ts === D5.E && ws.connections.length === 1) currentConnection().drop();
      if (event.ts === D6.E) break;
    }

    const kinds = events.map((e) => e.type);
    // Phase 1: the captured snapshot with D1 and D2 applied, exactly (all 1000 levels a side ccxt keeps).
    const book1 = booksAt.get(D2.E)!;
    const want1 = replayDepth(CAPTURED.body, [D1, D2], LIMIT);
    expect(book1).toMatchObject({ venue: 'binance', symbol: SYMBOL, tsSource: 'venue', sequence: L0 + 9 });
    expect({ bids: book1.bids, asks: book1.asks }).toEqual(want1);
    expect([book1.bids[0], book1.asks[0]]).toEqual([{ price: 7.61, size: 40 }, { price: 7.613, size: 200 }]);
    expect(book1.bids).toHaveLength(LIMIT);

    // The gap: one bookGap (ccxt's ChecksumError for the broken pu chain), then a reconnect, then a new snapshot.
    const gapAt = kinds.indexOf('bookGap');
    expect(kinds.filter((k) => k === 'bookGap')).toHaveLength(1);
    const gap = events[gapAt];
    expect(gap.type === 'bookGap' && gap.reason).toContain('invalidNonce: ChecksumError');
    expect(gap.type === 'bookGap' && gap.reason).toContain(`${SYMBOL} : orderbook data checksum validation failed`);
    expect(gap).toMatchObject({ previousSequence: L0 + 9, sequence: null, tsSource: 'receipt' });
    expect(kinds[gapAt + 1]).toBe('reconnect');
    expect(events.slice(0, gapAt).some((e) => e.type === 'book' && e.ts === GAP.E)).toBe(false);

    // Phase 2: the second snapshot (new lastUpdateId) with D4 and D5.
    const book2 = booksAt.get(D5.E)!;
    expect({ bids: book2.bids, asks: book2.asks }).toEqual(replayDepth(SNAPSHOT2, [D4, D5], LIMIT));
    expect(book2.sequence).toBe(L1 + 8);
    expect([book2.bids[0], book2.asks[0]]).toEqual([{ price: 7.611, size: 9 }, { price: 7.615, size: 1563 }]);

    // Phase 3: the socket dropped; a reconnect event, a new connection, a new subscription and snapshot, and the stream goes on.
    const dropAt = events.findIndex((e) => e.type === 'book' && e.ts === D5.E);
    expect(events.slice(dropAt + 1).some((e) => e.type === 'reconnect')).toBe(true);
    const book3 = events.at(-1) as BookSnapshotEvent;
    expect(book3.ts).toBe(D6.E);
    expect({ bids: book3.bids, asks: book3.asks }).toEqual(replayDepth(SNAPSHOT3, [D6], LIMIT));
    expect(book3.asks[0]).toEqual({ price: 7.612, size: 33 });

    // What ccxt asked for: three snapshots of 1000 levels, two subscriptions on the first connection, one on the second.
    expect(depthRequests).toEqual([0, 1, 2].map(() => ({ symbol: 'SUSHIUSDT', limit: '1000' })));
    expect(ws.connections).toHaveLength(2);
    const sub = `/fstream.binance.com/public/ws/0 ${JSON.stringify(['sushiusdt@depth@100ms'])}`;
    expect(subscribeRequests).toEqual([sub, sub, sub]);
    expect(CAPTURED.url).toBe('https://fapi.binance.com/fapi/v1/depth?symbol=SUSHIUSDT&limit=1000');
  });
});
