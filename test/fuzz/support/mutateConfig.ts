import fc from 'fast-check';
import { applyJsonEdit, jsonEdit, type JsonEdit } from './mutateJson.ts';
import { weirdJson } from './weirdValues.ts';

/**
 * Damaged configs: a good config with members replaced (any type or value), deleted, repeated or
 * turned into text (mutateJson.ts), and unknown keys added anywhere, prototype-looking ones
 * included. The result went through JSON text, as a config file gives it.
 */
export type ConfigEdit = JsonEdit | { action: 'addKey'; node: number; key: string; value: unknown };

const strangeKey = fc.oneof(fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', '', ' ', 'days ', 'Days', 'type', 'params', 'source', 'd\u0000ys', '\u001b[2J'), fc.string({ maxLength: 10 }));
const addKey: fc.Arbitrary<ConfigEdit> = fc.record({ action: fc.constant('addKey' as const), node: fc.nat(), key: strangeKey, value: weirdJson });

function objects(root: unknown): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const visit = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(visit);
    else if (typeof v === 'object' && v !== null) {
      out.push(v as Record<string, unknown>);
      Object.values(v).forEach(visit);
    }
  };
  visit(root);
  return out;
}

export function applyConfigEdits(template: unknown, edits: readonly ConfigEdit[]): unknown {
  const root = structuredClone(template);
  for (const edit of edits) {
    if (edit.action !== 'addKey') {
      applyJsonEdit(root, edit);
      continue;
    }
    const all = objects(root);
    if (all.length === 0) continue;
    // An own property even for '__proto__', as JSON.parse makes it.
    Object.defineProperty(all[edit.node % all.length], edit.key, { value: structuredClone(edit.value), enumerable: true, writable: true, configurable: true });
  }
  return JSON.parse(JSON.stringify(root));
}

export interface ConfigMutation {
  edits: ConfigEdit[];
  value: unknown;
}

/** Damaged copies of `template` (1 to 3 edits), printed as the edits and the resulting JSON. */
export function configMutation(label: string, template: unknown): fc.Arbitrary<ConfigMutation> {
  return fc.array(fc.oneof({ weight: 4, arbitrary: jsonEdit as fc.Arbitrary<ConfigEdit> }, { weight: 1, arbitrary: addKey }), { minLength: 1, maxLength: 3 }).map((edits) => {
    const mutation: ConfigMutation = { edits, value: applyConfigEdits(template, edits) };
    return Object.assign(mutation, { [fc.toStringMethod]: () => `${label} with ${JSON.stringify(edits)}: ${JSON.stringify(mutation.value).slice(0, 1500)}` });
  });
}
