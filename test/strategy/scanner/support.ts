import type { Instrument } from '../../../src/domain/instrument.ts';
import { instrumentFromSymbol } from '../../../src/domain/instrument.ts';

/** An instrument with the fields a test needs (others as the symbol implies). */
export function instrument(venue: string, symbol: string, extra: Partial<Instrument> = {}): Instrument {
  const base = instrumentFromSymbol(venue, symbol);
  return { ...base, linear: base.kind === 'spot' ? null : true, contractSize: 1, ...extra };
}
