import fc from 'fast-check';

/** 10000-01-01T00:00Z in ms: the time that once made a whole store unreadable (issue 12). */
export const YEAR_10000_MS = 253_402_300_800_000;

/**
 * Texts that break number, time and field parsing: non-finite and out-of-range numbers, unit
 * mix-ups (ms in a price column, seconds for ms), locale and Unicode digits, quotes, control
 * characters, impossible or clock-change dates.
 */
const NASTY_TEXTS = [
  '', ' ', 'NaN', 'nan', 'inf', 'Infinity', '-Infinity', '1e309', '-1e309', '-0', '0', '0.0', '1e-320', '5e-324',
  String(YEAR_10000_MS), '253402300800', '-1', '9007199254740993', '99999999999999999999999', '1700000000000', '1.7e12',
  '1e12', '1e13', '5', '-5', '0.1', '0.10000001', '0x10', '1_000', ' 1', '1 ', '"1"', '"', "'", '""', 'null', 'None',
  '\u0000', '\r', '\t', '\u001b[31m', '\u202e', '１', '٣', '1,5', '1e', '.', '-', '+', '++1', '1e+400', '1e-400',
  '2023-01-01 00:00:00', '2024-02-30 00:00:00', '2023-03-26 01:30:00', '2023-10-29 01:30:00', '2023-13-01 00:00:00',
  '10000-01-01T00:00:00Z', '0000-01-01 00:00:00', '1969-12-31T23:59:59Z', '2008-12-31T23:59:59Z', '2023-01-01T00:00:00+99:99',
  '20221213 00:00:00', '86400000', '86399999', '2023-01-01 24:00:00', 'buy', 'sell', 'SWAP', 'BTC-USDT-SWAP', 'snapshot', 'update',
];

/** Any text a field may hold, weighted towards the nasty ones. */
export const weirdText: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...NASTY_TEXTS) },
  { weight: 2, arbitrary: fc.double().map(String) },
  { weight: 1, arbitrary: fc.integer().map(String) },
  { weight: 1, arbitrary: fc.bigInt({ min: -(10n ** 25n), max: 10n ** 25n }).map(String) },
  { weight: 1, arbitrary: fc.integer({ min: -8.64e15, max: 8.64e15 }).map((ms) => new Date(ms).toISOString()) },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 8 }) },
);

/** Numbers a payload or config may carry: non-finite, signed zero, extremes, unit mix-ups. */
export const weirdNumber: fc.Arbitrary<number> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(Number.NaN, Infinity, -Infinity, -0, 0, 1, -1, 0.5, 5, 1e308, -1e308, Number.MAX_VALUE, 1e300, 5e-324, 2 ** 53 + 2, -(2 ** 53), YEAR_10000_MS, 1.7e12, 1e12, 1e9, 86_400_000, 0.1, 0.1000001, 1e-9) },
  { weight: 2, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.integer() },
);

/** A JSON-able value of any shape, small. */
export const weirdJson: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: weirdNumber.filter(Number.isFinite) },
  { weight: 3, arbitrary: weirdText },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false, [], {}, [[]], [null], ['1', '2'], { a: 1 }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
);

/** Any JS value a ccxt structure's field may hold when a venue answer is odd (undefined and non-finite numbers included). */
export const weirdValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: weirdNumber },
  { weight: 2, arbitrary: weirdText },
  { weight: 1, arbitrary: fc.constantFrom(undefined, null, true, false, [], {}, [[]], [null], [1, 2], { a: 1 }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
);
