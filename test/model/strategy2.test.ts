import { describe, expect, it } from 'vitest';
import type { OuParams } from '../../src/model/ouParams.ts';
import { strategy1ExpectedProfit } from '../../src/model/strategy1.ts';
import { cumulativeFunding, decideStrategy2, strategy2ExpectedProfit, type Strategy2Input } from '../../src/model/strategy2.ts';

const params: OuParams = { thetaPerSecond: 1 / 3600, mu: 0.0003, sigmaPerSqrtSecond: 0.0002 * Math.sqrt(2 / 3600) };
const sd = 0.0002;
const base: Strategy2Input = {
  params,
  s0: params.mu + 2 * sd,
  cost: 0.0004,
  fundingRatePerInterval: 0.0001,
  fundingIntervalSeconds: 3600,
  timeToFundingSeconds: 1200,
};

/** A fixed p_k model for hand-computed cases (zeros beyond the given windows). */
const fixed = (p: number[]) => (windows: number) => {
  const probabilities = new Float64Array(windows);
  probabilities.set(p.slice(0, windows));
  return { probabilities, remainder: 1 - probabilities.reduce((a, b) => a + b, 0) };
};

describe('strategy 2: hold across funding windows', () => {
  it('p_k sum to 1 - tail, and the sum stops at the tolerance', () => {
    const r = strategy2ExpectedProfit(base);
    expect(r.converged).toBe(true);
    const sum = r.windows.reduce((a, w) => a + w.probability, 0);
    expect(sum + r.tailProbability).toBeCloseTo(1, 14);
    const last = r.windows[r.windows.length - 1];
    expect(Math.abs(last.probability * last.expectedProfitIfClosedFraction)).toBeLessThan(1e-12);
    expect(r.termsUsed).toBe(r.windows.length);
    expect(r.tailProbability).toBeLessThan(1e-8);
  });

  it('hand-computed small case, both sides, funding signed by the position', () => {
    // short perp (s0 above exit): gain 0.002, c 0.0008, rates 1 bp then 3 bp; a short RECEIVES positive funding
    // 0.5 (0.0012) + 0.3 (0.0012 + 0.0001) + 0.2 (0.0012 + 0.0001 + 0.0003) = 0.00131
    const input: Strategy2Input = {
      ...base,
      s0: params.mu + 0.002,
      cost: 0.0008,
      fundingRatePerInterval: [0.0001, 0.0003],
      closeModel: fixed([0.5, 0.3, 0.2]),
    };
    const short = strategy2ExpectedProfit(input);
    expect(short.side).toBe('shortPerpLongSpot');
    expect(short.expectedProfitFraction).toBeCloseTo(0.00131, 15);
    expect(short.windows.slice(0, 3).map((w) => w.fundingFraction)).toEqual([0, 0.0001, 0.0001 + 0.0003]);
    expect(short.tailProbability).toBe(0);
    // the long perp PAYS it: 0.5 (0.0012) + 0.3 (0.0011) + 0.2 (0.0008) = 0.00109
    const long = strategy2ExpectedProfit({ ...input, s0: params.mu - 0.002 });
    expect(long.side).toBe('longPerpShortSpot');
    expect(long.expectedProfitFraction).toBeCloseTo(0.00109, 15);
    // an array's last rate repeats beyond its end
    expect(Array.from(cumulativeFunding('shortPerpLongSpot', [1, 2], 4))).toEqual([0, 1, 3, 5, 7]);
  });

  it('with positive funding a short perp earns more the later it closes (E[P]_k rises with k); a long perp less', () => {
    const noDrift = { ...base, s0: params.mu + 0.5 * sd };
    const short = strategy2ExpectedProfit(noDrift).windows.map((w) => w.expectedProfitIfClosedFraction);
    for (let k = 1; k < short.length; k++) expect(short[k]).toBeGreaterThan(short[k - 1]);
    const long = strategy2ExpectedProfit({ ...noDrift, s0: params.mu - 0.5 * sd }).windows.map((w) => w.expectedProfitIfClosedFraction);
    for (let k = 1; k < long.length; k++) expect(long[k]).toBeLessThan(long[k - 1]);
    // and funding raises the short's total E[P] over the no-funding case (the seed's sign would lower it)
    const withFunding = strategy2ExpectedProfit(noDrift).expectedProfitFraction;
    const without = strategy2ExpectedProfit({ ...noDrift, fundingRatePerInterval: 0 }).expectedProfitFraction;
    expect(withFunding).toBeGreaterThan(without);
  });

  it('commit values: V_1 is strategy 1, V_K tends to the hold-to-exit E[P]', () => {
    const d = decideStrategy2(base);
    expect(d.commitValueFraction[0]).toBeCloseTo(strategy1ExpectedProfit(params, base.s0, base.timeToFundingSeconds, base.cost).expectedProfitFraction, 15);
    expect(d.commitValueFraction[d.termsUsed - 1]).toBeCloseTo(d.expectedProfitHoldToExitFraction, 10);
    expect(d.open).toBe(true);
    expect(d.side).toBe('shortPerpLongSpot');
    // no funding: waiting longer only adds convergence, so the last window is best
    const flat = decideStrategy2({ ...base, fundingRatePerInterval: 0 });
    expect(flat.bestCloseByWindow).toBe(flat.termsUsed);
    // a short paying heavy funding should close before the first settlement
    const paying = decideStrategy2({ ...base, fundingRatePerInterval: -0.001 });
    expect(paying.bestCloseByWindow).toBe(1);
    expect(decideStrategy2({ ...base, s0: params.mu + 0.1 * sd }).open).toBe(false);
  });

  it('an exit level other than mu goes through the numerical first passage and is continuous at mu', () => {
    const atMean = decideStrategy2(base);
    const near = decideStrategy2({ ...base, exitLevel: params.mu + 1e-4 * sd });
    expect(near.termsUsed).toBeGreaterThan(1);
    for (let k = 0; k < 4; k++) expect(Math.abs(near.commitValueFraction[k] - atMean.commitValueFraction[k])).toBeLessThan(1e-3 * sd);
    // exiting halfway gains less per trade but closes sooner
    const halfway = strategy2ExpectedProfit({ ...base, exitLevel: params.mu + sd });
    expect(halfway.windows[0].probability).toBeGreaterThan(strategy2ExpectedProfit(base).windows[0].probability);
    expect(halfway.windows[0].expectedProfitIfClosedFraction).toBeCloseTo(sd - base.cost, 15);
  });
});
