import type { Instrument } from '../../domain/instrument.ts';
import type { Liquidity } from '../../domain/trading.ts';
import { notionalSettle, type ContractSizing } from './contractMath.ts';

/**
 * Maker/taker fees. Rates are fractions of notional (0.0002 = 2 bps); a negative maker rate is a rebate.
 *
 * Fee asset: always the quote/settle asset of the market (spot: the quote; linear: the settle
 * asset; inverse: the base, which inverse contracts settle in). Exchanges differ for spot (Binance
 * takes the fee from the RECEIVED asset - base on a buy - unless paid in BNB); charging the quote
 * keeps a spot buy of q base exactly q base and makes every fee one product, qty * price * feeRate,
 * worth the same at the fill price. Tiered (VIP / volume) schedules are not modelled: give the rate
 * of your tier as an override.
 */
export interface FeeRates {
  makerFeeRate: number;
  takerFeeRate: number;
}

export interface FeeOverrides {
  /** For instruments that carry no rates. */
  default?: Partial<FeeRates>;
  /** Per unified symbol; these win over the instrument's own rates. */
  bySymbol?: Record<string, Partial<FeeRates>>;
}

/** Rates for an instrument: the symbol override, else the instrument's, else the default. Throws when one is unknown. */
export function resolveFeeRates(instrument: Instrument, overrides: FeeOverrides = {}): FeeRates {
  const bySymbol = overrides.bySymbol?.[instrument.symbol] ?? {};
  const pick = (field: keyof FeeRates): number => {
    const value = bySymbol[field] ?? instrument[field] ?? overrides.default?.[field];
    if (value === undefined || value === null) {
      throw new Error(`${instrument.venue} ${instrument.symbol}: ${field} is unknown; give it in the fee overrides (bySymbol or default)`);
    }
    if (!Number.isFinite(value) || value <= -0.01 || value >= 0.1) throw new Error(`${instrument.venue} ${instrument.symbol}: ${field} ${value} is not a plausible fee rate (a fraction, e.g. 0.0004)`);
    return value;
  };
  return { makerFeeRate: pick('makerFeeRate'), takerFeeRate: pick('takerFeeRate') };
}

export function feeRateFor(rates: FeeRates, liquidity: Liquidity): number {
  return liquidity === 'maker' ? rates.makerFeeRate : rates.takerFeeRate;
}

/** Fee of a fill in the settle asset: qty * price * feeRate (inverse: contracts * contractSize / price * feeRate). */
export function feeAmount(terms: ContractSizing, quantity: number, price: number, feeRate: number): number {
  return notionalSettle(terms, quantity, price) * feeRate;
}
