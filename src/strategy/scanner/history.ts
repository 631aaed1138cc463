/**
 * A pair's own history, to tell a price gap the market has shown before from one that appears in a
 * single observation far outside anything the pair did (a bad print, bars of two venues stamped
 * alike but taken hours apart): the gap at each earlier observation of both legs, its median
 * absolute value, how many consecutive observations the current gap has lasted, and the lag
 * between the legs that their prices imply (model/leadLag.ts: bars of two venues stamped alike but
 * taken hours apart show it whatever their timestamps say). For the types
 * whose edge is a price gap (basis, cross-venue and calendar spreads). Computed once when a history
 * is set (store and snapshot scans); live scans have none, and every check here is then one null test.
 */
import type { OuParams } from '../../model/ouParams.ts';
import type { ScannerConfig } from './config.ts';
import { impliedLag } from '../../model/leadLag.ts';
import { FLAG_MISALIGNED, FLAG_SUSPECT } from './flags.ts';
import type { OpportunitySlot } from './opportunity.ts';
import { SlotHistory } from './slotHistory.ts';
import { edgeMeasureOf, TYPE_CROSS_VENUE_SPREAD } from './opportunityTypes.ts';

/** One instrument's price observations before (and at) the scan time, oldest first. */
export interface InstrumentHistory {
  venue: string;
  symbol: string;
  /** When each price was known (a bar's close time) and the mid (a bar's close). */
  priceTimesMs: Float64Array;
  mids: Float64Array;
}

/** The type's threshold on |price gap| (config.thresholds), fraction. */
export function edgeThreshold(typeCode: number, config: ScannerConfig): number {
  const t = config.thresholds;
  return typeCode === TYPE_CROSS_VENUE_SPREAD ? t.minSpreadBps / 1e4 : t.minBasisBps / 1e4;
}

/** (rich - cheap) / cheap, positive when a is the cheap leg: the sign says which leg is bought. */
export function signedSpread(midA: number, midB: number): number {
  return midA <= midB ? (midB - midA) / midA : -(midA - midB) / midB;
}

interface AlignedPrices {
  timesMs: number[];
  a: number[];
  b: number[];
}

/** The two legs' mids at the times both series have (exact: one grid), before `beforeMs`. */
function alignedPrices(a: InstrumentHistory, b: InstrumentHistory, beforeMs: number): AlignedPrices {
  const out: AlignedPrices = { timesMs: [], a: [], b: [] };
  let j = 0;
  for (let i = 0; i < a.priceTimesMs.length && a.priceTimesMs[i] < beforeMs; i++) {
    const t = a.priceTimesMs[i];
    while (j < b.priceTimesMs.length && b.priceTimesMs[j] < t) j++;
    if (j < b.priceTimesMs.length && b.priceTimesMs[j] === t && a.mids[i] > 0 && b.mids[j] > 0) {
      out.timesMs.push(t);
      out.a.push(a.mids[i]);
      out.b.push(b.mids[j]);
    }
  }
  return out;
}

/**
 * The pair's price gap at its observations before the current one (oldest first): the basis
 * (minus the fit's mu) for basis, the signed spread for cross-venue and calendar spreads, and the
 * lag between the legs that those prices imply. Null for the funding types (their edge is a
 * settled rate the venue published, not a price that can be misread or misaligned), and when a leg
 * has no history or no current observation.
 */
export function pairHistory(
  slot: OpportunitySlot,
  a: InstrumentHistory | undefined,
  b: InstrumentHistory | undefined,
  fits: ReadonlyMap<string, OuParams> | null,
  minSteps: number,
): SlotHistory | null {
  const measure = edgeMeasureOf(slot.typeCode);
  if (!a || !b || measure === null) return null;
  const aligned = alignedPrices(a, b, Math.max(slot.a.quoteTsMs, slot.b.quoteTsMs));
  const n = aligned.timesMs.length;
  if (n === 0) return null;
  const mu = fits?.get(slot.b.id)?.mu ?? 0;
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = measure === 'basis' ? (aligned.b[i] - aligned.a[i]) / aligned.a[i] - mu : signedSpread(aligned.a[i], aligned.b[i]);
  const lag = impliedLag(aligned.timesMs, aligned.a, aligned.b, minSteps);
  return new SlotHistory(values, lag.lagFraction, lag.stepMs);
}

/**
 * The flags of the pair's history: FLAG_MISALIGNED when its prices imply one leg is observed more
 * than suspect.maxImpliedLagFraction of a step before the other; FLAG_SUSPECT when the slot's
 * current gap (slot.history.edge, set by the caller: a double passed to a call is boxed) has lasted
 * at most suspect.maxObservations consecutive observations (counting back while the history passes
 * the type's threshold with the same sign) and is more than suspect.multipleOfMedian times the
 * pair's median absolute gap. Called only for a slot with a history (the callers test it: no call
 * at all on the live path).
 */
export function historyFlags(slot: OpportunitySlot, config: ScannerConfig): number {
  const h = slot.history!;
  const history = h.values;
  const s = config.suspect;
  let flags = h.lagFraction > s.maxImpliedLagFraction ? FLAG_MISALIGNED : 0;
  const edge = h.edge;
  const threshold = edgeThreshold(slot.typeCode, config);
  let observations = 1;
  for (let k = history.length - 1; k >= 0; k--) {
    const v = history[k];
    if (!(edge > 0 ? v >= threshold : edge < 0 ? v <= -threshold : false)) break;
    observations++;
  }
  h.observations = observations;
  if (history.length >= s.minHistoryPoints && observations <= s.maxObservations && Math.abs(edge) > s.multipleOfMedian * h.medianAbs) flags |= FLAG_SUSPECT;
  return flags;
}
