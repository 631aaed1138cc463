import { describe, expect, it } from 'vitest';
import { applyPoolUpdate, populatedScanner, syntheticUniverse } from '../../../bench/scanBench.ts';
import { withOverrides } from '../../../src/strategy/scanner/config.ts';
import { toOpportunity } from '../../../src/strategy/scanner/opportunity.ts';

describe('incremental scanning', () => {
  const universe = syntheticUniverse({ seed: 11, venues: 4, assetsPerVenue: 20 });

  it('makes one slot per type and pair, indexed by instrument and by asset', () => {
    const { scanner } = populatedScanner(universe, 12);
    // per asset and venue: carry + basis (spot/perp), calendar future vs spot and vs perp; per asset: 6 perp pairs x 2 types
    expect(scanner.slots).toHaveLength(20 * (4 * 4 + 6 * 2));
    const perp = scanner.indexOf('synthetic-1', 'A3/USDT:USDT');
    const types = scanner.slotsOfInstrument(perp).map((s) => s.type).sort();
    expect(types).toEqual(['basis', 'calendarSpread', ...Array(3).fill('crossVenueSpread'), 'fundingCarry', ...Array(3).fill('fundingDifferential')].sort());
    expect(scanner.slotsOfAsset('A3').every((s) => s.assetKey === 'A3')).toBe(true);
    expect(scanner.slotsOfAsset('A3')).toHaveLength(16 + 12);
  });

  it('an update recomputes only the opportunities involving its instrument', () => {
    const { scanner } = populatedScanner(universe, 12);
    const before = scanner.slots.map((s) => s.recomputations);
    const total = scanner.stats.recomputations;
    const spot = scanner.indexOf('synthetic-2', 'A7/USDT');
    const s = scanner.state.instruments[spot];
    scanner.updateQuote(spot, s.bid * 1.01, 5, s.ask * 1.01, 5, universe.nowMs);
    const touched = scanner.slots.filter((slot, k) => slot.recomputations !== before[k]);
    expect(scanner.stats.recomputations - total).toBe(3); // carry, basis, calendar vs the future
    expect(touched.map((slot) => slot.type).sort()).toEqual(['basis', 'calendarSpread', 'fundingCarry']);
    expect(touched.every((slot) => slot.a.index === spot || slot.b.index === spot)).toBe(true);
    expect(touched.every((slot) => slot.recomputations === before[slot.slotIndex] + 1)).toBe(true);
  });

  it('after many random updates, gives exactly what a full rescan gives', () => {
    const { scanner, pool } = populatedScanner(universe, 13);
    const fresh = populatedScanner(universe, 13).scanner;
    let recomputedByUpdates = 0;
    for (let k = 0; k < 20_000; k++) {
      const before = scanner.stats.recomputations;
      applyPoolUpdate(scanner, pool, k % pool.size, universe.nowMs);
      recomputedByUpdates += scanner.stats.recomputations - before;
      applyPoolUpdate(fresh, pool, k % pool.size, universe.nowMs);
    }
    expect(recomputedByUpdates).toBeLessThan(20_000 * 12); // a perp has 2 + 1 + 3 * 2 = 9 slots, spot 3, future 2
    const incremental = scanner.opportunities();
    expect(incremental.length).toBeGreaterThan(0);
    fresh.rescan();
    expect(fresh.opportunities()).toEqual(incremental);
    scanner.rescan();
    expect(scanner.opportunities()).toEqual(incremental);
  });

  it('moving the clock and rescanning brings time terms (funding settlements, expiry, quote age) to the new time', () => {
    const { scanner } = populatedScanner(universe, 14);
    const calendar = scanner.slots.find((slot) => slot.type === 'calendarSpread' && slot.a.instrument.kind === 'perp')!;
    const carry = scanner.slots.find((slot) => slot.type === 'fundingCarry' && slot.b === calendar.a)!;
    const before = { horizonMs: calendar.horizonMs, funding: calendar.fundingFraction, flags: calendar.flags };
    expect(before.horizonMs).toBe(60 * 86_400_000);
    // With the default limits, 10-day-old prices are not used at all.
    scanner.setNow(universe.nowMs + 10 * 86_400_000);
    scanner.rescan();
    expect(calendar.computable).toBe(false);
    expect(scanner.summary()).toMatchObject({ priced: 240, pricesTooOld: 240 });
    // Allowed to be that old, they are used, and flagged stale.
    scanner.setConfig(withOverrides(scanner.config, { maxPriceAgeMs: 30 * 86_400_000, maxFundingAgeMs: 30 * 86_400_000 }));
    expect(calendar.horizonMs).toBe(before.horizonMs - 10 * 86_400_000);
    // the perp funds every 8 h or 1 h: 50 days hold 5/6 of the settlements of 60
    expect(calendar.fundingFraction).toBeCloseTo((before.funding * 50) / 60, 10);
    expect(calendar.flags & ~before.flags).not.toBe(0); // stale quotes now
    expect(toOpportunity(carry, { nowMs: scanner.nowMs, config: scanner.config }).flags).toContain('staleQuote');
  });
});
