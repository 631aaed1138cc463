import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../support/paths.ts';

const run = promisify(execFile);
const CLI = join(PROJECT_ROOT, 'bin', 'perp-arb.js');

describe('perp-arb venues', () => {
  it('--json lists the tested venues and their capabilities from ccxt `has`; the newer ones are market data only', async () => {
    const { stdout } = await run('node', [CLI, 'venues', '--json']);
    const out = JSON.parse(stdout) as { ccxtVersion: string; venues: { venue: string; ccxtId: string; usable: boolean; websocket: boolean; account: boolean; methods: Record<string, string> }[] };
    expect(out.venues.map((v) => v.venue)).toEqual(['binance', 'bybit', 'okx', 'deribit', 'hyperliquid', 'bitget', 'gate', 'kucoin', 'mexc', 'bingx', 'htx']);
    expect(out.venues.filter((v) => !v.account).map((v) => `${v.venue}:${v.ccxtId}`)).toEqual(['kucoin:kucoinfutures', 'mexc:mexc', 'bingx:bingx', 'htx:htx']);
    expect(out.venues.every((v) => v.usable && v.websocket && v.methods.fetchFundingRateHistory !== 'missing')).toBe(true);
    expect(out.venues.find((v) => v.venue === 'bybit')!.methods.fetchFundingRate).toBe('emulated');
    expect(out.venues.find((v) => v.venue === 'deribit')!.methods.fetchFundingRates).toBe('missing');
    expect(out.ccxtVersion).toMatch(/^4\.\d+\.\d+$/);
  });

  it('prints a table, and --all adds every other ccxt exchange (no FTX)', async () => {
    const { stdout } = await run('node', [CLI, 'venues']);
    expect(stdout).toMatch(/^hyperliquid\s+hyperliquid\s+yes/m);
    const all = JSON.parse((await run('node', [CLI, 'venues', '--all', '--json'])).stdout) as { venues: { ccxtId: string; usable: boolean }[] };
    expect(all.venues.length).toBeGreaterThan(50);
    expect(all.venues.some((v) => v.ccxtId === 'ftx')).toBe(false);
    expect(all.venues.find((v) => v.ccxtId === 'kraken')!.usable).toBe(false);
  });
});
