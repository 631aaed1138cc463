import fc from 'fast-check';
import { weirdJson } from './weirdValues.ts';

/**
 * Damage inside JSON documents, where byte damage would only give "not valid JSON": one node
 * (any object member or list element, chosen by index in depth-first order) replaced with a value
 * of any type, deleted, repeated, turned into the text of itself (numbers sent as strings and
 * the reverse are what venues do), or a number scaled.
 */
export type JsonEdit =
  | { action: 'replace'; node: number; value: unknown }
  | { action: 'delete'; node: number }
  | { action: 'repeat'; node: number }
  | { action: 'stringify'; node: number }
  | { action: 'scale'; node: number; factor: number };

export const jsonEdit: fc.Arbitrary<JsonEdit> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ action: fc.constant('replace' as const), node: fc.nat(), value: weirdJson }) },
  { weight: 2, arbitrary: fc.record({ action: fc.constant('delete' as const), node: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ action: fc.constant('repeat' as const), node: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ action: fc.constant('stringify' as const), node: fc.nat() }) },
  // A number moved to another plausible-looking magnitude or sign: what passes a range check and then stresses the code behind it.
  { weight: 2, arbitrary: fc.record({ action: fc.constant('scale' as const), node: fc.nat(), factor: fc.constantFrom(0, -1, 0.5, 2, 10, 1000, 1e6, 1e-3, 1e-6, 1.0000001) }) },
);

type Container = Record<string, unknown> | unknown[];
interface Slot {
  parent: Container;
  key: string | number;
}

function slots(root: unknown): Slot[] {
  const out: Slot[] = [];
  const visit = (value: unknown) => {
    if (Array.isArray(value)) {
      value.forEach((child, index) => {
        out.push({ parent: value, key: index });
        visit(child);
      });
    } else if (typeof value === 'object' && value !== null) {
      for (const [key, child] of Object.entries(value)) {
        out.push({ parent: value as Record<string, unknown>, key });
        visit(child);
      }
    }
  };
  visit(root);
  return out;
}

/** Applies one edit to a parsed document in place (a document with no members is left as it is). */
export function applyJsonEdit(root: unknown, edit: JsonEdit): void {
  const all = slots(root);
  if (all.length === 0) return;
  const { parent, key } = all[edit.node % all.length];
  const current = (parent as Record<string | number, unknown>)[key];
  switch (edit.action) {
    case 'replace':
      (parent as Record<string | number, unknown>)[key] = structuredClone(edit.value);
      break;
    case 'delete':
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete parent[key as string];
      break;
    case 'repeat':
      if (Array.isArray(parent)) parent.splice(key as number, 0, structuredClone(current));
      else (parent as Record<string, unknown>)[key as string] = [current, current];
      break;
    case 'scale':
      if (typeof current === 'number') (parent as Record<string | number, unknown>)[key] = current * edit.factor;
      break;
    case 'stringify':
      (parent as Record<string | number, unknown>)[key] = typeof current === 'string' && current.trim() !== '' && !Number.isNaN(Number(current)) ? Number(current) : JSON.stringify(current);
      break;
  }
}

/** `text` with the edits applied to its JSON, or `text` unchanged when it is not JSON. */
export function editJsonText(text: string, edits: readonly JsonEdit[]): string {
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch {
    return text;
  }
  for (const edit of edits) applyJsonEdit(root, edit);
  return JSON.stringify(root);
}
