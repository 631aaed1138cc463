import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBacktestConfig, runBacktest } from '../../src/engine/backtest.ts';
import { buildBacktestReport } from '../../src/app/report/backtestReport.ts';
import { importIntoStore } from '../support/cli.ts';
import { dataPath, PROJECT_ROOT } from '../support/paths.ts';

/**
 * The example pair: long spot / short perp BTC on Binance through 2023 (AHA-HH 8h bars),
 * 50,000 USD a leg of 100,000 USDT equity (60,000 in the spot wallet, 40,000 in the derivatives
 * wallet, as Binance keeps them apart), the perp at 3x cross. BTC went from 16.5k to 42k: the short
 * perp's collateral is its wallet only (spot BTC is not collateral), 40,000 - 25 of fee, so its
 * liquidation price is about (E + C/q) / (1 + m) = (16,519 + 39,975/3.025) / 1.004 = 29.6k.
 */
describe('examples/backtest-carry-rally-2023-{norisk,risk}.json on the AHA-HH 8h data', () => {
  let root: string;
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'perp-arb-rally-'));
    await importIntoStore(join(root, 'store'), [dataPath('binance_bybit_okx_8h_spot_perp_funding__AHA-HH', 'all_exchanges.csv')]);
  }, 60_000);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const config = (name: string) => loadBacktestConfig(join(PROJECT_ROOT, 'examples', `backtest-carry-rally-2023-${name}.json`));
  const run = (name: string) => runBacktest(config(name), { storeDir: join(root, 'store') });

  it('without the risk section the rally liquidates the short perp; with it the liquidation monitor shrinks first and nothing is liquidated', async () => {
    const norisk = await run('norisk');
    expect(norisk.summary.risk.configured).toBe(false);
    expect(norisk.result.liquidations.length).toBeGreaterThanOrEqual(1);
    const liq = norisk.result.liquidations[0];
    expect(liq.symbol).toBe('BTC/USDT:USDT');
    expect(liq.positionQty).toBeLessThan(0); // the short perp
    expect(norisk.summary.roundTrips[0].exitReason).toBe('liquidation');
    expect(norisk.summary.risk.actions).toEqual([]);

    const risk = await run('risk');
    expect(risk.summary.risk.configured).toBe(true);
    expect(risk.result.liquidations).toEqual([]);
    // The ladder in order: (1) the spot wallet's free USDT moved to the derivatives wallet, not enough, so (2) a shrink on the same bar.
    const actions = risk.summary.risk.actions;
    expect(actions[0]).toMatchObject({ kind: 'transfer', rule: 'liquidationRisk', pairId: 'carry-1' });
    expect(actions[0].figures.transferred).toBeLessThan(actions[0].figures.needed);
    expect(actions[0].figures.transferred).toBeCloseTo(60_000 - 3.025 * 16_527.18 * 1.001, -1); // what the spot buy left
    expect(actions[1]).toMatchObject({ kind: 'shrink', rule: 'liquidationRisk', ts: actions[0].ts });
    const shrinks = actions.filter((a) => a.kind === 'shrink');
    const first = shrinks[0];
    // It acted before the no-risk run's liquidation, at a distance below the 15% default trigger.
    expect(first.ts).toBeLessThan(liq.ts);
    expect(first.figures.liquidationDistance).toBeLessThan(0.15);
    // The figures are the model's formula for a short: P = (E + C/|q|) / (1 + m), m = 0.4%.
    const { quantity: q, entryPrice: e, collateral: c, liquidationPrice: p, markPrice: mark } = first.figures;
    expect(q).toBeLessThan(0);
    expect(p).toBeCloseTo((e + c / -q) / 1.004, 6);
    expect(first.figures.liquidationDistance).toBeCloseTo((p - mark) / mark, 12);
    expect(risk.result.execution.some((e) => e.type === 'pairResized')).toBe(true);
    // The shrink kept half of both legs, rounded down to the 0.001 lot: the pair stays delta neutral.
    const trip = risk.summary.roundTrips[0];
    expect(trip.riskActions).toEqual(actions.map((a) => `${a.kind}:${a.rule}`));
    const pair = risk.result.execution.find((e) => e.type === 'pairResized');
    expect(pair).toMatchObject({ fromQty: trip.legs[0].quantity, toQty: Math.floor((trip.legs[0].quantity * 0.5) / 0.001 + 1e-9) * 0.001 });
    expect(risk.summary.risk.minLiquidationDistance).toBeGreaterThan(0.1);
    expect(risk.summary.risk.var.days).toBe(365);

    // The report lists the figures and every action.
    const { html } = await buildBacktestReport({ config: config('risk'), run: risk, spread: null });
    expect(html).toContain('<h2>Risk</h2>');
    expect(html).toMatch(/<table class="trips" id="risk-actions">[\s\S]*<td>shrink<\/td><td>liquidationRisk<\/td><td>carry-1<\/td>/);
    expect(html).toContain('min liquidation distance');
  }, 60_000);
});
