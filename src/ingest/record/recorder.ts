import { mkdirSync } from 'node:fs';
import { MINUTE_MS } from '../../core/time.ts';
import type { MarketStore } from '../../data/store/marketStore.ts';
import type { BookSnapshotEvent } from '../../domain/events.ts';
import type { Instrument } from '../../domain/instrument.ts';
import { sleepMs } from '../../core/retry.ts';
import { VenueError, type MarketDataVenue } from '../../venues/types.ts';
import { bookRecord, quoteRecord, recordBooks, recordedTimes, type RecorderHealthEvent } from './bookRecording.ts';
import { compactJournal, type CompactionResult } from './compact.ts';
import { FundingRecording, type FundingPollEvent } from './fundingRecording.ts';
import { RecordingJournal } from './journal.ts';
import { MarkBarRecording, type MarkBarSource } from './markBars.ts';
import { journalRecordProblem } from './recordChecks.ts';
import type { JournalRecord, RecordingGap, RecordKind, SessionLogEntry } from './recordTypes.ts';
import { newSessionId, recordingDir, SessionLog, sessionPaths } from './sessionFiles.ts';

export interface RecorderOptions {
  venue: MarketDataVenue;
  symbols: string[];
  /** Symbols whose funding is polled (perps; default all). */
  fundingSymbols?: string[];
  /** Symbols whose mark candles are polled (perps and futures; default all). */
  markSymbols?: string[];
  kinds: readonly RecordKind[];
  /** Book levels per side for `books` rows (and asked of the venue); null: quotes only. */
  depth: number | null;
  store: MarketStore;
  /** The venue's mark candles; required when kinds include mark. */
  markBars?: MarkBarSource | null;
  /** Instrument facts (contract size, tick size, ...) noted in the store when recording starts. */
  instruments?: Instrument[];
  /** Journal commit period (default 200 ms): a kill loses at most about this much. */
  flushIntervalMs?: number;
  /** How often the journal is moved into the Parquet store (default 5 min). */
  compactIntervalMs?: number;
  fundingPollMs?: number;
  markPollMs?: number;
  staleAfterMs?: number;
  backoffInitialMs?: number;
  backoffMaxMs?: number;
  now?: () => number;
  /** Called with every log entry worth telling the user now (health, gaps, compactions, errors). */
  onReport?: (entry: SessionLogEntry) => void;
}

export interface RecordCounts {
  quotes: number;
  books: number;
  markBars: number;
  fundingSettlements: number;
  fundingQuotes: number;
  /** Book updates with an empty side: no quote row (a quote needs a bid and an ask). */
  oneSidedBooks: number;
  /** Book updates the venue sent without a time: their quote (and books) rows have ts = received_at = the receipt time. */
  receiptStamped: number;
}

export interface RecordSummary {
  session: string;
  venue: string;
  symbols: string[];
  kinds: RecordKind[];
  depth: number | null;
  startedAt: number;
  stoppedAt: number;
  stopReason: string;
  /** The error that ended the recording, if one did. */
  error: string | null;
  counts: RecordCounts;
  health: { reconnect: number; stale: number; bookGap: number; badMessage: number; pollErrors: number };
  gaps: RecordingGap[];
  store: { compactions: number; added: Record<string, number>; unchanged: number; duplicates: number; superseded: number; rejected: number; txid: number | null };
  /** The journal, when records could not be moved into the store at stop (the next start recovers it); else null. */
  journalLeft: string | null;
  log: string;
}

/**
 * `perp-arb record`: streams a venue's books (and polls funding and mark candles) into a durable
 * journal, committed every `flushIntervalMs`, and moves the journal into the Parquet store every
 * `compactIntervalMs` and at stop. The Parquet partitions are rewritten per compaction, never per
 * event. Health events, gaps, compactions and the stop are written to the session log.
 */
export class Recorder {
  readonly session: string;
  readonly journalPath: string;
  readonly logPath: string;
  /** Resolves with the summary once the recorder has stopped (by stop() or a fatal error). */
  readonly finished: Promise<RecordSummary>;
  private readonly options: RecorderOptions;
  private readonly now: () => number;
  private readonly journal: RecordingJournal;
  private readonly log: SessionLog;
  private readonly controller = new AbortController();
  private readonly startedAt: number;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly lastBookAt = new Map<string, number>();
  private readonly receiptStampedSymbols = new Set<string>();
  private readonly openGaps = new Map<string, RecordingGap>();
  private readonly gaps: RecordingGap[] = [];
  private readonly counts: RecordCounts = { quotes: 0, books: 0, markBars: 0, fundingSettlements: 0, fundingQuotes: 0, oneSidedBooks: 0, receiptStamped: 0 };
  private readonly health = { reconnect: 0, stale: 0, bookGap: 0, badMessage: 0, pollErrors: 0 };
  private readonly stored: RecordSummary['store'] = { compactions: 0, added: {}, unchanged: 0, duplicates: 0, superseded: 0, rejected: 0, txid: null };
  private compacting: Promise<void> | null = null;
  private stopping: Promise<RecordSummary> | null = null;
  private resolveFinished!: (summary: RecordSummary) => void;
  private error: string | null = null;
  private marks: MarkBarRecording | null = null;

  private constructor(options: RecorderOptions) {
    this.options = options;
    this.now = options.now ?? Date.now;
    this.startedAt = this.now();
    this.session = newSessionId(options.venue.venue, this.startedAt, process.pid);
    const paths = sessionPaths(options.store.root, this.session);
    this.journalPath = paths.journal;
    this.logPath = paths.log;
    mkdirSync(recordingDir(options.store.root), { recursive: true });
    this.journal = RecordingJournal.create(paths.journal, { session: this.session, venue: options.venue.venue, pid: process.pid, startedAt: this.startedAt });
    this.log = new SessionLog(paths.log);
    this.finished = new Promise((resolve) => (this.resolveFinished = resolve));
  }

  /** Notes the instruments in the store, opens the journal and starts recording. */
  static async start(options: RecorderOptions): Promise<Recorder> {
    if (options.kinds.includes('mark') && !options.markBars) throw new Error(`${options.venue.venue}: recording mark candles needs a mark candle source`);
    if (options.instruments?.length) {
      const transaction = options.store.begin();
      try {
        for (const instrument of options.instruments) transaction.noteInstrument(instrument);
        transaction.commit();
      } catch (error) {
        transaction.rollback();
        throw error;
      }
    }
    const recorder = new Recorder(options);
    recorder.run();
    return recorder;
  }

  private run(): void {
    const { symbols, kinds, depth } = this.options;
    this.write({ type: 'start', session: this.session, venue: this.options.venue.venue, symbols, kinds, depth, pid: process.pid }, false);
    this.timers.push(setInterval(() => this.guard(() => this.journal.flush()), this.options.flushIntervalMs ?? 200));
    this.timers.push(setInterval(() => void this.compact(), this.options.compactIntervalMs ?? 5 * MINUTE_MS));
    const tasks: Promise<void>[] = [];
    if (kinds.includes('book')) tasks.push(...symbols.map((symbol) => this.recordSymbol(symbol)));
    if (kinds.includes('funding') && (this.options.fundingSymbols ?? symbols).length > 0) tasks.push(this.pollFunding());
    if (kinds.includes('mark') && (this.options.markSymbols ?? symbols).length > 0) tasks.push(this.pollMarkBars());
    for (const task of tasks) task.catch((error: unknown) => this.fail(error));
  }

  /** Stops recording: the streams end, the journal is flushed and moved into the store. Idempotent. */
  stop(reason: string): Promise<RecordSummary> {
    this.stopping ??= this.shutDown(reason);
    return this.stopping;
  }

  private fail(error: unknown): void {
    if (this.stopping) return;
    this.error = error instanceof Error ? error.message : String(error);
    this.write({ type: 'error', error: this.error });
    void this.stop('error');
  }

  private guard(run: () => void): void {
    try {
      run();
    } catch (error) {
      this.fail(error);
    }
  }

  private async shutDown(reason: string): Promise<RecordSummary> {
    this.controller.abort();
    for (const timer of this.timers) clearInterval(timer);
    const stoppedAt = this.now();
    for (const gap of this.openGaps.values()) this.gaps.push(gap);
    this.openGaps.clear();
    if (this.marks && this.error === null) {
      // The candles that closed since the last poll.
      try {
        await this.collectMarkBars();
      } catch (error) {
        this.write({ type: 'pollError', poll: 'mark', error: (error as Error).message });
      }
    }
    await this.compacting;
    let journalLeft: string | null = this.journalPath;
    try {
      await this.compact(true);
      if (this.journal.lastId() === 0 && this.journal.pendingCount === 0) {
        this.journal.destroy();
        journalLeft = null;
      } else this.journal.close();
    } catch (error) {
      this.write({ type: 'error', error: `final compaction failed, the journal stays for the next start to recover: ${(error as Error).message}` });
      this.journal.close();
    }
    const summary: RecordSummary = {
      session: this.session,
      venue: this.options.venue.venue,
      symbols: this.options.symbols,
      kinds: [...this.options.kinds],
      depth: this.options.depth,
      startedAt: this.startedAt,
      stoppedAt,
      stopReason: reason,
      error: this.error,
      counts: { ...this.counts },
      health: { ...this.health },
      gaps: [...this.gaps],
      store: { ...this.stored, added: { ...this.stored.added } },
      journalLeft,
      log: this.logPath,
    };
    this.write({ type: 'stop', reason, counts: summary.counts, health: summary.health, gaps: summary.gaps.length, journalLeft }, false);
    this.resolveFinished(summary);
    return summary;
  }

  /** Moves the journal into the store; a failure (e.g. the store is locked by an import) is reported and retried next time, except at stop. */
  private compact(final = false): Promise<void> {
    if (this.compacting && !final) return this.compacting;
    const run = (async () => {
      try {
        const result = await compactJournal(this.journal, this.options.store, this.options.venue.venue, this.now());
        this.noteCompaction(result, final);
      } catch (error) {
        if (final) throw error;
        this.write({ type: 'compactionDeferred', error: (error as Error).message });
      }
    })();
    const tracked: Promise<void> = run.catch(() => undefined).finally(() => {
      if (this.compacting === tracked) this.compacting = null;
    });
    this.compacting = tracked;
    return run;
  }

  private noteCompaction(result: CompactionResult, final: boolean): void {
    if (result.records === 0) return;
    this.stored.compactions++;
    for (const [id, n] of Object.entries(result.added)) this.stored.added[id] = (this.stored.added[id] ?? 0) + n;
    this.stored.unchanged += result.unchanged;
    this.stored.duplicates += result.duplicates;
    this.stored.superseded += result.superseded;
    this.stored.rejected += result.rejected.length;
    this.stored.txid = result.txid;
    for (const rejection of result.rejected) this.write({ type: 'rejected', ...rejection });
    this.write(
      { type: 'compaction', final, records: result.records, added: result.added, unchanged: result.unchanged, duplicates: result.duplicates, superseded: result.superseded, rejected: result.rejected.length, txid: result.txid },
      !final,
    );
  }

  private async recordSymbol(symbol: string): Promise<void> {
    const { venue, depth } = this.options;
    await recordBooks({
      venue,
      symbol,
      depth,
      watch: { staleAfterMs: this.options.staleAfterMs, backoffInitialMs: this.options.backoffInitialMs, backoffMaxMs: this.options.backoffMaxMs },
      signal: this.controller.signal,
      now: this.now,
      onBook: (book) => this.onBook(book),
      onHealth: (event) => this.onHealth(event),
    });
  }

  private onBook(book: BookSnapshotEvent): void {
    if (this.stopping) return;
    const times = recordedTimes(book, this.now);
    const receivedAt = times.receivedAt;
    if (times.receiptStamped) {
      this.counts.receiptStamped++;
      if (!this.receiptStampedSymbols.has(book.symbol)) {
        this.receiptStampedSymbols.add(book.symbol);
        this.write({ type: 'receiptTime', symbol: book.symbol, ts: times.ts, note: 'the venue sent a book without a time: its rows have ts = received_at = the receipt time (counted in the summary as receiptStamped; later ones are not logged)' });
      }
    }
    const gap = this.openGaps.get(book.symbol);
    if (gap) {
      gap.toMs = receivedAt;
      this.openGaps.delete(book.symbol);
      this.gaps.push(gap);
      this.write({ type: 'gap', ...gap });
    }
    this.lastBookAt.set(book.symbol, receivedAt);
    const quote = quoteRecord(book, times);
    if (quote) {
      if (this.append(quote, 'watchOrderBook')) this.counts.quotes++;
    } else if (this.counts.oneSidedBooks++ === 0) {
      this.write({ type: 'oneSidedBook', symbol: book.symbol, ts: times.ts, note: 'a book with an empty side gives no quote row (counted in the summary; later ones are not logged)' });
    }
    if (this.options.depth !== null && this.append(bookRecord(book, times), 'watchOrderBook')) this.counts.books++;
  }

  /**
   * Journals a record received from the venue's `channel` unless it breaks a plausibility bound
   * (the same ones imports and compaction apply): then it is logged as `rejected`, naming venue,
   * channel and reason, counted with the store's rejections, and never journaled.
   */
  private append(record: JournalRecord, channel: string): boolean {
    const reason = journalRecordProblem(record, this.now());
    if (reason === null) {
      this.journal.append(record);
      return true;
    }
    this.stored.rejected++;
    this.write({ type: 'rejected', venue: this.options.venue.venue, channel, symbol: record.symbol, kind: record.kind, ts: record.ts, reason });
    return false;
  }

  private onHealth(event: RecorderHealthEvent): void {
    if (this.stopping) return;
    this.health[event.type]++;
    const { venue: _venue, ...fields } = event;
    this.write({ ...fields });
    if ((event.type === 'reconnect' || event.type === 'badMessage') && !this.openGaps.has(event.symbol)) {
      this.openGaps.set(event.symbol, { symbol: event.symbol, fromMs: this.lastBookAt.get(event.symbol) ?? this.startedAt, toMs: null, reason: event.error });
    }
  }

  private async pollFunding(): Promise<void> {
    const funding = new FundingRecording({ venue: this.options.venue, symbols: this.options.fundingSymbols ?? this.options.symbols, now: this.now });
    await this.pollLoop('funding', this.options.fundingPollMs ?? MINUTE_MS, false, async () => {
      for (const event of await funding.poll()) this.onFunding(event);
    });
  }

  private onFunding(event: FundingPollEvent): void {
    if (this.stopping) return;
    if (event.type === 'fundingQuote') {
      const { type: _type, venue: _venue, ...quote } = event.quote;
      this.counts.fundingQuotes++;
      this.write({ type: 'fundingQuote', ...quote }, false);
    } else if (event.type === 'settlement') {
      if (!this.append(event.record, 'fetchFundingHistory')) return;
      this.counts.fundingSettlements++;
      this.write({ type: 'fundingSettlement', ...event.record }, false);
    } else if (event.type === 'settlementWithoutVenueTime') {
      this.write({ ...event, note: 'a funding history row without the venue time: not stored (its ts would only be the receipt time)' });
    } else {
      this.write({ type: 'settlementMissing', symbol: event.symbol, settlementMs: event.settlementMs, polls: event.polls, note: 'the venue never reported this settlement in its funding history' });
    }
  }

  private async pollMarkBars(): Promise<void> {
    this.marks = new MarkBarRecording(this.options.markBars!, this.options.markSymbols ?? this.options.symbols, this.startedAt);
    await this.pollLoop('mark', this.options.markPollMs ?? MINUTE_MS, true, () => this.collectMarkBars());
  }

  private async collectMarkBars(): Promise<void> {
    for (const bar of (await this.marks?.poll()) ?? []) if (this.append(bar, 'fetchMarkBars')) this.counts.markBars++;
  }

  /** Polls until stopped; retryable venue errors are reported and retried at the next period, others end the recording. */
  private async pollLoop(what: string, periodMs: number, waitFirst: boolean, poll: () => Promise<void>): Promise<void> {
    const signal = this.controller.signal;
    if (waitFirst) await sleepMs(periodMs, signal);
    while (!signal.aborted) {
      try {
        await poll();
      } catch (error) {
        if (signal.aborted) return;
        if (error instanceof VenueError && !error.retryable) throw error;
        this.health.pollErrors++;
        this.write({ type: 'pollError', poll: what, error: (error as Error).message });
      }
      await sleepMs(periodMs, signal);
    }
  }

  /** Appends to the session log and, when `report`, tells the user. */
  private write(fields: Omit<SessionLogEntry, 'at'>, report = true): void {
    const entry = { at: this.now(), ...fields } as SessionLogEntry;
    this.log.write(entry);
    if (report) this.options.onReport?.(entry);
  }
}
