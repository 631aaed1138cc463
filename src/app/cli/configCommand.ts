import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { UsageError } from '../../core/errors.ts';
import { SCHEMA_KEY } from '../../domain/config/configFile.ts';
import { configFields } from '../../domain/config/walk.ts';
import { BacktestConfigSchema, parseBacktestConfig } from '../../engine/backtestConfig.ts';
import { STRATEGIES, strategyEntry } from '../../strategy/registry.ts';
import { CONFIG_KINDS, configJsonSchemaText, type ConfigKind } from '../docs/jsonSchemas.ts';
import { cliIo } from './cliIo.ts';
import { configJsonc } from './configJsonc.ts';
import { printLine, runAction } from './output.ts';
import { packageRoot } from './packageRoot.ts';

interface SchemaOptions {
  kind: ConfigKind;
}

interface InitOptions {
  strategy: string;
  out?: string;
  force: boolean;
}

export function registerConfigCommand(program: Command): void {
  const config = program.command('config').description('config files: their JSON Schema, and a documented starting config');

  config
    .command('schema')
    .description(
      'print the JSON Schema of a config file, generated from the schemas perp-arb validates with (so it never drifts).\n' +
        'Name it in a config as "$schema" (the examples do: "../schemas/backtest.schema.json") and editors validate and explain it.',
    )
    .addOption(new Option('--kind <kind>', 'which config').choices(Object.keys(CONFIG_KINDS)).default('backtest'))
    .action(
      runAction(async (options: SchemaOptions) => {
        cliIo().stdout.write(configJsonSchemaText(options.kind));
      }),
    );

  config
    .command('init')
    .description('write a starting backtest config for a strategy: the strategy\'s example with a comment on every field (range, reason, default) and every optional field listed')
    .addOption(new Option('--strategy <type>', 'the strategy').choices(STRATEGIES.map((e) => e.type)).makeOptionMandatory())
    .option('--out <file>', 'write it here (default: stdout)')
    .option('--force', 'replace an existing --out file', false)
    .addHelpText('after', '\nExample:\n  perp-arb config init --strategy ouBasis --out my-ou.jsonc && perp-arb backtest --config my-ou.jsonc')
    .action(
      runAction(async (options: InitOptions) => {
        const entry = strategyEntry(options.strategy);
        const root = packageRoot();
        const example = JSON.parse(readFileSync(join(root, entry.example), 'utf8')) as Record<string, unknown>;
        const { [SCHEMA_KEY]: _exampleSchema, ...starter } = example;
        parseBacktestConfig(starter, entry.example);
        const out = options.out === undefined ? null : resolve(cliIo().cwd, options.out);
        const schemaFile = join(root, 'schemas', 'backtest.schema.json');
        // Relative when the config sits inside the package (as the examples do), else absolute.
        const fromOut = out === null ? null : relative(resolve(out, '..'), schemaFile);
        const schemaPath = fromOut !== null && !relative(root, out!).startsWith('..') ? fromOut : schemaFile;
        const text = configJsonc({ [SCHEMA_KEY]: schemaPath, ...starter }, configFields(BacktestConfigSchema), [
          `perp-arb backtest config for ${entry.type}: ${entry.summary}.`,
          `Docs: ${entry.docs}. Every field: docs/config-reference.md. Run: perp-arb backtest --config ${options.out ?? 'FILE'}`,
        ]);
        if (out === null) {
          cliIo().stdout.write(text);
          return;
        }
        if (existsSync(out) && !options.force) throw new UsageError(`--out ${options.out}: the file exists (add --force to replace it)`);
        writeFileSync(out, text);
        printLine(`wrote ${out}`);
      }),
    );
}
