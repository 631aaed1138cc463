import type { ExchangeContext } from '../exchangeContext.ts';
import type { SimRequest, SimResponse } from '../http/routeTypes.ts';
import type { Listing } from '../listings.ts';
import { bybitError } from './bybitProtocol.ts';

export type BybitCategory = 'spot' | 'linear' | 'inverse' | 'option';
const CATEGORIES: readonly BybitCategory[] = ['spot', 'linear', 'inverse', 'option'];

export const categoryOf = (l: Listing): BybitCategory => (l.kind === 'spot' ? 'spot' : 'linear');

export function categoryParam(ctx: ExchangeContext, request: SimRequest): BybitCategory | SimResponse {
  const c = request.params.category;
  if (c === undefined || c === '') return bybitError(ctx, 10001, 'params error: Category is invalid');
  return (CATEGORIES as readonly string[]).includes(c) ? (c as BybitCategory) : bybitError(ctx, 10001, 'params error: Category is invalid');
}

export function listingsOfCategory(ctx: ExchangeContext, category: BybitCategory): Listing[] {
  return ctx.listings.of('bybit').filter((l) => categoryOf(l) === category);
}

/** The listing named by `symbol` in the category (null when the request names none), or Bybit's answer for an unknown one. */
export function symbolParam(ctx: ExchangeContext, category: BybitCategory, request: SimRequest, required: boolean): Listing | null | SimResponse {
  const symbol = request.params.symbol;
  if (symbol === undefined || symbol === '') return required ? bybitError(ctx, 10001, 'params error: symbol is required') : null;
  return listingsOfCategory(ctx, category).find((l) => l.venueSymbol === symbol) ?? bybitError(ctx, 10001, 'Not supported symbols');
}

export const isResponse = (value: unknown): value is SimResponse => typeof value === 'object' && value !== null && 'status' in value && 'body' in value;
