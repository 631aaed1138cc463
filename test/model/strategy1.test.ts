import { describe, expect, it } from 'vitest';
import type { OuParams } from '../../src/model/ouParams.ts';
import {
  decideStrategy1,
  entryThresholdFromFeeRate,
  roundTripCost,
  roundTripCostFromFeeRate,
  seedFormulaEntryThreshold,
  seedFormulaExpectedProfitAsWritten,
  seedFormulaExpectedProfitImpliedByThreshold,
  strategy1EntryThresholds,
  strategy1ExpectedProfit,
  strategy1ShouldClose,
} from '../../src/model/strategy1.ts';

// Half-life one hour and tau_f = 1 h, so 1 - e^{-theta tau_f} = 1/2 exactly.
const params: OuParams = { thetaPerSecond: Math.LN2 / 3600, mu: 0.0002, sigmaPerSqrtSecond: 1e-5 };
const tau = 3600;
const fee = 0.0002;
const c = 4 * fee; // 0.0008

describe('strategy 1: close before the next funding', () => {
  it('round-trip cost sums the four legs and the crossing cost (4f when all equal)', () => {
    expect(roundTripCostFromFeeRate(fee)).toBeCloseTo(0.0008, 18);
    expect(
      roundTripCost({ feeRateSpotOpen: 0.0001, feeRatePerpOpen: 0.0002, feeRateSpotClose: 0.001, feeRatePerpClose: 0.0005, crossingCostFraction: 0.0003 }),
    ).toBeCloseTo(0.0021, 18);
    expect(() => roundTripCost({ feeRateSpotOpen: -1, feeRatePerpOpen: 0, feeRateSpotClose: 0, feeRatePerpClose: 0, crossingCostFraction: 0 })).toThrow();
  });

  it('E[P] by hand, both directions', () => {
    // (0.003 - 0.0002) * 0.5 - 0.0008 = 0.0006
    const up = strategy1ExpectedProfit(params, 0.003, tau, c);
    expect(up.side).toBe('shortPerpLongSpot');
    expect(up.expectedProfitFraction).toBeCloseTo(0.0006, 15);
    // (0.0002 - (-0.0026)) * 0.5 - 0.0008 = 0.0006
    const down = strategy1ExpectedProfit(params, -0.0026, tau, c);
    expect(down.side).toBe('longPerpShortSpot');
    expect(down.expectedProfitFraction).toBeCloseTo(0.0006, 15);
  });

  it('thresholds mu +- c / (1 - e^{-theta tau}) and the issue formula mu + 4f / (1 - exp(-theta tau))', () => {
    const { upper, lower } = strategy1EntryThresholds(params, tau, c);
    expect(upper).toBeCloseTo(0.0018, 15);
    expect(lower).toBeCloseTo(-0.0014, 15);
    expect(entryThresholdFromFeeRate(params, tau, fee)).toBeCloseTo(0.0002 + (4 * fee) / (1 - Math.exp(-params.thetaPerSecond * tau)), 15);
    expect(entryThresholdFromFeeRate(params, tau, fee)).toBeCloseTo(0.0018, 15);
    // E[P] is zero at the thresholds
    expect(strategy1ExpectedProfit(params, upper, tau, c).expectedProfitFraction).toBeCloseTo(0, 15);
    expect(strategy1ExpectedProfit(params, lower, tau, c).expectedProfitFraction).toBeCloseTo(0, 15);
  });

  it('decides to open strictly beyond the threshold, and exits at the level or at funding', () => {
    expect(decideStrategy1(params, 0.0017, tau, c).open).toBe(false);
    const open = decideStrategy1(params, 0.0019, tau, c);
    expect(open).toMatchObject({ open: true, side: 'shortPerpLongSpot', exitLevel: 0.0002, closeBySeconds: 3600 });
    expect(decideStrategy1(params, -0.0015, tau, c)).toMatchObject({ open: true, side: 'longPerpShortSpot' });
    expect(decideStrategy1(params, -0.0013, tau, c).open).toBe(false);
    expect(strategy1ShouldClose('shortPerpLongSpot', 0.0003, 0.0002, 100)).toBe(false);
    expect(strategy1ShouldClose('shortPerpLongSpot', 0.0001, 0.0002, 100)).toBe(true);
    expect(strategy1ShouldClose('longPerpShortSpot', 0.0001, 0.0002, 100)).toBe(false);
    expect(strategy1ShouldClose('longPerpShortSpot', 0.0001, 0.0002, 5, 10)).toBe(true);
  });

  it("the seed's threshold and the E[P] it implies agree with the corrected ones only when mu = 0", () => {
    const zeroMean = { ...params, mu: 0 };
    expect(seedFormulaEntryThreshold(zeroMean, tau, fee)).toBeCloseTo(entryThresholdFromFeeRate(zeroMean, tau, fee), 15);
    expect(seedFormulaEntryThreshold(params, tau, fee)).toBeCloseTo(0.0022, 15); // (0.0002 * 1.5 + 0.0008) / 0.5
    expect(seedFormulaEntryThreshold(params, tau, fee) - entryThresholdFromFeeRate(params, tau, fee)).toBeCloseTo(0.0004, 15);
    for (const s0 of [-0.002, 0.001, 0.003]) {
      const corrected = (p: OuParams) => strategy1ExpectedProfit(p, s0, tau, c);
      const signed = (p: OuParams) => Math.sign(s0 - p.mu) * (corrected(p).expectedProfitFraction + c) - c;
      expect(seedFormulaExpectedProfitImpliedByThreshold(zeroMean, s0, tau, fee)).toBeCloseTo(signed(zeroMean), 15);
      expect(Math.abs(seedFormulaExpectedProfitImpliedByThreshold(params, s0, tau, fee) - signed(params))).toBeGreaterThan(1e-5);
      // as written ("S_open + E[S_close]") it is wrong even for mu = 0: off by 2 s_0 e^{-theta tau}
      expect(seedFormulaExpectedProfitAsWritten(zeroMean, s0, tau, fee) - signed(zeroMean)).toBeCloseTo(s0, 15);
    }
  });
});
