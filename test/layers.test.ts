import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { cruise, type ICruiseOptions, type IViolation } from 'dependency-cruiser';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from './support/paths.ts';
import { useTempDirs } from './support/tempDir.ts';

const require = createRequire(import.meta.url);
const config = require(join(PROJECT_ROOT, '.dependency-cruiser.cjs')) as { forbidden: NonNullable<NonNullable<ICruiseOptions['ruleSet']>['forbidden']>; options: ICruiseOptions };
const layers = config.forbidden.filter((rule) => rule.name?.startsWith('layer-')).map((rule) => rule.name!.slice('layer-'.length));
const tempDir = useTempDirs();

async function violations(baseDir: string, withTsConfig: boolean): Promise<string[]> {
  const { tsConfig: _tsConfig, ...options } = config.options as ICruiseOptions & { tsConfig?: unknown };
  const result = await cruise(['src'], { ...options, ...(withTsConfig ? { tsConfig: config.options.tsConfig } : {}), baseDir, validate: true, ruleSet: { forbidden: config.forbidden } });
  const output = result.output as { summary: { violations: IViolation[] } };
  return output.summary.violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.cycle ? v.cycle.map((c) => c.name).join(' -> ') : v.to}`);
}

describe('layers (dependency-cruiser, .dependency-cruiser.cjs)', () => {
  it('the sources import only up the layer order, with no import cycle', async () => {
    expect(await violations(PROJECT_ROOT, true)).toEqual([]);
  }, 60_000);

  it('the check catches a wrong import, a strategy importing a venue, a file outside the layers and a cycle', async () => {
    const dir = tempDir();
    const files: Record<string, string> = {
      'src/core/low.ts': "import { high } from '../app/high.ts';\nexport const low = high;\n",
      'src/app/high.ts': 'export const high = 1;\n',
      'src/venues/venue.ts': 'export const venue = 1;\n',
      'src/strategy/s.ts': "import { venue } from '../venues/venue.ts';\nexport const s = venue;\n",
      'src/elsewhere/x.ts': "import { high } from '../app/high.ts';\nexport const x = high;\n",
      'src/model/a.ts': "import { b } from './b.ts';\nexport const a = () => b;\n",
      'src/model/b.ts': "import { a } from './a.ts';\nexport const b = () => a;\n",
    };
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(join(dir, path, '..'), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    const found = await violations(dir, false);
    expect(found).toContain('layer-core: src/core/low.ts -> src/app/high.ts');
    expect(found).toContain('strategy-reads-no-venue: src/strategy/s.ts -> src/venues/venue.ts');
    expect(found).toContain('known-layer: src/elsewhere/x.ts -> src/app/high.ts');
    const cycles = found.filter((v) => v.startsWith('no-cycle: src/model/'));
    expect(cycles).toHaveLength(1);
    expect(cycles[0]).toMatch(/src\/model\/a\.ts.*src\/model\/b\.ts|src\/model\/b\.ts.*src\/model\/a\.ts/);
  }, 60_000);

  it('knows the layers of DESIGN.md in their order', () => {
    expect(layers).toEqual(['core', 'domain', 'model', 'data', 'venues', 'strategy', 'ingest', 'portfolio', 'risk', 'execution', 'engine', 'app']);
  });
});
