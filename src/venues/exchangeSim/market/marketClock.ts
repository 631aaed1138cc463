import { sleepMs } from '../../../core/retry.ts';
import { pacedInput } from '../../../data/replay/pacedInput.ts';
import { replayInput } from '../../../data/replay/replay.ts';
import type { ReplayCursor } from '../../../data/replay/types.ts';
import type { MarketSetup } from './marketSetup.ts';

export type MarketListener = (cursor: ReplayCursor) => void;

/**
 * The exchange's market time. It plays the setup's history at once (playHistory, before the server
 * opens), then the rest in wall time, `speed` times faster (pacedInput), handing every event to the
 * listeners in time order. `nowMs` is the time of the last event delivered: the exchange stamps
 * orders, fills and funding with it, as the simulated venue does.
 */
export class MarketClock {
  nowMs: number;
  ended = false;
  /** Events delivered so far. */
  events = 0;
  private readonly listeners: MarketListener[] = [];
  private readonly afterBatch: (() => void)[] = [];
  private readonly stop = new AbortController();
  private running: Promise<void> | null = null;
  private readonly handler = (cursor: ReplayCursor) => {
    this.nowMs = cursor.time;
    this.events++;
    for (const listener of this.listeners) {
      try {
        listener(cursor);
      } catch (error) {
        this.onError(error);
      }
    }
  };

  constructor(
    private readonly setup: MarketSetup,
    private readonly speed: number,
    private readonly onError: (error: unknown) => void,
  ) {
    if (!(speed > 0) || !Number.isFinite(speed)) throw new Error(`speed must be a finite number > 0 (got ${speed})`);
    this.nowMs = setup.startMs;
  }

  onEvent(listener: MarketListener): void {
    this.listeners.push(listener);
  }

  /** Called after each delivered slice of events (books are pushed then). */
  onBatch(listener: () => void): void {
    this.afterBatch.push(listener);
  }

  async playHistory(): Promise<void> {
    const input = replayInput(this.setup.sources(), { from: this.setup.startMs, to: this.setup.liveFromMs });
    for await (const batch of input) batch.emit(this.handler);
    if (this.nowMs < this.setup.liveFromMs) this.nowMs = this.setup.liveFromMs;
    this.notifyBatch();
  }

  /** Starts the paced part in the background. */
  start(): void {
    this.running ??= this.playLive().catch((error) => this.onError(error));
  }

  async close(): Promise<void> {
    this.stop.abort();
    await this.running;
  }

  private async playLive(): Promise<void> {
    const signal = this.stop.signal;
    const live = pacedInput(replayInput(this.setup.sources(), { from: this.setup.liveFromMs }), this.speed, { sleep: (ms) => sleepMs(ms, signal) });
    for await (const batch of live) {
      if (signal.aborted) return;
      batch.emit(this.handler);
      this.notifyBatch();
    }
    if (!signal.aborted) this.ended = true;
  }

  private notifyBatch(): void {
    for (const listener of this.afterBatch) {
      try {
        listener();
      } catch (error) {
        this.onError(error);
      }
    }
  }
}
