import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The perp-arb package directory (where package.json, examples/ and schemas/ are), from src/ or dist/ alike. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'perp-arb') return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the perp-arb package directory (package.json)');
    dir = parent;
  }
}
