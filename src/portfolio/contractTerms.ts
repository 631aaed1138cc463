import { instrumentId, type Instrument } from '../domain/instrument.ts';
import { contractUnitAsset } from './accounts.ts';
import { decimalFromMinor, decimalFromNumber, mulDivToMinor, mulToMinor, negateDecimal, type ExactDecimal, type Minor } from './money.ts';

/**
 * What the ledger needs to know about an instrument, checked once.
 *
 * Quantities follow domain/trading.ts: base units for spot and linear contracts (a venue adapter
 * has already applied a linear contract size, e.g. OKX's 0.01 BTC), contracts of contractSize quote
 * units for inverse contracts. So the ledger needs contractSize only for inverse contracts.
 *
 * The "signed value" of q units at price p, in the cost asset, is chosen so that for every kind
 *   PnL = value(q, exit) - value(q, entry):
 *   spot and linear:  value = q * p                           (quote / settle asset)
 *   inverse:          value = -q * contractSize / p           (settle = base asset)
 * so an inverse long of n contracts entered at E and closed at X makes n cs (1/E - 1/X) base units.
 * A position's cost is the sum of the signed values of its opening fills (pro rata after partial
 * closes): average cost. Each value is rounded once, half even, to 1e-8 of the cost asset.
 */
export interface ContractTerms {
  instrumentId: string;
  venue: string;
  symbol: string;
  kind: Instrument['kind'];
  inverse: boolean;
  base: string;
  quote: string;
  /** Asset of cost, realised PnL and (for derivatives) funding: quote for spot, settle otherwise. */
  costAsset: string;
  /** Asset in which quantity is booked: the base asset for spot, `<venue>:<symbol>` for derivatives (base units when linear, contracts when inverse). */
  unitAsset: string;
  /** Quote units per contract for inverse contracts; 1 for spot and linear (quantities already in base units). */
  contractSize: ExactDecimal;
}

export function contractTerms(instrument: Instrument): ContractTerms {
  const id = instrumentId(instrument.venue, instrument.symbol);
  if (instrument.kind === 'spot') {
    if (instrument.contractSize !== null && instrument.contractSize !== 1) {
      throw new Error(`instrument ${id}: a spot instrument must have contractSize 1 or null (got ${instrument.contractSize})`);
    }
    return {
      instrumentId: id,
      venue: instrument.venue,
      symbol: instrument.symbol,
      kind: 'spot',
      inverse: false,
      base: instrument.base,
      quote: instrument.quote,
      costAsset: instrument.quote,
      unitAsset: instrument.base,
      contractSize: { mantissa: 1n, scale: 0 },
    };
  }
  if (instrument.settle === null || instrument.linear === null) {
    throw new Error(`instrument ${id}: a ${instrument.kind} needs its settle asset and linear/inverse flag`);
  }
  const inverse = !instrument.linear;
  if (inverse && (instrument.contractSize === null || !(instrument.contractSize > 0))) {
    throw new Error(`instrument ${id}: contractSize unknown or not positive; the ledger needs it for an inverse contract (quote units per contract, e.g. 100 USD)`);
  }
  return {
    instrumentId: id,
    venue: instrument.venue,
    symbol: instrument.symbol,
    kind: instrument.kind,
    inverse,
    base: instrument.base,
    quote: instrument.quote,
    costAsset: instrument.settle,
    unitAsset: contractUnitAsset(instrument.venue, instrument.symbol),
    contractSize: inverse ? decimalFromNumber(instrument.contractSize!) : { mantissa: 1n, scale: 0 },
  };
}

/** Signed value of `quantity` (minor units of the unit asset) at `price`, in minor units of the cost asset (see above). */
export function signedValue(terms: ContractTerms, quantity: Minor, price: ExactDecimal): Minor {
  if (price.mantissa <= 0n) throw new Error(`${terms.instrumentId}: price must be positive`);
  const q = decimalFromMinor(quantity);
  if (terms.inverse) return mulDivToMinor([negateDecimal(q), terms.contractSize], [price]);
  return mulToMinor(q, terms.contractSize, price);
}

/**
 * One funding settlement on `quantity` (signed, minor units of base units or contracts), in minor
 * units of the cost (settle) asset; positive = received. Positive rate: longs pay shorts.
 *   linear:  -q * markPrice * rate                   (q in base units; DESIGN.md's -q cs mark rate with q in contracts)
 *   inverse: -q * contractSize * rate / markPrice     (contractSize in quote units; result in base)
 */
export function fundingAmount(terms: ContractTerms, quantity: Minor, markPrice: ExactDecimal, fundingRatePerInterval: ExactDecimal): Minor {
  if (terms.kind === 'spot') throw new Error(`${terms.instrumentId}: spot instruments have no funding`);
  if (markPrice.mantissa <= 0n) throw new Error(`${terms.instrumentId}: mark price must be positive`);
  const q = negateDecimal(decimalFromMinor(quantity));
  if (terms.inverse) return mulDivToMinor([q, terms.contractSize, fundingRatePerInterval], [markPrice]);
  return mulToMinor(q, terms.contractSize, markPrice, fundingRatePerInterval);
}
