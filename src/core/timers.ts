/**
 * Time with timers, as every layer may use it: the engine's SimulatedClock (backtests, tests) and
 * WallClock (paper and live) implement it (src/engine/clock.ts). Venues and the executor take one
 * injected, so leg timeouts, in-flight order checks and polling behave the same in every mode and
 * tests drive them on a simulated clock.
 */

export type TimerCallback = (atMs: number) => void;

/** Identifies a timer for cancelTimer (unique per clock). */
export type TimerId = number;

export interface Clock {
  nowMs(): number;
  /** Calls `callback(atMs)` once the clock reaches `atMs` (at once when it is already past). */
  setTimer(atMs: number, callback: TimerCallback): TimerId;
  /** A timer that has not fired is dropped; cancelling a fired or unknown timer does nothing. */
  cancelTimer(id: TimerId): void;
}
