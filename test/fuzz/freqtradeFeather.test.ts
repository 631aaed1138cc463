import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { dataPath } from '../support/paths.ts';
import { useTempDirs } from '../support/tempDir.ts';
import { checkProperty, FUZZ_NOW_MS, PROPERTY_TIMEOUT_MS } from './support/fuzzRun.ts';
import { importSandbox } from './support/importSandbox.ts';
import { byteMutation } from './support/mutateBytes.ts';
import { expectContract } from './support/outcome.ts';
import { makeBaseline, mutatedImportBreach, removeBaseline, type StoreBaseline } from './support/storeInvariance.ts';

const DIR = 'binance_usdm_perp_1m__TheSnowGuru_Market-Swarm-Agents';
const FILES = ['BTC_USDT_USDT-8h-mark.feather', 'BTC_USDT_USDT-8h-funding_rate.feather'];

describe('fuzz: freqtrade Feather files', () => {
  const tempDir = useTempDirs();

  for (const name of FILES) {
    it(`damaged copies of ${name} parse to rows or an InputError naming the file, never a crash or a hang`, async () => {
      const original = readFileSync(dataPath(DIR, name));
      const dir = join(tempDir(), 'binance');
      mkdirSync(dir);
      const path = join(dir, name);
      await checkProperty(
        fc.asyncProperty(byteMutation(name, original), async (mutation) => {
          writeFileSync(path, mutation.bytes);
          expectContract(await importSandbox().run({ op: 'parse', format: 'freqtrade', path, options: {}, nowMs: FUZZ_NOW_MS }), path);
        }),
        60,
      );
    }, PROPERTY_TIMEOUT_MS);
  }

  describe('into a store holding the good file', () => {
    let baseline: StoreBaseline;
    const name = FILES[0];
    const original = readFileSync(dataPath(DIR, name));
    beforeAll(async () => {
      baseline = await makeBaseline([dataPath(DIR, name)], { nowMs: FUZZ_NOW_MS });
    });
    afterAll(() => removeBaseline(baseline));

    it('a damaged copy is imported or refused; what was stored stays as it was and data check finds nothing', async () => {
      await checkProperty(
        fc.asyncProperty(byteMutation(name, original), async (mutation) => {
          const breach = await mutatedImportBreach(baseline, join('binance', name), mutation.bytes, { nowMs: FUZZ_NOW_MS });
          if (breach) throw new Error(breach);
        }),
        4,
      );
    }, PROPERTY_TIMEOUT_MS);
  });
});
