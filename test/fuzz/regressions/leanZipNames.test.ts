import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { strToU8, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/core/errors.ts';
import { leanImporter } from '../../../src/data/import/lean.ts';
import { useTempDirs } from '../../support/tempDir.ts';

/**
 * Found by test/fuzz/lean.test.ts (seed 20240603): a zip whose header bytes were damaged named its
 * member with 2.6 KB of binary garbage, line breaks and escape codes included, and the InputError
 * quoted all of it.
 */
describe('LEAN zip member names in errors', () => {
  const tempDir = useTempDirs();
  const parseError = async (zip: Uint8Array): Promise<string> => {
    const dir = join(tempDir(), 'Data', 'crypto', 'bybit', 'minute', 'btcusdt');
    mkdirSync(dir, { recursive: true });
    const path = join(dir, '20221213_trade.zip');
    writeFileSync(path, zip);
    const error = await leanImporter.parse(path, {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    const message = (error as Error).message;
    expect(message).not.toMatch(/[\n\r\u001b]/);
    return message;
  };

  it('are escaped and cut short, and a long list of them is counted', async () => {
    const garbage = `a\nb\u001b[31m${'x'.repeat(200)}.csv`;
    expect(await parseError(zipSync({ [garbage]: strToU8('1,2') }))).toContain(`it holds 'a\\x0ab\\x1b[31m${'x'.repeat(72)}...'`);
    const many = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`m${i}.csv`, strToU8('1')]));
    expect(await parseError(zipSync(many))).toContain("it holds 'm0.csv', 'm1.csv', 'm2.csv', 'm3.csv', 'm4.csv' and 3 more");
  });

  it('a member claiming a huge size is named escaped', async () => {
    const zip = zipSync({ 'bad\nname.csv': strToU8('1,2') });
    // The central directory entry's uncompressed size (offset 24 from its signature PK\x01\x02).
    const central = Buffer.from(zip).indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    new DataView(zip.buffer, zip.byteOffset).setUint32(central + 24, 0xf0000000, true);
    expect(await parseError(zip)).toContain("zip member 'bad\\x0aname.csv' claims 4026531840 bytes");
  });
});
