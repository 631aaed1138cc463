import type { EpochMs } from '../../core/time.ts';

/** What `perp-arb record` can record. `book`: the order-book stream (top of book as quotes, full books with a depth). */
export const RECORD_KINDS = ['book', 'funding', 'mark'] as const;
export type RecordKind = (typeof RECORD_KINDS)[number];

interface JournalTimes {
  symbol: string;
  /**
   * Venue time, ms UTC. A book update the venue sent without a time is the one exception: ts is then
   * the receipt time, equal to receivedAt (see recordedTimes in bookRecording.ts).
   */
  ts: EpochMs;
  /** Local receipt time, ms UTC. */
  receivedAt: EpochMs;
}

/** Top of book, from a book update. */
export interface QuoteRecord extends JournalTimes {
  kind: 'quote';
  bid: number;
  bidSize: number;
  ask: number;
  askSize: number;
}

/** A book snapshot cut to the recording depth: [price, size] levels, best first. */
export interface BookRecord extends JournalTimes {
  kind: 'book';
  bids: [number, number][];
  asks: [number, number][];
  sequence: number | null;
}

/** A closed 1m mark-price candle as the venue publishes it (`ts` is the open time). */
export interface MarkBarRecord extends JournalTimes {
  kind: 'markBar';
  open: number;
  high: number;
  low: number;
  close: number;
}

/** A funding settlement the venue reported after its time passed (`ts` is the settlement time). */
export interface FundingRecord extends JournalTimes {
  kind: 'funding';
  rate: number;
  intervalMs: number | null;
  markPrice: number | null;
}

export type JournalRecord = QuoteRecord | BookRecord | MarkBarRecord | FundingRecord;
export type JournalRecordKind = JournalRecord['kind'];

/** One line of a session's log (`<store>/recording/<session>.log`, JSON lines). */
export interface SessionLogEntry {
  /** Local time of the entry, ms UTC. */
  at: EpochMs;
  type: string;
  [field: string]: unknown;
}

/** A stretch with no book updates for a symbol because its stream failed (reconnect or bad message). */
export interface RecordingGap {
  symbol: string;
  /** Receipt time of the last book before the failure (the session start when there was none). */
  fromMs: EpochMs;
  /** Receipt time of the first book after it; null when the session ended inside the gap. */
  toMs: EpochMs | null;
  reason: string;
}
