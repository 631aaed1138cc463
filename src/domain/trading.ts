/**
 * Orders, fills and funding payments: plain immutable data shared by strategies, execution,
 * simulated and live venues, and the portfolio. Quantities are in base units for spot and linear
 * contracts, in contracts for inverse contracts (Instrument.contractSize converts). Prices are in
 * the quote currency. Floats here are market values; the ledger books them as exact decimals.
 */
export type OrderSide = 'buy' | 'sell';
export type OrderType = 'market' | 'limit';
/** GTC rests on the book; IOC fills what it can at once and cancels the rest; PO (post-only) is rejected if it would take. */
export type TimeInForce = 'GTC' | 'IOC' | 'PO';

export interface OrderRequest {
  /** Unique per order, chosen by the sender; venues echo it so a lost reply can be reconciled. */
  clientOrderId: string;
  venue: string;
  symbol: string;
  side: OrderSide;
  type: OrderType;
  quantity: number;
  /** Required for limit orders; null for market orders. */
  limitPrice: number | null;
  timeInForce: TimeInForce;
  reduceOnly: boolean;
  /** Time the order was created (ms). */
  ts: number;
}

export type Liquidity = 'maker' | 'taker';

/**
 * What made a fill: one of our orders, or the venue closing a position itself (its liquidation
 * engine, or the expiry settlement of a dated future). The ledger books each as its own entry kind.
 */
export type FillOrigin = 'order' | 'liquidation' | 'expiry';

export interface Fill {
  fillId: string;
  clientOrderId: string;
  venue: string;
  symbol: string;
  side: OrderSide;
  quantity: number;
  price: number;
  /** Fee paid (positive) or rebate (negative), in feeAsset. */
  fee: number;
  feeAsset: string;
  liquidity: Liquidity;
  ts: number;
  /** 'order' when omitted. A liquidation's fee is the venue's liquidation fee. */
  origin?: FillOrigin;
}

export type OrderStatus = 'accepted' | 'rejected' | 'partiallyFilled' | 'filled' | 'canceled' | 'expired';

/** What a venue reports about an order. A rejection carries the venue's reason, as an exchange would. */
export interface OrderUpdate {
  clientOrderId: string;
  venue: string;
  symbol: string;
  status: OrderStatus;
  filledQuantity: number;
  reason: string | null;
  ts: number;
}

/**
 * One funding settlement on a position. Positive rate: longs pay shorts, so a short receives.
 * Linear (quantity in base units): amount = -positionQty * markPrice * rate, in the settle asset.
 * Inverse (quantity in contracts of contractSize quote units): amount = -positionQty * contractSize * rate / markPrice,
 * in the base asset. (DESIGN.md's -qty * contractSize * mark * rate is the linear case with qty in contracts.)
 */
export interface FundingPayment {
  venue: string;
  symbol: string;
  ts: number;
  fundingRatePerInterval: number;
  markPrice: number;
  positionQty: number;
  /** Received (positive) or paid (negative), in `asset`. */
  amount: number;
  asset: string;
}
