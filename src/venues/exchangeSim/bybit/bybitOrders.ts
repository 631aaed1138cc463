import type { TimeInForce } from '../../../domain/trading.ts';
import type { RejectCode } from '../../sim/validateOrder.ts';
import { filterFailure, positiveNumber, type FilterFailure } from '../accounts/orderChecks.ts';
import type { PlaceOrder, Wallet } from '../accounts/wallet.ts';
import type { ExchangeContext } from '../exchangeContext.ts';
import type { SimRequest, SimResponse } from '../http/routeTypes.ts';
import { touchPrices, toStep } from '../market/bookLevels.ts';
import type { Listing } from '../listings.ts';
import { decimalText } from '../numberText.ts';
import { categoryParam, isResponse, symbolParam } from './bybitMarkets.ts';
import { bybitError, bybitOk } from './bybitProtocol.ts';

const LINK_ID = /^[A-Za-z0-9_-]{1,36}$/;

function filterError(ctx: ExchangeContext, l: Listing, failure: FilterFailure): SimResponse {
  if (l.kind === 'spot') {
    if (failure === 'tickSize') return bybitError(ctx, 170134, 'Order price decimal too long.');
    if (failure === 'lotSize') return bybitError(ctx, 170137, 'Order volume decimal too long');
    if (failure === 'minNotional') return bybitError(ctx, 170140, 'Order value exceeded lower limit.');
    if (failure === 'maxQty') return bybitError(ctx, 170135, 'Order quantity too large.');
    return bybitError(ctx, 170136, 'Order quantity lower than the minimum.');
  }
  if (failure === 'minNotional') return bybitError(ctx, 110094, `Order does not meet minimum order value ${decimalText(l.minNotional)}${l.quote}`);
  if (failure === 'tickSize') return bybitError(ctx, 10001, `params error: price must be a multiple of the tick size ${decimalText(l.tickSize)}`);
  if (failure === 'lotSize') return bybitError(ctx, 10001, `params error: Qty invalid, must be a multiple of ${decimalText(l.lotSize)}`);
  if (failure === 'maxQty') return bybitError(ctx, 10001, 'The number of contracts exceeds maximum limit allowed: too large');
  return bybitError(ctx, 10001, 'The number of contracts exceeds minimum limit allowed');
}

function rejectError(ctx: ExchangeContext, l: Listing, code: RejectCode | 'unknown', reason: string): SimResponse {
  switch (code) {
    case 'insufficientBalance':
    case 'insufficientMargin':
      return l.kind === 'spot' ? bybitError(ctx, 170131, 'Insufficient balance.') : bybitError(ctx, 110007, 'ab not enough for new order');
    case 'reduceOnlyWouldIncrease':
      return bybitError(ctx, 110017, 'Reduce-only rule not satisfied');
    case 'lotSize':
      return filterError(ctx, l, 'lotSize');
    case 'tickSize':
      return filterError(ctx, l, 'tickSize');
    case 'noMarketData':
      return bybitError(ctx, 10016, `System error. Please try again later. (${reason})`);
    default:
      return bybitError(ctx, 10001, `params error: ${reason}`);
  }
}

function parseTimeInForce(text: string | undefined, market: boolean): TimeInForce | null {
  if (market) return 'IOC';
  if (text === undefined || text === 'GTC') return 'GTC';
  if (text === 'IOC') return 'IOC';
  if (text === 'PostOnly') return 'PO';
  return null;
}

/** POST /v5/order/create, checked as Bybit checks it. A post-only order that would take is accepted and cancelled, as Bybit does. */
export async function createBybitOrder(ctx: ExchangeContext, wallet: Wallet, request: SimRequest): Promise<SimResponse> {
  const p = request.params;
  const category = categoryParam(ctx, request);
  if (isResponse(category)) return category;
  const listing = symbolParam(ctx, category, request, true);
  if (listing === null || isResponse(listing)) return listing!;
  if (p.side !== 'Buy' && p.side !== 'Sell') return bybitError(ctx, 10001, 'params error: side invalid');
  if (p.orderType !== 'Market' && p.orderType !== 'Limit') return bybitError(ctx, 10001, 'params error: OrderType invalid');
  const market = p.orderType === 'Market';
  const timeInForce = parseTimeInForce(p.timeInForce, market);
  if (timeInForce === null) return bybitError(ctx, 10001, `params error: timeInForce ${p.timeInForce} is not supported (GTC, IOC, PostOnly)`);
  const price = market ? null : positiveNumber(p.price);
  if (!market && price === null) return bybitError(ctx, 10001, 'params error: price invalid');
  let quantity = positiveNumber(p.qty);
  if (quantity === null) return bybitError(ctx, 10001, 'params error: qty invalid');
  const touch = touchPrices(ctx.board.market('bybit', listing.symbol)!, ctx.fill);
  // Spot market buys count the quote coin unless marketUnit says baseCoin.
  if (market && listing.kind === 'spot' && p.side === 'Buy' && p.marketUnit !== 'baseCoin') {
    if (touch === null) return bybitError(ctx, 10016, 'System error. Please try again later. (no price yet)');
    quantity = toStep(quantity / touch.ask, listing.lotSize, 'floor');
  }
  const reduceOnly = p.reduceOnly === 'true';
  if (reduceOnly && listing.kind === 'spot') return bybitError(ctx, 10001, 'params error: reduceOnly is not supported for spot');
  const linkId = p.orderLinkId ?? `sim-${ctx.ids.nextTrade()}`;
  if (!LINK_ID.test(linkId)) return bybitError(ctx, 10001, 'params error: orderLinkId is invalid');
  if (wallet.hasClientId(linkId)) return bybitError(ctx, 110072, 'OrderLinkedID is duplicate');
  const reference = touch === null ? Number.NaN : p.side === 'Buy' ? touch.ask : touch.bid;
  const failure = filterFailure(listing, quantity, price, reference, reduceOnly);
  if (failure !== null) return filterError(ctx, listing, failure);
  const place: PlaceOrder = { listing, clientOrderId: linkId, side: p.side === 'Buy' ? 'buy' : 'sell', type: market ? 'market' : 'limit', timeInForce, reduceOnly, quantity, price };
  const result = await wallet.place(place, ['postOnlyWouldTake']);
  if (!result.ok) return rejectError(ctx, listing, result.code, result.reason);
  return bybitOk(ctx, { orderId: result.order.orderId, orderLinkId: result.order.clientOrderId });
}
