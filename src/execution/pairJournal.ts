import type { OrderSide } from '../domain/trading.ts';
import type { InstrumentRef, PairStatus } from '../strategy/types.ts';

/**
 * The pair executor's journal: what a restart needs to know about pairs and their orders. An entry
 * is appended BEFORE every order is handed to its venue (so an order can never be on a venue
 * without the journal knowing it), when an order ends, and when a pair changes state. The runtime
 * backs it with SQLite in the state directory (src/engine/runtime/sqlitePairJournal.ts); backtests
 * need none, tests use the MemoryPairJournal. `append` is synchronous: it returns once the entry is
 * durable.
 */

export type PairLeg = 'long' | 'short';
export type PairOrderPurpose = 'open' | 'complete' | 'rehedge' | 'close' | 'resize' | 'rebalance';

/** The pair as it stands. */
export interface PairSnapshot {
  id: string;
  status: PairStatus;
  long: InstrumentRef;
  short: InstrumentRef;
  /** Held per leg, positive (the short leg's quantity short). */
  longQty: number;
  shortQty: number;
  openedAtMs: number | null;
}

/** An order of a pair, as it is about to be sent. */
export interface PairJournalOrder {
  clientOrderId: string;
  pairId: string;
  leg: PairLeg;
  purpose: PairOrderPurpose;
  venue: string;
  symbol: string;
  side: OrderSide;
  quantity: number;
  reduceOnly: boolean;
}

export type PairJournalEntry =
  | { kind: 'send'; ts: number; pair: PairSnapshot; order: PairJournalOrder }
  /** An order ended (filled, canceled, rejected, expired) with its filled quantity; `pair`: the pair after its fills (a restart's quantities). */
  | { kind: 'orderDone'; ts: number; pairId: string; clientOrderId: string; status: string; filledQuantity: number; pair?: PairSnapshot }
  | { kind: 'pair'; ts: number; pair: PairSnapshot };

export interface PairJournal {
  append(entry: PairJournalEntry): void;
}

/** The last state of every pair and the orders sent whose end the journal has not seen (in flight, or open on the venue). */
export interface PairJournalState {
  pairs: Map<string, PairSnapshot>;
  openOrders: Map<string, PairJournalOrder & { sentAtMs: number }>;
}

/** Replays entries (oldest first) into the state a restart starts from. */
export function replayPairJournal(entries: Iterable<PairJournalEntry>): PairJournalState {
  const pairs = new Map<string, PairSnapshot>();
  const openOrders = new Map<string, PairJournalOrder & { sentAtMs: number }>();
  for (const entry of entries) {
    if (entry.kind === 'send') {
      pairs.set(entry.pair.id, entry.pair);
      openOrders.set(entry.order.clientOrderId, { ...entry.order, sentAtMs: entry.ts });
    } else if (entry.kind === 'orderDone') {
      openOrders.delete(entry.clientOrderId);
      // The pair's quantities after the order's fills (fills come before the end that reports them).
      if (entry.pair !== undefined) pairs.set(entry.pair.id, entry.pair);
    } else pairs.set(entry.pair.id, entry.pair);
  }
  return { pairs, openOrders };
}

export class MemoryPairJournal implements PairJournal {
  readonly entries: PairJournalEntry[] = [];
  append(entry: PairJournalEntry): void {
    this.entries.push(structuredClone(entry));
  }
  state(): PairJournalState {
    return replayPairJournal(this.entries);
  }
}
