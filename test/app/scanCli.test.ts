import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataPath } from '../support/paths.ts';
import { runCli } from '../support/cli.ts';

const FTX_FILE = dataPath('raw_exchange_api_captures__bmoscon_cryptofeed', 'at_ad74b11d5de8ad0414231c23dc5d7f73cdbfc5ab', 'FTX.0');
const SUPERVIK_BTC = dataPath('funding_history_7_exchanges__supervik', 'BTC-USDT');
const HOUR = 3_600_000;

interface Leg {
  venue: string;
  symbol: string;
  venueSymbol: string | null;
  side: 'buy' | 'sell';
  price: number | null;
}
interface Opp {
  type: string;
  asset: string;
  legs: Leg[];
  grossBps: number;
  netBps: number;
  apr: number;
  flags: string[];
}

const scratch: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'perp-arb-scan-cli-'));
  scratch.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

describe('perp-arb scan --snapshot (the real FTX capture)', () => {
  it('--json prints one object whose opportunities carry type, asset, legs, grossBps, netBps, apr; BTC-1231 vs BTC-PERP as computed from the file', async () => {
    const { stdout, stderr, code } = await runCli(['scan', '--snapshot', FTX_FILE, '--top', '10', '--json', '--taker-fee-rate', '0.0007']);
    expect(code, stderr).toBe(0);
    const out = JSON.parse(stdout) as { asOf: string; notes: string[]; opportunities: Opp[] };
    expect(out.asOf).toBe('2021-07-22T22:45:02.920Z');
    expect(out.opportunities).toHaveLength(10);
    for (const o of out.opportunities) {
      expect(o).toEqual(expect.objectContaining({ type: expect.any(String), asset: expect.any(String), grossBps: expect.any(Number), netBps: expect.any(Number), apr: expect.any(Number) }));
      expect(o.legs).toHaveLength(2);
    }
    expect(out.notes.some((n) => n.includes('has no funding rates'))).toBe(true);

    // From the file: BTC-PERP bid/ask 32195/32196, BTC-1231 32815/32823; expiry 2021-12-31T03:00Z.
    const body = JSON.parse(readFileSync(FTX_FILE, 'utf8').split('\n')[0].split(': ').slice(1).join(': ')) as { result: { name: string; bid: number; ask: number }[] };
    const q = (name: string) => body.result.find((m) => m.name === name)!;
    const perp = q('BTC-PERP');
    const dec = q('BTC-1231');
    const mid = (m: { bid: number; ask: number }) => (m.bid + m.ask) / 2;
    const gross = (mid(dec) - mid(perp)) / mid(perp);
    const net = gross - (perp.ask - perp.bid) / mid(perp) - (dec.ask - dec.bid) / mid(dec) - 4 * 0.0007;
    const years = (Date.UTC(2021, 11, 31, 3) - Date.parse(out.asOf)) / (365 * 24 * HOUR);
    const btc = await runCli(['scan', '--snapshot', FTX_FILE, '--asset', 'BTC', '--type', 'calendarSpread', '--json', '--taker-fee-rate', '0.0007', '--top', '0']);
    const found = (JSON.parse(btc.stdout).opportunities as Opp[]).find((o) => o.legs[0].venueSymbol === 'BTC-PERP' && o.legs[1].venueSymbol === 'BTC-1231')!;
    expect(found.legs.map((l) => [l.side, l.price])).toEqual([['buy', perp.ask], ['sell', dec.bid]]);
    expect(found.grossBps).toBeCloseTo(gross * 1e4, 3);
    expect(found.netBps).toBeCloseTo(net * 1e4, 3);
    expect(found.apr).toBeCloseTo(net / years, 5);
  });

  it('prints the table once when stdout is not a terminal, even with --watch', async () => {
    const { stdout, stderr, code } = await runCli(['scan', '--snapshot', FTX_FILE, '--top', '10', '--watch']);
    expect(code, stderr).toBe(0);
    expect(stderr).toContain('--watch refreshes only in a terminal');
    expect(stdout).toContain('note: ');
    expect(stdout).toMatch(/#\s+type\s+asset\s+buy\s+sell\s+gross bps\s+net bps\s+net APR %\s+profit USD\s+days\s+funding buy \| sell\s+age buy \| sell\s+skew\s+flags/);
    expect(stdout.split('\n').filter((l) => /^\d+\s+calendarSpread|^\d+\s+basis/.test(l))).toHaveLength(10);
    expect(stdout).not.toContain('\x1b[2J');
  });

  it('rejects --live mixed with another source, and a missing source', async () => {
    const live = await runCli(['scan', '--live', '--snapshot', FTX_FILE]);
    expect(live.code).toBe(2);
    expect(live.stderr).toContain('--live scans the venues now: give it without --snapshot, --at or --store');
    const none = await runCli(['scan', '--json']);
    expect(none.code).toBe(2);
    expect(JSON.parse(none.stdout).error).toContain('--snapshot FILE');
  });

  it('a config with an unknown key is rejected naming the key; a valid one is used', async () => {
    const dir = tempDir();
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ notionalUsd: 1000, thresholds: { minBasisBps: 20, maxBasisBps: 500 } }));
    const res = await runCli(['scan', '--snapshot', FTX_FILE, '--config', bad, '--json']);
    expect(res.code).toBe(2); // a bad config is a usage error
    expect(JSON.parse(res.stdout).error).toBe(`${bad}: unknown key 'thresholds.maxBasisBps'`);
    const good = join(dir, 'good.json');
    writeFileSync(good, JSON.stringify({ notionalUsd: 1000, thresholds: { minBasisBps: 150 } }));
    const ok = await runCli(['scan', '--snapshot', FTX_FILE, '--config', good, '--json', '--top', '0']);
    expect(ok.code, ok.stderr).toBe(0);
    const out = JSON.parse(ok.stdout) as { config: { notionalUsd: number }; opportunities: (Opp & { notionalUsd: number })[] };
    expect(out.config.notionalUsd).toBe(1000);
    expect(out.opportunities.every((o) => Math.abs(o.grossBps) >= 150 && o.notionalUsd === 1000)).toBe(true);
    const badFee = await runCli(['scan', '--snapshot', FTX_FILE, '--fee-rate', 'abc']);
    expect(badFee.stderr).toContain("--fee-rate must be a number, got 'abc'");
  });

  it('--strict fails on a snapshot with a crossed market, naming file and line; without it the market is reported and skipped', async () => {
    const dir = tempDir();
    const path = join(dir, 'FTX.0');
    writeFileSync(path, readFileSync(FTX_FILE, 'utf8').replace('"name":"ETH-PERP","enabled":true,"postOnly":false,"priceIncrement":0.1,"sizeIncrement":0.001,"minProvideSize":0.001,"last":2005.9,"bid":2005.9', '"name":"ETH-PERP","enabled":true,"postOnly":false,"priceIncrement":0.1,"sizeIncrement":0.001,"minProvideSize":0.001,"last":2005.9,"bid":2100.0'));
    const strict = await runCli(['scan', '--snapshot', path, '--strict']);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toContain(`error: ${path}:1: ftx market ETH-PERP (ETH/USD:USD): crossed: bid 2100 > ask 2006`);
    const lenient = await runCli(['scan', '--snapshot', path, '--json']);
    expect(lenient.code).toBe(0);
    expect(JSON.parse(lenient.stdout).rejections).toEqual([{ source: path, line: 1, reason: 'ftx market ETH-PERP (ETH/USD:USD): crossed: bid 2100 > ask 2006' }]);
    const truncated = join(dir, 'FTX.truncated');
    writeFileSync(truncated, readFileSync(FTX_FILE, 'utf8').slice(0, 50_000));
    const broken = await runCli(['scan', '--snapshot', truncated]);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain(`${truncated}:1: FTX response body of https://ftx.com/api/markets is not valid JSON`);
  });
});

/** Zones of the Date column per SOURCES.md: UTC+3 for binance, bybit, htx, kucoin, mexc; UTC for gate and dydx. */
const ZONE_HOURS: Record<string, number> = { binance: 3, bybit: 3, htx: 3, kucoin: 3, mexc: 3, gate: 0, dydx: 0 };

/** Per venue: the last BTC funding row at or before `at`, and the venue's interval (the gap to the row before). */
function fundingAt(atMs: number): { venue: string; rate: number; settlementMs: number; intervalMs: number }[] {
  return readdirSync(SUPERVIK_BTC).map((file) => {
    const venue = file.split('_')[1];
    const rows = readFileSync(join(SUPERVIK_BTC, file), 'utf8').trim().split('\n').slice(1).map((line) => {
      const [, date, rate] = line.split(',');
      return { ms: Date.parse(`${date.replace(' ', 'T')}Z`) - ZONE_HOURS[venue] * HOUR, rate: Number(rate) };
    });
    let k = rows.length - 1;
    while (rows[k].ms > atMs) k--;
    const intervalMs = Math.round((rows[k].ms - rows[k - 1].ms) / HOUR) * HOUR;
    return { venue, rate: rows[k].rate, settlementMs: rows[k].ms, intervalMs };
  });
}

describe('perp-arb scan --store --at (supervik funding of 7 venues, imported with perp-arb data import)', () => {
  let store: string;
  beforeAll(async () => {
    store = tempDir();
    const imported = await runCli(['data', 'import', SUPERVIK_BTC, '--store', store, '--quiet']);
    expect(imported.code, imported.stderr).toBe(0);
  }, 120_000);

  for (const at of ['2023-03-11T12:00:00Z', '2022-11-09T20:30:00Z', '2023-09-01T00:00:00Z']) {
    it(`finds the best venue pair for BTC funding on ${at}, as computed from the CSVs`, async () => {
      const atMs = Date.parse(at);
      const venues = fundingAt(atMs);
      expect(venues).toHaveLength(7);
      const per8h = (v: (typeof venues)[number]) => (v.rate * 8 * HOUR) / v.intervalMs;
      const high = venues.reduce((a, b) => (per8h(b) > per8h(a) ? b : a));
      const low = venues.reduce((a, b) => (per8h(b) < per8h(a) ? b : a));
      // settlements in (at, at + 7 days], the next one at last + interval
      const count = (v: (typeof venues)[number]) => Math.floor((atMs + 7 * 24 * HOUR - (v.settlementMs + v.intervalMs)) / v.intervalMs) + 1;
      const gross = high.rate * count(high) - low.rate * count(low);

      const { stdout, stderr, code } = await runCli(['scan', '--store', store, '--at', at, '--type', 'fundingDifferential', '--asset', 'BTC', '--json', '--top', '1']);
      expect(code, stderr).toBe(0);
      const [best] = JSON.parse(stdout).opportunities as Opp[];
      expect(best.legs.map((l) => [l.venue, l.side])).toEqual([[low.venue, 'buy'], [high.venue, 'sell']]);
      expect(best.grossBps).toBeCloseTo(gross * 1e4, 3);
      expect(best.netBps).toBeCloseTo((gross - 4 * 0.0005) * 1e4, 3); // no prices in these files: fees only, flagged noQuote
      expect(best.flags).toContain('noQuote');
      expect(best.legs.every((l) => l.price === null)).toBe(true);
    });
  }

  it('needs a time for the store, and says so', async () => {
    const res = await runCli(['scan', '--store', store]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('--at TIME');
  });
});
