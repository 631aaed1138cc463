import type { ReplayCursor } from '../../data/replay/types.ts';
import type { FillMarketView, OppositeReach } from './fillModel.ts';
import type { MarkSources } from './fundingModel.ts';

/**
 * What the simulated venue knows of one market: the latest quote, trade candle, trade price and
 * mark-price candle, each with the event time it became known. Updated in place from replay cursors
 * (no allocation per event).
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

const col = (cursor: ReplayCursor, name: string): number => {
  const column = cursor.columns[name];
  return column === undefined ? Number.NaN : column[cursor.row];
};

/** Applies one replayed row to the market state and describes it in `out`. */
export function applyMarketEvent(state: MarketState, cursor: ReplayCursor, out: MarketEventScratch): MarketEventKind {
  const time = cursor.time;
  out.startTime = time;
  out.matchable = false;
  const reach = out.reach;
  switch (cursor.key.table) {
    case 'quotes': {
      const bid = col(cursor, 'bid');
      const ask = col(cursor, 'ask');
      state.hasQuotes = true;
      state.bid = bid;
      state.ask = ask;
      state.bidSize = col(cursor, 'bid_size');
      state.askSize = col(cursor, 'ask_size');
      state.quoteTime = time;
      const last = col(cursor, 'last');
      if (last > 0) setTrade(state, last, time);
      out.open = out.low = out.high = (bid + ask) / 2;
      setReach(reach, ask, state.askSize, bid, state.bidSize);
      out.matchable = true;
      return 'quote';
    }
    case 'quote_bars': {
      state.hasQuotes = true;
      state.bid = col(cursor, 'bid_close');
      state.ask = col(cursor, 'ask_close');
      state.bidSize = col(cursor, 'bid_size');
      state.askSize = col(cursor, 'ask_size');
      state.quoteTime = time;
      out.startTime = col(cursor, 'ts');
      out.open = (col(cursor, 'bid_open') + col(cursor, 'ask_open')) / 2;
      out.low = (col(cursor, 'bid_low') + col(cursor, 'ask_low')) / 2;
      out.high = (col(cursor, 'bid_high') + col(cursor, 'ask_high')) / 2;
      setReach(reach, col(cursor, 'ask_low'), state.askSize, col(cursor, 'bid_high'), state.bidSize);
      out.matchable = true;
      return 'quoteBar';
    }
    case 'bars': {
      const close = col(cursor, 'close');
      state.hasBars = true;
      state.barClose = close;
      state.barVolume = col(cursor, 'volume');
      setTrade(state, close, time);
      out.startTime = col(cursor, 'ts');
      out.open = col(cursor, 'open');
      out.low = col(cursor, 'low');
      out.high = col(cursor, 'high');
      setReach(reach, out.low, Number.NaN, out.high, Number.NaN);
      out.matchable = !state.hasQuotes;
      return 'bar';
    }
    case 'mark_bars': {
      state.markBarClose = col(cursor, 'close');
      state.markBarTime = time;
      out.startTime = col(cursor, 'ts');
      out.open = col(cursor, 'open');
      out.low = col(cursor, 'low');
      out.high = col(cursor, 'high');
      return 'markBar';
    }
    case 'trades': {
      const price = col(cursor, 'price');
      setTrade(state, price, time);
      out.open = out.low = out.high = price;
      return 'trade';
    }
    case 'funding':
      out.fundingRate = col(cursor, 'rate');
      out.fundingMarkPrice = col(cursor, 'mark_price');
      return 'funding';
    default:
      // index bars move no venue price; books have list columns, which replay does not carry.
      return 'ignored';
  }
}

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
