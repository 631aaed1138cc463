import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DAY_MS } from '../../src/core/time.ts';
import { spawnCli } from '../support/cli.ts';
import { PROJECT_ROOT } from '../support/paths.ts';
import { useTempDirs } from '../support/tempDir.ts';
import { KEYS, SECRETS, useExchangeSim } from '../venues/exchangeSim/support/simHarness.ts';

const EXAMPLE = join(PROJECT_ROOT, 'examples', 'run-live-local.json');
const KEY_ENV = {
  PERP_ARB_BINANCE_API_KEY: KEYS.binance.apiKey,
  PERP_ARB_BINANCE_SECRET: KEYS.binance.secret,
  PERP_ARB_BYBIT_API_KEY: KEYS.bybit.apiKey,
  PERP_ARB_BYBIT_SECRET: KEYS.bybit.secret,
};
const env = { ...process.env, ...KEY_ENV };

interface Status {
  session: { startedAt: string; status: string };
  pairs: { id: string; strategy: string; state: string; legs: { leg: string; venue: string; symbol: string; quantity: number; averagePrice: number | null }[]; pnlUsd: number; openedAt: string | null }[];
  nakedLegs: number;
  ordersInFlight: number;
  reconciliation: { ok: boolean; at: number; venues: { venue: string; ledgerMatchesVenue: boolean; differences: unknown[] }[] } | null;
  reconciledNow: boolean;
}

const noSecret = (text: string) => SECRETS.every((s) => !text.includes(s)) && !text.includes(KEYS.bybit.apiKey) && !text.includes(KEYS.binance.apiKey);

describe('perp-arb run --mode live on exchange-sim (ccxt trading venues, the same engine as paper)', () => {
  const sim = useExchangeSim({ market: { kind: 'synthetic', historyMs: DAY_MS } });
  const tempDir = useTempDirs();

  it('refuses live without live.enabled, without --confirm-live off loopback, and a key file others can read: exit 2, nothing sent', async () => {
    const dir = tempDir();
    const disabled = join(dir, 'disabled.json');
    writeFileSync(disabled, JSON.stringify({ ...JSON.parse(readFileSync(EXAMPLE, 'utf8')), $schema: undefined, live: { enabled: false } }));
    const before = sim().httpStats.requests;
    const off = await spawnCli(['run', '--config', disabled, '--mode', 'live', '--state', join(dir, 's1'), '--exchange-url', sim().baseUrl], { env });
    expect(off.code).toBe(2);
    expect(off.stderr.trim()).toBe(`error: --mode live sends real orders: set "live": { "enabled": true } in ${disabled}; nothing was sent`);
    // Not a loopback URL: live.enabled is not enough (the URL is never contacted).
    const remote = await spawnCli(['run', '--config', EXAMPLE, '--mode', 'live', '--state', join(dir, 's2'), '--exchange-url', 'http://192.0.2.1:8765'], { env });
    expect(remote.code).toBe(2);
    expect(remote.stderr).toContain('pass --confirm-live as well');
    const keyFile = join(dir, 'keys.json');
    writeFileSync(keyFile, JSON.stringify({ binance: KEYS.binance, bybit: KEYS.bybit }));
    chmodSync(keyFile, 0o644);
    const loose = await spawnCli(['run', '--config', EXAMPLE, '--mode', 'live', '--state', join(dir, 's3'), '--exchange-url', sim().baseUrl, '--key-file', keyFile], { env: process.env });
    expect(loose.code).toBe(2);
    expect(loose.stderr).toContain(`key file ${keyFile}: refused, it is readable or writable by group or others (mode 644); run chmod 600 ${keyFile}`);
    expect(sim().httpStats.requests).toBe(before);
    expect(noSecret(off.stderr + remote.stderr + loose.stderr)).toBe(true);
  }, 60_000);

  it('opens its first pair within 2 s; status shows it with no naked leg and the ledger matching both venues; flatten closes it', async () => {
    const dir = tempDir();
    const state = join(dir, 'state');
    const run = await spawnCli(['run', '--config', EXAMPLE, '--mode', 'live', '--state', state, '--exchange-url', sim().baseUrl, '--for', '5s', '--json'], { env });
    expect(run.code, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout) as { reconciliation: { ok: boolean }; summary: { roundTrips: { id: string }[] } };
    expect(out.reconciliation.ok).toBe(true);
    const status = await spawnCli(['status', '--state', state, '--exchange-url', sim().baseUrl, '--json'], { env });
    expect(status.code, status.stderr).toBe(0);
    const s = JSON.parse(status.stdout) as Status;
    expect(s.pairs.map((p) => [p.id, p.strategy, p.state]), run.stderr).toEqual([['carry-1', 'fundingCarry', 'open']]);
    const [long, short] = s.pairs[0].legs;
    expect([long.venue, long.symbol, short.venue, short.symbol]).toEqual(['bybit', 'SYN/USDT', 'binance', 'SYN/USDT:USDT']);
    // 1000 USD of each leg at ~50,000, rounded down to both lots: the same quantity on both legs.
    expect(long.quantity).toBeGreaterThan(0.015);
    expect(long.quantity).toBe(short.quantity);
    expect(long.averagePrice).toBeGreaterThan(0);
    expect(s.nakedLegs).toBe(0);
    expect(s.ordersInFlight).toBe(0);
    expect(s.reconciledNow).toBe(true);
    expect(s.reconciliation).toMatchObject({ ok: true, venues: [{ venue: 'bybit', ledgerMatchesVenue: true, differences: [] }, { venue: 'binance', ledgerMatchesVenue: true, differences: [] }] });
    const openedAfterMs = Date.parse(s.pairs[0].openedAt!) - Date.parse(s.session.startedAt);
    expect(openedAfterMs).toBeLessThan(2_000);

    const dry = await spawnCli(['flatten', '--state', state, '--exchange-url', sim().baseUrl], { env });
    expect(dry.stdout.trim()).toBe('1 pair(s) to close: carry-1; pass --yes to close them (nothing was sent)');
    const flat = await spawnCli(['flatten', '--state', state, '--exchange-url', sim().baseUrl, '--yes', '--json'], { env });
    expect(flat.code, flat.stderr).toBe(0);
    expect(JSON.parse(flat.stdout)).toMatchObject({ closed: true, pairs: ['carry-1'], remaining: [], nakedLegs: 0, reconciliation: { ok: true } });
    const after = JSON.parse((await spawnCli(['status', '--state', state, '--exchange-url', sim().baseUrl, '--json'], { env })).stdout) as Status;
    expect(after.pairs.map((p) => [p.id, p.state, p.legs[0].quantity, p.legs[1].quantity])).toEqual([['carry-1', 'closed', 0, 0]]);
    expect(after.reconciliation?.ok).toBe(true);
    // Offline: the last reconciliation of the state, as it was.
    const offline = JSON.parse((await spawnCli(['status', '--state', state, '--offline', '--json'], { env: process.env })).stdout) as Status;
    expect(offline.reconciledNow).toBe(false);
    expect(offline.reconciliation?.ok).toBe(true);
    expect(noSecret(run.stdout + run.stderr + status.stdout + flat.stdout + flat.stderr + readFileSync(join(state, 'session.json'), 'utf8') + readFileSync(join(state, 'config.json'), 'utf8'))).toBe(true);
  }, 90_000);
});
