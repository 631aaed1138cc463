import type { Wallet } from '../accounts/wallet.ts';
import type { ExchangeContext } from '../exchangeContext.ts';
import { json, type HttpMethod, type SimRequest, type SimResponse, type SimRoute } from '../http/routeTypes.ts';
import { decimalText } from '../numberText.ts';
import { VenueError } from '../../types.ts';
import { venueErrorDetail } from '../venueErrorDetail.ts';
import { spotBalancesJson, usdmAccountJson, positionRiskJson } from './binanceAccountJson.ts';
import { tradeJson } from './binanceFormat.ts';
import { isResponse, listingParam, SEGMENT_HOST, type BinanceSegment } from './binanceMarkets.ts';
import { createBinanceOrder, findBinanceOrder, orderJsonOf } from './binanceOrders.ts';
import { binanceError } from './binanceProtocol.ts';

const walletOf = (request: SimRequest, segment: BinanceSegment): Wallet => request.account!.wallet(segment === 'spot' ? 'binanceSpot' : 'binanceUsdm');

/** Rows of a list endpoint between startTime and endTime (inclusive), the latest `limit` (default 500, max 1000). */
function window<T>(rows: T[], timeOf: (row: T) => number, request: SimRequest): T[] | SimResponse {
  const limit = request.params.limit === undefined ? 500 : Number(request.params.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) return binanceError(-1100, "Illegal characters found in parameter 'limit'; legal range is '1-1000'.");
  const start = request.params.startTime === undefined ? -Infinity : Number(request.params.startTime);
  const end = request.params.endTime === undefined ? Infinity : Number(request.params.endTime);
  const inRange = rows.filter((r) => timeOf(r) >= start && timeOf(r) <= end);
  return request.params.startTime !== undefined ? inRange.slice(0, limit) : inRange.slice(-limit);
}

/** Binance's private endpoints of one segment: account, orders, trades; for USDⓈ-M also positions, leverage, margin type, income and the user-data listen key. */
export function binancePrivateRoutes(ctx: ExchangeContext, segment: BinanceSegment): SimRoute[] {
  const host = SEGMENT_HOST[segment];
  const route = (method: HttpMethod, path: string, endpoint: string, handle: (request: SimRequest, wallet: Wallet) => SimResponse | Promise<SimResponse>): SimRoute => ({
    venue: 'binance',
    host,
    method,
    path,
    endpoint,
    auth: 'signed',
    handle: (request) => handle(request, walletOf(request, segment)),
  });
  const v = segment === 'spot' ? '/api/v3' : '/fapi/v1';
  const orderNotFound = binanceError(-2013, 'Order does not exist.');
  const routes: SimRoute[] = [
    route('POST', `${v}/order`, 'createOrder', (request, wallet) => createBinanceOrder(ctx, segment, wallet, request)),
    route('GET', `${v}/order`, 'fetchOrder', (request, wallet) => {
      const order = findBinanceOrder(ctx, segment, wallet, request, orderNotFound);
      return isResponse(order) ? order : json(orderJsonOf(segment, order));
    }),
    route('DELETE', `${v}/order`, 'cancelOrder', async (request, wallet) => {
      const unknown = binanceError(-2011, 'Unknown order sent.');
      const order = findBinanceOrder(ctx, segment, wallet, request, unknown);
      if (isResponse(order)) return order;
      if (!(await wallet.cancel(order))) return unknown;
      return json(orderJsonOf(segment, order));
    }),
    route('GET', `${v}/openOrders`, 'fetchOpenOrders', (request, wallet) => {
      const listing = listingParam(ctx, segment, request, false);
      if (isResponse(listing)) return listing;
      return json(wallet.openOrders(listing ?? undefined).map((o) => orderJsonOf(segment, o)));
    }),
    route('GET', `${v}/allOrders`, 'fetchOrders', (request, wallet) => {
      const listing = listingParam(ctx, segment, request);
      if (listing === null || isResponse(listing)) return listing!;
      const rows = window(wallet.allOrders(listing), (o) => o.createdMs, request);
      return isResponse(rows) ? rows : json(rows.map((o) => orderJsonOf(segment, o)));
    }),
    route('GET', segment === 'spot' ? '/api/v3/myTrades' : '/fapi/v1/userTrades', 'fetchMyTrades', (request, wallet) => {
      const listing = listingParam(ctx, segment, request);
      if (listing === null || isResponse(listing)) return listing!;
      const rows = window(wallet.trades.filter((t) => t.listing === listing && (request.params.orderId === undefined || t.orderId === request.params.orderId)), (t) => t.timeMs, request);
      return isResponse(rows) ? rows : json(rows.map((t) => tradeJson(t, null)));
    }),
  ];
  if (segment === 'spot') {
    routes.push(
      route('GET', '/api/v3/account', 'fetchBalance', async (_request, wallet) =>
        json({ makerCommission: 10, takerCommission: 10, buyerCommission: 0, sellerCommission: 0, canTrade: true, canWithdraw: true, canDeposit: true, brokered: false, requireSelfTradePrevention: false, preventSor: false, updateTime: ctx.clock.nowMs, accountType: 'SPOT', balances: spotBalancesJson(await wallet.balances()), permissions: ['SPOT'], uid: 1 }),
      ),
    );
    return routes;
  }
  return [...routes, ...usdmAccountRoutes(ctx, route)];
}

function usdmAccountRoutes(ctx: ExchangeContext, route: (method: HttpMethod, path: string, endpoint: string, handle: (request: SimRequest, wallet: Wallet) => SimResponse | Promise<SimResponse>) => SimRoute): SimRoute[] {
  const account = (version: 2 | 3) => async (_request: SimRequest, wallet: Wallet) => json(usdmAccountJson(wallet, await wallet.balances(), await wallet.positions(), ctx.clock.nowMs, version));
  const positionRisk = (version: 2 | 3) => async (request: SimRequest, wallet: Wallet) => {
    const listing = listingParam(ctx, 'usdm', request, false);
    if (isResponse(listing)) return listing;
    const positions = await wallet.positions();
    const listings = listing === null ? wallet.listings : [listing];
    const rows = listings
      .map((l) => ({ l, p: positions.find((p) => p.symbol === l.symbol) }))
      .filter(({ p, l }) => version === 2 || p !== undefined || wallet.openOrders(l).length > 0)
      .map(({ l, p }) => positionRiskJson(wallet, l, p, ctx.clock.nowMs, version));
    return json(rows);
  };
  const venueCall = async (run: () => Promise<void>, ok: () => SimResponse, code: number): Promise<SimResponse> => {
    try {
      await run();
      return ok();
    } catch (error) {
      if (error instanceof VenueError) return binanceError(code, venueErrorDetail(error));
      throw error;
    }
  };
  return [
    route('GET', '/fapi/v2/account', 'fetchBalance', account(2)),
    route('GET', '/fapi/v3/account', 'fetchBalance', account(3)),
    route('GET', '/fapi/v2/balance', 'fetchBalance', async (_r, wallet) => json((await wallet.balances()).map((b) => ({ accountAlias: 'SimFuture', asset: b.asset, balance: decimalText(b.walletBalance), crossWalletBalance: decimalText(b.walletBalance), crossUnPnl: decimalText(b.unrealisedPnl), availableBalance: decimalText(b.available), maxWithdrawAmount: decimalText(Math.max(0, b.available)), marginAvailable: true, updateTime: ctx.clock.nowMs })))),
    route('GET', '/fapi/v2/positionRisk', 'fetchPositions', positionRisk(2)),
    route('GET', '/fapi/v3/positionRisk', 'fetchPositions', positionRisk(3)),
    route('GET', '/fapi/v1/leverageBracket', 'fetchLeverageTiers', (request, wallet) => {
      const listing = listingParam(ctx, 'usdm', request, false);
      if (isResponse(listing)) return listing;
      const rows = (listing === null ? wallet.listings : [listing]).map((l) => ({
        symbol: l.venueSymbol,
        notionalCoef: 1,
        brackets: [{ bracket: 1, initialLeverage: 125, notionalCap: 1_000_000_000, notionalFloor: 0, maintMarginRatio: 0.004, cum: 0 }],
      }));
      return json(rows);
    }),
    route('POST', '/fapi/v1/leverage', 'setLeverage', (request, wallet) => {
      const listing = listingParam(ctx, 'usdm', request);
      if (listing === null || isResponse(listing)) return listing!;
      const leverage = Number(request.params.leverage);
      if (!Number.isInteger(leverage) || leverage < 1 || leverage > 125) return binanceError(-4028, `Leverage ${request.params.leverage} is not valid`);
      return venueCall(() => wallet.setLeverage(listing, leverage), () => json({ leverage, maxNotionalValue: '1000000000', symbol: listing.venueSymbol }), -4161);
    }),
    route('POST', '/fapi/v1/marginType', 'setMarginMode', (request, wallet) => {
      const listing = listingParam(ctx, 'usdm', request);
      if (listing === null || isResponse(listing)) return listing!;
      const type = request.params.marginType;
      if (type !== 'ISOLATED' && type !== 'CROSSED') return binanceError(-4044, 'The margin type cannot be set by this request.');
      const mode = type === 'ISOLATED' ? 'isolated' : 'cross';
      if (wallet.marginMode.get(listing.symbol) === mode) return binanceError(-4046, 'No need to change margin type.');
      if (wallet.openOrders(listing).length > 0) return binanceError(-4047, 'Margin type cannot be changed if there exists open orders.');
      return venueCall(() => wallet.setMarginMode(listing, mode), () => json({ code: 200, msg: 'success' }), -4048);
    }),
    route('GET', '/fapi/v1/positionSide/dual', 'fetchPositionMode', () => json({ dualSidePosition: false })),
    route('POST', '/fapi/v1/positionSide/dual', 'setPositionMode', (request) => {
      if (request.params.dualSidePosition === 'false') return binanceError(-4059, 'No need to change position side.');
      return binanceError(-4068, 'exchange-sim keeps one-way position mode only (hedge mode is not simulated).');
    }),
    route('GET', '/fapi/v1/income', 'fetchFundingHistory', (request, wallet) => {
      const type = request.params.incomeType;
      if (type !== undefined && type !== 'FUNDING_FEE') return json([]);
      const listing = listingParam(ctx, 'usdm', request, false);
      if (isResponse(listing)) return listing;
      const rows = window(wallet.fundings.filter((f) => listing === null || f.listing === listing), (f) => f.timeMs, request);
      if (isResponse(rows)) return rows;
      return json(rows.map((f) => ({ symbol: f.listing.venueSymbol, incomeType: 'FUNDING_FEE', income: decimalText(f.amount), asset: f.asset, info: 'FUNDING_FEE', time: f.timeMs, tranId: f.id, tradeId: '' })));
    }),
    route('GET', '/fapi/v1/commissionRate', 'fetchTradingFee', (request) => {
      const listing = listingParam(ctx, 'usdm', request);
      if (listing === null || isResponse(listing)) return listing!;
      return json({ symbol: listing.venueSymbol, makerCommissionRate: decimalText(listing.makerFeeRate), takerCommissionRate: decimalText(listing.takerFeeRate) });
    }),
  ];
}
