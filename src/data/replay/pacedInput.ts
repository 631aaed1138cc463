import type { MarketBatch, MarketInput, ReplayHandler } from './types.ts';

export interface PaceOptions {
  /** Wall clock, ms (default performance.now). */
  nowMs?: () => number;
  /** Waits ms of wall time (default setTimeout). */
  sleep?: (ms: number) => Promise<void>;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * `inner` replayed in wall time, `speed` times faster (1: real time): an event at event time t is
 * emitted once the wall clock has run (t - t0) / speed since the first event t0, never earlier.
 * Paper trading on a replay reads this input; the engine cannot tell it from a live feed.
 */
export function pacedInput(inner: MarketInput, speed: number, options: PaceOptions = {}): MarketInput {
  if (!(speed > 0) || !Number.isFinite(speed)) throw new Error(`speed must be a finite number > 0 (got ${speed})`);
  const now = options.nowMs ?? (() => performance.now());
  const sleep = options.sleep ?? realSleep;
  return {
    keys: inner.keys,
    stats: () => inner.stats(),
    async *[Symbol.asyncIterator](): AsyncGenerator<MarketBatch> {
      let firstEventMs: number | null = null;
      let wallStartMs = 0;
      for await (const batch of inner) {
        let used = false;
        while (!used) {
          const next = batch.nextTimeMs;
          if (next === Infinity) break;
          if (firstEventMs === null) {
            firstEventMs = next;
            wallStartMs = now();
          }
          const waitMs = wallStartMs + (next - firstEventMs) / speed - now();
          if (waitMs > 0) await sleep(waitMs);
          // Every event whose time the wall clock has reached, and at least the next one.
          const reachedMs = firstEventMs + (now() - wallStartMs) * speed;
          const untilMs = Math.max(Math.floor(reachedMs) + 1, next + 1);
          const slice: MarketBatch = {
            get nextTimeMs() {
              return batch.nextTimeMs < untilMs ? batch.nextTimeMs : Infinity;
            },
            emit(handler: ReplayHandler, bound = Infinity): boolean {
              used = batch.emit(handler, Math.min(bound, untilMs));
              return used || batch.nextTimeMs >= untilMs;
            },
          };
          yield slice;
        }
      }
    },
  };
}
