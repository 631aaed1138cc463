import { BAR_TABLES, type SeriesKey } from '../../domain/series.ts';
import { replay } from './replay.ts';
import { eventTimesFor } from './sources.ts';
import type { ReplayCursor, ReplaySource, SeriesChunk } from './types.ts';

/** A series to benchmark: its columns (with `ts`) and the column the handler reads. */
export interface BenchSeries {
  key: SeriesKey;
  rows: number;
  columns: Record<string, Float64Array>;
  /** Default: close for bars, rate for funding, price for trades, bid for quotes. */
  valueColumn?: string;
}

/** Sources are single-use: the builder makes fresh ones replaying the series `repeats` times. */
export type BenchSourcesBuilder = (repeats: number) => ReplaySource[];

export interface ReplayBenchResult {
  series: number;
  eventsPerRepeat: number;
  replayRepeats: number;
  replayEvents: number;
  replaySeconds: number;
  replayEventsPerSec: number;
  bareLoopRepeats: number;
  bareLoopEvents: number;
  bareLoopSeconds: number;
  bareLoopEventsPerSec: number;
  /** Sums of the values read, returned so neither loop can be optimised away. */
  replaySum: number;
  bareLoopSum: number;
}

function defaultValueColumn(key: SeriesKey): string {
  if (BAR_TABLES.has(key.table)) return key.table === 'quote_bars' ? 'bid_close' : 'close';
  return { funding: 'rate', trades: 'price', quotes: 'bid' }[key.table as string] ?? 'ts';
}

/**
 * Sources replaying `series` `repeats` times, each repeat shifted later by the whole span so time
 * keeps increasing; chunks of `chunkRows` (default: 30 days of 1m bars, like the store's monthly
 * files) carry one column, `value`.
 */
export function repeatedSources(series: readonly BenchSeries[], repeats: number, chunkRows = 43_200): ReplaySource[] {
  const times = series.map((s) => eventTimesFor(s.key, s.columns.ts.subarray(0, s.rows)));
  let first = Infinity;
  let last = -Infinity;
  for (const t of times) {
    if (t.length === 0) continue;
    first = Math.min(first, t[0]);
    last = Math.max(last, t[t.length - 1]);
  }
  const shiftMs = last - first + 1;
  return series.map((s, i) => {
    const values = s.columns[s.valueColumn ?? defaultValueColumn(s.key)];
    if (!values) throw new Error(`bench series ${s.key.symbol}: no column ${s.valueColumn ?? defaultValueColumn(s.key)}`);
    function* chunks(): Generator<SeriesChunk> {
      for (let r = 0; r < repeats; r++) {
        for (let start = 0; start < s.rows; start += chunkRows) {
          const end = Math.min(s.rows, start + chunkRows);
          const time = times[i].slice(start, end);
          for (let k = 0; k < time.length; k++) time[k] += r * shiftMs;
          yield { rows: end - start, time, columns: { value: values.subarray(start, end) } };
        }
      }
    }
    return { key: s.key, chunks: chunks() };
  });
}

/** The `value` columns of one repeat, concatenated series after series (the bare loop's input). */
async function concatenatedValues(sources: ReplaySource[]): Promise<Float64Array> {
  const parts: Float64Array[] = [];
  for (const source of sources) for await (const chunk of source.chunks) parts.push(chunk.columns.value.subarray(0, chunk.rows));
  const all = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    all.set(p, offset);
    offset += p.length;
  }
  return all;
}

// One handler for every run, so the call in the merge loop always sees the same target.
let replaySum = 0;
function sumValue(c: ReplayCursor): void {
  replaySum += c.columns.value[c.row];
}

async function timeReplay(build: BenchSourcesBuilder, repeats: number, eventsPerRepeat: number): Promise<{ seconds: number; sum: number }> {
  replaySum = 0;
  const sources = build(repeats);
  const started = process.hrtime.bigint();
  const stats = await replay(sources, sumValue);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (stats.events !== eventsPerRepeat * repeats) throw new Error(`replay emitted ${stats.events} events, expected ${eventsPerRepeat * repeats}`);
  return { seconds, sum: replaySum };
}

function timeBareLoop(values: Float64Array, repeats: number): { seconds: number; sum: number } {
  const started = process.hrtime.bigint();
  let sum = 0;
  for (let r = 0; r < repeats; r++) {
    for (let i = 0; i < values.length; i++) sum += values[i];
  }
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, sum };
}

/** Grows `repeats` until one run lasts minSeconds, then keeps the fastest of `rounds` runs. */
async function measure(run: (repeats: number) => Promise<{ seconds: number; sum: number }>, repeats: number, minSeconds: number, rounds: number) {
  await run(repeats); // warm-up: lets the JIT settle before timing
  let result = await run(repeats);
  while (result.seconds < minSeconds) {
    repeats = Math.max(repeats * 2, Math.ceil((repeats * minSeconds * 1.2) / Math.max(result.seconds, 1e-6)));
    result = await run(repeats);
  }
  for (let k = 1; k < rounds; k++) {
    const again = await run(repeats);
    if (again.seconds < result.seconds) result = again;
  }
  return { repeats, ...result };
}

/**
 * Events per second of replay() with a handler that sums one column, beside a plain loop summing the
 * same values from one concatenated array, in the same process. Each is warmed up, repeated
 * (from `repeats`, growing if needed) until a run lasts at least `minSeconds`, and the fastest of
 * `rounds` runs is kept (other processes only ever slow a run down).
 */
export async function benchReplay(build: BenchSourcesBuilder, repeats = 100, minSeconds = 0.5, rounds = 3): Promise<ReplayBenchResult> {
  const values = await concatenatedValues(build(1));
  const eventsPerRepeat = values.length;
  const replayRun = await measure((n) => timeReplay(build, n, eventsPerRepeat), repeats, minSeconds, rounds);
  const bareRun = await measure(async (n) => timeBareLoop(values, n), repeats, minSeconds, rounds);
  const replayEvents = eventsPerRepeat * replayRun.repeats;
  const bareLoopEvents = eventsPerRepeat * bareRun.repeats;
  return {
    series: build(1).length,
    eventsPerRepeat,
    replayRepeats: replayRun.repeats,
    replayEvents,
    replaySeconds: replayRun.seconds,
    replayEventsPerSec: replayEvents / replayRun.seconds,
    bareLoopRepeats: bareRun.repeats,
    bareLoopEvents,
    bareLoopSeconds: bareRun.seconds,
    bareLoopEventsPerSec: bareLoopEvents / bareRun.seconds,
    replaySum: replayRun.sum,
    bareLoopSum: bareRun.sum,
  };
}
