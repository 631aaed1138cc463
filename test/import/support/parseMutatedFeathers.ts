/**
 * Run as its own process (a hang in a parser cannot be interrupted in-process): parses `count`
 * seeded mutations of a real Feather file and prints one JSON line { outcomes, slowestMs }, where
 * outcomes counts 'ok', 'InputError' and the class name of anything else thrown.
 * Usage: node --import tsx parseMutatedFeathers.ts <feather> <tmpDir> <count>
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../../src/core/errors.ts';
import { freqtradeImporter } from '../../../src/data/import/freqtrade.ts';

const [source, tmpDir, countText] = process.argv.slice(2);
const original = readFileSync(source);
const dir = join(tmpDir, 'binance');
mkdirSync(dir, { recursive: true });
const path = join(dir, 'BTC_USDT_USDT-8h-mark.feather');

let state = 12_345;
const random = () => (state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0) / 2 ** 32;
const at = (n: number) => Math.floor(random() * n);

/** Four kinds of damage in turn: a few bytes changed, cut short (end magic kept), 64 bytes overwritten, bytes cut out. */
function mutate(k: number): Buffer {
  const bytes = Buffer.from(original);
  switch (k % 4) {
    case 0:
      for (let j = 0; j < 1 + random() * 5; j++) bytes[at(bytes.length)] = at(256);
      return bytes;
    case 1:
      return Buffer.concat([bytes.subarray(0, at(bytes.length)), Buffer.from('ARROW1')]);
    case 2: {
      const from = 8 + at(bytes.length - 16);
      for (let j = from; j < Math.min(bytes.length - 6, from + 64); j++) bytes[j] = at(256);
      return bytes;
    }
    default: {
      const from = at(bytes.length);
      return Buffer.concat([bytes.subarray(0, from), bytes.subarray(from + 1 + at(40))]);
    }
  }
}

const outcomes: Record<string, number> = {};
let slowestMs = 0;
for (let k = 0; k < Number(countText); k++) {
  writeFileSync(path, mutate(k));
  const started = performance.now();
  let outcome = 'ok';
  try {
    await freqtradeImporter.parse(path, {});
  } catch (error) {
    outcome = error instanceof InputError ? 'InputError' : `${(error as Error)?.constructor?.name}: ${(error as Error)?.message}`;
  }
  slowestMs = Math.max(slowestMs, performance.now() - started);
  outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
}
process.stdout.write(`${JSON.stringify({ outcomes, slowestMs })}\n`);
