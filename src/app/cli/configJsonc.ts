import type { ConfigField } from '../../domain/config/walk.ts';
import { rangeText } from '../../domain/config/range.ts';

/** What strings, lists and objects of configs hold, by their key (numbers carry their range and reason). */
const KEY_NOTES: Record<string, string> = {
  id: "an instrument 'venue:SYMBOL' (ccxt unified symbol, e.g. binance:BTC/USDT:USDT)",
  spot: "the spot leg 'venue:BASE/QUOTE'",
  perp: "the perpetual leg 'venue:BASE/QUOTE:SETTLE'",
  perps: "perpetuals 'venue:BASE/QUOTE:SETTLE' of one base asset",
  venue: 'a venue id (the ccxt id, lower case)',
  params: 'the strategy\'s parameters',
  instruments: 'every instrument traded, with fee and lot overrides',
  venues: 'the simulated venues: balances, leverage, spread, latency',
  balances: 'starting balance per asset (upper-case asset codes)',
  options: 'synthetic generator options (docs/config-reference.md)',
  from: 'start, ISO-8601 or epoch ms (inclusive)',
  to: 'end, ISO-8601 or epoch ms (exclusive)',
};

/** What a field is, in one comment line: its range and the reason, or its values or type; the default when it has one. */
function describe(field: ConfigField | undefined): string {
  if (!field) return '';
  const key = field.path.split('.').at(-1) ?? '';
  const kind = field.values && field.values.length > 0 ? `one of ${field.values.join(', ')}` : (KEY_NOTES[key] ?? field.type);
  const what = field.range ? `${rangeText(field.range)}: ${field.range.why}` : `${kind}${field.nullable ? ' or null' : ''}`;
  const optional = field.defaultValue !== undefined ? `; default ${JSON.stringify(field.defaultValue)}` : field.optional ? '; optional' : '';
  return `${what}${optional}`;
}

const childPath = (parent: string, key: string) => (parent === '' ? key : `${parent}.${key}`);

/** The field path of an object, with the union branch its discriminator picks ('data' -> 'data.<source=store>'). */
function branchOf(path: string, value: Record<string, unknown>, fields: readonly ConfigField[]): string {
  const prefix = `${path === '' ? '' : `${path}.`}<`;
  for (const f of fields) {
    if (!f.path.startsWith(prefix)) continue;
    const match = /^<([^=>]+)=([^>]+)>/.exec(f.path.slice(prefix.length - 1));
    if (match && String(value[match[1]]) === match[2]) return `${prefix}${match[1]}=${match[2]}>`;
  }
  return path;
}

function render(value: unknown, path: string, fields: readonly ConfigField[], indent: string): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const inner = indent + '  ';
    return `[\n${value.map((v) => `${inner}${render(v, `${path}.*`, fields, inner)}`).join(',\n')}\n${indent}]`;
  }
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  const record = value as Record<string, unknown>;
  const own = branchOf(path, record, fields);
  const isRecord = fields.some((f) => f.path === own && f.kind === 'record');
  const inner = indent + '  ';
  const lines: string[] = [];
  for (const [key, child] of Object.entries(record)) {
    const fieldPath = isRecord ? `${own}.*` : childPath(own, key);
    const note = describe(fields.find((f) => f.path === fieldPath));
    if (note) lines.push(`${inner}// ${note}`);
    lines.push(`${inner}${JSON.stringify(key)}: ${render(child, fieldPath, fields, inner)},`);
  }
  if (!isRecord) {
    // The fields this file leaves out, commented: what each is and its default.
    for (const f of fields) {
      const rest = f.path.startsWith(`${own === '' ? '' : `${own}.`}`) ? f.path.slice(own === '' ? 0 : own.length + 1) : null;
      if (rest === null || rest.includes('.') || rest.startsWith('<') || rest === '*' || rest in record) continue;
      lines.push(`${inner}// ${JSON.stringify(rest)}: ${describe(f)}`);
    }
  }
  return lines.length === 0 ? '{}' : `{\n${lines.join('\n')}\n${indent}}`;
}

/**
 * A config as JSON with comments: every field it sets with a comment saying what it is (range and
 * reason, or type, and default), and every field it leaves out as a commented line. The text is
 * valid input for readConfigFile (comments and trailing commas allowed).
 */
export function configJsonc(value: Record<string, unknown>, fields: readonly ConfigField[], header: readonly string[]): string {
  return `${header.map((line) => `// ${line}`).join('\n')}\n${render(value, '', fields, '')}\n`;
}
