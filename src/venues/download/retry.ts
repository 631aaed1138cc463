import { backoffDelayMs, DEFAULT_BACKOFF, sleepMs, type BackoffPolicy } from '../ccxt/backoff.ts';
import { VenueError } from '../types.ts';

export interface RetryPolicy {
  /** Further attempts after a retryable failure (rate limit, timeout, network, outage). */
  retries: number;
  backoff: BackoffPolicy;
  signal?: AbortSignal;
}

/** Runs `attempt`, retrying retryable VenueErrors after exponential backoff; other errors and the last failure are thrown. */
export async function withRetries<T>(policy: RetryPolicy, attempt: () => Promise<T>): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      const retryable = error instanceof VenueError && error.retryable;
      if (!retryable || n > policy.retries || policy.signal?.aborted) throw error;
      await sleepMs(backoffDelayMs(n, policy.backoff), policy.signal);
    }
  }
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 3, backoff: { ...DEFAULT_BACKOFF, initialDelayMs: 1_000 } };
