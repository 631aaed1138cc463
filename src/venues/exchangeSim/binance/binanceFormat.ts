import type { OrderStatus } from '../../../domain/trading.ts';
import { averagePrice, type SimOrder, type SimTrade } from '../accounts/simOrder.ts';
import { stepDecimals, type Listing } from '../listings.ts';
import { decimalText, fixedText } from '../numberText.ts';

const STATUS: Record<OrderStatus, string> = {
  accepted: 'NEW',
  partiallyFilled: 'PARTIALLY_FILLED',
  filled: 'FILLED',
  canceled: 'CANCELED',
  expired: 'EXPIRED',
  rejected: 'REJECTED',
};

export const binanceStatus = (o: SimOrder): string => STATUS[o.status];

export const qtyText = (l: Listing, q: number): string => fixedText(q, stepDecimals(l.lotSize));
export const priceText = (l: Listing, p: number): string => fixedText(p, stepDecimals(l.tickSize));

/** Spot: LIMIT_MAKER for post-only; USDⓈ-M keeps LIMIT with timeInForce GTX. */
function orderTypeText(o: SimOrder): string {
  if (o.type === 'market') return 'MARKET';
  return o.timeInForce === 'PO' && o.listing.kind === 'spot' ? 'LIMIT_MAKER' : 'LIMIT';
}

function timeInForceText(o: SimOrder): string {
  if (o.timeInForce === 'PO') return 'GTX';
  return o.type === 'market' ? 'GTC' : o.timeInForce;
}

/** An exchangeInfo `symbols` entry of the spot API (/api/v3/exchangeInfo). */
export function spotSymbolInfo(l: Listing): Record<string, unknown> {
  return {
    symbol: l.venueSymbol,
    status: 'TRADING',
    baseAsset: l.base,
    baseAssetPrecision: 8,
    quoteAsset: l.quote,
    quotePrecision: 8,
    quoteAssetPrecision: 8,
    baseCommissionPrecision: 8,
    quoteCommissionPrecision: 8,
    orderTypes: ['LIMIT', 'LIMIT_MAKER', 'MARKET'],
    icebergAllowed: false,
    ocoAllowed: false,
    otoAllowed: false,
    quoteOrderQtyMarketAllowed: true,
    allowTrailingStop: false,
    cancelReplaceAllowed: false,
    isSpotTradingAllowed: true,
    isMarginTradingAllowed: false,
    filters: [
      { filterType: 'PRICE_FILTER', minPrice: priceText(l, l.tickSize), maxPrice: '10000000.00000000', tickSize: decimalText(l.tickSize) },
      { filterType: 'LOT_SIZE', minQty: qtyText(l, l.minQty), maxQty: decimalText(l.maxQty), stepSize: decimalText(l.lotSize) },
      { filterType: 'NOTIONAL', minNotional: decimalText(l.minNotional), applyMinToMarket: true, maxNotional: '9000000.00000000', applyMaxToMarket: false, avgPriceMins: 5 },
    ],
    permissions: [],
    permissionSets: [['SPOT']],
    defaultSelfTradePreventionMode: 'EXPIRE_MAKER',
    allowedSelfTradePreventionModes: ['EXPIRE_MAKER'],
  };
}

/** An exchangeInfo `symbols` entry of the USDⓈ-M API (/fapi/v1/exchangeInfo). */
export function usdmSymbolInfo(l: Listing, onboardMs: number): Record<string, unknown> {
  return {
    symbol: l.venueSymbol,
    pair: l.venueSymbol,
    contractType: 'PERPETUAL',
    deliveryDate: 4133404800000,
    onboardDate: onboardMs,
    status: 'TRADING',
    maintMarginPercent: '2.5000',
    requiredMarginPercent: '5.0000',
    baseAsset: l.base,
    quoteAsset: l.quote,
    marginAsset: l.quote,
    pricePrecision: stepDecimals(l.tickSize),
    quantityPrecision: stepDecimals(l.lotSize),
    baseAssetPrecision: 8,
    quotePrecision: 8,
    underlyingType: 'COIN',
    underlyingSubType: [],
    triggerProtect: '0.0500',
    liquidationFee: '0.005000',
    marketTakeBound: '0.05',
    maxMoveOrderLimit: 10000,
    filters: [
      { filterType: 'PRICE_FILTER', maxPrice: '10000000', minPrice: priceText(l, l.tickSize), tickSize: decimalText(l.tickSize) },
      { filterType: 'LOT_SIZE', maxQty: decimalText(l.maxQty), minQty: qtyText(l, l.minQty), stepSize: decimalText(l.lotSize) },
      { filterType: 'MARKET_LOT_SIZE', maxQty: decimalText(l.maxQty), minQty: qtyText(l, l.minQty), stepSize: decimalText(l.lotSize) },
      { filterType: 'MAX_NUM_ORDERS', limit: 200 },
      { filterType: 'MIN_NOTIONAL', notional: decimalText(l.minNotional) },
      { filterType: 'PERCENT_PRICE', multiplierUp: '1.0500', multiplierDown: '0.9500', multiplierDecimal: '4' },
    ],
    orderTypes: ['LIMIT', 'MARKET'],
    timeInForce: ['GTC', 'IOC', 'GTX'],
    permissionSets: ['GRID', 'COPY'],
  };
}

/** A spot order (/api/v3/order and openOrders); `fills` adds the FULL response's fills. */
export function spotOrderJson(o: SimOrder, fills?: SimTrade[]): Record<string, unknown> {
  const l = o.listing;
  const out: Record<string, unknown> = {
    symbol: l.venueSymbol,
    orderId: Number(o.orderId),
    orderListId: -1,
    clientOrderId: o.clientOrderId,
    price: priceText(l, o.price ?? 0),
    origQty: qtyText(l, o.quantity),
    executedQty: decimalText(o.filledQuantity),
    cummulativeQuoteQty: decimalText(o.cumQuote),
    status: binanceStatus(o),
    timeInForce: timeInForceText(o),
    type: orderTypeText(o),
    side: o.side.toUpperCase(),
    stopPrice: '0.00000000',
    icebergQty: '0.00000000',
    time: o.createdMs,
    updateTime: o.updatedMs,
    isWorking: true,
    workingTime: o.createdMs,
    origQuoteOrderQty: '0.00000000',
    selfTradePreventionMode: 'EXPIRE_MAKER',
  };
  if (fills !== undefined) {
    out.transactTime = o.updatedMs;
    out.fills = fills.map((t) => ({ price: decimalText(t.price), qty: decimalText(t.quantity), commission: decimalText(t.fee), commissionAsset: t.feeAsset, tradeId: t.tradeId }));
  }
  return out;
}

/** A USDⓈ-M order (/fapi/v1/order and openOrders). */
export function usdmOrderJson(o: SimOrder): Record<string, unknown> {
  const l = o.listing;
  return {
    orderId: Number(o.orderId),
    symbol: l.venueSymbol,
    status: binanceStatus(o),
    clientOrderId: o.clientOrderId,
    price: o.price === null ? '0' : priceText(l, o.price),
    avgPrice: decimalText(averagePrice(o)),
    origQty: qtyText(l, o.quantity),
    executedQty: decimalText(o.filledQuantity),
    cumQty: decimalText(o.filledQuantity),
    cumQuote: decimalText(o.cumQuote),
    timeInForce: timeInForceText(o),
    type: orderTypeText(o),
    reduceOnly: o.reduceOnly,
    closePosition: false,
    side: o.side.toUpperCase(),
    positionSide: 'BOTH',
    stopPrice: '0',
    workingType: 'CONTRACT_PRICE',
    priceProtect: false,
    origType: orderTypeText(o),
    priceMatch: 'NONE',
    selfTradePreventionMode: 'EXPIRE_MAKER',
    goodTillDate: 0,
    time: o.createdMs,
    updateTime: o.updatedMs,
  };
}

/** A trade of /api/v3/myTrades (spot) or /fapi/v1/userTrades (USDⓈ-M). */
export function tradeJson(t: SimTrade, realizedPnl: number | null): Record<string, unknown> {
  const base = {
    symbol: t.listing.venueSymbol,
    id: t.tradeId,
    orderId: Number(t.orderId),
    price: decimalText(t.price),
    qty: decimalText(t.quantity),
    commission: decimalText(t.fee),
    commissionAsset: t.feeAsset,
    time: t.timeMs,
  };
  if (t.listing.kind === 'spot') return { ...base, orderListId: -1, quoteQty: decimalText(t.price * t.quantity), isBuyer: t.side === 'buy', isMaker: t.maker, isBestMatch: true };
  return { ...base, side: t.side.toUpperCase(), quoteQty: decimalText(t.price * t.quantity), realizedPnl: decimalText(realizedPnl ?? 0), marginAsset: t.feeAsset, positionSide: 'BOTH', buyer: t.side === 'buy', maker: t.maker };
}
