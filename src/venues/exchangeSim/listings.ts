import type { Instrument } from '../../domain/instrument.ts';
import { parseSymbol } from '../../domain/symbol.ts';

/** The venues exchange-sim serves. */
export type SimVenueId = 'binance' | 'bybit';
export const SIM_VENUES: readonly SimVenueId[] = ['binance', 'bybit'];

/**
 * One market as the simulated exchange lists it: its venue id (SYNUSDT), filters and fees, as the
 * venue's exchangeInfo / instruments-info would publish them.
 */
export interface Listing {
  venue: SimVenueId;
  kind: 'spot' | 'perp';
  /** ccxt unified symbol: SYN/USDT, SYN/USDT:USDT. */
  symbol: string;
  venueSymbol: string;
  base: string;
  quote: string;
  tickSize: number;
  lotSize: number;
  minQty: number;
  maxQty: number;
  /** Smallest order value, quote units (Binance MIN_NOTIONAL / NOTIONAL, Bybit minNotionalValue / minOrderAmt). */
  minNotional: number;
  makerFeeRate: number;
  takerFeeRate: number;
  /** Perps: the settlement interval of the market's funding series; spot: null. */
  fundingIntervalMs: number | null;
}

/**
 * Base-tier fees as each venue publishes them (fractions): Binance spot 0.1% / 0.1%, USDⓈ-M
 * 0.02% maker / 0.05% taker; Bybit spot 0.1% / 0.1%, linear 0.02% / 0.055%.
 */
const FEES: Record<SimVenueId, Record<Listing['kind'], { makerFeeRate: number; takerFeeRate: number }>> = {
  binance: { spot: { makerFeeRate: 0.001, takerFeeRate: 0.001 }, perp: { makerFeeRate: 0.0002, takerFeeRate: 0.0005 } },
  bybit: { spot: { makerFeeRate: 0.001, takerFeeRate: 0.001 }, perp: { makerFeeRate: 0.0002, takerFeeRate: 0.00055 } },
};

/**
 * Filters scaled to the price, as the venues set them for BTC at ~50,000: Binance spot tick 0.01, lot
 * 0.00001, min notional 5; USDⓈ-M tick 0.1, lot 0.001, min notional 100; Bybit spot tick 0.01, lot
 * 0.000001, min order value 1; linear tick 0.1, lot 0.001, min notional 5.
 */
const FILTERS: Record<SimVenueId, Record<Listing['kind'], { tickDigitsBelowPrice: number; lotValueUsd: number; minNotional: number }>> = {
  binance: { spot: { tickDigitsBelowPrice: 6, lotValueUsd: 0.5, minNotional: 5 }, perp: { tickDigitsBelowPrice: 5, lotValueUsd: 50, minNotional: 100 } },
  bybit: { spot: { tickDigitsBelowPrice: 6, lotValueUsd: 0.05, minNotional: 1 }, perp: { tickDigitsBelowPrice: 5, lotValueUsd: 50, minNotional: 5 } },
};

/** A power of ten as an exact decimal number (10 ** -2 is 0.01, not 0.010000000000000002). */
export function powerOfTen(exponent: number): number {
  return Number(`1e${exponent}`);
}

/** floor(log10(x)), exact at powers of ten (Math.log10 can miss them by an ulp). */
function floorLog10(x: number): number {
  return Math.floor(Math.log10(x) + 1e-9);
}

/** Decimals of a power-of-ten step (0.001 -> 3; 10 -> 0). */
export function stepDecimals(step: number): number {
  return Math.max(0, -Math.round(Math.log10(step)));
}

/** Builds the listing of `symbol` on `venue` for a market trading near `referencePrice`. */
export function makeListing(venue: SimVenueId, symbol: string, referencePrice: number, fundingIntervalMs: number | null): Listing {
  if (!(referencePrice > 0) || !Number.isFinite(referencePrice)) throw new Error(`${venue} ${symbol}: reference price must be > 0 (got ${referencePrice})`);
  const parts = parseSymbol(symbol);
  if (parts.kind === 'future') throw new Error(`${venue} ${symbol}: exchange-sim lists spot and perpetual markets only`);
  if (parts.kind === 'perp' && parts.settle !== parts.quote) throw new Error(`${venue} ${symbol}: exchange-sim lists linear perpetuals only (settled in the quote)`);
  const kind = parts.kind;
  const f = FILTERS[venue][kind];
  const magnitude = floorLog10(referencePrice);
  const tickSize = powerOfTen(magnitude - f.tickDigitsBelowPrice);
  const lotSize = powerOfTen(floorLog10(f.lotValueUsd / referencePrice));
  return {
    venue,
    kind,
    symbol,
    venueSymbol: `${parts.base}${parts.quote}`,
    base: parts.base,
    quote: parts.quote,
    tickSize,
    lotSize,
    minQty: lotSize,
    maxQty: Number((lotSize * 1e7).toPrecision(12)),
    minNotional: f.minNotional,
    ...FEES[venue][kind],
    fundingIntervalMs: kind === 'perp' ? fundingIntervalMs : null,
  };
}

/** The listing as a perp-arb instrument (for the simulated venue that matches its orders). */
export function listingInstrument(listing: Listing): Instrument {
  const perp = listing.kind === 'perp';
  return {
    venue: listing.venue,
    symbol: listing.symbol,
    venueSymbol: listing.venueSymbol,
    kind: listing.kind,
    base: listing.base,
    quote: listing.quote,
    settle: perp ? listing.quote : null,
    linear: perp ? true : null,
    contractSize: 1,
    tickSize: listing.tickSize,
    lotSize: listing.lotSize,
    makerFeeRate: listing.makerFeeRate,
    takerFeeRate: listing.takerFeeRate,
    fundingIntervalMs: listing.fundingIntervalMs,
    expiryMs: null,
  };
}

/** All listings of the exchange, found by venue and venue symbol or unified symbol. */
export class ListingBook {
  readonly all: readonly Listing[];
  constructor(listings: readonly Listing[]) {
    this.all = listings;
  }

  of(venue: SimVenueId, kind?: Listing['kind']): Listing[] {
    return this.all.filter((l) => l.venue === venue && (kind === undefined || l.kind === kind));
  }

  byVenueSymbol(venue: SimVenueId, kind: Listing['kind'], venueSymbol: string): Listing | undefined {
    return this.all.find((l) => l.venue === venue && l.kind === kind && l.venueSymbol === venueSymbol);
  }

  bySymbol(venue: SimVenueId, symbol: string): Listing | undefined {
    return this.all.find((l) => l.venue === venue && l.symbol === symbol);
  }
}
