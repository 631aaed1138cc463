import { describe, expect, it } from 'vitest';
import { HOUR_MS } from '../../../src/core/time.ts';
import { Rng } from '../../../src/data/synthetic/rng.ts';
import { parseScannerConfig, type ScannerConfigInput } from '../../../src/strategy/scanner/config.ts';
import type { InstrumentHistory } from '../../../src/strategy/scanner/history.ts';
import { Scanner } from '../../../src/strategy/scanner/scanner.ts';
import { instrument } from './support.ts';

const BAR = 8 * HOUR_MS;
const T = Date.UTC(2024, 0, 15, 16); // the current bars close here
const PERPS = ['binance', 'okx', 'bybit'] as const;
const FINE = 16; // the walk is simulated 16 times finer than the bars

/**
 * 200 bars of one market: a log random walk (1% a bar); each venue's close is the walk at the
 * bar's close (okx `okxLagSubSteps` sixteenths of a bar earlier) times (1 + 5 bps of noise).
 */
function histories(okxLagSubSteps: number, seed = 3): Record<(typeof PERPS)[number], InstrumentHistory> {
  const rng = new Rng(seed);
  const bars = 200;
  const path: number[] = [0];
  for (let i = 1; i <= (bars + 1) * FINE; i++) path.push(path[i - 1] + (0.01 / 4) * rng.normal());
  const out = {} as Record<(typeof PERPS)[number], InstrumentHistory>;
  for (const venue of PERPS) {
    const priceTimesMs = new Float64Array(bars);
    const mids = new Float64Array(bars);
    for (let k = 0; k < bars; k++) {
      priceTimesMs[k] = T - (bars - k) * BAR;
      const at = (k + 1) * FINE - (venue === 'okx' ? okxLagSubSteps : 0);
      mids[k] = 100 * Math.exp(path[at]) * (1 + 0.0005 * rng.normal());
    }
    out[venue] = { venue, symbol: 'BTC/USDT:USDT', priceTimesMs, mids };
  }
  return out;
}

/**
 * Three BTC perps priced by 8h bars closing at T: binance 100, bybit 100.3 (30 bps over binance:
 * about 6 times the 5-bp noise of the history, a clean spread), okx 102 (200 bps over binance).
 */
function scannerWith(history: Record<(typeof PERPS)[number], InstrumentHistory>, config: ScannerConfigInput = {}) {
  const scanner = new Scanner({ nowMs: T, config: parseScannerConfig(config) });
  const mids = { binance: 100, okx: 102, bybit: 100.3 };
  for (const venue of PERPS) {
    const s = scanner.addInstrument(instrument(venue, 'BTC/USDT:USDT', { fundingIntervalMs: BAR }));
    scanner.updateLastPrice(s.index, mids[venue], T, BAR);
  }
  scanner.setHistory(Object.values(history));
  scanner.rescan();
  return scanner;
}

const spreads = (scanner: Scanner) => scanner.opportunities({ types: ['crossVenueSpread'] });
const pairOf = (o: { legs: { venue: string }[] }) => o.legs.map((l) => l.venue).join('/');

describe('a pair\'s history: suspect opportunities', () => {
  it('a gap seen in one observation, far beyond the pair\'s median, is flagged suspect and ranked after the clean ones', () => {
    const scanner = scannerWith(histories(0));
    const ranked = spreads(scanner);
    expect(ranked.map((o) => [pairOf(o), o.flags.includes('suspect')])).toEqual([
      ['binance/bybit', false],
      ['binance/okx', true],
      ['bybit/okx', true],
    ]);
    // Ranked last although it earns the most.
    expect(ranked[1].expectedProfitUsd).toBeGreaterThan(ranked[0].expectedProfitUsd);
    const okx = ranked[1];
    expect(okx.history).toMatchObject({ measure: 'spread', points: 200, observations: 1 });
    expect(okx.history!.currentBps).toBeCloseTo(200, 6);
    expect(okx.history!.medianAbsBps).toBeLessThan(10);
    expect(ranked[0].history!.currentBps).toBeCloseTo(30, 6);
    expect(scanner.summary()).toMatchObject({ active: 3, suspect: 2 });
  });

  it('a gap that was there at the previous observation too is not suspect (suspect.maxObservations 1), with 2 it is', () => {
    const history = histories(0);
    history.okx.mids[199] = history.binance.mids[199] * 1.02;
    const two = spreads(scannerWith(history)).find((o) => pairOf(o) === 'binance/okx')!;
    expect(two.history!.observations).toBe(2);
    expect(two.flags).not.toContain('suspect');
    const allowed = spreads(scannerWith(history, { suspect: { maxObservations: 2 } })).find((o) => pairOf(o) === 'binance/okx')!;
    expect(allowed.flags).toContain('suspect');
  });

  it('a pair with less history than suspect.minHistoryPoints is not judged; live scans (no history) neither', () => {
    const few = spreads(scannerWith(histories(0), { suspect: { minHistoryPoints: 201 } }));
    expect(few.filter((o) => o.flags.includes('suspect'))).toEqual([]);
    const live = new Scanner({ nowMs: T });
    for (const venue of PERPS) live.updateLastPrice(live.addInstrument(instrument(venue, 'BTC/USDT:USDT')).index, venue === 'okx' ? 102 : 100, T, BAR);
    expect(live.opportunities().every((o) => o.history === null && !o.flags.includes('suspect'))).toBe(true);
  });
});

describe('a pair\'s history: legs stamped alike but observed apart', () => {
  it('okx closes taken half a bar early: its pairs imply a 4 h lag and are flagged legsMisaligned, ranked last', () => {
    const ranked = spreads(scannerWith(histories(8), { suspect: { maxObservations: 0 } }));
    const byPair = new Map(ranked.map((o) => [pairOf(o), o]));
    for (const pair of ['binance/okx', 'bybit/okx']) {
      const o = byPair.get(pair)!;
      expect(o.flags).toContain('legsMisaligned');
      expect(o.history!.stepMs).toBe(BAR);
      expect(Math.abs(o.history!.impliedLagMs! - 4 * HOUR_MS)).toBeLessThan(1.5 * HOUR_MS);
      expect(o.legSkewMs).toBe(0); // the timestamps agree
    }
    const clean = byPair.get('binance/bybit')!;
    expect(clean.flags).not.toContain('legsMisaligned');
    expect(Math.abs(clean.history!.impliedLagMs!)).toBeLessThan(0.05 * BAR);
    expect(pairOf(ranked[0])).toBe('binance/bybit');
  });
});
