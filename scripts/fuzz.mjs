#!/usr/bin/env node
/**
 * npm run fuzz -- --runs N [--seed S] [vitest arguments, e.g. a file filter or -t NAME]
 *
 * Runs the fuzz properties of test/fuzz with N cases each (FUZZ_RUNS) from seed S (FUZZ_SEED; a
 * new random seed when not given, printed first so the run can be repeated). Inside `npm test` the
 * same properties run with their own small counts from a fixed seed.
 */
import { spawnSync } from 'node:child_process';
import { randomInt } from 'node:crypto';

const args = process.argv.slice(2);
const passThrough = [];
let runs = 1000;
let seed = null;
for (let k = 0; k < args.length; k++) {
  const value = () => {
    const v = args[++k];
    if (v === undefined || !/^-?\d+$/.test(v)) {
      process.stderr.write(`error: ${args[k - 1]} needs an integer (got ${v === undefined ? 'nothing' : JSON.stringify(v)})\n`);
      process.exit(2);
    }
    return Number(v);
  };
  if (args[k] === '--runs') runs = value();
  else if (args[k] === '--seed') seed = value();
  else passThrough.push(args[k]);
}
if (!(runs > 0)) {
  process.stderr.write('error: --runs must be at least 1\n');
  process.exit(2);
}
seed ??= randomInt(2 ** 31);
// Only the fuzz suite unless files of it are named (`npm run fuzz -- --runs 100 test/fuzz/lean`).
const files = passThrough.some((a) => a.startsWith('test/')) ? [] : ['test/fuzz'];
process.stdout.write(`fuzz: ${runs} runs per property, seed ${seed} (repeat with: npm run fuzz -- --runs ${runs} --seed ${seed})\n`);
const result = spawnSync('npx', ['vitest', 'run', ...files, ...passThrough, '--maxWorkers=1', '--testTimeout=0'], {
  stdio: 'inherit',
  env: { ...process.env, FUZZ_RUNS: String(runs), FUZZ_SEED: String(seed) },
});
process.exit(result.status ?? 1);
