import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { dataPath } from '../support/paths.ts';
import { useTempDirs } from '../support/tempDir.ts';
import { checkProperty, FUZZ_NOW_MS, PROPERTY_TIMEOUT_MS } from './support/fuzzRun.ts';
import { importSandbox } from './support/importSandbox.ts';
import { describeImporterFuzz } from './support/importerProperties.ts';
import { byteMutation } from './support/mutateBytes.ts';
import { jsonEdit, applyJsonEdit } from './support/mutateJson.ts';
import { expectContract } from './support/outcome.ts';
import { joinedCsvSeed } from './support/seedFiles.ts';

const DIR = 'binance_usdm_perp_1m__TheSnowGuru_Market-Swarm-Agents';

for (const name of ['BTC_USDT_USDT-8h-mark.feather', 'BTC_USDT_USDT-8h-funding_rate.feather']) {
  const seed = readFileSync(dataPath(DIR, name));
  describeImporterFuzz({ title: `freqtrade ${name}`, fileName: join('binance', name), format: 'freqtrade', seed, mutation: byteMutation(name, seed) });
}

/** freqtrade's older JSON candle files ([[ms, open, high, low, close, volume], ...]) from the joined CSV's perp columns. */
function jsonCandles(): unknown[] {
  return joinedCsvSeed()
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.split(',').map(Number))
    .map((f) => [f[0], f[7], f[8], f[9], f[10], f[11]]);
}

describe('fuzz: freqtrade JSON candle files', () => {
  const tempDir = useTempDirs();

  // The importer reads Feather only: any .json, however damaged, is refused naming the file and the naming it reads.
  it('are refused naming the file, never a crash', async () => {
    const dir = join(tempDir(), 'binance');
    mkdirSync(dir);
    const path = join(dir, 'BTC_USDT_USDT-1m-futures.json');
    await checkProperty(
      fc.asyncProperty(fc.array(jsonEdit, { maxLength: 3 }), async (edits) => {
        const candles = jsonCandles();
        for (const edit of edits) applyJsonEdit(candles, edit);
        writeFileSync(path, JSON.stringify(candles));
        expectContract(await importSandbox().run({ op: 'parse', format: 'freqtrade', path, options: {}, nowMs: FUZZ_NOW_MS }), path);
      }),
      10,
    );
  }, PROPERTY_TIMEOUT_MS);
});
