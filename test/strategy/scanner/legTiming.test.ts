import { describe, expect, it } from 'vitest';
import { HOUR_MS, MINUTE_MS } from '../../../src/core/time.ts';
import type { BarEvent } from '../../../src/domain/events.ts';
import { parseScannerConfig } from '../../../src/strategy/scanner/config.ts';
import { Scanner } from '../../../src/strategy/scanner/scanner.ts';
import { instrument } from './support.ts';

const T = Date.UTC(2024, 0, 15, 16);
const BIG = 1e9;

/** An 8h (or other) trade bar closing at closeMs. */
const bar = (venue: string, symbol: string, closeMs: number, close: number, intervalMs = 8 * HOUR_MS): BarEvent => ({
  type: 'bar',
  venue,
  symbol,
  ts: closeMs - intervalMs,
  receivedAt: null,
  priceType: 'trade',
  intervalMs,
  open: close,
  high: close,
  low: close,
  close,
  volume: null,
});

/** A spot and a perp of one venue whose basis is 50 bps, priced by bars closing at the given times. */
function barPair(spotCloseMs: number, perpCloseMs: number, intervalMs = 8 * HOUR_MS, config = parseScannerConfig({})) {
  const scanner = new Scanner({ nowMs: T, config });
  scanner.addInstrument(instrument('okx', 'BTC/USDT'));
  scanner.addInstrument(instrument('okx', 'BTC/USDT:USDT', { fundingIntervalMs: 8 * HOUR_MS }));
  scanner.apply(bar('okx', 'BTC/USDT', spotCloseMs, 100, intervalMs));
  scanner.apply(bar('okx', 'BTC/USDT:USDT', perpCloseMs, 100.5, intervalMs));
  scanner.rescan();
  return scanner;
}

describe('leg timing: ages, skew and the tolerance', () => {
  it('reports each leg\'s observation time and age, the skew between legs and the tolerance used', () => {
    const scanner = barPair(T - 4 * HOUR_MS, T - 4 * HOUR_MS);
    const [basis] = scanner.opportunities({ types: ['basis'] });
    expect(basis.legs.map((l) => [l.symbol, l.observedAt, l.ageMs])).toEqual([
      ['BTC/USDT', '2024-01-15T12:00:00.000Z', 4 * HOUR_MS],
      ['BTC/USDT:USDT', '2024-01-15T12:00:00.000Z', 4 * HOUR_MS],
    ]);
    expect(basis.legSkewMs).toBe(0);
    expect(basis.maxLegSkewMs).toBe(4 * HOUR_MS); // half the 8 h bar
  });

  it('bars: legs half a bar apart are compared, further apart they are not (and say so)', () => {
    const at = barPair(T, T - 4 * HOUR_MS);
    expect(at.opportunities({ types: ['basis'] }).map((o) => o.legSkewMs)).toEqual([4 * HOUR_MS]);
    expect(at.summary().legsApart).toBe(0);
    const past = barPair(T, T - 4 * HOUR_MS - 1);
    expect(past.opportunities({ types: ['basis'] })).toEqual([]);
    expect(past.summary()).toMatchObject({ legsApart: 1, computable: 0 }); // the carry waits for funding
    expect(past.notCompared().map((s) => s.type)).toEqual(['basis']);
    // The carry's edge is funding: computed, flagged.
    past.updateFunding(1, 0.0003, 8 * HOUR_MS, T - 2 * HOUR_MS, Number.NaN);
    expect(past.opportunities({ types: ['fundingCarry'] })[0].flags).toContain('legsApart');
    expect(past.summary()).toMatchObject({ legsApart: 1, computable: 1 });
  });

  it('two bar lengths: half the shorter one', () => {
    // 1m bars of spot, 8h bars of the perp: 30 s.
    const scanner = new Scanner({ nowMs: T });
    scanner.addInstrument(instrument('okx', 'BTC/USDT'));
    scanner.addInstrument(instrument('okx', 'BTC/USDT:USDT'));
    scanner.apply(bar('okx', 'BTC/USDT', T, 100, MINUTE_MS));
    scanner.apply(bar('okx', 'BTC/USDT:USDT', T - 30_000, 100.5));
    scanner.rescan();
    expect(scanner.opportunities({ types: ['basis'] })[0].maxLegSkewMs).toBe(30_000);
    scanner.apply(bar('okx', 'BTC/USDT:USDT', T - 30_001, 100.5));
    expect(scanner.opportunities({ types: ['basis'] })).toEqual([]);
  });

  it('quotes and books (live): 5 s by default', () => {
    const scanner = new Scanner({ nowMs: T });
    const a = scanner.addInstrument(instrument('binance', 'BTC/USDT:USDT'));
    const b = scanner.addInstrument(instrument('okx', 'BTC/USDT:USDT'));
    scanner.updateQuote(a.index, 100, BIG, 100.01, BIG, T);
    scanner.updateQuote(b.index, 100.5, BIG, 100.51, BIG, T - 5_000);
    const [spread] = scanner.opportunities({ types: ['crossVenueSpread'] });
    expect([spread.legSkewMs, spread.maxLegSkewMs]).toEqual([5_000, 5_000]);
    expect(spread.legs.map((l) => l.ageMs)).toEqual([0, 5_000]);
    scanner.updateQuote(b.index, 100.5, BIG, 100.51, BIG, T - 5_001);
    expect(scanner.opportunities({ types: ['crossVenueSpread'] })).toEqual([]);
    expect(scanner.summary().legsApart).toBe(1);
    // A fresh quote brings the pair back.
    scanner.updateQuote(b.index, 100.5, BIG, 100.51, BIG, T);
    expect(scanner.opportunities({ types: ['crossVenueSpread'] })).toHaveLength(1);
    expect(scanner.summary().legsApart).toBe(0);
  });

  it('maxLegSkewMs and quoteLegSkewMs in the config replace the defaults', () => {
    const fixed = barPair(T, T - 6 * HOUR_MS, 8 * HOUR_MS, parseScannerConfig({ maxLegSkewMs: 6 * HOUR_MS }));
    expect(fixed.opportunities({ types: ['basis'] }).map((o) => [o.legSkewMs, o.maxLegSkewMs])).toEqual([[6 * HOUR_MS, 6 * HOUR_MS]]);
    const scanner = new Scanner({ nowMs: T, config: parseScannerConfig({ quoteLegSkewMs: 60_000 }) });
    const a = scanner.addInstrument(instrument('binance', 'BTC/USDT:USDT'));
    const b = scanner.addInstrument(instrument('okx', 'BTC/USDT:USDT'));
    scanner.updateQuote(a.index, 100, BIG, 100.01, BIG, T);
    scanner.updateQuote(b.index, 100.5, BIG, 100.51, BIG, T - 60_000);
    expect(scanner.opportunities({ types: ['crossVenueSpread'] }).map((o) => o.maxLegSkewMs)).toEqual([60_000]);
    expect(() => parseScannerConfig({ maxLegSkewMs: -1 })).toThrow('config: maxLegSkewMs: must be an integer in [0, 86400000] ms (got -1)');
  });
});
