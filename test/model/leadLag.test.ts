import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/data/synthetic/rng.ts';
import { impliedLag } from '../../src/model/leadLag.ts';

const STEP_MS = 8 * 3_600_000;
/** Sub-steps per bar: the walk is simulated 16 times finer than the bars. */
const FINE = 16;

/** A seeded log random walk sampled at bar closes, and the same walk sampled `lagSubSteps` earlier for the second leg. */
function legs(bars: number, lagSubSteps: number, seed: number) {
  const rng = new Rng(seed);
  const path: number[] = [0];
  for (let i = 1; i <= (bars + 1) * FINE; i++) path.push(path[i - 1] + 0.01 * rng.normal());
  const timesMs: number[] = [];
  const a: number[] = [];
  const b: number[] = [];
  for (let k = 1; k <= bars; k++) {
    const close = (k + 1) * FINE;
    timesMs.push(k * STEP_MS);
    a.push(100 * Math.exp(path[close]));
    b.push(100 * Math.exp(path[close - lagSubSteps]));
  }
  return { timesMs, a, b };
}

describe('impliedLag: the observation lag two price series imply', () => {
  it('is the lag as a fraction of the bar when one leg is sampled earlier, whichever leg it is', () => {
    for (const lag of [4, 8, 12]) {
      const { timesMs, a, b } = legs(3000, lag, 7 + lag);
      const earlierB = impliedLag(timesMs, a, b, 20);
      expect(earlierB.stepMs).toBe(STEP_MS);
      expect(earlierB.steps).toBe(2999);
      expect(earlierB.lagFraction).toBeGreaterThan(lag / FINE - 0.05);
      expect(earlierB.lagFraction).toBeLessThan(lag / FINE + 0.05);
      const earlierA = impliedLag(timesMs, b, a, 20);
      expect(earlierA.lagFraction).toBeCloseTo(earlierB.lagFraction, 10);
    }
  });

  it('is about 0 for legs observed together, with independent noise on each', () => {
    const { timesMs, a } = legs(3000, 0, 3);
    const rng = new Rng(11);
    const noisyA = a.map((p) => p * (1 + 0.0005 * rng.normal()));
    const noisyB = a.map((p) => p * (1 + 0.0005 * rng.normal()));
    const { lagFraction } = impliedLag(timesMs, noisyA, noisyB, 20);
    expect(Math.abs(lagFraction)).toBeLessThan(0.02);
  });

  it('uses only consecutive points one common step apart, and says NaN below minSteps', () => {
    const { timesMs, a, b } = legs(30, 8, 5);
    expect(impliedLag(timesMs, a, b, 29).steps).toBe(29);
    expect(impliedLag(timesMs, a, b, 30).lagFraction).toBeNaN();
    // A hole in the middle: the step across it is not used.
    const holed = [...timesMs.slice(0, 10), ...timesMs.slice(12)];
    const result = impliedLag(holed, [...a.slice(0, 10), ...a.slice(12)], [...b.slice(0, 10), ...b.slice(12)], 2);
    expect(result.stepMs).toBe(STEP_MS);
    expect(result.steps).toBe(26);
  });
});
