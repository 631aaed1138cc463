import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { CONFIG_KINDS, configJsonSchemaText, type ConfigKind } from '../../src/app/docs/jsonSchemas.ts';
import { readConfigFile } from '../../src/domain/config/configFile.ts';
import { STRATEGIES } from '../../src/strategy/registry.ts';
import { runCli } from '../support/cli.ts';
import { PROJECT_ROOT } from '../support/paths.ts';
import { useTempDirs } from '../support/tempDir.ts';

const tempDir = useTempDirs();
const KINDS = Object.keys(CONFIG_KINDS) as ConfigKind[];
const schemaFile = (kind: ConfigKind) => join(PROJECT_ROOT, 'schemas', `${kind}.schema.json`);

describe('perp-arb config schema', () => {
  it('prints each kind\'s JSON Schema, the same as schemas/<kind>.schema.json (UPDATE_DOCS=1 rewrites them)', async () => {
    for (const kind of KINDS) {
      const printed = await runCli(['config', 'schema', '--kind', kind]);
      expect(printed.code).toBe(0);
      expect(printed.stdout).toBe(configJsonSchemaText(kind));
      if (process.env.UPDATE_DOCS === '1') writeFileSync(schemaFile(kind), printed.stdout);
      expect(readFileSync(schemaFile(kind), 'utf8'), `schemas/${kind}.schema.json is stale: UPDATE_DOCS=1 npx vitest run test/app/configCommand.test.ts`).toBe(printed.stdout);
    }
  });

  it('validates every example config (each names its schema) and refuses what perp-arb refuses', () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    const validators = Object.fromEntries(KINDS.map((kind) => [kind, ajv.compile(JSON.parse(readFileSync(schemaFile(kind), 'utf8')))]));
    const examples = readdirSync(join(PROJECT_ROOT, 'examples')).filter((f) => f.endsWith('.json'));
    expect(examples.length).toBeGreaterThanOrEqual(7);
    for (const file of examples) {
      const config = JSON.parse(readFileSync(join(PROJECT_ROOT, 'examples', file), 'utf8')) as Record<string, unknown>;
      const kind = file.startsWith('sweep-') ? 'sweep' : file.startsWith('run-') ? 'run' : 'backtest';
      expect(config.$schema).toBe(`../schemas/${kind}.schema.json`);
      expect(validators[kind](config), `${file}: ${JSON.stringify(validators[kind].errors)}`).toBe(true);
    }
    const carry = JSON.parse(readFileSync(join(PROJECT_ROOT, 'examples', 'backtest-carry-synthetic.json'), 'utf8')) as { data: { days: number } };
    expect(validators.backtest({ ...carry, data: { ...carry.data, days: 1e9 } })).toBe(false);
    expect(validators.backtest({ ...carry, extra: 1 })).toBe(false);
  });

  it('refuses an unknown kind with exit 2', async () => {
    const bad = await runCli(['config', 'schema', '--kind', 'nope']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/argument 'nope' is invalid/);
  });
});

describe('perp-arb config init', () => {
  it('writes a commented starting config for each strategy that validates; the synthetic ones run as written', async () => {
    for (const entry of STRATEGIES) {
      const dir = tempDir();
      const file = join(dir, `${entry.type}.jsonc`);
      const written = await runCli(['config', 'init', '--strategy', entry.type, '--out', file]);
      expect(written.code, written.stderr).toBe(0);
      const text = readFileSync(file, 'utf8');
      // Every field it sets has a comment; the ones it leaves out are listed as comments.
      expect(text).toMatch(/\/\/ a number in \(0, 1e9\] USD: .*\n\s+"notionalUsd": /);
      expect(text).toMatch(/\n\s+\/\/ "latencyMs": an integer in \[0, 60000\] ms: /);
      const config = readConfigFile(file) as { strategy: { type: string }; data: { source: string } };
      expect(config.strategy.type).toBe(entry.type);
      if (config.data.source !== 'synthetic') continue;
      const run = await runCli(['backtest', '--config', file, '--no-report', '--no-progress', '--json']);
      expect(run.code, run.stderr).toBe(0);
      expect((JSON.parse(run.stdout) as { events: number }).events).toBeGreaterThan(80_000);
    }
  }, 60_000);

  it('refuses to replace a file without --force', async () => {
    const file = join(tempDir(), 'x.jsonc');
    writeFileSync(file, 'keep');
    const again = await runCli(['config', 'init', '--strategy', 'ouBasis', '--out', file]);
    expect(again.code).toBe(2);
    expect(again.stderr.trim()).toBe(`error: --out ${file}: the file exists (add --force to replace it)`);
    expect(readFileSync(file, 'utf8')).toBe('keep');
    expect((await runCli(['config', 'init', '--strategy', 'ouBasis', '--out', file, '--force'])).code).toBe(0);
  });
});

describe('config files', () => {
  it('may hold comments and trailing commas; bad syntax names the line and column', () => {
    const dir = tempDir();
    const good = join(dir, 'good.jsonc');
    writeFileSync(good, '// a comment\n{\n  "a": 1, /* inline */\n  "b": [2, 3,],\n}\n');
    expect(readConfigFile(good)).toEqual({ a: 1, b: [2, 3] });
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{\n  "a": 1\n  "b": 2\n}\n');
    expect(() => readConfigFile(bad)).toThrow(`${bad}: not valid JSON: CommaExpected at line 3, column 3`);
  });
});
