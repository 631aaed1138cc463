import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.ts';
import { freqtradeImporter } from '../../src/data/import/freqtrade.ts';
import { dataPath, PROJECT_ROOT } from '../support/paths.ts';
import { useTempDirs } from '../support/tempDir.ts';

const run = promisify(execFile);
const MARK = dataPath('binance_usdm_perp_1m__TheSnowGuru_Market-Swarm-Agents', 'BTC_USDT_USDT-8h-mark.feather');
const EXPECTED = "expected freqtrade's Feather v2 (an Arrow IPC file of LZ4-compressed record batches, starting and ending with ARROW1)";

describe('freqtrade importer on forged Feather files', () => {
  const tempDir = useTempDirs();

  const parseError = async (bytes: Uint8Array): Promise<InputError> => {
    const dir = join(tempDir(), 'binance');
    mkdirSync(dir);
    const path = join(dir, 'BTC_USDT_USDT-8h-mark.feather');
    writeFileSync(path, bytes);
    const error = await freqtradeImporter.parse(path, {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    const message = (error as InputError).message;
    expect(message.startsWith(`${path}: `)).toBe(true);
    expect(message).not.toContain('\n');
    return error as InputError;
  };

  it('says what is wrong and what was expected, never a library crash', async () => {
    const random = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 151 + 7) % 256));
    expect((await parseError(random)).message).toMatch(/: not an Arrow IPC \(Feather v2\) file: it starts with bytes 07 9e 35 cc 63 fa 91 28; expected freqtrade's/);
    expect((await parseError(new Uint8Array(0))).message).toContain('it starts with bytes (none: empty file)');

    // Starts and ends like Arrow, garbage between: apache-arrow used to answer "Cannot read properties of null (reading 'fieldsLength')".
    const forged = Buffer.concat([Buffer.from('ARROW1\0\0'), random, Buffer.from('ARROW1')]);
    const message = (await parseError(forged)).message;
    expect(message).toMatch(/: malformed Arrow IPC \(Feather v2\) file: .*\(damaged or not written by freqtrade\?\); /);
    expect(message.endsWith(EXPECTED)).toBe(true);
    expect(message).not.toMatch(/Cannot read properties|undefined|null/);

    const truncated = readFileSync(MARK).subarray(0, 1000);
    expect((await parseError(truncated)).message).toContain('Feather file is truncated: ARROW1 magic missing at the end (1000 bytes)');
  });

  // Before: seeded damage to a real file made apache-arrow loop forever (a footer block pointing at
  // the schema message; a metadata vector length of 2^31) and lz4js copy for seconds or allocate
  // ~1 GB (forged block and content sizes). In a child process, so a hang fails instead of blocking.
  it('ends every one of 200 damaged copies of a real file in a result or an InputError, quickly', async () => {
    const script = join(PROJECT_ROOT, 'test/import/support/parseMutatedFeathers.ts');
    const { stdout } = await run('node', ['--import', 'tsx', script, MARK, tempDir(), '200'], { cwd: PROJECT_ROOT, timeout: 45_000 });
    const { outcomes, slowestMs } = JSON.parse(stdout) as { outcomes: Record<string, number>; slowestMs: number };
    expect(Object.keys(outcomes).sort()).toEqual(['InputError', 'ok']);
    expect(outcomes.InputError).toBeGreaterThan(100);
    expect(slowestMs).toBeLessThan(2_000);
  }, 60_000);
});
