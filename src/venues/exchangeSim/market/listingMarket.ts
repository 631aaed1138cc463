import { freshestMarkPrice } from '../../../model/markPrice.ts';
import type { ReplayCursor } from '../../../data/replay/types.ts';
import { MarketEventReader, MarketState, newMarketEventScratch, type MarketEventKind } from '../../sim/marketState.ts';
import type { Listing } from '../listings.ts';
import { RollingDay } from './rollingDay.ts';

export interface FundingSettlement {
  timeMs: number;
  rate: number;
  /** The mark the venue settled at (NaN when the row has none). */
  markPrice: number;
}

/** At most this many settlements are kept per market (Binance serves up to 1000 a page). */
const MAX_FUNDING_HISTORY = 5000;

/**
 * What the exchange knows of one listed market, read from the same replayed events its simulated
 * venues match against, with the simulated venue's own MarketState: top of book or last candle,
 * mark, 24 h statistics, funding settlements so far and the premium that predicts the next rate.
 */
export class ListingMarket {
  readonly listing: Listing;
  readonly state = new MarketState();
  readonly day = new RollingDay();
  readonly funding: FundingSettlement[] = [];
  /** Counts price changes: the book's update id. */
  updateId = 0;
  lastEventMs = Number.NaN;
  private readonly readers = new Map<string, MarketEventReader>();
  private readonly scratch = newMarketEventScratch();
  private premiumSum = 0;
  private premiumCount = 0;

  constructor(listing: Listing) {
    this.listing = listing;
  }

  /** Applies one event of this market; returns its kind. `spot` is the same venue's spot market, for the perp's premium. */
  apply(cursor: ReplayCursor, spot: ListingMarket | undefined): MarketEventKind {
    let reader = this.readers.get(cursor.seriesId);
    if (reader === undefined) this.readers.set(cursor.seriesId, (reader = new MarketEventReader(cursor.key.table)));
    const kind = reader.apply(this.state, cursor, this.scratch);
    this.lastEventMs = cursor.time;
    if (kind === 'funding') {
      this.funding.push({ timeMs: cursor.time, rate: this.scratch.fundingRate, markPrice: this.scratch.fundingMarkPrice });
      if (this.funding.length > MAX_FUNDING_HISTORY) this.funding.shift();
      this.premiumSum = 0;
      this.premiumCount = 0;
    } else if (kind === 'quote' || kind === 'quoteBar' || kind === 'bar' || kind === 'trade') {
      this.updateId++;
      const price = this.lastPrice();
      const volume = kind === 'bar' ? this.state.barVolume : Number.NaN;
      this.day.add(cursor.time, price, kind === 'bar' ? this.scratch.high : Number.NaN, kind === 'bar' ? this.scratch.low : Number.NaN, volume);
      const index = spot?.lastPrice() ?? Number.NaN;
      if (this.listing.kind === 'perp' && index > 0 && price > 0) {
        this.premiumSum += price / index - 1;
        this.premiumCount++;
      }
    }
    return kind;
  }

  /** Last trade price, else the quote mid. */
  lastPrice(): number {
    const s = this.state;
    if (s.lastTradePrice > 0 && s.lastTradeTime >= s.quoteTime) return s.lastTradePrice;
    if (s.hasQuotes) return s.quoteMid;
    return s.lastTradePrice;
  }

  /** The mark price by the simulated venue's rule (model/markPrice.ts). */
  markPrice(): number {
    const s = this.state;
    return freshestMarkPrice(s.markBarClose, s.markBarTime, s.quoteMid, s.quoteTime, s.lastTradePrice, s.lastTradeTime);
  }

  lastFunding(): FundingSettlement | undefined {
    return this.funding[this.funding.length - 1];
  }

  /** The next settlement after `nowMs` on the venue's schedule (multiples of the interval since the epoch). */
  nextFundingTimeMs(nowMs: number): number {
    const interval = this.listing.fundingIntervalMs;
    if (interval === null || !Number.isFinite(nowMs)) return 0;
    return Math.floor(nowMs / interval) * interval + interval;
  }

  /**
   * The current (predicted) rate: the mean premium over the interval so far plus the interest term,
   * clamped, as the settlement will compute it; the last settled rate when no premium is known.
   */
  predictedFundingRate(interestRatePerInterval: number, capRatePerInterval: number): number {
    if (this.premiumCount === 0) return this.lastFunding()?.rate ?? interestRatePerInterval;
    const rate = this.premiumSum / this.premiumCount + interestRatePerInterval;
    return Math.min(capRatePerInterval, Math.max(-capRatePerInterval, rate));
  }
}
