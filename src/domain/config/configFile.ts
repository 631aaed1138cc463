import { readFileSync } from 'node:fs';
import { parse, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { z } from 'zod';
import { ConfigError } from '../../core/errors.ts';

/** The key a config file may carry for editors (`"$schema": "../schemas/backtest.schema.json"`). */
export const SCHEMA_KEY = '$schema';

/** The `$schema` field of the config schemas: a reference for editors, ignored by perp-arb. */
export const editorSchemaField = z.string().max(4096).optional().describe('the JSON Schema of this file, for editors; perp-arb ignores it');

/** Line and column (1-based) of a character offset. */
function position(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  return `line ${before.length}, column ${before[before.length - 1].length + 1}`;
}

/**
 * Reads a config file: JSON, or JSON with comments and trailing commas (what `perp-arb config init`
 * writes). A missing file or bad syntax is a ConfigError naming the file, line and column. A top-level
 * `$schema` (an editor's reference to the JSON Schema) is dropped before validation.
 */
export function readConfigFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(file, [`cannot read the config: ${(error as Error).message}`]);
  }
  const errors: ParseError[] = [];
  const value: unknown = parse(text, errors, { allowTrailingComma: true, disallowComments: false });
  if (errors.length > 0) {
    const first = errors[0];
    throw new ConfigError(file, [`not valid JSON: ${printParseErrorCode(first.error)} at ${position(text, first.offset)}`]);
  }
  return value;
}
