import type { WalletId } from '../accounts/accountSpec.ts';
import type { ExchangeContext } from '../exchangeContext.ts';
import { json, type HttpMethod, type SimRoute } from '../http/routeTypes.ts';
import { binanceError } from './binanceProtocol.ts';

/** The user-data stream's listen key endpoints (API key only, no signature): USDⓈ-M /fapi/v1/listenKey, spot /api/v3/userDataStream. */
export function binanceUserStreamRoutes(ctx: ExchangeContext): SimRoute[] {
  const routes: SimRoute[] = [];
  const add = (host: string, path: string, wallet: WalletId) => {
    const route = (method: HttpMethod, endpoint: string, handle: SimRoute['handle']): SimRoute => ({ venue: 'binance', host, method, path, endpoint, auth: 'apiKey', handle });
    routes.push(
      route('POST', 'listenKey', (request) => json({ listenKey: ctx.listenKeys.create(request.account!, wallet) })),
      route('PUT', 'keepAliveListenKey', (request) => (ctx.listenKeys.keepAlive(request.account!, wallet) ? json({}) : binanceError(-1125, 'This listenKey does not exist.'))),
      route('DELETE', 'closeListenKey', (request) => {
        ctx.listenKeys.remove(request.account!, wallet);
        return json({});
      }),
    );
  };
  add('fapi.binance.com', '/fapi/v1/listenKey', 'binanceUsdm');
  add('api.binance.com', '/api/v3/userDataStream', 'binanceSpot');
  return routes;
}
