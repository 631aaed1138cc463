import type { OrderSide, OrderStatus, OrderType, TimeInForce } from '../../../domain/trading.ts';
import type { Listing } from '../listings.ts';

/** An order as the exchange keeps it: the venue's ids, the request, and what has happened to it. */
export interface SimOrder {
  /** The venue's order id (Binance: digits; Bybit: a UUID). */
  orderId: string;
  clientOrderId: string;
  listing: Listing;
  side: OrderSide;
  type: OrderType;
  timeInForce: TimeInForce;
  reduceOnly: boolean;
  /** Limit price; null for market orders. */
  price: number | null;
  quantity: number;
  status: OrderStatus;
  filledQuantity: number;
  /** Sum of quantity x price of the fills, quote units. */
  cumQuote: number;
  /** Fees paid so far, in feeAsset. */
  fee: number;
  feeAsset: string;
  createdMs: number;
  updatedMs: number;
  /** The simulated venue's reason of the last update (expiry of an IOC remainder, a cancel). */
  reason: string | null;
  /** The last fill, for the execution report that follows it. */
  lastFill: SimTrade | null;
  fills: SimTrade[];
}

/** One fill of an order (a "trade" in Binance's myTrades, an "execution" on Bybit). */
export interface SimTrade {
  tradeId: number;
  orderId: string;
  clientOrderId: string;
  listing: Listing;
  side: OrderSide;
  price: number;
  quantity: number;
  fee: number;
  feeAsset: string;
  maker: boolean;
  timeMs: number;
}

/** A funding payment to the account (Binance income FUNDING_FEE, Bybit SETTLEMENT). */
export interface SimFunding {
  id: number;
  listing: Listing;
  timeMs: number;
  rate: number;
  markPrice: number;
  positionQty: number;
  /** Received (positive) or paid, in asset. */
  amount: number;
  asset: string;
}

export const averagePrice = (o: SimOrder): number => (o.filledQuantity > 0 ? o.cumQuote / o.filledQuantity : 0);

export const isOpen = (o: SimOrder): boolean => o.status === 'accepted' || o.status === 'partiallyFilled';
