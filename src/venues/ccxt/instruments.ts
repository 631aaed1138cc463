import type { MarketInterface as Market } from 'ccxt';
import type { Instrument } from '../../domain/instrument.ts';
import { parseSymbol, type InstrumentKind } from '../../domain/symbol.ts';
import { precisionToStep } from './precision.ts';
import { finiteOrNull } from './validate.ts';

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
 * is filled later (see fundingInterval.ts). Options and margin-only markets are not instruments.
 */
export function marketToInstrument(venue: string, market: Market, precisionMode: number): Instrument | SkippedMarket {
  const kind = marketKind(market);
  if (kind === null) return { symbol: market.symbol, reason: `market type '${market.type}' is not spot, swap or future` };
  try {
    const parts = parseSymbol(market.symbol);
    if (parts.kind !== kind) return { symbol: market.symbol, reason: `ccxt says ${market.type} but the symbol reads as ${parts.kind}` };
  } catch (error) {
    return { symbol: market.symbol, reason: (error as Error).message };
  }
  const derivative = kind !== 'spot';
  return {
    venue,
    symbol: market.symbol,
    venueSymbol: typeof market.id === 'string' ? market.id : null,
    kind,
    base: market.base,
    quote: market.quote,
    settle: derivative ? (market.settle ?? null) : null,
    linear: derivative ? (typeof market.linear === 'boolean' ? market.linear : null) : null,
    contractSize: derivative ? finiteOrNull(market.contractSize) : 1,
    tickSize: precisionToStep(market.precision?.price, precisionMode),
    lotSize: precisionToStep(market.precision?.amount, precisionMode),
    makerFeeRate: finiteOrNull(market.maker),
    takerFeeRate: finiteOrNull(market.taker),
    fundingIntervalMs: null,
    expiryMs: kind === 'future' ? finiteOrNull(market.expiry) : null,
  };
}

export function isSkipped(value: Instrument | SkippedMarket): value is SkippedMarket {
  return 'reason' in value;
}
