/**
 * The engine's time, with timers. Backtests use the SimulatedClock, moved by the replayed market
 * data; paper and live trading use the WallClock. Leg timeouts, in-flight order checks, monitors and
 * strategies set timers through it, so they behave the same in every mode.
 */

import type { Clock, TimerCallback, TimerId } from '../core/timers.ts';

export type { Clock, TimerCallback, TimerId };

/** What the engine drives: market events move a simulated clock; a wall clock moves by itself. */
export interface EngineClock extends Clock {
  /** Market data at `timeMs` arrived. */
  observe(timeMs: number): void;
  /** The data ended at `timeMs`. */
  fireDueUntil(timeMs: number): void;
  /** Time of the earliest timer that market data must fire (Infinity: none, or the wall clock fires its own). */
  readonly nextDueMs: number;
}

interface PendingTimer {
  id: TimerId;
  atMs: number;
  callback: TimerCallback;
}

/**
 * Simulated time: market events move it (`observe`). A timer due at t fires when the market moves
 * past t, before the first event later than t (events AT t come first: they are what was known at
 * t), or at the end of the data (`fireDueUntil(lastTime)`). Timers fire in time order (ties in the
 * order they were set), each with the clock at its own time; a callback may set further timers,
 * which fire in the same pass when they are due.
 */
export class SimulatedClock implements EngineClock {
  private time: number;
  private nextId = 1;
  /** Binary heap ordered by (atMs, id). */
  private readonly heap: PendingTimer[] = [];
  private readonly cancelled = new Set<TimerId>();
  /** atMs of the earliest pending timer (Infinity when none): the engine's one comparison per event. */
  nextDueMs = Number.POSITIVE_INFINITY;

  constructor(startMs = Number.NEGATIVE_INFINITY) {
    this.time = startMs;
  }

  nowMs(): number {
    return this.time;
  }

  setTimer(atMs: number, callback: TimerCallback): TimerId {
    if (Number.isNaN(atMs)) throw new Error('setTimer: the time is NaN');
    const timer = { id: this.nextId++, atMs, callback };
    const heap = this.heap;
    heap.push(timer);
    let k = heap.length - 1;
    while (k > 0) {
      const parent = (k - 1) >> 1;
      if (!before(timer, heap[parent])) break;
      heap[k] = heap[parent];
      k = parent;
    }
    heap[k] = timer;
    this.nextDueMs = heap[0].atMs;
    return timer.id;
  }

  cancelTimer(id: TimerId): void {
    if (this.heap.some((t) => t.id === id)) this.cancelled.add(id);
  }

  /** Market data at `timeMs` arrived: first the timers due before it fire, then the clock moves to it. */
  observe(timeMs: number): void {
    if (this.nextDueMs < timeMs) this.fire((atMs) => atMs < timeMs);
    if (timeMs > this.time) this.time = timeMs;
  }

  /** The end of the data at `timeMs`: the timers due at or before it fire. */
  fireDueUntil(timeMs: number): void {
    if (this.nextDueMs <= timeMs) this.fire((atMs) => atMs <= timeMs);
    if (timeMs > this.time) this.time = timeMs;
  }

  private fire(due: (atMs: number) => boolean): void {
    const heap = this.heap;
    while (heap.length > 0 && due(heap[0].atMs)) {
      const timer = this.pop();
      if (this.cancelled.delete(timer.id)) continue;
      if (timer.atMs > this.time) this.time = timer.atMs;
      timer.callback(timer.atMs);
    }
    this.nextDueMs = heap.length > 0 ? heap[0].atMs : Number.POSITIVE_INFINITY;
  }

  private pop(): PendingTimer {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop()!;
    if (heap.length > 0) {
      let k = 0;
      for (;;) {
        let child = 2 * k + 1;
        if (child >= heap.length) break;
        if (child + 1 < heap.length && before(heap[child + 1], heap[child])) child++;
        if (!before(heap[child], last)) break;
        heap[k] = heap[child];
        k = child;
      }
      heap[k] = last;
    }
    this.nextDueMs = heap.length > 0 ? heap[0].atMs : Number.POSITIVE_INFINITY;
    return top;
  }
}

const before = (a: PendingTimer, b: PendingTimer) => a.atMs < b.atMs || (a.atMs === b.atMs && a.id < b.id);

/** Real time: timers are the event loop's (a late timer fires as soon as the loop gets to it). */
export class WallClock implements EngineClock {
  readonly nextDueMs = Number.POSITIVE_INFINITY;
  private nextId = 1;
  private readonly timers = new Map<TimerId, NodeJS.Timeout>();

  nowMs(): number {
    return Date.now();
  }

  setTimer(atMs: number, callback: TimerCallback): TimerId {
    if (Number.isNaN(atMs)) throw new Error('setTimer: the time is NaN');
    const id = this.nextId++;
    // setTimeout holds at most 2^31-1 ms (24.8 days): a later timer re-arms itself.
    const arm = () => {
      const delayMs = Math.max(0, atMs - Date.now());
      const handle = setTimeout(() => {
        if (atMs - Date.now() > 0) return arm();
        this.timers.delete(id);
        callback(atMs);
      }, Math.min(delayMs, 2 ** 31 - 1));
      this.timers.set(id, handle);
    };
    arm();
    return id;
  }

  cancelTimer(id: TimerId): void {
    const handle = this.timers.get(id);
    if (handle === undefined) return;
    clearTimeout(handle);
    this.timers.delete(id);
  }

  observe(): void {}

  fireDueUntil(): void {}

  /** Cancels every pending timer (the session ends). */
  cancelAll(): void {
    for (const handle of this.timers.values()) clearTimeout(handle);
    this.timers.clear();
  }
}
