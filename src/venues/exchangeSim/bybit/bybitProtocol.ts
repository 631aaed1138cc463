import { verifyBybitSigned } from '../auth/bybitAuth.ts';
import type { ExchangeContext } from '../exchangeContext.ts';
import { gatewayError, json, type SimResponse, type VenueProtocol } from '../http/routeTypes.ts';

/** Bybit's envelope: {retCode, retMsg, result, retExtInfo, time}, HTTP 200 for every venue error. */
export function bybitOk(ctx: ExchangeContext, result: unknown, retMsg = 'OK'): SimResponse {
  return json({ retCode: 0, retMsg, result, retExtInfo: {}, time: ctx.wallNowMs() });
}

export function bybitError(ctx: ExchangeContext, retCode: number, retMsg: string, status = 200): SimResponse {
  return json({ retCode, retMsg, result: {}, retExtInfo: {}, time: ctx.wallNowMs() }, status);
}

/** Bybit v5's authentication (X-BAPI-* headers, HMAC-SHA256) and generic errors. */
export function bybitProtocol(ctx: ExchangeContext): VenueProtocol {
  return {
    venue: 'bybit',
    authenticate(request) {
      const result = verifyBybitSigned(request.method, request.rawQuery, request.rawBody, request.headers, ctx.accounts, ctx.wallNowMs());
      return result.ok ? { account: result.account } : { error: bybitError(ctx, result.retCode, result.retMsg) };
    },
    rateLimited(retryAfterS) {
      const resetMs = ctx.wallNowMs() + retryAfterS * 1000;
      return { status: 429, headers: { 'retry-after': String(retryAfterS), 'x-bapi-limit-status': '0', 'x-bapi-limit-reset-timestamp': String(resetMs) }, body: { retCode: 10006, retMsg: 'Too many visits!', result: {}, retExtInfo: {}, time: ctx.wallNowMs() } };
    },
    serverError: gatewayError,
    notFound(request) {
      return { status: 404, body: { retCode: 10404, retMsg: `Not found: ${request.method} ${request.path}`, result: {}, retExtInfo: {}, time: ctx.wallNowMs() } };
    },
    badRequest(message) {
      return bybitError(ctx, 10001, `params error: ${message}`);
    },
  };
}
