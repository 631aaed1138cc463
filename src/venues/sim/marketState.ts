import type { ReplayCursor } from '../../data/replay/types.ts';
import type { FillMarketView, OppositeReach } from './fillModel.ts';
import type { MarkSources } from './markPrice.ts';

/**
 * What the simulated venue knows of one market: the latest quote, trade candle, trade price and
 * venue mark (mark-price candle or funding row mark_price), each with the event time it became
 * known. Updated in place from replay cursors (no allocation per event).
 */
export class MarketState implements MarkSources {
  hasQuotes = false;
  bid = Number.NaN;
  ask = Number.NaN;
  bidSize = Number.NaN;
  askSize = Number.NaN;
  quoteTime = -Infinity;
  hasBars = false;
  barClose = Number.NaN;
  barVolume = Number.NaN;
  lastTradePrice = Number.NaN;
  lastTradeTime = -Infinity;
  /** The venue's latest mark: a mark bar's close or a funding row's mark_price, whichever came last (markPrice.ts). */
  markBarClose = Number.NaN;
  markBarTime = -Infinity;

  get quoteMid(): number {
    return (this.bid + this.ask) / 2;
  }

  /** The market the fill model takes against: quotes once the market has any, else the last trade bar, else null. */
  fillView(): FillMarketView | null {
    if (this.hasQuotes) return { source: 'quote', quote: { bid: this.bid, ask: this.ask, bidSize: this.bidSize, askSize: this.askSize } };
    if (this.hasBars) return { source: 'bar', bar: { close: this.barClose, volume: this.barVolume } };
    return null;
  }
}

export type MarketEventKind = 'quote' | 'quoteBar' | 'bar' | 'markBar' | 'trade' | 'funding' | 'ignored';

/** One event's facts for matching and liquidation, filled in place. */
export interface MarketEventScratch {
  /** Start of the period the event covers: a bar's open time, otherwise the event time. */
  startTime: number;
  /** Price path of the event for liquidation checks (mid for quotes; a point event has open = low = high). */
  open: number;
  low: number;
  high: number;
  /** Can resting orders fill on this event (quotes always; trade bars only when the market has no quotes). */
  matchable: boolean;
  reach: OppositeReach;
  /** Funding events: rate and the venue's mark price (NaN when the row has none). */
  fundingRate: number;
  fundingMarkPrice: number;
}

export function newMarketEventScratch(): MarketEventScratch {
  return {
    startTime: 0,
    open: Number.NaN,
    low: Number.NaN,
    high: Number.NaN,
    matchable: false,
    reach: { lowestAsk: Number.NaN, askSize: Number.NaN, highestBid: Number.NaN, bidSize: Number.NaN },
    fundingRate: Number.NaN,
    fundingMarkPrice: Number.NaN,
  };
}

const TABLE_CODES: Record<string, number | undefined> = { quotes: 1, quote_bars: 2, bars: 3, mark_bars: 4, trades: 5, funding: 6 };

const at = (column: Float64Array | undefined, row: number): number => (column === undefined ? Number.NaN : column[row]);

/**
 * Reads one series' rows into a MarketState. The columns the table needs are looked up by name once
 * per chunk (when the cursor's columns object changes), not once per event.
 */
export class MarketEventReader {
  private readonly table: number;
  private columns: Record<string, Float64Array> | null = null;
  private ts: Float64Array | undefined;
  private c1: Float64Array | undefined;
  private c2: Float64Array | undefined;
  private c3: Float64Array | undefined;
  private c4: Float64Array | undefined;
  private c5: Float64Array | undefined;
  private c6: Float64Array | undefined;
  private c7: Float64Array | undefined;
  private c8: Float64Array | undefined;
  private c9: Float64Array | undefined;
  private c10: Float64Array | undefined;

  constructor(table: string) {
    this.table = TABLE_CODES[table] ?? 0;
  }

  private bind(columns: Record<string, Float64Array>): void {
    this.columns = columns;
    this.ts = columns.ts;
    const names = COLUMNS_BY_CODE[this.table];
    const c = names.map((name) => columns[name]);
    [this.c1, this.c2, this.c3, this.c4, this.c5, this.c6, this.c7, this.c8, this.c9, this.c10] = c;
  }

  /** Applies one replayed row to the market state and describes it in `out`. */
  apply(state: MarketState, cursor: ReplayCursor, out: MarketEventScratch): MarketEventKind {
    if (cursor.columns !== this.columns) this.bind(cursor.columns);
    const row = cursor.row;
    const time = cursor.time;
    out.startTime = time;
    out.matchable = false;
    const reach = out.reach;
    switch (this.table) {
      case 1: {
        // quotes: bid, ask, bid_size, ask_size, last
        const bid = at(this.c1, row);
        const ask = at(this.c2, row);
        state.hasQuotes = true;
        state.bid = bid;
        state.ask = ask;
        state.bidSize = at(this.c3, row);
        state.askSize = at(this.c4, row);
        state.quoteTime = time;
        const last = at(this.c5, row);
        if (last > 0) setTrade(state, last, time);
        out.open = out.low = out.high = (bid + ask) / 2;
        setReach(reach, ask, state.askSize, bid, state.bidSize);
        out.matchable = true;
        return 'quote';
      }
      case 2: {
        // quote_bars: bid_close, ask_close, bid_size, ask_size, bid_open, ask_open, bid_low, ask_low, bid_high, ask_high
        state.hasQuotes = true;
        state.bid = at(this.c1, row);
        state.ask = at(this.c2, row);
        state.bidSize = at(this.c3, row);
        state.askSize = at(this.c4, row);
        state.quoteTime = time;
        out.startTime = at(this.ts, row);
        out.open = (at(this.c5, row) + at(this.c6, row)) / 2;
        out.low = (at(this.c7, row) + at(this.c8, row)) / 2;
        out.high = (at(this.c9, row) + at(this.c10, row)) / 2;
        setReach(reach, at(this.c8, row), state.askSize, at(this.c9, row), state.bidSize);
        out.matchable = true;
        return 'quoteBar';
      }
      case 3: {
        // bars: close, volume, open, low, high
        const close = at(this.c1, row);
        state.hasBars = true;
        state.barClose = close;
        state.barVolume = at(this.c2, row);
        setTrade(state, close, time);
        out.startTime = at(this.ts, row);
        out.open = at(this.c3, row);
        out.low = at(this.c4, row);
        out.high = at(this.c5, row);
        setReach(reach, out.low, Number.NaN, out.high, Number.NaN);
        out.matchable = !state.hasQuotes;
        return 'bar';
      }
      case 4:
        // mark_bars: close, open, low, high
        state.markBarClose = at(this.c1, row);
        state.markBarTime = time;
        out.startTime = at(this.ts, row);
        out.open = at(this.c2, row);
        out.low = at(this.c3, row);
        out.high = at(this.c4, row);
        return 'markBar';
      case 5: {
        // trades: price
        const price = at(this.c1, row);
        setTrade(state, price, time);
        out.open = out.low = out.high = price;
        return 'trade';
      }
      case 6: {
        // funding: rate, mark_price. The row's mark is the venue's mark at that time, like a mark bar's.
        out.fundingRate = at(this.c1, row);
        const mark = at(this.c2, row);
        out.fundingMarkPrice = mark;
        if (mark > 0) {
          state.markBarClose = mark;
          state.markBarTime = time;
        }
        return 'funding';
      }
      default:
        // index bars move no venue price; books have list columns, which replay does not carry.
        return 'ignored';
    }
  }
}

const COLUMNS_BY_CODE: readonly (readonly string[])[] = [
  [],
  ['bid', 'ask', 'bid_size', 'ask_size', 'last'],
  ['bid_close', 'ask_close', 'bid_size', 'ask_size', 'bid_open', 'ask_open', 'bid_low', 'ask_low', 'bid_high', 'ask_high'],
  ['close', 'volume', 'open', 'low', 'high'],
  ['close', 'open', 'low', 'high'],
  ['price'],
  ['rate', 'mark_price'],
];

function setTrade(state: MarketState, price: number, time: number): void {
  state.lastTradePrice = price;
  state.lastTradeTime = time;
}

function setReach(reach: OppositeReach, lowestAsk: number, askSize: number, highestBid: number, bidSize: number): void {
  reach.lowestAsk = lowestAsk;
  reach.askSize = askSize;
  reach.highestBid = highestBid;
  reach.bidSize = bidSize;
}
