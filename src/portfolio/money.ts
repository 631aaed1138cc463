/**
 * Exact money for the ledger.
 *
 * Representation: a `Minor` is a bigint count of minor units of one asset, and every asset (BTC,
 * ETH, USDT, USD, ...) has the same minor unit, 1e-8 (a satoshi for BTC; for USD and stablecoins
 * far finer than any venue settles). Contract and base quantities use the same 1e-8 unit.
 * Why bigint and not decimal.js / big.js: it needs no dependency, addition and comparison (what a
 * ledger does most) are plain integer operations that cannot drift, `===` works, and one fixed
 * scale for every asset makes sums and database rows trivial. The only places that need more
 * than integers are products and quotients with market values, and those go through
 * `ExactDecimal` (bigint mantissa and a power-of-ten scale), multiplied exactly and rounded ONCE.
 *
 * Floats from outside (price 107194.2, quantity 0.00123, rate 0.0001) become exact decimals
 * through their shortest round-trip decimal form (Number.prototype.toString), never through float
 * multiplication: 0.1 + 0.2 is the decimal 0.30000000000000004, exactly that.
 *
 * Rounding rule, everywhere: round half to even (banker's rounding) to the minor unit, once per
 * product or quotient. 0.000000005 -> 0.00000000, 0.000000015 -> 0.00000002, -0.000000025 ->
 * -0.00000002.
 */

/** Decimal places of every asset's minor unit. */
export const MINOR_DECIMALS = 8;
/** Minor units in one unit of any asset (10^8). */
export const MINOR_PER_UNIT = 100_000_000n;

/** An amount or quantity in minor units (1e-8) of its asset. */
export type Minor = bigint;

/** value = mantissa * 10^-scale, exactly; scale >= 0. */
export interface ExactDecimal {
  readonly mantissa: bigint;
  readonly scale: number;
}

const POW10: bigint[] = [1n];
/** 10^n as a bigint (n >= 0). */
export function pow10(n: number): bigint {
  if (!Number.isInteger(n) || n < 0) throw new Error(`pow10: exponent must be a non-negative integer (got ${n})`);
  while (POW10.length <= n) POW10.push(POW10[POW10.length - 1] * 10n);
  return POW10[n];
}

const DECIMAL_TEXT_RE = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/** Parses a decimal text ('107194.2', '-1.5e-7', '.5') exactly. Throws on anything else. */
export function parseExactDecimal(text: string): ExactDecimal {
  const match = DECIMAL_TEXT_RE.exec(text.trim());
  if (!match || (match[2] === '' && (match[3] === undefined || match[3] === ''))) {
    throw new Error(`'${text}' is not a decimal number`);
  }
  const [, sign, intPart, fracPart = '', expPart] = match;
  const exponent = expPart === undefined ? 0 : Number(expPart);
  let mantissa = BigInt((intPart || '0') + fracPart);
  if (sign === '-') mantissa = -mantissa;
  let scale = fracPart.length - exponent;
  if (scale < 0) {
    mantissa *= pow10(-scale);
    scale = 0;
  }
  return { mantissa, scale };
}

/** The exact decimal of a float's shortest round-trip representation. Throws on NaN and infinities. */
export function decimalFromNumber(value: number): ExactDecimal {
  if (!Number.isFinite(value)) throw new Error(`cannot book a non-finite number (${value})`);
  if (Number.isInteger(value) && Math.abs(value) <= Number.MAX_SAFE_INTEGER) return { mantissa: BigInt(value), scale: 0 };
  const text = String(value);
  // Fast path: no exponent and at most 15 digits, so |mantissa| < 10^15 < 2^50 and value * 10^scale
  // (10^scale exact for scale <= 22) lies within a few ulps, far less than 0.5, of that integer.
  const dot = text.indexOf('.');
  if (dot > 0 && text.length <= 16 && text.indexOf('e') < 0) {
    const scale = text.length - dot - 1;
    return { mantissa: BigInt(Math.round(value * 10 ** scale)), scale };
  }
  return parseExactDecimal(text);
}

/** A decimal from a float or a decimal text. */
export function toExactDecimal(value: number | string | ExactDecimal): ExactDecimal {
  if (typeof value === 'number') return decimalFromNumber(value);
  if (typeof value === 'string') return parseExactDecimal(value);
  return value;
}

/** A minor-unit amount as an exact decimal (scale 8). */
export function decimalFromMinor(amount: Minor): ExactDecimal {
  return { mantissa: amount, scale: MINOR_DECIMALS };
}

export function negateDecimal(a: ExactDecimal): ExactDecimal {
  return { mantissa: -a.mantissa, scale: a.scale };
}

export function compareDecimal(a: ExactDecimal, b: ExactDecimal): number {
  const scale = Math.max(a.scale, b.scale);
  const x = a.mantissa * pow10(scale - a.scale);
  const y = b.mantissa * pow10(scale - b.scale);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** numerator / denominator rounded half to even to an integer. denominator must not be 0. */
export function roundHalfEven(numerator: bigint, denominator: bigint): bigint {
  if (denominator === 0n) throw new Error('division by zero');
  if (denominator < 0n) {
    numerator = -numerator;
    denominator = -denominator;
  }
  const quotient = numerator / denominator; // truncates toward zero
  const remainder = numerator % denominator; // has the sign of the numerator
  if (remainder === 0n) return quotient;
  const twice = (remainder < 0n ? -remainder : remainder) * 2n;
  if (twice > denominator || (twice === denominator && (quotient & 1n) !== 0n)) {
    return remainder < 0n ? quotient - 1n : quotient + 1n;
  }
  return quotient;
}

/** An exact decimal rounded half to even to minor units (1e-8). */
export function toMinor(value: ExactDecimal): Minor {
  if (value.scale <= MINOR_DECIMALS) return value.mantissa * pow10(MINOR_DECIMALS - value.scale);
  return roundHalfEven(value.mantissa, pow10(value.scale - MINOR_DECIMALS));
}

/** A float (or decimal text) as minor units: exact decimal first, then one half-even rounding. */
export function minorFromNumber(value: number | string): Minor {
  return toMinor(toExactDecimal(value));
}

/** The product of exact factors, rounded once (half even) to minor units. */
export function mulToMinor(...factors: ExactDecimal[]): Minor {
  let mantissa = 1n;
  let scale = 0;
  for (const f of factors) {
    mantissa *= f.mantissa;
    scale += f.scale;
  }
  return toMinor({ mantissa, scale });
}

/** (product of numerators) / (product of denominators), rounded once (half even) to minor units. */
export function mulDivToMinor(numerators: ExactDecimal[], denominators: ExactDecimal[]): Minor {
  let num = 1n;
  let numScale = 0;
  for (const f of numerators) {
    num *= f.mantissa;
    numScale += f.scale;
  }
  let den = 1n;
  let denScale = 0;
  for (const f of denominators) {
    den *= f.mantissa;
    denScale += f.scale;
  }
  if (den === 0n) throw new Error('division by zero');
  // value = num 10^-numScale / (den 10^-denScale); in minor units multiply by 10^8.
  const shift = MINOR_DECIMALS + denScale - numScale;
  return shift >= 0 ? roundHalfEven(num * pow10(shift), den) : roundHalfEven(num, den * pow10(-shift));
}

/** amount * numerator / denominator, rounded half to even (pro-rata splits of a minor amount). */
export function scaleMinor(amount: Minor, numerator: bigint, denominator: bigint): Minor {
  return roundHalfEven(amount * numerator, denominator);
}

const MINOR_TEXT_RE = /^(-?)(\d+)(?:\.(\d{1,8}))?$/;

/**
 * Parses a decimal text that is exactly representable in minor units ('1000.1', '-0.00000001').
 * Strict: more than 8 decimals, exponents or stray characters throw (use minorFromNumber to round).
 */
export function parseMinor(text: string): Minor {
  const match = MINOR_TEXT_RE.exec(text);
  if (!match) throw new Error(`'${text}' is not an amount with at most ${MINOR_DECIMALS} decimals`);
  const [, sign, intPart, fracPart = ''] = match;
  const magnitude = BigInt(intPart) * MINOR_PER_UNIT + BigInt(fracPart.padEnd(MINOR_DECIMALS, '0'));
  return sign === '-' ? -magnitude : magnitude;
}

/** Minor units as a decimal text: '1000.1', '-0.00000001', '5' (trailing zeros trimmed), or all 8 decimals with { fixed: true }. */
export function formatMinor(amount: Minor, options: { fixed?: boolean } = {}): string {
  const negative = amount < 0n;
  const magnitude = negative ? -amount : amount;
  const intPart = magnitude / MINOR_PER_UNIT;
  let frac = (magnitude % MINOR_PER_UNIT).toString().padStart(MINOR_DECIMALS, '0');
  if (!options.fixed) frac = frac.replace(/0+$/, '');
  return `${negative ? '-' : ''}${intPart}${frac ? `.${frac}` : ''}`;
}

/** The float nearest to a minor amount (for display and metrics; never fed back into the ledger). */
export function minorToNumber(amount: Minor): number {
  return Number(formatMinor(amount));
}

/** An exact decimal as text, without exponent ('0.30000000000000004'). */
export function formatDecimal(value: ExactDecimal): string {
  const negative = value.mantissa < 0n;
  const digits = (negative ? -value.mantissa : value.mantissa).toString().padStart(value.scale + 1, '0');
  const intPart = digits.slice(0, digits.length - value.scale);
  const frac = digits.slice(digits.length - value.scale).replace(/0+$/, '');
  return `${negative ? '-' : ''}${intPart}${frac ? `.${frac}` : ''}`;
}

/** numerator / denominator as the nearest float (via an 18-decimal exact quotient; for display values such as average prices). */
export function ratioToNumber(numerator: bigint, denominator: bigint): number {
  return Number(formatDecimal({ mantissa: roundHalfEven(numerator * pow10(18), denominator), scale: 18 }));
}

export function absMinor(amount: Minor): Minor {
  return amount < 0n ? -amount : amount;
}

