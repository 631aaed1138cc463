import type { z } from 'zod';
import { configRanges, type NumberRange } from './range.ts';

/**
 * Walks a config schema and lists its fields, so a test can check that every number has a range,
 * every object is strict, every list has a maximum length and every record validates its keys, and
 * the reference doc can be generated from the schemas themselves.
 */

export type ConfigFieldKind = 'number' | 'list' | 'record' | 'object' | 'other';

export interface ConfigField {
  /** Dotted path; `*` for a record key or a list element, `<option>` for a union branch. */
  path: string;
  kind: ConfigFieldKind;
  /** zod's type name (number, string, enum, ...). */
  type: string;
  optional: boolean;
  nullable: boolean;
  /** The default when the field is absent (undefined: none). */
  defaultValue: unknown;
  /** Numbers: the documented range (null: none, a test failure). */
  range: NumberRange | null;
  /** Lists: the length bounds from the schema's checks (null: unbounded). */
  minLength: number | null;
  maxLength: number | null;
  /** Objects: unknown keys are rejected. Records: keys are checked (a pattern or an enum). */
  strict: boolean;
  /** Enums and literals: the values allowed. */
  values?: readonly string[];
}

interface Def {
  type: string;
  innerType?: z.core.$ZodType;
  shape?: Record<string, z.core.$ZodType>;
  catchall?: z.core.$ZodType;
  element?: z.core.$ZodType;
  keyType?: z.core.$ZodType;
  valueType?: z.core.$ZodType;
  options?: z.core.$ZodType[];
  in?: z.core.$ZodType;
  out?: z.core.$ZodType;
  checks?: { _zod: { def: { check: string; minimum?: number; maximum?: number; format?: string } } }[];
  defaultValue?: unknown;
}

const defOf = (schema: z.core.$ZodType): Def => schema._zod.def as unknown as Def;

function lengthBound(def: Def, check: 'min_length' | 'max_length'): number | null {
  for (const c of def.checks ?? []) {
    const d = c._zod.def;
    if (d.check === check) return (check === 'min_length' ? d.minimum : d.maximum) ?? null;
  }
  return null;
}

/** A record's keys are validated when the key schema has a check (a pattern) or is an enum or literal. */
function keysChecked(keyType: z.core.$ZodType | undefined): boolean {
  if (!keyType) return false;
  const def = defOf(keyType);
  if (def.type === 'enum' || def.type === 'literal') return true;
  return (def.checks ?? []).length > 0;
}

/** A union branch's label: its discriminator value when it has one. */
function branchLabel(option: z.core.$ZodType, index: number): string {
  const shape = defOf(option).shape;
  for (const key of ['type', 'source', 'kind']) {
    const literal = shape?.[key];
    if (literal && defOf(literal).type === 'literal') return `<${key}=${String((literal._zod.def as unknown as { values: unknown[] }).values[0])}>`;
  }
  return `<option ${index}>`;
}

/** Every field of `schema` below `path`, depth first, in the order of the schema. */
export function configFields(schema: z.core.$ZodType, path = ''): ConfigField[] {
  const out: ConfigField[] = [];
  walk(schema, path, { optional: false, nullable: false, defaultValue: undefined }, out);
  return out;
}

interface Wrapping {
  optional: boolean;
  nullable: boolean;
  defaultValue: unknown;
}

const join = (path: string, key: string) => (path === '' ? key : `${path}.${key}`);

function walk(schema: z.core.$ZodType, path: string, wrap: Wrapping, out: ConfigField[]): void {
  const def = defOf(schema);
  switch (def.type) {
    case 'optional':
      return walk(def.innerType!, path, { ...wrap, optional: true }, out);
    case 'nullable':
      return walk(def.innerType!, path, { ...wrap, nullable: true }, out);
    case 'default':
    case 'prefault':
      return walk(def.innerType!, path, { ...wrap, optional: true, defaultValue: def.defaultValue }, out);
    case 'readonly':
    case 'nonoptional':
    case 'catch':
      return walk(def.innerType!, path, wrap, out);
    case 'pipe':
      // A transform's input is what the config file holds.
      return walk(defOf(def.in!).type === 'transform' ? def.out! : def.in!, path, wrap, out);
  }
  const field = (kind: ConfigFieldKind, extra: Partial<ConfigField> = {}): ConfigField => ({
    path,
    kind,
    type: def.type,
    ...wrap,
    range: null,
    minLength: null,
    maxLength: null,
    strict: false,
    ...extra,
  });
  switch (def.type) {
    case 'number':
      out.push(field('number', { range: configRanges.get(schema as z.ZodType) ?? null }));
      return;
    case 'object': {
      const strict = def.catchall !== undefined && defOf(def.catchall).type === 'never';
      out.push(field('object', { strict }));
      for (const [key, value] of Object.entries(def.shape ?? {})) walk(value, join(path, key), { optional: false, nullable: false, defaultValue: undefined }, out);
      return;
    }
    case 'array':
      out.push(field('list', { minLength: lengthBound(def, 'min_length'), maxLength: lengthBound(def, 'max_length') }));
      walk(def.element!, join(path, '*'), { optional: false, nullable: false, defaultValue: undefined }, out);
      return;
    case 'record':
      out.push(field('record', { strict: keysChecked(def.keyType) }));
      walk(def.valueType!, join(path, '*'), { optional: false, nullable: false, defaultValue: undefined }, out);
      return;
    case 'union':
      def.options!.forEach((option, k) => walk(option, join(path, branchLabel(option, k)), wrap, out));
      return;
    case 'enum':
      out.push(field('other', { values: Object.values((def as Def & { entries?: Record<string, string> }).entries ?? {}).map(String) }));
      return;
    case 'literal':
      out.push(field('other', { values: ((def as Def & { values?: unknown[] }).values ?? []).map(String) }));
      return;
    default:
      out.push(field('other'));
  }
}
