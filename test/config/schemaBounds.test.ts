import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { CONFIG_SCHEMAS } from '../../src/app/docs/configSchemas.ts';
import { numberIn, rangeText, type NumberRange } from '../../src/domain/config/range.ts';
import { configFields, type ConfigField } from '../../src/domain/config/walk.ts';

/**
 * Every config schema, walked field by field: a number without a documented range (made with
 * numberIn, with a reason), an object that accepts unknown keys, a list without a maximum length or
 * a record whose keys are not checked fails here, so a new unbounded field cannot slip in.
 */

function problemsOf(field: ConfigField): string[] {
  const problems: string[] = [];
  const at = field.path || '(root)';
  switch (field.kind) {
    case 'number': {
      const r = field.range;
      if (r === null) problems.push(`${at}: number without a documented range (build it with numberIn(RANGES.x))`);
      else {
        if (!Number.isFinite(r.min) || !Number.isFinite(r.max)) problems.push(`${at}: range ${rangeText(r)} is not finite on both sides`);
        if (!(r.min < r.max)) problems.push(`${at}: empty range ${rangeText(r)}`);
        if (r.why.trim().length < 10) problems.push(`${at}: the range has no reason`);
      }
      break;
    }
    case 'object':
      if (!field.strict) problems.push(`${at}: object accepts unknown keys (use z.strictObject)`);
      break;
    case 'list':
      if (field.maxLength === null) problems.push(`${at}: list without a maximum length`);
      break;
    case 'record':
      if (!field.strict) problems.push(`${at}: record whose keys are not checked (give the key schema a pattern)`);
      break;
  }
  return problems;
}

describe('config schemas: every field bounded and documented', () => {
  for (const entry of CONFIG_SCHEMAS) {
    it(`${entry.title} (${entry.source})`, () => {
      const fields = configFields(entry.schema);
      expect(fields.filter((f) => f.kind === 'number').length).toBeGreaterThan(0);
      expect(fields.flatMap(problemsOf)).toEqual([]);
    });
  }

  it('the walk sees the numbers inside strategy params, data.options, unions and records', () => {
    const backtest = configFields(CONFIG_SCHEMAS[0].schema).map((f) => f.path);
    expect(backtest).toEqual(
      expect.arrayContaining([
        'strategy.<type=ouBasis>.params.fitWindowPoints',
        'strategy.<type=fundingDifferential>.params.perps',
        'data.<source=synthetic>.days',
        'data.<source=synthetic>.options.gbmVolAnnual',
        'venues.*.balances.*',
        'venues.*.halfSpreadBps',
        'equitySampleMinutes',
      ]),
    );
    const sim = configFields(CONFIG_SCHEMAS[4].schema).map((f) => f.path);
    expect(sim).toEqual(expect.arrayContaining(['latency.<kind=uniform>.maxLatencyMs', 'fill.bySymbol.*.halfSpreadBps']));
  });

  it('catches what it is meant to catch', () => {
    const loose = z.object({ n: z.number(), list: z.array(z.string()), map: z.record(z.string(), numberIn({ min: 0, max: 1, unit: '', why: 'a test range' })) });
    expect(configFields(loose).flatMap(problemsOf)).toEqual([
      '(root): object accepts unknown keys (use z.strictObject)',
      'n: number without a documented range (build it with numberIn(RANGES.x))',
      'list: list without a maximum length',
      'map: record whose keys are not checked (give the key schema a pattern)',
    ]);
  });

  it('numberIn enforces its range, its integer rule and finiteness, and says the range', () => {
    const range: NumberRange = { min: 0, minExclusive: true, max: 1e9, unit: 'USD', why: 'a test range' };
    const usd = numberIn(range);
    expect(usd.parse(1e9)).toBe(1e9);
    for (const bad of [0, -1, 1e9 + 1, Number.POSITIVE_INFINITY, Number.NaN, '5']) {
      const parsed = usd.safeParse(bad);
      expect(parsed.success, String(bad)).toBe(false);
      expect(parsed.error!.issues[0].message).toBe('must be a number in (0, 1e9] USD');
    }
    const ms = numberIn({ min: 0, max: 60_000, integer: true, unit: 'ms', why: 'a test range' });
    expect(ms.safeParse(1.5).error!.issues[0].message).toBe('must be an integer in [0, 60000] ms');
    expect(ms.safeParse(undefined).error!.issues[0].message).toBe('required: an integer in [0, 60000] ms');
    expect(() => numberIn({ min: 1, max: 0, unit: '', why: 'x' })).toThrow(/empty range/);
  });
});
