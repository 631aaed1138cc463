/**
 * The observation lag between two price series of one asset stamped alike, from their history.
 *
 * Prices observed at the same instants move together, and their log gap g = ln(pB / pA) does not
 * follow either leg's move. When B is in fact taken delta before A (bars stamped alike that close
 * hours apart), then for a random walk with variance sigma^2 per unit time and steps of length L,
 * g_t = x(t - delta) - x(t), rA_t = x(t) - x(t - L), rB_t = x(t - delta) - x(t - delta - L), so
 * cov(g, rA) = -sigma^2 delta, var(rA) = sigma^2 L and cov(g, rB) = 0: the slope of g on rA is
 * -delta / L and the slope on rB is 0. When A is the earlier leg the slopes trade places with a
 * plus sign. Either way slope(g on rB) - slope(g on rA) = delta / L, the lag as a fraction of a step
 * (for delta <= L). Legs observed together give about 0; independent noise on each leg adds a small
 * positive bias (its variance over the return variance).
 */

export interface ImpliedLag {
  /** delta / L: 0 for legs observed together, 0.5 for one leg taken half a step before the other; NaN without enough steps. */
  lagFraction: number;
  /** The step L: the most common time between consecutive points, ms. */
  stepMs: number;
  /** Consecutive points exactly one step apart that were used. */
  steps: number;
}

function mostCommonStep(timesMs: ArrayLike<number>): number {
  const counts = new Map<number, number>();
  let best = Number.NaN;
  let bestCount = 0;
  for (let i = 1; i < timesMs.length; i++) {
    const step = timesMs[i] - timesMs[i - 1];
    const count = (counts.get(step) ?? 0) + 1;
    counts.set(step, count);
    if (count > bestCount || (count === bestCount && step < best)) [best, bestCount] = [step, count];
  }
  return best;
}

/** The implied lag of two aligned price series (same times, positive prices, oldest first); NaN when fewer than minSteps steps of the common length. */
export function impliedLag(timesMs: ArrayLike<number>, pricesA: ArrayLike<number>, pricesB: ArrayLike<number>, minSteps: number): ImpliedLag {
  const stepMs = mostCommonStep(timesMs);
  const g: number[] = [];
  const ra: number[] = [];
  const rb: number[] = [];
  for (let i = 1; i < timesMs.length; i++) {
    if (timesMs[i] - timesMs[i - 1] !== stepMs) continue;
    g.push(Math.log(pricesB[i] / pricesA[i]));
    ra.push(Math.log(pricesA[i] / pricesA[i - 1]));
    rb.push(Math.log(pricesB[i] / pricesB[i - 1]));
  }
  const steps = g.length;
  if (steps < Math.max(2, minSteps)) return { lagFraction: Number.NaN, stepMs, steps };
  const slope = (y: number[], x: number[]) => {
    let mx = 0;
    let my = 0;
    for (let i = 0; i < steps; i++) {
      mx += x[i];
      my += y[i];
    }
    mx /= steps;
    my /= steps;
    let sxy = 0;
    let sxx = 0;
    for (let i = 0; i < steps; i++) {
      sxy += (x[i] - mx) * (y[i] - my);
      sxx += (x[i] - mx) ** 2;
    }
    return sxx > 0 ? sxy / sxx : Number.NaN;
  };
  return { lagFraction: slope(g, rb) - slope(g, ra), stepMs, steps };
}
