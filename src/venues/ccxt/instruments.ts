import type { MarketInterface as Market } from 'ccxt';
import type { Instrument } from '../../domain/instrument.ts';
import { expiryProblem } from '../../domain/plausibility.ts';
import { parseSymbol, utcMsToExpiryCode, type InstrumentKind } from '../../domain/symbol.ts';
import { precisionToStep } from './precision.ts';
import { finiteOrNull } from './validate.ts';
import { amountUnitSize } from './amountUnits.ts';

export interface SkippedMarket {
  symbol: string;
  reason: string;
}

export function marketKind(market: Market): InstrumentKind | null {
  if (market.spot) return 'spot';
  if (market.swap) return 'perp';
  if (market.future) return 'future';
  return null;
}

/**
 * A ccxt market as a perp-arb Instrument. Values ccxt does not know stay null; fundingIntervalMs
 * is filled later (see fundingInterval.ts). Options and margin-only markets are not instruments;
 * a dated future needs an expiry that agrees with the date in its symbol.
 */
export function marketToInstrument(venue: string, market: Market, precisionMode: number): Instrument | SkippedMarket {
  const kind = marketKind(market);
  if (kind === null) return { symbol: market.symbol, reason: `market type '${market.type}' is not spot, swap or future` };
  let expiryMs: number | null = null;
  let parts: ReturnType<typeof parseSymbol>;
  try {
    parts = parseSymbol(market.symbol);
    if (parts.kind !== kind) return { symbol: market.symbol, reason: `ccxt says ${market.type} but the symbol reads as ${parts.kind}` };
    if (kind === 'future') {
      expiryMs = finiteOrNull(market.expiry);
      if (expiryMs === null || !(expiryMs > 0)) return { symbol: market.symbol, reason: `dated future without an expiry time (expiry: ${String(market.expiry)})` };
      const implausible = expiryProblem(expiryMs);
      if (implausible) return { symbol: market.symbol, reason: implausible };
      // Venues settle at 08:00 UTC or so on the symbol's date; a different UTC date means a misread expiry.
      if (utcMsToExpiryCode(expiryMs) !== parts.expiryCode) return { symbol: market.symbol, reason: `expiry ${new Date(expiryMs).toISOString()} is not on the symbol's date ${parts.expiryCode}` };
    }
  } catch (error) {
    return { symbol: market.symbol, reason: (error as Error).message };
  }
  const derivative = kind !== 'spot';
  return {
    venue,
    symbol: market.symbol,
    venueSymbol: typeof market.id === 'string' && market.id !== '' ? market.id : null,
    kind,
    // From the unified symbol, which ccxt writes from them: checked names, where the market's own fields could be any value
    // (and a non-string one would make the store's manifest unreadable once the instrument is noted).
    base: parts.base,
    quote: parts.quote,
    settle: derivative ? parts.settle : null,
    linear: derivative ? (typeof market.linear === 'boolean' ? market.linear : null) : null,
    // Linear: base units per contract (quantities are base units anyway); inverse: quote units per unit of quantity.
    contractSize: !derivative ? 1 : finiteOrNull(market.contractSize) === null ? null : amountUnitSize(venue, market),
    tickSize: precisionToStep(market.precision?.price, precisionMode),
    lotSize: precisionToStep(market.precision?.amount, precisionMode),
    makerFeeRate: finiteOrNull(market.maker),
    takerFeeRate: finiteOrNull(market.taker),
    fundingIntervalMs: null,
    expiryMs,
  };
}

export function isSkipped(value: Instrument | SkippedMarket): value is SkippedMarket {
  return 'reason' in value;
}
