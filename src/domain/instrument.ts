import { parseSymbol, type InstrumentKind } from './symbol.ts';

/**
 * A tradable market on one venue. Fields a source does not give are null, never guessed.
 * Fee rates are fractions (0.0004 = 4 bps); sizes are in base units for spot and linear
 * contracts, in contracts for inverse contracts (one contract = contractSize quote units).
 */
export interface Instrument {
  venue: string;
  /** ccxt unified symbol. */
  symbol: string;
  /** The venue's own id, e.g. BTCUSDT, BTC-PERP, BTC-USD-220527. Null when unknown. */
  venueSymbol: string | null;
  kind: InstrumentKind;
  base: string;
  quote: string;
  settle: string | null;
  /** false: inverse (settled in the base asset, e.g. BTC/USD:BTC); true: linear (settled in quote or a stablecoin, e.g. BTC/USD:USDC); null for spot. */
  linear: boolean | null;
  contractSize: number | null;
  tickSize: number | null;
  lotSize: number | null;
  makerFeeRate: number | null;
  takerFeeRate: number | null;
  fundingIntervalMs: number | null;
  expiryMs: number | null;
}

/** The instrument facts that follow from the unified symbol alone; every other field null. */
export function instrumentFromSymbol(venue: string, symbol: string): Instrument {
  const parts = parseSymbol(symbol);
  return {
    venue,
    symbol,
    venueSymbol: null,
    kind: parts.kind,
    base: parts.base,
    quote: parts.quote,
    settle: parts.settle,
    linear: parts.settle === null ? null : parts.settle !== parts.base,
    contractSize: parts.kind === 'spot' ? 1 : null,
    tickSize: null,
    lotSize: null,
    makerFeeRate: null,
    takerFeeRate: null,
    fundingIntervalMs: null,
    expiryMs: null,
  };
}

export function instrumentId(venue: string, symbol: string): string {
  return `${venue}:${symbol}`;
}

/** Parses 'venue:SYMBOL' (e.g. binance:BTC/USDT:USDT); the venue is everything before the first colon. */
export function parseInstrumentId(id: string): { venue: string; symbol: string } {
  const colon = id.indexOf(':');
  if (colon <= 0 || colon === id.length - 1) throw new Error(`'${id}' is not venue:SYMBOL (e.g. binance:BTC/USDT:USDT)`);
  const venue = id.slice(0, colon);
  const symbol = id.slice(colon + 1);
  parseSymbol(symbol);
  return { venue, symbol };
}

export interface InstrumentMerge {
  instrument: Instrument;
  /** Fields where the incoming value differed from a known one; the known one is kept. */
  conflicts: string[];
}

/** Fills unknown (null) fields of `known` from `incoming`; known values are never overwritten. */
export function mergeInstrument(known: Instrument, incoming: Instrument): InstrumentMerge {
  const merged: Instrument = { ...known };
  const conflicts: string[] = [];
  for (const field of Object.keys(incoming) as (keyof Instrument)[]) {
    const next = incoming[field];
    const current = known[field];
    if (current === null && next !== null) (merged as unknown as Record<string, unknown>)[field] = next;
    else if (current !== null && next !== null && current !== next) conflicts.push(`${field}: kept ${String(current)}, ignored ${String(next)}`);
  }
  return { instrument: merged, conflicts };
}
