/** What every opportunity computation reads besides its two instruments. */
import type { OuParams } from '../../model/ouParams.ts';
import type { ScannerConfig } from './config.ts';

export interface ScanContext {
  /** The scan time (the scanner's clock): quote ages, time to expiry and to the next funding. */
  nowMs: number;
  config: ScannerConfig;
  /**
   * OU fits of the basis (perp - spot) / spot, by the perp's instrument id (venue:symbol). With a
   * fit, basis and carry expect the basis to move toward mu as E[s_t] = mu + (s0 - mu) e^{-theta t};
   * without one, basis assumes full convergence to 0 over the holding period and carry assumes the
   * basis stays where it is.
   */
  fits: ReadonlyMap<string, OuParams> | null;
}
