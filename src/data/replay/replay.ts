import { InputError } from '../../core/errors.ts';
import { isoUtc } from '../../core/time.ts';
import { seriesId, type SeriesKey } from '../../domain/series.ts';
import type { MarketBatch, MarketInput, ReplayCursor, ReplayEvent, ReplayHandler, ReplayOptions, ReplaySource, ReplayStats, SeriesChunk } from './types.ts';

/**
 * Time-ordered merge of many series (see replay()). Order: by event time; equal times by series
 * index as given in `sources` (lower first), and within one series by row. Deterministic.
 */

/** Up to this many series the next one is found by a linear scan; above it, by a binary heap. */
const LINEAR_SCAN_MAX_SERIES = 8;
const DONE = -1;
const BUDGET_SPENT = -2;
const UNTIL_REACHED = -3;
const EMPTY_COLUMNS: Record<string, Float64Array> = Object.freeze({}) as Record<string, Float64Array>;

class Cursor implements ReplayCursor {
  row = 0;
  time = 0;
  columns: Record<string, Float64Array> = EMPTY_COLUMNS;
  chunkIndex = -1;
  constructor(
    readonly seriesIndex: number,
    readonly key: SeriesKey,
    readonly seriesId: string,
  ) {}
}

type ChunkIterator = Iterator<SeriesChunk> | AsyncIterator<SeriesChunk>;

function openIterator(source: ReplaySource): ChunkIterator {
  const chunks = source.chunks as Partial<AsyncIterable<SeriesChunk> & Iterable<SeriesChunk>>;
  if (typeof chunks[Symbol.asyncIterator] === 'function') return chunks[Symbol.asyncIterator]!();
  if (typeof chunks[Symbol.iterator] === 'function') return chunks[Symbol.iterator]!();
  throw new Error(`${seriesId(source.key)}: chunks is not iterable`);
}

function timeText(ms: number): string {
  return Number.isFinite(ms) ? `${ms} (${isoUtc(ms)})` : String(ms);
}

/** First index in [0, rows) with time[i] >= bound (rows if none). */
function lowerBound(time: Float64Array, rows: number, bound: number): number {
  let lo = 0;
  let hi = rows;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (time[mid] < bound) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First row whose time is not finite or is below the previous row's (or `previous`), -1 if none. */
function firstDisorderedRow(time: Float64Array, rows: number, previous: number): number {
  for (let r = 0; r < rows; r++) {
    const t = time[r];
    if (!(t >= previous) || t - t !== 0) return r;
    previous = t;
  }
  return -1;
}

/** The merge state. The hot path is pump(), which is synchronous; chunk reads happen in refill(). */
class Merge {
  readonly count: number;
  readonly cursors: Cursor[];
  private readonly iterators: (ChunkIterator | null)[];
  /** Per series: current chunk's time column, next row, end row (exclusive), head time (Infinity when done). */
  private readonly times: Float64Array[];
  private readonly rowAt: Int32Array;
  private readonly endAt: Int32Array;
  private readonly heads: Float64Array;
  /** Set when the `to` bound was reached inside the current chunk: read no further chunks. */
  private readonly lastChunk: Uint8Array;
  private readonly lastTimeRead: Float64Array;
  private readonly chunksRead: Float64Array;
  readonly eventsPerSeries: Float64Array;
  private readonly useHeap: boolean;
  /** Binary heap of series indices ordered by (head time, index); only used for many series. */
  private readonly heap: Int32Array;
  private heapSize = 0;
  events = 0;
  firstTime = Number.NaN;
  lastTime = Number.NaN;

  constructor(
    readonly sources: readonly ReplaySource[],
    private readonly fromMs: number,
    private readonly toMs: number,
  ) {
    const n = sources.length;
    this.count = n;
    this.cursors = sources.map((s, i) => new Cursor(i, s.key, seriesId(s.key)));
    this.iterators = sources.map(openIterator);
    this.times = sources.map(() => new Float64Array(0));
    this.rowAt = new Int32Array(n);
    this.endAt = new Int32Array(n);
    this.heads = new Float64Array(n).fill(Infinity);
    this.lastChunk = new Uint8Array(n);
    this.lastTimeRead = new Float64Array(n).fill(-Infinity);
    this.chunksRead = new Float64Array(n);
    this.eventsPerSeries = new Float64Array(n);
    this.useHeap = n > LINEAR_SCAN_MAX_SERIES;
    this.heap = new Int32Array(this.useHeap ? n : 0);
  }

  async start(): Promise<void> {
    await Promise.all(this.cursors.map((_, i) => this.loadNonEmptyChunk(i)));
    if (!this.useHeap) return;
    for (let i = 0; i < this.count; i++) if (this.heads[i] !== Infinity) this.heap[this.heapSize++] = i;
    for (let k = (this.heapSize >> 1) - 1; k >= 0; k--) this.siftDown(k);
  }

  /**
   * Emits events until a series needs its next chunk (returns its index), all are done (DONE),
   * about `budget` events were emitted (BUDGET_SPENT), or the next event is at or after `untilMs`
   * (UNTIL_REACHED). Runs of one series are emitted without looking at the others again while their
   * time stays below the next other series' head (and below untilMs).
   */
  pump(handler: ReplayHandler, budget: number, untilMs = Infinity): number {
    const { heads, count: n, times, cursors, rowAt, endAt, eventsPerSeries, useHeap } = this;
    let events = 0;
    let firstTime = Number.NaN;
    let lastTime = Number.NaN;
    let status = BUDGET_SPENT;
    while (budget > 0) {
      let i = -1;
      let next = -1;
      let nextTime = Infinity;
      if (useHeap) {
        if (this.heapSize === 0) {
          status = DONE;
          break;
        }
        i = this.heap[0];
        if (this.heapSize > 1) next = this.heap[1];
        if (this.heapSize > 2 && this.less(this.heap[2], next)) next = this.heap[2];
        if (next >= 0) nextTime = heads[next];
      } else {
        let headTime = Infinity;
        for (let j = 0; j < n; j++) {
          const h = heads[j];
          if (h < headTime) {
            next = i;
            nextTime = headTime;
            i = j;
            headTime = h;
          } else if (h < nextTime) {
            next = j;
            nextTime = h;
          }
        }
        if (i < 0) {
          status = DONE;
          break;
        }
      }
      if (heads[i] >= untilMs) {
        status = UNTIL_REACHED;
        break;
      }
      const time = times[i];
      const cursor = cursors[i];
      const start = rowAt[i];
      const chunkEnd = endAt[i];
      let end = chunkEnd;
      if (end - start > budget) end = start + budget;
      let r = start;
      // Equal times: the lower series index goes first, so series i may take rows equal to nextTime
      // only when it precedes `next`.
      if (untilMs <= nextTime) {
        while (r < end && time[r] < untilMs) {
          cursor.row = r;
          cursor.time = time[r];
          handler(cursor);
          r++;
        }
      } else if (i < next) {
        while (r < end && time[r] <= nextTime) {
          cursor.row = r;
          cursor.time = time[r];
          handler(cursor);
          r++;
        }
      } else {
        while (r < end && time[r] < nextTime) {
          cursor.row = r;
          cursor.time = time[r];
          handler(cursor);
          r++;
        }
      }
      const emitted = r - start;
      if (emitted === 0) throw new Error(`replay: empty run of series ${i} (merge invariant broken)`);
      if (events === 0) firstTime = time[start];
      budget -= emitted;
      events += emitted;
      eventsPerSeries[i] += emitted;
      rowAt[i] = r;
      lastTime = time[r - 1];
      if (r === chunkEnd) {
        status = i;
        break;
      }
      heads[i] = time[r];
      if (useHeap) this.siftDown(0);
    }
    if (events > 0) {
      if (this.events === 0) this.firstTime = firstTime;
      this.events += events;
      this.lastTime = lastTime;
    }
    return status;
  }

  /** Reads the next non-empty chunk of series i (the one pump() just returned) and re-ranks it. */
  async refill(i: number): Promise<void> {
    await this.loadNonEmptyChunk(i);
    if (!this.useHeap) return;
    if (this.heads[i] === Infinity) {
      this.heap[0] = this.heap[--this.heapSize];
      if (this.heapSize > 0) this.siftDown(0);
    } else {
      this.siftDown(0);
    }
  }

  private async loadNonEmptyChunk(i: number): Promise<void> {
    this.heads[i] = Infinity;
    for (;;) {
      const iterator = this.iterators[i];
      if (iterator === null) return;
      if (this.lastChunk[i]) {
        await this.close(i);
        return;
      }
      const result = await iterator.next();
      if (result.done) {
        this.iterators[i] = null;
        return;
      }
      const chunk = result.value;
      this.checkChunk(i, chunk);
      const rows = chunk.rows;
      const begin = this.fromMs === -Infinity ? 0 : lowerBound(chunk.time, rows, this.fromMs);
      const end = this.toMs === Infinity ? rows : lowerBound(chunk.time, rows, this.toMs);
      if (end < rows) this.lastChunk[i] = 1;
      if (begin < end) {
        const cursor = this.cursors[i];
        cursor.columns = chunk.columns;
        cursor.chunkIndex = this.chunksRead[i]++;
        this.times[i] = chunk.time;
        this.rowAt[i] = begin;
        this.endAt[i] = end;
        this.heads[i] = chunk.time[begin];
        return;
      }
    }
  }

  /** Rejects chunks the merge cannot order: bad sizes, NaN times, or time going backwards. */
  private checkChunk(i: number, chunk: SeriesChunk): void {
    const id = this.cursors[i].seriesId;
    const chunkNo = this.chunksRead[i];
    const rows = chunk.rows;
    if (!Number.isInteger(rows) || rows < 0 || rows > 0x7fffffff || !(chunk.time instanceof Float64Array) || chunk.time.length < rows) {
      throw new InputError({ source: id }, `chunk ${chunkNo}: rows ${rows} does not fit its time column (length ${chunk.time?.length})`);
    }
    for (const [name, column] of Object.entries(chunk.columns)) {
      if (column.length < rows) throw new InputError({ source: id }, `chunk ${chunkNo}: column ${name} has ${column.length} values for ${rows} rows`);
    }
    const previous = this.lastTimeRead[i];
    const bad = firstDisorderedRow(chunk.time, rows, previous);
    if (bad >= 0) {
      const t = chunk.time[bad];
      const before = bad === 0 ? previous : chunk.time[bad - 1];
      const where = bad === 0 ? `first row of chunk ${chunkNo}` : `chunk ${chunkNo} row ${bad}`;
      const what = !Number.isFinite(t) ? `event time is ${t}` : `event time goes backwards: ${timeText(t)} after ${timeText(before)}`;
      throw new InputError({ source: id }, `${what} (${where}); replay never reorders or drops rows`);
    }
    if (rows > 0) this.lastTimeRead[i] = chunk.time[rows - 1];
  }

  private less(a: number, b: number): boolean {
    const ha = this.heads[a];
    const hb = this.heads[b];
    return ha < hb || (ha === hb && a < b);
  }

  private siftDown(k: number): void {
    const heap = this.heap;
    const size = this.heapSize;
    const item = heap[k];
    for (;;) {
      let child = 2 * k + 1;
      if (child >= size) break;
      if (child + 1 < size && this.less(heap[child + 1], heap[child])) child++;
      if (!this.less(heap[child], item)) break;
      heap[k] = heap[child];
      k = child;
    }
    heap[k] = item;
  }

  private async close(i: number): Promise<void> {
    const iterator = this.iterators[i];
    this.iterators[i] = null;
    await iterator?.return?.();
  }

  /** Releases every source still open (on completion, `to` reached, or error). */
  async closeAll(): Promise<void> {
    await Promise.all(this.cursors.map((_, i) => this.close(i)));
  }

  /** Event time of the next event to emit (Infinity when every series is done). */
  nextTime(): number {
    if (this.useHeap) return this.heapSize > 0 ? this.heads[this.heap[0]] : Infinity;
    let t = Infinity;
    for (let j = 0; j < this.count; j++) if (this.heads[j] < t) t = this.heads[j];
    return t;
  }

  stats(): ReplayStats {
    return {
      events: this.events,
      firstTime: this.events > 0 ? this.firstTime : null,
      lastTime: this.events > 0 ? this.lastTime : null,
      perSeries: this.cursors.map((c, i) => ({ seriesId: c.seriesId, events: this.eventsPerSeries[i] })),
    };
  }
}

/**
 * The market input of the store replay and the synthetic market: the merge of `sources` as an async
 * iterable of batches, one per chunk boundary. A batch emits its events synchronously through a
 * reused cursor (no allocation per event), so a backtest reads it at full speed while paper and
 * live inputs give the engine the same shape. Chunks whose time goes backwards (or is NaN) throw an
 * InputError naming the series. Sources are consumed: iterate the input once.
 */
export function replayInput(sources: readonly ReplaySource[], options: Omit<ReplayOptions, 'onProgress'> = {}): MarketInput {
  const merge = new Merge(sources, options.from ?? -Infinity, options.to ?? Infinity);
  let iterated = false;
  return {
    keys: sources.map((s) => s.key),
    stats: () => merge.stats(),
    async *[Symbol.asyncIterator](): AsyncGenerator<MarketBatch> {
      if (iterated) throw new Error('replayInput: the input was iterated already (its sources are consumed)');
      iterated = true;
      try {
        await merge.start();
        let status = UNTIL_REACHED;
        const batch: MarketBatch = {
          get nextTimeMs() {
            return status === DONE ? Infinity : merge.nextTime();
          },
          emit(handler: ReplayHandler, untilMs = Infinity): boolean {
            status = merge.pump(handler, Number.MAX_SAFE_INTEGER, untilMs);
            return status !== UNTIL_REACHED;
          },
        };
        for (;;) {
          status = UNTIL_REACHED;
          yield batch;
          if (status === DONE) return;
          if (status >= 0) await merge.refill(status);
          else if (merge.nextTime() === Infinity) return;
        }
      } finally {
        await merge.closeAll();
      }
    },
  };
}

/**
 * Replays `sources` in event-time order, calling `handler` once per row, and resolves with the
 * counts. Memory: one chunk per series. The handler gets a reused cursor (see ReplayCursor) and must
 * not keep it. `onProgress` runs after each chunk. Sources are consumed: replay each one at most once.
 */
export async function replay(sources: readonly ReplaySource[], handler: ReplayHandler, options: ReplayOptions = {}): Promise<ReplayStats> {
  const input = replayInput(sources, options);
  for await (const batch of input) {
    batch.emit(handler);
    options.onProgress?.(input.stats());
  }
  return input.stats();
}

/**
 * The same merge (same order, bounds and checks) as an async iterable of plain event objects. This is
 * the SLOW path: two objects per event plus an await per event; use replay() for backtests and scans.
 */
export async function* replayEvents(sources: readonly ReplaySource[], options: Omit<ReplayOptions, 'onProgress'> = {}): AsyncGenerator<ReplayEvent> {
  const merge = new Merge(sources, options.from ?? -Infinity, options.to ?? Infinity);
  const batch: ReplayEvent[] = [];
  const collect = (c: ReplayCursor): void => {
    const values: Record<string, number> = {};
    for (const name of Object.keys(c.columns)) values[name] = c.columns[name][c.row];
    batch.push({ seriesIndex: c.seriesIndex, seriesId: c.seriesId, key: c.key, time: c.time, values });
  };
  try {
    await merge.start();
    for (;;) {
      const status = merge.pump(collect, 4096);
      yield* batch;
      batch.length = 0;
      if (status === DONE) break;
      if (status !== BUDGET_SPENT) await merge.refill(status);
    }
  } finally {
    await merge.closeAll();
  }
}
