import type { VenueCapabilities } from '../types.ts';
import { capabilitiesOf } from './capabilities.ts';
import { ccxtExchangeIds, createCcxtExchange, hasProClass } from './exchangeFactory.ts';
import { SUPPORTED_VENUES } from './supportedVenues.ts';

export interface VenueCatalogEntry extends VenueCapabilities {
  /** One of the venues tested against recorded payloads. */
  tested: boolean;
  /** Its private API (account, orders) is tested too; false: market data only. */
  account: boolean;
  markets: string | null;
  websocket: boolean;
}

function entry(venue: string, ccxtId: string, markets: string | null, tested: boolean, account: boolean): VenueCatalogEntry {
  const pro = hasProClass(ccxtId);
  const exchange = createCcxtExchange(ccxtId, { pro });
  return { ...capabilitiesOf(exchange, venue), tested, account, markets, websocket: pro };
}

/** Capabilities of the supported venues (and, with `all`, of every ccxt exchange), from ccxt's `has`: no network. */
export function venueCatalog(all = false): VenueCatalogEntry[] {
  const out = SUPPORTED_VENUES.map((v) => entry(v.venue, v.ccxtId, v.markets, true, !v.marketDataOnly));
  if (!all) return out;
  const known = new Set(SUPPORTED_VENUES.map((v) => v.ccxtId));
  for (const id of ccxtExchangeIds()) if (!known.has(id)) out.push(entry(id, id, null, false, false));
  return out;
}
