import type { MarketBatch, MarketInput } from './types.ts';

/**
 * `inner` until `signal` aborts: then the input ends (cleanly, as if the data ended), so a session
 * stopped by Ctrl-C still finishes with its results. A replay is CPU work chained by promises that
 * are already resolved, so between batches this yields to the event loop at least every
 * `yieldEveryMs`: otherwise the signal's handler would wait for the whole replay.
 */
export function stoppableInput(inner: MarketInput, signal: AbortSignal, yieldEveryMs = 20): MarketInput {
  return {
    keys: inner.keys,
    stats: () => inner.stats(),
    async *[Symbol.asyncIterator](): AsyncGenerator<MarketBatch> {
      let lastYieldMs = performance.now();
      for await (const batch of inner) {
        if (performance.now() - lastYieldMs >= yieldEveryMs) {
          await new Promise<void>((resolve) => setImmediate(resolve));
          lastYieldMs = performance.now();
        }
        if (signal.aborted) return;
        yield batch;
      }
    },
  };
}
