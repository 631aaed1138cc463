import { z } from 'zod';

/**
 * The allowed range of one numeric config field, with its unit and the reason for its bounds. Every
 * number of every config schema is built with `numberIn` (test/config/schemaBounds.test.ts walks
 * the schemas and fails on a number without a range), and docs/config-reference.md lists them.
 */
export interface NumberRange {
  min: number;
  max: number;
  /** The minimum itself is not allowed (a notional must be > 0). */
  minExclusive?: boolean;
  integer?: boolean;
  /** Shown after the range: 'days', 'USD', 'bps', 'ms', 'fraction', ... ('' for a plain count). */
  unit: string;
  /** Why these bounds. */
  why: string;
}

/** Every number schema made by numberIn, with its range (read by the schema walker and the reference doc). */
export const configRanges = z.registry<NumberRange>();

const SAFE = Number.MAX_SAFE_INTEGER;

/** A bound as people write it: 3650, 0.000694444, 1e9, -(2^53-1); other integers exactly (timestamps). */
export function formatBound(x: number): string {
  if (x === SAFE) return '2^53-1';
  if (x === -SAFE) return '-(2^53-1)';
  if (Number.isInteger(x)) {
    const exp = Math.floor(Math.log10(Math.abs(x)));
    return exp >= 7 && x === Math.sign(x) * 10 ** exp ? `${x < 0 ? '-' : ''}1e${exp}` : String(x);
  }
  return String(Number(x.toPrecision(6))).replace('e+', 'e');
}

/** '[1, 200] x', '(0, 1e9] USD'. */
export function rangeInterval(range: NumberRange): string {
  const interval = `${range.minExclusive ? '(' : '['}${formatBound(range.min)}, ${formatBound(range.max)}]`;
  return range.unit ? `${interval} ${range.unit}` : interval;
}

/** 'a number in [1, 200] x', 'an integer in [0, 60000] ms'. */
export function rangeText(range: NumberRange): string {
  return `${range.integer ? 'an integer' : 'a number'} in ${rangeInterval(range)}`;
}

/** A zod number limited to `range` (an integer when range.integer); every violation says the range. */
export function numberIn(range: NumberRange): z.ZodNumber {
  if (!(range.max > range.min) && !(range.max === range.min && !range.minExclusive)) throw new Error(`numberIn: empty range ${rangeInterval(range)}`);
  const text = rangeText(range);
  const error = `must be ${text}`;
  let schema = z.number({ error: (issue) => (issue.input === undefined ? `required: ${text}` : error) });
  if (range.integer) schema = schema.int({ error });
  schema = range.minExclusive ? schema.gt(range.min, { error }) : schema.min(range.min, { error });
  schema = schema.max(range.max, { error });
  schema.register(configRanges, range);
  return schema;
}

/** For settings validated without zod (simulated venue): the problem with `value`, or null when it is in range. */
export function rangeProblem(name: string, value: unknown, range: NumberRange): string | null {
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (!range.integer || Number.isInteger(value)) &&
    (range.minExclusive ? value > range.min : value >= range.min) &&
    value <= range.max;
  return ok ? null : `${name} must be ${rangeText(range)} (got ${typeof value === 'number' ? formatBound(value) : JSON.stringify(value)})`;
}
