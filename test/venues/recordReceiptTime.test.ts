import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { MarketStore } from '../../src/data/store/marketStore.ts';
import type { SeriesKey } from '../../src/domain/series.ts';
import { CcxtMarketDataVenue } from '../../src/venues/ccxt/ccxtMarketDataVenue.ts';
import { recordedTimes } from '../../src/ingest/record/bookRecording.ts';
import { Recorder } from '../../src/ingest/record/recorder.ts';
import type { BookSnapshotEvent } from '../../src/domain/events.ts';
import { useTempDirs } from '../support/tempDir.ts';
import { describeRequest } from './support/loopbackServer.ts';
import { BASE_TS, journalQuoteCount, okxLevels, range, sendPaced, startOkxRecordingServer, waitUntil, type OkxRecordingServer } from './support/recordHarness.ts';

const SYMBOL = 'BTC/USDT:USDT';
const QUOTES: SeriesKey = { table: 'quotes', venue: 'okx', symbol: SYMBOL, timeframe: null };
const BOOKS: SeriesKey = { table: 'books', venue: 'okx', symbol: SYMBOL, timeframe: null };

describe('recordedTimes', () => {
  const book = (times: Pick<BookSnapshotEvent, 'ts' | 'receivedAt' | 'tsSource'>): BookSnapshotEvent => ({ type: 'book', venue: 'okx', symbol: SYMBOL, bids: [], asks: [], sequence: null, ...times });
  const now = () => 999;

  it('keeps a venue time; a receipt time becomes both ts and received_at, never passed off as the venue time', () => {
    expect(recordedTimes(book({ ts: 100, receivedAt: 130, tsSource: 'venue' }), now)).toEqual({ ts: 100, receivedAt: 130, receiptStamped: false });
    expect(recordedTimes(book({ ts: 100, receivedAt: 130, tsSource: 'receipt' }), now)).toEqual({ ts: 130, receivedAt: 130, receiptStamped: true });
    // No tsSource: a source's own time (as stored data); no receipt time: the recorder's clock.
    expect(recordedTimes(book({ ts: 100, receivedAt: null }), now)).toEqual({ ts: 100, receivedAt: 999, receiptStamped: false });
    expect(recordedTimes(book({ ts: 100, receivedAt: null, tsSource: 'receipt' }), now)).toEqual({ ts: 999, receivedAt: 999, receiptStamped: true });
  });
});

describe('Recorder: a book the venue sent without a time (okx books5 without ts, loopback, in process)', () => {
  const tempDir = useTempDirs();
  let server: OkxRecordingServer | null = null;
  let venue: CcxtMarketDataVenue | null = null;
  afterEach(async () => {
    await venue?.close();
    await server?.close();
    venue = null;
    server = null;
  });

  it('stores its rows with ts = received_at = the receipt time, counts them and logs the first; rows with a venue time keep it', async () => {
    const store = tempDir();
    // Messages 0..2 carry the venue's ts, 3..5 none; each is sent once the previous one is in the journal.
    server = await startOkxRecordingServer((_c, _i, send) => {
      void (async () => {
        const before = await sendPaced(send, range(0, 3), store, 0);
        await sendPaced((n) => send(n, { venueTime: false }), range(3, 6), store, before);
      })().catch(() => undefined);
    });
    venue = new CcxtMarketDataVenue('okx', { loopbackBaseUrl: server.rest.baseUrl, loopbackWsBaseUrl: server.ws.baseUrl, timeoutMs: 5_000, rateLimitMs: 1, now: Date.now });
    const recorder = await Recorder.start({ venue, symbols: [SYMBOL], kinds: ['book'], depth: 2, store: new MarketStore(store), staleAfterMs: 60_000, flushIntervalMs: 20 });
    await waitUntil(() => journalQuoteCount(store) === 6, `6 quotes in the journal (sent: ${JSON.stringify(server.sent)})`);
    const summary = await recorder.stop('test');
    expect(summary.error).toBeNull();
    expect(summary.counts).toMatchObject({ quotes: 6, books: 6, receiptStamped: 3 });
    expect(summary.store.added).toEqual({ 'quotes/okx/BTC/USDT:USDT': 6, 'books/okx/BTC/USDT:USDT': 6 });
    expect(server.rest.unmatched.map(describeRequest)).toEqual([]);

    const quotes = await new MarketStore(store).read(QUOTES);
    const col = (name: string) => Array.from(quotes.columns[name] as Float64Array);
    const [ts, receivedAt, bid] = [col('ts'), col('received_at'), col('bid')];
    // The venue-stamped rows (2024-06-03) sort before the receipt-stamped ones (now).
    expect(bid).toEqual(range(0, 6).map((n) => okxLevels(n).bid));
    expect(ts.slice(0, 3)).toEqual([0, 1, 2].map((n) => BASE_TS + n * 100));
    for (let k = 0; k < 3; k++) expect(receivedAt[k]).toBeGreaterThan(ts[k]); // a venue time stays distinct from the receipt time
    for (let k = 3; k < 6; k++) {
      expect(ts[k]).toBe(receivedAt[k]);
      const sent = server.sent.find((m) => m.n === k)!;
      expect(sent.venueTime).toBe(false);
      expect(ts[k]).toBeGreaterThanOrEqual(sent.sentAt);
      expect(ts[k]).toBeLessThanOrEqual(summary.stoppedAt);
    }

    const books = await new MarketStore(store).read(BOOKS);
    expect(Array.from(books.columns.ts as Float64Array)).toEqual(ts);
    expect(Array.from(books.columns.received_at as Float64Array)).toEqual(receivedAt);

    const log = readFileSync(summary.log, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { type: string; [k: string]: unknown });
    const notes = log.filter((e) => e.type === 'receiptTime');
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({ symbol: SYMBOL, ts: ts[3] });
    expect(log.at(-1)).toMatchObject({ type: 'stop', counts: { receiptStamped: 3 } });
  });
});
