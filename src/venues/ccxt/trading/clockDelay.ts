import type { Clock, TimerId } from '../../../core/timers.ts';

/**
 * Waits on the injected clock (wall time in a session, a simulated clock that a test moves), so
 * every pause of the trading venue (in-flight checks, retries, polling, reconnects) is driven by the
 * same clock. `cancelAll` ends every pending wait at once (the venue closes).
 */
export class ClockDelays {
  private readonly pending = new Map<TimerId, () => void>();
  constructor(private readonly clock: Clock) {}

  wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const id = this.clock.setTimer(this.clock.nowMs() + ms, () => {
        this.pending.delete(id);
        resolve();
      });
      this.pending.set(id, resolve);
    });
  }

  /** Calls `run` after `ms`; returns the timer (cancel with cancel()). */
  after(ms: number, run: () => void): TimerId {
    const id = this.clock.setTimer(this.clock.nowMs() + ms, () => {
      this.pending.delete(id);
      run();
    });
    this.pending.set(id, () => {});
    return id;
  }

  cancel(id: TimerId): void {
    if (!this.pending.has(id)) return;
    this.clock.cancelTimer(id);
    this.pending.delete(id);
  }

  cancelAll(): void {
    for (const [id, resolve] of this.pending) {
      this.clock.cancelTimer(id);
      resolve();
    }
    this.pending.clear();
  }
}
