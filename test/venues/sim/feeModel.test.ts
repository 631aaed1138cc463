import { describe, expect, it } from 'vitest';
import { instrumentFromSymbol } from '../../../src/domain/instrument.ts';
import { feeAmount, feeRateFor, resolveFeeRates } from '../../../src/venues/sim/feeModel.ts';

const linear = { linear: true, contractSize: 1 };
const inverse = { linear: false, contractSize: 10 };

describe('fee model', () => {
  const inst = { ...instrumentFromSymbol('sim', 'BTC/USDT:USDT'), makerFeeRate: 0.0002, takerFeeRate: 0.0005 };

  it('takes the instrument rates; symbol overrides win; defaults fill unknown rates; unknown throws', () => {
    expect(resolveFeeRates(inst)).toEqual({ makerFeeRate: 0.0002, takerFeeRate: 0.0005 });
    expect(resolveFeeRates(inst, { bySymbol: { 'BTC/USDT:USDT': { makerFeeRate: -0.0001 } } })).toEqual({ makerFeeRate: -0.0001, takerFeeRate: 0.0005 });
    const bare = instrumentFromSymbol('sim', 'ETH/USDT:USDT');
    expect(resolveFeeRates(bare, { default: { makerFeeRate: 0.0001, takerFeeRate: 0.0004 } })).toEqual({ makerFeeRate: 0.0001, takerFeeRate: 0.0004 });
    expect(() => resolveFeeRates(bare)).toThrow(/makerFeeRate is unknown/);
    expect(() => resolveFeeRates(inst, { bySymbol: { 'BTC/USDT:USDT': { takerFeeRate: 5 } } })).toThrow(/plausible/);
  });

  it('fee = qty * price * feeRate (inverse: contracts * size / price * feeRate, in base)', () => {
    const rates = resolveFeeRates(inst);
    expect(feeAmount(linear, 2, 100.04, feeRateFor(rates, 'taker'))).toBeCloseTo(0.10004, 15);
    expect(feeAmount(linear, 1, 99.5, feeRateFor(rates, 'maker'))).toBeCloseTo(0.0199, 15);
    expect(feeAmount(inverse, 100, 50_000, 0.0005)).toBeCloseTo(0.00001, 18);
  });
});

