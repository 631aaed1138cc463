import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/core/errors.ts';
import { setPath } from '../../../src/engine/sweep/grid.ts';
import { planSweep } from '../../../src/engine/sweep/sweep.ts';
import { parseSweepConfig } from '../../../src/engine/sweep/sweepConfig.ts';
import { PROJECT_ROOT } from '../../support/paths.ts';

/**
 * Found by test/fuzz/sweepConfig.test.ts (seed 20240603): the grid path "__proto__.data" walked into
 * Object.prototype and set `data` on every object of the process; later test files then failed to
 * load zod. "constructor.prototype.x" did the same.
 */
describe('sweep grid paths through inherited names', () => {
  const base = JSON.parse(readFileSync(join(PROJECT_ROOT, 'examples', 'backtest-carry-synthetic.json'), 'utf8')) as Record<string, unknown>;

  for (const path of ['__proto__.polluted', 'constructor.prototype.polluted', 'data.__proto__.polluted', 'venues.0.constructor.polluted']) {
    it(`"${path}" is a ConfigError naming the path, and no object changes`, () => {
      const sweep = JSON.parse(`{"base": ${JSON.stringify(base)}, "grid": {${JSON.stringify(path)}: [1]}}`);
      const error = (() => {
        try {
          planSweep(parseSweepConfig(sweep, 'sweep.json', PROJECT_ROOT));
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toContain(`grid["${path}"]: bad key: a path of config keys (__proto__, constructor and prototype are none)`);
      expect(Object.hasOwn(Object.prototype, 'polluted')).toBe(false);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });
  }

  it('setPath refuses them too (a grid built in code)', () => {
    expect(() => setPath(structuredClone(base), '__proto__.polluted', 1)).toThrow('grid path "__proto__.polluted": "__proto__" is not a config key');
    expect(() => setPath(structuredClone(base), 'constructor.prototype.polluted', 1)).toThrow('"constructor" is not a config key');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
