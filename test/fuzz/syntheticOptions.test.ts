import fc from 'fast-check';
import { describe, it } from 'vitest';
import { generateSyntheticMarket, DEFAULT_SYNTHETIC_OPTIONS } from '../../src/data/synthetic/market.ts';
import { SyntheticMarketOptionsSchema } from '../../src/data/synthetic/optionsSchema.ts';
import { parseConfig } from '../../src/domain/config/issue.ts';
import { ConfigError } from '../../src/core/errors.ts';
import { checkProperty, PROPERTY_TIMEOUT_MS } from './support/fuzzRun.ts';
import { configMutation } from './support/mutateConfig.ts';
import { expectContract, outcomeOf } from './support/outcome.ts';
import { expectNoPollution } from './support/prototypes.ts';
import { Tally } from './support/tally.ts';

/** A small market (two hours of 1m bars), so that accepted options can be generated in most cases. */
const template = { ...DEFAULT_SYNTHETIC_OPTIONS, bars: 120, perpBars: null, initialBasis: null };
const MAX_GENERATED_STEPS = 200_000;

describe('fuzz: synthetic market options', () => {
  it('damaged options are rejected with a ConfigError, or generate a market of finite, positive prices', async () => {
    const tally = new Tally('syntheticOptions 1');
    await checkProperty(
      fc.asyncProperty(configMutation('synthetic options', template), async ({ value }) => {
        let options;
        try {
          options = parseConfig(SyntheticMarketOptionsSchema, value, 'options');
        } catch (error) {
          if (!(error instanceof ConfigError)) throw error;
          tally.add({ ended: 'error', errorClass: 'ConfigError', projectError: true, message: error.message, stack: '' });
          return;
        }
        if (options.bars * options.stepsPerBar > MAX_GENERATED_STEPS) return tally.add({ ended: 'result', summary: { tooLargeToGenerate: true } });
        const outcome = await outcomeOf(() => {
          const market = generateSyntheticMarket(options);
          for (const series of [market.spot, market.perp]) {
            for (const name of ['open', 'high', 'low', 'close']) {
              const bad = (series.columns[name] as Float64Array).find((p) => !(Number.isFinite(p) && p > 0));
              if (bad !== undefined) throw new Error(`${series.key.symbol} ${name} ${bad}: not a finite positive price`);
            }
          }
          return market;
        });
        tally.add(outcome);
        expectNoPollution();
        expectContract(outcome);
      }),
      100,
    );
    tally.print();
  }, PROPERTY_TIMEOUT_MS);
});
