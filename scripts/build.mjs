// Builds the CLI to JavaScript in dist/ (esbuild, ~0.5 s): `npm run build`, run by `npm install`
// (prepare) and before the tests. Dependencies stay external (native addons, ccxt); each command's
// module is its own chunk, loaded only when that command runs.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const outdir = `${root}dist`;

export async function buildCli({ quiet = false } = {}) {
  const started = performance.now();
  rmSync(outdir, { recursive: true, force: true });
  await build({
    absWorkingDir: root,
    entryPoints: { 'perp-arb': 'src/app/cli/main.ts', sweepWorker: 'src/engine/sweep/sweepWorker.ts' },
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    // Chunks sit beside the entries, so `new URL('./sweepWorker.js', import.meta.url)` works from any of them.
    chunkNames: '[name]-[hash]',
    sourcemap: 'linked',
    logLevel: 'warning',
  });
  if (!quiet) process.stderr.write(`built dist/ in ${Math.round(performance.now() - started)} ms\n`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildCli();
