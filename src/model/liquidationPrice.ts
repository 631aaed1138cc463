/**
 * Liquidation price of one derivative position: the mark price P at which the collateral backing the
 * position plus its unrealised PnL equals its maintenance margin,
 *
 *   collateral + PnL(P) = maintenanceMarginRate * notional(P).
 *
 * A position is liquidated when equity falls BELOW the maintenance margin, so P is the boundary.
 * `collateral` is the isolated margin of an isolated position; for cross margin it is everything else
 * the account has in the settle asset: wallet balance - isolated margins + sum over the OTHER cross
 * positions of (unrealised PnL - maintenance margin), the others held at their current marks.
 *
 * Single tier: the venue's tiered "maintenance amount" (Binance's cum) is taken as 0; the liquidation
 * fee is charged after the trigger and does not move it. Returns null when no positive price can
 * liquidate the position (e.g. a long with collateral >= its entry notional).
 */

export interface LinearLiquidationInput {
  /** Signed position in base units: positive long, negative short. */
  quantity: number;
  entryPrice: number;
  /** In the settle (quote) asset. */
  collateral: number;
  maintenanceMarginRate: number;
}

/**
 * Linear (quote-settled) contract, q signed base units, entry E, collateral C, maintenance rate m:
 * C + q (P - E) = m |q| P  =>  P = (q E - C) / (q - m |q|).
 * Long: P = (E - C/q) / (1 - m). Short: P = (E + C/|q|) / (1 + m).
 */
export function linearLiquidationPrice(input: LinearLiquidationInput): number | null {
  const { quantity: q, entryPrice: e, collateral: c, maintenanceMarginRate: m } = input;
  checkInputs(q, e, c, m);
  const price = (q * e - c) / (q - m * Math.abs(q));
  return price > 0 && Number.isFinite(price) ? price : null;
}

export interface InverseLiquidationInput {
  /** Signed position in contracts: positive long, negative short. */
  contracts: number;
  /** Quote units per contract (e.g. 100 USD for BTC/USD:BTC on Binance COIN-M, 10 USD on Deribit). */
  contractSize: number;
  entryPrice: number;
  /** In the settle (base) asset. */
  collateral: number;
  maintenanceMarginRate: number;
}

/**
 * Inverse (base-settled) contract: PnL in base = q S (1/E - 1/P), notional in base = |q| S / P, so
 * C + q S (1/E - 1/P) = m |q| S / P  =>  P = S (q + m |q|) / (C + q S / E).
 * A short whose collateral covers its whole entry notional (C >= |q| S / E) is never liquidated.
 */
export function inverseLiquidationPrice(input: InverseLiquidationInput): number | null {
  const { contracts: q, contractSize: s, entryPrice: e, collateral: c, maintenanceMarginRate: m } = input;
  checkInputs(q, e, c, m);
  if (!(s > 0)) throw new Error(`contractSize must be > 0 (got ${s})`);
  const price = (s * (q + m * Math.abs(q))) / (c + (q * s) / e);
  return price > 0 && Number.isFinite(price) ? price : null;
}

function checkInputs(quantity: number, entryPrice: number, collateral: number, maintenanceMarginRate: number): void {
  if (!Number.isFinite(quantity) || quantity === 0) throw new Error(`position quantity must be finite and non-zero (got ${quantity})`);
  if (!(entryPrice > 0) || !Number.isFinite(entryPrice)) throw new Error(`entryPrice must be finite and > 0 (got ${entryPrice})`);
  if (!Number.isFinite(collateral)) throw new Error(`collateral must be finite (got ${collateral})`);
  if (!(maintenanceMarginRate >= 0 && maintenanceMarginRate < 1)) throw new Error(`maintenanceMarginRate must be in [0, 1) (got ${maintenanceMarginRate})`);
}
