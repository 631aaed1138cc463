import { UsageError } from '../../core/errors.ts';
import { parseInstrumentId } from '../../domain/instrument.ts';
import { parseSymbol } from '../../domain/symbol.ts';

const baseOf = (id: string): string | null => {
  try {
    return parseSymbol(parseInstrumentId(id).symbol).base;
  } catch {
    return null; // basisFromStore names a malformed leg
  }
};

/**
 * The basis (perp - spot) / spot of two different assets (ETH spot, BTC perp) is the ratio of two
 * prices: no spread that converges, and no trade on it is market-neutral. Refused (exit 2) unless
 * allowed; then the warning every line of the report carries.
 */
export function mixedBaseWarning(spotId: string, perpId: string, allowMixedBase: boolean): string | null {
  const spotBase = baseOf(spotId);
  const perpBase = baseOf(perpId);
  if (spotBase === null || perpBase === null || spotBase === perpBase) return null;
  if (!allowMixedBase) {
    throw new UsageError(
      `--spot ${spotId} and --perp ${perpId} have different base assets (${spotBase} and ${perpBase}): their basis is the ratio of two prices, ` +
        'not a spread that converges, and no trade on it is market-neutral; give --allow-mixed-base to fit it anyway',
    );
  }
  return `mixed base assets: ${spotBase} spot against ${perpBase} perp; this basis is the ratio of two prices, not a converging spread, and no trade on it is market-neutral`;
}

/** The short tag a mixed-base report puts on every line. */
export function warningTag(warnings: readonly string[]): string {
  return warnings.length === 0 ? '' : '[WARNING: mixed base] ';
}
