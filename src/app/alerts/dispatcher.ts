import { backoffDelayMs, sleepMs, type BackoffPolicy } from '../../core/retry.ts';
import { type Alert, type AlertChannel, AlertDeliveryError } from './alert.ts';

export interface AlertDispatcherOptions {
  /** The same alert key within this window (wall ms) is sent once (default 10 minutes). */
  dedupeMs?: number;
  /** At most this many alerts per channel per minute; beyond it they are dropped and counted (default 20). */
  maxPerMinute?: number;
  /** Further attempts after a retryable failure (default 3). */
  retries?: number;
  backoff?: BackoffPolicy;
  /** Alerts waiting per channel beyond which the oldest is dropped (default 100). */
  maxQueue?: number;
  /** Where deliveries, retries and failures are logged (one line each; never a token). */
  log: (line: string) => void;
  now?: () => number;
}

export interface AlertStats {
  sent: number;
  failed: number;
  retries: number;
  deduplicated: number;
  rateLimited: number;
  queueDropped: number;
}

interface ChannelState {
  channel: AlertChannel;
  queue: Alert[];
  sentAt: number[];
  running: Promise<void> | null;
  limitedLogged: number;
}

/**
 * Delivers alerts to channels without ever blocking the caller: notify() deduplicates, rate limits
 * and queues, then returns; each channel sends its queue in order on its own promise chain, retrying
 * retryable failures with backoff, logging every retry and failure.
 */
export class AlertDispatcher {
  readonly stats: AlertStats = { sent: 0, failed: 0, retries: 0, deduplicated: 0, rateLimited: 0, queueDropped: 0 };
  private readonly channels: ChannelState[];
  private readonly seen = new Map<string, number>();
  private readonly abort = new AbortController();
  private readonly opts: Required<Omit<AlertDispatcherOptions, 'log' | 'now'>>;
  private readonly log: (line: string) => void;
  private readonly now: () => number;

  constructor(channels: readonly AlertChannel[], options: AlertDispatcherOptions) {
    this.channels = channels.map((channel) => ({ channel, queue: [], sentAt: [], running: null, limitedLogged: 0 }));
    this.opts = {
      dedupeMs: options.dedupeMs ?? 10 * 60_000,
      maxPerMinute: options.maxPerMinute ?? 20,
      retries: options.retries ?? 3,
      backoff: options.backoff ?? { initialDelayMs: 1000, maxDelayMs: 30_000, jitterFraction: 0.2 },
      maxQueue: options.maxQueue ?? 100,
    };
    this.log = options.log;
    this.now = options.now ?? Date.now;
  }

  get channelNames(): string[] {
    return this.channels.map((c) => c.channel.name);
  }

  /** Queues the alert on every channel (or drops it as a duplicate or over the rate); never throws, never waits. */
  notify(alert: Alert): void {
    const now = this.now();
    const last = this.seen.get(alert.key);
    if (last !== undefined && now - last < this.opts.dedupeMs) {
      this.stats.deduplicated++;
      return;
    }
    this.seen.set(alert.key, now);
    if (this.seen.size > 10_000) for (const [k, t] of this.seen) if (now - t >= this.opts.dedupeMs) this.seen.delete(k);
    for (const state of this.channels) {
      while (state.sentAt.length > 0 && now - state.sentAt[0] >= 60_000) state.sentAt.shift();
      if (state.sentAt.length >= this.opts.maxPerMinute) {
        this.stats.rateLimited++;
        if (now - state.limitedLogged >= 60_000) {
          state.limitedLogged = now;
          this.log(`alerts: ${state.channel.name}: more than ${this.opts.maxPerMinute} alerts a minute, dropping (${alert.kind}: ${alert.text})`);
        }
        continue;
      }
      state.sentAt.push(now);
      state.queue.push(alert);
      if (state.queue.length > this.opts.maxQueue) {
        const dropped = state.queue.shift()!;
        this.stats.queueDropped++;
        this.log(`alerts: ${state.channel.name}: queue full, dropped ${dropped.kind} (${dropped.key})`);
      }
      if (state.running === null) state.running = this.drain(state);
    }
  }

  /** Resolves when every queue is empty (tests, and before exiting). */
  async idle(): Promise<void> {
    while (this.channels.some((c) => c.running !== null)) await Promise.all(this.channels.map((c) => c.running));
  }

  /** Stops retrying and sending (what is queued is dropped). */
  close(): void {
    this.abort.abort();
    for (const c of this.channels) c.queue.length = 0;
  }

  private async drain(state: ChannelState): Promise<void> {
    // Starts on a later tick: notify() returns before any network work.
    await Promise.resolve();
    try {
      while (state.queue.length > 0 && !this.abort.signal.aborted) await this.deliver(state.channel, state.queue.shift()!);
    } finally {
      state.running = null;
    }
  }

  private async deliver(channel: AlertChannel, alert: Alert): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await channel.send(alert, this.abort.signal);
        this.stats.sent++;
        return;
      } catch (error) {
        const retryable = error instanceof AlertDeliveryError ? error.retryable : true;
        const message = error instanceof Error ? error.message : String(error);
        if (!retryable || attempt > this.opts.retries || this.abort.signal.aborted) {
          this.stats.failed++;
          this.log(`alerts: ${channel.name}: ${alert.kind} (${alert.key}) not delivered after ${attempt} attempt${attempt === 1 ? '' : 's'}: ${message}`);
          return;
        }
        const delay = Math.max(backoffDelayMs(attempt, this.opts.backoff), error instanceof AlertDeliveryError && error.retryAfterMs !== null ? error.retryAfterMs : 0);
        this.stats.retries++;
        this.log(`alerts: ${channel.name}: ${alert.kind} attempt ${attempt} failed (${message}); retrying in ${delay} ms`);
        await sleepMs(delay, this.abort.signal);
      }
    }
  }
}
