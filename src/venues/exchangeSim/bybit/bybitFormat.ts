import type { VenueBalance, VenuePosition } from '../../tradingTypes.ts';
import { averagePrice, type SimFunding, type SimOrder, type SimTrade } from '../accounts/simOrder.ts';
import type { Wallet } from '../accounts/wallet.ts';
import { stepDecimals, type Listing } from '../listings.ts';
import { decimalText, fixedText } from '../numberText.ts';

const d = decimalText;
const qtyText = (l: Listing, q: number) => fixedText(q, stepDecimals(l.lotSize));
const priceText = (l: Listing, p: number) => fixedText(p, stepDecimals(l.tickSize));

/** v5 orderStatus. Bybit marks an unfilled IOC or market remainder Cancelled; spot has PartiallyFilledCanceled. */
export function bybitStatus(o: SimOrder): string {
  switch (o.status) {
    case 'accepted':
      return 'New';
    case 'partiallyFilled':
      return 'PartiallyFilled';
    case 'filled':
      return 'Filled';
    case 'rejected':
      return 'Rejected';
    default:
      return o.filledQuantity > 0 && o.listing.kind === 'spot' ? 'PartiallyFilledCanceled' : 'Cancelled';
  }
}

function timeInForceText(o: SimOrder): string {
  if (o.timeInForce === 'PO') return 'PostOnly';
  return o.type === 'market' ? 'IOC' : o.timeInForce;
}

function rejectReasonText(o: SimOrder): string {
  if (o.reason?.startsWith('postOnlyWouldTake')) return 'EC_PostOnlyWillTakeLiquidity';
  return 'EC_NoError';
}

/** An order of /v5/order/realtime and /v5/order/history (and the websocket `order` topic). */
export function bybitOrderJson(o: SimOrder): Record<string, unknown> {
  const l = o.listing;
  const leaves = o.status === 'accepted' || o.status === 'partiallyFilled' ? o.quantity - o.filledQuantity : 0;
  return {
    orderId: o.orderId,
    orderLinkId: o.clientOrderId,
    blockTradeId: '',
    symbol: l.venueSymbol,
    price: o.price === null ? '0' : priceText(l, o.price),
    qty: qtyText(l, o.quantity),
    side: o.side === 'buy' ? 'Buy' : 'Sell',
    isLeverage: '',
    positionIdx: 0,
    orderStatus: bybitStatus(o),
    cancelType: o.status === 'canceled' ? 'CancelByUser' : 'UNKNOWN',
    rejectReason: rejectReasonText(o),
    avgPrice: o.filledQuantity > 0 ? d(averagePrice(o)) : '',
    leavesQty: d(leaves),
    leavesValue: d(leaves * (o.price ?? 0)),
    cumExecQty: d(o.filledQuantity),
    cumExecValue: d(o.cumQuote),
    cumExecFee: d(o.fee),
    timeInForce: timeInForceText(o),
    orderType: o.type === 'market' ? 'Market' : 'Limit',
    stopOrderType: '',
    orderIv: '',
    triggerPrice: '',
    takeProfit: '',
    stopLoss: '',
    tpTriggerBy: '',
    slTriggerBy: '',
    triggerDirection: 0,
    triggerBy: '',
    lastPriceOnCreated: '',
    reduceOnly: o.reduceOnly,
    closeOnTrigger: false,
    smpType: 'None',
    smpGroup: 0,
    smpOrderId: '',
    tpslMode: '',
    tpLimitPrice: '',
    slLimitPrice: '',
    placeType: '',
    createdTime: String(o.createdMs),
    updatedTime: String(o.updatedMs),
  };
}

/** An execution of /v5/execution/list (and the websocket `execution` topic). */
export function bybitExecutionJson(t: SimTrade, order: SimOrder | undefined): Record<string, unknown> {
  const l = t.listing;
  return {
    symbol: l.venueSymbol,
    orderId: t.orderId,
    orderLinkId: t.clientOrderId,
    side: t.side === 'buy' ? 'Buy' : 'Sell',
    orderPrice: order?.price === null || order === undefined ? '0' : priceText(l, order.price),
    orderQty: order === undefined ? d(t.quantity) : qtyText(l, order.quantity),
    leavesQty: order === undefined ? '0' : d(Math.max(0, order.quantity - order.filledQuantity)),
    orderType: order?.type === 'limit' ? 'Limit' : 'Market',
    stopOrderType: '',
    execFee: d(t.fee),
    feeCurrency: t.feeAsset,
    execId: String(t.tradeId),
    execPrice: d(t.price),
    execQty: d(t.quantity),
    execType: 'Trade',
    execValue: d(t.price * t.quantity),
    execTime: String(t.timeMs),
    feeRate: d(t.maker ? l.makerFeeRate : l.takerFeeRate),
    isMaker: t.maker,
    tradeIv: '',
    markIv: '',
    markPrice: '',
    indexPrice: '',
    underlyingPrice: '',
    blockTradeId: '',
    closedSize: '',
    seq: t.tradeId,
  };
}

/** A funding settlement as Bybit lists it among executions (execType Funding; execFee > 0 is paid). */
export function bybitFundingExecutionJson(f: SimFunding): Record<string, unknown> {
  const l = f.listing;
  const qty = Math.abs(f.positionQty);
  return {
    symbol: l.venueSymbol,
    orderId: '',
    orderLinkId: '',
    side: f.positionQty > 0 ? 'Buy' : 'Sell',
    orderPrice: '0',
    orderQty: '0',
    leavesQty: '0',
    orderType: 'UNKNOWN',
    stopOrderType: '',
    execFee: d(-f.amount),
    feeCurrency: f.asset,
    execId: `funding-${f.id}`,
    execPrice: d(f.markPrice),
    execQty: qtyText(l, qty),
    execType: 'Funding',
    execValue: d(qty * f.markPrice),
    execTime: String(f.timeMs),
    feeRate: d(f.rate),
    isMaker: false,
    tradeIv: '',
    markIv: '',
    markPrice: d(f.markPrice),
    indexPrice: '',
    underlyingPrice: '',
    blockTradeId: '',
    closedSize: '',
    seq: f.id,
  };
}

/** /v5/position/list rows: open positions, and a flat row for a symbol asked for by name. */
export function bybitPositionJson(wallet: Wallet, l: Listing, p: VenuePosition | undefined, nowMs: number): Record<string, unknown> {
  const qty = p?.quantity ?? 0;
  const isolated = wallet.marginMode.get(l.symbol) === 'isolated';
  return {
    positionIdx: 0,
    riskId: 1,
    riskLimitValue: '2000000',
    symbol: l.venueSymbol,
    side: qty > 0 ? 'Buy' : qty < 0 ? 'Sell' : '',
    size: qtyText(l, Math.abs(qty)),
    avgPrice: d(p?.entryPrice ?? 0),
    positionValue: d(Math.abs(qty) * (p?.entryPrice ?? 0)),
    tradeMode: isolated ? 1 : 0,
    positionStatus: 'Normal',
    autoAddMargin: 0,
    adlRankIndicator: qty === 0 ? 0 : 2,
    leverage: String(wallet.leverage.get(l.symbol) ?? 1),
    positionBalance: d(p?.isolatedMargin ?? 0),
    markPrice: d(p?.markPrice ?? 0),
    liqPrice: p?.liquidationPrice ? d(p.liquidationPrice) : '',
    bustPrice: '',
    positionMM: d(p?.maintenanceMargin ?? 0),
    positionIM: d(p?.initialMargin ?? 0),
    tpslMode: 'Full',
    takeProfit: '',
    stopLoss: '',
    trailingStop: '0',
    unrealisedPnl: d(p?.unrealisedPnl ?? 0),
    curRealisedPnl: '0',
    cumRealisedPnl: '0',
    seq: 0,
    isReduceOnly: false,
    mmrSysUpdateTime: '',
    leverageSysUpdatedTime: '',
    sessionAvgPrice: '',
    createdTime: String(nowMs),
    updatedTime: String(nowMs),
  };
}

/** /v5/account/wallet-balance for the unified account. */
export function bybitWalletJson(balances: VenueBalance[]): Record<string, unknown> {
  const sum = (f: (b: VenueBalance) => number) => d(balances.filter((b) => b.asset === 'USDT' || b.asset === 'USDC').reduce((s, b) => s + f(b), 0));
  return {
    list: [
      {
        totalEquity: sum((b) => b.equity),
        accountIMRate: '0',
        totalMarginBalance: sum((b) => b.equity),
        totalInitialMargin: sum((b) => b.positionMargin + b.orderMargin),
        accountType: 'UNIFIED',
        totalAvailableBalance: sum((b) => b.available),
        accountMMRate: '0',
        totalPerpUPL: sum((b) => b.unrealisedPnl),
        totalWalletBalance: sum((b) => b.walletBalance),
        accountLTV: '0',
        totalMaintenanceMargin: sum((b) => b.maintenanceMargin),
        coin: balances.map((b) => ({
          availableToBorrow: '',
          bonus: '0',
          accruedInterest: '0',
          availableToWithdraw: d(Math.max(0, b.available)),
          totalOrderIM: d(b.orderMargin),
          equity: d(b.equity),
          totalPositionMM: d(b.maintenanceMargin),
          usdValue: d(b.equity),
          unrealisedPnl: d(b.unrealisedPnl),
          collateralSwitch: true,
          spotHedgingQty: '0',
          borrowAmount: d(b.borrowed),
          totalPositionIM: d(b.positionMargin),
          walletBalance: d(b.walletBalance),
          cumRealisedPnl: '0',
          locked: '0',
          marginCollateral: true,
          coin: b.asset,
        })),
      },
    ],
  };
}
