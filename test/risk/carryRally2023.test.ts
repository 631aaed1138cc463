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
 * 50,000 USD a leg of 100,000 USDT equity, the perp at 3x cross. BTC went from 16.5k to 42k: the
 * short perp's collateral is the USDT left after buying spot (about 50k), so its liquidation price
 * is about (E + C/q) / (1 + m) = (16,519 + 50,000/3.025) / 1.004 = 32.9k, crossed in October.
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
    const shrinks = risk.summary.risk.actions.filter((a) => a.kind === 'shrink' && a.rule === 'liquidationRisk');
    expect(shrinks.length).toBeGreaterThanOrEqual(1);
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
    expect(trip.riskActions).toEqual(shrinks.map(() => 'shrink:liquidationRisk'));
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
