import { UsageError } from '../../core/errors.ts';
import { resolveZone } from '../../data/import/localTime.ts';
import { checkVenueId } from '../../data/store/layout.ts';
import { parseSymbol } from '../../domain/symbol.ts';

/** A venue id given on the command line (ccxt id: lowercase letters, digits, `_.-`); control characters never pass. */
export function checkVenueOption(option: string, venue: string | undefined): void {
  if (venue === undefined) return;
  try {
    checkVenueId(venue);
  } catch (error) {
    throw new UsageError(`${option}: ${(error as Error).message}`);
  }
}

/** A unified symbol given on the command line (BASE/QUOTE[:SETTLE[-YYMMDD]], letters and digits). */
export function checkSymbolOption(option: string, symbol: string | undefined): void {
  if (symbol === undefined) return;
  try {
    parseSymbol(symbol);
  } catch (error) {
    throw new UsageError(`${option}: ${(error as Error).message}`);
  }
}

/** A --timezone value, checked before any file is read (the importers would fail on it file by file). */
export function checkTimezoneOption(option: string, zone: string | undefined): void {
  if (zone === undefined) return;
  try {
    resolveZone(zone);
  } catch (error) {
    throw new UsageError(`${option}: ${(error as Error).message}`);
  }
}
