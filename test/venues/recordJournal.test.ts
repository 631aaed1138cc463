import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MarketStore } from '../../src/data/store/marketStore.ts';
import type { SeriesKey } from '../../src/domain/series.ts';
import { compactJournal } from '../../src/ingest/record/compact.ts';
import { RecordingJournal } from '../../src/ingest/record/journal.ts';
import type { JournalRecord, QuoteRecord } from '../../src/ingest/record/recordTypes.ts';
import { recoverJournals } from '../../src/ingest/record/recover.ts';
import { sessionPaths } from '../../src/ingest/record/sessionFiles.ts';
import { useTempDirs } from '../support/tempDir.ts';

const T0 = 1_717_372_800_000;
const SYMBOL = 'BTC/USDT:USDT';
const QUOTES: SeriesKey = { table: 'quotes', venue: 'okx', symbol: SYMBOL, timeframe: null };

const quote = (k: number, overrides: Partial<QuoteRecord> = {}): QuoteRecord => ({ kind: 'quote', symbol: SYMBOL, ts: T0 + k * 100, receivedAt: T0 + k * 100 + 7, bid: 100 + k, bidSize: 1, ask: 100.5 + k, askSize: 2, ...overrides });

function newJournal(store: string, session: string, pid = process.pid): RecordingJournal {
  mkdirSync(join(store, 'recording'), { recursive: true });
  return RecordingJournal.create(sessionPaths(store, session).journal, { session, venue: 'okx', pid, startedAt: T0 });
}

async function quoteRows(store: string) {
  const data = await new MarketStore(store).read(QUOTES);
  const col = (name: string) => Array.from(data.columns[name] as Float64Array);
  return { ts: col('ts'), bid: col('bid'), receivedAt: col('received_at') };
}

describe('recording journal and compaction', () => {
  const tempDir = useTempDirs();

  it('moves committed records into the store, then empties the journal; a second compaction changes nothing', async () => {
    const store = tempDir();
    const journal = newJournal(store, 's1');
    for (let k = 0; k < 5; k++) journal.append(quote(k));
    journal.append({ kind: 'book', symbol: SYMBOL, ts: T0, receivedAt: T0 + 7, bids: [[100, 1], [99, 3]], asks: [[100.5, 2]], sequence: 42 });
    expect(journal.flush()).toBe(6);
    const result = await compactJournal(journal, new MarketStore(store), 'okx');
    expect(result.records).toBe(6);
    expect(result.added).toEqual({ 'quotes/okx/BTC/USDT:USDT': 5, 'books/okx/BTC/USDT:USDT': 1 });
    expect(result.rejected).toEqual([]);
    expect(journal.lastId()).toBe(0);
    expect(journal.read(6)).toEqual([]);
    journal.append(quote(9));
    journal.flush();
    expect(journal.lastId()).toBe(7); // ids are never reused
    const rows = await quoteRows(store);
    expect(rows.ts).toEqual([0, 1, 2, 3, 4].map((k) => T0 + k * 100));
    expect(rows.bid).toEqual([100, 101, 102, 103, 104]);
    expect(rows.receivedAt).toEqual([0, 1, 2, 3, 4].map((k) => T0 + k * 100 + 7));
    const books = await new MarketStore(store).read({ ...QUOTES, table: 'books' });
    expect(Array.from((books.columns.bid_sizes as Float64Array[])[0])).toEqual([1, 3]);
    expect(Array.from(books.columns.sequence as Float64Array)).toEqual([42]);

    await compactJournal(journal, new MarketStore(store), 'okx');
    const again = await compactJournal(journal, new MarketStore(store), 'okx');
    expect(again).toMatchObject({ records: 0, added: {}, txid: null });
    journal.destroy();
    expect(existsSync(journal.path)).toBe(false);
  });

  it('keeps one row per venue time: an equal record is a duplicate, a different one supersedes it (both counted)', async () => {
    const store = tempDir();
    const journal = newJournal(store, 's2');
    journal.append(quote(0));
    journal.append(quote(0, { receivedAt: T0 + 99 })); // same values, later receipt: duplicate
    journal.append(quote(1));
    journal.append(quote(1, { bid: 90 })); // same venue time, new values: the later one is kept
    journal.append(quote(3));
    journal.append(quote(2)); // out of order in the journal: sorted by venue time
    const result = await compactJournal(journal, new MarketStore(store), 'okx');
    expect(result).toMatchObject({ records: 6, duplicates: 1, superseded: 1, rejected: [] });
    const rows = await quoteRows(store);
    expect(rows.ts).toEqual([0, 1, 2, 3].map((k) => T0 + k * 100));
    expect(rows.bid).toEqual([100, 90, 102, 103]);
    expect(rows.receivedAt[0]).toBe(T0 + 7);
    journal.close();
  });

  it('a record the store refuses is reported with the journal and record id, and the rest is stored', async () => {
    const store = tempDir();
    const journal = newJournal(store, 's3');
    journal.append(quote(0));
    journal.append(quote(1, { bid: 200 })); // crossed: bid 200 > ask 101.5
    journal.append(quote(2));
    const result = await compactJournal(journal, new MarketStore(store), 'okx');
    expect(result.rejected).toEqual([{ source: journal.path, line: 2, reason: 'crossed: bid 200 > ask 101.5' }]);
    expect((await quoteRows(store)).bid).toEqual([100, 102]);
    // A later record at a stored venue time with other values: the stored row is kept and the conflict reported.
    journal.append(quote(2, { bid: 50 }));
    const second = await compactJournal(journal, new MarketStore(store), 'okx');
    expect(second.rejected).toHaveLength(1);
    expect(second.rejected[0].reason).toMatch(/^conflicts with the stored row at 2024-06-03T00:00:00.200Z: bid 50 \(stored 102\); stored row kept$/);
    journal.close();
  });

  it('a crash between the store commit and the journal delete repeats nothing: recovery finds the rows unchanged', async () => {
    const store = tempDir();
    const journal = newJournal(store, 's4', 999_999_999);
    for (let k = 0; k < 3; k++) journal.append(quote(k));
    journal.deleteUpTo = () => {
      throw new Error('killed');
    };
    await expect(compactJournal(journal, new MarketStore(store), 'okx')).rejects.toThrow('killed');
    journal.close();
    expect((await quoteRows(store)).ts).toHaveLength(3);
    const recovered = await recoverJournals(new MarketStore(store), () => false);
    expect(recovered).toHaveLength(1);
    expect(recovered[0]).toMatchObject({ session: 's4', skipped: null, result: { records: 3, added: {}, unchanged: 3 } });
    expect(existsSync(journal.path)).toBe(false);
    expect((await quoteRows(store)).bid).toEqual([100, 101, 102]);
  });

  it('recovery leaves the journal of a running recorder and a file that is not a journal, saying why', async () => {
    const store = tempDir();
    const running = newJournal(store, 'okx-running', 4242);
    running.append(quote(0));
    running.close();
    writeFileSync(join(store, 'recording', 'junk.journal'), 'not sqlite at all');
    const recovered = await recoverJournals(new MarketStore(store), (pid) => pid === 4242);
    expect(recovered.map((r) => [r.session, r.result, r.skipped?.replace(/: .*$/s, '')])).toEqual([
      ['junk', null, `${join(store, 'recording', 'junk.journal')}`],
      ['okx-running', null, 'recorder process 4242 is still running'],
    ]);
    expect(recovered[0].skipped).toMatch(/junk\.journal: (cannot open as SQLite|not a perp-arb recording journal)/);
    expect(existsSync(running.path)).toBe(true);
    expect(new MarketStore(store).listSeries()).toEqual([]);
  });

  it('reads back every kind of record as written', () => {
    const store = tempDir();
    const journal = newJournal(store, 's6');
    const records: JournalRecord[] = [
      quote(0),
      { kind: 'book', symbol: SYMBOL, ts: T0, receivedAt: T0 + 1, bids: [[1, 2]], asks: [], sequence: null },
      { kind: 'markBar', symbol: SYMBOL, ts: T0, receivedAt: T0 + 60_001, open: 1, high: 2, low: 0.5, close: 1.5 },
      { kind: 'funding', symbol: SYMBOL, ts: T0, receivedAt: T0 + 5, rate: -0.0001, intervalMs: 28_800_000, markPrice: null },
    ];
    for (const r of records) journal.append(r);
    journal.flush();
    expect(journal.read(journal.lastId()).map((r) => r.record)).toEqual(records);
    expect(journal.meta()).toEqual({ session: 's6', venue: 'okx', pid: process.pid, startedAt: T0 });
    journal.close();
    const reopened = RecordingJournal.open(journal.path);
    expect(reopened.read(100)).toHaveLength(4);
    reopened.close();
  });
});
