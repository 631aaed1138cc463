import type { ExchangeContext } from '../exchangeContext.ts';
import { binanceApiKeyAccount, verifyBinanceSigned } from '../auth/binanceAuth.ts';
import { gatewayError, json, type SimRequest, type SimResponse, type VenueProtocol } from '../http/routeTypes.ts';

/** A Binance error answer: {"code": -NNNN, "msg": "..."} with the HTTP status Binance uses (400 by default). */
export function binanceError(code: number, msg: string, status = 400): SimResponse {
  return json({ code, msg }, status);
}

const header = (request: SimRequest, name: string): string | undefined => {
  const v = request.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

/** Binance's authentication (X-MBX-APIKEY, HMAC-SHA256 signature, recvWindow) and generic errors. */
export function binanceProtocol(ctx: ExchangeContext): VenueProtocol {
  return {
    venue: 'binance',
    authenticate(request, auth) {
      const apiKey = header(request, 'x-mbx-apikey');
      const result = auth === 'apiKey' ? binanceApiKeyAccount(apiKey, ctx.accounts) : verifyBinanceSigned(request.rawQuery, request.rawBody, apiKey, ctx.accounts, ctx.wallNowMs());
      return result.ok ? { account: result.account } : { error: binanceError(result.error.code, result.error.msg, result.error.status) };
    },
    rateLimited(retryAfterS) {
      return {
        status: 429,
        headers: { 'retry-after': String(retryAfterS) },
        body: { code: -1003, msg: 'Too many requests; current limit of IP(127.0.0.1) is 2400 requests per minute. Please use the websocket for live updates to avoid polling the API.' },
      };
    },
    serverError: gatewayError,
    notFound(request) {
      return { status: 404, body: { code: -5000, msg: `Path ${request.path}, Method ${request.method} is invalid` } };
    },
    badRequest(message) {
      return binanceError(-1000, `An unknown error occurred while processing the request. (${message})`);
    },
  };
}
