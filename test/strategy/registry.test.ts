import { describe, expect, it } from 'vitest';
import { parseBacktestConfig } from '../../src/engine/backtestConfig.ts';
import { createStrategy, STRATEGIES, strategyEntry } from '../../src/strategy/registry.ts';
import { runCli } from '../support/cli.ts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../support/paths.ts';

const example = (name: string) => JSON.parse(readFileSync(join(PROJECT_ROOT, 'examples', name), 'utf8')) as Record<string, unknown>;

describe('the strategy registry', () => {
  it('maps each config type to its strategy and params schema', () => {
    expect(STRATEGIES.map((e) => e.type)).toEqual(['fundingCarry', 'ouBasis', 'fundingDifferential', 'crossVenueSpread', 'calendarSpread', 'fundingFlip']);
    for (const [file, type] of [['backtest-carry-synthetic.json', 'fundingCarry'], ['backtest-ou-synthetic.json', 'ouBasis'], ['backtest-fundingdiff-aha.json', 'fundingDifferential'], ['backtest-perp-spread-aha.json', 'crossVenueSpread'], ['backtest-calendar-synthetic.json', 'calendarSpread'], ['backtest-fundingflip-aha.json', 'fundingFlip']] as const) {
      const config = parseBacktestConfig(example(file));
      expect(config.strategy.type).toBe(type);
      expect(createStrategy(config.strategy).name).toBe(type);
    }
  });

  it('an unknown type is a config error listing the known ones; params are checked by the type they belong to', () => {
    const bad = { ...example('backtest-carry-synthetic.json'), strategy: { type: 'gridBot', params: {} } };
    expect(() => parseBacktestConfig(bad)).toThrow(/strategy\.type/);
    expect(() => strategyEntry('gridBot')).toThrow("unknown strategy type 'gridBot' (one of fundingCarry, ouBasis, fundingDifferential, crossVenueSpread, calendarSpread, fundingFlip)");
    const ouParamsOnCarry = { ...example('backtest-carry-synthetic.json'), strategy: { type: 'fundingCarry', params: { ...(example('backtest-ou-synthetic.json').strategy as { params: object }).params } } };
    expect(() => parseBacktestConfig(ouParamsOnCarry)).toThrow(/unknown key/);
  });

  it('backtest --help lists every strategy with its summary', async () => {
    const help = await runCli(['backtest', '--help']);
    for (const e of STRATEGIES) expect(help.stdout).toContain(`  ${e.type.padEnd(20)} ${e.summary}`);
  });
});
