/**
 * What a pair's history says (history.ts), kept apart from its OpportunitySlot so that slots
 * without history (live scans, the benchmark) stay small: a rescan walks all of them.
 */
export class SlotHistory {
  /** The price gap at each observation before the current one, oldest first. */
  readonly values: Float64Array;
  /** Median of |values|. */
  readonly medianAbs: number;
  /** The lag between the legs their prices imply, as a fraction of stepMs (model/leadLag.ts); NaN without enough steps. */
  readonly lagFraction: number;
  readonly stepMs: number;
  /** The current gap, set by the slot's computation (opportunityTypes.ts edgeMeasureOf). */
  edge = Number.NaN;
  /** Consecutive observations (the current one included) the gap has passed the type's threshold with its current sign. */
  observations = 0;

  constructor(values: Float64Array, lagFraction: number, stepMs: number) {
    this.values = values;
    this.lagFraction = lagFraction;
    this.stepMs = stepMs;
    const abs = Float64Array.from(values, Math.abs).sort();
    const mid = abs.length >> 1;
    this.medianAbs = abs.length === 0 ? Number.NaN : abs.length % 2 === 1 ? abs[mid] : (abs[mid - 1] + abs[mid]) / 2;
  }
}
