import type { ReplaySource, SeriesChunk } from '../data/replay/types.ts';

/** A run stopped on request (Ctrl-C): the work done so far is consistent, the rest was not done. */
export class RunInterruptedError extends Error {
  constructor(reason: string) {
    super(`interrupted (${reason})`);
    this.name = 'RunInterruptedError';
  }
}

/**
 * A replay is CPU work chained by promises that are already resolved, so a signal handler (a
 * macrotask) would wait for the whole run. Between chunks this yields to the event loop at least
 * every `yieldEveryMs`, and stops with a RunInterruptedError once `signal` is aborted.
 */
export function interruptibleSources(sources: readonly ReplaySource[], signal: AbortSignal, yieldEveryMs = 20): ReplaySource[] {
  let lastYield = performance.now();
  const checkpoint = async () => {
    if (performance.now() - lastYield >= yieldEveryMs) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      lastYield = performance.now();
    }
    if (signal.aborted) throw new RunInterruptedError(String(signal.reason ?? 'aborted'));
  };
  return sources.map((source) => {
    async function* chunks(): AsyncGenerator<SeriesChunk> {
      for await (const chunk of source.chunks) {
        await checkpoint();
        yield chunk;
      }
    }
    return { key: source.key, chunks: chunks() };
  });
}
