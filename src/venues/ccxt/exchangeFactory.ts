import ccxt, { errors, type Exchange } from 'ccxt';
import { rewriteApiUrls } from './loopbackUrls.ts';
import { venueSpec } from './supportedVenues.ts';

export interface CcxtExchangeOptions {
  /** Serve every REST URL from `${loopbackBaseUrl}/<real host>/<path>` (tests: http://127.0.0.1:PORT). */
  loopbackBaseUrl?: string;
  /** Same for websocket URLs (default: loopbackBaseUrl with ws://). */
  loopbackWsBaseUrl?: string;
  /** Replace `urls.api` outright (takes precedence over loopbackBaseUrl). */
  urlsOverride?: Record<string, unknown>;
  /** Per-request timeout, ms (default 10 000). */
  timeoutMs?: number;
  /** ccxt's throttle stays on; this sets its minimum delay between requests, ms (default: the exchange's own). */
  rateLimitMs?: number;
  /** The websocket class (ccxt.pro) instead of the REST one. */
  pro?: boolean;
  /** Merged into the exchange's ccxt `options`. */
  options?: Record<string, unknown>;
  /** Let loadMarkets also fetch currencies (default false: perp-arb's market data does not need them). */
  loadCurrencies?: boolean;
}

type ExchangeClass = new (config?: Record<string, unknown>) => Exchange;

const restClasses = ccxt as unknown as Record<string, ExchangeClass | undefined>;
const proClasses = ccxt.pro as unknown as Record<string, ExchangeClass | undefined>;

export const CCXT_VERSION: string = ccxt.version;

export function ccxtExchangeIds(): string[] {
  return [...ccxt.exchanges];
}

export function hasProClass(id: string): boolean {
  return typeof proClasses[id] === 'function';
}

/** Builds a ccxt exchange with perp-arb's defaults: rate limiting on, a finite timeout, no credentials. */
export function createCcxtExchange(id: string, options: CcxtExchangeOptions = {}): Exchange {
  const Class = options.pro ? proClasses[id] : restClasses[id];
  if (typeof Class !== 'function') {
    throw new Error(`ccxt ${CCXT_VERSION} has no ${options.pro ? 'websocket (ccxt.pro)' : 'REST'} exchange '${id}'`);
  }
  const config: Record<string, unknown> = { enableRateLimit: true, timeout: options.timeoutMs ?? 10_000 };
  if (options.rateLimitMs !== undefined) config.rateLimit = options.rateLimitMs;
  const exchange = new Class(config);
  if (options.options) exchange.options = exchange.deepExtend(exchange.options, options.options);
  const extraErrors = venueSpec(id)?.exceptions;
  if (extraErrors) {
    const exact = Object.fromEntries(Object.entries(extraErrors).map(([code, name]) => [code, errors[name]]));
    exchange.exceptions = exchange.deepExtend(exchange.exceptions, { exact });
  }
  if (!options.loadCurrencies) exchange.has = { ...exchange.has, fetchCurrencies: false };
  if (options.urlsOverride) {
    exchange.urls = { ...exchange.urls, api: options.urlsOverride };
  } else if (options.loopbackBaseUrl) {
    // HTX picks a host per API when it signs (urls.hostnames: api.hbdm.vn for contracts): its {hostname} stays for ccxt to fill.
    const hostname = (exchange.urls as { hostnames?: unknown }).hostnames ? undefined : exchange.hostname;
    exchange.urls = { ...exchange.urls, api: rewriteApiUrls(exchange.urls.api, options.loopbackBaseUrl, hostname, options.loopbackWsBaseUrl) as typeof exchange.urls.api };
  }
  return exchange;
}
