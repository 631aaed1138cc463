import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { HOUR_MS } from '../../../src/core/time.ts';
import { hmacSha256Hex } from '../../../src/venues/exchangeSim/auth/hmac.ts';
import { startExchangeSim } from '../../../src/venues/exchangeSim/exchangeSim.ts';
import { CLI } from '../../support/cli.ts';
import { useTempDirs } from '../../support/tempDir.ts';
import { KEYS, TEST_ACCOUNT, useExchangeSim } from './support/simHarness.ts';

describe('exchange-sim server', () => {
  const sim = useExchangeSim({ market: { kind: 'synthetic', historyMs: HOUR_MS } });
  const tempDir = useTempDirs();

  it('listens on loopback addresses only', async () => {
    await expect(startExchangeSim({ host: '0.0.0.0', accounts: [TEST_ACCOUNT] })).rejects.toThrow(/loopback addresses only/);
  });

  it('checks Binance timestamps against recvWindow and signs query + body; answers unknown paths in the venue shape', async () => {
    const signed = async (timestamp: number, extra = '') => {
      const query = `timestamp=${timestamp}&recvWindow=5000${extra}`;
      const url = `${sim().baseUrl}/fapi.binance.com/fapi/v3/account?${query}&signature=${hmacSha256Hex(KEYS.binance.secret, query)}`;
      const res = await fetch(url, { headers: { 'X-MBX-APIKEY': KEYS.binance.apiKey } });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    expect((await signed(Date.now())).status).toBe(200);
    expect(await signed(Date.now() - 10_000)).toEqual({ status: 400, body: { code: -1021, msg: 'Timestamp for this request is outside of the recvWindow.' } });
    expect(await signed(Date.now() + 5_000)).toMatchObject({ status: 400, body: { code: -1021 } });
    const missing = await fetch(`${sim().baseUrl}/fapi/v3/account?timestamp=${Date.now()}`, { headers: { 'X-MBX-APIKEY': KEYS.binance.apiKey } });
    expect(await missing.json()).toEqual({ code: -1102, msg: "Mandatory parameter 'signature' was not sent, was empty/null, or malformed." });
    const unknown = await fetch(`${sim().baseUrl}/fapi.binance.com/fapi/v1/nothingHere`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ code: -5000, msg: 'Path /fapi/v1/nothingHere, Method GET is invalid' });
  });

  it('perp-arb exchange-sim runs as a process: one JSON line with the URLs, answers requests, stops on SIGINT without printing secrets', async () => {
    const accounts = join(tempDir(), 'accounts.json');
    writeFileSync(accounts, JSON.stringify({ accounts: [{ name: 'alice', keys: KEYS, balances: { binanceUsdm: { USDT: 5000 } } }] }));
    const child = spawn('node', [CLI, 'exchange-sim', '--port', '0', '--json', '--accounts', accounts, '--history', '1h', '--seed', '3'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += String(chunk)));
    const lines = createInterface({ input: child.stdout });
    const first = await new Promise<string>((resolve, reject) => {
      lines.once('line', resolve);
      child.once('exit', (code) => reject(new Error(`exited ${code}: ${stderr}`)));
    });
    const info = JSON.parse(first) as { baseUrl: string; markets: string[]; accounts: string[]; env: unknown; urls: Record<string, string> };
    expect(info).toMatchObject({ markets: ['binance:SYN/USDT', 'binance:SYN/USDT:USDT', 'bybit:SYN/USDT', 'bybit:SYN/USDT:USDT'], accounts: ['alice'], env: null });
    expect(info.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const time = (await (await fetch(`${info.baseUrl}/api.binance.com/api/v3/time`)).json()) as { serverTime: number };
    expect(Math.abs(time.serverTime - Date.now())).toBeLessThan(5_000);
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(stderr).toMatch(/stopped after 1 requests/);
    for (const secret of [KEYS.binance.secret, KEYS.bybit.secret]) expect(stderr + first).not.toContain(secret);
  });
});
