import type { EpochMs } from '../core/time.ts';

/** Every market event carries the venue's timestamp and the local receipt time (null when unknown, as in history files). */
export interface EventTimes {
  venue: string;
  symbol: string;
  /** Venue timestamp, ms UTC. */
  ts: EpochMs;
  /** Local receipt time, ms UTC; null for historical data. */
  receivedAt: EpochMs | null;
  /**
   * Where `ts` comes from: 'venue' (the venue stamped it) or 'receipt' (the venue gave no time, so `ts`
   * is the local receipt time). Live venue adapters always set it; absent on stored and historical
   * data, whose `ts` is the source's own time.
   */
  tsSource?: TsSource;
}

export type TsSource = 'venue' | 'receipt';

export type PriceType = 'trade' | 'mark' | 'index';

export interface BarEvent extends EventTimes {
  type: 'bar';
  priceType: PriceType;
  /** Candle length; `ts` is the open time, so the bar is known only at ts + intervalMs. */
  intervalMs: number;
  open: number;
  high: number;
  low: number;
  close: number;
  /** Base-asset volume (contracts for inverse contracts); null when the source has none. */
  volume: number | null;
}

export interface QuoteEvent extends EventTimes {
  type: 'quote';
  bid: number;
  bidSize: number | null;
  ask: number;
  askSize: number | null;
}

export interface BookLevel {
  price: number;
  size: number;
}

export interface BookSnapshotEvent extends EventTimes {
  type: 'book';
  /** Best first: bids descending, asks ascending. */
  bids: BookLevel[];
  asks: BookLevel[];
  sequence: number | null;
}

export interface TradeEvent extends EventTimes {
  type: 'trade';
  price: number;
  amount: number;
  side: 'buy' | 'sell' | null;
  tradeId: string | null;
}

/**
 * A funding settlement. Positive rate: longs pay shorts.
 * Payment to the holder = -positionQty * contractSize * markPrice * fundingRatePerInterval.
 */
export interface FundingRateEvent extends EventTimes {
  type: 'funding';
  /** `ts` is the settlement time. */
  fundingRatePerInterval: number;
  fundingIntervalMs: number | null;
  markPrice: number | null;
}

export interface MarkPriceEvent extends EventTimes {
  type: 'mark';
  markPrice: number;
  indexPrice: number | null;
}

export type MarketEvent = BarEvent | QuoteEvent | BookSnapshotEvent | TradeEvent | FundingRateEvent | MarkPriceEvent;
