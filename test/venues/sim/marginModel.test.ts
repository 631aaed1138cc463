import { describe, expect, it } from 'vitest';
import { exposureIncrease, hourlyBorrowInterest, liquidationExecutionPrice, nextHourAfter, resolveMarginSettings } from '../../../src/venues/sim/marginModel.ts';

describe('margin model', () => {
  it('settings: defaults 1x / 0.4% / cross; leverage must leave IMR above MMR', () => {
    expect(resolveMarginSettings('X')).toEqual({ leverage: 1, maintenanceMarginRate: 0.004, marginMode: 'cross' });
    expect(resolveMarginSettings('X', { defaults: { leverage: 5 }, bySymbol: { X: { marginMode: 'isolated' } } })).toEqual({ leverage: 5, maintenanceMarginRate: 0.004, marginMode: 'isolated' });
    expect(() => resolveMarginSettings('X', { defaults: { leverage: 300 } })).toThrow(/must exceed/);
    expect(() => resolveMarginSettings('X', { defaults: { leverage: 0.5 } })).toThrow(/leverage/);
  });

  it('exposure increase, liquidation execution price (through, gap), hourly borrow interest', () => {
    expect(exposureIncrease(1, 0.5)).toBe(0.5);
    expect(exposureIncrease(1, -0.5)).toBe(0);
    expect(exposureIncrease(1, -3)).toBe(1);
    expect(exposureIncrease(0, -2)).toBe(2);
    // Long with liquidation price 90: a candle 95 -> 89 passes through 90; one opening at 85 gapped.
    expect(liquidationExecutionPrice(1, 90, 95, 89, 96)).toBe(90);
    expect(liquidationExecutionPrice(1, 90, 85, 84, 86)).toBe(85);
    expect(liquidationExecutionPrice(1, 90, 95, 90, 96)).toBeNaN();
    expect(liquidationExecutionPrice(-1, 110, 105, 104, 111)).toBe(110);
    expect(liquidationExecutionPrice(-1, 110, 120, 119, 121)).toBe(120);
    expect(liquidationExecutionPrice(1, null, 1, 1, 1)).toBeNaN();
    // 8.76% a year on 1 BTC: 0.00001 BTC per hour.
    expect(hourlyBorrowInterest(1, 0.0876)).toBeCloseTo(0.00001, 18);
    expect(nextHourAfter(3_600_000)).toBe(7_200_000);
    expect(nextHourAfter(3_599_999)).toBe(3_600_000);
  });
});
