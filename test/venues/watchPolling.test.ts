import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import type { BookStreamEvent } from '../../src/venues/types.ts';
import { loadVenueFixtures } from './support/fixtureFiles.ts';
import { useVenueHarness } from './support/venueHarness.ts';

const depthFixture = loadVenueFixtures('binance').find((f) => f.name === 'binance/usdm-depth-BTCUSDT.json')!;
const depthBody = depthFixture.response.body as { lastUpdateId: number; bids: string[][]; asks: string[][] };

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function take(stream: AsyncIterable<BookStreamEvent>, count: number): Promise<BookStreamEvent[]> {
  const out: BookStreamEvent[] = [];
  for await (const event of stream) {
    out.push(event);
    if (out.length === count) break;
  }
  return out;
}

const FAST = { forcePolling: true, pollIntervalMs: 5, backoffInitialMs: 5, backoffMaxMs: 20, depth: 5 } as const;

describe('watchOrderBook by REST polling (binance USDT-M, loopback)', () => {
  const harness = useVenueHarness('binance');

  it('polls books with receipt times from the local clock', async () => {
    const venue = harness.venue({ now: Date.now });
    const before = Date.now();
    const events = await take(venue.watchOrderBook('BTC/USDT:USDT', FAST), 2);
    expect(events.map((e) => e.type)).toEqual(['book', 'book']);
    const first = events[0];
    expect(first.type === 'book' && first.bids[0]).toEqual({ price: 67750.1, size: 3.271 });
    expect(first.receivedAt).toBeGreaterThanOrEqual(before);
  });

  it('reports a failure as a reconnect event with its backoff, then resumes', async () => {
    const venue = harness.venue({ now: Date.now });
    let calls = 0;
    harness.server().override((req, res) => {
      if (req.path !== '/fapi/v1/depth' || ++calls > 2) return false;
      send(res, 503, { code: -1001, msg: 'Internal error; unable to process your request. Please try again.' });
      return true;
    });
    const events = await take(venue.watchOrderBook('BTC/USDT:USDT', FAST), 3);
    expect(events.map((e) => e.type)).toEqual(['reconnect', 'reconnect', 'book']);
    const [first, second] = events;
    expect(first).toMatchObject({ type: 'reconnect', venue: 'binance', channel: 'fetchOrderBook', attempt: 1 });
    expect(second).toMatchObject({ type: 'reconnect', attempt: 2 });
    expect(first.type === 'reconnect' && first.error).toMatch(/^binance fetchOrderBook: network: OperationFailed: .*-1001/);
  });

  it('reports silence past staleAfterMs as a stale event, then the late book', async () => {
    const venue = harness.venue({ now: Date.now });
    // The server holds the answer until the test has seen the stale event: no race with the machine's load.
    let release: () => void = () => {};
    harness.server().override((req, res) => {
      if (req.path !== '/fapi/v1/depth') return false;
      release = () => send(res, 200, depthBody);
      return true;
    });
    const stream = venue.watchOrderBook('BTC/USDT:USDT', { ...FAST, staleAfterMs: 100 })[Symbol.asyncIterator]();
    const stale = (await stream.next()).value as BookStreamEvent;
    expect(stale).toMatchObject({ type: 'stale', venue: 'binance', symbol: 'BTC/USDT:USDT', channel: 'fetchOrderBook' });
    expect(stale.type === 'stale' && stale.silentForMs).toBeGreaterThanOrEqual(100);
    release();
    const book = (await stream.next()).value as BookStreamEvent;
    expect(book.type).toBe('book');
    await stream.return?.();
  });

  it('reports a sequence that goes back as a book gap', async () => {
    const venue = harness.venue({ now: Date.now });
    let calls = 0;
    harness.server().override((req, res) => {
      if (req.path !== '/fapi/v1/depth') return false;
      calls++;
      send(res, 200, { ...depthBody, lastUpdateId: depthBody.lastUpdateId - (calls === 2 ? 100 : 0) });
      return true;
    });
    const events = await take(venue.watchOrderBook('BTC/USDT:USDT', FAST), 3);
    expect(events.map((e) => e.type)).toEqual(['book', 'bookGap', 'book']);
    expect(events[1]).toMatchObject({ previousSequence: depthBody.lastUpdateId, sequence: depthBody.lastUpdateId - 100, reason: 'sequence went back' });
  });

  it('ends the stream with the error when it cannot be retried (bad symbol)', async () => {
    const venue = harness.venue({ now: Date.now });
    harness.server().override((req, res) => {
      if (req.path !== '/fapi/v1/depth') return false;
      send(res, 400, { code: -1121, msg: 'Invalid symbol.' });
      return true;
    });
    await expect(take(venue.watchOrderBook('BTC/USDT:USDT', FAST), 1)).rejects.toMatchObject({ venue: 'binance', kind: 'badSymbol' });
  });

  it('gives up after maxConsecutiveFailures', async () => {
    const venue = harness.venue({ now: Date.now });
    harness.server().override((req, res) => {
      if (req.path !== '/fapi/v1/depth') return false;
      send(res, 429, { code: -1003, msg: 'Too many requests.' });
      return true;
    });
    const seen: BookStreamEvent[] = [];
    await expect(
      (async () => {
        for await (const e of venue.watchOrderBook('BTC/USDT:USDT', { ...FAST, maxConsecutiveFailures: 2 })) seen.push(e);
      })(),
    ).rejects.toMatchObject({ kind: 'rateLimited' });
    expect(seen.map((e) => e.type)).toEqual(['reconnect', 'reconnect']);
  });
});
