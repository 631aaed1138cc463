import type { ExchangeContext } from '../exchangeContext.ts';
import type { Listing } from '../listings.ts';
import type { SimRequest, SimResponse } from '../http/routeTypes.ts';
import { binanceError } from './binanceProtocol.ts';

export type BinanceSegment = 'spot' | 'usdm';
export const segmentKind = (segment: BinanceSegment): Listing['kind'] => (segment === 'spot' ? 'spot' : 'perp');
export const SEGMENT_HOST: Record<BinanceSegment, string> = { spot: 'api.binance.com', usdm: 'fapi.binance.com' };

/** The listing named by `symbol`, or Binance's -1121 answer (-1102 when it is missing). */
export function listingParam(ctx: ExchangeContext, segment: BinanceSegment, request: SimRequest, required = true): Listing | SimResponse | null {
  const symbol = request.params.symbol;
  if (symbol === undefined || symbol === '') return required ? binanceError(-1102, "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.") : null;
  return ctx.listings.byVenueSymbol('binance', segmentKind(segment), symbol) ?? binanceError(-1121, 'Invalid symbol.');
}

/** The listings a request names by `symbol` or `symbols` (a JSON array), or all of the segment. */
export function listingsParam(ctx: ExchangeContext, segment: BinanceSegment, request: SimRequest): Listing[] | SimResponse {
  const kind = segmentKind(segment);
  if (request.params.symbol !== undefined) {
    const one = listingParam(ctx, segment, request);
    return one === null ? [] : isResponse(one) ? one : [one];
  }
  if (request.params.symbols !== undefined) {
    let names: unknown;
    try {
      names = JSON.parse(request.params.symbols);
    } catch {
      return binanceError(-1100, "Illegal characters found in parameter 'symbols'; legal range is '^\\[(\"[A-Z0-9-_.]{1,20}\"(,\"[A-Z0-9-_.]{1,20}\"){0,}){0,1}\\]$'.");
    }
    if (!Array.isArray(names)) return binanceError(-1100, "Illegal characters found in parameter 'symbols'.");
    const out: Listing[] = [];
    for (const name of names) {
      const l = ctx.listings.byVenueSymbol('binance', kind, String(name));
      if (l === undefined) return binanceError(-1121, 'Invalid symbol.');
      out.push(l);
    }
    return out;
  }
  return ctx.listings.of('binance', kind);
}

export const isResponse = (value: unknown): value is SimResponse => typeof value === 'object' && value !== null && 'status' in value && 'body' in value;
