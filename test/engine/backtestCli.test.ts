import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../support/paths.ts';

const run = promisify(execFile);
const CLI = join(PROJECT_ROOT, 'bin', 'perp-arb.js');

describe('perp-arb backtest', () => {
  it('--json on the synthetic example prints one object with the headline figures', async () => {
    const { stdout } = await run('node', [CLI, 'backtest', '--config', join(PROJECT_ROOT, 'examples', 'backtest-carry-synthetic.json'), '--json', '--no-report'], { maxBuffer: 16 * 1024 * 1024 });
    const s = JSON.parse(stdout);
    for (const key of ['totalReturn', 'apr', 'sharpe', 'maxDrawdown', 'fundingPnl', 'feesPaid', 'trades', 'events']) expect(s).toHaveProperty(key);
    expect(s.events).toBe(30 * 1440 * 2 + 90); // spot and perp 1m bars, 90 funding settlements
    expect(s.trades).toBeGreaterThan(0);
    expect(s.feesPaid).toBeGreaterThan(0);
    expect(s.maxDrawdown).toBeGreaterThanOrEqual(0);
    // Deterministic: the same seed gives the same figures.
    const again = JSON.parse((await run('node', [CLI, 'backtest', '--config', join(PROJECT_ROOT, 'examples', 'backtest-carry-synthetic.json'), '--json', '--no-report'])).stdout);
    expect({ ...again, elapsedMs: 0, eventsPerSec: 0 }).toEqual({ ...s, elapsedMs: 0, eventsPerSec: 0 });
  }, 60_000);

  it('rejects an unknown config key, naming it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'perp-arb-bt-'));
    try {
      const file = join(dir, 'bad.json');
      writeFileSync(file, JSON.stringify({ strategy: { type: 'fundingCarry', params: { spot: 'synthetic:SYN/USDT', perp: 'synthetic:SYN/USDT:USDT', notionalUsd: 1, notional: 5 } }, data: { source: 'synthetic', seed: 1 }, instruments: [{ id: 'synthetic:SYN/USDT' }], venues: [{ venue: 'synthetic', balances: {} }] }));
      const failed = await run('node', [CLI, 'backtest', '--config', file, '--json', '--no-report']).then(
        () => null,
        (e: { stdout: string; code: number }) => e,
      );
      expect(failed?.code).toBe(2); // bad config: usage error
      expect(JSON.parse(failed!.stdout).error).toMatch(/unknown key 'strategy\.params\.notional'/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
