import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.ts';
import { loadBacktestConfig, parseBacktestConfig, runBacktest } from '../../src/engine/backtest.ts';
import { PROJECT_ROOT } from '../support/paths.ts';
import { useTempDirs } from '../support/tempDir.ts';
import { checkProperty, PROPERTY_TIMEOUT_MS } from './support/fuzzRun.ts';
import { configMutation } from './support/mutateConfig.ts';
import { textMutation } from './support/mutateText.ts';
import { expectContract, outcomeOf } from './support/outcome.ts';
import { expectNoPollution } from './support/prototypes.ts';
import { Tally } from './support/tally.ts';

const EXAMPLES = join(PROJECT_ROOT, 'examples');
const backtests = readdirSync(EXAMPLES)
  .filter((f) => f.startsWith('backtest-'))
  .sort()
  .map((f) => ({ name: f, text: readFileSync(join(EXAMPLES, f), 'utf8'), value: JSON.parse(readFileSync(join(EXAMPLES, f), 'utf8')) as Record<string, unknown> }));
const synthetic = backtests.filter((b) => (b.value.data as { source: string }).source === 'synthetic');

const anyExample = fc.constantFrom(...backtests).chain((b) => configMutation(b.name, b.value));

/** A run is short when its market is: an hour of 1m bars, whatever days the config asked for. */
const TINY_DAYS = 1 / 24;

describe('fuzz: backtest configs', () => {
  const tempDir = useTempDirs();

  it('a damaged example config is a config or a ConfigError, never a crash', async () => {
    const tally = new Tally('backtestConfig 1');
    await checkProperty(
      fc.asyncProperty(anyExample, async ({ value }) => {
        const outcome = await outcomeOf(() => parseBacktestConfig(value, 'config.json'));
        tally.add(outcome);
        expectNoPollution();
        expectContract(outcome, 'config.json');
      }),
      300,
    );
    tally.print();
  }, PROPERTY_TIMEOUT_MS);

  it('a damaged config file (not JSON, cut short, odd bytes) is a ConfigError naming the file', async () => {
    const path = join(tempDir(), 'backtest.json');
    const anyText = fc.constantFrom(...backtests).chain((b) => textMutation(b.name, b.text));
    await checkProperty(
      fc.asyncProperty(anyText, async ({ bytes }) => {
        writeFileSync(path, bytes);
        expectContract(await outcomeOf(() => loadBacktestConfig(path)), path);
      }),
      100,
    );
  }, PROPERTY_TIMEOUT_MS);

  // What the schema accepts must run: a value it lets through that the engine then trips over is a gap in the schema.
  it('a damaged synthetic config the schema accepts runs (on an hour of bars) or fails with a project error', async () => {
    const anySynthetic = fc.constantFrom(...synthetic).chain((b) => configMutation(b.name, b.value));
    const tally = new Tally('backtestConfig 2');
    await checkProperty(
      fc.asyncProperty(anySynthetic, async ({ value }) => {
        let config;
        try {
          config = parseBacktestConfig(value, 'config.json');
        } catch (error) {
          if (error instanceof ConfigError) return;
          throw error;
        }
        if (config.data.source !== 'synthetic') return;
        const tiny = { ...config, data: { ...config.data, days: Math.min(config.data.days, TINY_DAYS) } };
        const outcome = await outcomeOf(() => runBacktest(tiny));
        tally.add(outcome);
        expectNoPollution();
        expectContract(outcome);
      }),
      60,
    );
    tally.print();
  }, PROPERTY_TIMEOUT_MS);
});
