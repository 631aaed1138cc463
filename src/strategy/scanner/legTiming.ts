/**
 * When each leg's price was observed, and whether two legs were observed close enough together to
 * be compared: a gap between prices taken hours apart (a bar that closed at 08:00 against one that
 * closed at 12:00) is the market's move in between, not a spread.
 */
import type { ScannerConfig } from './config.ts';
import type { InstrumentState } from './marketState.ts';

/**
 * How far apart two legs' observations may be: config.maxLegSkewMs, else half the shorter bar when
 * a leg is priced from bars (bars of one grid close together; the next bar is a whole bar away),
 * else config.quoteLegSkewMs.
 */
export function legSkewToleranceMs(a: InstrumentState, b: InstrumentState, config: ScannerConfig): number {
  if (config.maxLegSkewMs !== null) return config.maxLegSkewMs;
  const barA = a.priceBarMs;
  const barB = b.priceBarMs;
  if (barA > 0 || barB > 0) return 0.5 * (barA > 0 && barB > 0 ? Math.min(barA, barB) : barA > 0 ? barA : barB);
  return config.quoteLegSkewMs;
}

/** |time between the two legs' observations|, ms; NaN when a leg has no price. */
export function legSkewMs(a: InstrumentState, b: InstrumentState): number {
  const skew = a.quoteTsMs - b.quoteTsMs;
  return skew < 0 ? -skew : skew;
}

/**
 * The two legs were observed further apart than the tolerance (false when a leg has no price). On
 * every recomputation: written out rather than calling the two functions above, because a double
 * returned from a call V8 does not inline is boxed (see costs.ts walkResult).
 */
export function legsTooFarApart(a: InstrumentState, b: InstrumentState, config: ScannerConfig): boolean {
  let skew = a.quoteTsMs - b.quoteTsMs;
  if (skew < 0) skew = -skew;
  const fixed = config.maxLegSkewMs;
  if (fixed !== null) return skew > fixed;
  const barA = a.priceBarMs;
  const barB = b.priceBarMs;
  if (barA > 0 || barB > 0) return 2 * skew > (barA > 0 && barB > 0 ? (barA < barB ? barA : barB) : barA > 0 ? barA : barB);
  return skew > config.quoteLegSkewMs;
}
