import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MarketStore } from '../../src/data/store/marketStore.ts';
import type { BookSnapshotEvent, FundingRateEvent } from '../../src/domain/events.ts';
import type { SeriesKey } from '../../src/domain/series.ts';
import { compactJournal } from '../../src/ingest/record/compact.ts';
import { RecordingJournal } from '../../src/ingest/record/journal.ts';
import { Recorder } from '../../src/ingest/record/recorder.ts';
import type { QuoteRecord } from '../../src/ingest/record/recordTypes.ts';
import { sessionPaths } from '../../src/ingest/record/sessionFiles.ts';
import type { BookStreamEvent, FundingRateQuoteEvent, MarketDataVenue } from '../../src/venues/types.ts';
import { runCli } from '../support/cli.ts';
import { useTempDirs } from '../support/tempDir.ts';
import { BASE_TS, journalQuoteCount, okxLevels, range, sendPaced, spawnCli, startOkxRecordingServer, waitUntil, type OkxRecordingServer, type RecorderProcess } from './support/recordHarness.ts';

const YEAR_10000_MS = 253_402_300_800_000;
const SYMBOL = 'BTC/USDT:USDT';
const EIGHT_H = 8 * 3_600_000;
const QUOTES: SeriesKey = { table: 'quotes', venue: 'okx', symbol: SYMBOL, timeframe: null };

const logOf = (path: string) => readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; [k: string]: unknown });

describe('compaction applies the plausibility bounds to journal records', () => {
  const tempDir = useTempDirs();
  const T0 = 1_717_372_800_000;
  const quote = (k: number, overrides: Partial<QuoteRecord> = {}): QuoteRecord => ({ kind: 'quote', symbol: SYMBOL, ts: T0 + k * 100, receivedAt: T0 + k * 100 + 7, bid: 100 + k, bidSize: 1, ask: 100.5 + k, askSize: 2, ...overrides });

  it('a record stamped year 10000 and a settlement of rate 5 are rejected with journal id; the rest is stored and the store stays readable', async () => {
    const store = tempDir();
    mkdirSync(join(store, 'recording'), { recursive: true });
    const journal = RecordingJournal.create(sessionPaths(store, 's1').journal, { session: 's1', venue: 'okx', pid: process.pid, startedAt: T0 });
    journal.append(quote(0));
    journal.append(quote(1, { ts: YEAR_10000_MS }));
    journal.append(quote(2));
    journal.append({ kind: 'funding', symbol: SYMBOL, ts: T0, receivedAt: T0 + 5, rate: 5, intervalMs: EIGHT_H, markPrice: null });
    journal.append({ kind: 'funding', symbol: SYMBOL, ts: T0 + EIGHT_H, receivedAt: T0 + EIGHT_H + 5, rate: 0.0001, intervalMs: EIGHT_H, markPrice: 67_000 });
    const result = await compactJournal(journal, new MarketStore(store), 'okx', T0 + EIGHT_H + 1_000);
    expect(result.rejected).toEqual([
      { source: journal.path, line: 2, reason: 'ts +010000-01-01T00:00:00.000Z is more than a day after now (2024-06-03T08:00:01.000Z)' },
      { source: journal.path, line: 4, reason: 'rate 5 per interval is beyond ±0.1 (venues cap funding at a few percent)' },
    ]);
    const reopened = new MarketStore(store);
    expect(reopened.listSeries().map((s) => [s.id, s.rows])).toEqual([
      ['funding/okx/BTC/USDT:USDT', 1],
      ['quotes/okx/BTC/USDT:USDT', 2],
    ]);
    expect(Array.from((await reopened.read(QUOTES)).columns.ts as Float64Array)).toEqual([T0, T0 + 200]);
    journal.close();
  });
});

describe('Recorder refuses an implausible live event at receipt, logs it naming venue and channel, and records on', () => {
  const tempDir = useTempDirs();

  it('a book stamped year 10000 and a settlement of rate 5 from the venue are never journaled', async () => {
    const store = tempDir();
    const start = Date.now();
    const T = start + 100; // a settlement due while recording
    let now = start;
    let next = T;
    const book = (ts: number, k: number): BookSnapshotEvent & { tsSource: 'venue' } => ({ type: 'book', venue: 'okx', symbol: SYMBOL, ts, receivedAt: Date.now(), tsSource: 'venue', bids: [{ price: 100 + k, size: 1 }], asks: [{ price: 101 + k, size: 1 }], sequence: k });
    const history: FundingRateEvent[] = [{ type: 'funding', venue: 'okx', symbol: SYMBOL, ts: T, receivedAt: null, tsSource: 'venue', fundingRatePerInterval: 5, fundingIntervalMs: EIGHT_H, markPrice: null }];
    const venue = {
      venue: 'okx',
      async *watchOrderBook(): AsyncIterable<BookStreamEvent> {
        yield book(start - 2, 0);
        yield book(YEAR_10000_MS, 1);
        yield book(start - 1, 2);
        await new Promise((r) => setTimeout(r, 10_000));
      },
      fetchFundingRates: async (): Promise<FundingRateQuoteEvent[]> => {
        now = Date.now();
        if (now > T) next = T + EIGHT_H;
        return [{ type: 'fundingQuote', tsSource: 'venue', venue: 'okx', symbol: SYMBOL, ts: now, receivedAt: now, fundingRatePerInterval: 0.0001, nextFundingTimeMs: next, fundingIntervalMs: EIGHT_H, markPrice: 67_000, indexPrice: null }];
      },
      fetchFundingHistory: async (_s: string, sinceMs: number, untilMs: number) => history.filter((r) => r.ts >= sinceMs && r.ts < untilMs),
      close: async () => undefined,
    } as unknown as MarketDataVenue;
    const recorder = await Recorder.start({ venue, symbols: [SYMBOL], kinds: ['book', 'funding'], depth: null, store: new MarketStore(store), fundingPollMs: 40 });
    const deadline = Date.now() + 10_000;
    while (!readFileSync(recorder.logPath, 'utf8').includes('"channel":"fetchFundingHistory"') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const summary = await recorder.stop('test');
    expect(summary.error).toBeNull();
    expect(summary.counts.quotes).toBe(2);
    expect(summary.counts.fundingSettlements).toBe(0);
    const rejected = logOf(summary.log).filter((e) => e.type === 'rejected');
    expect(rejected.map(({ at: _at, ...e }) => e)).toEqual([
      { type: 'rejected', venue: 'okx', channel: 'watchOrderBook', symbol: SYMBOL, kind: 'quote', ts: YEAR_10000_MS, reason: expect.stringMatching(/^ts \+010000-01-01T00:00:00\.000Z is more than a day after now \(20\d\d-/) },
      { type: 'rejected', venue: 'okx', channel: 'fetchFundingHistory', symbol: SYMBOL, kind: 'funding', ts: T, reason: 'rate 5 per interval is beyond ±0.1 (venues cap funding at a few percent)' },
    ]);
    expect(summary.store.rejected).toBe(2);
    expect(Array.from((await new MarketStore(store).read(QUOTES)).columns.ts as Float64Array)).toEqual([start - 2, start - 1]);
    expect(new MarketStore(store).listSeries().map((s) => s.id)).toEqual(['quotes/okx/BTC/USDT:USDT']);
  });
});

describe('perp-arb record (the real CLI over a loopback okx websocket): a books5 push stamped year 10000', () => {
  const tempDir = useTempDirs();
  let server: OkxRecordingServer | null = null;
  let recorder: RecorderProcess | null = null;
  afterEach(async () => {
    if (recorder && recorder.child.exitCode === null && recorder.child.signalCode === null) recorder.child.kill('SIGKILL');
    await server?.close();
    server = null;
    recorder = null;
  });

  it('is reported as a bad message naming venue and channel, never stored; the recording goes on and the store reads back', async () => {
    const store = tempDir();
    server = await startOkxRecordingServer((_c, _i, send) => {
      void (async () => {
        const stored = await sendPaced(send, range(0, 4), store, 0);
        send(4, { ts: String(YEAR_10000_MS) });
        await waitUntil(() => recorder?.stderr().includes('badMessage') ?? false, 'the bad message reported');
        await sendPaced(send, range(5, 8), store, stored);
      })().catch(() => undefined);
    });
    recorder = spawnCli(['record', '--venue', 'okx', '--symbols', SYMBOL, '--kinds', 'book', '--depth', '5', '--store', store, '--stale-after', '1m', '--json'], server.env);
    await waitUntil(() => journalQuoteCount(store) === 7, '7 good quotes in the journal', recorder);
    recorder.child.kill('SIGINT');
    const exit = await recorder.exited;
    expect(exit.code, recorder.stderr()).toBe(0);
    const summary = JSON.parse(recorder.stdout()) as { health: { badMessage: number }; counts: { quotes: number }; error: string | null };
    expect(summary).toMatchObject({ error: null, health: { badMessage: 1 }, counts: { quotes: 7 } });
    expect(recorder.stderr()).toMatch(/okx BTC\/USDT:USDT badMessage: not stored \(1 in a row\), watching on: okx watchOrderBook: exchange: InputError: okx orderBook BTC\/USDT:USDT: timestamp \+010000-01-01T00:00:00\.000Z is more than a day after now/);
    const quotes = await new MarketStore(store).read(QUOTES);
    expect(Array.from(quotes.columns.ts as Float64Array)).toEqual([0, 1, 2, 3, 5, 6, 7].map((n) => BASE_TS + n * 100));
    expect(Array.from(quotes.columns.bid as Float64Array)).toEqual([0, 1, 2, 3, 5, 6, 7].map((n) => okxLevels(n).bid));
    const ls = await runCli(['data', 'ls', '--store', store, '--json']);
    expect(ls.code, ls.stderr).toBe(0);
    expect((JSON.parse(ls.stdout) as { series: { id: string; rows: number }[] }).series.map((s) => [s.id, s.rows])).toEqual([
      ['books/okx/BTC/USDT:USDT', 7],
      ['quotes/okx/BTC/USDT:USDT', 7],
    ]);
  });
});
