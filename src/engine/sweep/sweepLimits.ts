import { ConfigError } from '../../core/errors.ts';
import { DAY_MS } from '../../core/time.ts';
import { SWEEP_LIMITS } from '../../domain/config/ranges.ts';
import type { Combo } from './grid.ts';
import type { WalkForwardSpec } from './sweepConfig.ts';
import { dataSpan, type Fold, type TimeWindow } from './windows.ts';

/**
 * The days all the backtests of a sweep simulate together, as runSweep schedules them. Without
 * walk-forward: each combination over its own span (null when a store span cannot be known before
 * the run; that combination then fails on its own). With it: every combination on every training
 * window and over the out-of-sample span with its warm-up, and each fold's choice on its test window
 * with its warm-up.
 */
export function sweepSimulatedDays(combos: readonly Combo[], walkForward: { spec: WalkForwardSpec; folds: readonly Fold[] } | null, storeDir?: string): number {
  const days = (w: TimeWindow) => (w.toMs - w.fromMs) / DAY_MS;
  if (walkForward === null) {
    const spans = new Map<string, number>();
    let total = 0;
    for (const combo of combos) {
      // Combinations that differ only in parameters share a span: compute it once (a store listing is read).
      const key = JSON.stringify([combo.config.data, combo.config.instruments.map((i) => i.id)]);
      let span = spans.get(key);
      if (span === undefined) {
        try {
          span = days(dataSpan(combo.config, storeDir));
        } catch {
          span = 0;
        }
        spans.set(key, span);
      }
      total += span;
    }
    return total;
  }
  const { spec, folds } = walkForward;
  if (folds.length === 0) return 0;
  const warmUpDays = spec.trainDays;
  const train = folds.reduce((sum, f) => sum + days(f.train), 0);
  const outOfSample = days({ fromMs: folds[0].test.fromMs, toMs: folds[folds.length - 1].test.toMs });
  const test = folds.reduce((sum, f) => sum + days(f.test) + warmUpDays, 0);
  return combos.length * (train + outOfSample + warmUpDays) + test;
}

/** Throws a ConfigError when the sweep would simulate more than SWEEP_LIMITS.simulatedDays. */
export function checkSweepSize(where: string, combos: readonly Combo[], walkForward: { spec: WalkForwardSpec; folds: readonly Fold[] } | null, storeDir?: string): number {
  const simulated = sweepSimulatedDays(combos, walkForward, storeDir);
  if (simulated > SWEEP_LIMITS.simulatedDays) {
    const shape = walkForward ? `${combos.length} combinations x ${walkForward.folds.length} folds` : `${combos.length} combinations`;
    throw new ConfigError(where, [`the sweep would simulate ${Math.round(simulated).toLocaleString('en-US')} days (${shape}); at most ${SWEEP_LIMITS.simulatedDays.toLocaleString('en-US')} (fewer values, shorter data or a longer walkForward.stepDays)`]);
  }
  return simulated;
}
