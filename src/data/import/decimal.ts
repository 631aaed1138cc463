/** A plain decimal number as exchanges and CSV files write it: '30218.8', '-1.6e-05', '.5'. */
export const DECIMAL_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** The number a strict decimal string holds; NaN for anything else (validation then rejects the row). */
export function parseDecimal(text: string): number {
  return DECIMAL_RE.test(text) ? Number(text) : Number.NaN;
}
