import fc from 'fast-check';
import { describe, it } from 'vitest';
import { DEFAULT_SCANNER_CONFIG, parseScannerConfig, withOverrides, type ScannerConfigInput } from '../../src/strategy/scanner/config.ts';
import { checkProperty, PROPERTY_TIMEOUT_MS } from './support/fuzzRun.ts';
import { configMutation } from './support/mutateConfig.ts';
import { expectContract, outcomeOf } from './support/outcome.ts';
import { expectNoPollution } from './support/prototypes.ts';
import { Tally } from './support/tally.ts';

/** The defaults written out, with one venue's fee overrides, as a config file would hold them. */
const template = { ...DEFAULT_SCANNER_CONFIG, venueFees: { binance: { takerFeeRate: 0.0004, makerFeeRate: 0.0001 } }, minNetBps: undefined };

describe('fuzz: scanner configs', () => {
  it('a damaged scanner config is a config or a ConfigError, never a crash', async () => {
    const tally = new Tally('scannerConfig 1');
    await checkProperty(
      fc.asyncProperty(configMutation('scanner config', template), async ({ value }) => {
        const outcome = await outcomeOf(() => parseScannerConfig(value, 'scan.json'));
        tally.add(outcome);
        expectNoPollution();
        expectContract(outcome, 'scan.json');
      }),
      300,
    );
    tally.print();
  }, PROPERTY_TIMEOUT_MS);

  it('damaged overrides (from command-line options) of a good config are a config or a ConfigError', async () => {
    const overrides = configMutation('overrides', { notionalUsd: 5000, thresholds: { minSpreadBps: 5 }, flags: { staleQuoteMs: 1000 }, venueFees: { okx: { takerFeeRate: 0.0005 } } });
    await checkProperty(
      fc.asyncProperty(overrides, async ({ value }) => {
        expectContract(await outcomeOf(() => withOverrides(DEFAULT_SCANNER_CONFIG, value as ScannerConfigInput, 'options')), 'options');
        expectNoPollution();
      }),
      300,
    );
  }, PROPERTY_TIMEOUT_MS);
});
