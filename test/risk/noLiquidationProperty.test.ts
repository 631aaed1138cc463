import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sourceFromColumns } from '../../src/data/replay/sources.ts';
import { replayInput } from '../../src/data/replay/replay.ts';
import { Engine } from '../../src/engine/engine.ts';
import { DEFAULT_RISK_CONFIG } from '../../src/risk/riskConfig.ts';
import type { RiskAction } from '../../src/risk/riskTypes.ts';
import type { VenuePosition } from '../../src/venues/tradingTypes.ts';
import { SimulatedVenue } from '../../src/venues/sim/simulatedVenue.ts';
import { EXACT_FILLS, MINUTE, perp, spot, T0 } from '../engine/engineSupport.ts';
import { ScriptedStrategy } from '../engine/scriptedStrategy.ts';

const V = 'binance';
const SPOT = { venue: V, symbol: 'BTC/USDT' };
const PERP = { venue: V, symbol: 'BTC/USDT:USDT' };

/** 1m bars with wicks: high and low `wick` beyond the open and close. */
function ohlcBars(symbol: string, closes: number[], wicks: number[]) {
  const n = closes.length;
  const open = Float64Array.from(closes.map((c, k) => (k === 0 ? c : closes[k - 1])));
  const close = Float64Array.from(closes);
  const high = Float64Array.from(closes.map((c, k) => Math.max(open[k], c) * (1 + wicks[k])));
  const low = Float64Array.from(closes.map((c, k) => Math.min(open[k], c) * (1 - wicks[k])));
  return sourceFromColumns({ table: 'bars', venue: V, symbol, timeframe: '1m' }, { ts: Float64Array.from(closes.map((_, k) => T0 + k * MINUTE)), open, high, low, close, volume: new Float64Array(n).fill(1e6) }, n);
}

/**
 * The property of the issue: on random price paths, a pair monitored with the default risk section
 * is never liquidated while a shrink or close could still have been sent one bar earlier. Checked
 * against the simulated venue's own figures (its positions(): liquidation price, margins), read at
 * the start of every bar, i.e. after the previous bar and everything the risk layer did on it: when
 * those figures were inside a trigger (distance < 15% or margin < 2x maintenance), the risk layer
 * must have acted on that bar; a liquidation may only follow a bar whose figures were outside every
 * trigger (a gap through the buffer in one bar) or one on which it acted.
 */
describe('no liquidation while the risk layer could have acted a bar earlier (fast-check)', () => {
  let acted = 0;
  let liquidated = 0;
  it('holds on random paths, cross and isolated, 2x to 5x', async () => {
    await fc.assert(
      fc.asyncProperty(
        // Bar returns from -8% to +8%, and now and then a gap of up to +40% (a short's worst case).
        fc.array(fc.oneof({ weight: 9, arbitrary: fc.integer({ min: -800, max: 800 }) }, { weight: 1, arbitrary: fc.integer({ min: 800, max: 4000 }) }).map((bps) => bps / 10_000), { minLength: 20, maxLength: 60 }),
        fc.array(fc.integer({ min: 0, max: 300 }).map((bps) => bps / 10_000), { minLength: 61, maxLength: 61 }),
        fc.constantFrom('cross' as const, 'isolated' as const),
        fc.integer({ min: 2, max: 5 }),
        async (returns, wicks, marginMode, leverage) => {
          const closes = [50_000];
          for (const r of returns) closes.push(closes[closes.length - 1] * (1 + r));
          const instruments = [spot(V), perp(V)];
          const venue = new SimulatedVenue({ venue: V, instruments, balances: { USDT: 100_000 }, fill: EXACT_FILLS, margin: { defaults: { leverage, marginMode } } });
          const strategy = new ScriptedStrategy([SPOT, PERP], [{ atMs: T0, intent: { kind: 'openPair', id: 'p1', long: SPOT, short: PERP, notionalUsd: 60_000, reason: 'test', reasonCode: 'threshold' } }]);
          const engine = new Engine({ venues: [venue], instruments, strategy, deposits: [{ venue: V, asset: 'USDT', amount: 100_000 }], risk: DEFAULT_RISK_CONFIG, marginByVenue: { [V]: { leverage, maintenanceMarginRate: 0.004, marginMode } } });
          const snapshots: { ts: number; positions: Promise<VenuePosition[]> }[] = [];
          const actions: RiskAction[] = [];
          let last = Number.NEGATIVE_INFINITY;
          engine.events.subscribe(
            (e) => {
              if (e.type === 'risk') actions.push(e.action);
              else if (e.type === 'market' && e.cursor.time > last) {
                // The venue's state after the previous bar (positions() computes at the call).
                snapshots.push({ ts: e.cursor.time, positions: venue.positions() });
                last = e.cursor.time;
              }
            },
            { name: 'property', types: ['market', 'risk'] },
          );
          const result = await engine.run(replayInput([ohlcBars(SPOT.symbol, closes, wicks), ohlcBars(PERP.symbol, closes, wicks)]));
          const states = await Promise.all(snapshots.map(async (s) => ({ ts: s.ts, positions: await s.positions })));
          if (actions.some((a) => a.pairId === 'p1' && a.kind !== 'denied')) acted++;
          for (const liq of result.liquidations) {
            liquidated++;
            const k = states.findIndex((s) => s.ts === liq.ts);
            expect(k).toBeGreaterThan(0);
            // The bar before: its figures as the venue reported them once it was processed.
            const before = states[k - 1];
            const after = states[k].positions.find((p) => p.symbol === PERP.symbol);
            if (after === undefined) continue;
            const distance = after.liquidationPrice === null ? Infinity : Math.abs(after.liquidationPrice - after.markPrice) / after.markPrice;
            const equity = (after.isolatedMargin ?? 0) + after.unrealisedPnl;
            const inside = distance < DEFAULT_RISK_CONFIG.liquidation.minLiquidationDistance || (after.isolatedMargin !== null && equity < 2 * after.maintenanceMargin);
            if (inside) {
              // Inside a trigger after bar k-1: the risk layer must have acted on it.
              expect(actions.some((a) => a.pairId === 'p1' && a.ts >= before.ts && a.ts < states[k].ts), `liquidated at ${liq.ts} though at ${before.ts} the distance was ${distance}`).toBe(true);
            }
          }
        },
      ),
      { numRuns: 150, seed: 16 },
    );
    // Not vacuous: the monitors acted on some paths and some paths gapped through to a liquidation.
    expect(acted).toBeGreaterThan(20);
    expect(liquidated).toBeGreaterThan(0);
  }, 120_000);
});
