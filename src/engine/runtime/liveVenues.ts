import type { Clock } from '../../core/timers.ts';
import { parseInstrumentId } from '../../domain/instrument.ts';
import { CcxtAccount } from '../../venues/ccxt/ccxtAccount.ts';
import { CcxtMarketDataVenue } from '../../venues/ccxt/ccxtMarketDataVenue.ts';
import { requiredCredentialFields, type CredentialField, type VenueCredentials } from '../../venues/ccxt/credentials.ts';
import { createCcxtExchange } from '../../venues/ccxt/exchangeFactory.ts';
import { venueSpec } from '../../venues/ccxt/supportedVenues.ts';
import { CcxtTradingVenue } from '../../venues/ccxt/trading/ccxtTradingVenue.ts';
import type { TrackedOrderView } from '../../venues/ccxt/trading/trackedOrders.ts';
import type { BacktestConfig } from '../backtestConfig.ts';

/** How a testnet or live session reaches its venues. */
export interface LiveVenueAccess {
  /** 'testnet': ccxt's sandbox URLs; 'live': the venues' (or exchangeUrl's). */
  mode: 'testnet' | 'live';
  /** Every venue's ccxt client served from this base URL (a loopback exchange-sim), REST and websockets. */
  exchangeUrl?: string;
  /** The venue's credentials for the fields ccxt requires (from the environment or a key file; never logged). */
  credentials: (venue: string, required: readonly CredentialField[]) => VenueCredentials;
  /** Order and trade streams (ccxt.pro) where the venue has them (default true). */
  streams?: boolean;
  onReport?: (line: string) => void;
  /** An order in flight its checks could not settle: reconciliation's. */
  onUnresolved?: (venue: string, order: TrackedOrderView, why: string) => void;
  /** Funding history read from this time (the session's first start). */
  fundingSinceMs?: number;
}

export interface LiveVenues {
  trading: CcxtTradingVenue[];
  /** One market-data client per venue (the engine's market input). */
  market: CcxtMarketDataVenue[];
}

/** The ccxt id of a configured venue. */
export function ccxtIdOf(venue: string): string {
  return venueSpec(venue)?.ccxtId ?? venue;
}

/** The ccxt fields a venue's private API requires. */
export function requiredCredentials(venue: string): CredentialField[] {
  return requiredCredentialFields(createCcxtExchange(ccxtIdOf(venue)).requiredCredentials as unknown as Record<string, boolean>);
}

/**
 * One CcxtTradingVenue per configured venue, its accounts the types its instruments need (a spot
 * account for spot markets, a swap account for perps and futures: Binance's two wallets, one
 * client each of Bybit's unified account), and one market-data client per venue. Nothing is sent
 * until start().
 */
export function openLiveVenues(config: BacktestConfig, access: LiveVenueAccess, clock: Clock): LiveVenues {
  const wsUrl = access.exchangeUrl?.replace(/^http/, 'ws');
  // A local exchange-sim has no rate limit to respect: ccxt's throttle spaces requests 5 ms apart there.
  const local = access.exchangeUrl !== undefined && /^http:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?$/.test(access.exchangeUrl);
  const hooks = access.exchangeUrl === undefined ? {} : { loopbackBaseUrl: access.exchangeUrl, loopbackWsBaseUrl: wsUrl, ...(local ? { rateLimitMs: 5 } : {}) };
  const trading: CcxtTradingVenue[] = [];
  const market: CcxtMarketDataVenue[] = [];
  for (const v of config.venues) {
    const ccxtId = ccxtIdOf(v.venue);
    const symbols = config.instruments.map((i) => parseInstrumentId(i.id)).filter((i) => i.venue === v.venue).map((i) => i.symbol);
    const types = [...new Set(symbols.map((s) => (s.includes(':') ? 'swap' : 'spot') as 'spot' | 'swap'))].sort();
    const credentials = access.credentials(v.venue, requiredCredentials(v.venue));
    const accounts = types.map(
      (accountType) => new CcxtAccount(ccxtId, { mode: access.mode, accountType, credentials, venue: v.venue, streams: access.streams ?? true, ...hooks }),
    );
    trading.push(
      new CcxtTradingVenue({
        accounts,
        clock,
        symbols,
        fundingSinceMs: access.fundingSinceMs,
        onReport: access.onReport,
        onUnresolved: access.onUnresolved === undefined ? undefined : (order, why) => access.onUnresolved!(v.venue, order, why),
      }),
    );
    const data = new CcxtMarketDataVenue(ccxtId, { venue: v.venue, ...hooks });
    if (access.mode === 'testnet' && access.exchangeUrl === undefined) data.exchange.setSandboxMode(true);
    market.push(data);
  }
  return { trading, market };
}
