import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { importIntoStore, runCli } from '../support/cli.ts';
import { dataPath } from '../support/paths.ts';

const HOUR = 3_600_000;
const YEAR = 365 * 24 * HOUR;

interface Leg {
  venue: string;
  symbol: string;
  side: string;
  observedAt: string | null;
  ageMs: number | null;
  fundingRatePerInterval?: number | null;
  fundingIntervalMs?: number | null;
  fundingApr?: number | null;
}
interface Opp {
  id: string;
  type: string;
  apr: number;
  flags: string[];
  legs: Leg[];
  legSkewMs: number | null;
  maxLegSkewMs: number;
  history: { measure: string; points: number; medianAbsBps: number; currentBps: number; observations: number; impliedLagMs: number | null; stepMs: number | null } | null;
}
interface ScanJson {
  summary: { computable: number; legsApart: number; active: number; suspect: number; misaligned: number };
  notes: string[];
  units: Record<string, string>;
  opportunities: Opp[];
}

const scratch: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'perp-arb-scan-timing-'));
  scratch.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

async function scanJson(args: string[]): Promise<ScanJson> {
  const { stdout, stderr, code } = await runCli(['scan', ...args, '--json', '--top', '0']);
  expect(code, stderr).toBe(0);
  return JSON.parse(stdout) as ScanJson;
}

const ranksLast = (o: Opp) => o.flags.includes('suspect') || o.flags.includes('legsMisaligned');

describe('scan --store on AHA-HH 8h bars (binance bars are stamped like bybit\'s and okx\'s but close about 4 h later)', () => {
  let store: string;
  beforeAll(async () => {
    store = tempDir();
    await importIntoStore(store, [dataPath('binance_bybit_okx_8h_spot_perp_funding__AHA-HH')]);
  }, 120_000);

  it('2023-11-09T20:00Z: the ETH okx/binance spread that ranked first at 402.89% APR is flagged and ranked after every clean opportunity', async () => {
    const scan = await scanJson(['--store', store, '--at', '2023-11-09T20:00Z']);
    const artefact = scan.opportunities.find((o) => o.id === 'crossVenueSpread:binance:ETH/USDT:USDT~okx:ETH/USDT:USDT')!;
    expect(artefact.apr).toBeCloseTo(4.02889, 5);
    expect(artefact.flags).toEqual(['staleQuote', 'depthUnknown', 'lastPriceOnly', 'suspect', 'legsMisaligned']);
    expect(artefact.history).toMatchObject({ measure: 'spread', points: 937, observations: 1, stepMs: 8 * HOUR });
    expect(artefact.history!.currentBps).toBeCloseTo(-656.8992, 3);
    expect(artefact.history!.medianAbsBps).toBeCloseTo(34.8535, 3);
    // The prices imply binance's close comes about half a bar (4 h) after okx's.
    expect(artefact.history!.impliedLagMs!).toBeGreaterThan(3 * HOUR);
    expect(artefact.history!.impliedLagMs!).toBeLessThan(5 * HOUR);
    const firstFlagged = scan.opportunities.findIndex(ranksLast);
    expect(firstFlagged).toBe(scan.opportunities.filter((o) => !ranksLast(o)).length);
    expect(scan.opportunities.slice(firstFlagged).every(ranksLast)).toBe(true);
    expect(scan.opportunities[0].id).toBe('basis:binance:ETH/USDT~binance:ETH/USDT:USDT');
    expect(scan.summary).toMatchObject({ active: 42, suspect: 8, misaligned: 16, legsApart: 0 });
    // Every cross-venue spread with one binance leg is misaligned; bybit against okx is not.
    for (const o of scan.opportunities.filter((x) => x.type === 'crossVenueSpread')) {
      const binanceLegs = o.legs.filter((l) => l.venue === 'binance').length;
      expect(o.flags.includes('legsMisaligned'), o.id).toBe(binanceLegs === 1);
      if (binanceLegs === 0) expect(Math.abs(o.history!.impliedLagMs!)).toBeLessThan(0.05 * 8 * HOUR);
    }
  });

  it('every opportunity carries the age of each leg, the skew between them and the tolerance; perp legs their funding APR', async () => {
    const scan = await scanJson(['--store', store, '--at', '2023-11-09T20:00Z']);
    for (const o of scan.opportunities) {
      expect(o.legs.map((l) => [l.observedAt, l.ageMs])).toEqual([
        ['2023-11-09T16:00:00.000Z', 4 * HOUR],
        ['2023-11-09T16:00:00.000Z', 4 * HOUR],
      ]);
      expect([o.legSkewMs, o.maxLegSkewMs]).toEqual([0, 4 * HOUR]);
      for (const leg of o.legs.filter((l) => l.symbol.includes(':'))) {
        expect(leg.fundingIntervalMs).toBe(8 * HOUR);
        expect(leg.fundingApr).toBeCloseTo((leg.fundingRatePerInterval! * YEAR) / (8 * HOUR), 8);
      }
    }
    expect(scan.units.apr).toBe('net fraction x 365 d / horizonMs (simple, not compounded)');
    expect(scan.units.fundingApr).toBe('fundingRatePerInterval x 365 d / fundingIntervalMs');
  });

  it('the human table says what the APR is and shows funding per interval, ages and skew', async () => {
    const { stdout, code } = await runCli(['scan', '--store', store, '--at', '2023-11-09T20:00Z', '--top', '3']);
    expect(code).toBe(0);
    expect(stdout).toContain('net APR = net over the horizon x 365 d / horizon (simple; 7 days unless a calendar spread, held to expiry)');
    expect(stdout).toContain('note: 8 opportunities flagged suspect and ranked last');
    expect(stdout).toContain('note: 16 opportunities flagged legsMisaligned and ranked last');
    const first = stdout.split('\n').find((l) => l.startsWith('1 '))!;
    expect(first).toMatch(/^1\s+basis\s+ETH\s+binance ETH\/USDT @ 2035\.02\s+binance ETH\/USDT:USDT @ 2039\.56\s.*-\s\|\s\+0\.0711%\/8h\s+4h \| 4h\s+0s\s+staleQuote/);
  });
});

describe('scan --store on the Binance 1m spot (to 2025-08-18) and perp (to 2025-06-24 10:31)', () => {
  let store: string;
  beforeAll(async () => {
    store = tempDir();
    await importIntoStore(store, ['binance_spot_1m__Filimonov-Eremeyka_freqtrade', 'binance_usdm_perp_1m__TheSnowGuru_Market-Swarm-Agents'].map((d) => dataPath(d)));
  }, 120_000);

  it('at 2025-06-24T12:00Z the perp\'s last close is 88 min older than the spot\'s: the basis is not compared, and the notes say so', async () => {
    const scan = await scanJson(['--store', store, '--at', '2025-06-24T12:00Z']);
    expect(scan.summary).toMatchObject({ computable: 1, legsApart: 1 });
    expect(scan.notes).toContain(
      "1 pair not compared: their legs' prices were observed too far apart (half the shorter bar for bars, 5s for quotes and books), " +
        'e.g. basis binance:BTC/USDT ~ binance:BTC/USDT:USDT: 1h28m apart, tolerance 30s',
    );
  });

  it('maxLegSkewMs in the config: 88 min allowed compares them (with the ages and skew), 1 ms less does not', async () => {
    const dir = tempDir();
    const config = (maxLegSkewMs: number) => {
      const path = join(dir, `scan-${maxLegSkewMs}.json`);
      writeFileSync(path, JSON.stringify({ maxLegSkewMs, thresholds: { minBasisBps: 0 } }));
      return path;
    };
    const allowed = await scanJson(['--store', store, '--at', '2025-06-24T12:00Z', '--config', config(88 * 60_000), '--type', 'basis']);
    const [basis] = allowed.opportunities;
    expect([basis.legSkewMs, basis.maxLegSkewMs]).toEqual([88 * 60_000, 88 * 60_000]);
    expect(basis.legs.map((l) => [l.symbol, l.observedAt, l.ageMs])).toEqual([
      ['BTC/USDT:USDT', '2025-06-24T10:32:00.000Z', 88 * 60_000],
      ['BTC/USDT', '2025-06-24T12:00:00.000Z', 0],
    ]);
    const refused = await scanJson(['--store', store, '--at', '2025-06-24T12:00Z', '--config', config(88 * 60_000 - 1), '--type', 'basis']);
    expect(refused.opportunities).toEqual([]);
    expect(refused.summary.legsApart).toBe(1);
  });
});
