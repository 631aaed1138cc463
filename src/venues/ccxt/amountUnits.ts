/**
 * Venues whose ccxt amounts are already units, not contracts: Deribit sends and takes its own
 * `amount` (USD for inverse contracts, the base currency for linear ones) and ccxt passes it through,
 * while the market's contractSize says 10 USD (BTC-PERPETUAL) or 0.001 BTC.
 */
const AMOUNTS_IN_UNITS: ReadonlySet<string> = new Set(['deribit']);

/**
 * What one ccxt amount (order, position, book size) of a derivative is worth: base units for a linear
 * contract, quote units for an inverse one. For most venues that is the contract size (OKX
 * BTC-USDT-SWAP: 0.01 BTC, BTC-USD-SWAP: 100 USD); for Deribit it is 1.
 */
export function amountUnitSize(venue: string, market: { contractSize?: number }): number {
  if (AMOUNTS_IN_UNITS.has(venue)) return 1;
  return typeof market.contractSize === 'number' && market.contractSize > 0 ? market.contractSize : 1;
}
