import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { HOUR_MS, MINUTE_MS } from '../src/core/time.ts';
import { replay } from '../src/data/replay/replay.ts';
import type { ReplaySource } from '../src/data/replay/types.ts';
import { syntheticMarketStream } from '../src/data/synthetic/chunks.ts';
import { FundingAccumulator, fundingFromPremium } from '../src/data/synthetic/funding.ts';
import { generateSyntheticMarket, syntheticSources, type SyntheticMarketOptions, type SyntheticSeries } from '../src/data/synthetic/market.ts';
import { Rng } from '../src/data/synthetic/rng.ts';

/** Every chunk of a source, concatenated: rows, event times and columns (first `rows` values of each chunk). */
async function collect(source: ReplaySource): Promise<{ rows: number; chunks: number; time: number[]; columns: Record<string, number[]> }> {
  const out = { rows: 0, chunks: 0, time: [] as number[], columns: {} as Record<string, number[]> };
  for await (const chunk of source.chunks) {
    out.chunks++;
    out.rows += chunk.rows;
    out.time.push(...chunk.time.subarray(0, chunk.rows));
    for (const [name, column] of Object.entries(chunk.columns)) (out.columns[name] ??= []).push(...column.subarray(0, chunk.rows));
  }
  return out;
}

const plain = (s: SyntheticSeries) => Object.fromEntries(Object.entries(s.columns).map(([name, c]) => [name, [...c]]));

/** Bit-for-bit comparison (Object.is: -0 and NaN count). */
function expectSameValues(actual: Record<string, number[]>, expected: Record<string, number[]>, what: string): void {
  expect(Object.keys(actual).sort(), what).toEqual(Object.keys(expected).sort());
  for (const name of Object.keys(expected)) {
    const a = actual[name];
    const e = expected[name];
    expect(a.length, `${what}.${name} length`).toBe(e.length);
    const bad = e.findIndex((x, i) => !Object.is(x, a[i]));
    expect(bad, `${what}.${name}: first differing row`).toBe(-1);
  }
}

const CASES: { name: string; options: Partial<SyntheticMarketOptions>; chunkRows: number }[] = [
  { name: 'defaults, one chunk', options: { seed: 7, bars: 3000 }, chunkRows: 16_384 },
  { name: 'many chunks of an odd size', options: { seed: 7, bars: 5000 }, chunkRows: 333 },
  { name: 'one bar per chunk', options: { seed: 2, bars: 1000, fundingIntervalMs: HOUR_MS }, chunkRows: 1 },
  { name: 'perp listed inside a chunk, funding every hour', options: { seed: 5, bars: 4000, perpBars: 2777, fundingIntervalMs: HOUR_MS }, chunkRows: 1000 },
  { name: 'perp listed off the funding grid, 5m bars', options: { seed: 9, bars: 2000, perpBars: 1501, barIntervalMs: 5 * MINUTE_MS, startMs: Date.UTC(2024, 0, 1, 0, 7) }, chunkRows: 128 },
  { name: 'given initial basis, drift, one step per bar', options: { seed: 1, bars: 2500, initialBasis: 0.001, gbmDriftAnnual: 0.3, stepsPerBar: 1 }, chunkRows: 640 },
];

/** SHA-256 (first 16 hex digits) of every column's bytes, series by series, columns by name. */
function fingerprint(columnsOf: Record<string, number[] | Float64Array>[]): string {
  const hash = createHash('sha256');
  for (const columns of columnsOf) {
    for (const name of Object.keys(columns).sort()) {
      hash.update(name);
      const values = Float64Array.from(columns[name]);
      hash.update(Buffer.from(values.buffer));
    }
  }
  return hash.digest('hex').slice(0, 16);
}

/** Fingerprints of generateSyntheticMarket as it was before the chunked generator (commit 568cda7): the values must never change. */
const KNOWN_MARKETS: { options: Partial<SyntheticMarketOptions>; fingerprint: string }[] = [
  { options: { seed: 7, bars: 20_000 }, fingerprint: '1517ff07e0280e1c' },
  { options: { seed: 5, bars: 4000, perpBars: 2777, fundingIntervalMs: HOUR_MS }, fingerprint: '5c33dfd39b4a6340' },
  { options: { seed: 1, bars: 2500, initialBasis: 0.001, gbmDriftAnnual: 0.3, stepsPerBar: 1 }, fingerprint: '625cb3fe2f452ee6' },
  { options: { seed: -3, bars: 3001, stepsPerBar: 3, barIntervalMs: 5 * MINUTE_MS }, fingerprint: 'ad0bc196fb0db04d' },
];

describe('synthetic market values', () => {
  for (const known of KNOWN_MARKETS) {
    it(`are those generated before the chunked generator, whole and chunked: ${JSON.stringify(known.options)}`, async () => {
      const whole = generateSyntheticMarket(known.options);
      expect(fingerprint([whole.spot.columns, whole.perp.columns, whole.funding.columns])).toBe(known.fingerprint);
      const chunked = await Promise.all(syntheticMarketStream(known.options, 1000).sources().map(collect));
      expect(fingerprint(chunked.map((c) => c.columns))).toBe(known.fingerprint);
    });
  }

  it('draws the same normals in bulk as one by one, a pending Box-Muller spare included', () => {
    const one = new Rng(99);
    const bulk = new Rng(99);
    const expected = Array.from({ length: 1001 }, () => one.normal());
    const out = new Float64Array(1001);
    bulk.fill(out, 1); // leaves a spare
    bulk.fill(out.subarray(1), 999); // uses it first, ends on a half pair
    const last = bulk.normal(); // the spare of the last pair
    expect([...out.subarray(0, 1000), last]).toEqual(expected);
    expect(one.normal()).toBe(bulk.normal());
    expect(() => bulk.fill(new Float64Array(3), 4)).toThrow(/4 draws do not fit 3 values/);
  });
});

describe('synthetic market generated chunk by chunk', () => {
  for (const c of CASES) {
    it(`gives the same series as the whole-market generator: ${c.name}`, async () => {
      const whole = generateSyntheticMarket(c.options);
      const stream = syntheticMarketStream(c.options, c.chunkRows);
      expect(stream.options).toEqual(whole.options);
      expect(stream.keys).toEqual({ spot: whole.spot.key, perp: whole.perp.key, funding: whole.funding.key, future: null });
      const [spot, perp, funding] = await Promise.all(stream.sources().map(collect));
      const [wholeSpot, wholePerp, wholeFunding] = await Promise.all(syntheticSources(whole).map(collect));
      expect([spot.rows, perp.rows, funding.rows]).toEqual([whole.spot.rows, whole.perp.rows, whole.funding.rows]);
      expect(funding.rows).toBeGreaterThan(0);
      expect(spot.chunks).toBe(Math.ceil(whole.spot.rows / c.chunkRows));
      expectSameValues(spot.columns, plain(whole.spot), 'spot');
      expectSameValues(perp.columns, plain(whole.perp), 'perp');
      expectSameValues(funding.columns, plain(whole.funding), 'funding');
      expect(spot.time).toEqual(wholeSpot.time);
      expect(perp.time).toEqual(wholePerp.time);
      expect(funding.time).toEqual(wholeFunding.time);
      const range = (s: SyntheticSeries) => (s.rows === 0 ? null : { firstTs: s.columns.ts[0], lastTs: s.columns.ts[s.rows - 1] });
      expect(stream.tsRange).toEqual({ spot: range(whole.spot), perp: range(whole.perp), funding: range(whole.funding), future: null });
    });
  }

  it('replays the same events in the same order as the in-memory market', async () => {
    const options = { seed: 3, bars: 6000, perpBars: 4000, fundingIntervalMs: 2 * HOUR_MS };
    const trace = async (sources: ReplaySource[]) => {
      const events: string[] = [];
      const stats = await replay(sources, (cursor) => {
        const values = Object.keys(cursor.columns)
          .sort()
          .map((name) => cursor.columns[name][cursor.row]);
        events.push(`${cursor.seriesIndex} ${cursor.time} ${values.join(',')}`);
      });
      return { events, stats };
    };
    const streamed = await trace(syntheticMarketStream(options, 500).sources());
    const inMemory = await trace(syntheticSources(generateSyntheticMarket(options)));
    expect(streamed.stats).toEqual(inMemory.stats);
    expect(streamed.events.length).toBe(6000 + 4000 + inMemory.stats.perSeries[2].events);
    expect(streamed.events).toEqual(inMemory.events);
  });

  it('a dated future: the spot, perp and funding are unchanged, chunked equals whole, and it converges on the mid at expiry', async () => {
    const startMs = Date.UTC(2024, 0, 1);
    const expiryMs = startMs + 2000 * MINUTE_MS + 30_000; // inside bar 2000: bars 0..1999 close at or before it
    const options = { seed: 8, bars: 3000, futureExpiryMs: expiryMs, futureBasisAnnual: 0.2 };
    const plainMarket = generateSyntheticMarket({ seed: 8, bars: 3000 });
    const withFuture = generateSyntheticMarket(options);
    for (const name of ['spot', 'perp', 'funding'] as const) expectSameValues(plain(withFuture[name]), plain(plainMarket[name]), name);
    const future = withFuture.future!;
    expect(future.key).toEqual({ table: 'bars', venue: 'synthetic', symbol: 'SYN/USDT:USDT-240102', timeframe: '1m' });
    expect(future.rows).toBe(2000);
    // Bar 0 opens at the start: mid x (1 + 0.2 x left / year + (s - mu) x 1); the perp opens at mid x (1 + s).
    const left0 = expiryMs - startMs;
    const mid0 = withFuture.spot.columns.open[0];
    const s0 = withFuture.perp.columns.open[0] / mid0 - 1;
    expect(future.columns.open[0]).toBeCloseTo(mid0 * (1 + (0.2 * left0) / (365 * 86_400_000) + (s0 - 0.0002)), 6);
    // The last bar closes at 1999 + 1 minutes, 30 s before the expiry: within 0.2 x 30 s / year (+ fading noise) of the mid.
    const lastGap = future.columns.close[1999] / withFuture.spot.columns.close[1999] - 1;
    expect(Math.abs(lastGap)).toBeLessThan(1e-6);
    const stream = syntheticMarketStream(options, 333);
    expect(stream.keys.future).toEqual(future.key);
    expect(stream.tsRange.future).toEqual({ firstTs: startMs, lastTs: startMs + 1999 * MINUTE_MS });
    const chunked = await Promise.all(stream.sources().map(collect));
    expect(chunked).toHaveLength(4);
    expectSameValues(chunked[3].columns, plain(future), 'future');
    expect(() => generateSyntheticMarket({ ...options, futureExpiryMs: startMs })).toThrow(/futureExpiryMs: must be at least one bar after startMs/);
  });

  it('starts a fresh generation for every call of sources()', async () => {
    const stream = syntheticMarketStream({ seed: 4, bars: 1500 }, 256);
    const first = await collect(stream.sources()[1]);
    const second = await collect(stream.sources()[1]);
    expect(second.rows).toBe(1500);
    expectSameValues(second.columns, first.columns, 'perp');
  });

  it('computes funding bar by bar exactly as from the whole premium path', () => {
    const premium = Float64Array.from({ length: 1000 }, (_, k) => Math.sin(k / 150) * 2e-4 + 1e-5);
    const perpClose = Float64Array.from({ length: 1000 }, (_, k) => 100 + k / 3);
    const input = { perpStartMs: Date.UTC(2024, 0, 1, 0, 13), barIntervalMs: MINUTE_MS, fundingIntervalMs: HOUR_MS, interestRatePerInterval: 1e-5, capRatePerInterval: 5e-5 };
    const whole = fundingFromPremium({ ...input, premium, perpClose });
    const acc = new FundingAccumulator(input);
    const rows: number[][] = [];
    for (let k = 0; k < premium.length; k++) {
      acc.push(premium[k], perpClose[k]);
      const taken = acc.take();
      for (let j = 0; j < taken.rows; j++) rows.push([taken.columns.ts[j], taken.columns.rate[j], taken.columns.interval_ms[j], taken.columns.mark_price[j]]);
    }
    expect(whole.rows).toBe(15); // 02:00 .. 16:00: the 00:13 listing does not cover the hour before 01:00
    expect(rows).toEqual(Array.from({ length: whole.rows }, (_, j) => [whole.columns.ts[j], whole.columns.rate[j], whole.columns.interval_ms[j], whole.columns.mark_price[j]]));
    expect(rows.some((r) => r[1] === 5e-5) && rows.some((r) => r[1] === -5e-5)).toBe(true); // the cap binds both ways
  });

  it('knows that a market too short for a settlement has no funding row', () => {
    const options = { seed: 1, bars: 100, fundingIntervalMs: 8 * HOUR_MS };
    expect(generateSyntheticMarket(options).funding.rows).toBe(0);
    expect(syntheticMarketStream(options).tsRange.funding).toBeNull();
  });

  it('rejects a chunk size that is not a positive integer, and bad options as the whole generator does', () => {
    expect(() => syntheticMarketStream({ bars: 10 }, 0)).toThrow(/chunkRows must be an integer >= 1 \(got 0\)/);
    expect(() => syntheticMarketStream({ bars: 10 }, 2.5)).toThrow(/chunkRows/);
    expect(() => syntheticMarketStream({ bars: 10, perpBars: 11 })).toThrow(/perpBars: must be at most bars \(10\) \(got 11\)/);
  });
});
