import type { Instrument } from '../../src/domain/instrument.ts';
import { instrumentFromSymbol } from '../../src/domain/instrument.ts';
import type { Fill, FundingPayment, OrderSide } from '../../src/domain/trading.ts';
import { parseMinor, type Minor } from '../../src/portfolio/money.ts';

/** An instrument with the contract size the ledger needs (null for spot). */
export function instrument(venue: string, symbol: string, contractSize: number | null = null): Instrument {
  const base = instrumentFromSymbol(venue, symbol);
  return { ...base, contractSize: base.kind === 'spot' ? 1 : contractSize };
}

let fillCounter = 0;

export function fill(venue: string, symbol: string, side: OrderSide, quantity: number, price: number, fee: number, feeAsset: string, ts = 1_700_000_000_000): Fill {
  fillCounter += 1;
  return { fillId: `f${fillCounter}`, clientOrderId: `o${fillCounter}`, venue, symbol, side, quantity, price, fee, feeAsset, liquidity: 'taker', ts };
}

/**
 * The funding payment a venue would report, computed with floats as a venue would:
 * linear -q mark rate (q in base units), inverse -q cs rate / mark (q in contracts).
 */
export function funding(
  venue: string,
  symbol: string,
  positionQty: number,
  contractSize: number,
  markPrice: number,
  fundingRatePerInterval: number,
  asset: string,
  inverse = false,
  ts = 1_700_000_000_000,
): FundingPayment {
  const amount = inverse ? (-positionQty * contractSize * fundingRatePerInterval) / markPrice : -positionQty * markPrice * fundingRatePerInterval;
  return { venue, symbol, ts, fundingRatePerInterval, markPrice, positionQty, amount, asset };
}

/** '1000.1' -> minor units, for readable expectations. */
export const m = (text: string): Minor => parseMinor(text);
