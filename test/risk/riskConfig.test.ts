import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.ts';
import { parseBacktestConfig } from '../../src/engine/backtestConfig.ts';
import { parseRunConfig } from '../../src/engine/runtime/runConfig.ts';
import { expandGrid } from '../../src/engine/sweep/grid.ts';
import { parseSweepConfig } from '../../src/engine/sweep/sweepConfig.ts';
import { DEFAULT_RISK_CONFIG } from '../../src/risk/riskConfig.ts';
import { PROJECT_ROOT } from '../support/paths.ts';

const EXAMPLES = join(PROJECT_ROOT, 'examples');
const example = () => JSON.parse(readFileSync(join(EXAMPLES, 'backtest-carry-rally-2023-norisk.json'), 'utf8')) as Record<string, unknown>;

describe('the risk section of every config kind', () => {
  it('is optional (absent: the safety minimum), and {} is every default', () => {
    expect(parseBacktestConfig(example()).risk).toBeUndefined();
    const withRisk = parseBacktestConfig({ ...example(), risk: {} });
    expect(withRisk.risk).toEqual(DEFAULT_RISK_CONFIG);
    expect(DEFAULT_RISK_CONFIG.preTrade.maxOrdersPerSecond).toBe(100);
    expect(DEFAULT_RISK_CONFIG.liquidation).toEqual({ marginBufferMultiple: 2, minLiquidationDistance: 0.15, closeLiquidationDistance: 0.05, shrinkKeepFraction: 0.5, transferCollateral: true });
    expect(DEFAULT_RISK_CONFIG.delta.maxDriftFraction).toBe(0.02);
    expect(DEFAULT_RISK_CONFIG.basis).toEqual({ adverseMove: 0.005, adverseKeepFraction: 0.5, favourableMove: 0.01, favourableAddFraction: 0.25, addOnFavourable: false });
  });

  it('rejects unknown keys and values out of range, naming the path', () => {
    expect(() => parseBacktestConfig({ ...example(), risk: { liquidation: { bufferMultiple: 2 } } }, 'b.json')).toThrow(ConfigError);
    expect(() => parseBacktestConfig({ ...example(), risk: { liquidation: { bufferMultiple: 2 } } }, 'b.json')).toThrow(/risk\.liquidation.*bufferMultiple/);
    expect(() => parseBacktestConfig({ ...example(), risk: { preTrade: { maxOrdersPerSecond: 0 } } }, 'b.json')).toThrow(/risk\.preTrade\.maxOrdersPerSecond: must be an integer in \[1, 100000\]/);
    expect(() => parseBacktestConfig({ ...example(), risk: { breakers: { drawdown: { action: 'PAUSED' } } } }, 'b.json')).toThrow(/risk\.breakers\.drawdown\.action/);
  });

  it('a run config takes it, and a sweep grid can vary it', () => {
    const { $schema: _s, ...base } = example();
    const run = parseRunConfig({ ...base, risk: { exits: { maxHoldingDays: 30 } } });
    expect(run.risk?.exits.maxHoldingDays).toBe(30);
    const spec = parseSweepConfig({ base: { ...base, risk: {} }, grid: { 'risk.liquidation.minLiquidationDistance': [0.1, 0.2] } }, 'inline', EXAMPLES);
    const combos = expandGrid(spec.baseRaw, spec.grid, 'inline');
    expect(combos.map((c) => (c.config as { risk: { liquidation: { minLiquidationDistance: number } } }).risk.liquidation.minLiquidationDistance)).toEqual([0.1, 0.2]);
  });
});
