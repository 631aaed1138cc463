import ccxt from 'ccxt';

export type PrecisionModeName = 'tickSize' | 'decimalPlaces' | 'significantDigits';

export function precisionModeName(mode: number): PrecisionModeName {
  if (mode === ccxt.TICK_SIZE) return 'tickSize';
  if (mode === ccxt.DECIMAL_PLACES) return 'decimalPlaces';
  if (mode === ccxt.SIGNIFICANT_DIGITS) return 'significantDigits';
  throw new Error(`unknown ccxt precisionMode ${mode}`);
}

/**
 * A ccxt market precision (price or amount) as a step size. ccxt expresses precision per exchange
 * (its `precisionMode`): TICK_SIZE gives the step itself (0.1), DECIMAL_PLACES the number of
 * decimals (1 -> 0.1). SIGNIFICANT_DIGITS has no fixed step, so the step is unknown (null).
 */
export function precisionToStep(precision: number | undefined | null, mode: number): number | null {
  if (precision === undefined || precision === null || !Number.isFinite(precision)) return null;
  const name = precisionModeName(mode);
  if (name === 'tickSize') return precision > 0 ? precision : null;
  if (name === 'decimalPlaces') {
    // 400 decimals is 1e-400, which is 0 as a double (and -400 is Infinity): no step.
    const step = Number.isInteger(precision) ? Number(`1e${-precision}`) : Number.NaN;
    return Number.isFinite(step) && step > 0 ? step : null;
  }
  return null;
}
