import { describe, expect, it } from 'vitest';
import { arrivalTimeMs, createLatencyModel } from '../../../src/venues/sim/latencyModel.ts';

describe('latency model', () => {
  it('none, fixed, and seeded uniform (same seed, same draws; within bounds)', () => {
    expect(createLatencyModel().nextLatencyMs()).toBe(0);
    expect(createLatencyModel({ kind: 'fixed', latencyMs: 25 }).nextLatencyMs()).toBe(25);
    const draw = (seed: number) => {
      const m = createLatencyModel({ kind: 'uniform', minLatencyMs: 5, maxLatencyMs: 50, seed });
      return Array.from({ length: 500 }, () => m.nextLatencyMs());
    };
    const a = draw(42);
    expect(draw(42)).toEqual(a);
    expect(draw(43)).not.toEqual(a);
    expect(Math.min(...a)).toBe(5);
    expect(Math.max(...a)).toBe(50);
    expect(a.every(Number.isInteger)).toBe(true);
    expect(() => createLatencyModel({ kind: 'fixed', latencyMs: -1 })).toThrow(/latencyMs/);
    expect(() => createLatencyModel({ kind: 'uniform', minLatencyMs: 9, maxLatencyMs: 3, seed: 1 })).toThrow(/maxLatencyMs/);
    expect(arrivalTimeMs(1000, 200, 900)).toBe(1200);
    expect(arrivalTimeMs(1000, 200, 1100)).toBe(1300);
  });
});

