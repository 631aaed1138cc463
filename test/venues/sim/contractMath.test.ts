import { describe, expect, it } from 'vitest';
import { averageEntryPrice, isMultipleOf, notionalSettle, pnlSettle } from '../../../src/venues/sim/contractMath.ts';

const linear = { linear: true, contractSize: 1 };
const inverse = { linear: false, contractSize: 10 };

describe('contract math', () => {
  it('notional, PnL and average entry for linear and inverse', () => {
    expect(notionalSettle(linear, -2, 100)).toBe(200);
    expect(notionalSettle(inverse, 100, 50_000)).toBeCloseTo(0.02, 15);
    expect(pnlSettle(linear, -2, 100, 90)).toBe(20);
    expect(pnlSettle(inverse, 100, 50_000, 40_000)).toBeCloseTo(1000 * (1 / 50_000 - 1 / 40_000), 15);
    expect(averageEntryPrice(linear, 1, 100, 3, 104)).toBe(103);
    // Inverse: harmonic mean, 200 contracts / (100/50k + 100/40k).
    expect(averageEntryPrice(inverse, 100, 50_000, 100, 40_000)).toBeCloseTo(200 / (100 / 50_000 + 100 / 40_000), 8);
    expect(isMultipleOf(0.003, 0.001)).toBe(true);
    expect(isMultipleOf(0.0035, 0.001)).toBe(false);
    expect(isMultipleOf(64_250.5, 0.1)).toBe(true);
  });
});

