import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const BIN = join(ROOT, 'bin', 'perp-arb.js');

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function wallMillis(args: string[]): number {
  const started = process.hrtime.bigint();
  execFileSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'ignore'] });
  return Number(process.hrtime.bigint() - started) / 1e6;
}

/**
 * Start-up of the built CLI (`perp-arb --version`, `--help`) beside a bare `node -e 0`, run
 * alternately so both see the same machine load; medians of `runs`.
 */
export function benchStartup(runs = 5): { cliStartupMillis: number; cliHelpMillis: number; nodeStartupMillis: number; cliStartupOverNodeMillis: number } {
  if (!existsSync(join(ROOT, 'dist', 'perp-arb.js'))) throw new Error('dist/ is missing: run npm run build first');
  const version: number[] = [];
  const help: number[] = [];
  const node: number[] = [];
  wallMillis([BIN, '--version']); // warms the file cache
  for (let run = 0; run < runs; run++) {
    node.push(wallMillis(['-e', '0']));
    version.push(wallMillis([BIN, '--version']));
    help.push(wallMillis([BIN, '--help']));
  }
  const cliStartupMillis = median(version);
  const nodeStartupMillis = median(node);
  return { cliStartupMillis, cliHelpMillis: median(help), nodeStartupMillis, cliStartupOverNodeMillis: cliStartupMillis - nodeStartupMillis };
}
