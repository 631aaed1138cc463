/**
 * The one retry and backoff of every network path: venue calls, downloads, book streams, the
 * recorder's polls and the live scanner's venue retries.
 */

export interface BackoffPolicy {
  initialDelayMs: number;
  maxDelayMs: number;
  /** 0..1: each delay is shortened by up to this fraction at random, so many clients do not retry in step. */
  jitterFraction: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialDelayMs: 250, maxDelayMs: 30_000, jitterFraction: 0.2 };

/** Delay before retry number `attempt` (1-based): initial * 2^(attempt-1), capped, minus jitter. */
export function backoffDelayMs(attempt: number, policy: BackoffPolicy = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const exponent = Math.max(0, attempt - 1);
  const raw = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.min(exponent, 30));
  return Math.round(raw * (1 - policy.jitterFraction * random()));
}

/** Resolves after `ms`, or at once when the signal aborts. */
export function sleepMs(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

export interface RetryPolicy {
  /** Further attempts after a retryable failure. */
  retries: number;
  backoff: BackoffPolicy;
  signal?: AbortSignal;
}

/**
 * Runs `attempt`, retrying the failures `retryable` accepts after exponential backoff; other
 * errors, and the last failure, are thrown.
 */
export async function withRetries<T>(policy: RetryPolicy, attempt: () => Promise<T>, retryable: (error: unknown) => boolean): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      if (!retryable(error) || n > policy.retries || policy.signal?.aborted) throw error;
      await sleepMs(backoffDelayMs(n, policy.backoff), policy.signal);
    }
  }
}
