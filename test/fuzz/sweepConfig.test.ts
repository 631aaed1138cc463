import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { planSweep } from '../../src/engine/sweep/sweep.ts';
import { parseSweepConfig } from '../../src/engine/sweep/sweepConfig.ts';
import { PROJECT_ROOT } from '../support/paths.ts';
import { checkProperty, PROPERTY_TIMEOUT_MS } from './support/fuzzRun.ts';
import { configMutation } from './support/mutateConfig.ts';
import { expectContract, outcomeOf } from './support/outcome.ts';
import { expectNoPollution } from './support/prototypes.ts';
import { Tally } from './support/tally.ts';
import { weirdJson } from './support/weirdValues.ts';

const EXAMPLES = join(PROJECT_ROOT, 'examples');
const readJson = (name: string) => JSON.parse(readFileSync(join(EXAMPLES, name), 'utf8')) as Record<string, unknown>;

/** The synthetic sweep examples with their base inlined: the whole sweep is in one object, for the mutations to reach. */
const sweeps = readdirSync(EXAMPLES)
  .filter((f) => f.startsWith('sweep-') && f.includes('synthetic'))
  .sort()
  .map((f) => {
    const sweep = readJson(f);
    return { name: f, value: { ...sweep, base: readJson(sweep.base as string) } };
  });

const gridPath = fc.oneof(
  fc.constantFrom('data.days', 'data.seed', 'venues.0.halfSpreadBps', 'venues.9.leverage', 'instruments.0.id', 'strategy.type', 'strategy.params', '__proto__.x', 'constructor.prototype.x', 'data', '', '.', 'a..b', 'venues.-1.x', 'venues.1e3.x', 'equitySampleMinutes'),
  fc.array(fc.constantFrom('data', 'days', 'venues', '0', '1', 'strategy', 'params', '__proto__', 'x'), { minLength: 1, maxLength: 4 }).map((s) => s.join('.')),
);
const gridEdit = fc.record({ path: gridPath, values: fc.array(weirdJson, { minLength: 0, maxLength: 4 }) });

describe('fuzz: sweep files', () => {
  it('a damaged synthetic sweep is a plan or a ConfigError, never a crash', async () => {
    const anySweep = fc.tuple(fc.constantFrom(...sweeps), fc.array(gridEdit, { maxLength: 2 })).chain(([s, grid]) => {
      const value = structuredClone(s.value);
      for (const { path, values } of grid) Object.defineProperty((value as unknown as { grid: object }).grid, path, { value: values, enumerable: true, writable: true, configurable: true });
      return configMutation(s.name, JSON.parse(JSON.stringify(value)));
    });
    const tally = new Tally('sweepConfig 1');
    await checkProperty(
      fc.asyncProperty(anySweep, async ({ value }) => {
        // A ConfigError names the sweep file, or the base file it points to.
        const outcome = await outcomeOf(() => planSweep(parseSweepConfig(value, 'sweep.json', EXAMPLES)));
        tally.add(outcome);
        expectNoPollution();
        expectContract(outcome);
      }),
      300,
    );
    tally.print();
  }, PROPERTY_TIMEOUT_MS);
});
