import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/core/errors.ts';
import { loadBacktestConfig, parseBacktestConfig } from '../../../src/engine/backtestConfig.ts';
import { loadScannerConfigFile } from '../../../src/strategy/scanner/config.ts';
import { PROJECT_ROOT } from '../../support/paths.ts';
import { useTempDirs } from '../../support/tempDir.ts';

const example = () => JSON.parse(readFileSync(join(PROJECT_ROOT, 'examples', 'backtest-ou-synthetic.json'), 'utf8'));

const problems = (value: unknown): readonly string[] => {
  try {
    parseBacktestConfig(value, 'config.json');
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
};

/**
 * Found by test/fuzz/backtestConfig.test.ts (seed 20240603): configs the schema accepted whose run
 * then failed with a plain Error (exit 1, after work had started), e.g. a synthetic perp without a
 * maker fee: "synthetic SYN/USDT:USDT: makerFeeRate is unknown; give it in the fee overrides
 * (bySymbol or default)", naming no config field. They are ConfigErrors naming the field now.
 */
describe('backtest config: instruments, venues and synthetic data agree', () => {
  const tempDir = useTempDirs();

  it('a synthetic instrument without a fee rate names the field', () => {
    const config = example();
    delete config.instruments[1].makerFeeRate;
    expect(problems(config)).toEqual(['instruments.1.makerFeeRate: is required with synthetic data (the synthetic market has no fees)']);
  });

  it('an instrument of no configured venue, a venue without instruments, a market synthetic data does not have', () => {
    const config = example();
    config.instruments[0].id = 'binance:SYN/USDT';
    expect(problems(config)).toEqual([
      `instruments.0.id: venue 'binance' is not configured under "venues"`,
      "instruments.0.id: synthetic data lives on venue 'synthetic' (got 'binance')",
    ]);
    const other = example();
    other.instruments[1].id = 'synthetic:ETH/USDT:USDT';
    other.venues.push({ venue: 'okx', balances: { USDT: 1 } });
    expect(problems(other)).toEqual(["venues.1.venue: no instrument of the config is on venue 'okx'", 'instruments.1.id: the synthetic market has SYN/USDT and SYN/USDT:USDT (got ETH/USDT:USDT)']);
  });

  it('the examples stay valid', () => {
    for (const name of ['backtest-carry-synthetic.json', 'backtest-ou-synthetic.json', 'backtest-carry-binance.json', 'backtest-fundingdiff-aha.json']) {
      expect(problems(JSON.parse(readFileSync(join(PROJECT_ROOT, 'examples', name), 'utf8')))).toEqual([]);
    }
  });

  // Also found there: JSON.parse quotes the text around the fault, line breaks included.
  it('a config file that is not JSON is a one-line ConfigError', () => {
    const path = join(tempDir(), 'config.json');
    writeFileSync(path, '  ],\n  "strategy": 1\n}');
    for (const load of [loadBacktestConfig, loadScannerConfigFile]) {
      const error = (() => {
        try {
          load(path);
        } catch (e) {
          return e as Error;
        }
      })();
      expect(error).toBeInstanceOf(ConfigError);
      expect(error!.message).toMatch(/^\S+config\.json: not valid JSON: \w+ at line \d+, column \d+$/);
      expect(error!.message).not.toContain('\n');
    }
  });
});
