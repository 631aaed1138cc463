import type { OrderSide, OrderType, TimeInForce } from '../../domain/trading.ts';

/**
 * Where and how much an order fills, against the best market data the venue has.
 *
 * Quotes (top of book, from `quotes` or `quote_bars`): a market buy takes the ask, a market sell the
 * bid; a limit buy is marketable when ask <= limit and then takes at the ask (price improvement), a
 * limit sell when bid >= limit. When the quoted size is known, a taking order fills at most that size
 * (the data has no deeper levels): the rest of an IOC or market order expires, the rest of a GTC
 * limit rests. Post-only (PO) orders that would take are rejected.
 *
 * Bars (trade candles, when the venue has no quotes for the market): the order takes at the last
 * close plus a crossing cost and a size slippage,
 *   buy price  = close * (1 + (halfSpreadBps + slippageBps) / 1e4),
 *   sell price = close * (1 - (halfSpreadBps + slippageBps) / 1e4),
 *   slippageBps = min(maxSlippageBps, slippageCoefficientBps * (quantity / barVolume) ^ slippageExponent),
 * the square-root impact law with the defaults (exponent 0.5); an unknown or zero volume costs
 * maxSlippageBps. A limit order is marketable when its limit reaches close +- halfSpread, and then
 * fills completely at the taker price capped at its limit. Bars carry no size: fills are not capped.
 *
 * Resting orders (after they reach the venue) fill at their own limit price, as makers, when the
 * opposite side reaches the limit: the ask (quotes), the ask low (quote bars) or the trade low (bars)
 * at or below a buy limit, mirror for sells; strictly through it with `limitFillRequiresTradeThrough`.
 * Only bars that OPEN at or after the order's arrival count (no look-back inside a candle).
 * Queue position is not modelled: a resting order is treated as first in the queue at its price,
 * which is optimistic at the touch (use limitFillRequiresTradeThrough to be conservative).
 */
export interface FillModelConfig {
  /** Half the bid-ask spread paid by a taker when filling against bars, bps of the close. */
  halfSpreadBps: number;
  /** k in slippageBps = k * (qty / barVolume)^alpha. */
  slippageCoefficientBps: number;
  /** alpha in slippageBps = k * (qty / barVolume)^alpha. */
  slippageExponent: number;
  /** Cap on the size slippage; also the slippage when the bar volume is unknown or zero. */
  maxSlippageBps: number;
  /** Resting limits fill only when the market trades strictly through the limit, not at it. */
  limitFillRequiresTradeThrough: boolean;
}

export const DEFAULT_FILL_MODEL_CONFIG: Readonly<FillModelConfig> = Object.freeze({
  halfSpreadBps: 0.5,
  slippageCoefficientBps: 10,
  slippageExponent: 0.5,
  maxSlippageBps: 100,
  limitFillRequiresTradeThrough: false,
});

export function validateFillModelConfig(config: FillModelConfig): FillModelConfig {
  const nonNegative: (keyof FillModelConfig)[] = ['halfSpreadBps', 'slippageCoefficientBps', 'slippageExponent', 'maxSlippageBps'];
  for (const field of nonNegative) {
    const value = config[field] as number;
    if (!(value >= 0) || !Number.isFinite(value)) throw new Error(`fill model: ${field} must be finite and >= 0 (got ${value})`);
  }
  return config;
}

/** Top of book; a size is NaN when the data does not give it. */
export interface QuoteView {
  bid: number;
  ask: number;
  bidSize: number;
  askSize: number;
}

/** The last trade candle: close and volume (NaN when unknown). */
export interface BarView {
  close: number;
  volume: number;
}

export type FillMarketView = { source: 'quote'; quote: QuoteView } | { source: 'bar'; bar: BarView };

export interface ArrivingOrder {
  side: OrderSide;
  type: OrderType;
  timeInForce: TimeInForce;
  quantity: number;
  /** Null for market orders. */
  limitPrice: number | null;
}

/**
 * What happens to an order when it reaches the venue: it takes `takeQuantity` at `takePrice`
 * (NaN when nothing), then `restQuantity` rests on the book and `expireQuantity` expires. Or a
 * post-only order is rejected because it would take.
 */
export type ArrivalMatch =
  | { kind: 'postOnlyWouldTake'; reason: string }
  | { kind: 'match'; takeQuantity: number; takePrice: number; restQuantity: number; expireQuantity: number };

/** slippageBps = min(maxSlippageBps, k * (quantity / volume)^alpha); maxSlippageBps when the volume is unknown or zero. */
export function sizeSlippageBps(quantity: number, volume: number, config: FillModelConfig): number {
  if (!(volume > 0)) return config.maxSlippageBps;
  return Math.min(config.maxSlippageBps, config.slippageCoefficientBps * Math.pow(quantity / volume, config.slippageExponent));
}

/** Taker price against a bar: close * (1 +- (halfSpreadBps + slippageBps) / 1e4). */
export function barTakerPrice(side: OrderSide, quantity: number, bar: BarView, config: FillModelConfig): number {
  const costBps = config.halfSpreadBps + sizeSlippageBps(quantity, bar.volume, config);
  return side === 'buy' ? bar.close * (1 + costBps / 10_000) : bar.close * (1 - costBps / 10_000);
}

/** The matching of an order at arrival (see the module comment). */
export function matchOnArrival(order: ArrivingOrder, market: FillMarketView, config: FillModelConfig): ArrivalMatch {
  const isBuy = order.side === 'buy';
  const qty = order.quantity;
  const limit = order.type === 'limit' ? order.limitPrice : null;
  const restsRemainder = order.type === 'limit' && order.timeInForce !== 'IOC';
  const none = (): ArrivalMatch => (restsRemainder ? match(0, Number.NaN, qty, 0) : match(0, Number.NaN, 0, qty));

  if (market.source === 'quote') {
    const touch = isBuy ? market.quote.ask : market.quote.bid;
    const touchSize = isBuy ? market.quote.askSize : market.quote.bidSize;
    const marketable = limit === null || (isBuy ? touch <= limit : touch >= limit);
    if (!marketable) return none();
    if (order.timeInForce === 'PO') return { kind: 'postOnlyWouldTake', reason: `post-only ${order.side} at ${limit} would take the ${isBuy ? 'ask' : 'bid'} ${touch}` };
    const take = Number.isNaN(touchSize) ? qty : Math.min(qty, Math.max(0, touchSize));
    const left = qty - take;
    return match(take, take > 0 ? touch : Number.NaN, restsRemainder ? left : 0, restsRemainder ? 0 : left);
  }

  const bar = market.bar;
  const effectiveTouch = isBuy ? bar.close * (1 + config.halfSpreadBps / 10_000) : bar.close * (1 - config.halfSpreadBps / 10_000);
  const marketable = limit === null || (isBuy ? effectiveTouch <= limit : effectiveTouch >= limit);
  if (!marketable) return none();
  if (order.timeInForce === 'PO') return { kind: 'postOnlyWouldTake', reason: `post-only ${order.side} at ${limit} would take (${isBuy ? 'ask' : 'bid'} ~${effectiveTouch} from the bar close ${bar.close} and half-spread ${config.halfSpreadBps} bps)` };
  const taker = barTakerPrice(order.side, qty, bar, config);
  const price = limit === null ? taker : isBuy ? Math.min(limit, taker) : Math.max(limit, taker);
  return match(qty, price, 0, 0);
}

function match(takeQuantity: number, takePrice: number, restQuantity: number, expireQuantity: number): ArrivalMatch {
  return { kind: 'match', takeQuantity, takePrice, restQuantity, expireQuantity };
}

/**
 * How far the opposite side reached during one market event, for resting orders: the lowest ask
 * (quote ask, quote-bar ask low, or bar low) with the size offered there, and the highest bid.
 * Sizes are NaN when unknown (bars): then a fill is not capped.
 */
export interface OppositeReach {
  lowestAsk: number;
  askSize: number;
  highestBid: number;
  bidSize: number;
}

/** The maker fill of a resting limit order on one market event, or null. Fills at the limit price. */
export function matchResting(
  side: OrderSide,
  limitPrice: number,
  remainingQuantity: number,
  reach: OppositeReach,
  config: Pick<FillModelConfig, 'limitFillRequiresTradeThrough'>,
): { quantity: number; price: number } | null {
  const through = config.limitFillRequiresTradeThrough;
  const opposite = side === 'buy' ? reach.lowestAsk : reach.highestBid;
  const size = side === 'buy' ? reach.askSize : reach.bidSize;
  const crossed = side === 'buy' ? (through ? opposite < limitPrice : opposite <= limitPrice) : through ? opposite > limitPrice : opposite >= limitPrice;
  if (!crossed) return null;
  const quantity = Number.isNaN(size) ? remainingQuantity : Math.min(remainingQuantity, Math.max(0, size));
  return quantity > 0 ? { quantity, price: limitPrice } : null;
}
