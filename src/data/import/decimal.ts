/** A plain decimal number as exchanges and CSV files write it: '30218.8', '-1.6e-05', '.5'. */
export const DECIMAL_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** The number a strict decimal string holds; NaN for anything else (validation then rejects the row). */
export function parseDecimal(text: string): number {
  return DECIMAL_RE.test(text) ? Number(text) : Number.NaN;
}

const DECIMAL_PARTS_RE = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/** A strict decimal string as an exact bigint mantissa and power-of-ten exponent; null for anything else. */
function exactParts(text: string): { mantissa: bigint; exponent: number } | null {
  if (!DECIMAL_RE.test(text)) return null;
  const [, sign, whole, fraction = '', exp] = DECIMAL_PARTS_RE.exec(text)!;
  const digits = BigInt(`${whole}${fraction}` || '0');
  return { mantissa: sign === '-' ? -digits : digits, exponent: (exp === undefined ? 0 : Number(exp)) - fraction.length };
}

/**
 * The product of two decimal strings ('327.1' x '0.01'), multiplied exactly and rounded once to
 * the nearest double (3.271, where 327.1 * 0.01 in floats is 3.2710000000000004); NaN when either
 * is not a strict decimal. A number is taken through its shortest round-trip form (0.01 -> '0.01').
 */
export function multiplyDecimals(a: string | number, b: string | number): number {
  const x = exactParts(typeof a === 'number' ? String(a) : a);
  const y = exactParts(typeof b === 'number' ? String(b) : b);
  if (x === null || y === null) return Number.NaN;
  return Number(`${x.mantissa * y.mantissa}e${x.exponent + y.exponent}`);
}
