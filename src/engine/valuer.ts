import type { Minor } from '../portfolio/money.ts';

/**
 * What the run's accounting subscribers (round trips, PnL breakdown) ask the engine: prices now, at
 * the marks the engine values equity with.
 */
export interface RunValuer {
  /** `amount` (minor units of `asset`) in USD minor units at the current prices (rounded once). */
  usdValue(asset: string, amount: Minor): Minor;
  /** The current mark of an instrument (`venue:symbol`) as equity uses it; undefined without one. */
  markOf(instrumentId: string): number | undefined;
}
