/**
 * The engine's notion of time. Backtests use a SimulatedClock moved by the replayed market data;
 * paper and live trading will use the WallClock. Strategies see only `nowMs` through their context.
 */
export interface Clock {
  nowMs(): number;
  /** Market data at `timeMs` has arrived (the simulated clock moves to it; the wall clock ignores it). */
  observe(timeMs: number): void;
}

export class SimulatedClock implements Clock {
  private time: number;
  constructor(startMs = Number.NEGATIVE_INFINITY) {
    this.time = startMs;
  }
  nowMs(): number {
    return this.time;
  }
  observe(timeMs: number): void {
    if (timeMs > this.time) this.time = timeMs;
  }
}

export class WallClock implements Clock {
  nowMs(): number {
    return Date.now();
  }
  observe(): void {}
}
