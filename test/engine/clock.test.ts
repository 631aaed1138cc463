import { describe, expect, it } from 'vitest';
import { SimulatedClock, WallClock } from '../../src/engine/clock.ts';

describe('SimulatedClock', () => {
  it('fires a timer due at t after the events at t and before the first later event, in time order, ties in the order set', () => {
    const clock = new SimulatedClock();
    const log: string[] = [];
    clock.setTimer(2_000, (at) => log.push(`b@${at} now ${clock.nowMs()}`));
    clock.setTimer(1_000, (at) => log.push(`a@${at} now ${clock.nowMs()}`));
    clock.setTimer(2_000, (at) => log.push(`c@${at}`));
    for (const t of [500, 1_000, 1_000, 2_500]) {
      clock.observe(t);
      log.push(`event ${t}`);
    }
    // a (1000) waits for both events at 1000, then fires at its own time before the event at 2500.
    expect(log).toEqual(['event 500', 'event 1000', 'event 1000', 'a@1000 now 1000', 'b@2000 now 2000', 'c@2000', 'event 2500']);
    expect(clock.nowMs()).toBe(2_500);
  });

  it('a callback may set a further timer, which fires in the same pass when due; cancelled timers never fire', () => {
    const clock = new SimulatedClock();
    const fired: number[] = [];
    const dropped = clock.setTimer(1_500, () => fired.push(-1));
    clock.setTimer(1_000, (at) => {
      fired.push(at);
      clock.setTimer(at + 100, (next) => fired.push(next));
      clock.setTimer(at + 10_000, (later) => fired.push(later));
    });
    clock.cancelTimer(dropped);
    clock.observe(5_000);
    expect(fired).toEqual([1_000, 1_100]);
    expect(clock.nextDueMs).toBe(11_000);
    clock.fireDueUntil(11_000);
    expect(fired).toEqual([1_000, 1_100, 11_000]);
    expect(clock.nextDueMs).toBe(Infinity);
  });

  it('refuses a NaN time', () => {
    expect(() => new SimulatedClock().setTimer(Number.NaN, () => {})).toThrow(/NaN/);
  });
});

describe('WallClock', () => {
  it('fires real timers at their time, in order, and not when cancelled', async () => {
    const clock = new WallClock();
    const now = Date.now();
    const fired: string[] = [];
    const done = new Promise<void>((resolve) => clock.setTimer(now + 60, () => (fired.push('late'), resolve())));
    clock.setTimer(now + 20, (at) => fired.push(`early ${Date.now() >= at}`));
    const cancelled = clock.setTimer(now + 40, () => fired.push('cancelled'));
    clock.cancelTimer(cancelled);
    await done;
    expect(fired).toEqual(['early true', 'late']);
  });
});
