import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from './support/paths.ts';

/** The layer order of DESIGN.md: a layer may import only from layers before it (and itself). */
export const LAYERS = ['core', 'domain', 'model', 'data', 'venues', 'strategy', 'portfolio', 'risk', 'execution', 'engine', 'app'];

const SRC = join(PROJECT_ROOT, 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    return e.isDirectory() ? sourceFiles(path) : e.name.endsWith('.ts') ? [path] : [];
  });
}

const layerOf = (file: string) => relative(SRC, file).split(sep)[0];

describe('layers', () => {
  it('every source file sits in a known layer', () => {
    const unknown = sourceFiles(SRC).filter((f) => !LAYERS.includes(layerOf(f)) && layerOf(f) !== 'types');
    expect(unknown).toEqual([]);
  });

  it('imports point only up the layer order (core <- domain <- model <- data <- ... <- app)', () => {
    const violations: string[] = [];
    for (const file of sourceFiles(SRC)) {
      const from = layerOf(file);
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(/(?:import|export)[^'"]*?from\s+['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g)) {
        const target = resolve(dirname(file), match[1] ?? match[2]);
        const to = layerOf(target);
        if (to === 'types') continue;
        if (LAYERS.indexOf(to) > LAYERS.indexOf(from)) violations.push(`${relative(SRC, file)} (${from}) imports ${relative(SRC, target)} (${to})`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('the check catches a wrong import', () => {
    const line = "import { x } from '../app/cli/main.ts';";
    const match = /from\s+['"](\.[^'"]+)['"]/.exec(line)!;
    const target = resolve(join(SRC, 'core'), match[1]);
    expect(LAYERS.indexOf(layerOf(target))).toBeGreaterThan(LAYERS.indexOf('core'));
  });
});
