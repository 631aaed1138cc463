/**
 * Trading costs, as fractions of the target notional:
 * - fees: one fee per leg to open and one to close (4 fees for a two-leg trade), maker or taker;
 * - crossing the book: a taker buys at the ask and sells at the bid, walking the book where depth
 *   is known (VWAP for the target notional); closing is assumed to cost what opening costs now, so
 *   a leg's round trip is (buy price - sell price) / mid. A maker rests at its own side of the touch
 *   and pays no crossing (fills are assumed, adverse selection ignored);
 * - borrow for a short spot leg over the holding horizon.
 * The per-instrument part is computed once per instrument, not per opportunity: its prices for the
 * target size at each update (refreshExecution), its fee rate when it is added or the config changes.
 */
import { annualised, overSpan } from '../../model/annualisation.ts';
import type { ScannerConfig } from './config.ts';
import { KIND_SPOT, PRICE_BOOK, PRICE_NONE, type InstrumentState } from './marketState.ts';
import type { OpportunitySlot } from './opportunity.ts';

/** The fee per trade of an instrument: config.feeRate, else the venue's entry, else the instrument's own, else the default of the mode. */
export function scannerFeeRate(s: InstrumentState, config: ScannerConfig): number {
  if (config.feeRate !== null) return config.feeRate;
  const maker = config.feeMode === 'maker';
  const venue = config.venueFees[s.venue];
  const venueRate = maker ? venue?.makerFeeRate : venue?.takerFeeRate;
  if (venueRate !== undefined) return venueRate;
  const own = maker ? s.instrument.makerFeeRate : s.instrument.takerFeeRate;
  if (own !== null) return own;
  return maker ? config.makerFeeRate : config.takerFeeRate;
}

/** Set by walkBook (results go through fields, not return values: V8 boxes a double returned from a call it does not inline). */
export const walkResult = { price: 0.5, covered: true };

/**
 * Average price of taking `notional` (quote units) from levels best first, into walkResult.price.
 * Sizes are perp-arb's units: base units for spot and linear contracts (a level is size * price
 * quote units; `contractSize` is not used), contracts for inverse ones (a level is size *
 * contractSize quote units, contractSize being the quote units of one contract, e.g. 100 USD).
 * Past the last level, the rest is priced at the last level and walkResult.covered is false.
 */
export function walkBook(prices: Float64Array, sizes: Float64Array, levels: number, notional: number, contractSize: number, inverse: boolean): void {
  let remaining = notional;
  let baseQty = 0;
  let last = prices[0];
  for (let i = 0; i < levels && remaining > 0; i++) {
    const price = prices[i];
    const levelNotional = inverse ? sizes[i] * contractSize : sizes[i] * price;
    const take = levelNotional < remaining ? levelNotional : remaining;
    baseQty += take / price;
    remaining -= take;
    last = price;
  }
  const covered = remaining <= notional * 1e-12;
  if (!covered) baseQty += remaining / last;
  walkResult.covered = covered;
  walkResult.price = notional / baseQty;
}

/** Recomputes the instrument's execution prices (its fee rate is set by the scanner when the instrument or the config changes), crossing cost and depth flags for the target size. */
export function refreshExecution(s: InstrumentState, config: ScannerConfig): void {
  s.termsNowMs = Number.NaN;
  if (s.priceSource === PRICE_NONE) {
    s.hasPrice = false;
    s.mid = s.buyPrice = s.sellPrice = Number.NaN;
    s.roundTripCrossFraction = 0;
    s.thin = false;
    s.depthUnknown = true;
    return;
  }
  s.hasPrice = true;
  const mid = (s.bid + s.ask) * 0.5;
  s.mid = mid;
  const notional = config.notionalUsd;
  if (config.feeMode === 'maker') {
    s.buyPrice = s.bid;
    s.sellPrice = s.ask;
    s.roundTripCrossFraction = 0;
    s.thin = false;
    s.depthUnknown = !(s.bidSize >= 0 && s.askSize >= 0);
    return;
  }
  // An inverse contract of unknown size: its sizes (contracts) have no known worth, so only its touch prices are used.
  const sizesUsable = !s.inverse || s.contractSize > 0;
  if (s.priceSource === PRICE_BOOK && sizesUsable) {
    walkBook(s.bookAskPrices, s.bookAskSizes, s.bookAskLevels, notional, s.contractSize, s.inverse);
    s.buyPrice = walkResult.price;
    let thin = !walkResult.covered;
    walkBook(s.bookBidPrices, s.bookBidSizes, s.bookBidLevels, notional, s.contractSize, s.inverse);
    s.sellPrice = walkResult.price;
    thin = thin || !walkResult.covered;
    s.thin = thin;
    s.depthUnknown = false;
  } else {
    // Top of book (or a last price: bid = ask): the touch only. Quote units per size unit: a base
    // unit is worth the mid (spot, linear), an inverse contract its contract size.
    s.buyPrice = s.ask;
    s.sellPrice = s.bid;
    const known = sizesUsable && s.bidSize >= 0 && s.askSize >= 0;
    s.depthUnknown = !known;
    const perSize = s.inverse ? s.contractSize : mid;
    s.thin = known && (s.askSize * perSize < notional || s.bidSize * perSize < notional);
  }
  s.roundTripCrossFraction = (s.buyPrice - s.sellPrice) / mid;
}

/**
 * Completes a slot whose caller has set grossFraction, convergenceFraction, fundingFraction and
 * horizonMs (fields, not arguments: no double crosses a call). `passes` says whether the type's
 * threshold is met; minNetBps, when set, must be met too.
 */
export function settleSlot(slot: OpportunitySlot, long: InstrumentState, short: InstrumentState, passes: boolean, flags: number, config: ScannerConfig): void {
  slot.long = long;
  slot.short = short;
  const horizonMs = slot.horizonMs;
  const fees = 2 * (long.feeRate + short.feeRate);
  // A leg without a usable price (a funding differential from funding alone) has no known crossing cost (flagged noQuote).
  const crossing = (long.priceUsable ? long.roundTripCrossFraction : 0) + (short.priceUsable ? short.roundTripCrossFraction : 0);
  const borrow = short.kindCode === KIND_SPOT ? overSpan(config.spotBorrowRatePerYear, horizonMs) : 0;
  const net = slot.convergenceFraction + slot.fundingFraction - fees - crossing - borrow;
  slot.feesFraction = fees;
  slot.crossingFraction = crossing;
  slot.borrowFraction = borrow;
  slot.netFraction = net;
  slot.apr = annualised(net, horizonMs);
  slot.expectedProfitUsd = net * config.notionalUsd;
  slot.flags = flags;
  slot.computable = true;
  slot.legsApart = false;
  const minNet = config.thresholds.minNetBps;
  slot.active = passes && (minNet === null || net * 1e4 >= minNet);
}

/** Marks a slot as not computable (inputs missing). */
export function clearSlot(slot: OpportunitySlot): void {
  slot.computable = false;
  slot.active = false;
  slot.legsApart = false;
}

/** Marks a slot as not compared: its legs' prices were observed too far apart (legTiming.ts). */
export function apartSlot(slot: OpportunitySlot): void {
  slot.computable = false;
  slot.active = false;
  slot.legsApart = true;
}
