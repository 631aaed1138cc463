import { describe, expect, it } from 'vitest';
import { pacedInput } from '../src/data/replay/pacedInput.ts';
import { replayInput } from '../src/data/replay/replay.ts';
import { sourceFromColumns } from '../src/data/replay/sources.ts';

const T0 = Date.UTC(2025, 0, 1);

function funding(times: number[]) {
  const ts = Float64Array.from(times);
  return sourceFromColumns({ table: 'funding', venue: 'sim', symbol: 'BTC/USDT:USDT', timeframe: null }, { ts, rate: ts.map(() => 0.0001), interval_ms: ts.map(() => 8 * 3_600_000), mark_price: ts.map(() => Number.NaN) }, times.length);
}

describe('pacedInput (a replay in wall time, --speed N)', () => {
  it('emits each event once the wall clock reached (t - t0) / speed, never earlier, all of them in order', async () => {
    // A fake wall clock: sleeping moves it.
    let wallMs = 1_000;
    const sleeps: number[] = [];
    const input = pacedInput(replayInput([funding([T0, T0 + 10_000, T0 + 10_000, T0 + 60_000])]), 10, {
      nowMs: () => wallMs,
      sleep: async (ms) => {
        sleeps.push(ms);
        wallMs += ms;
      },
    });
    const seen: { eventMs: number; wallMs: number }[] = [];
    for await (const batch of input) batch.emit((cursor) => seen.push({ eventMs: cursor.time - T0, wallMs: wallMs - 1_000 }));
    // Speed 10: 10 s of market time is 1 s of wall time; both events at +10 s come together.
    expect(seen).toEqual([
      { eventMs: 0, wallMs: 0 },
      { eventMs: 10_000, wallMs: 1_000 },
      { eventMs: 10_000, wallMs: 1_000 },
      { eventMs: 60_000, wallMs: 6_000 },
    ]);
    expect(sleeps).toEqual([1_000, 5_000]);
    expect(input.stats().events).toBe(4);
  });

  it('on a real clock at speed 1000, 2 s of events take about 2 ms, in order', async () => {
    const times = Array.from({ length: 21 }, (_, k) => T0 + k * 100);
    const started = performance.now();
    const seen: number[] = [];
    for await (const batch of pacedInput(replayInput([funding(times)]), 1_000)) batch.emit((cursor) => seen.push(cursor.time));
    expect(seen).toEqual(times);
    expect(performance.now() - started).toBeGreaterThanOrEqual(1.9);
  });

  it('refuses a speed that is not a positive finite number', () => {
    for (const speed of [0, -1, Number.NaN, Infinity]) expect(() => pacedInput(replayInput([]), speed)).toThrow(/speed must be/);
  });
});
