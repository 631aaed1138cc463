import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataPath } from '../support/paths.ts';
import { runCli } from '../support/cli.ts';

const JOINED_CSV = dataPath('derived_binance_1m_joined', 'binance_BTCUSDT_spot_vs_usdm_perp_1m_2025-05-25_2025-06-24.csv');

interface FitJson {
  theta: number;
  mu: number;
  sigma: number;
  halfLifeSeconds: number;
  adfPValue: number;
  hurst: number;
  entryThreshold: number;
  lowerEntryThreshold: number;
  feeRate: number;
  roundTripCost: number;
  timeToFundingSeconds: number;
  fundingIntervalSeconds: number;
  dtSeconds: number;
  points: number;
  from: string;
  to: string;
  lastBasis: number;
  [key: string]: unknown;
}

const relative = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b));

function expectFiniteNumbers(value: unknown, path = ''): void {
  if (typeof value === 'number') expect(Number.isFinite(value), `${path} = ${value}`).toBe(true);
  else if (Array.isArray(value)) value.forEach((v, k) => expectFiniteNumbers(v, `${path}[${k}]`));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) expectFiniteNumbers(v, `${path}.${k}`);
}

describe('perp-arb fit (CLI, real Binance BTC 1m spot and USD-M perp)', () => {
  let store: string;
  let work: string;
  let storeFit: FitJson;

  beforeAll(async () => {
    store = mkdtempSync(join(tmpdir(), 'perp-arb-fit-store-'));
    work = mkdtempSync(join(tmpdir(), 'perp-arb-fit-'));
    for (const dir of ['binance_spot_1m__Filimonov-Eremeyka_freqtrade', 'binance_usdm_perp_1m__TheSnowGuru_Market-Swarm-Agents']) {
      const imported = await runCli(['data', 'import', dataPath(dir), '--store', store, '--quiet', '--json']);
      expect(imported.code, imported.stderr).toBe(0);
    }
    const fitted = await runCli(['fit', '--spot', 'binance:BTC/USDT', '--perp', 'binance:BTC/USDT:USDT', '--store', store, '--json']);
    expect(fitted.code, fitted.stderr).toBe(0);
    storeFit = JSON.parse(fitted.stdout);
  }, 120_000);

  afterAll(() => {
    rmSync(store, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  it('fits the 43,199 aligned 1m points and returns finite numbers throughout', () => {
    expect(storeFit.points).toBe(43_199);
    expect(storeFit.dtSeconds).toBe(60);
    expectFiniteNumbers({ ...storeFit, plot: undefined });
    expect(storeFit.theta).toBeGreaterThan(0);
    expect(storeFit.sigma).toBeGreaterThan(0);
    expect(storeFit.halfLifeSeconds).toBeCloseTo(Math.LN2 / storeFit.theta, 6);
    expect(storeFit.adfPValue).toBeGreaterThanOrEqual(0);
    expect(storeFit.adfPValue).toBeLessThanOrEqual(1);
    expect(storeFit.hurst).toBeGreaterThan(0);
    expect(storeFit.hurst).toBeLessThan(1);
    // The perp traded a few bps below spot over this month.
    expect(storeFit.mu).toBeLessThan(0);
    expect(storeFit.mu).toBeGreaterThan(-0.002);
  });

  it('entryThreshold = mu + 4f / (1 - exp(-theta tau)), with the defaults it reports', () => {
    const { mu, theta, feeRate: f, timeToFundingSeconds: tau } = storeFit;
    expect(f).toBe(0.00075);
    // The last 1m bar opens 2025-06-24T10:31Z and closes 10:32Z; the next 8h settlement is 16:00Z.
    expect(tau).toBe(16 * 3600 - (10 * 3600 + 32 * 60));
    expect(storeFit.fundingIntervalSeconds).toBe(28_800);
    expect(relative(storeFit.entryThreshold, mu + (4 * f) / (1 - Math.exp(-theta * tau)))).toBeLessThan(1e-12);
    expect(relative(storeFit.lowerEntryThreshold, mu - (4 * f) / (1 - Math.exp(-theta * tau)))).toBeLessThan(1e-12);
    expect(storeFit.roundTripCost).toBeCloseTo(4 * f, 15);
  });

  it('the CSV path (spot and perp columns of the joined CSV) gives the same fit as the store', async () => {
    const result = await runCli(['fit', '--csv', JOINED_CSV, '--spot-column', 'spot_close', '--perp-column', 'perp_close', '--dt-seconds', '60', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const fromCsv: FitJson = JSON.parse(result.stdout);
    expect(fromCsv.points).toBe(43_199);
    for (const key of ['theta', 'mu', 'sigma'] as const) expect(relative(fromCsv[key], storeFit[key]), key).toBeLessThan(1e-9);
  });

  it('a CSV column that already holds the basis, with a time column, fits the same', async () => {
    const lines = readFileSync(JOINED_CSV, 'utf8').trim().split('\n').slice(1);
    const rows = lines.map((l) => l.split(',')).map((c) => `${c[0]},${(Number(c[10]) - Number(c[5])) / Number(c[5])}`);
    const csv = join(work, 'basis.csv');
    writeFileSync(csv, `time_ms,basis\n${rows.join('\n')}\n`);
    const result = await runCli(['fit', '--csv', csv, '--column', 'basis', '--time-column', 'time_ms', '--dt-seconds', '60', '--fee-rate', '0.0005', '--windows', '4', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const fit: FitJson = JSON.parse(result.stdout);
    expect(relative(fit.theta, storeFit.theta)).toBeLessThan(1e-9);
    expect(fit.feeRate).toBe(0.0005);
    // Times in the CSV are taken as the times of the values: the last is 10:31Z.
    expect(fit.timeToFundingSeconds).toBe(16 * 3600 - (10 * 3600 + 31 * 60));
    expect(relative(fit.entryThreshold, fit.mu + (4 * 0.0005) / (1 - Math.exp(-fit.theta * fit.timeToFundingSeconds)))).toBeLessThan(1e-12);
  });

  it('--from and --to restrict the span to [from, to)', async () => {
    const result = await runCli(['fit', '--spot', 'binance:BTC/USDT', '--perp', 'binance:BTC/USDT:USDT', '--store', store, '--from', '2025-06-01', '--to', '2025-06-02', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const fit: FitJson = JSON.parse(result.stdout);
    expect(fit.points).toBe(1440);
    expect(fit.from).toBe('2025-06-01T00:00:00.000Z');
    expect(fit.to).toBe('2025-06-01T23:59:00.000Z');
    // The last bar closes at 2025-06-02T00:00Z, a settlement: the next one is 8 h later.
    expect(fit.timeToFundingSeconds).toBe(28_800);
  });

  it('a bar opening exactly at --to is not fitted, one opening exactly at --from is', async () => {
    const result = await runCli(['fit', '--spot', 'binance:BTC/USDT', '--perp', 'binance:BTC/USDT:USDT', '--store', store, '--from', '2025-06-01T00:00Z', '--to', '2025-06-01T23:59Z', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const fit: FitJson = JSON.parse(result.stdout);
    expect(fit.points).toBe(1439);
    expect(fit.from).toBe('2025-06-01T00:00:00.000Z');
    expect(fit.to).toBe('2025-06-01T23:58:00.000Z');
    const empty = await runCli(['fit', '--spot', 'binance:BTC/USDT', '--perp', 'binance:BTC/USDT:USDT', '--store', store, '--from', '2025-06-01', '--to', '2025-06-01']);
    expect(empty.code).toBe(2);
    expect(empty.stderr.trim()).toBe('error: --from 2025-06-01T00:00:00.000Z is not before --to 2025-06-01T00:00:00.000Z: the span [from, to) is empty');
  });

  it('--prices bidask fits the mid of real bybit quote bars and reports the executable basis of each side', async () => {
    const lean = mkdtempSync(join(tmpdir(), 'perp-arb-fit-lean-'));
    try {
      const imported = await runCli(['data', 'import', dataPath('bybit_binance_minute_20221213__QuantConnect_Lean'), '--store', lean, '--quiet', '--json']);
      expect(imported.code, imported.stderr).toBe(0);
      const result = await runCli(['fit', '--spot', 'bybit:BTC/USDT', '--perp', 'bybit:BTC/USDT:USDT', '--prices', 'bidask', '--store', lean, '--json']);
      expect(result.code, result.stderr).toBe(0);
      const fit = JSON.parse(result.stdout);
      expect(fit.points).toBe(460);
      expect(fit.source).toContain('quote_bars/bybit/BTC/USDT:USDT/1m');
      const executable = fit.strategy1.executable;
      expect(executable.openShortPerpBasis).toBeLessThan(fit.lastBasis);
      expect(executable.openLongPerpBasis).toBeGreaterThan(fit.lastBasis);
      // Closes of the same legs are trade prices: a different series, so a different fit.
      const closes = await runCli(['fit', '--spot', 'bybit:BTC/USDT', '--perp', 'bybit:BTC/USDT:USDT', '--store', lean, '--json']);
      expect(JSON.parse(closes.stdout).source).toContain('bars/bybit/BTC/USDT:USDT/1m');
    } finally {
      rmSync(lean, { recursive: true, force: true });
    }
  });

  it('prints a human report with the fit, the tests, the thresholds and the p_k table', async () => {
    const result = await runCli(['fit', '--spot', 'binance:BTC/USDT', '--perp', 'binance:BTC/USDT:USDT', '--store', store, '--windows', '3']);
    expect(result.code, result.stderr).toBe(0);
    for (const text of ['43,199 points', 'half-life', 'ADF', 'variance ratio', 'Hurst', 'verdict', 'entry', 'p_k', 'Bertram', 'Leung']) {
      expect(result.stdout).toContain(text);
    }
  });

  it('--plot writes a PNG, an SVG and a self-contained HTML page', async () => {
    const base = ['fit', '--spot', 'binance:BTC/USDT', '--perp', 'binance:BTC/USDT:USDT', '--store', store, '--json'];
    const png = join(work, 'spread.png');
    const svg = join(work, 'spread.svg');
    const html = join(work, 'spread.html');
    for (const file of [png, svg, html]) {
      const result = await runCli([...base, '--plot', file]);
      expect(result.code, result.stderr).toBe(0);
      expect(JSON.parse(result.stdout).plot.path).toBe(file);
    }
    const pngBytes = readFileSync(png);
    expect([...pngBytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(statSync(png).size).toBeGreaterThan(20_000);
    // IHDR: width and height, big-endian, at bytes 16..23.
    expect(pngBytes.readUInt32BE(16)).toBeGreaterThan(1000);
    expect(pngBytes.readUInt32BE(20)).toBeGreaterThan(400);
    const svgText = readFileSync(svg, 'utf8');
    expect(svgText).toContain('<svg');
    expect(svgText).toMatch(/<path[^>]* d="M/);
    expect(svgText).toContain('min and max');
    const htmlText = readFileSync(html, 'utf8');
    expect(htmlText).toMatch(/^<!doctype html>/);
    expect(htmlText).toContain('<svg');
    expect(htmlText).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
  });

  it('explains bad input in one line', async () => {
    const missing = await runCli(['fit', '--csv', JOINED_CSV, '--column', 'basis_bps', '--dt-seconds', '60']);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toContain("no column 'basis_bps'");

    const constant = join(work, 'constant.csv');
    writeFileSync(constant, `basis\n${Array(100).fill('0.0001').join('\n')}\n`);
    const flat = await runCli(['fit', '--csv', constant, '--column', 'basis', '--dt-seconds', '60', '--json']);
    expect(flat.code).toBe(1);
    expect(JSON.parse(flat.stdout).error).toMatch(/constant/);

    const noPerp = await runCli(['fit', '--spot', 'binance:BTC/USDT', '--perp', 'binance:BTC/USDC:USDC', '--store', store]);
    expect(noPerp.code).toBe(1);
    expect(noPerp.stderr.trim().split('\n')).toHaveLength(1);
    expect(noPerp.stderr).toContain('binance:BTC/USDC:USDC');

    const badPlot = await runCli(['fit', '--csv', JOINED_CSV, '--spot-column', 'spot_close', '--perp-column', 'perp_close', '--dt-seconds', '60', '--plot', join(work, 'x.jpg')]);
    expect(badPlot.code).toBe(2);
    expect(badPlot.stderr).toContain('.png, .svg or .html');
  });
});
