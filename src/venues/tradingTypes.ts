import type { ReplayCursor } from '../data/replay/types.ts';
import type { Instrument } from '../domain/instrument.ts';
import type { Fill, FundingPayment, OrderRequest, OrderStatus, OrderUpdate } from '../domain/trading.ts';

/**
 * A trading venue: where orders go. Implemented by the simulated venue (`sim/`, backtest and paper)
 * and later by the live ccxt venue, so it says only what an exchange says: replies to requests, and
 * a stream of account events (order updates, fills, funding, liquidations, borrow interest). The
 * venue keeps its own account (balances, positions, margin) as the exchange would; the portfolio
 * books the events and reconciles against these views.
 *
 * Quantities are base units for spot and linear contracts, contracts for inverse contracts; prices
 * in the quote currency; money amounts in the asset named beside them. Floats: the ledger turns them
 * into exact decimals.
 */

export type MarginMode = 'cross' | 'isolated';

/** One asset of the account, as the venue sees it. */
export interface VenueBalance {
  asset: string;
  /** Deposits + realised PnL - fees + funding - borrow interest. Negative when the asset is borrowed (short spot). */
  walletBalance: number;
  /** Unrealised PnL of every position settled in this asset, at the venue's mark prices. */
  unrealisedPnl: number;
  /** walletBalance + unrealisedPnl. */
  equity: number;
  /** Initial margin of open positions (cross: at the mark; isolated: the margin set aside). */
  positionMargin: number;
  /** Reserved by resting orders: initial margin of the exposure they would add, the cost of spot buys, the base of spot sells. */
  orderMargin: number;
  /** Collateral held against borrowed assets (short spot), in this (quote) asset. */
  borrowMargin: number;
  /** Maintenance margin of the cross and isolated positions settled in this asset. */
  maintenanceMargin: number;
  /** What a new order may use: walletBalance + cross unrealised PnL - positionMargin - orderMargin - borrowMargin. */
  available: number;
  /** Amount borrowed (max(0, -walletBalance)). */
  borrowed: number;
  /** The wallet it is in, where a venue has several (a live Binance: `binance:spot`, `binance:swap`); absent: the venue's one account. */
  wallet?: string;
}

/** An open derivative position (spot holdings are balances). */
export interface VenuePosition {
  venue: string;
  symbol: string;
  /** Signed: positive long, negative short. */
  quantity: number;
  entryPrice: number;
  markPrice: number;
  unrealisedPnl: number;
  /** Asset in which PnL, fees, funding and margin of this position are counted. */
  settleAsset: string;
  marginMode: MarginMode;
  leverage: number;
  initialMargin: number;
  maintenanceMargin: number;
  /** Isolated: margin set aside for this position; cross: null. */
  isolatedMargin: number | null;
  /** Mark price at which the position would be liquidated (others held at their marks); null when none. */
  liquidationPrice: number | null;
}

/** An order resting on the venue's book. */
export interface VenueOrder {
  request: OrderRequest;
  status: OrderStatus;
  filledQuantity: number;
  remainingQuantity: number;
  /** Venue time at which the order reached the venue. */
  acceptedAtMs: number;
}

/** A position the venue closed itself (liquidation, expiry settlement). */
export interface PositionClosedByVenue {
  venue: string;
  symbol: string;
  ts: number;
  /** The fill that closed the position (emitted once, as a 'fill' event, with this fillId). */
  fillId: string;
  /** Signed position before it was closed. */
  positionQty: number;
  /** Mark price at which it was closed. */
  price: number;
}

/** The venue closed a position because its equity fell below the maintenance margin. */
export interface LiquidationEvent extends PositionClosedByVenue {
  /** Liquidation fee (in feeAsset), also the fill's fee. */
  liquidationFee: number;
  feeAsset: string;
  marginMode: MarginMode;
  /** Collateral + unrealised PnL and maintenance margin at the trigger (settle asset). */
  equityAtTrigger: number;
  maintenanceMarginAtTrigger: number;
}

/** A dated future reached expiry: open positions were settled at the mark (the fill with fillId). */
export type ExpirySettlementEvent = PositionClosedByVenue;

/** Interest charged on a borrowed asset (short spot), added to the debt. */
export interface BorrowInterestEvent {
  venue: string;
  asset: string;
  ts: number;
  /** Debt on which interest was charged. */
  borrowedQuantity: number;
  borrowRateAnnual: number;
  /** Interest paid (positive), in `asset`. */
  interest: number;
}

/**
 * Everything the venue reports about the account. Each order update, fill and payment is emitted
 * exactly once; position changes happen only through 'fill' events (liquidation and expiry
 * settlement included), so a portfolio that books fills, funding and borrow interest sees all cash flows.
 */
export type TradingVenueEvent =
  | { type: 'order'; update: OrderUpdate }
  | { type: 'fill'; fill: Fill }
  | { type: 'funding'; payment: FundingPayment }
  | { type: 'liquidation'; liquidation: LiquidationEvent }
  | { type: 'expiry'; settlement: ExpirySettlementEvent }
  | { type: 'borrowInterest'; interest: BorrowInterestEvent };

export type TradingVenueListener = (event: TradingVenueEvent) => void;

export interface TradingVenue {
  readonly venue: string;
  /** The markets the venue trades. */
  instruments(): Promise<Instrument[]>;
  /**
   * Sends an order. Resolves with the order's state once the venue has processed it: 'rejected'
   * (with the venue's reason; never thrown), 'accepted' (resting), 'partiallyFilled', 'filled' or
   * 'expired' (IOC / market remainder). Every update, including this one, is also emitted as an
   * 'order' event, and every fill as a 'fill' event (except the rejection of a reused clientOrderId,
   * which is only returned, so that it cannot be mistaken for news of the original order). With
   * latency the reply comes when the order reaches the venue, so do not await it before letting
   * market data (the clock) move on.
   *
   * A live venue whose send ended without a reply that proves what happened (a timeout, a 5xx, a
   * dropped connection, a lost reply) rejects with an OrderInFlightError instead: the order stays in
   * flight, is never re-sent under a new id, and its outcome arrives later as 'order' (and 'fill')
   * events. Fills of an order are emitted before the update that reports them.
   */
  submit(order: OrderRequest): Promise<OrderUpdate>;
  /**
   * Cancels a resting order. Resolves with 'canceled' (also emitted as an event), or, when the venue
   * cannot cancel it, the order's current status ('rejected' for an unknown order) with a reason
   * starting 'cancel rejected:'.
   */
  cancel(clientOrderId: string): Promise<OrderUpdate>;
  /** Orders resting on the book (all symbols, or one). */
  openOrders(symbol?: string): Promise<VenueOrder[]>;
  /** Open derivative positions. */
  positions(): Promise<VenuePosition[]>;
  /** Balances and margin per asset. */
  balances(): Promise<VenueBalance[]>;
  /** Leverage of a symbol (its initial margin rate becomes 1/leverage). Rejects (a VenueError) when invalid. */
  setLeverage(symbol: string, leverage: number): Promise<void>;
  /** Margin mode of a symbol. Rejects when a position or an order is open on it, as exchanges do. */
  setMarginMode(symbol: string, mode: MarginMode): Promise<void>;
  /** Receives account events; returns the function that unsubscribes. */
  subscribe(listener: TradingVenueListener): () => void;
  /**
   * The engine's market-data clock, one event at a time in time order (the replay's cursor in
   * backtests; a one-row cursor over live events in paper mode). The simulated venue matches orders,
   * settles funding, accrues borrow and checks liquidations on it; a live venue, whose exchange has
   * its own market, ignores it. Events of other venues only move the clock.
   */
  onMarketData(cursor: ReplayCursor): void;
  /** Tells the venue that all market data up to and including `timeMs` has been delivered (end of a replay, timers). */
  advanceTo(timeMs: number): void;
  /** Order-size rules of a symbol as the venue states them (synchronous: the pre-trade check of both legs). Absent or null: none stated. */
  orderRules?(symbol: string): OrderRules | null;
  /** What a new order would tie up and what the account has for it, as last known. Absent or null: the balance is not checked. */
  orderNeed?(order: OrderSketch): OrderNeed | null;
}

/** One-way: one net position per symbol; hedged: a long and a short position side by side. */
export type PositionMode = 'oneWay' | 'hedged';

/**
 * A balance read from a live venue through ccxt: its unified free / used / total of one asset, in
 * that asset. Null where the venue's answer does not say (never guessed).
 */
export interface AccountBalance {
  venue: string;
  asset: string;
  /** Available for new orders or withdrawal. */
  free: number | null;
  /** Held by positions and resting orders. */
  used: number | null;
  /** Wallet balance (venues differ on whether unrealised PnL is included: see the venue's docs). */
  total: number | null;
}

/**
 * An open derivative position read from a live venue. Quantities follow OrderRequest: base units for
 * linear contracts (contracts x contractSize), contracts for inverse ones. Null: the venue did not say.
 */
export interface AccountPosition {
  venue: string;
  symbol: string;
  /** Signed: positive long, negative short. */
  quantity: number;
  /** The venue's own count of contracts (unsigned) and the size of one. */
  contracts: number;
  contractSize: number;
  /** Which side of a hedged account, or 'both' in one-way mode; null when unknown. */
  positionSide: 'long' | 'short' | 'both' | null;
  entryPrice: number | null;
  markPrice: number | null;
  unrealisedPnl: number | null;
  settleAsset: string;
  marginMode: MarginMode | null;
  leverage: number | null;
  initialMargin: number | null;
  maintenanceMargin: number | null;
  /** Isolated: margin set aside for the position; null for cross or when unknown. */
  isolatedMargin: number | null;
  liquidationPrice: number | null;
  /** ccxt's position timestamp, ms (the venue's creation or last-update time, as it gives); null when not given. */
  venueTimeMs: number | null;
}

/**
 * An order as a live venue reports it (the reply to create/cancel, fetchOrder, open orders).
 * Quantities as in OrderRequest. An acknowledgement may carry only the ids (Bybit and OKX answer
 * create and cancel with ids alone): its other fields are then null, and fetchOrder tells the rest.
 */
export interface AccountOrder {
  venue: string;
  symbol: string;
  /** The venue's order id. */
  orderId: string;
  /** Echoed client order id; null when the venue's answer has none. */
  clientOrderId: string | null;
  status: OrderStatus | null;
  side: import('../domain/trading.ts').OrderSide | null;
  type: string | null;
  timeInForce: import('../domain/trading.ts').TimeInForce | null;
  reduceOnly: boolean | null;
  quantity: number | null;
  limitPrice: number | null;
  filledQuantity: number | null;
  remainingQuantity: number | null;
  averageFillPrice: number | null;
  /** ccxt's order timestamp, ms: the creation time where the answer gives it, else its last update (a cancel's time). */
  venueTimeMs: number | null;
}

/** Which order: the venue's id or the client order id given at creation. */
export type OrderRef = { orderId: string } | { clientOrderId: string };

/**
 * One trade (execution) of the account as a live venue reports it. Quantity in base units for spot
 * and linear contracts, contracts for inverse ones (as OrderRequest). Null: the answer did not say.
 */
export interface AccountTrade {
  venue: string;
  symbol: string;
  /** The venue's trade (execution) id: unique per venue and symbol, the key that books a fill once. */
  tradeId: string;
  orderId: string | null;
  clientOrderId: string | null;
  side: import('../domain/trading.ts').OrderSide;
  quantity: number;
  price: number;
  /** Fee paid (positive) or rebate (negative), in feeAsset; null when the answer has none. */
  fee: number | null;
  feeAsset: string | null;
  liquidity: import('../domain/trading.ts').Liquidity | null;
  venueTimeMs: number | null;
}

/**
 * One funding settlement of the account's history (Binance income FUNDING_FEE, Bybit executions of
 * type Funding, OKX bills of type 8). `amount` is received (positive) or paid (negative), in
 * `asset`. Rate, mark and position where the venue's row gives them (Bybit), else null.
 */
export interface AccountFundingRow {
  venue: string;
  symbol: string;
  /** The venue's id of the row (or its time when it has none). */
  id: string;
  venueTimeMs: number;
  amount: number;
  asset: string;
  fundingRatePerInterval: number | null;
  markPrice: number | null;
  /** Signed position the settlement was paid on, in OrderRequest units. */
  positionQty: number | null;
}

/** What a venue requires of an order's size (from its market rules: ccxt `limits`); null: not stated, not checked. */
export interface OrderRules {
  symbol: string;
  /** Step of the quantity (the instrument's lot size). */
  lotSize: number | null;
  minQuantity: number | null;
  maxQuantity: number | null;
  /** Smallest quantity x price, in the quote currency (Binance MIN_NOTIONAL / NOTIONAL, Bybit minOrderAmt / minNotionalValue). */
  minNotional: number | null;
}

/** An order the pre-trade check sizes (no id yet). */
export interface OrderSketch {
  symbol: string;
  side: import('../domain/trading.ts').OrderSide;
  quantity: number;
  /** The price it is expected to fill at. */
  price: number;
  reduceOnly: boolean;
}

/**
 * What a new order would tie up, and what the account has for it, as the venue last knew. Orders
 * that draw on the same `wallet` and `asset` add up (a pair's two legs on one unified account).
 */
export interface OrderNeed {
  /** The pool of funds that pays: Binance's spot and USDⓈ-M wallets are apart; a unified account (Bybit, OKX) is one. */
  wallet: string;
  asset: string;
  /** A spot buy's cost plus its fee, a spot sell's base quantity, a derivative's initial margin plus the fee. 0 for a reduce-only order. */
  amount: number;
  /** Free for new orders, as last known; null: unknown (not checked). */
  available: number | null;
}
