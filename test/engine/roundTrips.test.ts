import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBacktestConfig, runBacktest } from '../../src/engine/backtest.ts';
import { PROJECT_ROOT } from '../support/paths.ts';

describe('summary trades and winRate on the OU synthetic example', () => {
  it('trades = round trips = closed pairs (+ a pair still open at the end), winRate = trips with pnl > 0 / trips', async () => {
    const { result, summary } = await runBacktest(loadBacktestConfig(join(PROJECT_ROOT, 'examples', 'backtest-ou-synthetic.json')));
    const count = (type: string) => result.execution.filter((e) => e.type === type).length;
    const opened = count('pairOpened');
    const closed = count('pairClosed');
    const trips = result.roundTrips;
    // One round trip per pair opened: closed ones with their exit time, one still open with exitTs null.
    expect(trips.filter((t) => t.closedAt !== null)).toHaveLength(closed);
    expect(trips.filter((t) => t.closedAt === null)).toHaveLength(opened - closed);
    expect(summary.trades).toBe(trips.length);
    // This run ends flat, so here trades is exactly the closed pairs (43), each with 4 fills.
    expect(opened - closed).toBe(0);
    expect(summary.trades).toBe(closed);
    expect(summary.trades).toBe(43);
    expect(summary.fills).toBe(4 * closed);
    // Per round trip (pair), not per fill.
    const wins = trips.filter((t) => t.netPnlUsd > 0).length;
    expect(summary.winRate).toBe(wins / trips.length);
    expect(wins).toBeGreaterThan(0);
    expect(wins).toBeLessThan(trips.length);
    // Every trip is timed inside the run and in order.
    for (let i = 0; i < trips.length; i++) {
      expect(trips[i].closedAt!).toBeGreaterThan(trips[i].openedAt);
      if (i > 0) expect(trips[i].openedAt).toBeGreaterThanOrEqual(trips[i - 1].closedAt!);
    }
  }, 120_000);
});
