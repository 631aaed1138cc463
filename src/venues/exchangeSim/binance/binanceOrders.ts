import type { TimeInForce } from '../../../domain/trading.ts';
import type { RejectCode } from '../../sim/validateOrder.ts';
import { filterFailure, positiveNumber, type FilterFailure } from '../accounts/orderChecks.ts';
import type { SimOrder } from '../accounts/simOrder.ts';
import type { PlaceOrder, Wallet } from '../accounts/wallet.ts';
import type { ExchangeContext } from '../exchangeContext.ts';
import { json, type SimRequest, type SimResponse } from '../http/routeTypes.ts';
import { touchPrices, toStep } from '../market/bookLevels.ts';
import { spotOrderJson, usdmOrderJson } from './binanceFormat.ts';
import { isResponse, listingParam, type BinanceSegment } from './binanceMarkets.ts';
import { binanceError } from './binanceProtocol.ts';

const CLIENT_ID = /^[.A-Z:/a-z0-9_-]{1,36}$/;

const missing = (name: string) => binanceError(-1102, `Mandatory parameter '${name}' was not sent, was empty/null, or malformed.`);

function filterError(segment: BinanceSegment, failure: FilterFailure, minNotional: number): SimResponse {
  if (segment === 'spot') {
    const filter = failure === 'tickSize' ? 'PRICE_FILTER' : failure === 'minNotional' ? 'NOTIONAL' : 'LOT_SIZE';
    return binanceError(-1013, `Filter failure: ${filter}`);
  }
  switch (failure) {
    case 'minNotional':
      return binanceError(-4164, `Order's notional must be no smaller than ${minNotional} (unless you choose reduce only).`);
    case 'tickSize':
      return binanceError(-4014, 'Price not increased by tick size.');
    case 'lotSize':
      return binanceError(-1111, 'Precision is over the maximum defined for this asset.');
    case 'maxQty':
      return binanceError(-4005, 'Quantity greater than max quantity.');
    default:
      return binanceError(-4003, 'Quantity less than or equal to zero.');
  }
}

/** The simulated venue's rejection in Binance's words. */
function rejectError(segment: BinanceSegment, code: RejectCode | 'unknown', reason: string): SimResponse {
  switch (code) {
    case 'insufficientBalance':
    case 'insufficientMargin':
      return segment === 'spot' ? binanceError(-2010, 'Account has insufficient balance for requested action.') : binanceError(-2019, 'Margin is insufficient.');
    case 'postOnlyWouldTake':
      return segment === 'spot' ? binanceError(-2010, 'Order would immediately match and take.') : binanceError(-5022, 'Due to the order could not be executed as maker, the Post Only order will be rejected.');
    case 'reduceOnlyWouldIncrease':
      return binanceError(-2022, 'ReduceOnly Order is rejected.');
    case 'lotSize':
      return filterError(segment, 'lotSize', 0);
    case 'tickSize':
      return filterError(segment, 'tickSize', 0);
    case 'noMarketData':
      return binanceError(-1008, `Server is currently overloaded with other requests. Please try again in a few minutes. (${reason})`, 503);
    default:
      return binanceError(-1013, `Invalid order. (${reason})`);
  }
}

function parseTimeInForce(segment: BinanceSegment, type: string, text: string | undefined): TimeInForce | SimResponse {
  if (type === 'LIMIT_MAKER') return 'PO';
  if (type === 'MARKET') return 'IOC';
  if (text === undefined) return missing('timeInForce');
  if (text === 'GTC') return 'GTC';
  if (text === 'IOC') return 'IOC';
  if (text === 'GTX' && segment === 'usdm') return 'PO';
  return binanceError(-1115, 'Invalid timeInForce.');
}

/** POST /api/v3/order, /fapi/v1/order: the request checked as Binance checks it, placed on the wallet, answered in Binance's shape. */
export async function createBinanceOrder(ctx: ExchangeContext, segment: BinanceSegment, wallet: Wallet, request: SimRequest): Promise<SimResponse> {
  const p = request.params;
  const listing = listingParam(ctx, segment, request);
  if (listing === null || isResponse(listing)) return listing ?? missing('symbol');
  if (p.side === undefined) return missing('side');
  if (p.side !== 'BUY' && p.side !== 'SELL') return binanceError(-1117, 'Invalid side.');
  if (p.type === undefined) return missing('type');
  const allowed = segment === 'spot' ? ['LIMIT', 'MARKET', 'LIMIT_MAKER'] : ['LIMIT', 'MARKET'];
  if (!allowed.includes(p.type)) return binanceError(-1116, 'Invalid orderType.');
  if (p.positionSide !== undefined && p.positionSide !== 'BOTH') return binanceError(-4061, "Order's position side does not match user's setting.");
  const timeInForce = parseTimeInForce(segment, p.type, p.timeInForce);
  if (typeof timeInForce !== 'string') return timeInForce;
  const market = p.type === 'MARKET';
  const price = market ? null : positiveNumber(p.price);
  if (!market && price === null) return p.price === undefined ? missing('price') : binanceError(-1013, 'Invalid price.');
  const touch = touchPrices(ctx.board.market('binance', listing.symbol)!, ctx.fill);
  let quantity = positiveNumber(p.quantity);
  if (quantity === null && market && segment === 'spot' && p.quoteOrderQty !== undefined) {
    const quoteQty = positiveNumber(p.quoteOrderQty);
    if (quoteQty === null || touch === null) return binanceError(-1013, 'Invalid quantity.');
    quantity = toStep(quoteQty / (p.side === 'BUY' ? touch.ask : touch.bid), listing.lotSize, 'floor');
  }
  if (quantity === null || quantity <= 0) return p.quantity === undefined ? missing('quantity') : segment === 'spot' ? binanceError(-1013, 'Invalid quantity.') : binanceError(-4003, 'Quantity less than or equal to zero.');
  const reduceOnly = p.reduceOnly === 'true';
  if (reduceOnly && segment === 'spot') return binanceError(-1106, "Parameter 'reduceOnly' sent when not required.");
  const clientOrderId = p.newClientOrderId ?? `sim${ctx.ids.nextTrade()}`;
  if (!CLIENT_ID.test(clientOrderId)) return segment === 'spot' ? binanceError(-1100, "Illegal characters found in parameter 'newClientOrderId'; legal range is '^[\\.A-Z\\:/a-z0-9_-]{1,36}$'.") : binanceError(-4015, 'Client order id is not valid.');
  if (wallet.hasClientId(clientOrderId)) return segment === 'spot' ? binanceError(-2010, 'Duplicate order sent.') : binanceError(-4116, 'ClientOrderId is duplicated.');
  const reference = touch === null ? Number.NaN : p.side === 'BUY' ? touch.ask : touch.bid;
  const failure = filterFailure(listing, quantity, price, reference, reduceOnly);
  if (failure !== null) return filterError(segment, failure, listing.minNotional);
  const place: PlaceOrder = { listing, clientOrderId, side: p.side === 'BUY' ? 'buy' : 'sell', type: market ? 'market' : 'limit', timeInForce, reduceOnly, quantity, price };
  const result = await wallet.place(place);
  if (!result.ok) return rejectError(segment, result.code, result.reason);
  return json(orderReply(segment, result.order, p.newOrderRespType));
}

function orderReply(segment: BinanceSegment, o: SimOrder, respType: string | undefined): Record<string, unknown> {
  if (segment === 'usdm') return usdmOrderJson(o);
  if (respType === 'ACK') return { symbol: o.listing.venueSymbol, orderId: Number(o.orderId), orderListId: -1, clientOrderId: o.clientOrderId, transactTime: o.updatedMs };
  const full = spotOrderJson(o, respType === 'RESULT' ? undefined : o.fills);
  if (respType === 'RESULT') full.transactTime = o.updatedMs;
  return full;
}

/** The order a request names by orderId or origClientOrderId (both: both must match), or the answer saying why not. */
export function findBinanceOrder(ctx: ExchangeContext, segment: BinanceSegment, wallet: Wallet, request: SimRequest, notFound: SimResponse): SimOrder | SimResponse {
  const listing = listingParam(ctx, segment, request);
  if (listing === null || isResponse(listing)) return listing ?? missing('symbol');
  const orderId = request.params.orderId;
  const clientOrderId = request.params.origClientOrderId;
  if (orderId === undefined && clientOrderId === undefined) return binanceError(-1102, "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!");
  const order = wallet.order({ orderId, clientOrderId });
  return order !== undefined && order.listing === listing ? order : notFound;
}

export const orderJsonOf = (segment: BinanceSegment, o: SimOrder): Record<string, unknown> => (segment === 'spot' ? spotOrderJson(o) : usdmOrderJson(o));
