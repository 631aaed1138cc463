#!/usr/bin/env node
// Runs the CLI built to dist/ by `npm install` (prepare) or `npm run build`. Without a build (a
// checkout where the build step did not run) it runs the TypeScript sources through tsx, slower to start.
import { existsSync } from 'node:fs';

const built = new URL('../dist/perp-arb.js', import.meta.url);
if (existsSync(built)) {
  await import(built.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/app/cli/main.ts');
}
