import { spawn } from 'node:child_process';
import { writeFileSync as require_write } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DAY_MS } from '../../src/core/time.ts';
import { EXECUTION_FILE, ExecutionStore } from '../../src/engine/runtime/executionStore.ts';
import { CLI, spawnCli } from '../support/cli.ts';
import { PROJECT_ROOT } from '../support/paths.ts';
import { useTempDirs } from '../support/tempDir.ts';
import { KEYS, useExchangeSim } from '../venues/exchangeSim/support/simHarness.ts';

const EXAMPLE = join(PROJECT_ROOT, 'examples', 'run-live-local.json');
const env = {
  ...process.env,
  PERP_ARB_BINANCE_API_KEY: KEYS.binance.apiKey,
  PERP_ARB_BINANCE_SECRET: KEYS.binance.secret,
  PERP_ARB_BYBIT_API_KEY: KEYS.bybit.apiKey,
  PERP_ARB_BYBIT_SECRET: KEYS.bybit.secret,
};

/** A seeded generator (mulberry32): the kill moments are the same on every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Runs the CLI and kills it with SIGKILL after `killAfterMs` (unless it ended first); true when it was killed. */
function runAndKill(args: string[], killAfterMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn('node', [CLI, ...args], { env, stdio: 'ignore' });
    let killed = false;
    const timer = setTimeout(() => {
      killed = child.kill('SIGKILL');
    }, killAfterMs);
    child.on('exit', () => {
      clearTimeout(timer);
      resolve(killed);
    });
  });
}

describe.skipIf(process.env.PERP_ARB_CRASH_TEST !== '1')('crash test: a live session on exchange-sim with faults, killed with SIGKILL at random moments and restarted', () => {
  // Replies lost after the order was taken, 5xx and 429 on every kind of request.
  const sim = useExchangeSim({ market: { kind: 'synthetic', historyMs: DAY_MS }, faults: 'lostReply@createOrder:0.15,5xx:0.03,429:0.03' });
  const tempDir = useTempDirs();

  it('20+ kills (sessions opening pairs, flattens closing them); at the end status shows no naked leg and a ledger matching every venue', async () => {
    const state = join(tempDir(), 'state');
    const url = sim().baseUrl;
    const random = rng(20261207);
    let killed = 0;
    let killedWithOrderInFlight = 0;
    let killedWithPairInExecution = 0;
    for (let i = 0; i < 26; i++) {
      // Sessions (which open a pair within about a second) and flattens (which close it), each killed
      // somewhere from the start-up to past the pair's orders.
      const args = i % 2 === 0 ? ['run', '--config', EXAMPLE, '--mode', 'live', '--state', state, '--exchange-url', url, '--for', '4s'] : ['flatten', '--state', state, '--exchange-url', url, '--yes'];
      const wasKilled = await runAndKill(args, i % 2 === 0 ? 700 + Math.floor(random() * 1_800) : 300 + Math.floor(random() * 1_500));
      if (!wasKilled) continue;
      killed++;
      try {
        const store = ExecutionStore.open(join(state, EXECUTION_FILE), { readonly: true });
        const s = store.state();
        store.close();
        if (s.openOrders.size > 0) killedWithOrderInFlight++;
        if ([...s.pairs.values()].some((p) => p.status === 'opening' || p.status === 'closing')) killedWithPairInExecution++;
      } catch {
        // Killed before the state directory had its execution store.
      }
    }
    expect(killed).toBeGreaterThanOrEqual(20);
    // A run that is not killed resumes whatever the kills left, then a flatten closes it all.
    const last = await spawnCli(['run', '--config', EXAMPLE, '--mode', 'live', '--state', state, '--exchange-url', url, '--for', '6s', '--json'], { env });
    if (process.env.PERP_ARB_CRASH_LOG) require_write(process.env.PERP_ARB_CRASH_LOG, `code ${last.code}\n${last.stderr}`);
    expect(last.code, last.stderr).toBe(0);
    const flat = await spawnCli(['flatten', '--state', state, '--exchange-url', url, '--yes', '--json'], { env });
    expect(flat.code, flat.stderr).toBe(0);
    const status = await spawnCli(['status', '--state', state, '--exchange-url', url, '--json'], { env });
    expect(status.code, status.stderr).toBe(0);
    const s = JSON.parse(status.stdout) as { pairs: { id: string; state: string }[]; nakedLegs: number; ordersInFlight: number; reconciliation: { ok: boolean; venues: { venue: string; ledgerMatchesVenue: boolean; differences: unknown[] }[] } };
    expect(s.nakedLegs, status.stdout + last.stderr + flat.stderr).toBe(0);
    expect(s.ordersInFlight).toBe(0);
    expect(s.reconciliation.venues.map((v) => [v.venue, v.ledgerMatchesVenue, v.differences])).toEqual([
      ['bybit', true, []],
      ['binance', true, []],
    ]);
    expect(s.reconciliation.ok).toBe(true);
    expect(s.pairs.length).toBeGreaterThanOrEqual(1);
    expect(s.pairs.every((p) => p.state === 'closed' || p.state === 'failed')).toBe(true);
    // Kills found the journal with an order whose end was not seen, or a pair between its legs.
    process.stderr.write(`crash test: ${killed} kills, ${killedWithOrderInFlight} with an order in flight, ${killedWithPairInExecution} with a pair between its legs, ${s.pairs.length} pairs\n`);
    expect(killedWithOrderInFlight + killedWithPairInExecution).toBeGreaterThan(0);
  }, 180_000);
});
