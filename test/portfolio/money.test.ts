import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/data/synthetic/rng.ts';
import {
  compareDecimal,
  decimalFromNumber,
  formatDecimal,
  formatMinor,
  minorFromNumber,
  minorToNumber,
  mulDivToMinor,
  mulToMinor,
  parseExactDecimal,
  parseMinor,
  roundHalfEven,
  scaleMinor,
} from '../../src/portfolio/money.ts';

describe('money: exact decimals and minor units (1e-8)', () => {
  it('converts floats through their shortest decimal form, not float arithmetic', () => {
    expect(decimalFromNumber(107194.2)).toEqual({ mantissa: 1071942n, scale: 1 });
    expect(decimalFromNumber(0.00123)).toEqual({ mantissa: 123n, scale: 5 });
    expect(formatDecimal(decimalFromNumber(0.1 + 0.2))).toBe('0.30000000000000004');
    expect(decimalFromNumber(1.5e-7)).toEqual({ mantissa: 15n, scale: 8 });
    expect(decimalFromNumber(1e21)).toEqual({ mantissa: 10n ** 21n, scale: 0 });
    expect(decimalFromNumber(-2)).toEqual({ mantissa: -2n, scale: 0 });
    expect(() => decimalFromNumber(Number.NaN)).toThrow(/non-finite/);
    expect(() => decimalFromNumber(Infinity)).toThrow(/non-finite/);
  });

  it('the fast float path agrees with parsing the shortest decimal text, digit for digit', () => {
    const rng = new Rng(42);
    const samples = [9007199254740994, -9007199254740994, 1e16, 123456789012345.6, 0.1 + 0.2, 5e-324, 1.7976931348623157e308, -0.000001234];
    for (let i = 0; i < 200_000; i++) {
      const digits = 1 + Math.floor(rng.uniform() * 17);
      const magnitude = 10 ** Math.floor(rng.uniform() * 30 - 15);
      const raw = (rng.uniform() - 0.5) * magnitude;
      samples.push(i % 2 ? raw : Number(raw.toPrecision(digits)));
    }
    for (const x of samples) {
      const expected = x === 0 ? { mantissa: 0n, scale: 0 } : parseExactDecimal(String(x));
      const actual = decimalFromNumber(x);
      if (compareDecimal(actual, expected) !== 0) throw new Error(`${x}: ${formatDecimal(actual)} != ${formatDecimal(expected)}`);
    }
  });

  it('parses decimal text strictly', () => {
    expect(parseExactDecimal('-1.5e-7')).toEqual({ mantissa: -15n, scale: 8 });
    expect(parseExactDecimal('.5')).toEqual({ mantissa: 5n, scale: 1 });
    expect(parseExactDecimal('12e3')).toEqual({ mantissa: 12000n, scale: 0 });
    for (const bad of ['', '.', 'abc', '1.2.3', '1e', '0x10']) expect(() => parseExactDecimal(bad)).toThrow(/not a decimal/);
  });

  it('rounds half to even, for either sign', () => {
    expect(roundHalfEven(5n, 10n)).toBe(0n); // 0.5 -> 0
    expect(roundHalfEven(15n, 10n)).toBe(2n); // 1.5 -> 2
    expect(roundHalfEven(25n, 10n)).toBe(2n); // 2.5 -> 2
    expect(roundHalfEven(-25n, 10n)).toBe(-2n);
    expect(roundHalfEven(-35n, 10n)).toBe(-4n);
    expect(roundHalfEven(26n, 10n)).toBe(3n);
    expect(roundHalfEven(-26n, 10n)).toBe(-3n);
    expect(roundHalfEven(-24n, 10n)).toBe(-2n);
    expect(roundHalfEven(7n, -2n)).toBe(-4n); // -3.5 -> -4
    expect(minorFromNumber(0.000000005)).toBe(0n);
    expect(minorFromNumber(0.000000015)).toBe(2n);
    expect(minorFromNumber(-0.000000025)).toBe(-2n);
    expect(minorFromNumber(0.1 + 0.2)).toBe(30_000_000n);
  });

  it('multiplies exactly and rounds once', () => {
    expect(0.1 * 3).not.toBe(0.3); // the float product drifts ...
    expect(mulToMinor(decimalFromNumber(0.1), decimalFromNumber(3))).toBe(30_000_000n); // ... the exact one does not
    // 0.00123 * 107194.2 = 131.848866
    expect(mulToMinor(decimalFromNumber(0.00123), decimalFromNumber(107194.2))).toBe(13_184_886_600n);
    // * 0.000125 = 0.01648110825 -> 0.01648111 (one rounding, not two)
    expect(mulToMinor(decimalFromNumber(0.00123), decimalFromNumber(107194.2), decimalFromNumber(0.000125))).toBe(1_648_111n);
    // 1000 / 60000 = 0.0166666666... -> 0.01666667
    expect(mulDivToMinor([decimalFromNumber(1000)], [decimalFromNumber(60000)])).toBe(1_666_667n);
    expect(mulDivToMinor([decimalFromNumber(-1000)], [decimalFromNumber(60000)])).toBe(-1_666_667n);
    expect(scaleMinor(50_000_000n, 1n, 3n)).toBe(16_666_667n);
  });

  it('formats and parses minor amounts exactly', () => {
    expect(formatMinor(100_010_000_000n)).toBe('1000.1');
    expect(formatMinor(-1n)).toBe('-0.00000001');
    expect(formatMinor(500_000_000n)).toBe('5');
    expect(formatMinor(500_000_000n, { fixed: true })).toBe('5.00000000');
    expect(formatMinor(0n)).toBe('0');
    expect(parseMinor('1000.1')).toBe(100_010_000_000n);
    expect(parseMinor('-0.00000001')).toBe(-1n);
    for (const bad of ['1.000000001', '1e3', ' 1', '', '-']) expect(() => parseMinor(bad)).toThrow();
    for (const x of [0n, 1n, -1n, 123_456_789_012_345_678_901n, -99_999_999n]) expect(parseMinor(formatMinor(x))).toBe(x);
    expect(minorToNumber(13_184_886_600n)).toBe(131.848866);
  });
});
