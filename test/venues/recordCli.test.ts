import { existsSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { MarketStore } from '../../src/data/store/marketStore.ts';
import type { SeriesKey } from '../../src/domain/series.ts';
import { runCli } from '../support/cli.ts';
import { useTempDirs } from '../support/tempDir.ts';
import {
  BASE_TS,
  journalFiles,
  journalQuoteCount,
  journalQuoteTimes,
  okxLevels,
  range,
  sendPaced,
  sendSeries,
  spawnCli,
  startOkxRecordingServer,
  waitUntil,
  type OkxRecordingServer,
  type RecorderProcess,
} from './support/recordHarness.ts';

const SYMBOL = 'BTC/USDT:USDT';
const QUOTES: SeriesKey = { table: 'quotes', venue: 'okx', symbol: SYMBOL, timeframe: null };
const BOOKS: SeriesKey = { table: 'books', venue: 'okx', symbol: SYMBOL, timeframe: null };

interface QuoteRow {
  ts: number;
  receivedAt: number;
  bid: number;
  bidSize: number;
  ask: number;
  askSize: number;
}

async function storedQuotes(store: string): Promise<QuoteRow[]> {
  const data = await new MarketStore(store).read(QUOTES);
  const col = (name: string) => data.columns[name] as Float64Array;
  return Array.from({ length: data.rows }, (_, i) => ({
    ts: col('ts')[i],
    receivedAt: col('received_at')[i],
    bid: col('bid')[i],
    bidSize: col('bid_size')[i],
    ask: col('ask')[i],
    askSize: col('ask_size')[i],
  }));
}

/** The quote row message n must give: prices as sent, sizes in BTC (contracts x 0.01). */
function expectedQuote(n: number): Omit<QuoteRow, 'receivedAt'> {
  const l = okxLevels(n);
  return { ts: BASE_TS + n * 100, bid: l.bid, bidSize: l.bidContracts / 100, ask: l.ask, askSize: l.askContracts / 100 };
}

const withoutReceipt = (rows: QuoteRow[]) => rows.map(({ receivedAt: _r, ...rest }) => rest);

function logEntries(path: string): { type: string; [k: string]: unknown }[] {
  return readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { type: string });
}

const recordArgs = (store: string, extra: string[] = []) => ['record', '--venue', 'okx', '--symbols', SYMBOL, '--kinds', 'book', '--depth', '5', '--store', store, '--stale-after', '1m', ...extra];

describe('perp-arb record (okx books5 over a loopback websocket, the real CLI process)', () => {
  const tempDir = useTempDirs();
  let server: OkxRecordingServer | null = null;
  let recorder: RecorderProcess | null = null;
  afterEach(async () => {
    if (recorder && recorder.child.exitCode === null && recorder.child.signalCode === null) recorder.child.kill('SIGKILL');
    await server?.close();
    server = null;
    recorder = null;
  });

  it('records every quote and book the server sent, and stops cleanly on SIGINT', async () => {
    const store = tempDir();
    server = await startOkxRecordingServer((_c, _i, send) => void sendPaced(send, range(0, 20), store, 0).catch(() => undefined));
    recorder = spawnCli([...recordArgs(store), '--json'], server.env);
    await waitUntil(() => journalQuoteCount(store) === 20, '20 quotes in the journal', recorder);
    recorder.child.kill('SIGINT');
    const exit = await recorder.exited;
    expect(exit.code, recorder.stderr()).toBe(0);

    const summary = JSON.parse(recorder.stdout()) as { counts: { quotes: number; books: number }; stopReason: string; journalLeft: string | null; log: string; store: { added: Record<string, number> } };
    expect(summary.stopReason).toBe('SIGINT');
    expect(summary.counts).toMatchObject({ quotes: 20, books: 20 });
    expect(summary.store.added).toEqual({ 'quotes/okx/BTC/USDT:USDT': 20, 'books/okx/BTC/USDT:USDT': 20 });
    expect(summary.journalLeft).toBeNull();
    expect(journalFiles(store)).toEqual([]);

    const quotes = await storedQuotes(store);
    expect(withoutReceipt(quotes)).toEqual(Array.from({ length: 20 }, (_, n) => expectedQuote(n)));
    for (const q of quotes) expect(q.receivedAt).toBeGreaterThanOrEqual(server.sent[0].sentAt - 1_000);

    const books = await new MarketStore(store).read(BOOKS);
    expect(books.rows).toBe(20);
    const level = (name: string, row: number) => Array.from((books.columns[name] as Float64Array[])[row]);
    expect(level('bid_prices', 3)).toEqual([67_003, 67_002]);
    expect(level('bid_sizes', 3)).toEqual([1.03, 0.05]);
    expect(level('ask_prices', 3)).toEqual([67_003.5, 67_004.5]);
    expect(level('ask_sizes', 3)).toEqual([2.03, 0.07]);

    const log = logEntries(summary.log);
    expect(log[0]).toMatchObject({ type: 'start', venue: 'okx', symbols: [SYMBOL] });
    expect(log.at(-1)).toMatchObject({ type: 'stop', reason: 'SIGINT' });
    expect(new MarketStore(store).instruments().find((i) => i.symbol === SYMBOL)).toMatchObject({ venue: 'okx', kind: 'perp', contractSize: 0.01 });
  });

  it('after SIGKILL, --recover moves every event received more than a second before the kill into the store', async () => {
    const store = tempDir();
    let stopSending = () => undefined as void;
    // Unpaced, one message every 100 ms: messages further apart than the recorder's pauses reach it one by one.
    server = await startOkxRecordingServer((_c, _i, send) => void (stopSending = sendSeries(send, 0, 100_000, 100)));
    recorder = spawnCli(recordArgs(store), server.env);
    await waitUntil(() => journalQuoteCount(store) >= 30, '30 quotes in the journal', recorder);
    const killedAt = Date.now();
    recorder.child.kill('SIGKILL');
    await recorder.exited;
    stopSending();
    const sent = [...server.sent];
    expect(journalFiles(store)).toHaveLength(1);
    expect(existsSync(`${store}/manifest.json`) ? (await new MarketStore(store).listSeries()).filter((s) => s.key.table === 'quotes') : []).toEqual([]);

    const recovered = await runCli(['record', '--recover', '--store', store, '--json']);
    expect(recovered.code, recovered.stderr).toBe(0);
    const report = JSON.parse(recovered.stdout) as { recovered: { result: { records: number } | null; skipped: string | null }[] };
    expect(report.recovered).toHaveLength(1);
    expect(report.recovered[0].skipped).toBeNull();
    expect(journalFiles(store)).toEqual([]);

    const stored = withoutReceipt(await storedQuotes(store));
    const early = sent.filter((m) => m.sentAt < killedAt - 1_000);
    expect(early.length).toBeGreaterThanOrEqual(15);
    const storedByTs = new Map(stored.map((q) => [q.ts, q]));
    for (const m of early) expect(storedByTs.get(BASE_TS + m.n * 100)).toEqual(expectedQuote(m.n));
    // Nothing that was not sent, and no message twice.
    const sentNs = new Set(sent.map((m) => m.n));
    for (const q of stored) expect(sentNs.has((q.ts - BASE_TS) / 100)).toBe(true);
    expect(stored.map((q) => q.ts)).toEqual([...new Set(stored.map((q) => q.ts))].sort((a, b) => a - b));
    expect(stored).toEqual(stored.map((q) => expectedQuote((q.ts - BASE_TS) / 100)));

    // A second recovery has nothing to do.
    const again = await runCli(['record', '--recover', '--store', store]);
    expect(again.stdout.trim()).toBe('no journal to recover');
  });

  it('survives a dropped socket: reconnects, resubscribes, records both sides and reports the gap', async () => {
    const store = tempDir();
    server = await startOkxRecordingServer((connection, index, send) => {
      const paced = index === 0 ? sendPaced(send, range(0, 10), store, 0).then(() => connection.drop()) : sendPaced(send, range(10, 20), store, 10);
      paced.catch(() => undefined);
    });
    recorder = spawnCli([...recordArgs(store), '--json'], server.env);
    await waitUntil(() => journalQuoteCount(store) === 20, '20 quotes in the journal', recorder).catch((e: Error) => {
      throw new Error(`${e.message}\njournal: ${journalQuoteTimes(store).map((t) => (t - BASE_TS) / 100)}\nsent: ${JSON.stringify(server!.sent)}`);
    });
    recorder.child.kill('SIGINT');
    const exit = await recorder.exited;
    expect(exit.code, recorder.stderr()).toBe(0);

    expect(server.ws.connections).toHaveLength(2);
    expect(withoutReceipt(await storedQuotes(store))).toEqual(Array.from({ length: 20 }, (_, n) => expectedQuote(n)));
    const summary = JSON.parse(recorder.stdout()) as { health: { reconnect: number }; gaps: { symbol: string; fromMs: number; toMs: number; reason: string }[]; log: string };
    expect(summary.health.reconnect).toBeGreaterThanOrEqual(1);
    expect(summary.gaps).toHaveLength(1);
    const [gap] = summary.gaps;
    expect(gap.symbol).toBe(SYMBOL);
    expect(gap.reason).toMatch(/^okx watchOrderBook: network:/);
    const received = (await storedQuotes(store)).map((q) => q.receivedAt);
    expect(gap.fromMs).toBe(received[9]); // the last book before the drop
    expect(gap.toMs).toBe(received[10]); // the first after the resubscription
    expect(recorder.stderr()).toMatch(/okx BTC\/USDT:USDT reconnect: attempt 1, resubscribing in \d+ ms after: okx watchOrderBook: network:/);
    expect(recorder.stderr()).toMatch(/okx BTC\/USDT:USDT gap: no data from /);
    const types = logEntries(summary.log).map((e) => e.type);
    expect(types).toContain('reconnect');
    expect(types).toContain('gap');
  });

  it('a malformed message is reported, not stored, and recording goes on with nothing lost', async () => {
    const store = tempDir();
    server = await startOkxRecordingServer((_c, _i, send) => {
      void (async () => {
        const stored = await sendPaced(send, range(0, 5), store, 0);
        send(5, { badBid: 'abc' });
        await waitUntil(() => recorder?.stderr().includes('badMessage') ?? false, 'the bad message reported');
        await sendPaced(send, range(6, 12), store, stored);
      })().catch(() => undefined);
    });
    recorder = spawnCli([...recordArgs(store), '--json'], server.env);
    await waitUntil(() => journalQuoteCount(store) === 11, '11 good quotes in the journal', recorder);
    recorder.child.kill('SIGINT');
    const exit = await recorder.exited;
    expect(exit.code, recorder.stderr()).toBe(0);

    const good = [0, 1, 2, 3, 4, 6, 7, 8, 9, 10, 11];
    expect(withoutReceipt(await storedQuotes(store))).toEqual(good.map(expectedQuote));
    const summary = JSON.parse(recorder.stdout()) as { health: { badMessage: number }; counts: { quotes: number }; error: string | null };
    expect(summary.error).toBeNull();
    expect(summary.health.badMessage).toBe(1);
    expect(summary.counts.quotes).toBe(11);
    expect(recorder.stderr()).toMatch(/okx BTC\/USDT:USDT badMessage: not stored \(1 in a row\), watching on: okx watchOrderBook: exchange: InputError: okx orderBook BTC\/USDT:USDT: bids\[1\] is not \[price > 0, size >= 0\]: \[null,105,0\]/);
  });
  it('--for stops the recording by itself, with everything stored', async () => {
    const store = tempDir();
    server = await startOkxRecordingServer((_c, _i, send) => void sendPaced(send, range(0, 3), store, 0).catch(() => undefined));
    recorder = spawnCli([...recordArgs(store, ['--for', '3s']), '--json'], server.env);
    const exit = await recorder.exited;
    expect(exit.code, recorder.stderr()).toBe(0);
    const summary = JSON.parse(recorder.stdout()) as { stopReason: string; counts: { quotes: number } };
    expect(summary.stopReason).toBe('--for 3s');
    expect(withoutReceipt(await storedQuotes(store))).toEqual(range(0, summary.counts.quotes).map(expectedQuote));
  });

  it('refuses bad options and a test hook that points away from 127.0.0.1, before touching the network', async () => {
    const store = tempDir();
    const depthWithoutBook = await runCli(['record', '--venue', 'okx', '--symbols', SYMBOL, '--kinds', 'funding', '--depth', '5', '--store', store]);
    expect(depthWithoutBook.code).toBe(2);
    expect(depthWithoutBook.stderr.trim()).toBe('error: --depth needs the book kind (--kinds book,...)');
    const badKind = await runCli(['record', '--venue', 'okx', '--symbols', SYMBOL, '--kinds', 'book,trades', '--store', store, '--json']);
    expect(JSON.parse(badKind.stdout)).toEqual({ error: "--kinds: unknown kind 'trades' (use book, funding, mark)" });
    const hook = spawnCli(recordArgs(store), { PERP_ARB_TEST_LOOPBACK_URL: 'http://example.com:80' });
    expect((await hook.exited).code).toBe(2);
    expect(hook.stderr().trim()).toBe('error: PERP_ARB_TEST_LOOPBACK_URL is a test hook and only accepts http://127.0.0.1:PORT (got http://example.com:80)');
  });
});
