import { describe, expect, it } from 'vitest';
import { replayInput } from '../../src/data/replay/replay.ts';
import { Engine } from '../../src/engine/engine.ts';
import type { EngineEvent } from '../../src/engine/events.ts';
import { RiskConfigSchema, type RiskConfigInput } from '../../src/risk/riskConfig.ts';
import type { Intent, StrategyContext } from '../../src/strategy/types.ts';
import { SimulatedVenue } from '../../src/venues/sim/simulatedVenue.ts';
import { bars, EXACT_FILLS, MINUTE, perp, spot, T0 } from '../engine/engineSupport.ts';
import { ScriptedStrategy, type ScriptStep } from '../engine/scriptedStrategy.ts';

const V = 'binance';
const SPOT = { venue: V, symbol: 'BTC/USDT' };
const PERP = { venue: V, symbol: 'BTC/USDT:USDT' };

class DeniedStrategy extends ScriptedStrategy {
  readonly denied: { intent: Intent; reason: string }[] = [];
  onDenied(intent: Intent, reason: string, _context: StrategyContext): void {
    this.denied.push({ intent, reason });
  }
}

/** Long 1 BTC spot / short 1 perp on one cross 3x account of 100,000 USDT, exact fills; closes[k] is the close of the 1m bar at T0 + k min (both markets). */
async function carryRun(closes: number[], risk: RiskConfigInput | null, steps?: ScriptStep[], transferCollateral?: (venue: string, asset: string, amount: number, ts: number) => number) {
  const instruments = [spot(V), perp(V)];
  const venue = new SimulatedVenue({ venue: V, instruments, balances: { USDT: 100_000 }, fill: EXACT_FILLS, margin: { defaults: { leverage: 3, marginMode: 'cross' } } });
  const strategy = new DeniedStrategy([SPOT, PERP], steps ?? [{ atMs: T0, intent: { kind: 'openPair', id: 'p1', long: SPOT, short: PERP, notionalUsd: 50_000, reason: 'test', reasonCode: 'threshold' } }]);
  const engine = new Engine({
    venues: [venue],
    instruments,
    strategy,
    deposits: [{ venue: V, asset: 'USDT', amount: 100_000 }],
    risk: risk === null ? null : RiskConfigSchema.parse(risk),
    marginByVenue: { [V]: { leverage: 3, maintenanceMarginRate: 0.004, marginMode: 'cross' } },
    transferCollateral,
  });
  const events: EngineEvent[] = [];
  engine.events.subscribe((e) => events.push(e), { name: 'test', types: ['risk', 'order', 'intent'] });
  const rows = closes.map((close, k) => ({ ts: T0 + k * MINUTE, close }));
  const result = await engine.run(replayInput([bars(V, SPOT.symbol, rows), bars(V, PERP.symbol, rows)]));
  return { engine, result, events, strategy };
}

describe('the liquidation ladder through the engine (default risk section)', () => {
  it('shrinks both legs when the short perp is 14.4% from liquidation, then closes at 4.7%, never liquidated', async () => {
    // Opened at 50,000 (the bar closing at T0 + 1m): wallet 100,000 - 50,000 - 50 (spot fee 0.1%) - 25 (perp 0.05%) = 49,925.
    // Short 1, cross: P_liq = (E + C/|q|) / (1 + m) = (50,000 + 49,925) / 1.004 = 99,526.89; at 87,000 the distance is 14.40% < 15%.
    // The shrink to 0.5 at 87,000: wallet 49,925 + 43,500 - 43.5 - 0.5 x 37,000 - 21.75 = 74,859.75, so
    // P_liq = (50,000 + 74,859.75 / 0.5) / 1.004 = 198,923.82; at 190,000 that is 4.70% < 5%: close.
    const { result, events, engine } = await carryRun([50_000, 87_000, 87_000, 190_000, 190_000], {});
    const actions = events.flatMap((e) => (e.type === 'risk' ? [e.action] : []));
    // The 74% move from 50,000 to 87,000 within a minute also trips the price-move breaker (> 10%):
    // the venue goes REDUCING for the 60-minute cool-down, which still lets the shrink and the close through.
    expect(actions.map((a) => `${a.kind}:${a.rule}`)).toEqual(['breakerTripped:priceMove', 'shrink:liquidationRisk', 'close:liquidationRisk']);
    expect(engine.tradingState.view().venues[V]).toBe('REDUCING');
    actions.splice(0, 1);
    expect(actions[0].ts).toBe(T0 + 2 * MINUTE);
    expect(actions[0].figures.collateral).toBeCloseTo(49_925, 6);
    expect(actions[0].figures.liquidationPrice).toBeCloseTo(99_925 / 1.004, 6);
    expect(actions[0].figures.liquidationDistance).toBeCloseTo(99_925 / 1.004 / 87_000 - 1, 12);
    expect(actions[1].ts).toBe(T0 + 4 * MINUTE);
    expect(actions[1].figures.collateral).toBeCloseTo(74_859.75, 6);
    expect(actions[1].figures.liquidationPrice).toBeCloseTo(199_719.5 / 1.004, 6);
    expect(result.execution.find((e) => e.type === 'pairResized')).toMatchObject({ fromQty: 1, toQty: 0.5, reasonCode: 'liquidationRisk' });
    expect(result.execution.map((e) => e.type)).toEqual(['pairOpened', 'pairResized', 'pairAdjusted', 'pairClosed']);
    expect(result.liquidations).toEqual([]);
    expect(result.roundTrips[0].exitReason).toBe('liquidationRisk');
    expect(engine.executor.pair('p1')!.status).toBe('closed');
    expect(result.risk.actionCounts).toEqual({ 'breakerTripped:priceMove': 1, 'shrink:liquidationRisk': 1, 'close:liquidationRisk': 1 });
  });

  it('step 1 first: where the venue can move collateral to the derivatives wallet, the ladder asks for what puts the liquidation price 30% away', async () => {
    // Short 1 at E = 50,000 with C = 49,925 at the mark 87,000: for P_liq = 87,000 x 1.3 the collateral must be
    // |q| (P (1 + m) - E) = 113,100 x 1.004 - 50,000 = 63,552.4, so 13,627.4 more.
    const asked: number[] = [];
    const full = await carryRun([50_000, 87_000], { breakers: { priceMove: { maxMoveFraction: null } } }, undefined, (_v, _a, amount) => (asked.push(amount), amount));
    const actions = full.events.flatMap((e) => (e.type === 'risk' ? [e.action] : []));
    expect(asked[0]).toBeCloseTo(87_000 * 1.3 * 1.004 - 50_000 - 49_925, 6);
    expect(actions.map((a) => `${a.kind}:${a.rule}`)).toEqual(['transfer:liquidationRisk']); // all moved: no shrink
    expect(actions[0].figures.transferred).toBeCloseTo(13_627.4, 6);
    // A venue that can move only 5,000: the transfer is journalled, then the pair shrinks on the same bar.
    const part = await carryRun([50_000, 87_000], { breakers: { priceMove: { maxMoveFraction: null } } }, undefined, () => 5_000);
    expect(part.events.flatMap((e) => (e.type === 'risk' ? [`${e.action.kind}:${e.action.rule}`] : []))).toEqual(['transfer:liquidationRisk', 'shrink:liquidationRisk']);
  });

  it('without a risk section the same path liquidates the short perp (the control)', async () => {
    const { result } = await carryRun([50_000, 87_000, 87_000, 101_000, 101_000], null);
    expect(result.liquidations).toHaveLength(1);
    expect(result.liquidations[0]).toMatchObject({ symbol: PERP.symbol, positionQty: -1 });
    expect(result.risk.configured).toBe(false);
  });
});

describe('pre-trade denials through the engine', () => {
  it('maxLeverage 0.5: a 2 x 50,000 pair on 100,000 equity (1x) is denied before either leg is sent; the strategy is told', async () => {
    const { result, events, strategy } = await carryRun([50_000, 50_000], { preTrade: { maxLeverage: 0.5 } });
    expect(events.filter((e) => e.type === 'order')).toEqual([]);
    const intent = events.find((e) => e.type === 'intent');
    expect(intent).toMatchObject({ dropped: expect.stringMatching(/^risk maxLeverage: gross leverage after the order 1x/) });
    expect(strategy.denied).toHaveLength(1);
    expect(strategy.denied[0].reason).toMatch(/maxLeverage/);
    const denied = events.flatMap((e) => (e.type === 'risk' ? [e.action] : []));
    expect(denied[0]).toMatchObject({ kind: 'denied', rule: 'maxLeverage', pairId: 'p1', figures: { leverage: 1, equityUsd: 100_000 } });
    expect(result.execution).toEqual([]);
  });

  it('without a risk section, 51 pairs in one event: 50 (100 orders) go, the 51st is denied by the 100/s rate limit', async () => {
    const steps: ScriptStep[] = Array.from({ length: 51 }, (_, k) => ({ atMs: T0, intent: { kind: 'openPair' as const, id: `p${k}`, long: SPOT, short: PERP, notionalUsd: 500, reason: 'test', reasonCode: 'threshold' as const } }));
    // The scripted strategy emits one step per event: put all 51 in one step list of a strategy that returns them at once.
    const all = new DeniedStrategy([SPOT, PERP], []);
    all.onEvent = (update, context) => (update.timeMs === T0 + MINUTE && update.symbol === PERP.symbol ? steps.map((s) => s.intent) : []);
    const instruments = [spot(V), perp(V)];
    const venue = new SimulatedVenue({ venue: V, instruments, balances: { USDT: 100_000 }, fill: EXACT_FILLS, margin: { defaults: { leverage: 3 } } });
    const engine = new Engine({ venues: [venue], instruments, strategy: all, deposits: [{ venue: V, asset: 'USDT', amount: 100_000 }] });
    const rows = [{ ts: T0, close: 50_000 }];
    const result = await engine.run(replayInput([bars(V, SPOT.symbol, rows), bars(V, PERP.symbol, rows)]));
    expect(result.execution.filter((e) => e.type === 'pairOpened')).toHaveLength(50);
    expect(all.denied).toHaveLength(1);
    expect(all.denied[0].intent.id).toBe('p50');
    expect(all.denied[0].reason).toMatch(/^risk rateLimit: order rate limit on binance: 100 sent in the last 1000 ms \+ 2 > 100/);
  });
});
