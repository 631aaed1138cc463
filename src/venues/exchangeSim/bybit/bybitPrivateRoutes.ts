import { isOpen, type SimOrder } from '../accounts/simOrder.ts';
import type { Wallet } from '../accounts/wallet.ts';
import type { ExchangeContext } from '../exchangeContext.ts';
import type { HttpMethod, SimRequest, SimResponse, SimRoute } from '../http/routeTypes.ts';
import { decimalText } from '../numberText.ts';
import { VenueError } from '../../types.ts';
import { venueErrorDetail } from '../venueErrorDetail.ts';
import { bybitExecutionJson, bybitFundingExecutionJson, bybitOrderJson, bybitPositionJson, bybitWalletJson } from './bybitFormat.ts';
import { categoryParam, categoryOf, isResponse, symbolParam, type BybitCategory } from './bybitMarkets.ts';
import { createBybitOrder } from './bybitOrders.ts';
import { bybitError, bybitOk } from './bybitProtocol.ts';

const HOST = 'api.bybit.com';

type Handler = (request: SimRequest, wallet: Wallet) => SimResponse | Promise<SimResponse>;

function limitOf(ctx: ExchangeContext, request: SimRequest, def: number, max: number): number | SimResponse {
  const limit = request.params.limit === undefined ? def : Number(request.params.limit);
  return Number.isInteger(limit) && limit >= 1 && limit <= max ? limit : bybitError(ctx, 10001, `params error: limit must be 1 to ${max}`);
}

/** Orders of the category matching the request's symbol, orderId and orderLinkId, newest first. */
function selectOrders(ctx: ExchangeContext, wallet: Wallet, category: BybitCategory, request: SimRequest, open: boolean | null): SimOrder[] | SimResponse {
  const listing = symbolParam(ctx, category, request, false);
  if (isResponse(listing)) return listing;
  const { orderId, orderLinkId } = request.params;
  const byId = orderId !== undefined || orderLinkId !== undefined;
  return wallet
    .allOrders(listing ?? undefined)
    .filter((o) => categoryOf(o.listing) === category)
    .filter((o) => (orderId === undefined || o.orderId === orderId) && (orderLinkId === undefined || o.clientOrderId === orderLinkId))
    .filter((o) => (byId || open === null ? true : isOpen(o) === open))
    .reverse();
}

/** Bybit v5's private endpoints of the unified account. */
export function bybitPrivateRoutes(ctx: ExchangeContext): SimRoute[] {
  const route = (method: HttpMethod, path: string, endpoint: string, handle: Handler): SimRoute => ({
    venue: 'bybit',
    host: HOST,
    method,
    path,
    endpoint,
    auth: 'signed',
    handle: (request) => handle(request, request.account!.wallet('bybitUnified')),
  });
  const venueCall = async (run: () => Promise<void>, ok: () => SimResponse): Promise<SimResponse> => {
    try {
      await run();
      return ok();
    } catch (error) {
      if (error instanceof VenueError) return bybitError(ctx, 110000, venueErrorDetail(error));
      throw error;
    }
  };
  return [
    route('GET', '/v5/user/query-api', 'fetchAccounts', (request) =>
      bybitOk(ctx, { id: '1', note: `exchange-sim ${request.account!.name}`, apiKey: String(request.headers['x-bapi-api-key']), readOnly: 0, secret: '', permissions: { ContractTrade: ['Order', 'Position'], Spot: ['SpotTrade'], Wallet: [], Options: [], Derivatives: [], CopyTrading: [], BlockTrade: [], Exchange: [], NFT: [], Affiliate: [], Earn: [] }, ips: ['*'], type: 1, deadlineDay: 90, expiredAt: '', createdAt: '', unified: 0, uta: 1, userID: 1, inviterID: 0, vipLevel: 'No VIP', mktMakerLevel: '0', affiliateID: 0, rsaPublicKey: '', isMaster: true, parentUid: '0', kycLevel: 'LEVEL_1', kycRegion: '' }, ''),
    ),
    route('GET', '/v5/account/info', 'fetchAccountInfo', (_r, wallet) => {
      const isolated = [...wallet.marginMode.values()].some((m) => m === 'isolated');
      return bybitOk(ctx, { marginMode: isolated ? 'ISOLATED_MARGIN' : 'REGULAR_MARGIN', updatedTime: String(ctx.setup.startMs), unifiedMarginStatus: 4, dcpStatus: 'OFF', timeWindow: 10, smpGroup: 0, isMasterTrader: false, spotHedgingStatus: 'OFF' });
    }),
    route('GET', '/v5/account/wallet-balance', 'fetchBalance', async (request, wallet) => {
      if (request.params.accountType !== 'UNIFIED') return bybitError(ctx, 10001, 'accountType only support UNIFIED.');
      return bybitOk(ctx, bybitWalletJson(await wallet.balances()));
    }),
    route('GET', '/v5/account/fee-rate', 'fetchTradingFees', (request, wallet) => {
      const category = categoryParam(ctx, request);
      if (isResponse(category)) return category;
      const list = wallet.listings.filter((l) => categoryOf(l) === category).map((l) => ({ symbol: l.venueSymbol, baseCoin: l.base, takerFeeRate: decimalText(l.takerFeeRate), makerFeeRate: decimalText(l.makerFeeRate) }));
      return bybitOk(ctx, { list });
    }),
    route('POST', '/v5/order/create', 'createOrder', (request, wallet) => createBybitOrder(ctx, wallet, request)),
    route('POST', '/v5/order/cancel', 'cancelOrder', async (request, wallet) => {
      const category = categoryParam(ctx, request);
      if (isResponse(category)) return category;
      const listing = symbolParam(ctx, category, request, true);
      if (listing === null || isResponse(listing)) return listing!;
      const { orderId, orderLinkId } = request.params;
      if (orderId === undefined && orderLinkId === undefined) return bybitError(ctx, 10001, 'params error: orderId or orderLinkId is required');
      const order = wallet.order({ orderId, clientOrderId: orderLinkId });
      if (order === undefined || order.listing !== listing || !(await wallet.cancel(order))) return bybitError(ctx, 110001, 'Order does not exist.');
      return bybitOk(ctx, { orderId: order.orderId, orderLinkId: order.clientOrderId });
    }),
    route('GET', '/v5/order/realtime', 'fetchOpenOrders', (request, wallet) => {
      const category = categoryParam(ctx, request);
      if (isResponse(category)) return category;
      const limit = limitOf(ctx, request, 20, 50);
      if (isResponse(limit)) return limit;
      const orders = selectOrders(ctx, wallet, category, request, request.params.openOnly === '1' ? false : true);
      if (isResponse(orders)) return orders;
      return bybitOk(ctx, { list: orders.slice(0, limit).map(bybitOrderJson), nextPageCursor: '', category });
    }),
    route('GET', '/v5/order/history', 'fetchClosedOrders', (request, wallet) => {
      const category = categoryParam(ctx, request);
      if (isResponse(category)) return category;
      const limit = limitOf(ctx, request, 20, 50);
      if (isResponse(limit)) return limit;
      const orders = selectOrders(ctx, wallet, category, request, false);
      if (isResponse(orders)) return orders;
      return bybitOk(ctx, { list: orders.slice(0, limit).map(bybitOrderJson), nextPageCursor: '', category });
    }),
    route('GET', '/v5/execution/list', 'fetchMyTrades', (request, wallet) => {
      const category = categoryParam(ctx, request);
      if (isResponse(category)) return category;
      const listing = symbolParam(ctx, category, request, false);
      if (isResponse(listing)) return listing;
      const limit = limitOf(ctx, request, 50, 100);
      if (isResponse(limit)) return limit;
      const start = request.params.startTime === undefined ? -Infinity : Number(request.params.startTime);
      const end = request.params.endTime === undefined ? Infinity : Number(request.params.endTime);
      const { orderId, orderLinkId } = request.params;
      if (request.params.execType === 'Funding') {
        const fundings = wallet.fundings
          .filter((f) => categoryOf(f.listing) === category && (listing === null || f.listing === listing) && f.timeMs >= start && f.timeMs <= end)
          .reverse()
          .slice(0, limit);
        return bybitOk(ctx, { list: fundings.map(bybitFundingExecutionJson), nextPageCursor: '', category });
      }
      if (request.params.execType !== undefined && request.params.execType !== 'Trade') return bybitOk(ctx, { list: [], nextPageCursor: '', category });
      const rows = wallet.trades
        .filter((t) => categoryOf(t.listing) === category && (listing === null || t.listing === listing))
        .filter((t) => (orderId === undefined || t.orderId === orderId) && (orderLinkId === undefined || t.clientOrderId === orderLinkId))
        .filter((t) => t.timeMs >= start && t.timeMs <= end)
        .reverse()
        .slice(0, limit);
      return bybitOk(ctx, { list: rows.map((t) => bybitExecutionJson(t, wallet.order({ orderId: t.orderId }))), nextPageCursor: '', category });
    }),
    route('GET', '/v5/position/list', 'fetchPositions', async (request, wallet) => {
      const category = categoryParam(ctx, request);
      if (isResponse(category)) return category;
      if (category !== 'linear' && category !== 'inverse' && category !== 'option') return bybitError(ctx, 10001, 'params error: category only support linear, inverse or option');
      const listing = symbolParam(ctx, category, request, false);
      if (isResponse(listing)) return listing;
      if (listing === null && request.params.settleCoin === undefined && request.params.baseCoin === undefined) return bybitError(ctx, 10001, 'params error: symbol or settleCoin is required');
      const positions = await wallet.positions();
      const candidates = wallet.listings.filter((l) => categoryOf(l) === category && (listing === null || l === listing) && (request.params.settleCoin === undefined || l.quote === request.params.settleCoin));
      const rows = candidates
        .map((l) => ({ l, p: positions.find((p) => p.symbol === l.symbol) }))
        .filter(({ p }) => listing !== null || p !== undefined)
        .map(({ l, p }) => bybitPositionJson(wallet, l, p, ctx.clock.nowMs));
      return bybitOk(ctx, { list: rows, nextPageCursor: '', category });
    }),
    route('POST', '/v5/position/set-leverage', 'setLeverage', (request, wallet) => {
      const category = categoryParam(ctx, request);
      if (isResponse(category)) return category;
      const listing = symbolParam(ctx, category, request, true);
      if (listing === null || isResponse(listing)) return listing!;
      const buy = Number(request.params.buyLeverage);
      const sell = Number(request.params.sellLeverage);
      if (!(buy >= 1 && buy <= 100) || buy !== sell) return bybitError(ctx, 10001, 'params error: buyLeverage must equal sellLeverage, from 1 to 100 (one-way mode)');
      if (wallet.leverage.get(listing.symbol) === buy) return bybitError(ctx, 110043, 'Set leverage not modified');
      return venueCall(() => wallet.setLeverage(listing, buy), () => bybitOk(ctx, {}));
    }),
    route('POST', '/v5/account/set-margin-mode', 'setMarginMode', async (request, wallet) => {
      const mode = request.params.setMarginMode;
      if (mode !== 'ISOLATED_MARGIN' && mode !== 'REGULAR_MARGIN') return bybitError(ctx, 10001, 'params error: setMarginMode must be ISOLATED_MARGIN or REGULAR_MARGIN (portfolio margin is not simulated)');
      const target = mode === 'ISOLATED_MARGIN' ? 'isolated' : 'cross';
      const perps = wallet.listings.filter((l) => l.kind === 'perp');
      if (perps.every((l) => wallet.marginMode.get(l.symbol) === target)) return bybitError(ctx, 110026, 'Cross/isolated margin mode is not modified');
      const reasons: { reasonCode: string; reasonMsg: string }[] = [];
      for (const l of perps) {
        try {
          await wallet.setMarginMode(l, target);
        } catch (error) {
          if (!(error instanceof VenueError)) throw error;
          reasons.push({ reasonCode: '3400045', reasonMsg: venueErrorDetail(error) });
        }
      }
      return reasons.length > 0 ? bybitError(ctx, 3400045, reasons.map((r) => r.reasonMsg).join('; ')) : bybitOk(ctx, { reasons }, 'Request accepted');
    }),
    route('POST', '/v5/position/switch-mode', 'setPositionMode', (request) => {
      if (String(request.params.mode) === '0') return bybitError(ctx, 110025, 'Position mode is not modified');
      return bybitError(ctx, 10001, 'params error: exchange-sim keeps one-way position mode only (hedge mode is not simulated)');
    }),
  ];
}
