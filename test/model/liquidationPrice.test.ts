import { describe, expect, it } from 'vitest';
import { inverseLiquidationPrice, linearLiquidationPrice } from '../../src/model/liquidationPrice.ts';

describe('liquidation price', () => {
  it('linear long, 10x isolated: P = (E - C/q) / (1 - m) and equity = maintenance there', () => {
    // 1 BTC long at 100 with 10 USDT margin, maintenance 0.5%: P = 90 / 0.995.
    const p = linearLiquidationPrice({ quantity: 1, entryPrice: 100, collateral: 10, maintenanceMarginRate: 0.005 })!;
    expect(p).toBeCloseTo(90.45226130653266, 10);
    expect(10 + 1 * (p - 100)).toBeCloseTo(0.005 * 1 * p, 12);
  });

  it('linear short: P = (E + C/|q|) / (1 + m)', () => {
    // 2 BTC short at 100 with 20 USDT: (100 + 10) / 1.005.
    const p = linearLiquidationPrice({ quantity: -2, entryPrice: 100, collateral: 20, maintenanceMarginRate: 0.005 })!;
    expect(p).toBeCloseTo(109.45273631840796, 10);
    expect(20 - 2 * (p - 100)).toBeCloseTo(0.005 * 2 * p, 12);
  });

  it('a long backed by its whole notional cannot be liquidated (null); zero maintenance gives the bankruptcy price', () => {
    expect(linearLiquidationPrice({ quantity: 1, entryPrice: 100, collateral: 100, maintenanceMarginRate: 0.004 })).toBeNull();
    expect(linearLiquidationPrice({ quantity: 0.5, entryPrice: 100, collateral: 10, maintenanceMarginRate: 0 })).toBeCloseTo(80, 12);
  });

  it('inverse long and short (base-settled)', () => {
    // 100 contracts of 10 USD at 50,000 = 0.02 BTC, 0.004 BTC margin (5x), m = 0.5%:
    // P = 10 (100 + 0.5) / (0.004 + 0.02) = 1005 / 0.024 = 41875.
    const long = inverseLiquidationPrice({ contracts: 100, contractSize: 10, entryPrice: 50_000, collateral: 0.004, maintenanceMarginRate: 0.005 })!;
    expect(long).toBeCloseTo(41_875, 6);
    expect(0.004 + 100 * 10 * (1 / 50_000 - 1 / long)).toBeCloseTo((0.005 * 100 * 10) / long, 15);
    // Short 100 contracts with 0.004 BTC: P = 10 (-100 + 0.5) / (0.004 - 0.02) = -995 / -0.016 = 62187.5.
    const short = inverseLiquidationPrice({ contracts: -100, contractSize: 10, entryPrice: 50_000, collateral: 0.004, maintenanceMarginRate: 0.005 })!;
    expect(short).toBeCloseTo(62_187.5, 6);
    // A 1x short (collateral = entry notional 0.02 BTC) is never liquidated.
    expect(inverseLiquidationPrice({ contracts: -100, contractSize: 10, entryPrice: 50_000, collateral: 0.02, maintenanceMarginRate: 0.005 })).toBeNull();
  });

  it('rejects nonsense inputs', () => {
    expect(() => linearLiquidationPrice({ quantity: 0, entryPrice: 100, collateral: 1, maintenanceMarginRate: 0.005 })).toThrow(/non-zero/);
    expect(() => linearLiquidationPrice({ quantity: 1, entryPrice: -1, collateral: 1, maintenanceMarginRate: 0.005 })).toThrow(/entryPrice/);
    expect(() => linearLiquidationPrice({ quantity: 1, entryPrice: 100, collateral: 1, maintenanceMarginRate: 1 })).toThrow(/maintenanceMarginRate/);
    expect(() => inverseLiquidationPrice({ contracts: 1, contractSize: 0, entryPrice: 100, collateral: 1, maintenanceMarginRate: 0.005 })).toThrow(/contractSize/);
  });
});
