import { describe, expect, it } from 'vitest';
import { SeriesBuilder } from '../src/data/import/seriesBuilder.ts';
import { validateSeries } from '../src/data/import/validateSeries.ts';
import { inferIntervalMs } from '../src/data/import/fundingInterval.ts';
import {
  EARLIEST_EVENT_MS,
  eventTimeProblem,
  expiryProblem,
  fundingIntervalProblem,
  fundingRateProblem,
  markDeviationProblem,
  priceProblem,
} from '../src/domain/plausibility.ts';
import type { SeriesKey } from '../src/domain/series.ts';

const NOW_MS = Date.UTC(2025, 6, 1);
const DAY_MS = 86_400_000;
const T = Date.UTC(2025, 5, 1);

const reasons = (key: SeriesKey, rows: Record<string, unknown>[], nowMs = NOW_MS) => {
  const b = new SeriesBuilder(key, 'f');
  rows.forEach((row, k) => b.push(k + 1, row as never));
  const { data, rejections } = validateSeries(b.build(), { nowMs });
  return { kept: Array.from(data.lines), rejected: rejections.map((r) => [r.line, r.reason]) };
};

describe('the plausibility bounds', () => {
  it('event times: from 2009-01-03 to now + 1 day', () => {
    expect(eventTimeProblem('ts', EARLIEST_EVENT_MS, NOW_MS)).toBeNull();
    expect(eventTimeProblem('ts', NOW_MS + DAY_MS, NOW_MS)).toBeNull();
    expect(eventTimeProblem('ts', EARLIEST_EVENT_MS - 1, NOW_MS)).toBe('ts 2009-01-02T23:59:59.999Z is before 2009-01-03, when no crypto market existed');
    expect(eventTimeProblem('ts', NOW_MS + DAY_MS + 1, NOW_MS)).toBe('ts 2025-07-02T00:00:00.001Z is more than a day after now (2025-07-01T00:00:00.000Z)');
    // Beyond what Date can show, the number itself is named (toISOString would throw).
    expect(eventTimeProblem('ts', 1e20, NOW_MS)).toBe('ts 100000000000000000000 ms is more than a day after now (2025-07-01T00:00:00.000Z)');
    expect(eventTimeProblem('ts', Number.NaN, NOW_MS)).toBe('ts is not a finite time (NaN)');
  });

  it('expiries are contract terms: the future is fine up to 2100', () => {
    expect(expiryProblem(Date.UTC(2030, 2, 29, 8))).toBeNull();
    expect(expiryProblem(Date.UTC(2100, 0, 1, 0, 0, 0, 1))).toBe('expiry 2100-01-01T00:00:00.001Z is after 2100-01-01, beyond any contract');
    expect(expiryProblem(0)).toBe('expiry 1970-01-01T00:00:00.000Z is before 2009-01-03');
  });

  it('funding rate, interval, price and mark deviation', () => {
    expect(fundingRateProblem('rate', -0.1)).toBeNull();
    expect(fundingRateProblem('rate', 0.100001)).toBe('rate 0.100001 per interval is beyond ±0.1 (venues cap funding at a few percent)');
    expect(fundingIntervalProblem('interval_ms', 60_000)).toBeNull();
    expect(fundingIntervalProblem('interval_ms', 7 * DAY_MS)).toBeNull();
    expect(fundingIntervalProblem('interval_ms', 28_800)).toBe('interval_ms 28800 is outside 1 minute .. 7 days (60000..604800000 ms)');
    expect(priceProblem('close', 1e12)).toBeNull();
    expect(priceProblem('close', 1.7e12)).toBe("close 1700000000000 is above 1000000000000, no market's price");
    expect(markDeviationProblem(150, 100, 'index')).toBeNull();
    expect(markDeviationProblem(151, 100, 'index')).toBe('mark price 151 is 51 % away from the index price 100 (at most 50 %)');
  });
});

describe('validateSeries applies them (the clock injected)', () => {
  const bars: SeriesKey = { table: 'bars', venue: 'binance', symbol: 'BTC/USDT', timeframe: '1m' };
  const bar = (ts: number, extra: Record<string, unknown> = {}) => ({ ts, open: 100, high: 101, low: 99, close: 100, volume: 1, ...extra });

  it('times: ts and received_at out of the domain are rejected; a later clock takes what an earlier one refused', () => {
    const rows = [bar(T), bar(NOW_MS + 2 * DAY_MS), bar(T + 60_000, { received_at: 5 }), bar(T + 120_000, { received_at: T + 120_500 })];
    expect(reasons(bars, rows)).toEqual({
      kept: [1, 4],
      rejected: [
        [2, 'ts 2025-07-03T00:00:00.000Z is more than a day after now (2025-07-01T00:00:00.000Z)'],
        [3, 'received_at 1970-01-01T00:00:00.005Z is before 2009-01-03, when no crypto market existed'],
      ],
    });
    expect(reasons(bars, [bar(T), bar(NOW_MS + 2 * DAY_MS)], NOW_MS + DAY_MS).kept).toEqual([1, 2]);
  });

  it('a time Date cannot show is named, not thrown on', () => {
    expect(reasons(bars, [bar(T), bar(9e15)]).rejected).toEqual([[2, 'ts 9000000000000000 ms is more than a day after now (2025-07-01T00:00:00.000Z)']]);
  });

  it('funding: |rate| <= 0.1, interval 1 min .. 7 days, mark price a price', () => {
    const funding: SeriesKey = { table: 'funding', venue: 'okx', symbol: 'BTC/USDT:USDT', timeframe: null };
    const h8 = 8 * 3_600_000;
    const row = (k: number, rate: number, interval_ms: number | null, mark_price: number | null = null) => ({ ts: T + k * h8, rate, interval_ms, mark_price });
    expect(reasons(funding, [row(0, 0.1, h8), row(1, -5, h8), row(2, 0.0001, 0), row(3, 0.0001, 8 * DAY_MS), row(4, 0.0001, null, 2e12), row(5, -0.1, null)])).toEqual({
      kept: [1, 6],
      rejected: [
        [2, 'rate -5 per interval is beyond ±0.1 (venues cap funding at a few percent)'],
        [3, 'interval_ms 0 is outside 1 minute .. 7 days (60000..604800000 ms)'],
        [4, 'interval_ms 691200000 is outside 1 minute .. 7 days (60000..604800000 ms)'],
        [5, "mark_price 2000000000000 is above 1000000000000, no market's price"],
      ],
    });
  });

  it('books: a level price above the ceiling, a crossed or locked book; quotes: crossed rejected, locked kept', () => {
    const books: SeriesKey = { table: 'books', venue: 'okx', symbol: 'BTC/USDT', timeframe: null };
    const book = (k: number, bid: number, ask: number) => ({ ts: T + k, bid_prices: Float64Array.of(bid), bid_sizes: Float64Array.of(1), ask_prices: Float64Array.of(ask), ask_sizes: Float64Array.of(1), sequence: null });
    expect(reasons(books, [book(0, 100, 101), book(1, 100, 2e12), book(2, 101, 101)]).rejected).toEqual([
      [2, "ask_prices[0] 2000000000000 is above 1000000000000, no market's price"],
      [3, 'crossed book: best bid 101 >= best ask 101'],
    ]);
    const quotes: SeriesKey = { table: 'quotes', venue: 'ftx', symbol: 'BTC/USD', timeframe: null };
    expect(reasons(quotes, [{ ts: T, bid: 101, ask: 100 }, { ts: T + 1, bid: 100, ask: 100 }, { ts: T + 2, bid: 100, ask: 1e13 }])).toEqual({
      kept: [2],
      rejected: [
        [1, 'crossed: bid 101 > ask 100'],
        [3, "ask 10000000000000 is above 1000000000000, no market's price"],
      ],
    });
  });
});

describe('funding interval inference ignores gaps no interval can be', () => {
  it('a 30-day hole does not become the interval; only holes give none', () => {
    const h8 = 8 * 3_600_000;
    expect(inferIntervalMs([T, T + 30 * DAY_MS])).toBeNull();
    expect(inferIntervalMs([T, T + 30 * DAY_MS, T + 30 * DAY_MS + h8])).toBe(h8);
  });
});
