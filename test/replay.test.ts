import { describe, expect, it } from 'vitest';
import { InputError } from '../src/core/errors.ts';
import { replay, replayEvents } from '../src/data/replay/replay.ts';
import { eventTimesFor, sourceFromColumns } from '../src/data/replay/sources.ts';
import type { ReplayCursor, ReplaySource, SeriesChunk } from '../src/data/replay/types.ts';
import { Rng } from '../src/data/synthetic/rng.ts';
import type { SeriesKey } from '../src/domain/series.ts';

const tradesKey = (symbol: string): SeriesKey => ({ table: 'trades', venue: 'x', symbol, timeframe: null });

interface RandomSeries {
  times: number[];
  chunks: SeriesChunk[];
}

/** Random non-decreasing times with many ties, cut at random places (empty chunks included). */
function randomSeries(rng: Rng, seriesIndex: number): RandomSeries {
  const rows = rng.uniform() < 0.15 ? 0 : Math.floor(rng.uniform() ** 2 * 300);
  const times: number[] = [];
  let t = Math.floor(rng.uniform() * 50);
  for (let r = 0; r < rows; r++) {
    t += rng.uniform() < 0.4 ? 0 : Math.floor(rng.uniform() * 5);
    times.push(t);
  }
  const chunks: SeriesChunk[] = [];
  let start = 0;
  while (start < rows || (rows === 0 && chunks.length === 0)) {
    const size = rng.uniform() < 0.1 ? 0 : 1 + Math.floor(rng.uniform() * 60);
    const end = Math.min(rows, start + size);
    const id = new Float64Array(end - start).map((_, k) => seriesIndex * 1e6 + start + k);
    chunks.push({ rows: end - start, time: Float64Array.from(times.slice(start, end)), columns: { id } });
    start = end;
    if (rows === 0) break;
  }
  return { times, chunks };
}

const asSources = (series: RandomSeries[]): ReplaySource[] => series.map((s, i) => ({ key: tradesKey(`S${i}/USDT`), chunks: s.chunks }));

/** The reference: every row, sorted by (time, series index, row). */
function naiveMerge(series: RandomSeries[], from = -Infinity, to = Infinity): number[][] {
  const all: number[][] = [];
  series.forEach((s, i) => s.times.forEach((t, r) => all.push([t, i, r])));
  all.sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
  return all.filter(([t]) => t >= from && t < to);
}

describe('replay', () => {
  it('merges like a naive stable sort, for 0 to 20 series, chunk boundaries, ties and bounds', async () => {
    const rng = new Rng(7);
    for (let trial = 0; trial < 300; trial++) {
      const k = trial % 21;
      const series = Array.from({ length: k }, (_, i) => randomSeries(rng, i));
      const bounded = trial % 3 === 0;
      const from = bounded ? Math.floor(rng.uniform() * 100) : undefined;
      const to = bounded ? (from ?? 0) + Math.floor(rng.uniform() * 400) : undefined;
      const expected = naiveMerge(series, from, to);

      const seen: number[][] = [];
      const stats = await replay(asSources(series), (c) => seen.push([c.time, c.seriesIndex, c.columns.id[c.row] - c.seriesIndex * 1e6]), { from, to });
      expect(seen).toEqual(expected);
      expect(stats.events).toBe(expected.length);
      expect(stats.firstTime).toBe(expected.length ? expected[0][0] : null);
      expect(stats.lastTime).toBe(expected.length ? expected[expected.length - 1][0] : null);
      expect(stats.perSeries.map((p) => p.events)).toEqual(series.map((_, i) => expected.filter((e) => e[1] === i).length));

      const slow: number[][] = [];
      for await (const e of replayEvents(asSources(series), { from, to })) slow.push([e.time, e.seriesIndex, e.values.id - e.seriesIndex * 1e6]);
      expect(slow).toEqual(expected);
    }
  });

  it('emits equal times in the order the series are given, and reuses one cursor per series', async () => {
    const chunk = (): SeriesChunk => ({ rows: 2, time: Float64Array.of(5, 5), columns: { v: Float64Array.of(1, 2) } });
    const order: string[] = [];
    const cursors = new Map<number, ReplayCursor>();
    const handler = (c: ReplayCursor) => {
      order.push(`${c.key.symbol}:${c.columns.v[c.row]}`);
      if (cursors.has(c.seriesIndex)) expect(cursors.get(c.seriesIndex)).toBe(c);
      cursors.set(c.seriesIndex, c);
    };
    await replay([{ key: tradesKey('A/USDT'), chunks: [chunk()] }, { key: tradesKey('B/USDT'), chunks: [chunk()] }], handler);
    expect(order).toEqual(['A/USDT:1', 'A/USDT:2', 'B/USDT:1', 'B/USDT:2']);
    order.length = 0;
    cursors.clear();
    await replay([{ key: tradesKey('B/USDT'), chunks: [chunk()] }, { key: tradesKey('A/USDT'), chunks: [chunk()] }], handler);
    expect(order).toEqual(['B/USDT:1', 'B/USDT:2', 'A/USDT:1', 'A/USDT:2']);
  });

  it('emits a bar at its close time: funding at 00:01 comes after the 00:00 bar and before the 00:01 bar', async () => {
    const barKey: SeriesKey = { table: 'bars', venue: 'x', symbol: 'BTC/USDT', timeframe: '1m' };
    const fundingKey: SeriesKey = { table: 'funding', venue: 'x', symbol: 'BTC/USDT:USDT', timeframe: null };
    const bars = sourceFromColumns(barKey, { ts: Float64Array.of(0, 60_000), close: Float64Array.of(100, 101) }, 2, 1);
    const funding = sourceFromColumns(fundingKey, { ts: Float64Array.of(60_000), rate: Float64Array.of(0.0001) }, 1);
    const seen: [string, number, number][] = [];
    await replay([funding, bars], (c) => seen.push([c.key.table, c.time, c.columns.ts[c.row]]));
    expect(seen).toEqual([
      ['funding', 60_000, 60_000],
      ['bars', 60_000, 0],
      ['bars', 120_000, 60_000],
    ]);
    const ts = Float64Array.of(0, 60_000);
    expect(Array.from(eventTimesFor(barKey, ts))).toEqual([60_000, 120_000]);
    expect(eventTimesFor(fundingKey, ts)).toBe(ts);
  });

  it('keeps [from, to) half-open and closes sources it stops reading', async () => {
    let closed = false;
    function* chunks(): Generator<SeriesChunk> {
      try {
        for (let c = 0; c < 100; c++) yield { rows: 10, time: new Float64Array(10).map((_, r) => c * 10 + r), columns: {} };
      } finally {
        closed = true;
      }
    }
    const times: number[] = [];
    const stats = await replay([{ key: tradesKey('A/USDT'), chunks: chunks() }], (c) => times.push(c.time), { from: 15, to: 42 });
    expect(times).toEqual(Array.from({ length: 27 }, (_, k) => 15 + k));
    expect(stats).toMatchObject({ events: 27, firstTime: 15, lastTime: 41 });
    expect(closed).toBe(true);
  });

  it('throws an InputError naming the series when time goes backwards, within or across chunks', async () => {
    const bad = (chunks: SeriesChunk[]) => replay([{ key: tradesKey('OK/USDT'), chunks: [] }, { key: tradesKey('BAD/USDT'), chunks }], () => {});
    const within = { rows: 3, time: Float64Array.of(1, 3, 2), columns: {} };
    await expect(bad([within])).rejects.toThrow(InputError);
    await expect(bad([within])).rejects.toThrow(/trades\/x\/BAD\/USDT: event time goes backwards: 2 \(.*\) after 3 \(.*\) \(chunk 0 row 2\)/);
    const across = [
      { rows: 2, time: Float64Array.of(1, 5), columns: {} },
      { rows: 1, time: Float64Array.of(4), columns: {} },
    ];
    await expect(bad(across)).rejects.toThrow(/trades\/x\/BAD\/USDT: event time goes backwards: 4 .* after 5 .*first row of chunk 1/);
    await expect(bad([{ rows: 1, time: Float64Array.of(Number.NaN), columns: {} }])).rejects.toThrow(/BAD\/USDT: event time is NaN/);
    await expect(bad([{ rows: 3, time: Float64Array.of(1, 2), columns: {} }])).rejects.toThrow(/BAD\/USDT: chunk 0: rows 3/);
    await expect(bad([{ rows: 2, time: Float64Array.of(1, 2), columns: { close: Float64Array.of(1) } }])).rejects.toThrow(/column close has 1 values for 2 rows/);
  });

  it('consumes 50M generated events with bounded heap (no event is retained)', async () => {
    const chunkRows = 65_536;
    const eventsPerSeries = 25_000_000;
    async function* generated(offset: number): AsyncGenerator<SeriesChunk> {
      for (let start = 0; start < eventsPerSeries; start += chunkRows) {
        const rows = Math.min(chunkRows, eventsPerSeries - start);
        const time = new Float64Array(rows);
        for (let r = 0; r < rows; r++) time[r] = (start + r) * 2 + offset;
        yield { rows, time, columns: { price: time } };
      }
    }
    const baseline = process.memoryUsage().heapUsed;
    let peak = baseline;
    let sum = 0;
    const stats = await replay(
      [
        { key: tradesKey('A/USDT'), chunks: generated(0) },
        { key: tradesKey('B/USDT'), chunks: generated(1) },
      ],
      (c) => {
        sum += c.columns.price[c.row];
      },
      { onProgress: () => (peak = Math.max(peak, process.memoryUsage().heapUsed)) },
    );
    expect(stats.events).toBe(50_000_000);
    expect(stats.lastTime).toBe(49_999_999);
    expect(sum).toBe((49_999_999 * 50_000_000) / 2);
    expect(peak - baseline).toBeLessThan(100 * 1024 * 1024);
  });
});
