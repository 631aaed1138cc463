/**
 * The scanner's view of each market: one mutable InstrumentState per venue and instrument, holding
 * the top of book (or the book's depth), the last funding rate with its interval and next
 * settlement, mark and index prices and the expiry. Updates overwrite fields in place; book levels
 * are copied into buffers owned by the state, so an update allocates nothing once a buffer is big
 * enough. Fields not known are NaN (never guessed).
 */
import { instrumentId, type Instrument } from '../../domain/instrument.ts';

export const KIND_SPOT = 0;
export const KIND_PERP = 1;
export const KIND_FUTURE = 2;

/** Where the instrument's price came from, worst to best. */
export const PRICE_NONE = 0;
/** A trade price or bar close: no bid/ask. */
export const PRICE_LAST = 1;
/** Top of book (bid/ask, sizes maybe). */
export const PRICE_TOP = 2;
/** Book depth: levels to walk. */
export const PRICE_BOOK = 3;

/** Quote currencies treated as one US-dollar family: opportunities may pair them (flagged when they differ). */
export const USD_QUOTES: ReadonlySet<string> = new Set(['USD', 'USDT', 'USDC', 'BUSD', 'TUSD', 'USDP', 'PAX', 'DAI', 'UST', 'HUSD', 'FDUSD', 'USDE']);

/** The asset an instrument is grouped under: its base for USD-family quotes; null (not paired) otherwise. */
export function assetKeyOf(instrument: Pick<Instrument, 'base' | 'quote'>): string | null {
  return USD_QUOTES.has(instrument.quote) ? instrument.base : null;
}

export class InstrumentState {
  readonly index: number;
  readonly instrument: Instrument;
  /** venue:symbol */
  readonly id: string;
  readonly venue: string;
  readonly assetKey: string | null;
  readonly kindCode: number;
  /** Expiry of a dated future, ms UTC; NaN otherwise. */
  readonly expiryMs: number;
  /**
   * The instrument's contract size. Sizes (bidSize, askSize, book levels) are perp-arb's units: base
   * units for spot and linear contracts, where this is not used; contracts for inverse ones, each
   * worth this many quote units (e.g. 100 USD); NaN for an inverse contract whose size is unknown
   * (its depth is then unknown, never guessed).
   */
  readonly contractSize: number;
  readonly inverse: boolean;

  // --- market data (inputs) ---
  priceSource = PRICE_NONE;
  bid = Number.NaN;
  ask = Number.NaN;
  bidSize = Number.NaN;
  askSize = Number.NaN;
  /** Venue time of the price (for a bar: its close time). */
  quoteTsMs = Number.NaN;
  /** Length of the bar the price is the close of; 0 for a quote, book or trade. */
  priceBarMs = 0;
  bookBidPrices: Float64Array = new Float64Array(0);
  bookBidSizes: Float64Array = new Float64Array(0);
  bookAskPrices: Float64Array = new Float64Array(0);
  bookAskSizes: Float64Array = new Float64Array(0);
  bookBidLevels = 0;
  bookAskLevels = 0;
  fundingRatePerInterval = Number.NaN;
  /** The rate of the settlement before, to see a change of sign. */
  prevFundingRatePerInterval = Number.NaN;
  fundingIntervalMs = Number.NaN;
  /** Time of the settlement the rate belongs to when already paid; NaN for a predicted rate. */
  lastSettlementMs = Number.NaN;
  /** Next settlement time; NaN when unknown. */
  nextSettlementMs = Number.NaN;
  markPrice = Number.NaN;
  /** Time the mark was published (NaN when unknown): a mark is only as good as its age (model/markPrice.ts). */
  markTsMs = Number.NaN;
  indexPrice = Number.NaN;

  // --- derived by costs.refreshExecution (for the configured target size) ---
  hasPrice = false;
  mid = Number.NaN;
  /** Price paid to buy the target notional (VWAP when walking the book). */
  buyPrice = Number.NaN;
  /** Price received selling the target notional. */
  sellPrice = Number.NaN;
  /** Crossing cost of opening and closing the target size, fraction of notional ((buy - sell) / mid; 0 for a maker). */
  roundTripCrossFraction = 0;
  /** Fee per trade, fraction of notional. */
  feeRate = Number.NaN;
  /** The known depth does not cover the target size. */
  thin = false;
  /** Sizes at the touch (or any depth) are unknown. */
  depthUnknown = true;

  // --- derived terms that depend on the clock, cached for one clock value (legTerms in flags.ts) ---
  /** The clock the terms below were computed at; NaN after an update. */
  termsNowMs = Number.NaN;
  /** A price is known and not older than maxPriceAgeMs. */
  priceUsable = false;
  /** A funding rate and interval are known and the rate not older than maxFundingAgeMs. */
  fundingUsable = false;
  /** Flags of this leg's price and expiry (flags.ts priceFlags). */
  priceFlagBits = 0;
  /** Flags of this leg's funding without a premium reference (flags.ts fundingFlags). */
  fundingFlagBits = 0;
  /** Funding received by a long position over the holding period, fraction; NaN when unknown or unusable. */
  fundingHoldLong = Number.NaN;
  /** The funding rate scaled to 8 h; NaN when unknown or unusable. */
  fundingPer8h = Number.NaN;

  constructor(index: number, instrument: Instrument) {
    this.index = index;
    this.instrument = instrument;
    this.id = instrumentId(instrument.venue, instrument.symbol);
    this.venue = instrument.venue;
    this.assetKey = assetKeyOf(instrument);
    this.kindCode = instrument.kind === 'spot' ? KIND_SPOT : instrument.kind === 'perp' ? KIND_PERP : KIND_FUTURE;
    this.expiryMs = instrument.expiryMs ?? Number.NaN;
    this.inverse = instrument.linear === false;
    this.contractSize = instrument.contractSize ?? (this.inverse ? Number.NaN : 1);
    this.fundingIntervalMs = instrument.fundingIntervalMs ?? Number.NaN;
  }

  /** A short display name: the venue's own symbol when known (BTC-1231), else the unified one. */
  get displaySymbol(): string {
    return this.instrument.venueSymbol ?? this.instrument.symbol;
  }
}

function bad(state: InstrumentState, what: string): never {
  throw new RangeError(`${state.id}: ${what}`);
}

/** All instruments, by dense index and by venue:symbol. */
export class ScannerMarketState {
  readonly instruments: InstrumentState[] = [];
  private readonly byId = new Map<string, InstrumentState>();

  /** Adds an instrument (or returns the known one). */
  add(instrument: Instrument): { state: InstrumentState; added: boolean } {
    const id = instrumentId(instrument.venue, instrument.symbol);
    const known = this.byId.get(id);
    if (known) return { state: known, added: false };
    const state = new InstrumentState(this.instruments.length, instrument);
    this.instruments.push(state);
    this.byId.set(id, state);
    return { state, added: true };
  }

  get(venue: string, symbol: string): InstrumentState | undefined {
    return this.byId.get(instrumentId(venue, symbol));
  }

  byInstrumentId(id: string): InstrumentState | undefined {
    return this.byId.get(id);
  }

  get size(): number {
    return this.instruments.length;
  }
}

/** Top of book; sizes NaN when the source gives none. Crossed or non-positive quotes are refused. */
export function setQuote(s: InstrumentState, bid: number, bidSize: number, ask: number, askSize: number, tsMs: number): void {
  if (!(bid > 0 && ask > 0 && Number.isFinite(bid) && Number.isFinite(ask))) bad(s, `quote bid ${bid} / ask ${ask} must be positive numbers`);
  if (bid > ask) bad(s, `crossed quote: bid ${bid} > ask ${ask}`);
  s.bid = bid;
  s.ask = ask;
  s.bidSize = bidSize;
  s.askSize = askSize;
  s.quoteTsMs = tsMs;
  s.priceBarMs = 0;
  s.priceSource = PRICE_TOP;
  s.bookBidLevels = 0;
  s.bookAskLevels = 0;
}

function copyLevels(target: Float64Array, source: ArrayLike<number>, n: number): Float64Array {
  const buffer = target.length >= n ? target : new Float64Array(Math.max(n, target.length * 2, 8));
  for (let i = 0; i < n; i++) buffer[i] = source[i];
  return buffer;
}

/** Book depth, best first (bids descending, asks ascending); copied into the state's buffers. */
export function setBook(
  s: InstrumentState,
  bidPrices: ArrayLike<number>,
  bidSizes: ArrayLike<number>,
  askPrices: ArrayLike<number>,
  askSizes: ArrayLike<number>,
  tsMs: number,
): void {
  const nb = bidPrices.length;
  const na = askPrices.length;
  if (nb !== bidSizes.length || na !== askSizes.length) bad(s, 'book prices and sizes differ in length');
  if (nb === 0 || na === 0) bad(s, `book has ${nb} bid and ${na} ask levels; both sides are needed`);
  if (bidPrices[0] > askPrices[0]) bad(s, `crossed book: best bid ${bidPrices[0]} > best ask ${askPrices[0]}`);
  s.bookBidPrices = copyLevels(s.bookBidPrices, bidPrices, nb);
  s.bookBidSizes = copyLevels(s.bookBidSizes, bidSizes, nb);
  s.bookAskPrices = copyLevels(s.bookAskPrices, askPrices, na);
  s.bookAskSizes = copyLevels(s.bookAskSizes, askSizes, na);
  s.bookBidLevels = nb;
  s.bookAskLevels = na;
  s.bid = bidPrices[0];
  s.ask = askPrices[0];
  s.bidSize = bidSizes[0];
  s.askSize = askSizes[0];
  s.quoteTsMs = tsMs;
  s.priceBarMs = 0;
  s.priceSource = PRICE_BOOK;
}

/** A trade price or bar close (barMs: the bar's length, 0 for a trade), used only when nothing better is known: bid = ask = price. */
export function setLastPrice(s: InstrumentState, price: number, tsMs: number, barMs = 0): void {
  if (!(price > 0 && Number.isFinite(price))) bad(s, `price ${price} must be a positive number`);
  s.bid = price;
  s.ask = price;
  s.bidSize = Number.NaN;
  s.askSize = Number.NaN;
  s.quoteTsMs = tsMs;
  s.priceBarMs = barMs;
  s.priceSource = PRICE_LAST;
  s.bookBidLevels = 0;
  s.bookAskLevels = 0;
}

/**
 * A funding rate per interval (positive: longs pay shorts). `lastSettlementMs` is the settlement the
 * rate was paid at (NaN for a predicted rate); `nextSettlementMs` the next one (NaN: last + interval).
 */
export function setFunding(s: InstrumentState, fundingRatePerInterval: number, fundingIntervalMs: number, lastSettlementMs: number, nextSettlementMs: number): void {
  if (!Number.isFinite(fundingRatePerInterval)) bad(s, `funding rate ${fundingRatePerInterval} is not a finite number`);
  const interval = fundingIntervalMs > 0 ? fundingIntervalMs : s.fundingIntervalMs;
  // A new settlement (or a prediction for a new one) moves the current rate to prev.
  const newSettlement = Number.isNaN(lastSettlementMs) ? nextSettlementMs !== s.nextSettlementMs : lastSettlementMs !== s.lastSettlementMs;
  if (newSettlement) s.prevFundingRatePerInterval = s.fundingRatePerInterval;
  s.fundingRatePerInterval = fundingRatePerInterval;
  s.fundingIntervalMs = interval;
  s.lastSettlementMs = lastSettlementMs;
  s.nextSettlementMs = Number.isNaN(nextSettlementMs) && interval > 0 ? lastSettlementMs + interval : nextSettlementMs;
}

/** Mark and index prices (NaN when not given) published at tsMs. */
export function setMark(s: InstrumentState, markPrice: number, indexPrice: number, tsMs: number): void {
  if (!Number.isNaN(markPrice)) {
    s.markPrice = markPrice;
    s.markTsMs = tsMs;
  }
  if (!Number.isNaN(indexPrice)) s.indexPrice = indexPrice;
}
