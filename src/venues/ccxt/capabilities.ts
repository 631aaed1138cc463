import type { Exchange } from 'ccxt';
import { MARKET_DATA_METHODS, REQUIRED_METHODS, UnsupportedMethodError, type MarketDataMethod, type MethodSupport, type VenueCapabilities } from '../types.ts';
import { CCXT_VERSION } from './exchangeFactory.ts';
import { precisionModeName } from './precision.ts';

export function methodSupport(exchange: Exchange, method: string): MethodSupport {
  const value = (exchange.has as Record<string, unknown>)[method];
  if (value === true) return 'native';
  if (value === 'emulated') return 'emulated';
  return 'missing';
}

export function hasMethod(exchange: Exchange, method: string): boolean {
  return methodSupport(exchange, method) !== 'missing';
}

/** Throws UnsupportedMethodError (naming the venue and method) when ccxt's `has` says the exchange lacks it. */
export function requireMethod(exchange: Exchange, venue: string, method: MarketDataMethod): void {
  if (!hasMethod(exchange, method)) throw new UnsupportedMethodError(venue, method, exchange.id);
}

/** What an exchange can do for perp-arb, read from ccxt's `exchange.has` (no network). */
export function capabilitiesOf(exchange: Exchange, venue: string = exchange.id): VenueCapabilities {
  const methods = Object.fromEntries(MARKET_DATA_METHODS.map((m) => [m, methodSupport(exchange, m)])) as Record<MarketDataMethod, MethodSupport>;
  const missing = REQUIRED_METHODS.filter((m) => methods[m] === 'missing');
  return {
    venue,
    ccxtId: exchange.id,
    ccxtVersion: CCXT_VERSION,
    methods,
    usable: missing.length === 0,
    missing,
    precisionMode: precisionModeName(exchange.precisionMode ?? NaN),
    rateLimitMs: exchange.rateLimit ?? 0,
  };
}
