import ccxt, { type Exchange } from 'ccxt';
import { afterAll, beforeAll } from 'vitest';
import { CcxtAccount } from '../../../../src/venues/ccxt/ccxtAccount.ts';
import { VenueCredentials } from '../../../../src/venues/ccxt/credentials.ts';
import { rewriteApiUrls } from '../../../../src/venues/ccxt/loopbackUrls.ts';
import type { AccountSpec } from '../../../../src/venues/exchangeSim/accounts/accountSpec.ts';
import { DEFAULT_BALANCES } from '../../../../src/venues/exchangeSim/accounts/accountSpec.ts';
import { startExchangeSim, type ExchangeSim, type ExchangeSimOptions } from '../../../../src/venues/exchangeSim/exchangeSim.ts';
import { VenueError } from '../../../../src/venues/types.ts';

/** Planted keys of the test account: none may appear in any message. */
export const KEYS = {
  binance: { apiKey: 'simBinanceKey0123456789abcdefABCDEF0123456789abcdefABCDEF01234567', secret: 'simBinanceSecret0123456789abcdefABCDEF0123456789abcdefABCDEF0123' },
  bybit: { apiKey: 'simBybitKey0123456', secret: 'simBybitSecret0123456789abcdefABCDEF' },
};
export const SECRETS = [KEYS.binance.secret, KEYS.bybit.secret];

export const TEST_ACCOUNT: AccountSpec = { name: 'test', keys: KEYS, balances: { ...DEFAULT_BALANCES } };

export const PERP = 'SYN/USDT:USDT';
export const SPOT = 'SYN/USDT';

/** Starts a simulator for the tests of one file (closed after them) on an ephemeral 127.0.0.1 port. */
export function useExchangeSim(options: ExchangeSimOptions = {}): () => ExchangeSim {
  let sim: ExchangeSim | null = null;
  beforeAll(async () => {
    sim = await startExchangeSim({ seed: 7, accounts: [TEST_ACCOUNT], ...options });
  });
  afterAll(async () => {
    await sim?.close();
  });
  return () => {
    if (sim === null) throw new Error('exchange-sim not started');
    return sim;
  };
}

/** perp-arb's account client on the simulator (live mode: it is a loopback exchange). */
export function simAccount(sim: ExchangeSim, venue: 'binance' | 'bybit', accountType: 'swap' | 'spot' = 'swap', keys: { apiKey: string; secret: string } = KEYS[venue], timeoutMs = 5_000): CcxtAccount {
  return new CcxtAccount(venue, { mode: 'live', accountType, credentials: new VenueCredentials(venue, 'test', keys), loopbackBaseUrl: sim.baseUrl, loopbackWsBaseUrl: sim.wsBaseUrl, timeoutMs, rateLimitMs: 5 });
}

/** A bare ccxt client (REST or ccxt.pro) with the simulator's URLs and the test keys, for calls perp-arb's clients do not make. */
export async function rawExchange(sim: ExchangeSim, venue: 'binance' | 'bybit', defaultType: 'swap' | 'spot' | 'future', pro = false): Promise<Exchange> {
  const Class = (pro ? ccxt.pro : ccxt) as unknown as Record<string, new (config: Record<string, unknown>) => Exchange>;
  const options: Record<string, unknown> = { defaultType, fetchMargins: false, warnOnFetchOpenOrdersWithoutSymbol: false, fetchMarkets: { types: ['spot', 'linear'] } };
  const exchange = new Class[venue]({ enableRateLimit: true, rateLimit: 5, timeout: 5_000, ...KEYS[venue], options });
  exchange.urls = { ...exchange.urls, api: rewriteApiUrls(exchange.urls.api, sim.baseUrl, exchange.hostname, sim.wsBaseUrl) as typeof exchange.urls.api };
  exchange.has = { ...exchange.has, fetchCurrencies: false };
  if (pro) await exchange.loadHttpProxyAgent();
  await exchange.loadMarkets();
  return exchange;
}

/** The VenueError a call rejects with. */
export async function venueError(run: () => Promise<unknown>): Promise<VenueError> {
  try {
    await run();
  } catch (error) {
    if (error instanceof VenueError) return error;
    throw error;
  }
  throw new Error('expected a VenueError');
}

let seq = 0;
/** A client order id unique within the test run. */
export const clientId = (prefix = 't'): string => `${prefix}${Date.now().toString(36)}${(++seq).toString(36)}`;
