import { Rng } from '../../data/synthetic/rng.ts';

/**
 * One-way latency from the sender to the venue: an order (or cancel) sent at t reaches the venue at
 * t + latency and is matched against the market as it is at that time; the venue holds it until the
 * market-data clock passes the arrival time. Replies and fills are stamped with venue time; the way
 * back to the sender is not modelled. With random latency, two orders may arrive in the other order
 * than they were sent, as on a real network.
 */
export type LatencyConfig =
  | { kind: 'none' }
  | { kind: 'fixed'; latencyMs: number }
  /** Uniform integer ms in [minLatencyMs, maxLatencyMs], from a seeded generator (same seed, same draws). */
  | { kind: 'uniform'; minLatencyMs: number; maxLatencyMs: number; seed: number };

export interface LatencyModel {
  /** Latency of the next message, integer ms >= 0. */
  nextLatencyMs(): number;
}

export function createLatencyModel(config: LatencyConfig = { kind: 'none' }): LatencyModel {
  switch (config.kind) {
    case 'none':
      return { nextLatencyMs: () => 0 };
    case 'fixed': {
      const ms = checkMs('latencyMs', config.latencyMs);
      return { nextLatencyMs: () => ms };
    }
    case 'uniform': {
      const min = checkMs('minLatencyMs', config.minLatencyMs);
      const max = checkMs('maxLatencyMs', config.maxLatencyMs);
      if (max < min) throw new Error(`latency: maxLatencyMs ${max} < minLatencyMs ${min}`);
      const rng = new Rng(config.seed);
      return { nextLatencyMs: () => min + Math.floor(rng.uniform() * (max - min + 1)) };
    }
  }
}

/** Arrival time of a message sent at `sentAtMs`: never before the venue's present `nowMs`. */
export function arrivalTimeMs(sentAtMs: number, latencyMs: number, nowMs: number): number {
  return Math.max(sentAtMs, nowMs) + latencyMs;
}

function checkMs(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 0) throw new Error(`latency: ${name} must be an integer >= 0 ms (got ${value})`);
  return value;
}
