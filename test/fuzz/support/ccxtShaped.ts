import fc from 'fast-check';
import { weirdNumber, weirdValue } from './weirdValues.ts';

/**
 * ccxt structures as an odd venue answer leaves them: a good structure with some fields replaced by
 * any value (undefined, NaN, strings, objects, extremes), some deleted and some numbers scaled.
 * ccxt passes venue values through with little checking, so the mappers see all of these.
 */
const KEEP = Symbol('keep');
const DELETE = Symbol('delete');

type FieldEdit = typeof KEEP | typeof DELETE | { value: unknown } | { scale: number };

const fieldEdit: fc.Arbitrary<FieldEdit> = fc.oneof(
  { weight: 8, arbitrary: fc.constant(KEEP) },
  { weight: 2, arbitrary: weirdValue.map((value) => ({ value })) },
  { weight: 1, arbitrary: fc.constant(DELETE) },
  { weight: 1, arbitrary: fc.constantFrom(0, -1, 1e-3, 1e3, 1e12, 1.0000001).map((scale) => ({ scale })) },
);

function edited(template: Record<string, unknown>, edits: Record<string, FieldEdit>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(template)) {
    const edit = edits[key];
    if (edit === DELETE) continue;
    if (edit === KEEP) out[key] = value;
    else if ('value' in edit) out[key] = edit.value;
    else out[key] = typeof value === 'number' ? value * edit.scale : value;
  }
  return out;
}

/** Odd versions of `template` (its own fields only: ccxt always gives the same keys). */
export function ccxtShaped<T extends Record<string, unknown>>(label: string, template: T): fc.Arbitrary<T> {
  const edits = fc.record(Object.fromEntries(Object.keys(template).map((key) => [key, fieldEdit])) as Record<string, fc.Arbitrary<FieldEdit>>);
  return edits.map((e) => {
    const value = edited(template, e);
    // Printed without the printing method itself (a spread would copy that symbol key, and print it again, forever).
    return Object.assign(value, { [fc.toStringMethod]: () => `${label} ${fc.stringify(Object.fromEntries(Object.entries(value)))}` }) as unknown as T;
  });
}

/** Book levels as ccxt gives them ([price, size] lists, best first), then oddly edited: any value at any level, sides unsorted, levels short. */
export function ccxtLevels(best: number, step: number, count: number): fc.Arbitrary<unknown[]> {
  const good = Array.from({ length: count }, (_, i) => [best + i * step, 1 + i]);
  const oddLevel: fc.Arbitrary<unknown> = fc.oneof(
    // One odd number beside a good one: the other check passes and this one has to be looked at.
    { weight: 3, arbitrary: fc.nat(count - 1).chain((i) => fc.tuple(fc.constant(good[i][0]), weirdNumber)) },
    { weight: 1, arbitrary: fc.nat(count - 1).chain((i) => fc.tuple(weirdNumber, fc.constant(good[i][1]))) },
    { weight: 1, arbitrary: fc.tuple(weirdValue, weirdValue) },
    { weight: 1, arbitrary: weirdValue },
    { weight: 1, arbitrary: fc.array(weirdValue, { maxLength: 3 }) },
  );
  // The good side with one or two levels replaced, so the rest still reads.
  const edited = fc.array(fc.tuple(fc.nat(count - 1), oddLevel), { minLength: 1, maxLength: 2 }).map((edits) => {
    const levels: unknown[] = good.map((l) => [...l]);
    for (const [i, level] of edits) levels[i] = level;
    return levels;
  });
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant(good) },
    { weight: 5, arbitrary: edited },
    { weight: 1, arbitrary: fc.array(oddLevel, { maxLength: 6 }) },
    { weight: 1, arbitrary: weirdValue.map((v) => v as unknown[]) },
  );
}
