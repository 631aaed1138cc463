import { RANGES } from '../../domain/config/ranges.ts';
import { HOUR_MS, YEAR_MS } from '../../core/time.ts';
import type { MarginMode } from '../tradingTypes.ts';

/**
 * Margin, liquidation and borrowing rules of the simulated venue.
 *
 * - Initial margin = notional * initialMarginRate, initialMarginRate = 1 / leverage. Opening or
 *   increasing a derivative position needs that much available balance in the settle asset (plus
 *   the taker fee); reducing needs none.
 * - Maintenance margin = mark notional * maintenanceMarginRate. Default 0.4%: Binance USDT-M BTCUSDT,
 *   first tier (notional <= 50,000 USDT, announcement of 2021-03-18); Bybit's first BTCUSDT tier is
 *   0.5%. Only one tier: larger positions need a per-symbol rate.
 * - Isolated: each position has its own margin (the initial margin of its fills); it is liquidated
 *   when isolated margin + its unrealised PnL < its maintenance margin. Cross: all cross positions of
 *   a settle asset share the wallet; they are all liquidated when wallet - isolated margins + their
 *   unrealised PnL < their summed maintenance margin.
 * - Liquidation closes the position at the mark price that crossed the liquidation price (the
 *   liquidation price itself when a candle's range passed through it, the candle's open when it
 *   gapped through), and charges liquidationFeeRate * notional as the fill's fee. The default 0.5% is
 *   an assumption of the order of exchanges' liquidation/clearance fees, not a quoted schedule.
 *   Bankruptcy (negative equity after the fill), the insurance fund and auto-deleveraging are not
 *   modelled: the loss is booked in full.
 * - Short spot: selling more of an asset than the account holds borrows the rest (auto-borrow, as
 *   in margin trading) when the asset has a borrowRateAnnual; the borrow needs collateral in the quote
 *   asset of spotShortMarginRate * borrowed value (default 0.5: Binance cross margin at 3x lends up to
 *   twice the collateral). Interest is charged at every whole UTC hour on the debt outstanding then,
 *   debt * borrowRateAnnual / 8760, in the borrowed asset and added to the debt (hourly compounding,
 *   like Binance margin); a borrow repaid within the hour pays nothing. Short spot is not liquidated.
 */

export interface MarginSettings {
  leverage: number;
  maintenanceMarginRate: number;
  marginMode: MarginMode;
}

export const DEFAULT_MARGIN_SETTINGS: Readonly<MarginSettings> = Object.freeze({ leverage: 1, maintenanceMarginRate: 0.004, marginMode: 'cross' });
export const DEFAULT_LIQUIDATION_FEE_RATE = 0.005;
export const DEFAULT_SPOT_SHORT_MARGIN_RATE = 0.5;
export const HOURS_PER_YEAR = YEAR_MS / HOUR_MS;
/** A negative balance smaller than this (in asset units) is float noise left by repaying a debt, not a borrow. */
export const DEBT_DUST = 1e-12;

export interface MarginConfig {
  /** For every derivative without its own settings (defaults: 1x, 0.4%, cross). */
  defaults?: Partial<MarginSettings>;
  bySymbol?: Record<string, Partial<MarginSettings>>;
  liquidationFeeRate?: number;
}

export interface BorrowConfig {
  /** Annual interest rate (fraction) per borrowable asset; an asset not listed cannot be shorted on spot. */
  borrowRateAnnualByAsset?: Record<string, number>;
  /** Collateral (quote asset) per unit of borrowed value. */
  spotShortMarginRate?: number;
}

export function resolveMarginSettings(symbol: string, config: MarginConfig = {}): MarginSettings {
  const settings: MarginSettings = { ...DEFAULT_MARGIN_SETTINGS, ...config.defaults, ...config.bySymbol?.[symbol] };
  checkMarginSettings(symbol, settings);
  return settings;
}

export function checkMarginSettings(symbol: string, settings: MarginSettings): void {
  const { leverage, maintenanceMarginRate, marginMode } = settings;
  if (!(leverage >= 1) || !Number.isFinite(leverage)) throw new Error(`${symbol}: leverage must be finite and >= 1 (got ${leverage})`);
  if (!(maintenanceMarginRate >= 0)) throw new Error(`${symbol}: maintenanceMarginRate must be >= 0 (got ${maintenanceMarginRate})`);
  if (!(1 / leverage > maintenanceMarginRate)) throw new Error(`${symbol}: the initial margin rate 1/${leverage} must exceed the maintenance margin rate ${maintenanceMarginRate}`);
  if (leverage > RANGES.leverage.max) throw new Error(`${symbol}: leverage must be at most ${RANGES.leverage.max} (got ${leverage}): ${RANGES.leverage.why}`);
  if (marginMode !== 'cross' && marginMode !== 'isolated') throw new Error(`${symbol}: marginMode must be cross or isolated (got ${String(marginMode)})`);
}

export function initialMarginRate(leverage: number): number {
  return 1 / leverage;
}

/** How much an order of signed quantity adds to |position|: max(0, |p + d| - |p|). */
export function exposureIncrease(positionQty: number, signedOrderQty: number): number {
  return Math.max(0, Math.abs(positionQty + signedOrderQty) - Math.abs(positionQty));
}

/**
 * The mark price at which a position is liquidated during one market event spanning
 * [low, high] and starting at `open` (a quote: all three the same), or NaN when it is not.
 * Long: the mark fell below the liquidation price; short: rose above it.
 */
export function liquidationExecutionPrice(positionQty: number, liquidationPrice: number | null, open: number, low: number, high: number): number {
  if (liquidationPrice === null || positionQty === 0) return Number.NaN;
  if (positionQty > 0) return low < liquidationPrice ? Math.min(open, liquidationPrice) : Number.NaN;
  return high > liquidationPrice ? Math.max(open, liquidationPrice) : Number.NaN;
}

/** Interest for one hour on `borrowedQuantity`: borrowed * borrowRateAnnual / 8760. */
export function hourlyBorrowInterest(borrowedQuantity: number, borrowRateAnnual: number): number {
  return (borrowedQuantity * borrowRateAnnual) / HOURS_PER_YEAR;
}

/** First whole UTC hour strictly after `timeMs`. */
export function nextHourAfter(timeMs: number): number {
  return (Math.floor(timeMs / HOUR_MS) + 1) * HOUR_MS;
}
