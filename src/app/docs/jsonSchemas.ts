import { z } from 'zod';
import { configRanges, rangeText } from '../../domain/config/range.ts';
import { BacktestConfigSchema } from '../../engine/backtestConfig.ts';
import { RunConfigSchema } from '../../engine/runtime/runConfig.ts';
import { SweepConfigSchema } from '../../engine/sweep/sweepConfig.ts';
import { scannerConfigSchema } from '../../strategy/scanner/config.ts';

/** The config files perp-arb reads, by the name `perp-arb config schema --kind` takes. */
export const CONFIG_KINDS = {
  backtest: { title: 'perp-arb backtest config', readBy: 'perp-arb backtest --config FILE', schema: BacktestConfigSchema },
  sweep: { title: 'perp-arb sweep file', readBy: 'perp-arb sweep --config FILE', schema: SweepConfigSchema },
  scan: { title: 'perp-arb scanner config', readBy: 'perp-arb scan --config FILE', schema: scannerConfigSchema },
  run: { title: 'perp-arb session config', readBy: 'perp-arb run --config FILE', schema: RunConfigSchema },
} as const;

export type ConfigKind = keyof typeof CONFIG_KINDS;

/**
 * The JSON Schema (draft 2020-12) of a config, generated from its zod schema so it never drifts:
 * what a config file may contain as it is written (defaults applied later), each number with its
 * documented range and reason as its description. Editors validate a config whose `$schema` names it.
 */
export function configJsonSchema(kind: ConfigKind): Record<string, unknown> {
  const { title, readBy, schema } = CONFIG_KINDS[kind];
  const json = z.toJSONSchema(schema, {
    io: 'input',
    unrepresentable: 'any',
    override: (ctx) => {
      const range = configRanges.get(ctx.zodSchema as unknown as z.ZodType);
      if (range) ctx.jsonSchema.description = `${rangeText(range)}: ${range.why}`;
    },
  }) as Record<string, unknown>;
  json.title = title;
  json.description = `Read by ${readBy}; generated from the zod schema by perp-arb config schema --kind ${kind}.`;
  return json;
}

/** The schema file's text, as written to schemas/<kind>.schema.json. */
export const configJsonSchemaText = (kind: ConfigKind) => `${JSON.stringify(configJsonSchema(kind), null, 2)}\n`;
